// The admin API v2 session stream's bounds, on a real broker with real clients: nothing is
// compared or published while nobody subscribes, each batch holds at most the configured
// number of entries (the rest follows in the next batches, numbered without gaps), and a
// snapshot plus the batches after it describe exactly the broker's sessions. A session watch
// sends one session's detail only when it changed, and ends when nobody subscribes.
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/mqttclient.h"
#include "engine/push/sessionjson.h"
#include "engine/push/pushtypes.h"
#include "engine/push/sessionstream.h"
#include "engine/push/sessionwatch.h"

#include "mqtt/topic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>

#include <memory>

using namespace hermes;

class TestSessionStream : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void silentWithoutSubscribers();
    void batchesAreBoundedAndNumbered();
    void jsonReadsBackWhatItWrites();
    void watchSendsTheDetailOnlyWhenItChanges();
    void watchesAreBoundedAndEndUnwatched();

private:
    /// A connected client (anonymous loopback clients are operators here).
    MqttClient *connectClient(const QString &id);
    quint16 port() const { return m_broker->listenAddresses().first().port; }

    std::unique_ptr<Broker> m_broker;
    std::unique_ptr<SessionStream> m_stream;
    QList<MqttClient *> m_clients;
};

void TestSessionStream::init()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.anonymousRole = Role::Operator;
    m_broker = std::make_unique<Broker>(config);
    QVERIFY2(m_broker->start(), qPrintable(m_broker->errorString()));
    m_stream = std::make_unique<SessionStream>(*m_broker, SessionStream::Limits{std::chrono::milliseconds(50), 3});
    m_stream->start();
}

void TestSessionStream::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_stream.reset();
    m_broker.reset();
}

MqttClient *TestSessionStream::connectClient(const QString &id)
{
    auto *client = new MqttClient;
    m_clients.append(client);
    client->setPort(port());
    client->setClientId(id);
    client->setProtocolVersion(mqtt::ProtocolVersion::V5);
    QSignalSpy connected(client, &MqttClient::connected);
    client->connectToBroker();
    return connected.wait(10000) ? client : nullptr;
}

void TestSessionStream::silentWithoutSubscribers()
{
    for (int i = 0; i < 5; ++i)
        QVERIFY(connectClient(QStringLiteral("quiet-%1").arg(i)));
    // Sessions came: nobody listens, so the stream's timer never started and nothing can go
    // out later either.
    QVERIFY(!m_stream->isRunning());
    QCOMPARE(m_stream->batchesPublished(), quint64(0));
}

void TestSessionStream::batchesAreBoundedAndNumbered()
{
    MqttClient *reader = connectClient(QStringLiteral("reader"));
    QVERIFY(reader);
    QList<QJsonObject> batches;
    connect(reader, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) {
        batches.append(QJsonDocument::fromJson(publish.payload).object());
    });
    QSignalSpy subscribed(reader, &MqttClient::subscribed);
    reader->subscribe(QString(SessionStream::EventsTopic));
    QVERIFY(subscribed.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(m_stream->isRunning(), 5000);
    const SessionStream::Snapshot snapshot = m_stream->snapshot();
    QHash<QString, SessionInfo> mirror;
    for (const SessionInfo &info : snapshot.sessions)
        mirror.insert(info.clientId, info);
    QVERIFY(mirror.contains(QStringLiteral("reader")));

    // Eight clients at once: more than one batch may carry.
    for (int i = 0; i < 8; ++i)
        QVERIFY(connectClient(QStringLiteral("burst-%1").arg(i)));
    const auto apply = [&] {
        quint64 sequence = snapshot.sequence;
        QHash<QString, SessionInfo> state = mirror;
        for (const QJsonObject &batch : std::as_const(batches)) {
            const quint64 seq = quint64(batch.value(QLatin1String("seq")).toDouble());
            if (seq <= snapshot.sequence)
                continue;
            if (seq != sequence + 1)
                return QHash<QString, SessionInfo>{}; // a gap fails the comparison below
            sequence = seq;
            int entries = batch.value(QLatin1String("seen")).toObject().size()
                + int(batch.value(QLatin1String("removed")).toArray().size());
            for (const char *key : {"connected", "disconnected", "changed"}) {
                for (const QJsonValue &row : batch.value(QLatin1String(key)).toArray()) {
                    ++entries;
                    const std::optional<SessionInfo> info = sessionRowFromJson(row.toObject());
                    state.insert(info->clientId, *info);
                }
            }
            if (entries > 3)
                return QHash<QString, SessionInfo>{};
            const QJsonObject seen = batch.value(QLatin1String("seen")).toObject();
            for (auto it = seen.begin(); it != seen.end(); ++it)
                state[it.key()].lastInboundMs = qint64(it.value().toDouble());
            for (const QJsonValue &id : batch.value(QLatin1String("removed")).toArray())
                state.remove(id.toString());
        }
        return state;
    };
    const auto onlineIds = [](const QHash<QString, SessionInfo> &state) {
        QStringList ids;
        for (const SessionInfo &info : state) {
            if (info.online)
                ids.append(info.clientId);
        }
        ids.sort();
        return ids;
    };
    QStringList expected{QStringLiteral("reader")};
    for (int i = 0; i < 8; ++i)
        expected.append(QStringLiteral("burst-%1").arg(i));
    expected.sort();
    QTRY_COMPARE_WITH_TIMEOUT(onlineIds(apply()), expected, 10000);
    QVERIFY2(batches.size() >= 3, "8 new sessions at 3 entries a batch need at least 3 batches");

    // Two leave: the batches say so, still within the bound.
    delete m_clients.takeLast();
    delete m_clients.takeLast();
    expected.removeAll(QStringLiteral("burst-6"));
    expected.removeAll(QStringLiteral("burst-7"));
    QTRY_COMPARE_WITH_TIMEOUT(onlineIds(apply()), expected, 10000);
}

