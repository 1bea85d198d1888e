// The broker over real loopback sockets, driven by byte-exact raw clients.
#include "../common/testmain.h"
#include "../common/testconfig.h"
#include "rawclient.h"

#include "engine/broker.h"
#include "engine/mqttclient.h"
#include "engine/session.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

Q_DECLARE_METATYPE(hermes::mqtt::ProtocolVersion)
Q_DECLARE_METATYPE(hermes::mqtt::QoS)

namespace {

Connect connectPacket(const QString &clientId, bool cleanStart = true, quint16 keepAlive = 60)
{
    Connect connect;
    connect.clientId = clientId;
    connect.cleanStart = cleanStart;
    connect.keepAliveSeconds = keepAlive;
    return connect;
}

Subscribe subscribePacket(quint16 packetId, const QString &filter, QoS qos)
{
    Subscribe subscribe;
    subscribe.packetId = packetId;
    subscribe.subscriptions = {TopicSubscription{filter, SubscribeOptions{qos}}};
    return subscribe;
}

Publish publishPacket(const QString &topic, const QByteArray &payload, QoS qos = QoS::AtMostOnce,
                      std::optional<quint16> packetId = std::nullopt, bool retain = false)
{
    Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.packetId = packetId;
    publish.retain = retain;
    return publish;
}

} // namespace

class TestBroker : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void connectAndConnack_data();
    void connectAndConnack();
    void assignsClientIdentifier();
    void publishSubscribeAllQoS_data();
    void publishSubscribeAllQoS();
    void keepAliveClosesAtOneAndAHalfTimesAndPublishesWill();
    void normalDisconnectPublishesNoWill();
    void resumeAfterWillDelayPublishesTheWill();
    void resumeBeforeWillDelayCancelsTheWill();
    void offlineMessageExpiresWhileTheClientIsAway();
    void sessionExpiresOnTheBrokersClock();
    void queuedMessageExpiresOnTheBrokersClock();
    void malformedFilterClosesTheConnection_data();
    void malformedFilterClosesTheConnection();
    void propertyInTheWrongPacketIsMalformed();
    void takeOverClosesTheFirstConnection();
    void retainedSetReplaceClear();
    void persistentSessionQueuesWhileOffline();
    void malformedBytesCloseOnlyThatConnection();
    void takenPortIsReportedClearly();
    void sysTopicsArePublished();
    void sharedSubscriptionDeliversToOneMember();
    void kickedClientNoticesAtOnce_data();
    void kickedClientNoticesAtOnce();
    void clientThatStopsReadingCostsBoundedMemory();
    void historyKeepsTheNewestAndFindsThemBack();
    void traceSharesARepeatedTopic();
    void keepAlivesAreTracedFromTheHeartbeatMarks();

private:
    quint16 port() const { return m_broker->listenAddresses().constFirst().port; }
    /// Connects `watcher` and subscribes it to `filter` (QoS 1).
    void watch(RawClient &watcher, const QString &filter);
    /// A v5 client connects with `connect`, then its socket closes without DISCONNECT;
    /// returns once the broker has noticed.
    void connectAndDrop(const Connect &connect);
    /// A v5 client subscribes to `topic` (QoS 1) with a persistent session, disconnects
    /// and is offline when this returns.
    void leaveSubscribedSession(const QString &clientId, const QString &topic);
    std::unique_ptr<Broker> m_broker;
};

void TestBroker::init()
{
    m_broker = std::make_unique<Broker>(test::loopbackConfig());
    QVERIFY2(m_broker->start(), qPrintable(m_broker->errorString()));
}

void TestBroker::cleanup()
{
    m_broker.reset();
}

void TestBroker::connectAndConnack_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("MQTT 3.1") << ProtocolVersion::V3_1;
    QTest::newRow("MQTT 3.1.1") << ProtocolVersion::V3_1_1;
    QTest::newRow("MQTT 5.0") << ProtocolVersion::V5;
}

void TestBroker::connectAndConnack()
{
    QFETCH(ProtocolVersion, version);
    QSignalSpy connected(m_broker.get(), &Broker::clientConnected);
    RawClient client(version);
    QVERIFY(client.connectTo(port()));
    const auto connack = client.handshake(connectPacket(QStringLiteral("device-1")));
    QVERIFY(connack);
    QCOMPARE(connack->reasonCode, ReasonCode::Success);
    QCOMPARE(connack->sessionPresent, false);
    QTRY_COMPARE(connected.count(), 1);
    QCOMPARE(connected.at(0).at(0).toString(), QStringLiteral("device-1"));
    QCOMPARE(m_broker->counters().clientsConnected, 1u);
}

void TestBroker::assignsClientIdentifier()
{
    RawClient client(ProtocolVersion::V5);
    QVERIFY(client.connectTo(port()));
    const auto connack = client.handshake(connectPacket(QString()));
    QVERIFY(connack);
    QCOMPARE(connack->reasonCode, ReasonCode::Success);
    // [MQTT-3.2.2-16] a v5 client that sent an empty ID is told the one assigned.
    QVERIFY(connack->properties.assignedClientIdentifier);
    QVERIFY(!connack->properties.assignedClientIdentifier->isEmpty());
    const auto sessions = m_broker->sessions();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions.first().clientId, *connack->properties.assignedClientIdentifier);
}

