#include "../common/testmain.h"
#include "mqtt/sessionmachine.h"

#include <QtTest>

using namespace hermes::mqtt;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(hermes::mqtt::ProtocolVersion)
Q_DECLARE_METATYPE(hermes::mqtt::ReasonCode)
Q_DECLARE_METATYPE(hermes::mqtt::CloseReason)
Q_DECLARE_METATYPE(hermes::mqtt::QoS)
Q_DECLARE_METATYPE(std::optional<hermes::mqtt::ReasonCode>)

namespace {

constexpr auto V311 = ProtocolVersion::V3_1_1;
constexpr auto V5 = ProtocolVersion::V5;

Timestamp at(qint64 ms)
{
    return Timestamp(ms);
}

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

template<class T>
QList<T> all(const Actions &actions)
{
    QList<T> found;
    for (const Action &action : actions) {
        if (const T *value = std::get_if<T>(&action))
            found.append(*value);
    }
    return found;
}

template<class T>
std::optional<T> first(const Actions &actions)
{
    const QList<T> found = all<T>(actions);
    return found.isEmpty() ? std::nullopt : std::optional<T>(found.first());
}

/// Every byte the machine asked to send, in order.
QByteArray sentBytes(const Actions &actions)
{
    QByteArray bytes;
    for (const SendPacket &send : all<SendPacket>(actions))
        bytes += send.bytes;
    return bytes;
}

QList<Packet> sentPackets(const Actions &actions)
{
    QList<Packet> packets;
    for (const SendPacket &send : all<SendPacket>(actions))
        packets.append(send.packet);
    return packets;
}

template<class T>
QList<T> sent(const Actions &actions)
{
    QList<T> found;
    for (const Packet &packet : sentPackets(actions)) {
        if (const T *value = std::get_if<T>(&packet))
            found.append(*value);
    }
    return found;
}

/// One line per action, for failure messages.
QString dump(const Actions &actions)
{
    QStringList lines;
    for (const Action &action : actions) {
        lines.append(std::visit(
                [](const auto &a) -> QString {
                    using A = std::decay_t<decltype(a)>;
                    if constexpr (std::is_same_v<A, SendPacket>)
                        return QLatin1String("Send ") + describe(a.packet) + QLatin1String(" [")
                                + QString::fromLatin1(a.bytes.toHex(' ')) + QLatin1Char(']');
                    else if constexpr (std::is_same_v<A, PacketReceived>)
                        return QLatin1String("Received ") + describe(a.packet);
                    else if constexpr (std::is_same_v<A, ArmTimer>)
                        return QStringLiteral("ArmTimer %1 %2ms").arg(int(a.kind)).arg(a.after.count());
                    else if constexpr (std::is_same_v<A, CancelTimer>)
                        return QStringLiteral("CancelTimer %1").arg(int(a.kind));
                    else if constexpr (std::is_same_v<A, DeliverMessage>)
                        return QLatin1String("Deliver ") + describe(a.publish);
                    else if constexpr (std::is_same_v<A, MessageCompleted>)
                        return QStringLiteral("Completed %1").arg(a.packetId);
                    else if constexpr (std::is_same_v<A, MessageDropped>)
                        return QStringLiteral("Dropped %1").arg(int(a.reason));
                    else if constexpr (std::is_same_v<A, CloseConnection>)
                        return QStringLiteral("Close %1 will=%2 %3")
                                .arg(int(a.reason))
                                .arg(a.publishWill)
                                .arg(a.detail);
                    else
                        return QStringLiteral("action #%1").arg(Action(a).index());
                },
                action));
    }
    return lines.join(QLatin1Char('\n'));
}

/// The wire bytes of `packet` as a client would send them.
QByteArray wire(const Packet &packet, ProtocolVersion version)
{
    return encode(packet, version);
}

/// `bytes` parse back into exactly `packet` (the machine's bytes and value agree).
bool roundTrips(const SendPacket &send, ProtocolVersion version)
{
    const FrameResult frame = takeFrame(send.bytes, 268'435'460u);
    if (!std::holds_alternative<Frame>(frame) || std::get<Frame>(frame).totalSize != send.bytes.size())
        return false;
    const DecodeResult decoded = decodePacket(std::get<Frame>(frame), version);
    return std::holds_alternative<Packet>(decoded) && std::get<Packet>(decoded) == send.packet;
}

/// Limits that add no property to a v5 CONNACK, so its bytes are the bare minimum.
ServerLimits plainLimits()
{
    ServerLimits limits;
    limits.receiveMaximum = 65535;
    limits.maximumPacketSize = 268'435'460u;
    limits.topicAliasMaximum = 0;
    return limits;
}

Connect connectPacket(ProtocolVersion version, quint16 keepAlive = 2, bool clean = true)
{
    Connect connect;
    connect.version = version;
    connect.clientId = QStringLiteral("c");
    connect.cleanStart = clean;
    connect.keepAliveSeconds = keepAlive;
    return connect;
}

Publish publishPacket(const QString &topic, QoS qos, std::optional<quint16> id = std::nullopt,
                      const QByteArray &payload = "hi")
{
    Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.packetId = id;
    return publish;
}

QueuedMessage message(QoS qos, const QByteArray &payload = "m",
                      std::optional<Timestamp> expiresAt = std::nullopt)
{
    return QueuedMessage{publishPacket(QStringLiteral("t"), qos, std::nullopt, payload), expiresAt, 0};
}

/// A machine past CONNACK (everything before is checked by the connect tests).
struct Connected
{
    SessionMachine machine;
    ProtocolVersion version;
    Actions acceptActions;

    explicit Connected(ProtocolVersion v = V311, ServerLimits limits = plainLimits(),
                       Connect connect = {}, SessionState session = {},
                       ConnectAcceptance acceptance = {})
        : machine(std::move(limits))
        , version(v)
    {
        if (connect.clientId.isEmpty())
            connect = connectPacket(v);
        connect.version = v;
        machine.start(at(0));
        const Actions requested = machine.onBytes(wire(connect, v), at(0));
        Q_ASSERT(first<ConnectRequested>(requested));
        acceptActions = machine.acceptConnect(acceptance, std::move(session), at(0));
        Q_ASSERT(machine.stage() == ConnectionStage::Connected);
    }

    Actions feed(const Packet &packet, qint64 ms = 0) { return machine.onBytes(wire(packet, version), at(ms)); }
    Actions feed(const QByteArray &bytes, qint64 ms = 0) { return machine.onBytes(bytes, at(ms)); }
};

} // namespace

class TestSessionMachine : public QObject
{
    Q_OBJECT
private slots:
    void connectThenAccept_data();
    void connectThenAccept();
    void connackAnnouncesLimits();
    void connectSplitAnyway();
    void connectTimeout();
    void firstPacketNotConnect();
    void refusedConnect_data();
    void refusedConnect();
    void rejectConnectMapsCodes_data();
    void rejectConnectMapsCodes();
    void pipelinedPacketsWaitForDecision();
    void willBeyondCapabilities_data();
    void willBeyondCapabilities();
    void pipelinedPacketsDroppedOnReject();
    void pipelinedBytesBounded();

    void keepAliveExpiresAtOneAndAHalfT_data();
    void keepAliveExpiresAtOneAndAHalfT();
    void keepAliveTrafficPushesDeadline();
    void keepAlivePartialBytesCount();
    void keepAliveDisabled();
    void serverKeepAliveOverrides();
    void pingreqPingresp();

    void inboundQoS0();
    void inboundQoS1();
    void inboundQoS2_data();
    void inboundQoS2();
    void inboundPubrelUnknown_data();
    void inboundPubrelUnknown();
    void inboundReceiveMaximum_data();
    void inboundReceiveMaximum();
    void inboundLimits_data();
    void inboundLimits();
    void publishWithSubscriptionIdentifier();
    void topicAliases_data();
    void topicAliases();

    void outboundQoS0();
    void outboundQoS1();
    void outboundQoS2_data();
    void outboundQoS2();
    void outboundPubrecFailure();
    void outboundUnknownAcks_data();
    void outboundUnknownAcks();
    void packetIdsReusedOnlyAfterRelease();
    void packetIdsWrapAndSkipInUse();
    void clientReceiveMaximumBoundsWindow();
    void queueFull();
    void tooLargeForClient();
    void messageExpiry();
    void publishBeforeAcceptIsQueued();
    void resumeResendsWithDupThenDrains();
    void resumeHeldBackByWindow();

    void subscribeFlow_data();
    void subscribeFlow();
    void malformedFilterClosesConnection_data();
    void malformedFilterClosesConnection();
    void subscribeUnavailableFeatures();
    void unsubscribeFlow_data();
    void unsubscribeFlow();

    void malformedAfterConnect_data();
    void malformedAfterConnect();
    void secondConnect_data();
    void secondConnect();
    void willOnEachClose_data();
    void willOnEachClose();
    void disconnectSessionExpiryRule();
    void disconnectBeforeAccept();
    void closedMachineIsSilent();
    void authExchange();
    void problemInformationSuppressed();
};

// ---- Connect ------------------------------------------------------------------------

void TestSessionMachine::connectThenAccept_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("connectWire");
    QTest::addColumn<bool>("sessionPresent");
    QTest::addColumn<QByteArray>("connackWire");

    // CONNECT | rl=13 | "MQTT" | level 4 | flags 02 (clean) | keep-alive 2 | id "c"
    QTest::newRow("3.1.1 clean session [MQTT-3.2.2-1]")
            << V311 << hex("10 0d 0004 4d515454 04 02 0002 0001 63") << true
            << hex("20 02 00 00"); // CONNACK rl=2, SP=0 despite the engine, rc=0
    // same with flags 00 (clean session off)
    QTest::newRow("3.1.1 session present [MQTT-3.2.2-2]")
            << V311 << hex("10 0d 0004 4d515454 04 00 0002 0001 63") << true
            << hex("20 02 01 00"); // SP=1, rc=0
    QTest::newRow("3.1.1 no session [MQTT-3.2.2-3]")
            << V311 << hex("10 0d 0004 4d515454 04 00 0002 0001 63") << false
            << hex("20 02 00 00");
    // CONNECT | rl=15 | "MQIsdp" | level 3 | clean | keep-alive 2 | id "c"
    QTest::newRow("3.1 has no session present flag")
            << ProtocolVersion::V3_1 << hex("10 0f 0006 4d5149736470 03 02 0002 0001 63") << true
            << hex("20 02 00 00");
    // CONNECT | rl=14 | "MQTT" | level 5 | clean | keep-alive 2 | props len 0 | id "c"
    QTest::newRow("5.0 clean start, no properties to announce")
            << V5 << hex("10 0e 0004 4d515454 05 02 0002 00 0001 63") << false
            << hex("20 03 00 00 00"); // SP=0, rc=0x00, props len 0
    QTest::newRow("5.0 session present")
            << V5 << hex("10 0e 0004 4d515454 05 00 0002 00 0001 63") << true
            << hex("20 03 01 00 00");
}

