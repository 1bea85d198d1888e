// MqttClient against a real broker over loopback sockets. Hermes's own broker is not
// ready yet, so each test starts Debian's mosquitto on a free port and kills it afterwards.

#include "../common/testmain.h"
#include "engine/mqttclient.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::mqtt::client::CloseReason;

Q_DECLARE_METATYPE(hermes::mqtt::ProtocolVersion)
Q_DECLARE_METATYPE(hermes::mqtt::QoS)

namespace {

const QString MosquittoPath = QStringLiteral("/usr/sbin/mosquitto");
constexpr int Timeout = 5000; // ms, for anything that should take a few milliseconds

/// A port nobody listens on right now: bind port 0, read what the kernel chose, close.
quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

bool accepts(quint16 port)
{
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    return probe.waitForConnected(200);
}

/// A byte pipe in front of the broker, standing in for the simulator's NAT relay.
class Relay : public QObject
{
public:
    Relay(quint16 target, QObject *parent = nullptr)
        : QObject(parent)
        , m_target(target)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *inbound = m_server.nextPendingConnection()) {
                auto *outbound = new QTcpSocket(inbound);
                ++m_connections;
                connect(inbound, &QIODevice::readyRead, outbound, [inbound, outbound, this] {
                    const QByteArray bytes = inbound->readAll();
                    m_bytesForwarded += bytes.size();
                    outbound->write(bytes);
                });
                connect(outbound, &QIODevice::readyRead, inbound,
                        [inbound, outbound] { inbound->write(outbound->readAll()); });
                connect(outbound, &QAbstractSocket::disconnected, inbound,
                        &QAbstractSocket::disconnectFromHost);
                connect(inbound, &QAbstractSocket::disconnected, inbound, &QObject::deleteLater);
                // Bytes that arrive before the outbound side is up wait in `inbound`.
                connect(outbound, &QAbstractSocket::connected, inbound, [inbound, outbound] {
                    outbound->write(inbound->readAll());
                });
                outbound->connectToHost(QHostAddress::LocalHost, m_target);
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int connections() const { return m_connections; }
    qint64 bytesForwarded() const { return m_bytesForwarded; }

private:
    QTcpServer m_server;
    quint16 m_target;
    int m_connections = 0;
    qint64 m_bytesForwarded = 0;
};

/// A server that answers CONNECT with a CONNACK (or not at all) and ignores everything
/// else, PINGREQ included: a broker that went away without closing the socket.
class SilentServer : public QObject
{
public:
    explicit SilentServer(bool acceptConnect, QObject *parent = nullptr)
        : QObject(parent)
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this, acceptConnect] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QIODevice::readyRead, socket, [this, socket, acceptConnect] {
                    const QByteArray bytes = socket->readAll();
                    m_received += bytes;
                    if (acceptConnect && bytes.startsWith(char(0x10)))
                        socket->write(QByteArray::fromHex("20020000")); // CONNACK accepted
                });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray received() const { return m_received; }

private:
    QTcpServer m_server;
    QByteArray m_received;
};

} // namespace

class TestMqttClient : public QObject
{
    Q_OBJECT

private:
    /// A client for the test broker, owned by the test object.
    std::unique_ptr<MqttClient> makeClient(const QString &clientId,
                                           ProtocolVersion version = ProtocolVersion::V3_1_1)
    {
        auto client = std::make_unique<MqttClient>();
        client->setHost(QStringLiteral("127.0.0.1"));
        client->setPort(m_port);
        client->setClientId(clientId);
        client->setProtocolVersion(version);
        return client;
    }

    /// Connects and waits for the CONNACK; fails the test otherwise.
    static bool connectAndWait(MqttClient &client)
    {
        QSignalSpy connected(&client, &MqttClient::connected);
        client.connectToBroker();
        return connected.wait(Timeout) || connected.count() == 1;
    }

    static bool subscribeAndWait(MqttClient &client, const QString &filter, QoS qos)
    {
        QSignalSpy subscribed(&client, &MqttClient::subscribed);
        const int id = client.subscribe(filter, qos);
        if (id <= 0 || !(subscribed.count() == 1 || subscribed.wait(Timeout)))
            return false;
        const auto codes = subscribed.first().at(1).value<QList<ReasonCode>>();
        return subscribed.first().at(0).value<quint16>() == id
                && codes == QList<ReasonCode>{ReasonCode(quint8(qos))};
    }