void TestBroker::publishSubscribeAllQoS_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QoS>("qos");
    for (const auto version : {ProtocolVersion::V3_1_1, ProtocolVersion::V5}) {
        const char *name = version == ProtocolVersion::V5 ? "v5" : "v3.1.1";
        QTest::addRow("%s QoS 0", name) << version << QoS::AtMostOnce;
        QTest::addRow("%s QoS 1", name) << version << QoS::AtLeastOnce;
        QTest::addRow("%s QoS 2", name) << version << QoS::ExactlyOnce;
    }
}

void TestBroker::publishSubscribeAllQoS()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QoS, qos);
    RawClient subscriber(version);
    RawClient publisher(version);
    QVERIFY(subscriber.connectTo(port()));
    QVERIFY(publisher.connectTo(port()));
    QVERIFY(subscriber.handshake(connectPacket(QStringLiteral("sub"))));
    QVERIFY(publisher.handshake(connectPacket(QStringLiteral("pub"))));

    subscriber.send(subscribePacket(1, QStringLiteral("devices/+/push"), QoS::ExactlyOnce));
    const auto suback = subscriber.waitFor(PacketType::Suback);
    QVERIFY(suback);
    QCOMPARE(std::get<Suback>(*suback).reasonCodes, QList<ReasonCode>{ReasonCode::GrantedQoS2});

    const std::optional<quint16> packetId = qos == QoS::AtMostOnce ? std::nullopt : std::optional<quint16>(7);
    publisher.send(publishPacket(QStringLiteral("devices/42/push"), "hello", qos, packetId));
    if (qos == QoS::AtLeastOnce) {
        const auto ack = publisher.waitFor(PacketType::Puback);
        QVERIFY(ack);
        QCOMPARE(std::get<Puback>(*ack).packetId, 7);
    } else if (qos == QoS::ExactlyOnce) {
        QVERIFY(publisher.waitFor(PacketType::Pubrec));
        publisher.send(Pubrel{7});
        const auto complete = publisher.waitFor(PacketType::Pubcomp);
        QVERIFY(complete);
        QCOMPARE(std::get<Pubcomp>(*complete).packetId, 7);
    }

    const auto received = subscriber.waitFor(PacketType::Publish);
    QVERIFY(received);
    const Publish &message = std::get<Publish>(*received);
    QCOMPARE(message.topic, QStringLiteral("devices/42/push"));
    QCOMPARE(message.payload, QByteArray("hello"));
    QCOMPARE(message.qos, qos);
    QCOMPARE(message.retain, false);
    if (qos == QoS::AtLeastOnce) {
        subscriber.send(Puback{*message.packetId});
    } else if (qos == QoS::ExactlyOnce) {
        subscriber.send(Pubrec{*message.packetId});
        const auto release = subscriber.waitFor(PacketType::Pubrel);
        QVERIFY(release);
        QCOMPARE(std::get<Pubrel>(*release).packetId, *message.packetId);
        subscriber.send(Pubcomp{*message.packetId});
    }
    QTRY_COMPARE(m_broker->sessionDetail(QStringLiteral("sub"))->inflight.size(), 0);
}

void TestBroker::keepAliveClosesAtOneAndAHalfTimesAndPublishesWill()
{
    RawClient watcher;
    QVERIFY(watcher.connectTo(port()));
    QVERIFY(watcher.handshake(connectPacket(QStringLiteral("watcher"))));
    watcher.send(subscribePacket(1, QStringLiteral("devices/+/state"), QoS::AtLeastOnce));
    QVERIFY(watcher.waitFor(PacketType::Suback));

    QSignalSpy disconnected(m_broker.get(), &Broker::clientDisconnected);
    RawClient silent;
    QVERIFY(silent.connectTo(port()));
    Connect connect = connectPacket(QStringLiteral("silent"), true, 1);
    connect.will = Will{QStringLiteral("devices/silent/state"), "offline", QoS::AtLeastOnce, false, {}};
    QElapsedTimer sinceLastPacket;
    QVERIFY(silent.handshake(connect));
    sinceLastPacket.start();

    // Keep-alive 1 s: the broker must close after 1.5 s of silence [MQTT-3.1.2-24].
    QVERIFY(silent.waitForClosed(4000));
    const qint64 observed = sinceLastPacket.elapsed();
    QVERIFY2(observed >= 1450 && observed <= 1700, qPrintable(QString::number(observed)));
    QTRY_COMPARE(disconnected.count(), 1);
    const auto close = disconnected.at(0).at(1).value<CloseInfo>();
    QCOMPARE(close.reason, CloseReason::KeepAliveTimeout);
    QVERIFY(close.willPublished);

    const auto will = watcher.waitFor(PacketType::Publish);
    QVERIFY(will);
    QCOMPARE(std::get<Publish>(*will).topic, QStringLiteral("devices/silent/state"));
    QCOMPARE(std::get<Publish>(*will).payload, QByteArray("offline"));
}