void TestSessionMachine::connectThenAccept()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, connectWire);
    QFETCH(bool, sessionPresent);
    QFETCH(QByteArray, connackWire);

    SessionMachine machine(plainLimits());
    const Actions started = machine.start(at(0));
    QCOMPARE(started.size(), size_t(1));
    QCOMPARE(std::get<ArmTimer>(started[0]).kind, TimerKind::ConnectTimeout);
    QCOMPARE(std::get<ArmTimer>(started[0]).after, Duration(10s));

    const Actions received = machine.onBytes(connectWire, at(100));
    QVERIFY2(received.size() == 2, qPrintable(dump(received)));
    const auto packet = std::get<PacketReceived>(received[0]);
    QCOMPARE(packet.wireSize, connectWire.size());
    QVERIFY(std::holds_alternative<Connect>(packet.packet));
    const Connect connect = std::get<ConnectRequested>(received[1]).connect;
    QCOMPARE(connect.version, version);
    QCOMPARE(connect.clientId, QStringLiteral("c"));
    QCOMPARE(connect.keepAliveSeconds, quint16(2));
    QCOMPARE(machine.stage(), ConnectionStage::AwaitingDecision);
    QCOMPARE(machine.version(), version);

    ConnectAcceptance acceptance;
    acceptance.sessionPresent = sessionPresent;
    const Actions accepted = machine.acceptConnect(acceptance, {}, at(100));
    QVERIFY2(accepted.size() == 3, qPrintable(dump(accepted)));
    QCOMPARE(std::get<SendPacket>(accepted[0]).bytes, connackWire);
    // keep-alive 2 s → 1.5 × 2000 ms [MQTT-3.1.2-24]
    QCOMPARE(std::get<ArmTimer>(accepted[1]).kind, TimerKind::KeepAlive);
    QCOMPARE(std::get<ArmTimer>(accepted[1]).after, Duration(3000));
    QCOMPARE(std::get<CancelTimer>(accepted[2]).kind, TimerKind::ConnectTimeout);
    QCOMPARE(machine.stage(), ConnectionStage::Connected);
    QCOMPARE(machine.keepAliveSeconds(), quint16(2));
    QCOMPARE(machine.keepAliveDeadline(), std::optional(at(3100)));
}

void TestSessionMachine::connackAnnouncesLimits()
{
    ServerLimits limits;
    limits.receiveMaximum = 10;
    limits.maximumPacketSize = 1000;
    limits.topicAliasMaximum = 5;
    limits.maximumQoS = QoS::AtLeastOnce;
    limits.retainAvailable = false;
    limits.wildcardSubscriptionAvailable = false;
    limits.subscriptionIdentifierAvailable = false;
    limits.sharedSubscriptionAvailable = false;
    limits.serverKeepAlive = 30;
    Connect connect = connectPacket(V5);
    connect.clientId.clear();
    connect.properties.sessionExpiryInterval = 100;
    ConnectAcceptance acceptance;
    acceptance.assignedClientIdentifier = QStringLiteral("auto-1");
    acceptance.sessionExpiryInterval = 50;
    acceptance.extraProperties.responseInformation = QStringLiteral("resp/");
    acceptance.extraProperties.userProperties = {{QStringLiteral("k"), QStringLiteral("v")}};
    Connected c(V5, limits, connect, {}, acceptance);

    const QList<Connack> connacks = sent<Connack>(c.acceptActions);
    QCOMPARE(connacks.size(), 1);
    const Properties &p = connacks.first().properties;
    QCOMPARE(p.receiveMaximum, std::optional<quint16>(10));
    QCOMPARE(p.maximumPacketSize, std::optional<quint32>(1000));
    QCOMPARE(p.topicAliasMaximum, std::optional<quint16>(5));
    QCOMPARE(p.maximumQoS, std::optional<quint8>(1));
    QCOMPARE(p.retainAvailable, std::optional<quint8>(0));
    QCOMPARE(p.wildcardSubscriptionAvailable, std::optional<quint8>(0));
    QCOMPARE(p.subscriptionIdentifierAvailable, std::optional<quint8>(0));
    QCOMPARE(p.sharedSubscriptionAvailable, std::optional<quint8>(0));
    QCOMPARE(p.serverKeepAlive, std::optional<quint16>(30));
    QCOMPARE(p.assignedClientIdentifier, std::optional(QStringLiteral("auto-1")));
    QCOMPARE(p.sessionExpiryInterval, std::optional<quint32>(50));
    QCOMPARE(p.responseInformation, std::optional(QStringLiteral("resp/")));
    QCOMPARE(p.userProperties.size(), 1);
    QVERIFY(roundTrips(all<SendPacket>(c.acceptActions).first(), V5));

    // The same limits announce nothing to a 3.1.1 client: its CONNACK is 4 bytes.
    Connected old(V311, limits);
    QCOMPARE(sentBytes(old.acceptActions), hex("20 02 00 00"));
}

void TestSessionMachine::connectSplitAnyway()
{
    // Frames may arrive in any split: byte by byte, then the rest glued to a PINGREQ.
    const QByteArray connect = hex("10 0d 0004 4d515454 04 02 0002 0001 63");
    SessionMachine machine(plainLimits());
    machine.start(at(0));
    for (qsizetype i = 0; i + 1 < connect.size(); ++i)
        QVERIFY(machine.onBytes(connect.sliced(i, 1), at(i)).empty());
    const Actions last = machine.onBytes(connect.right(1), at(20));
    QVERIFY(first<ConnectRequested>(last));
    QCOMPARE(first<PacketReceived>(last)->wireSize, qsizetype(15));
}