    QTemporaryDir m_dir;
    QProcess m_broker;
    quint16 m_port = 0;

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void connectEachVersion_data();
    void connectEachVersion();
    void receiveOwnPublish_data();
    void receiveOwnPublish();
    void twoClientsExchange();
    void keepAlivePing();
    void willOnAbort_data();
    void willOnAbort();
    void cleanDisconnectPublishesNoWill();
    void offlineMessagesOnResumedSession();
    void throughRelay();
    void connectionRefusedOnClosedPort();
    void connackTimeout();
    void pingResponseTimeout();
};

void TestMqttClient::initTestCase()
{
    if (!QFileInfo::exists(MosquittoPath))
        HERMES_SKIP("mosquitto is not installed (/usr/sbin/mosquitto); apt-get install mosquitto");
    QVERIFY(m_dir.isValid());
}

void TestMqttClient::init()
{
    m_port = freePort();
    QVERIFY(m_port != 0);
    const QString config = m_dir.filePath(QStringLiteral("mosquitto-%1.conf").arg(m_port));
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QStringLiteral("listener %1 127.0.0.1\n"
                              "allow_anonymous true\n"
                              "persistence false\n"
                              "log_type error\n" // the broker's own problems only
                              "log_type warning\n")
                       .arg(m_port)
                       .toUtf8());
    file.close();
    m_broker.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_broker.setStandardOutputFile(QProcess::nullDevice());
    m_broker.start(MosquittoPath, {QStringLiteral("-c"), config});
    QVERIFY2(m_broker.waitForStarted(Timeout), qPrintable(m_broker.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(accepts(m_port), Timeout);
}

void TestMqttClient::cleanup()
{
    if (m_broker.state() != QProcess::NotRunning) {
        m_broker.kill();
        m_broker.waitForFinished(Timeout);
    }
}

void TestMqttClient::connectEachVersion_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1") << ProtocolVersion::V3_1;
    QTest::newRow("3.1.1") << ProtocolVersion::V3_1_1;
    QTest::newRow("5.0") << ProtocolVersion::V5;
}

void TestMqttClient::connectEachVersion()
{
    QFETCH(ProtocolVersion, version);
    auto client = makeClient(QStringLiteral("hermes-connect"), version);
    QSignalSpy states(client.get(), &MqttClient::stateChanged);
    QSignalSpy connected(client.get(), &MqttClient::connected);
    QSignalSpy disconnected(client.get(), &MqttClient::disconnected);

    client->connectToBroker();
    QCOMPARE(client->state(), MqttClient::State::Connecting);
    QVERIFY(connected.wait(Timeout));
    QCOMPARE(client->state(), MqttClient::State::Connected);
    QCOMPARE(connected.first().at(0).toBool(), false); // clean start: no session
    QCOMPARE(connected.first().at(1).value<Connack>().reasonCode, ReasonCode::Success);
    QVERIFY(client->machine());
    QCOMPARE(client->machine()->version(), version);

    client->disconnectFromBroker();
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.first().at(0).value<CloseReason>(), CloseReason::ClientDisconnect);
    QCOMPARE(client->state(), MqttClient::State::Disconnected);
    QCOMPARE(states.count(), 3); // Connecting, Connected, Disconnected
}

void TestMqttClient::receiveOwnPublish_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QoS>("qos");
    for (const auto version : {ProtocolVersion::V3_1_1, ProtocolVersion::V5}) {
        const char *name = version == ProtocolVersion::V5 ? "5.0" : "3.1.1";
        QTest::addRow("%s QoS 0", name) << version << QoS::AtMostOnce;
        QTest::addRow("%s QoS 1 (PUBACK both ways)", name) << version << QoS::AtLeastOnce;
        QTest::addRow("%s QoS 2 (PUBREC/PUBREL/PUBCOMP both ways)", name) << version << QoS::ExactlyOnce;
    }
}