void TestBroker::normalDisconnectPublishesNoWill()
{
    RawClient watcher;
    QVERIFY(watcher.connectTo(port()));
    QVERIFY(watcher.handshake(connectPacket(QStringLiteral("watcher"))));
    watcher.send(subscribePacket(1, QStringLiteral("#"), QoS::AtMostOnce));
    QVERIFY(watcher.waitFor(PacketType::Suback));

    QSignalSpy disconnected(m_broker.get(), &Broker::clientDisconnected);
    RawClient device;
    QVERIFY(device.connectTo(port()));
    Connect connect = connectPacket(QStringLiteral("device"));
    connect.will = Will{QStringLiteral("devices/device/state"), "offline", QoS::AtMostOnce, false, {}};
    QVERIFY(device.handshake(connect));
    device.send(Disconnect{});
    QVERIFY(device.waitForClosed());
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(1).value<CloseInfo>().reason, CloseReason::ClientDisconnect);
    QCOMPARE(disconnected.at(0).at(1).value<CloseInfo>().willPublished, false);
    // A message published after the close proves the watcher's stream has caught up.
    RawClient marker;
    QVERIFY(marker.connectTo(port()));
    QVERIFY(marker.handshake(connectPacket(QStringLiteral("marker"))));
    marker.send(publishPacket(QStringLiteral("marker"), "m"));
    const auto first = watcher.waitFor(PacketType::Publish);
    QVERIFY(first);
    QCOMPARE(std::get<Publish>(*first).topic, QStringLiteral("marker"));
}

namespace {

/// A v5 device with a persistent session and a delayed will on "devices/<id>/state".
Connect deviceWithDelayedWill(const QString &clientId, quint32 willDelay, quint32 sessionExpiry)
{
    Connect connect = connectPacket(clientId, false);
    connect.properties.sessionExpiryInterval = sessionExpiry;
    Will will{QStringLiteral("devices/%1/state").arg(clientId), "offline", QoS::AtLeastOnce, false, {}};
    will.properties.willDelayInterval = willDelay;
    connect.will = will;
    return connect;
}

} // namespace

void TestBroker::watch(RawClient &watcher, const QString &filter)
{
    QVERIFY(watcher.connectTo(port()));
    QVERIFY(watcher.handshake(connectPacket(QStringLiteral("watcher"))));
    watcher.send(subscribePacket(1, filter, QoS::AtLeastOnce));
    QVERIFY(watcher.waitFor(PacketType::Suback));
}

void TestBroker::connectAndDrop(const Connect &connect)
{
    QSignalSpy disconnected(m_broker.get(), &Broker::clientDisconnected);
    {
        RawClient device(ProtocolVersion::V5);
        QVERIFY(device.connectTo(port()));
        QVERIFY(device.handshake(connect));
    } // the socket closes without DISCONNECT
    QTRY_COMPARE(disconnected.count(), 1);
}

void TestBroker::leaveSubscribedSession(const QString &clientId, const QString &topic)
{
    {
        RawClient device(ProtocolVersion::V5);
        QVERIFY(device.connectTo(port()));
        Connect connect = connectPacket(clientId, false);
        connect.properties.sessionExpiryInterval = 86400;
        QVERIFY(device.handshake(connect));
        device.send(subscribePacket(1, topic, QoS::AtLeastOnce));
        QVERIFY(device.waitFor(PacketType::Suback));
        device.send(Disconnect{});
        QVERIFY(device.waitForClosed());
    }
    QTRY_COMPARE(m_broker->counters().clientsConnected, 0u);
}

void TestBroker::resumeAfterWillDelayPublishesTheWill()
{
    // Will Delay 1 s, session expiry 10 s: the client drops and resumes its session after
    // the delay is over. The will was due, so it is published [MQTT-3.1.2-8]
    // [MQTT-3.1.3-9], whether or not a timer got to it before the CONNECT was read.
    RawClient watcher;
    watch(watcher, QStringLiteral("devices/+/state"));
    const Connect connect = deviceWithDelayedWill(QStringLiteral("dev-1"), 1, 10);
    connectAndDrop(connect);
    if (QTest::currentTestFailed())
        return;
    QElapsedTimer sinceClose;
    sinceClose.start();
    const quint64 accepted = m_broker->counters().connectionsAccepted;
    RawClient device(ProtocolVersion::V5);
    QVERIFY(device.connectTo(port()));
    QTRY_COMPARE(m_broker->counters().connectionsAccepted, accepted + 1);
    // The broker's thread is kept busy (not waited on) past the will's due time, then the
    // CONNECT arrives together with the overdue timers: a broker that lets the resume win
    // that race drops the will.
    QThread::msleep(quint64(std::max<qint64>(0, 1100 - sinceClose.elapsed())));
    Connect resume = connect;
    resume.version = ProtocolVersion::V5;
    device.send(resume);
    const auto connack = device.waitFor(PacketType::Connack);
    QVERIFY(connack);
    QCOMPARE(std::get<Connack>(*connack).sessionPresent, true);
    const auto will = watcher.waitFor(PacketType::Publish);
    QVERIFY2(will, "the will was due before the session resumed but was never published");
    QCOMPARE(std::get<Publish>(*will).topic, QStringLiteral("devices/dev-1/state"));
    QVERIFY(m_broker->sessionDetail(QStringLiteral("dev-1"))->closes.constLast().willPublished);
}