void TestSessionMachine::connectTimeout()
{
    SessionMachine machine;
    machine.start(at(0));
    const Actions fired = machine.onTimerFired(TimerKind::ConnectTimeout, at(10'000));
    QCOMPARE(fired.size(), size_t(1));
    const CloseConnection close = std::get<CloseConnection>(fired[0]);
    QCOMPARE(close.reason, CloseReason::ConnectTimeout);
    QVERIFY(!close.publishWill);
    QCOMPARE(machine.stage(), ConnectionStage::Closed);

    // A stale connect timer after acceptance changes nothing.
    Connected c;
    QVERIFY(c.machine.onTimerFired(TimerKind::ConnectTimeout, at(10'000)).empty());
    QCOMPARE(c.machine.stage(), ConnectionStage::Connected);
}

void TestSessionMachine::firstPacketNotConnect()
{
    SessionMachine machine;
    machine.start(at(0));
    const Actions actions = machine.onBytes(hex("c0 00"), at(1)); // PINGREQ first
    QVERIFY(all<SendPacket>(actions).isEmpty()); // no CONNACK to a non-CONNECT
    const auto close = first<CloseConnection>(actions);
    QVERIFY(close);
    QCOMPARE(close->reason, CloseReason::ProtocolError);
    QVERIFY(close->detail.contains(QLatin1String("MQTT-3.1.0-1")));
    QVERIFY(!close->publishWill);
}

void TestSessionMachine::refusedConnect_data()
{
    QTest::addColumn<QByteArray>("connectWire");
    QTest::addColumn<QByteArray>("expectedSent");
    QTest::addColumn<CloseReason>("closeReason");

    // CONNECT "MQTT" level 6: unknown → 3.1.1 CONNACK rc=0x01 [MQTT-3.1.2-2]
    QTest::newRow("unsupported level 6 [MQTT-3.1.2-2]")
            << hex("10 0d 0004 4d515454 06 02 0002 0001 63") << hex("20 02 00 01")
            << CloseReason::ProtocolError;
    QTest::newRow("unsupported level 2 [MQTT-3.1.2-2]")
            << hex("10 0d 0004 4d515454 02 02 0002 0001 63") << hex("20 02 00 01")
            << CloseReason::ProtocolError;
    // 5.0 CONNECT | rl=17 | props len 3: Receive Maximum (0x21) = 0 | id "c"
    //   → a v5 CONNACK 0x82 protocol error (3.1.2.11.3), in the client's own version
    QTest::newRow("5.0 receive maximum 0 → CONNACK 0x82")
            << hex("10 11 0004 4d515454 05 02 0002 03 210000 0001 63") << hex("20 03 00 82 00")
            << CloseReason::ProtocolError;
    // remaining length 268,435,455 announced: refused from the fixed header alone, before
    // the version is known, so nothing is sent
    QTest::newRow("CONNECT above maximum packet size: closed unanswered")
            << hex("10 ff ff ff 7f") << QByteArray() << CloseReason::ProtocolError;
    // 3.1.1, flags 00 (clean session off), client id "" → rc=0x02 [MQTT-3.1.3-8]
    QTest::newRow("3.1.1 empty client id without clean session [MQTT-3.1.3-8]")
            << hex("10 0c 0004 4d515454 04 00 0002 0000") << hex("20 02 00 02")
            << CloseReason::ProtocolError;
}

void TestSessionMachine::refusedConnect()
{
    QFETCH(QByteArray, connectWire);
    QFETCH(QByteArray, expectedSent);
    QFETCH(CloseReason, closeReason);

    SessionMachine machine;
    machine.start(at(0));
    const Actions actions = machine.onBytes(connectWire, at(1));
    QVERIFY(!first<ConnectRequested>(actions));
    QCOMPARE(sentBytes(actions), expectedSent);
    const auto close = first<CloseConnection>(actions);
    QVERIFY2(close, qPrintable(dump(actions)));
    QCOMPARE(close->reason, closeReason);
    QVERIFY(!close->publishWill);
    QVERIFY(std::holds_alternative<CloseConnection>(actions.back()));
    QCOMPARE(machine.stage(), ConnectionStage::Closed);
}

void TestSessionMachine::rejectConnectMapsCodes_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<ReasonCode>("reason");
    QTest::addColumn<QByteArray>("connackWire");

    QTest::newRow("3.1.1 bad password → rc 4") << V311 << ReasonCode::BadUserNameOrPassword << hex("20 02 00 04");
    QTest::newRow("3.1.1 not authorized → rc 5") << V311 << ReasonCode::NotAuthorized << hex("20 02 00 05");
    QTest::newRow("3.1.1 banned → rc 5") << V311 << ReasonCode::Banned << hex("20 02 00 05");
    QTest::newRow("3.1.1 server busy → rc 3") << V311 << ReasonCode::ServerBusy << hex("20 02 00 03");
    QTest::newRow("5.0 banned → 0x8a") << V5 << ReasonCode::Banned << hex("20 03 00 8a 00");
    QTest::newRow("5.0 bad auth method → 0x8c") << V5 << ReasonCode::BadAuthenticationMethod
                                                << hex("20 03 00 8c 00");
}

void TestSessionMachine::rejectConnectMapsCodes()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(ReasonCode, reason);
    QFETCH(QByteArray, connackWire);

    SessionMachine machine;
    machine.start(at(0));
    machine.onBytes(wire(connectPacket(version), version), at(0));
    const Actions actions = machine.rejectConnect(reason, at(5));
    QCOMPARE(sentBytes(actions), connackWire);
    const auto close = first<CloseConnection>(actions);
    QVERIFY(close);
    QCOMPARE(close->reason, CloseReason::ConnectRejected);
    QCOMPARE(close->reasonCode, std::optional(reason));
    QVERIFY(!close->publishWill);
    QVERIFY(machine.acceptConnect({}, {}, at(6)).empty());
}

void TestSessionMachine::pipelinedPacketsWaitForDecision()
{
    // 3.1.4: a client may send packets right after CONNECT. They are held, unprocessed,
    // until the engine accepts, then handled in order after the CONNACK.
    SessionMachine machine(plainLimits());
    machine.start(at(0));
    QByteArray bytes = wire(connectPacket(V311), V311);
    bytes += hex("c0 00");                           // PINGREQ
    bytes += hex("30 07 0003 612f62 6869");          // PUBLISH qos0 "a/b" "hi"
    const Actions requested = machine.onBytes(bytes, at(0));
    QCOMPARE(all<PacketReceived>(requested).size(), 1);
    QVERIFY(all<SendPacket>(requested).isEmpty());
    QVERIFY(all<DeliverMessage>(requested).isEmpty());

    const Actions accepted = machine.acceptConnect({}, {}, at(1));
    QCOMPARE(sentBytes(accepted), hex("20 02 00 00  d0 00")); // CONNACK, then PINGRESP
    const QList<DeliverMessage> delivered = all<DeliverMessage>(accepted);
    QCOMPARE(delivered.size(), 1);
    QCOMPARE(delivered.first().publish.topic, QStringLiteral("a/b"));
}

void TestSessionMachine::pipelinedPacketsDroppedOnReject()
{
    // [MQTT-3.1.4-5] after refusing CONNECT nothing the client sent later is processed.
    SessionMachine machine;
    machine.start(at(0));
    QByteArray bytes = wire(connectPacket(V5), V5);
    bytes += wire(publishPacket(QStringLiteral("a"), QoS::AtMostOnce), V5);
    machine.onBytes(bytes, at(0));
    const Actions rejected = machine.rejectConnect(ReasonCode::NotAuthorized, at(1));
    QVERIFY(all<DeliverMessage>(rejected).isEmpty());
    QVERIFY(all<PacketReceived>(rejected).isEmpty());
    QCOMPARE(sent<Connack>(rejected).size(), 1);
}

void TestSessionMachine::willBeyondCapabilities_data()
{
    QTest::addColumn<QoS>("willQos");
    QTest::addColumn<bool>("willRetain");
    QTest::addColumn<QByteArray>("connackWire");
    QTest::newRow("Will QoS 2 above maximum QoS 1 → CONNACK 0x9B [MQTT-3.2.2-12]")
            << QoS::ExactlyOnce << false << hex("20 03 00 9b 00");
    QTest::newRow("Will retain without retain available → CONNACK 0x9A [MQTT-3.2.2-13]")
            << QoS::AtMostOnce << true << hex("20 03 00 9a 00");
}

void TestSessionMachine::willBeyondCapabilities()
{
    QFETCH(QoS, willQos);
    QFETCH(bool, willRetain);
    QFETCH(QByteArray, connackWire);
    ServerLimits limits = plainLimits();
    limits.maximumQoS = QoS::AtLeastOnce;
    limits.retainAvailable = false;
    SessionMachine machine(limits);
    machine.start(at(0));
    Connect connect = connectPacket(V5);
    connect.will = Will{QStringLiteral("w"), "x", willQos, willRetain, {}};
    const Actions actions = machine.onBytes(wire(connect, V5), at(0));
    QVERIFY(!first<ConnectRequested>(actions));
    QCOMPARE(sentBytes(actions), connackWire);
    QVERIFY(!first<CloseConnection>(actions)->publishWill);
    QCOMPARE(machine.stage(), ConnectionStage::Closed);
}

void TestSessionMachine::pipelinedBytesBounded()
{
    // Bytes held while the engine decides are bounded by the maximum packet size.
    ServerLimits limits = plainLimits();
    limits.maximumPacketSize = 100;
    SessionMachine machine(limits);
    machine.start(at(0));
    machine.onBytes(wire(connectPacket(V5), V5), at(0));
    const QByteArray ping = hex("c0 00");
    for (int i = 0; i < 50; ++i) // 100 bytes: still fine
        QVERIFY(machine.onBytes(ping, at(1)).empty());
    const Actions over = machine.onBytes(ping, at(2));
    QCOMPARE(sentBytes(over), hex("20 03 00 97 00")); // CONNACK 0x97 quota exceeded
    QCOMPARE(first<CloseConnection>(over)->reason, CloseReason::ProtocolError);
    QVERIFY(machine.acceptConnect({}, {}, at(3)).empty());

    // The same bound applies when the excess arrives in the CONNECT's own read.
    SessionMachine oneRead(limits);
    oneRead.start(at(0));
    const Actions all = oneRead.onBytes(wire(connectPacket(V311), V311) + ping.repeated(51), at(0));
    QVERIFY(first<ConnectRequested>(all));
    QCOMPARE(sent<Connack>(all).size(), 1);
    QCOMPARE(sentBytes(all), hex("20 02 00 03")); // 3.1.1: server unavailable
    QCOMPARE(oneRead.stage(), ConnectionStage::Closed);
}

// ---- Keep-alive -----------------------------------------------------------------------

void TestSessionMachine::keepAliveExpiresAtOneAndAHalfT_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1 closes silently [MQTT-3.1.2-24]") << V311;
    QTest::newRow("5.0 sends DISCONNECT 0x8D first [MQTT-3.1.2-22]") << V5;
}

void TestSessionMachine::keepAliveExpiresAtOneAndAHalfT()
{
    QFETCH(ProtocolVersion, version);
    Connected c(version); // keep-alive T = 2 s, connected at t=0

    const Actions early = c.machine.onTimerFired(TimerKind::KeepAlive, at(2999));
    QVERIFY2(early.size() == 1, qPrintable(dump(early)));
    QCOMPARE(std::get<ArmTimer>(early[0]).after, Duration(1)); // re-armed for what is left
    QCOMPARE(c.machine.stage(), ConnectionStage::Connected);

    const Actions expired = c.machine.onTimerFired(TimerKind::KeepAlive, at(3000));
    const auto close = first<CloseConnection>(expired);
    QVERIFY2(close, qPrintable(dump(expired)));
    QCOMPARE(close->reason, CloseReason::KeepAliveTimeout);
    QVERIFY(close->publishWill); // [MQTT-3.1.2-8]
    const QByteArray bytes = sentBytes(expired);
    if (version == V5) {
        // DISCONNECT, reason 0x8D (a trailing property length 0 is optional)
        QVERIFY2(bytes.startsWith(char(0xe0)) && quint8(bytes.at(2)) == 0x8d, bytes.toHex().constData());
        QCOMPARE(sent<Disconnect>(expired).first().reasonCode, ReasonCode::KeepAliveTimeout);
    } else {
        QVERIFY(bytes.isEmpty());
    }
}

void TestSessionMachine::keepAliveTrafficPushesDeadline()
{
    Connected c(V311); // T = 2 s
    // Traffic never arms a timer by itself (too costly at high rates).
    const Actions ping = c.feed(hex("c0 00"), 2000);
    QVERIFY(all<ArmTimer>(ping).isEmpty());
    QCOMPARE(c.machine.lastInboundAt(), at(2000));
    QCOMPARE(c.machine.keepAliveDeadline(), std::optional(at(5000)));

    // The timer armed at connect fires at 3000: 2000 ms are left.
    const Actions fired = c.machine.onTimerFired(TimerKind::KeepAlive, at(3000));
    QVERIFY2(fired.size() == 1, qPrintable(dump(fired)));
    QCOMPARE(std::get<ArmTimer>(fired[0]).after, Duration(2000));

    QVERIFY(!first<CloseConnection>(c.machine.onTimerFired(TimerKind::KeepAlive, at(4999))));
    QVERIFY(first<CloseConnection>(c.machine.onTimerFired(TimerKind::KeepAlive, at(5000))));
}

void TestSessionMachine::keepAlivePartialBytesCount()
{
    // Documented choice: any received byte is traffic (as in mosquitto), so a large
    // packet trickling in over a slow link does not time out half-way.
    Connected c(V311);
    c.feed(hex("30 07 0003"), 2500); // first bytes of a PUBLISH
    QCOMPARE(c.machine.keepAliveDeadline(), std::optional(at(5500)));
    QVERIFY(!first<CloseConnection>(c.machine.onTimerFired(TimerKind::KeepAlive, at(3000))));
    const Actions rest = c.feed(hex("612f62 6869"), 5000);
    QCOMPARE(all<DeliverMessage>(rest).size(), 1);
}

void TestSessionMachine::keepAliveDisabled()
{
    Connected c(V311, plainLimits(), connectPacket(V311, 0));
    QVERIFY(all<ArmTimer>(c.acceptActions).isEmpty());
    QCOMPARE(c.machine.keepAliveDeadline(), std::nullopt);
    QVERIFY(c.machine.onTimerFired(TimerKind::KeepAlive, at(1'000'000)).empty());
}

void TestSessionMachine::serverKeepAliveOverrides()
{
    ServerLimits limits = plainLimits();
    limits.serverKeepAlive = 10;
    Connected c5(V5, limits, connectPacket(V5, 60));
    QCOMPARE(c5.machine.keepAliveSeconds(), quint16(10));
    QCOMPARE(first<ArmTimer>(c5.acceptActions)->after, Duration(15'000));
    QCOMPARE(sent<Connack>(c5.acceptActions).first().properties.serverKeepAlive, std::optional<quint16>(10));

    // A 3.1.1 client cannot be told, so it keeps its own keep-alive.
    Connected c3(V311, limits, connectPacket(V311, 60));
    QCOMPARE(c3.machine.keepAliveSeconds(), quint16(60));
}

void TestSessionMachine::pingreqPingresp()
{
    Connected c(V311);
    const Actions actions = c.feed(hex("c0 00"), 10); // PINGREQ
    QCOMPARE(actions.size(), size_t(2));
    QVERIFY(std::holds_alternative<Pingreq>(std::get<PacketReceived>(actions[0]).packet));
    QCOMPARE(std::get<SendPacket>(actions[1]).bytes, hex("d0 00")); // PINGRESP [MQTT-3.12.4-1]
}

// ---- Inbound PUBLISH -----------------------------------------------------------------

void TestSessionMachine::inboundQoS0()
{
    Connected c(V311);
    const Actions actions = c.feed(hex("31 07 0003 612f62 6869"), 1); // PUBLISH qos0 retain
    const auto delivered = first<DeliverMessage>(actions);
    QVERIFY(delivered);
    QCOMPARE(delivered->publish.qos, QoS::AtMostOnce);
    QVERIFY(delivered->publish.retain);
    QCOMPARE(delivered->publish.payload, QByteArray("hi"));
    QVERIFY(all<SendPacket>(actions).isEmpty());
}

void TestSessionMachine::inboundQoS1()
{
    Connected c(V311);
    // PUBLISH qos1 | rl=9 | "a/b" | pid 7 | "hi"
    const Actions actions = c.feed(hex("32 09 0003 612f62 0007 6869"), 1);
    QCOMPARE(all<DeliverMessage>(actions).size(), 1);
    QVERIFY(all<SendPacket>(actions).isEmpty()); // the engine acknowledges, not the machine
    QCOMPARE(c.machine.acknowledgeInbound(7).size(), size_t(1));
    // a second acknowledgement of the same id sends nothing
    QVERIFY(c.machine.acknowledgeInbound(7).empty());

    Connected c2(V311);
    c2.feed(hex("32 09 0003 612f62 0007 6869"), 1);
    QCOMPARE(sentBytes(c2.machine.acknowledgeInbound(7)), hex("40 02 0007")); // PUBACK pid 7

    Connected c5(V5);
    c5.feed(wire(publishPacket(QStringLiteral("a"), QoS::AtLeastOnce, 9), V5), 1);
    const Actions ack = c5.machine.acknowledgeInbound(9, ReasonCode::NoMatchingSubscribers);
    const QList<Puback> pubacks = sent<Puback>(ack);
    QCOMPARE(pubacks.size(), 1);
    QCOMPARE(pubacks.first().reasonCode, ReasonCode::NoMatchingSubscribers);
    QVERIFY(roundTrips(all<SendPacket>(ack).first(), V5));
}

void TestSessionMachine::inboundQoS2_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1 [MQTT-4.3.3-10]") << V311;
    QTest::newRow("5.0 [MQTT-4.3.3-10]") << V5;
}

void TestSessionMachine::inboundQoS2()
{
    QFETCH(ProtocolVersion, version);
    Connected c(version);
    const Publish publish = publishPacket(QStringLiteral("a/b"), QoS::ExactlyOnce, 7);
    Publish duplicate = publish;
    duplicate.dup = true;

    const Actions first1 = c.feed(publish, 1);
    QCOMPARE(all<DeliverMessage>(first1).size(), 1);
    QVERIFY(all<SendPacket>(first1).isEmpty());
    QVERIFY(c.machine.session().inboundAwaitingRelease.contains(7));

    // Duplicate before the engine acknowledged: neither delivered nor answered yet.
    const Actions dupEarly = c.feed(duplicate, 2);
    QVERIFY(all<DeliverMessage>(dupEarly).isEmpty());
    QVERIFY(all<SendPacket>(dupEarly).isEmpty());

    const Actions ack = c.machine.acknowledgeInbound(7);
    QCOMPARE(sent<Pubrec>(ack).size(), 1);
    if (version == V311)
        QCOMPARE(sentBytes(ack), hex("50 02 0007")); // PUBREC pid 7

    // Duplicate after PUBREC: not delivered, PUBREC again at once.
    const Actions dupLate = c.feed(duplicate, 3);
    QVERIFY(all<DeliverMessage>(dupLate).isEmpty());
    QCOMPARE(sent<Pubrec>(dupLate).size(), 1);
    QCOMPARE(sent<Pubrec>(dupLate).first().packetId, quint16(7));

    // PUBREL → PUBCOMP, id released [MQTT-4.3.3-11]
    const Actions rel = c.feed(hex("62 02 0007"), 4);
    QCOMPARE(sent<Pubcomp>(rel).size(), 1);
    QCOMPARE(sent<Pubcomp>(rel).first().reasonCode, ReasonCode::Success);
    if (version == V311)
        QCOMPARE(sentBytes(rel), hex("70 02 0007"));
    QVERIFY(!c.machine.session().inboundAwaitingRelease.contains(7));

    // The id is free again: a new message with it is a new message.
    QCOMPARE(all<DeliverMessage>(c.feed(publish, 5)).size(), 1);
}

void TestSessionMachine::inboundPubrelUnknown_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<ReasonCode>("expected");
    QTest::newRow("3.1.1 plain PUBCOMP") << V311 << ReasonCode::Success;
    QTest::newRow("5.0 PUBCOMP 0x92 packet identifier not found") << V5 << ReasonCode::PacketIdentifierNotFound;
}

void TestSessionMachine::inboundPubrelUnknown()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(ReasonCode, expected);
    Connected c(version);
    const Actions actions = c.feed(hex("62 02 0042"), 1); // PUBREL pid 0x42, never seen
    const QList<Pubcomp> pubcomps = sent<Pubcomp>(actions);
    QCOMPARE(pubcomps.size(), 1);
    QCOMPARE(pubcomps.first().packetId, quint16(0x42));
    QCOMPARE(pubcomps.first().reasonCode, expected);
    QVERIFY(!first<CloseConnection>(actions));
}

void TestSessionMachine::inboundReceiveMaximum_data()
{
    QTest::addColumn<QoS>("qos");
    QTest::newRow("QoS 1 unacknowledged [MQTT-3.3.4-7]") << QoS::AtLeastOnce;
    QTest::newRow("QoS 2 awaiting PUBREL counts too [MQTT-3.3.4-7]") << QoS::ExactlyOnce;
}

void TestSessionMachine::inboundReceiveMaximum()
{
    QFETCH(QoS, qos);
    ServerLimits limits = plainLimits();
    limits.receiveMaximum = 2;
    Connected c(V5, limits);
    QCOMPARE(sent<Connack>(c.acceptActions).first().properties.receiveMaximum, std::optional<quint16>(2));
    c.feed(publishPacket(QStringLiteral("a"), qos, 1), 1);
    c.feed(publishPacket(QStringLiteral("a"), qos, 2), 1);
    // Acknowledging one frees no quota for QoS 2: it counts until PUBCOMP.
    c.machine.acknowledgeInbound(1);
    if (qos == QoS::ExactlyOnce) {
        const Actions over = c.feed(publishPacket(QStringLiteral("a"), qos, 3), 2);
        QCOMPARE(sent<Disconnect>(over).first().reasonCode, ReasonCode::ReceiveMaximumExceeded);
        QCOMPARE(first<CloseConnection>(over)->reasonCode, std::optional(ReasonCode::ReceiveMaximumExceeded));
        QVERIFY(first<CloseConnection>(over)->publishWill);
        return;
    }
    QCOMPARE(all<DeliverMessage>(c.feed(publishPacket(QStringLiteral("a"), qos, 3), 2)).size(), 1);
    const Actions over = c.feed(publishPacket(QStringLiteral("a"), qos, 4), 3);
    QVERIFY2(!sent<Disconnect>(over).isEmpty(), qPrintable(dump(over)));
    QCOMPARE(sent<Disconnect>(over).first().reasonCode, ReasonCode::ReceiveMaximumExceeded);
    QCOMPARE(c.machine.stage(), ConnectionStage::Closed);
}

void TestSessionMachine::inboundLimits_data()
{
    QTest::addColumn<QoS>("qos");
    QTest::addColumn<bool>("retain");
    QTest::addColumn<ReasonCode>("expected");
    QTest::newRow("QoS 2 above maximum QoS 1 → 0x9B [MQTT-3.2.2-11]")
            << QoS::ExactlyOnce << false << ReasonCode::QoSNotSupported;
    QTest::newRow("retain while not available → 0x9A [MQTT-3.2.2-14]")
            << QoS::AtMostOnce << true << ReasonCode::RetainNotSupported;
}

void TestSessionMachine::inboundLimits()
{
    QFETCH(QoS, qos);
    QFETCH(bool, retain);
    QFETCH(ReasonCode, expected);
    ServerLimits limits = plainLimits();
    limits.maximumQoS = QoS::AtLeastOnce;
    limits.retainAvailable = false;
    Connected c(V5, limits);
    Publish publish = publishPacket(QStringLiteral("a"), qos, qos == QoS::AtMostOnce ? std::nullopt : std::optional<quint16>(1));
    publish.retain = retain;
    const Actions actions = c.feed(publish, 1);
    QVERIFY(all<DeliverMessage>(actions).isEmpty());
    QCOMPARE(sent<Disconnect>(actions).first().reasonCode, expected);
    QCOMPARE(first<CloseConnection>(actions)->reason, CloseReason::ProtocolError);
}

void TestSessionMachine::publishWithSubscriptionIdentifier()
{
    // [MQTT-3.3.4-6] only the server puts Subscription Identifiers in a PUBLISH.
    Connected c(V5);
    Publish publish = publishPacket(QStringLiteral("a"), QoS::AtMostOnce);
    publish.properties.subscriptionIdentifiers = {7};
    const Actions actions = c.feed(publish, 1);
    QVERIFY(all<DeliverMessage>(actions).isEmpty());
    QCOMPARE(sent<Disconnect>(actions).first().reasonCode, ReasonCode::ProtocolError);
}

void TestSessionMachine::topicAliases_data()
{
    QTest::addColumn<quint16>("alias");
    QTest::addColumn<bool>("setFirst");
    QTest::addColumn<std::optional<ReasonCode>>("expectedError");
    QTest::newRow("alias set then used: resolved, property removed [MQTT-3.3.2-12]")
            << quint16(3) << true << std::optional<ReasonCode>();
    QTest::newRow("alias 0 → 0x94 [MQTT-3.3.2-8]") << quint16(0) << false
                                                   << std::optional(ReasonCode::TopicAliasInvalid);
    QTest::newRow("alias above maximum → 0x94 [MQTT-3.3.2-9]")
            << quint16(6) << false << std::optional(ReasonCode::TopicAliasInvalid);
    QTest::newRow("unknown alias with empty topic → 0x82 (3.3.2.3.4)")
            << quint16(4) << false << std::optional(ReasonCode::ProtocolError);
}

void TestSessionMachine::topicAliases()
{
    QFETCH(quint16, alias);
    QFETCH(bool, setFirst);
    QFETCH(std::optional<ReasonCode>, expectedError);
    ServerLimits limits = plainLimits();
    limits.topicAliasMaximum = 5;
    Connected c(V5, limits);
    if (setFirst) {
        Publish set = publishPacket(QStringLiteral("long/topic"), QoS::AtMostOnce);
        set.properties.topicAlias = alias;
        const auto delivered = first<DeliverMessage>(c.feed(set, 1));
        QVERIFY(delivered);
        QCOMPARE(delivered->publish.topic, QStringLiteral("long/topic"));
        QVERIFY(!delivered->publish.properties.topicAlias);
    }
    // Built by hand so that any alias value reaches the machine:
    // PUBLISH qos1 | rl=10 | topic "" | pid 5 | props len 3: 0x23 alias | "hi"
    QByteArray bytes = hex("32 0a 0000 0005 03 23");
    bytes.append(char(alias >> 8)).append(char(alias & 0xff)).append("hi");
    const Actions actions = c.feed(bytes, 2);
    if (!expectedError) {
        const auto delivered = first<DeliverMessage>(actions);
        QVERIFY2(delivered, qPrintable(dump(actions)));
        QCOMPARE(delivered->publish.topic, QStringLiteral("long/topic"));
        QCOMPARE(delivered->publish.qos, QoS::AtLeastOnce);
        QCOMPARE(delivered->publish.packetId, std::optional<quint16>(5));
        QVERIFY(!delivered->publish.properties.topicAlias);
        // PacketReceived shows the packet as it came, alias and all
        QCOMPARE(std::get<Publish>(first<PacketReceived>(actions)->packet).properties.topicAlias,
                 std::optional<quint16>(alias));
        return;
    }
    QVERIFY(all<DeliverMessage>(actions).isEmpty());
    const QList<Disconnect> disconnects = sent<Disconnect>(actions);
    QVERIFY2(disconnects.size() == 1, qPrintable(dump(actions)));
    QCOMPARE(disconnects.first().reasonCode, *expectedError);
    QVERIFY(first<CloseConnection>(actions)->publishWill);
}

// ---- Outbound -------------------------------------------------------------------------

void TestSessionMachine::outboundQoS0()
{
    Connected c(V311);
    const Actions actions = c.machine.publish(message(QoS::AtMostOnce, "x"), at(1));
    // PUBLISH qos0 | rl=4 | topic "t" | "x" — no packet id, not queued
    QCOMPARE(sentBytes(actions), hex("30 04 0001 74 78"));
    QVERIFY(c.machine.session().inflight.isEmpty());
    QVERIFY(c.machine.session().queued.empty());
}

void TestSessionMachine::outboundQoS1()
{
    Connected c(V311);
    const Actions sentActions = c.machine.publish(message(QoS::AtLeastOnce, "x"), at(1));
    // PUBLISH qos1 | rl=6 | topic "t" | pid 1 | "x"
    QCOMPARE(sentBytes(sentActions), hex("32 06 0001 74 0001 78"));
    QCOMPARE(c.machine.session().inflight.size(), 1);
    QCOMPARE(c.machine.session().inflight.first().stage, OutboundStage::AwaitingPuback);
    QCOMPARE(c.machine.session().inflight.first().sendCount, quint32(1));

    const Actions acked = c.feed(hex("40 02 0001"), 2); // PUBACK pid 1
    const auto done = first<MessageCompleted>(acked);
    QVERIFY(done);
    QCOMPARE(done->packetId, quint16(1));
    QCOMPARE(done->qos, QoS::AtLeastOnce);
    QVERIFY(c.machine.session().inflight.isEmpty());
}

void TestSessionMachine::outboundQoS2_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1 PUBLISH-PUBREC-PUBREL-PUBCOMP [MQTT-4.3.3-4]") << V311;
    QTest::newRow("5.0 PUBLISH-PUBREC-PUBREL-PUBCOMP [MQTT-4.3.3-4]") << V5;
}

