// Remote mode against a real hermesd process: the admin API v2 session stream seen by a
// plain MQTT client, and the RemoteEngine attached as an operator while real mosquitto_sub
// devices come and go, get kicked and receive a push; wrong password, a device account and
// a killed and restarted hermesd each end as they should.
#include "../common/hermesdprocess.h"
#include "../common/mosquitto.h"
#include "../common/sessionmirror.h"
#include "../common/testmain.h"
#include "rawclient.h"
#include "engine/mqttclient.h"
#include "engine/client/clientengine.h"
#include "engine/remote/attach.h"
#include "engine/remote/remoteengine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>

using namespace hermes;
using hermes::test::HermesdProcess;
using hermes::test::SessionMirror;

namespace {

const QString Password = HermesdProcess::Password;
constexpr int ProcessTimeoutMs = HermesdProcess::TimeoutMs;

} // namespace

class TestRemoteEngine : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void streamSendsSnapshotThenBatches();
    void engineSeesSessionsComeAndGo();
    void kickDisconnectsTheClient();
    void watchShowsARealPingAndAMessageInFlight();
    void pushReachesADevice();
    void wrongPasswordIsNamed();
    void deviceAccountIsNotAnOperator();
    void recoversWhenHermesdRestarts();
    void attachPicksTheEngine();

private:
    QProcess *startDevice(const QString &id, const QStringList &extra = {});
    RemoteEngineOptions options(const QString &user = QStringLiteral("admin"), const QString &password = Password) const;

    HermesdProcess m_hermesd;
    quint16 m_port = 0;
    QList<QProcess *> m_devices;
};

void TestRemoteEngine::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("mosquitto_sub")).isEmpty())
        HERMES_SKIP("mosquitto_sub is not installed (scripts/setup.sh installs mosquitto-clients)");
    QVERIFY2(m_hermesd.start(), qPrintable(m_hermesd.error()));
    m_port = m_hermesd.port();
}

void TestRemoteEngine::cleanupTestCase()
{
    m_hermesd.stop();
}

void TestRemoteEngine::cleanup()
{
    for (QProcess *device : std::as_const(m_devices)) {
        device->kill();
        device->waitForFinished();
        delete device;
    }
    m_devices.clear();
}

QProcess *TestRemoteEngine::startDevice(const QString &id, const QStringList &extra)
{
    auto *device = new QProcess;
    m_devices.append(device);
    device->start(QStringLiteral("mosquitto_sub"),
                  QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                              QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-i"), id, QStringLiteral("-q"),
                              QStringLiteral("1"), QStringLiteral("-t"), QStringLiteral("devices/%1/push").arg(id)}
                      + extra);
    return device->waitForStarted() ? device : nullptr;
}

RemoteEngineOptions TestRemoteEngine::options(const QString &user, const QString &password) const
{
    RemoteEngineOptions options;
    options.port = m_port;
    options.userName = user;
    options.password = password.toUtf8();
    options.firstRetry = std::chrono::milliseconds(200);
    options.lastRetry = std::chrono::milliseconds(1000);
    return options;
}