void TestBroker::resumeBeforeWillDelayCancelsTheWill()
{
    // The same client back well within its Will Delay: no will [MQTT-3.1.3-9].
    RawClient watcher;
    watch(watcher, QStringLiteral("#"));
    const Connect connect = deviceWithDelayedWill(QStringLiteral("dev-2"), 60, 600);
    connectAndDrop(connect);
    if (QTest::currentTestFailed())
        return;
    RawClient device(ProtocolVersion::V5);
    QVERIFY(device.connectTo(port()));
    QVERIFY(device.handshake(connect));
    // A marker published after the resume is the first thing the watcher sees.
    device.send(publishPacket(QStringLiteral("marker"), "m"));
    const auto first = watcher.waitFor(PacketType::Publish);
    QVERIFY(first);
    QCOMPARE(std::get<Publish>(*first).topic, QStringLiteral("marker"));
}

void TestBroker::offlineMessageExpiresWhileTheClientIsAway()
{
    // A message queued for an offline session expires at its Message Expiry, not when the
    // client returns: a traced push is reported expired on time and leaves the queue.
    leaveSubscribedSession(QStringLiteral("away"), QStringLiteral("devices/away/push"));
    if (QTest::currentTestFailed())
        return;
    QSignalSpy traced(m_broker.get(), &Broker::tracedDelivery);
    Publish push = publishPacket(QStringLiteral("devices/away/push"), "ttl 1 s", QoS::AtLeastOnce);
    push.properties.messageExpiryInterval = 1;
    QElapsedTimer sincePublish;
    sincePublish.start();
    QVERIFY(m_broker->publishTraced(push, QStringLiteral("away"), 42));
    QCOMPARE(m_broker->sessionDetail(QStringLiteral("away"))->info.queued, 1);
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(traced.cbegin(), traced.cend(), [](const QList<QVariant> &args) {
        return args.at(1).value<DeliveryStage>() == DeliveryStage::Expired;
    }), 5000);
    QVERIFY2(sincePublish.elapsed() >= 950, qPrintable(QString::number(sincePublish.elapsed())));
    QCOMPARE(traced.constLast().at(0).toULongLong(), 42u);
    QCOMPARE(m_broker->sessionDetail(QStringLiteral("away"))->info.queued, 0);
    QCOMPARE(m_broker->counters().clientsConnected, 0u); // expired while away
}

void TestBroker::sessionExpiresOnTheBrokersClock()
{
    // Session Expiry one hour: the session is kept while the broker's clock is short of the
    // hour, and ends (its delayed will published [MQTT-3.1.3-9]) once it is past.
    RawClient watcher;
    watch(watcher, QStringLiteral("devices/+/state"));
    connectAndDrop(deviceWithDelayedWill(QStringLiteral("hour"), 7200, 3600));
    if (QTest::currentTestFailed())
        return;
    m_broker->advanceClock(std::chrono::minutes(59)); // a wrongly due session ends in here
    QVERIFY(m_broker->sessionDetail(QStringLiteral("hour")));
    m_broker->advanceClock(std::chrono::minutes(2));
    QTRY_VERIFY(!m_broker->sessionDetail(QStringLiteral("hour")));
    const auto will = watcher.waitFor(PacketType::Publish);
    QVERIFY2(will, "the session ended without its will");
    QCOMPARE(std::get<Publish>(*will).topic, QStringLiteral("devices/hour/state"));
}

void TestBroker::queuedMessageExpiresOnTheBrokersClock()
{
    // A message queued for an offline session with Message Expiry one hour is reported
    // expired once the broker's clock passes the hour, and leaves the queue [MQTT-3.3.2-5].
    leaveSubscribedSession(QStringLiteral("sleeper"), QStringLiteral("devices/sleeper/push"));
    if (QTest::currentTestFailed())
        return;
    QSignalSpy traced(m_broker.get(), &Broker::tracedDelivery);
    Publish push = publishPacket(QStringLiteral("devices/sleeper/push"), "ttl 1 h", QoS::AtLeastOnce);
    push.properties.messageExpiryInterval = 3600;
    QVERIFY(m_broker->publishTraced(push, QStringLiteral("sleeper"), 7));
    const auto expired = [&] {
        return std::any_of(traced.cbegin(), traced.cend(), [](const QList<QVariant> &args) {
            return args.at(1).value<DeliveryStage>() == DeliveryStage::Expired;
        });
    };
    m_broker->advanceClock(std::chrono::minutes(59)); // a wrongly due expiry is reported in here
    QVERIFY(!expired());
    QCOMPARE(m_broker->sessionDetail(QStringLiteral("sleeper"))->info.queued, 1);
    m_broker->advanceClock(std::chrono::minutes(2));
    QTRY_VERIFY(expired());
    QCOMPARE(traced.constLast().at(0).toULongLong(), 7u);
    QCOMPARE(m_broker->sessionDetail(QStringLiteral("sleeper"))->info.queued, 0);
}