void TestSessionMachine::outboundQoS2()
{
    QFETCH(ProtocolVersion, version);
    Connected c(version);
    const Actions published = c.machine.publish(message(QoS::ExactlyOnce, "x"), at(1));
    const QList<Publish> publishes = sent<Publish>(published);
    QCOMPARE(publishes.size(), 1);
    QCOMPARE(publishes.first().packetId, std::optional<quint16>(1));
    QVERIFY(!publishes.first().dup);
    if (version == V311)
        QCOMPARE(sentBytes(published), hex("34 06 0001 74 0001 78"));

    const Actions rec = c.feed(Pubrec{1, ReasonCode::Success, {}}, 2);
    QVERIFY(all<MessageCompleted>(rec).isEmpty());
    QCOMPARE(sent<Pubrel>(rec).size(), 1);
    if (version == V311)
        QCOMPARE(sentBytes(rec), hex("62 02 0001")); // PUBREL pid 1, flags 0010
    QCOMPARE(c.machine.session().inflight.first().stage, OutboundStage::AwaitingPubcomp);

    const Actions comp = c.feed(Pubcomp{1, ReasonCode::Success, {}}, 3);
    const auto done = first<MessageCompleted>(comp);
    QVERIFY(done);
    QCOMPARE(done->qos, QoS::ExactlyOnce);
    QVERIFY(c.machine.session().inflight.isEmpty());
}