void TestSessionStream::jsonReadsBackWhatItWrites()
{
    // Every field set to something other than its default, so a name written one way and
    // read another shows as a difference.
    SessionDetail detail;
    SessionInfo &info = detail.info;
    info = {QStringLiteral("d-1"), false, QStringLiteral("10.0.0.5:5123"), QStringLiteral("rabbit@node1"), QStringLiteral("dev"),
            mqtt::ProtocolVersion::V5, 45, false, 3600, 0, 1700000000500, 1700000000400, 2, 5, 3, 7, 4, 11, 12, 13,
            CloseInfo{mqtt::CloseReason::KeepAliveTimeout, mqtt::ReasonCode::KeepAliveTimeout, QStringLiteral("silent"),
                      1700000000500, true}};
    detail.heartbeats = {{1700000000100, mqtt::PacketType::Pingreq, true, 2}, {1700000000101, mqtt::PacketType::Pingresp, false, 2}};
    detail.inflight = {{7, QStringLiteral("devices/d-1/push"), mqtt::QoS::ExactlyOnce, mqtt::OutboundStage::AwaitingPubcomp, 900, 2, 64}};
    mqtt::Publish queued;
    queued.topic = QStringLiteral("devices/d-1/push");
    queued.qos = mqtt::QoS::AtLeastOnce;
    queued.payload = QByteArray(300, 'x');
    detail.queued = {queued};
    mqtt::TopicSubscription subscription;
    subscription.filter = QStringLiteral("devices/d-1/#");
    subscription.options.maximumQoS = mqtt::QoS::AtLeastOnce;
    detail.subscriptions = {subscription};
    detail.packetTrace = {QStringLiteral("in PINGREQ")};
    detail.closes = {*info.lastClose};

    const std::optional<SessionDetail> back = sessionDetailFromJson(sessionDetailJson(detail));
    QVERIFY(back);
    QCOMPARE(sessionDetailJson(*back), sessionDetailJson(detail));
    QCOMPARE(back->queued.first().payload.size(), 300);
    QCOMPARE(back->info.lastClose->reason, mqtt::CloseReason::KeepAliveTimeout);
    QCOMPARE(back->info.node, QStringLiteral("rabbit@node1"));
    QVERIFY(!sessionRowFromJson(QJsonObject{}));

    BrokerCounters counters;
    quint64 value = 1;
    QJsonObject numbered = countersJson(counters);
    for (auto it = numbered.begin(); it != numbered.end(); ++it)
        it.value() = double(value++);
    QCOMPARE(countersJson(countersFromJson(numbered)), numbered);

    PushReport report;
    report.pushId = QStringLiteral("p-1");
    report.createdAtMs = 1700000000000;
    report.sendAtMs = 1700000000100;
    report.target.kind = PushTarget::Kind::Devices;
    report.target.devices = {QStringLiteral("d-1")};
    report.qos = mqtt::QoS::ExactlyOnce;
    report.ttlSeconds = 60;
    report.duplicates = 1;
    TargetReport target;
    target.device = QStringLiteral("d-1");
    target.sequence = 9;
    target.state = TargetState::Receipted;
    target.sentAtMs = 1700000000200;
    target.acknowledgedAtMs = 1700000000300;
    target.receiptedAtMs = 1700000000400;
    target.sendCount = 2;
    target.receiptStatus = QStringLiteral("delivered");
    report.targets = {target};
    const std::optional<PushReport> reportBack = PushReport::fromJson(report.toJson(true));
    QVERIFY(reportBack);
    QCOMPARE(reportBack->toJson(true), report.toJson(true));
}