void TestBroker::malformedFilterClosesTheConnection_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("packet");
    // SUBSCRIBE pid 1 | [v5: no properties] | "x/y" QoS 1 | "a/#/b" QoS 1 ('#' not last)
    QTest::newRow("5.0 SUBSCRIBE a/#/b [MQTT-4.7.1-1] -> DISCONNECT 0x82 [MQTT-4.13.1-1]")
            << ProtocolVersion::V5 << QByteArray::fromHex("8211" "0001" "00" "0003782f79" "01" "0005612f232f62" "01");
    QTest::newRow("3.1.1 SUBSCRIBE a/#/b [MQTT-4.7.1-2] -> close [MQTT-4.8.0-1]")
            << ProtocolVersion::V3_1_1 << QByteArray::fromHex("8210" "0001" "0003782f79" "01" "0005612f232f62" "01");
    // UNSUBSCRIBE pid 1 | [v5: no properties] | "x/y" | "a+/b" ('+' not a whole level)
    QTest::newRow("5.0 UNSUBSCRIBE a+/b [MQTT-4.7.1-2] -> DISCONNECT 0x82 [MQTT-4.13.1-1]")
            << ProtocolVersion::V5 << QByteArray::fromHex("a20e" "0001" "00" "0003782f79" "0004612b2f62");
    QTest::newRow("3.1.1 UNSUBSCRIBE a+/b [MQTT-4.7.1-3] -> close [MQTT-4.8.0-1]")
            << ProtocolVersion::V3_1_1 << QByteArray::fromHex("a20d" "0001" "0003782f79" "0004612b2f62");
    QTest::newRow("3.1.1 SUBSCRIBE empty filter [MQTT-4.7.3-1] -> close [MQTT-4.8.0-1]")
            << ProtocolVersion::V3_1_1 << QByteArray::fromHex("8205" "0001" "0000" "00");
}

void TestBroker::malformedFilterClosesTheConnection()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, packet);
    QSignalSpy disconnected(m_broker.get(), &Broker::clientDisconnected);
    RawClient client(version);
    QVERIFY(client.connectTo(port()));
    QVERIFY(client.handshake(connectPacket(QStringLiteral("filters"))));
    client.sendBytes(packet);
    QVERIFY(client.waitForClosed());
    const QList<Packet> received = client.takeReceived();
    if (version == ProtocolVersion::V5) {
        QCOMPARE(received.size(), 1);
        QCOMPARE(std::get<Disconnect>(received.constFirst()).reasonCode, ReasonCode::ProtocolError);
    } else {
        QVERIFY2(received.isEmpty(), qPrintable(describe(received.value(0))));
    }
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(1).value<CloseInfo>().reason, CloseReason::ProtocolError);
    QCOMPARE(m_broker->counters().subscriptionCount, 0u); // the good filter was not granted
}

void TestBroker::propertyInTheWrongPacketIsMalformed()
{
    // Session Expiry Interval inside SUBSCRIBE: a Malformed Packet (2.2.2.2), 0x81.
    RawClient client(ProtocolVersion::V5);
    QVERIFY(client.connectTo(port()));
    QVERIFY(client.handshake(connectPacket(QStringLiteral("props"))));
    // SUBSCRIBE pid 1 | properties: length 5, 0x11 Session Expiry Interval = 1 | "a" QoS 0
    client.sendBytes(QByteArray::fromHex("820c" "0001" "05" "1100000001" "000161" "00"));
    const auto disconnect = client.waitFor(PacketType::Disconnect);
    QVERIFY(disconnect);
    QCOMPARE(std::get<Disconnect>(*disconnect).reasonCode, ReasonCode::MalformedPacket);
    QVERIFY(client.waitForClosed());
}