void TestRemoteEngine::streamSendsSnapshotThenBatches()
{
    // A plain MQTT 5 client as an operator: subscribes to the stream, takes a snapshot in
    // pages of one row, then sees a device connect and leave in numbered batches.
    QProcess *first = startDevice(QStringLiteral("stream-a"));
    QVERIFY(first);
    MqttClient client;
    ClientOptions clientOptions;
    clientOptions.port = m_port;
    clientOptions.connect.version = mqtt::ProtocolVersion::V5;
    clientOptions.connect.clientId = QStringLiteral("stream-reader");
    clientOptions.connect.userName = QStringLiteral("admin");
    clientOptions.connect.password = Password.toUtf8();
    client.setOptions(clientOptions);
    QList<QJsonObject> answers, batches;
    QByteArray snapshotRequest; // the correlation data of the snapshot asked for last
    int attempt = 0;
    QObject::connect(&client, &MqttClient::messageReceived, &client, [&](const mqtt::Publish &publish) {
        const QJsonObject body = QJsonDocument::fromJson(publish.payload).object();
        if (publish.topic.endsWith(QLatin1String("/events")))
            batches.append(body);
        else if (publish.properties.correlationData == snapshotRequest)
            answers.append(body);
    });
    QSignalSpy subscribed(&client, &MqttClient::subscribed);
    QObject::connect(&client, &MqttClient::connected, &client, [&] {
        client.subscribe({{QStringLiteral("$hermes/admin/v2/replies/stream-reader"), {mqtt::QoS::AtLeastOnce}},
                          {QStringLiteral("$hermes/admin/v2/sessions/events"), {}}});
    });
    client.connectToBroker();
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 1, 10000);
    // A snapshot in pages of one row, taken again until the device (a process that may still
    // be connecting) is in it too. Its session may also show in a batch: the stream numbers both.
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
        mqtt::Properties properties;
        properties.responseTopic = QStringLiteral("$hermes/admin/v2/replies/stream-reader");
        snapshotRequest = "snap-" + QByteArray::number(++attempt);
        properties.correlationData = snapshotRequest;
        answers.clear();
        client.publish(QStringLiteral("$hermes/admin/v2/sessions/snapshot"), R"({"pageSize": 1})", mqtt::QoS::AtLeastOnce,
                       false, properties);
        const auto pages = [&] { return answers.first().value(QLatin1String("result")).toObject().value(QLatin1String("pages")).toInt(); };
        return QTest::qWaitFor([&] { return !answers.isEmpty() && answers.size() == pages(); }, 5000) && pages() >= 2;
    }()), 20000);
    QStringList listed;
    const double sequence = answers.first().value(QLatin1String("result")).toObject().value(QLatin1String("seq")).toDouble();
    for (const QJsonObject &page : std::as_const(answers)) {
        const QJsonObject result = page.value(QLatin1String("result")).toObject();
        QCOMPARE(result.value(QLatin1String("seq")).toDouble(), sequence); // one consistent snapshot
        QVERIFY(result.value(QLatin1String("sessions")).toArray().size() <= 1);
        for (const QJsonValue &row : result.value(QLatin1String("sessions")).toArray())
            listed.append(row.toObject().value(QLatin1String("clientId")).toString());
    }
    QVERIFY2(listed.size() >= 2, qPrintable(listed.join(QLatin1Char(','))));
    QVERIFY(listed.contains(QStringLiteral("stream-reader")));
    QTRY_VERIFY_WITH_TIMEOUT(listed.contains(QStringLiteral("stream-a")) || !batches.isEmpty(), 5000);

    const auto batchMentions = [&](const char *kind, const QString &id) {
        for (const QJsonObject &batch : std::as_const(batches)) {
            for (const QJsonValue &entry : batch.value(QLatin1String(kind)).toArray()) {
                if (entry.toString() == id || entry.toObject().value(QLatin1String("clientId")).toString() == id)
                    return true;
            }
        }
        return false;
    };
    batches.clear();
    QVERIFY(startDevice(QStringLiteral("stream-b")));
    QTRY_VERIFY_WITH_TIMEOUT(batchMentions("connected", QStringLiteral("stream-b")), 10000);
    m_devices.last()->kill();
    // mosquitto_sub's session is clean: it goes when the connection does.
    QTRY_VERIFY_WITH_TIMEOUT(batchMentions("removed", QStringLiteral("stream-b")), 10000);
    // Numbered without gaps, each bounded.
    for (qsizetype i = 1; i < batches.size(); ++i)
        QCOMPARE(batches.at(i).value(QLatin1String("seq")).toDouble(), batches.at(i - 1).value(QLatin1String("seq")).toDouble() + 1);
    QVERIFY(batches.first().value(QLatin1String("seq")).toDouble() > sequence);
    client.disconnectFromBroker();
}