void TestMqttClient::receiveOwnPublish()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QoS, qos);
    auto client = makeClient(QStringLiteral("hermes-self"), version);
    QVERIFY(connectAndWait(*client));
    QVERIFY(subscribeAndWait(*client, QStringLiteral("hermes/self/#"), qos));

    QSignalSpy messages(client.get(), &MqttClient::messageReceived);
    QSignalSpy published(client.get(), &MqttClient::published);
    const QByteArray payload = QByteArray("payload ") + QByteArray(1, '\0') + "\xff binary";
    const int id = client->publish(QStringLiteral("hermes/self/x"), payload, qos);
    QCOMPARE(id > 0, qos != QoS::AtMostOnce);

    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, Timeout);
    const Publish received = messages.first().at(0).value<Publish>();
    QCOMPARE(received.topic, QStringLiteral("hermes/self/x"));
    QCOMPARE(received.payload, payload);
    QCOMPARE(received.qos, qos);
    if (qos != QoS::AtMostOnce) {
        QTRY_COMPARE_WITH_TIMEOUT(published.count(), 1, Timeout);
        QCOMPARE(published.first().at(0).value<quint16>(), quint16(id));
        QVERIFY(!isError(published.first().at(1).value<ReasonCode>()));
    }
    // Everything acknowledged both ways: nothing left in the session.
    QTRY_VERIFY_WITH_TIMEOUT(client->session().inflight.isEmpty()
                                     && client->session().inboundAwaitingRelease.isEmpty(),
                             Timeout);
    QCOMPARE(published.count(), qos == QoS::AtMostOnce ? 0 : 1);
    QCOMPARE(messages.count(), 1); // QoS 2: exactly once
}