void TestSessionMachine::outboundPubrecFailure()
{
    Connected c(V5);
    c.machine.publish(message(QoS::ExactlyOnce), at(1));
    const Actions rec = c.feed(Pubrec{1, ReasonCode::QuotaExceeded, {}}, 2);
    QVERIFY(sent<Pubrel>(rec).isEmpty());
    const auto done = first<MessageCompleted>(rec);
    QVERIFY(done);
    QCOMPARE(done->reasonCode, ReasonCode::QuotaExceeded);
    QVERIFY(c.machine.session().inflight.isEmpty());
}

void TestSessionMachine::outboundUnknownAcks_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("ack");
    QTest::addColumn<bool>("expectPubrel");
    QTest::newRow("3.1.1 PUBACK unknown: ignored") << V311 << hex("40 02 0009") << false;
    QTest::newRow("3.1.1 PUBREC unknown: ignored") << V311 << hex("50 02 0009") << false;
    QTest::newRow("3.1.1 PUBCOMP unknown: ignored") << V311 << hex("70 02 0009") << false;
    QTest::newRow("5.0 PUBACK unknown: ignored") << V5 << hex("40 02 0009") << false;
    QTest::newRow("5.0 PUBREC unknown: PUBREL 0x92") << V5 << hex("50 02 0009") << true;
}

void TestSessionMachine::outboundUnknownAcks()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, ack);
    QFETCH(bool, expectPubrel);
    Connected c(version);
    const Actions actions = c.feed(ack, 1);
    QVERIFY(!first<CloseConnection>(actions));
    QVERIFY(all<MessageCompleted>(actions).isEmpty());
    const QList<Pubrel> pubrels = sent<Pubrel>(actions);
    QCOMPARE(pubrels.size(), expectPubrel ? 1 : 0);
    if (expectPubrel) {
        QCOMPARE(pubrels.first().packetId, quint16(9));
        QCOMPARE(pubrels.first().reasonCode, ReasonCode::PacketIdentifierNotFound);
    }
}

void TestSessionMachine::packetIdsReusedOnlyAfterRelease()
{
    ServerLimits limits = plainLimits();
    limits.maxInflightOutbound = 3;
    Connected c(V311, limits);
    for (int i = 0; i < 5; ++i)
        c.machine.publish(message(QoS::AtLeastOnce, QByteArray::number(i)), at(1));
    QCOMPARE(c.machine.session().inflight.size(), 3); // window full
    QCOMPARE(c.machine.session().queued.size(), qsizetype(2));

    // Ack out of order: 2 first. The next message takes a fresh id (4), not 2.
    const Actions ack2 = c.feed(hex("40 02 0002"), 2);
    QCOMPARE(first<MessageCompleted>(ack2)->packetId, quint16(2));
    QCOMPARE(sent<Publish>(ack2).first().packetId, std::optional<quint16>(4));
    QCOMPARE(sent<Publish>(ack2).first().payload, QByteArray("3")); // queue drains in order
    // PUBACK for 2 again: unknown now, nothing happens
    QVERIFY(all<SendPacket>(c.feed(hex("40 02 0002"), 3)).isEmpty());

    const Actions ack1 = c.feed(hex("40 02 0001"), 4);
    QCOMPARE(sent<Publish>(ack1).first().packetId, std::optional<quint16>(5));
    QList<quint16> ids;
    for (const OutboundMessage &m : c.machine.session().inflight)
        ids.append(m.packetId);
    QCOMPARE(ids, (QList<quint16>{3, 4, 5}));
}