void TestBroker::takeOverClosesTheFirstConnection()
{
    QSignalSpy disconnected(m_broker.get(), &Broker::clientDisconnected);
    RawClient first(ProtocolVersion::V5);
    QVERIFY(first.connectTo(port()));
    QVERIFY(first.handshake(connectPacket(QStringLiteral("phone"))));

    RawClient second(ProtocolVersion::V5);
    QVERIFY(second.connectTo(port()));
    const auto connack = second.handshake(connectPacket(QStringLiteral("phone")));
    QVERIFY(connack);
    QCOMPARE(connack->reasonCode, ReasonCode::Success);

    // [MQTT-3.1.4-3] v5: DISCONNECT 0x8E to the old connection, then it is closed.
    const auto disconnect = first.waitFor(PacketType::Disconnect);
    QVERIFY(disconnect);
    QCOMPARE(std::get<Disconnect>(*disconnect).reasonCode, ReasonCode::SessionTakenOver);
    QVERIFY(first.waitForClosed());
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(1).value<CloseInfo>().reason, CloseReason::TakenOver);
    QCOMPARE(m_broker->counters().clientsConnected, 1u);
    QCOMPARE(second.socket().state(), QAbstractSocket::ConnectedState);

    second.send(Pingreq{});
    QVERIFY(second.waitFor(PacketType::Pingresp));
}

void TestBroker::retainedSetReplaceClear()
{
    RawClient publisher;
    QVERIFY(publisher.connectTo(port()));
    QVERIFY(publisher.handshake(connectPacket(QStringLiteral("pub"))));
    publisher.send(publishPacket(QStringLiteral("config/a"), "v1", QoS::AtLeastOnce, 1, true));
    QVERIFY(publisher.waitFor(PacketType::Puback));
    publisher.send(publishPacket(QStringLiteral("config/a"), "v2", QoS::AtLeastOnce, 2, true));
    QVERIFY(publisher.waitFor(PacketType::Puback));
    QCOMPARE(m_broker->retained().size(), 1);

    RawClient late;
    QVERIFY(late.connectTo(port()));
    QVERIFY(late.handshake(connectPacket(QStringLiteral("late"))));
    late.send(subscribePacket(1, QStringLiteral("config/#"), QoS::AtLeastOnce));
    QVERIFY(late.waitFor(PacketType::Suback));
    const auto retained = late.waitFor(PacketType::Publish);
    QVERIFY(retained);
    QCOMPARE(std::get<Publish>(*retained).payload, QByteArray("v2"));
    QCOMPARE(std::get<Publish>(*retained).retain, true); // [MQTT-3.3.1-8]

    // An empty retained payload clears the topic [MQTT-3.3.1-10].
    publisher.send(publishPacket(QStringLiteral("config/a"), QByteArray(), QoS::AtLeastOnce, 3, true));
    QVERIFY(publisher.waitFor(PacketType::Puback));
    QCOMPARE(m_broker->retained().size(), 0);
}

void TestBroker::persistentSessionQueuesWhileOffline()
{
    {
        RawClient device;
        QVERIFY(device.connectTo(port()));
        QVERIFY(device.handshake(connectPacket(QStringLiteral("device-7"), false)));
        device.send(subscribePacket(1, QStringLiteral("devices/device-7/push"), QoS::AtLeastOnce));
        QVERIFY(device.waitFor(PacketType::Suback));
        device.send(Disconnect{});
        QVERIFY(device.waitForClosed());
    }
    QTRY_COMPARE(m_broker->counters().clientsConnected, 0u);

    RawClient operatorClient;
    QVERIFY(operatorClient.connectTo(port()));
    QVERIFY(operatorClient.handshake(connectPacket(QStringLiteral("operator"))));
    for (quint16 id = 1; id <= 3; ++id) {
        operatorClient.send(publishPacket(QStringLiteral("devices/device-7/push"), QByteArray::number(id),
                                          QoS::AtLeastOnce, id));
        QVERIFY(operatorClient.waitFor(PacketType::Puback));
    }
    QCOMPARE(m_broker->sessionDetail(QStringLiteral("device-7"))->info.queued, 3);

    RawClient device;
    QVERIFY(device.connectTo(port()));
    const auto connack = device.handshake(connectPacket(QStringLiteral("device-7"), false));
    QVERIFY(connack);
    QCOMPARE(connack->sessionPresent, true);
    for (int expected = 1; expected <= 3; ++expected) {
        const auto message = device.waitFor(PacketType::Publish);
        QVERIFY(message);
        QCOMPARE(std::get<Publish>(*message).payload, QByteArray::number(expected)); // in order
        device.send(Puback{*std::get<Publish>(*message).packetId});
    }
}

void TestBroker::malformedBytesCloseOnlyThatConnection()
{
    RawClient healthy(ProtocolVersion::V5);
    QVERIFY(healthy.connectTo(port()));
    QVERIFY(healthy.handshake(connectPacket(QStringLiteral("healthy"))));

    QSignalSpy disconnected(m_broker.get(), &Broker::clientDisconnected);
    RawClient broken(ProtocolVersion::V5);
    QVERIFY(broken.connectTo(port()));
    QVERIFY(broken.handshake(connectPacket(QStringLiteral("broken"))));
    // PUBLISH with QoS 3 [MQTT-3.3.1-4]: 0x36 = PUBLISH|QoS 3, rl=5, topic "a/b".
    broken.sendBytes(QByteArray::fromHex("3605" "0003" "612f62"));
    const auto disconnect = broken.waitFor(PacketType::Disconnect);
    QVERIFY(disconnect);
    QCOMPARE(std::get<Disconnect>(*disconnect).reasonCode, ReasonCode::MalformedPacket);
    QVERIFY(broken.waitForClosed());
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(1).value<CloseInfo>().reason, CloseReason::ProtocolError);

    healthy.send(Pingreq{});
    QVERIFY(healthy.waitFor(PacketType::Pingresp));
    QCOMPARE(m_broker->counters().protocolErrors, 1u);
}