void TestRemoteEngine::engineSeesSessionsComeAndGo()
{
    RemoteEngine engine(options());
    SessionMirror mirror(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 15000);
    QVERIFY(engine.features().testFlag(EngineFeature::Sessions));
    QVERIFY(!engine.features().testFlag(EngineFeature::Simulation));
    QCOMPARE(engine.attachedTo(), QStringLiteral("127.0.0.1:%1").arg(m_port));

    QProcess *device = startDevice(QStringLiteral("come-and-go"));
    QVERIFY(device);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("come-and-go")), 15000);
    QCOMPARE(mirror.sessions.value(QStringLiteral("come-and-go")).subscriptions, 1);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.counters.clientsConnected >= 2, 10000); // the device and the console

    // The session detail comes over the admin API with its subscriptions.
    QSignalSpy details(&engine, &EngineMonitor::sessionDetail);
    engine.requestSessionDetail(QStringLiteral("come-and-go"));
    QTRY_COMPARE_WITH_TIMEOUT(details.size(), 1, 10000);
    const auto detail = details.first().first().value<SessionDetail>();
    QCOMPARE(detail.subscriptions.size(), 1);
    QCOMPARE(detail.subscriptions.first().filter, QStringLiteral("devices/come-and-go/push"));
    QVERIFY(!detail.heartbeats.isEmpty()); // CONNECT, SUBSCRIBE… are marks too

    // Watched, the detail follows the session without being asked: a message delivered to
    // the device shows in the next one.
    details.clear();
    engine.watchSession(QStringLiteral("come-and-go"));
    QTRY_COMPARE_WITH_TIMEOUT(details.size(), 1, 10000);
    const quint64 sentBefore = details.first().first().value<SessionDetail>().info.messagesOut;
    mqtt::Publish hello;
    hello.topic = QStringLiteral("devices/come-and-go/push");
    hello.payload = "hello";
    hello.qos = mqtt::QoS::AtLeastOnce;
    engine.publish(hello);
    QTRY_VERIFY_WITH_TIMEOUT(details.last().first().value<SessionDetail>().info.messagesOut > sentBefore, 10000);
    engine.watchSession({});

    // A message published by a real client shows in the Messages telemetry.
    QProcess publisher;
    publisher.start(QStringLiteral("mosquitto_pub"), {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                                      QString::number(m_port), QStringLiteral("-i"), QStringLiteral("pub-1"),
                                                      QStringLiteral("-t"), QStringLiteral("devices/pub-1/state"),
                                                      QStringLiteral("-m"), QStringLiteral("on")});
    QVERIFY(publisher.waitForFinished(ProcessTimeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(mirror.topics.contains(QStringLiteral("devices/pub-1/state")), 10000);

    device->kill();
    QTRY_VERIFY_WITH_TIMEOUT(!mirror.sessions.contains(QStringLiteral("come-and-go")), 15000);
    engine.stop();
}

/// What Session detail shows of a watched session comes from the real device: a PINGREQ
/// that mosquitto_sub sends by itself, and a QoS 1 message a device has not acknowledged.
void TestRemoteEngine::watchShowsARealPingAndAMessageInFlight()
{
    // mosquitto_sub pings after 5 s without traffic.
    QVERIFY(startDevice(QStringLiteral("pinger"), {QStringLiteral("-k"), QStringLiteral("5")}));
    RemoteEngine engine(options());
    SessionMirror mirror(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(ProcessTimeoutMs));
    QList<SessionDetail> details;
    QObject::connect(&engine, &EngineMonitor::sessionDetail, &engine,
                     [&details](const SessionDetail &detail) { details.append(detail); });
    const auto pinged = [&details] {
        return std::any_of(details.cbegin(), details.cend(), [](const SessionDetail &detail) {
            return detail.info.clientId == QLatin1String("pinger")
                && std::any_of(detail.heartbeats.cbegin(), detail.heartbeats.cend(), [](const HeartbeatMark &mark) {
                       return mark.type == mqtt::PacketType::Pingreq && mark.inbound;
                   });
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("pinger")), 15000);
    engine.watchSession(QStringLiteral("pinger"));
    QTRY_VERIFY_WITH_TIMEOUT(pinged(), 15000);

    // A device that subscribes at QoS 1 and never acknowledges: what it is sent stays in flight.
    testing::RawClient silent;
    QVERIFY(silent.connectTo(m_port));
    mqtt::Connect connect;
    connect.clientId = QStringLiteral("silent");
    connect.keepAliveSeconds = 60;
    QVERIFY(silent.handshake(connect));
    mqtt::Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {{QStringLiteral("devices/silent/push"), {mqtt::QoS::AtLeastOnce}}};
    silent.send(subscribe);
    QVERIFY(silent.waitFor(mqtt::PacketType::Suback));
    mqtt::Publish message;
    message.topic = QStringLiteral("devices/silent/push");
    message.payload = "unacknowledged";
    message.qos = mqtt::QoS::AtLeastOnce;
    engine.publish(message);
    QVERIFY(silent.waitFor(mqtt::PacketType::Publish));
    details.clear();
    engine.watchSession(QStringLiteral("silent"));
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(details.cbegin(), details.cend(), [](const SessionDetail &detail) {
                                 return detail.info.clientId == QLatin1String("silent") && detail.inflight.size() == 1
                                     && detail.inflight.first().topic == QLatin1String("devices/silent/push")
                                     && detail.inflight.first().stage == mqtt::OutboundStage::AwaitingPuback;
                             }),
                             10000);
}

void TestRemoteEngine::kickDisconnectsTheClient()
{
    RemoteEngine engine(options());
    SessionMirror mirror(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 15000);
    // Without reconnecting, so the kick ends the process's only connection.
    QProcess *device = startDevice(QStringLiteral("kick-me"), {QStringLiteral("-c")});
    QVERIFY(device);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("kick-me")), 15000);
    engine.kick(QStringLiteral("kick-me"));
    // -c keeps the session after the connection: it stays, offline, closed by the kick.
    QTRY_VERIFY_WITH_TIMEOUT(!mirror.online(QStringLiteral("kick-me")) && mirror.sessions.value(QStringLiteral("kick-me")).lastClose
                                 && mirror.sessions.value(QStringLiteral("kick-me")).lastClose->reason == mqtt::CloseReason::Kicked,
                             15000);
    engine.stop();
}

