// The admin API v2 session stream's bounds, on a real broker with real clients: nothing is
// compared or published while nobody subscribes, each batch holds at most the configured
// number of entries (the rest follows in the next batches, numbered without gaps), and a
// snapshot plus the batches after it describe exactly the broker's sessions.
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/mqttclient.h"
#include "engine/push/sessionjson.h"
#include "engine/push/sessionstream.h"

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
    // Several intervals pass with sessions coming and going: nobody listens, nothing goes out.
    QTest::qWait(300);
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

HERMES_TEST_GUILESS_MAIN(TestSessionStream)
#include "tst_sessionstream.moc"