void TestBroker::takenPortIsReportedClearly()
{
    BrokerConfig config = test::loopbackConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, port()}};
    Broker second(config);
    QVERIFY(!second.start());
    QVERIFY2(second.errorString().contains(QStringLiteral("127.0.0.1:%1").arg(port())),
             qPrintable(second.errorString()));
    QVERIFY(!second.isRunning());
}

void TestBroker::sysTopicsArePublished()
{
    BrokerConfig config = test::loopbackConfig();
    config.sysIntervalSeconds = 1;
    Broker broker(config);
    QVERIFY(broker.start());
    RawClient client;
    QVERIFY(client.connectTo(broker.listenAddresses().first().port));
    QVERIFY(client.handshake(connectPacket(QStringLiteral("dashboard"))));
    client.send(subscribePacket(1, QStringLiteral("$SYS/broker/clients/connected"), QoS::AtMostOnce));
    QVERIFY(client.waitFor(PacketType::Suback));
    const auto message = client.waitFor(PacketType::Publish, 3000);
    QVERIFY(message);
    QCOMPARE(std::get<Publish>(*message).topic, QStringLiteral("$SYS/broker/clients/connected"));
    QCOMPARE(std::get<Publish>(*message).payload, QByteArray("1"));

    // '#' alone does not match $SYS [MQTT-4.7.2-1].
    RawClient everything;
    QVERIFY(everything.connectTo(broker.listenAddresses().first().port));
    QVERIFY(everything.handshake(connectPacket(QStringLiteral("everything"))));
    everything.send(subscribePacket(1, QStringLiteral("#"), QoS::AtMostOnce));
    QVERIFY(everything.waitFor(PacketType::Suback));
    QVERIFY(!everything.waitFor(PacketType::Publish, 1500));
}

void TestBroker::sharedSubscriptionDeliversToOneMember()
{
    RawClient a(ProtocolVersion::V5), b(ProtocolVersion::V5), publisher(ProtocolVersion::V5);
    for (auto *client : {&a, &b, &publisher})
        QVERIFY(client->connectTo(port()));
    QVERIFY(a.handshake(connectPacket(QStringLiteral("a"))));
    QVERIFY(b.handshake(connectPacket(QStringLiteral("b"))));
    QVERIFY(publisher.handshake(connectPacket(QStringLiteral("p"))));
    for (auto *client : {&a, &b}) {
        client->send(subscribePacket(1, QStringLiteral("$share/workers/jobs/#"), QoS::AtMostOnce));
        QVERIFY(client->waitFor(PacketType::Suback));
    }
    for (int i = 0; i < 10; ++i)
        publisher.send(publishPacket(QStringLiteral("jobs/x"), QByteArray::number(i)));
    qsizetype fromA = 0;
    qsizetype fromB = 0;
    QTRY_VERIFY((fromA += a.takeReceived().size(), fromB += b.takeReceived().size(), fromA + fromB == 10));
    // Round robin between two connected members.
    QCOMPARE(fromA, 5);
    QCOMPARE(fromB, 5);
}

void TestBroker::kickedClientNoticesAtOnce_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1: the close itself") << ProtocolVersion::V3_1_1;
    QTest::newRow("5.0: DISCONNECT 0x98 then close") << ProtocolVersion::V5;
}

void TestBroker::kickedClientNoticesAtOnce()
{
    QFETCH(ProtocolVersion, version);
    // The project's own client must see the close without waiting for its next ping.
    MqttClient client;
    client.setHost(QStringLiteral("127.0.0.1"));
    client.setPort(port());
    client.setClientId(QStringLiteral("kick-me"));
    client.setProtocolVersion(version);
    QSignalSpy connected(&client, &MqttClient::connected);
    QSignalSpy disconnected(&client, &MqttClient::disconnected);
    client.connectToBroker();
    QVERIFY(connected.wait(5000));
    QVERIFY(m_broker->kick(QStringLiteral("kick-me")));
    QVERIFY(disconnected.wait(2000));
}