void TestRemoteEngine::pushReachesADevice()
{
    RemoteEngine engine(options());
    SessionMirror mirror(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 15000);
    QProcess *device = startDevice(QStringLiteral("push-1"), {QStringLiteral("-C"), QStringLiteral("1")});
    QVERIFY(device);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.sessions.value(QStringLiteral("push-1")).subscriptions == 1, 15000);

    QSignalSpy accepted(&engine, &EngineMonitor::pushAccepted);
    QSignalSpy refused(&engine, &EngineMonitor::pushRefused);
    QSignalSpy reports(&engine, &EngineMonitor::pushReportsChanged);
    PushRequest request;
    request.target.kind = PushTarget::Kind::Devices;
    request.target.devices = {QStringLiteral("push-1")};
    request.payload = "hello from the remote console";
    engine.sendPush(request);
    QTRY_VERIFY_WITH_TIMEOUT(accepted.size() + refused.size() == 1, 10000);
    QVERIFY2(refused.isEmpty(), refused.isEmpty() ? "" : qPrintable(refused.first().at(1).toString()));
    const auto report = accepted.first().first().value<PushReport>();
    QVERIFY(!report.pushId.isEmpty());
    QCOMPARE(report.targets.size(), 1);
    // The device received it (mosquitto_sub -C 1 exits after one message) ...
    QTRY_VERIFY2_WITH_TIMEOUT(device->state() == QProcess::NotRunning, ([&] {
        QString states;
        for (const QList<QVariant> &signal : std::as_const(reports)) {
            for (const PushReport &changed : signal.first().value<QList<PushReport>>())
                states += stateName(changed.targets.value(0).state) + QLatin1Char(' ') + changed.targets.value(0).detail + QLatin1Char(';');
        }
        return qPrintable(states);
    }()), 20000);
    QVERIFY(device->readAllStandardOutput().contains("hello from the remote console"));
    // ... and the live report says it was acknowledged.
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
        for (const QList<QVariant> &signal : std::as_const(reports)) {
            for (const PushReport &changed : signal.first().value<QList<PushReport>>()) {
                if (changed.pushId == report.pushId && changed.counts().acknowledged + changed.counts().receipted == 1)
                    return true;
            }
        }
        return false;
    }()), 15000);
    engine.stop();
}

void TestRemoteEngine::wrongPasswordIsNamed()
{
    RemoteEngine engine(options(QStringLiteral("admin"), QStringLiteral("wrong-password")));
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
    const QString reason = failed.first().first().toString();
    QVERIFY2(reason.contains(QStringLiteral("127.0.0.1:%1").arg(m_port)) && reason.contains(QLatin1String("refused the credentials"))
                 && reason.contains(QLatin1String("admin")),
             qPrintable(reason));
    QVERIFY(started.isEmpty());
    QVERIFY(!engine.isRunning()); // nothing half-connected
}