void TestMqttClient::twoClientsExchange()
{
    auto alice = makeClient(QStringLiteral("alice"), ProtocolVersion::V5);
    auto bob = makeClient(QStringLiteral("bob"), ProtocolVersion::V3_1_1);
    QVERIFY(connectAndWait(*alice));
    QVERIFY(connectAndWait(*bob));
    QVERIFY(subscribeAndWait(*alice, QStringLiteral("chat/to-alice"), QoS::AtLeastOnce));
    QVERIFY(subscribeAndWait(*bob, QStringLiteral("chat/to-bob"), QoS::ExactlyOnce));

    QSignalSpy aliceGot(alice.get(), &MqttClient::messageReceived);
    QSignalSpy bobGot(bob.get(), &MqttClient::messageReceived);
    for (int i = 0; i < 20; ++i) {
        QVERIFY(alice->publish(QStringLiteral("chat/to-bob"), QByteArray::number(i), QoS::ExactlyOnce) > 0);
        QVERIFY(bob->publish(QStringLiteral("chat/to-alice"), QByteArray::number(i), QoS::AtLeastOnce) > 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(bobGot.count(), 20, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(aliceGot.count(), 20, Timeout);
    // In order, each exactly once.
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(bobGot.at(i).at(0).value<Publish>().payload, QByteArray::number(i));
        QCOMPARE(aliceGot.at(i).at(0).value<Publish>().payload, QByteArray::number(i));
    }
    QCOMPARE(aliceGot.first().at(0).value<Publish>().topic, QStringLiteral("chat/to-alice"));
}

void TestMqttClient::keepAlivePing()
{
    auto client = makeClient(QStringLiteral("hermes-ping"));
    client->setKeepAlive(2);
    QVERIFY(connectAndWait(*client));
    QCOMPARE(client->machine()->keepAliveSeconds(), quint16(2));

    // Idle: the client must send PINGREQ after 2 s of send silence [MQTT-3.1.2-23], and
    // mosquitto answers it.
    QSignalSpy pongs(client.get(), &MqttClient::pong);
    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(pongs.wait(Timeout));
    QVERIFY2(elapsed.elapsed() >= 1500, qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY(pongs.first().at(0).toLongLong() >= 0);
    QVERIFY(pongs.first().at(0).toLongLong() < 1000); // loopback
    // And again, so the timer re-arms itself.
    QVERIFY(pongs.wait(Timeout));
    QCOMPARE(client->state(), MqttClient::State::Connected);

    // Manual heartbeat works too, with automatic pinging off.
    client->setAutoPing(false);
    pongs.clear();
    QVERIFY(client->ping());
    QVERIFY(!client->ping()); // one outstanding at a time
    QVERIFY(pongs.wait(Timeout));
}

void TestMqttClient::willOnAbort_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1") << ProtocolVersion::V3_1_1;
    QTest::newRow("5.0") << ProtocolVersion::V5;
}

void TestMqttClient::willOnAbort()
{
    QFETCH(ProtocolVersion, version);
    auto observer = makeClient(QStringLiteral("observer"));
    QVERIFY(connectAndWait(*observer));
    QVERIFY(subscribeAndWait(*observer, QStringLiteral("wills/#"), QoS::AtLeastOnce));

    auto device = makeClient(QStringLiteral("device"), version);
    device->setWill(Will{QStringLiteral("wills/device"), "gone", QoS::AtLeastOnce, false, {}});
    QVERIFY(connectAndWait(*device));

    QSignalSpy wills(observer.get(), &MqttClient::messageReceived);
    QSignalSpy disconnected(device.get(), &MqttClient::disconnected);
    device->abort(); // no DISCONNECT: the broker must publish the Will
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.first().at(0).value<CloseReason>(), CloseReason::SocketError);
    QVERIFY(wills.wait(Timeout));
    const Publish will = wills.first().at(0).value<Publish>();
    QCOMPARE(will.topic, QStringLiteral("wills/device"));
    QCOMPARE(will.payload, QByteArray("gone"));
}

void TestMqttClient::cleanDisconnectPublishesNoWill()
{
    auto observer = makeClient(QStringLiteral("observer"));
    QVERIFY(connectAndWait(*observer));
    QVERIFY(subscribeAndWait(*observer, QStringLiteral("wills/#"), QoS::AtLeastOnce));
    QSignalSpy messages(observer.get(), &MqttClient::messageReceived);

    // Control: v5 DISCONNECT 0x04 asks for the Will, and it arrives.
    auto asking = makeClient(QStringLiteral("asking"), ProtocolVersion::V5);
    asking->setWill(Will{QStringLiteral("wills/asking"), "asked", QoS::AtLeastOnce, false, {}});
    QVERIFY(connectAndWait(*asking));
    asking->disconnectFromBroker(ReasonCode::DisconnectWithWillMessage);
    QVERIFY(messages.wait(Timeout));
    QCOMPARE(messages.first().at(0).value<Publish>().payload, QByteArray("asked"));
    messages.clear();

    auto device = makeClient(QStringLiteral("device"));
    device->setWill(Will{QStringLiteral("wills/device"), "gone", QoS::AtLeastOnce, false, {}});
    QVERIFY(connectAndWait(*device));
    device->disconnectFromBroker();
    QCOMPARE(device->state(), MqttClient::State::Disconnected);
    // The retired socket goes away once DISCONNECT was flushed and the socket closed.
    QTRY_VERIFY_WITH_TIMEOUT(device->findChildren<QTcpSocket *>().isEmpty(), Timeout);

    // A sentinel through the same broker after that: the broker handled the DISCONNECT
    // before it, so a Will would have arrived before the sentinel.
    QVERIFY(observer->publish(QStringLiteral("wills/sentinel"), "s", QoS::AtLeastOnce) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, Timeout);
    QCOMPARE(messages.first().at(0).value<Publish>().topic, QStringLiteral("wills/sentinel"));
}

void TestMqttClient::offlineMessagesOnResumedSession()
{
    auto device = makeClient(QStringLiteral("persistent"), ProtocolVersion::V5);
    device->setCleanStart(false);
    Properties properties;
    properties.sessionExpiryInterval = 60; // v5: keep the session after the connection
    device->setConnectProperties(properties);
    QVERIFY(connectAndWait(*device));
    QVERIFY(subscribeAndWait(*device, QStringLiteral("push/persistent"), QoS::AtLeastOnce));
    device->disconnectFromBroker();
    QTRY_VERIFY_WITH_TIMEOUT(device->findChildren<QTcpSocket *>().isEmpty(), Timeout);

    auto sender = makeClient(QStringLiteral("sender"));
    QVERIFY(connectAndWait(*sender));
    QSignalSpy sent(sender.get(), &MqttClient::published);
    QVERIFY(sender->publish(QStringLiteral("push/persistent"), "while away", QoS::AtLeastOnce) > 0);
    QVERIFY(sent.wait(Timeout)); // the broker has it (queued for the absent device)

    QSignalSpy connected(device.get(), &MqttClient::connected);
    QSignalSpy messages(device.get(), &MqttClient::messageReceived);
    device->connectToBroker();
    QVERIFY(connected.wait(Timeout));
    QCOMPARE(connected.first().at(0).toBool(), true); // session present
    QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, Timeout);
    QCOMPARE(messages.first().at(0).value<Publish>().payload, QByteArray("while away"));
}