void TestSessionMachine::packetIdsWrapAndSkipInUse()
{
    // Resume with id 1 still in flight and the counter at 65534: the next ids are 65534,
    // 65535, then 2 — 0 is never used and 1 is skipped while in use [MQTT-2.2.1-3].
    SessionState session;
    OutboundMessage inflight;
    inflight.packetId = 1;
    inflight.message = message(QoS::AtLeastOnce, "old");
    session.inflight.append(inflight);
    session.nextPacketId = 65534;
    Connected c(V311, plainLimits(), {}, session);
    QList<quint16> ids;
    for (int i = 0; i < 3; ++i) {
        const Actions actions = c.machine.publish(message(QoS::AtLeastOnce), at(1));
        ids.append(*sent<Publish>(actions).first().packetId);
    }
    QCOMPARE(ids, (QList<quint16>{65534, 65535, 2}));
}

void TestSessionMachine::clientReceiveMaximumBoundsWindow()
{
    Connect connect = connectPacket(V5);
    connect.properties.receiveMaximum = 2;
    Connected c(V5, plainLimits(), connect);
    for (int i = 0; i < 4; ++i)
        c.machine.publish(message(i % 2 ? QoS::ExactlyOnce : QoS::AtLeastOnce), at(1));
    QCOMPARE(c.machine.session().inflight.size(), 2); // [MQTT-3.3.4-9]
    QCOMPARE(c.machine.session().queued.size(), qsizetype(2));
    // PUBREC moves id 2 on, but a QoS 2 message holds its slot until PUBCOMP.
    QVERIFY(sent<Publish>(c.feed(Pubrec{2, ReasonCode::Success, {}}, 2)).isEmpty());
    QCOMPARE(sent<Publish>(c.feed(Pubcomp{2, ReasonCode::Success, {}}, 3)).size(), 1);
    QCOMPARE(c.machine.session().inflight.size(), 2);
}

void TestSessionMachine::queueFull()
{
    ServerLimits limits = plainLimits();
    limits.maxInflightOutbound = 1;
    limits.maxQueuedMessages = 2;
    Connected c(V311, limits);
    c.machine.publish(message(QoS::AtLeastOnce), at(1)); // in flight
    c.machine.publish(message(QoS::AtLeastOnce), at(1)); // queued
    c.machine.publish(message(QoS::AtLeastOnce), at(1)); // queued
    const Actions actions = c.machine.publish(message(QoS::AtLeastOnce, "late"), at(1));
    const auto dropped = first<MessageDropped>(actions);
    QVERIFY(dropped);
    QCOMPARE(dropped->reason, DropReason::QueueFull);
    QCOMPARE(dropped->message.publish.payload, QByteArray("late"));
    QCOMPARE(c.machine.session().queued.size(), qsizetype(2));
}

void TestSessionMachine::tooLargeForClient()
{
    Connect connect = connectPacket(V5);
    connect.properties.maximumPacketSize = 20;
    Connected c(V5, plainLimits(), connect);
    const Actions big = c.machine.publish(message(QoS::AtLeastOnce, QByteArray(30, 'x')), at(1));
    QVERIFY(all<SendPacket>(big).isEmpty()); // [MQTT-3.1.2-25]
    QCOMPARE(first<MessageDropped>(big)->reason, DropReason::TooLargeForClient);
    QVERIFY(c.machine.session().inflight.isEmpty());
    // the id was not consumed by the dropped message
    const Actions small = c.machine.publish(message(QoS::AtLeastOnce, "ok"), at(2));
    QCOMPARE(sent<Publish>(small).first().packetId, std::optional<quint16>(1));
    QVERIFY(all<SendPacket>(small).first().bytes.size() <= 20);
}

void TestSessionMachine::messageExpiry()
{
    ServerLimits limits = plainLimits();
    limits.maxInflightOutbound = 1;
    Connected c(V5, limits);
    // 1500 ms left → 2 s on the wire (rounded up, never 0 while time remains) [MQTT-3.3.2-6]
    const Actions sendNow = c.machine.publish(message(QoS::AtLeastOnce, "a", at(11'500)), at(10'000));
    QCOMPARE(sent<Publish>(sendNow).first().properties.messageExpiryInterval, std::optional<quint32>(2));

    // Already expired: dropped, never sent [MQTT-3.3.2-5]
    const Actions stale = c.machine.publish(message(QoS::AtMostOnce, "b", at(10'000)), at(10'000));
    QCOMPARE(first<MessageDropped>(stale)->reason, DropReason::Expired);
    QVERIFY(all<SendPacket>(stale).isEmpty());

    // Queued behind the window and expired while waiting: dropped when its turn comes;
    // the next one goes out with what is left of its own interval.
    c.machine.publish(message(QoS::AtLeastOnce, "c", at(12'000)), at(10'000));
    c.machine.publish(message(QoS::AtLeastOnce, "d", at(40'000)), at(10'000));
    const Actions acked = c.feed(Puback{1, ReasonCode::Success, {}}, 20'000);
    const QList<MessageDropped> dropped = all<MessageDropped>(acked);
    QCOMPARE(dropped.size(), 1);
    QCOMPARE(dropped.first().message.publish.payload, QByteArray("c"));
    QCOMPARE(dropped.first().reason, DropReason::Expired);
    const QList<Publish> publishes = sent<Publish>(acked);
    QCOMPARE(publishes.size(), 1);
    QCOMPARE(publishes.first().payload, QByteArray("d"));
    QCOMPARE(publishes.first().properties.messageExpiryInterval, std::optional<quint32>(20));
}

void TestSessionMachine::publishBeforeAcceptIsQueued()
{
    SessionMachine machine(plainLimits());
    machine.start(at(0));
    QVERIFY(all<SendPacket>(machine.publish(message(QoS::AtLeastOnce, "early"), at(0))).isEmpty());
    machine.onBytes(wire(connectPacket(V311), V311), at(0));
    QVERIFY(all<SendPacket>(machine.publish(message(QoS::AtMostOnce, "early0"), at(0))).isEmpty());
    SessionState session;
    session.queued.push_back(message(QoS::AtLeastOnce, "stored"));
    const Actions accepted = machine.acceptConnect({}, session, at(1));
    const QList<Publish> publishes = sent<Publish>(accepted);
    QCOMPARE(publishes.size(), 3);
    // the session's own queue first, then what arrived for this connection meanwhile
    QCOMPARE(publishes[0].payload, QByteArray("stored"));
    QCOMPARE(publishes[1].payload, QByteArray("early"));
    QCOMPARE(publishes[2].payload, QByteArray("early0"));
}

void TestSessionMachine::resumeResendsWithDupThenDrains()
{
    ServerLimits limits = plainLimits();
    limits.maxInflightOutbound = 3;
    Connected a(V311, limits, connectPacket(V311, 2, false));
    a.machine.publish(message(QoS::AtLeastOnce, "one"), at(1));   // id 1
    a.machine.publish(message(QoS::ExactlyOnce, "two"), at(1));   // id 2
    a.machine.publish(message(QoS::AtLeastOnce, "three"), at(1)); // id 3
    a.machine.publish(message(QoS::AtLeastOnce, "four"), at(1));  // queued
    a.machine.publish(message(QoS::AtLeastOnce, "five"), at(1));  // queued
    a.feed(hex("50 02 0002"), 2);  // PUBREC 2 → PUBREL 2 sent, awaiting PUBCOMP
    a.feed(hex("62 02 0000"), 3);  // PUBREL with id 0: malformed, connection lost
    QCOMPARE(a.machine.stage(), ConnectionStage::Closed);
    const SessionState session = a.machine.takeSession();
    QCOMPARE(session.inflight.size(), 3);
    QCOMPARE(session.queued.size(), qsizetype(2));

    ConnectAcceptance acceptance;
    acceptance.sessionPresent = true;
    Connected b(V311, limits, connectPacket(V311, 2, false), session, acceptance);
    // CONNACK SP=1 | PUBLISH qos1 DUP pid 1 "one" | PUBREL pid 2 | PUBLISH qos1 DUP pid 3
    QCOMPARE(sentBytes(b.acceptActions),
             hex("20 02 01 00"
                 "3a 08 0001 74 0001 6f6e65"
                 "62 02 0002"
                 "3a 0a 0001 74 0003 7468726565"));
    QCOMPARE(b.machine.session().inflight.first().sendCount, quint32(2)); // redelivered

    // Then the queue drains, in order, with fresh ids, as slots free up.
    const Actions ack = b.feed(hex("40 02 0001"), 5);
    QCOMPARE(sentBytes(ack), hex("32 09 0001 74 0004 666f7572")); // "four" pid 4, DUP=0
    const Actions comp = b.feed(hex("70 02 0002"), 6);
    QCOMPARE(first<MessageCompleted>(comp)->qos, QoS::ExactlyOnce);
    QCOMPARE(sent<Publish>(comp).first().payload, QByteArray("five"));
    QCOMPARE(sent<Publish>(comp).first().packetId, std::optional<quint16>(5));
}

void TestSessionMachine::resumeHeldBackByWindow()
{
    // The client now allows 1 in flight: the second resend waits for the first's ack.
    SessionState session;
    for (quint16 id : {7, 9}) {
        OutboundMessage m;
        m.packetId = id;
        m.message = message(QoS::AtLeastOnce, QByteArray::number(id));
        m.sendCount = 1;
        session.inflight.append(m);
    }
    Connect connect = connectPacket(V5, 2, false);
    connect.properties.receiveMaximum = 1;
    Connected c(V5, plainLimits(), connect, session);
    QList<Publish> publishes = sent<Publish>(c.acceptActions);
    QCOMPARE(publishes.size(), 1);
    QCOMPARE(publishes.first().packetId, std::optional<quint16>(7));
    QVERIFY(publishes.first().dup);
    publishes = sent<Publish>(c.feed(Puback{7, ReasonCode::Success, {}}, 1));
    QCOMPARE(publishes.size(), 1);
    QCOMPARE(publishes.first().packetId, std::optional<quint16>(9));
    QVERIFY(publishes.first().dup);
}

// ---- SUBSCRIBE / UNSUBSCRIBE --------------------------------------------------------

void TestSessionMachine::subscribeFlow_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QList<ReasonCode>>("engineCodes");
    QTest::addColumn<QByteArray>("subackWire");
    QTest::newRow("3.1.1 granted QoS 1 [MQTT-3.8.4-1]")
            << V311 << QList<ReasonCode>{ReasonCode::GrantedQoS1} << hex("90 03 0001 01");
    QTest::newRow("3.1.1 refusal becomes 0x80 [MQTT-3.9.3-2]")
            << V311 << QList<ReasonCode>{ReasonCode::NotAuthorized} << hex("90 03 0001 80");
    QTest::newRow("5.0 not authorized 0x87")
            << V5 << QList<ReasonCode>{ReasonCode::NotAuthorized} << hex("90 04 0001 00 87");
}

void TestSessionMachine::subscribeFlow()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QList<ReasonCode>, engineCodes);
    QFETCH(QByteArray, subackWire);
    Connected c(version);
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {TopicSubscription{QStringLiteral("a/b"), {QoS::AtLeastOnce}}};
    const Actions requested = c.feed(subscribe, 1);
    const auto request = first<SubscribeRequested>(requested);
    QVERIFY2(request, qPrintable(dump(requested)));
    QCOMPARE(request->subscribe.subscriptions.size(), 1);
    QVERIFY(all<SendPacket>(requested).isEmpty());
    QCOMPARE(sentBytes(c.machine.completeSubscribe(1, engineCodes)), subackWire);
}

void TestSessionMachine::malformedFilterClosesConnection_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<bool>("unsubscribe");
    QTest::addColumn<QString>("filter");
    struct BadFilter {
        const char *filter;
        const char *rule5;   ///< the wildcard or length rule, 5.0
        const char *rule311; ///< the same rule, 3.1.1
    };
    const BadFilter filters[] = {
        {"a/#/b", "MQTT-4.7.1-1", "MQTT-4.7.1-2"}, // '#' not the last level
        {"#/x", "MQTT-4.7.1-1", "MQTT-4.7.1-2"},
        {"a/b#", "MQTT-4.7.1-1", "MQTT-4.7.1-2"},  // '#' not a whole level
        {"a+/b", "MQTT-4.7.1-2", "MQTT-4.7.1-3"},  // '+' not a whole level
        {"", "MQTT-4.7.3-1", "MQTT-4.7.3-1"},      // empty
    };
    for (const bool unsubscribe : {false, true}) {
        const char *packet = unsubscribe ? "UNSUBSCRIBE" : "SUBSCRIBE";
        for (const BadFilter &bad : filters) {
            QTest::addRow("5.0 %s \"%s\" [%s] -> DISCONNECT 0x82 [MQTT-4.13.1-1]", packet,
                          bad.filter, bad.rule5)
                    << V5 << unsubscribe << QString::fromLatin1(bad.filter);
            QTest::addRow("3.1.1 %s \"%s\" [%s] -> close [MQTT-4.8.0-1]", packet, bad.filter,
                          bad.rule311)
                    << V311 << unsubscribe << QString::fromLatin1(bad.filter);
        }
    }
}

void TestSessionMachine::malformedFilterClosesConnection()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(bool, unsubscribe);
    QFETCH(QString, filter);
    Connected c(version);
    // A good filter first: one bad filter makes the whole packet a protocol error.
    const QString good = QStringLiteral("x/y");
    Packet packet;
    if (unsubscribe) {
        packet = Unsubscribe{1, {good, filter}, {}};
    } else {
        Subscribe subscribe;
        subscribe.packetId = 1;
        subscribe.subscriptions = {TopicSubscription{good, {QoS::AtLeastOnce}},
                                   TopicSubscription{filter, {QoS::AtLeastOnce}}};
        packet = subscribe;
    }
    const Actions actions = c.feed(packet, 1);
    QVERIFY2(!first<SubscribeRequested>(actions) && !first<UnsubscribeRequested>(actions),
             qPrintable(dump(actions)));
    QVERIFY2(sent<Suback>(actions).isEmpty() && sent<Unsuback>(actions).isEmpty(),
             qPrintable(dump(actions)));
    const auto close = first<CloseConnection>(actions);
    QVERIFY2(close, qPrintable(dump(actions)));
    QCOMPARE(close->reason, CloseReason::ProtocolError);
    QVERIFY(close->publishWill); // not a normal disconnect [MQTT-3.1.2-8]
    if (version == V5) {
        QCOMPARE(sentBytes(actions), hex("e0 01 82")); // DISCONNECT Protocol Error
        QCOMPARE(close->reasonCode, std::optional<ReasonCode>(ReasonCode::ProtocolError));
    } else {
        QCOMPARE(sentBytes(actions), QByteArray()); // 3.1.1 has no DISCONNECT from the server
    }
    QCOMPARE(c.machine.stage(), ConnectionStage::Closed);
}