void TestBroker::clientThatStopsReadingCostsBoundedMemory()
{
    RawClient slow(ProtocolVersion::V5);
    QVERIFY(slow.connectTo(port()));
    QVERIFY(slow.handshake(connectPacket(QStringLiteral("stuck"))));
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {TopicSubscription{QStringLiteral("bulk"), SubscribeOptions{QoS::AtMostOnce}}};
    slow.send(subscribe);
    QVERIFY(slow.waitFor(PacketType::Suback));
    // From now on it reads (almost) nothing: the kernel's buffers fill, then the broker's.
    slow.socket().setReadBufferSize(1024);
    constexpr int Messages = 768; // 48 MiB of QoS 0
    Publish publish;
    publish.topic = QStringLiteral("bulk");
    publish.payload = QByteArray(64 * 1024, 'x');
    for (int i = 0; i < Messages; ++i)
        m_broker->publish(publish);
    // At most 16 MiB wait for it (256 of these), plus what the kernel took: the rest is
    // dropped and counted, not buffered.
    const quint64 dropped = m_broker->counters().publishDropped;
    QVERIFY2(dropped >= Messages - 256 - 8, qPrintable(QString::number(dropped)));
    const auto detail = m_broker->sessionDetail(QStringLiteral("stuck"));
    QVERIFY(detail);
    QCOMPARE(detail->info.messagesDropped, dropped);
    QVERIFY(detail->info.online);
}

void TestBroker::historyKeepsTheNewestAndFindsThemBack()
{
    BoundedHistory<int, 4> history;
    QVERIFY(!history.recent(0));
    for (int i = 1; i <= 6; ++i)
        history.push(i);
    // Full after four: 1 and 2 fell out; recent() walks back from the newest across the
    // ring's wrap-around.
    QCOMPARE(history.toList(), (QList<int>{3, 4, 5, 6}));
    QCOMPARE(*history.recent(0), 6);
    QCOMPARE(*history.recent(1), 5);
    QCOMPARE(*history.recent(3), 3);
    QVERIFY(!history.recent(4));
}

void TestBroker::traceSharesARepeatedTopic()
{
    // A device receiving the same topic again must not keep one copy of the string per
    // trace entry: 200 entries x 10,000 sessions is what a flooded console holds.
    Session session(1, QStringLiteral("device"));
    for (int i = 0; i < 300; ++i) {
        Publish publish;
        publish.topic = QStringLiteral("devices/%1/push").arg(i % 2 ? QStringLiteral("a") : QStringLiteral("b"));
        session.tracePacket(TraceRecord::from(publish, false, i, 40));
    }
    QSet<const QChar *> distinct;
    for (const TraceRecord &record : session.packetTrace.toList())
        distinct.insert(record.topic.constData());
    QCOMPARE(distinct.size(), 2);
    QCOMPARE(session.packetTrace.size(), 200);
}

void TestBroker::keepAlivesAreTracedFromTheHeartbeatMarks()
{
    // A device online for hours mostly pings: its keep-alives are heartbeat marks only, and
    // the trace shows them in place, as the newest 200 packets.
    Session session(1, QStringLiteral("device"));
    session.recordInbound(Connect{}, 20, 1000);
    session.recordOutbound(Connack{}, 4, 1001);
    Publish publish;
    publish.topic = QStringLiteral("devices/device/state");
    session.recordInbound(publish, 30, 1500);
    for (qint64 i = 0; i < 150; ++i) {
        session.recordInbound(Pingreq{}, 2, 2000 + i * 60'000);
        session.recordOutbound(Pingresp{}, 2, 2000 + i * 60'000 + 1);
    }
    session.recordInbound(publish, 30, 10'000'000);

    QCOMPARE(session.packetTrace.size(), 4); // CONNECT, CONNACK and the two PUBLISH
    const QList<TraceRecord> trace = session.trace();
    QCOMPARE(trace.size(), Session::TraceLength);
    QCOMPARE(trace.last().type, PacketType::Publish);
    QCOMPARE(trace.last().atMs, qint64(10'000'000));
    // The 199 before it: the newest keep-alive exchanges, oldest first, PINGRESP after PINGREQ.
    for (qsizetype i = 0; i + 1 < trace.size(); ++i) {
        const TraceRecord &record = trace.at(i);
        const bool request = (i % 2) == 1; // 199 entries end on a PINGRESP
        QCOMPARE(record.type, request ? PacketType::Pingreq : PacketType::Pingresp);
        QCOMPARE(record.inbound, request);
        QCOMPARE(record.wireSize, 2u);
        if (i > 0)
            QVERIFY(record.atMs >= trace.at(i - 1).atMs);
    }
    QCOMPARE(trace.at(trace.size() - 2).atMs, qint64(2000 + 149 * 60'000 + 1));

    // A short life: everything is there, in order.
    Session young(2, QStringLiteral("young"));
    young.recordInbound(Connect{}, 20, 10);
    young.recordOutbound(Connack{}, 4, 11);
    young.recordInbound(Pingreq{}, 2, 20);
    young.recordOutbound(Pingresp{}, 2, 20);
    young.recordInbound(publish, 30, 30);
    QList<PacketType> types;
    for (const TraceRecord &record : young.trace())
        types.append(record.type);
    QCOMPARE(types, (QList<PacketType>{PacketType::Connect, PacketType::Connack, PacketType::Pingreq,
                                        PacketType::Pingresp, PacketType::Publish}));
}

HERMES_TEST_GUILESS_MAIN(TestBroker)
#include "tst_broker.moc"