void TestMqttClient::throughRelay()
{
    Relay relay(m_port);
    auto client = makeClient(QStringLiteral("natted"));
    client->setHost(QStringLiteral("broker.invalid")); // never resolved: the relay is used
    client->setRelay(QStringLiteral("127.0.0.1"), relay.port());
    QVERIFY(connectAndWait(*client));
    QCOMPARE(relay.connections(), 1);
    QVERIFY(subscribeAndWait(*client, QStringLiteral("relay/x"), QoS::AtLeastOnce));
    QSignalSpy messages(client.get(), &MqttClient::messageReceived);
    client->publish(QStringLiteral("relay/x"), "via relay", QoS::AtLeastOnce);
    QVERIFY(messages.wait(Timeout));
    QVERIFY(relay.bytesForwarded() > 0);
}

void TestMqttClient::connectionRefusedOnClosedPort()
{
    const quint16 closed = freePort();
    auto client = makeClient(QStringLiteral("nobody-home"));
    client->setPort(closed);
    QSignalSpy errors(client.get(), &MqttClient::errorOccurred);
    QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
    client->connectToBroker();
    QVERIFY(disconnected.wait(Timeout));
    QCOMPARE(disconnected.first().at(0).value<CloseReason>(), CloseReason::SocketError);
    QVERIFY(!disconnected.first().at(2).toString().isEmpty());
    QCOMPARE(errors.count(), 1);
    QCOMPARE(client->state(), MqttClient::State::Disconnected);
    QVERIFY(!client->machine());
    QCOMPARE(client->publish(QStringLiteral("a"), "x"), -1); // nothing to publish on
}

void TestMqttClient::connackTimeout()
{
    SilentServer server(false);
    auto client = makeClient(QStringLiteral("no-connack"));
    client->setPort(server.port());
    ClientOptions options = client->options();
    options.machine.connackTimeout = std::chrono::milliseconds(300);
    client->setOptions(options);
    QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
    QElapsedTimer elapsed;
    elapsed.start();
    client->connectToBroker();
    QVERIFY(disconnected.wait(Timeout));
    QVERIFY2(elapsed.elapsed() >= 250, qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(disconnected.first().at(0).value<CloseReason>(), CloseReason::ConnectTimeout);
    QVERIFY(server.received().startsWith(char(0x10))); // the CONNECT did go out
}

void TestMqttClient::pingResponseTimeout()
{
    SilentServer server(true);
    auto client = makeClient(QStringLiteral("no-pingresp"));
    client->setPort(server.port());
    client->setKeepAlive(1);
    ClientOptions options = client->options();
    options.machine.pingResponseTimeout = std::chrono::milliseconds(300);
    client->setOptions(options);
    QSignalSpy disconnected(client.get(), &MqttClient::disconnected);
    QVERIFY(connectAndWait(*client));
    // PINGREQ after 1 s of silence, no PINGRESP within 300 ms: the client gives up.
    QVERIFY(disconnected.wait(Timeout));
    QCOMPARE(disconnected.first().at(0).value<CloseReason>(), CloseReason::PingTimeout);
    QVERIFY(server.received().endsWith(QByteArray::fromHex("c000"))); // PINGREQ
    QCOMPARE(client->state(), MqttClient::State::Disconnected);
}

HERMES_TEST_GUILESS_MAIN(TestMqttClient)
#include "tst_mqttclient.moc"