void TestSessionMachine::subscribeUnavailableFeatures()
{
    ServerLimits limits = plainLimits();
    limits.wildcardSubscriptionAvailable = false;
    limits.sharedSubscriptionAvailable = false;
    Connected c(V5, limits);
    Subscribe subscribe;
    subscribe.packetId = 3;
    subscribe.subscriptions = {TopicSubscription{QStringLiteral("a/+"), {}},
                               TopicSubscription{QStringLiteral("$share/g/a"), {}},
                               TopicSubscription{QStringLiteral("a/b"), {}}};
    const auto request = first<SubscribeRequested>(c.feed(subscribe, 1));
    QVERIFY(request);
    QCOMPARE(request->subscribe.subscriptions.size(), 1);
    const QList<Suback> subacks = sent<Suback>(c.machine.completeSubscribe(3, {ReasonCode::GrantedQoS0}));
    QCOMPARE(subacks.first().reasonCodes,
             (QList<ReasonCode>{ReasonCode::WildcardSubscriptionsNotSupported,
                                ReasonCode::SharedSubscriptionsNotSupported, ReasonCode::GrantedQoS0}));
}

void TestSessionMachine::unsubscribeFlow_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("unsubackWire");
    QTest::newRow("3.1.1 UNSUBACK has no codes") << V311 << hex("b0 02 0001");
    QTest::newRow("5.0 UNSUBACK no subscription existed 0x11") << V5 << hex("b0 04 0001 00 11");
}

void TestSessionMachine::unsubscribeFlow()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, unsubackWire);
    Connected c(version);
    Unsubscribe unsubscribe;
    unsubscribe.packetId = 1;
    unsubscribe.filters = {QStringLiteral("a/b")};
    const auto request = first<UnsubscribeRequested>(c.feed(unsubscribe, 1));
    QVERIFY(request);
    QCOMPARE(request->unsubscribe.filters, QStringList{QStringLiteral("a/b")});
    QCOMPARE(sentBytes(c.machine.completeUnsubscribe(1, {ReasonCode::NoSubscriptionExisted})), unsubackWire);
}

// ---- Errors and closes ------------------------------------------------------------------

void TestSessionMachine::malformedAfterConnect_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<ReasonCode>("expected");
    // PUBREL with flags 0000 instead of 0010 [MQTT-3.6.1-1]
    QTest::newRow("5.0 PUBREL bad flags → 0x81") << V5 << hex("60 02 0001") << ReasonCode::MalformedPacket;
    // PUBLISH with QoS bits 11 [MQTT-3.3.1-4]
    QTest::newRow("5.0 PUBLISH QoS 3 → 0x81") << V5 << hex("36 08 0001 61 0001 00 6869")
                                              << ReasonCode::MalformedPacket;
    // remaining length with a fifth continuation byte [MQTT-1.5.5-1]
    QTest::newRow("5.0 5-byte remaining length → 0x81") << V5 << hex("30 ff ff ff ff 7f")
                                                        << ReasonCode::MalformedPacket;
    // 0x10000 bytes announced while our maximum is 1000
    QTest::newRow("5.0 above maximum packet size → 0x95") << V5 << hex("30 80 80 04")
                                                          << ReasonCode::PacketTooLarge;
    QTest::newRow("3.1.1 PUBREL bad flags: close, no packet") << V311 << hex("60 02 0001")
                                                              << ReasonCode::MalformedPacket;
}

void TestSessionMachine::malformedAfterConnect()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, bytes);
    QFETCH(ReasonCode, expected);
    ServerLimits limits = plainLimits();
    limits.maximumPacketSize = 1000;
    Connected c(version, limits);
    const Actions actions = c.feed(bytes, 1);
    QVERIFY(all<PacketReceived>(actions).isEmpty());
    const auto close = first<CloseConnection>(actions);
    QVERIFY2(close, qPrintable(dump(actions)));
    QCOMPARE(close->reason, CloseReason::ProtocolError);
    QCOMPARE(close->reasonCode, std::optional(expected));
    QVERIFY(close->publishWill);
    QVERIFY(std::holds_alternative<CloseConnection>(actions.back()));
    if (version == V5) {
        const QByteArray out = sentBytes(actions);
        QVERIFY2(out.startsWith(char(0xe0)) && quint8(out.at(2)) == quint8(expected), out.toHex().constData());
    } else {
        QVERIFY(all<SendPacket>(actions).isEmpty());
    }
}

void TestSessionMachine::secondConnect_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("3.1.1 closes [MQTT-3.1.0-2]") << V311;
    QTest::newRow("5.0 DISCONNECT 0x82 [MQTT-3.1.0-2]") << V5;
}