void TestRemoteEngine::deviceAccountIsNotAnOperator()
{
    RemoteEngineOptions device = options(QStringLiteral("dev"));
    device.clientId = QStringLiteral("dev"); // a device account may use only its own client ID
    RemoteEngine engine(device);
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
    const QString reason = failed.first().first().toString();
    QVERIFY2(reason.contains(QLatin1String("user \"dev\" is not an operator")), qPrintable(reason));
    QVERIFY(!engine.isRunning());
}

void TestRemoteEngine::recoversWhenHermesdRestarts()
{
    RemoteEngine engine(options());
    SessionMirror mirror(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy links(&engine, &EngineMonitor::linkChanged);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.fullBatches == 1, 10000);
    // A persistent session, kept across the restart, is watched for the Session detail.
    QVERIFY(startDevice(QStringLiteral("watched"), {QStringLiteral("-c")}));
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("watched")), 15000);
    QSignalSpy details(&engine, &EngineMonitor::sessionDetail);
    engine.watchSession(QStringLiteral("watched"));
    QTRY_COMPARE_WITH_TIMEOUT(details.size(), 1, 10000);

    const quint16 port = m_port;
    QVERIFY(m_hermesd.kill());
    QTRY_VERIFY_WITH_TIMEOUT(!links.isEmpty(), 15000);
    QCOMPARE(links.first().at(0).toBool(), false);
    QVERIFY2(links.first().at(1).toString().contains(QStringLiteral("127.0.0.1:%1").arg(port)),
             qPrintable(links.first().at(1).toString()));

    details.clear();
    QVERIFY2(m_hermesd.start(port), qPrintable(m_hermesd.error()));
    QTRY_VERIFY_WITH_TIMEOUT(!links.isEmpty() && links.last().at(0).toBool(), 30000);
    // The watch resumed by itself on the new connection.
    QTRY_VERIFY_WITH_TIMEOUT(!details.isEmpty(), 15000);
    QCOMPARE(details.last().first().value<SessionDetail>().info.clientId, QStringLiteral("watched"));
    // The streams resumed: a fresh snapshot, then a device that connects now shows.
    QTRY_VERIFY_WITH_TIMEOUT(mirror.fullBatches == 2, 10000);
    QVERIFY(startDevice(QStringLiteral("after-restart")));
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("after-restart")), 15000);
    engine.stop();
}

void TestRemoteEngine::attachPicksTheEngine()
{
    // An operator of a hermesd: the remote engine, with every view.
    std::unique_ptr<EngineMonitor> engine = attachEngine(options());
    QVERIFY(dynamic_cast<RemoteEngine *>(engine.get()));
    // Wrong password: still the remote engine, which then says so when started.
    engine = attachEngine(options(QStringLiteral("admin"), QStringLiteral("wrong-password")));
    QVERIFY(dynamic_cast<RemoteEngine *>(engine.get()));
    // A device account gets no admin answers: client mode shows what a client may see.
    RemoteEngineOptions device = options(QStringLiteral("dev"));
    device.clientId = QStringLiteral("dev");
    QCOMPARE(probeAdminApi(device, std::chrono::seconds(3)).outcome, AdminApiProbe::NoAdminApi);
    engine = attachEngine(device);
    QVERIFY(dynamic_cast<ClientEngine *>(engine.get()));
    // Nothing listening.
    RemoteEngineOptions nowhere = options();
    nowhere.port = hermes::test::freePort();
    QCOMPARE(probeAdminApi(nowhere, std::chrono::seconds(3)).outcome, AdminApiProbe::Unreachable);
    // A broker that is not Hermes (mosquitto answers nothing on $hermes/admin/v2/…).
    if (hermes::test::Mosquitto::installed()) {
        QTemporaryDir dir;
        const quint16 port = hermes::test::freePort();
        hermes::test::Mosquitto mosquitto(dir, port, {QStringLiteral("allow_anonymous true")});
        QVERIFY(mosquitto.start());
        RemoteEngineOptions other = options(QString(), QString());
        other.port = port;
        QCOMPARE(probeAdminApi(other, std::chrono::seconds(2)).outcome, AdminApiProbe::NoAdminApi);
        QVERIFY(dynamic_cast<ClientEngine *>(attachEngine(other, std::chrono::seconds(2)).get()));
    }
}

HERMES_TEST_GUILESS_MAIN(TestRemoteEngine)
#include "tst_remoteengine.moc"