void TestSessionStream::watchSendsTheDetailOnlyWhenItChanges()
{
    using namespace std::chrono_literals;
    SessionWatches watches(*m_broker, SessionWatches::Limits{50ms, 4, 10s});
    MqttClient *device = connectClient(QStringLiteral("meter-1"));
    MqttClient *console = connectClient(QStringLiteral("console"));
    QVERIFY(device && console);
    QVERIFY(std::holds_alternative<SessionWatches::Refusal>(watches.watch(QStringLiteral("nobody"))));

    const auto started = watches.watch(QStringLiteral("meter-1"));
    QVERIFY(std::holds_alternative<SessionWatches::Started>(started));
    const auto &watch = std::get<SessionWatches::Started>(started);
    QCOMPARE(watch.topic, QStringLiteral("$hermes/admin/v2/sessions/watch/meter-1"));
    QCOMPARE(sessionDetailFromJson(watch.detail)->info.clientId, QStringLiteral("meter-1"));

    QList<SessionDetail> details;
    connect(console, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) {
        if (publish.topic == watch.topic)
            details.append(*sessionDetailFromJson(QJsonDocument::fromJson(publish.payload).object()));
    });
    QSignalSpy subscribed(console, &MqttClient::subscribed);
    QSignalSpy received(console, &MqttClient::messageReceived);
    console->subscribe(watch.topic);
    QVERIFY(subscribed.wait(10000));
    // Nothing moves on the device: ten intervals pass without a message.
    QVERIFY(!received.wait(500));
    QCOMPARE(details.size(), 0);

    // A heartbeat: the next detail carries it.
    QSignalSpy pong(device, &MqttClient::pong);
    QVERIFY(device->ping());
    QVERIFY(pong.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(details.size(), 1, 5000);
    const QList<HeartbeatMark> &marks = details.first().heartbeats;
    QVERIFY(std::any_of(marks.cbegin(), marks.cend(),
                        [](const HeartbeatMark &mark) { return mark.type == mqtt::PacketType::Pingreq && mark.inbound; }));

    // A second console joins the watch without taking a change from the first.
    QVERIFY(std::holds_alternative<SessionWatches::Started>(watches.watch(QStringLiteral("meter-1"))));
    QCOMPARE(watches.size(), 1);
    QVERIFY(device->ping());
    QTRY_COMPARE_WITH_TIMEOUT(details.size(), 2, 5000);
}

void TestSessionStream::watchesAreBoundedAndEndUnwatched()
{
    using namespace std::chrono_literals;
    SessionWatches watches(*m_broker, SessionWatches::Limits{50ms, 2, 300ms});
    // Any client ID is one valid topic level.
    QVERIFY(connectClient(QStringLiteral("site/a+b#c")));
    QVERIFY(connectClient(QStringLiteral("d-2")));
    QVERIFY(connectClient(QStringLiteral("d-3")));
    const QString topic = SessionWatches::topicFor(QStringLiteral("site/a+b#c"));
    QVERIFY(mqtt::isValidTopicName(topic));
    QCOMPARE(topic, SessionWatches::TopicPrefix + QStringLiteral("site%2Fa%2Bb%23c"));

    QVERIFY(std::holds_alternative<SessionWatches::Started>(watches.watch(QStringLiteral("site/a+b#c"))));
    QVERIFY(std::holds_alternative<SessionWatches::Started>(watches.watch(QStringLiteral("d-2"))));
    const auto third = watches.watch(QStringLiteral("d-3"));
    QVERIFY(std::holds_alternative<SessionWatches::Refusal>(third));
    QCOMPARE(std::get<SessionWatches::Refusal>(third), SessionWatches::Refusal::TooManyWatches);
    // Nobody subscribed: both end after the grace period, and room is made.
    QTRY_COMPARE_WITH_TIMEOUT(watches.size(), 0, 5000);
    QVERIFY(std::holds_alternative<SessionWatches::Started>(watches.watch(QStringLiteral("d-3"))));
}

HERMES_TEST_GUILESS_MAIN(TestSessionStream)
#include "tst_sessionstream.moc"