void TestSessionMachine::secondConnect()
{
    QFETCH(ProtocolVersion, version);
    Connected c(version);
    const Actions actions = c.feed(connectPacket(version), 1);
    QVERIFY(!first<ConnectRequested>(actions));
    const auto close = first<CloseConnection>(actions);
    QVERIFY(close);
    QCOMPARE(close->reason, CloseReason::ProtocolError);
    QCOMPARE(close->reasonCode, std::optional(ReasonCode::ProtocolError));
    QCOMPARE(sent<Disconnect>(actions).size(), version == V5 ? 1 : 0);
}

void TestSessionMachine::willOnEachClose_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QString>("how");
    QTest::addColumn<CloseReason>("reason");
    QTest::addColumn<bool>("publishWill");

    QTest::newRow("3.1.1 DISCONNECT deletes the Will [MQTT-3.1.2-10]")
            << V311 << "disconnect:00" << CloseReason::ClientDisconnect << false;
    QTest::newRow("5.0 DISCONNECT 0x00 deletes the Will [MQTT-3.1.2-8]")
            << V5 << "disconnect:00" << CloseReason::ClientDisconnect << false;
    QTest::newRow("5.0 DISCONNECT 0x04 keeps the Will")
            << V5 << "disconnect:04" << CloseReason::ClientDisconnect << true;
    QTest::newRow("5.0 DISCONNECT 0x80 keeps the Will")
            << V5 << "disconnect:80" << CloseReason::ClientDisconnect << true;
    QTest::newRow("peer closed without DISCONNECT [MQTT-3.1.2-8]")
            << V311 << "socket:peer" << CloseReason::PeerClosed << true;
    QTest::newRow("socket error") << V5 << "socket:error" << CloseReason::SocketError << true;
    QTest::newRow("keep-alive timeout") << V311 << "keepalive" << CloseReason::KeepAliveTimeout << true;
    QTest::newRow("protocol error") << V5 << "malformed" << CloseReason::ProtocolError << true;
    QTest::newRow("taken over [MQTT-3.1.4-3]") << V5 << "server:taken" << CloseReason::TakenOver << true;
    QTest::newRow("kicked by an operator") << V311 << "server:kicked" << CloseReason::Kicked << true;
    QTest::newRow("server shutdown") << V5 << "server:shutdown" << CloseReason::ServerShutdown << true;
}

void TestSessionMachine::willOnEachClose()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QString, how);
    QFETCH(CloseReason, reason);
    QFETCH(bool, publishWill);
    Connect connect = connectPacket(version);
    connect.will = Will{QStringLiteral("will"), "gone", QoS::AtMostOnce, false, {}};
    Connected c(version, plainLimits(), connect);

    Actions actions;
    if (how.startsWith(QLatin1String("disconnect:"))) {
        const auto code = ReasonCode(how.mid(11).toUInt(nullptr, 16));
        actions = c.feed(Disconnect{code, {}}, 1);
    } else if (how == QLatin1String("socket:peer")) {
        actions = c.machine.socketClosed(CloseReason::PeerClosed, at(1));
    } else if (how == QLatin1String("socket:error")) {
        actions = c.machine.socketClosed(CloseReason::SocketError, at(1));
    } else if (how == QLatin1String("keepalive")) {
        actions = c.machine.onTimerFired(TimerKind::KeepAlive, at(3000));
    } else if (how == QLatin1String("malformed")) {
        actions = c.feed(hex("60 02 0001"), 1);
    } else if (how == QLatin1String("server:taken")) {
        actions = c.machine.disconnect(ReasonCode::SessionTakenOver, CloseReason::TakenOver, at(1));
    } else if (how == QLatin1String("server:kicked")) {
        actions = c.machine.disconnect(ReasonCode::AdministrativeAction, CloseReason::Kicked, at(1));
    } else if (how == QLatin1String("server:shutdown")) {
        actions = c.machine.disconnect(ReasonCode::ServerShuttingDown, CloseReason::ServerShutdown, at(1));
    }
    const auto close = first<CloseConnection>(actions);
    QVERIFY2(close, qPrintable(dump(actions)));
    QCOMPARE(close->reason, reason);
    QCOMPARE(close->publishWill, publishWill);
    QCOMPARE(c.machine.stage(), ConnectionStage::Closed);
    if (how.startsWith(QLatin1String("server:"))) {
        // v5 says why [MQTT-3.14.2-1]; 3.x has no server DISCONNECT
        QCOMPARE(sent<Disconnect>(actions).size(), version == V5 ? 1 : 0);
    }
    // The socket closing afterwards adds nothing.
    QVERIFY(c.machine.socketClosed(CloseReason::PeerClosed, at(2)).empty());
}

void TestSessionMachine::disconnectSessionExpiryRule()
{
    // CONNECT had no Session Expiry Interval (0): a DISCONNECT setting one is a protocol
    // error and not a valid DISCONNECT, so the Will stays [MQTT-3.14.2-2].
    Connected c(V5);
    Disconnect disconnect;
    disconnect.properties.sessionExpiryInterval = 60;
    const Actions bad = c.feed(disconnect, 1);
    QCOMPARE(sent<Disconnect>(bad).first().reasonCode, ReasonCode::ProtocolError);
    QCOMPARE(first<CloseConnection>(bad)->reason, CloseReason::ProtocolError);
    QVERIFY(first<CloseConnection>(bad)->publishWill);

    // With a non-zero one in CONNECT, the DISCONNECT's value is handed to the engine.
    Connect connect = connectPacket(V5);
    connect.properties.sessionExpiryInterval = 10;
    Connected ok(V5, plainLimits(), connect);
    const Actions good = ok.feed(disconnect, 1);
    const auto close = first<CloseConnection>(good);
    QCOMPARE(close->reason, CloseReason::ClientDisconnect);
    QCOMPARE(close->sessionExpiryInterval, std::optional<quint32>(60));
    QCOMPARE(close->reasonCode, std::optional(ReasonCode::NormalDisconnection));
    QVERIFY(all<SendPacket>(good).isEmpty());
}

void TestSessionMachine::disconnectBeforeAccept()
{
    // No DISCONNECT before a successful CONNACK [MQTT-3.14.0-1]: a refusing CONNACK instead,
    // and no Will for a connection never accepted.
    SessionMachine machine(plainLimits());
    machine.start(at(0));
    machine.onBytes(wire(connectPacket(V5), V5), at(0));
    const Actions actions = machine.disconnect(ReasonCode::ServerShuttingDown, CloseReason::ServerShutdown, at(1));
    QCOMPARE(sentBytes(actions), hex("20 03 00 88 00")); // CONNACK 0x88 server unavailable
    QVERIFY(!first<CloseConnection>(actions)->publishWill);

    SessionMachine waiting;
    waiting.start(at(0));
    const Actions early = waiting.socketClosed(CloseReason::PeerClosed, at(1));
    QVERIFY(!first<CloseConnection>(early)->publishWill);
}

void TestSessionMachine::closedMachineIsSilent()
{
    Connected c(V5);
    c.machine.socketClosed(CloseReason::PeerClosed, at(1));
    QVERIFY(c.feed(hex("c0 00"), 2).empty());
    QVERIFY(c.machine.onTimerFired(TimerKind::KeepAlive, at(10'000)).empty());
    QVERIFY(c.machine.publish(message(QoS::AtLeastOnce), at(3)).empty());
    QVERIFY(c.machine.acknowledgeInbound(1).empty());
    QVERIFY(c.machine.completeSubscribe(1, {ReasonCode::GrantedQoS0}).empty());
    QVERIFY(c.machine.completeUnsubscribe(1, {ReasonCode::Success}).empty());
    QVERIFY(c.machine.disconnect(ReasonCode::AdministrativeAction, CloseReason::Kicked, at(4)).empty());
    QVERIFY(c.machine.sendAuth(Auth{}).empty());
    QVERIFY(c.machine.socketClosed(CloseReason::SocketError, at(5)).empty());
    QVERIFY(c.machine.acceptConnect({}, {}, at(6)).empty());
}

void TestSessionMachine::authExchange()
{
    // Enhanced authentication before CONNACK: AUTH is processed while the engine decides.
    SessionMachine machine(plainLimits());
    machine.start(at(0));
    Connect connect = connectPacket(V5);
    connect.properties.authenticationMethod = QStringLiteral("SCRAM-SHA-1");
    machine.onBytes(wire(connect, V5), at(0));
    Auth challenge;
    challenge.reasonCode = ReasonCode::ContinueAuthentication;
    challenge.properties.authenticationMethod = QStringLiteral("SCRAM-SHA-1");
    challenge.properties.authenticationData = QByteArray("server-first");
    QCOMPARE(sent<Auth>(machine.sendAuth(challenge)).size(), 1);
    Auth response = challenge;
    response.properties.authenticationData = QByteArray("client-final");
    const Actions received = machine.onBytes(wire(response, V5), at(1));
    const auto auth = first<AuthReceived>(received);
    QVERIFY2(auth, qPrintable(dump(received)));
    QCOMPARE(auth->auth.properties.authenticationData, std::optional(QByteArray("client-final")));
    QCOMPARE(machine.stage(), ConnectionStage::AwaitingDecision);
}

void TestSessionMachine::problemInformationSuppressed()
{
    // Request Problem Information 0: no Reason String / User Properties on a SUBACK
    // [MQTT-3.1.2-29].
    Connect connect = connectPacket(V5);
    connect.properties.requestProblemInformation = 0;
    Connected c(V5, plainLimits(), connect);
    Subscribe subscribe;
    subscribe.packetId = 4;
    subscribe.subscriptions = {TopicSubscription{QStringLiteral("a"), {}}};
    c.feed(subscribe, 1);
    Properties properties;
    properties.reasonString = QStringLiteral("why");
    properties.userProperties = {{QStringLiteral("k"), QStringLiteral("v")}};
    const QList<Suback> subacks = sent<Suback>(c.machine.completeSubscribe(4, {ReasonCode::NotAuthorized}, properties));
    QCOMPARE(subacks.size(), 1);
    QVERIFY(subacks.first().properties.isEmpty());
}

HERMES_TEST_APPLESS_MAIN(TestSessionMachine)
#include "tst_sessionmachine.moc"
