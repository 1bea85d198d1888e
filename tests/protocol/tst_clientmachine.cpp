// Tests of the sans-I/O MQTT client machine: a fake clock, hand-written server bytes in,
// actions (and wire bytes annotated field by field) out.

#include "../common/testmain.h"
#include "mqtt/clientmachine.h"

#include <QtTest>

#include <type_traits>

using namespace hermes::mqtt;
using namespace hermes::mqtt::client;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(hermes::mqtt::Connect)
Q_DECLARE_METATYPE(hermes::mqtt::Publish)
Q_DECLARE_METATYPE(hermes::mqtt::ReasonCode)
Q_DECLARE_METATYPE(hermes::mqtt::client::SubmitError)
Q_DECLARE_METATYPE(std::optional<quint16>)

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

QString timerName(TimerKind kind)
{
    switch (kind) {
    case TimerKind::ConnackTimeout:
        return QStringLiteral("ConnackTimeout");
    case TimerKind::Ping:
        return QStringLiteral("Ping");
    case TimerKind::PingResponseTimeout:
        return QStringLiteral("PingResponseTimeout");
    }
    return {};
}

QString code(ReasonCode c)
{
    return QStringLiteral("0x%1").arg(quint8(c), 2, 16, QLatin1Char('0'));
}

/// One short line per action so that a whole batch compares as a QStringList and a
/// failure prints the sequence.
QString summary(const Action &action)
{
    return std::visit(
            [](const auto &a) -> QString {
                using T = std::decay_t<decltype(a)>;
                if constexpr (std::is_same_v<T, SendPacket>)
                    return QStringLiteral("send ") + packetTypeName(packetType(a.packet));
                else if constexpr (std::is_same_v<T, ArmTimer>)
                    return QStringLiteral("arm %1 %2").arg(timerName(a.kind)).arg(a.after.count());
                else if constexpr (std::is_same_v<T, CancelTimer>)
                    return QStringLiteral("cancel ") + timerName(a.kind);
                else if constexpr (std::is_same_v<T, PacketReceived>)
                    return QStringLiteral("packet ") + packetTypeName(packetType(a.packet));
                else if constexpr (std::is_same_v<T, Connected>)
                    return QStringLiteral("connected sp=%1").arg(a.connack.sessionPresent);
                else if constexpr (std::is_same_v<T, ConnectionRefused>)
                    return QStringLiteral("refused ") + code(a.reasonCode);
                else if constexpr (std::is_same_v<T, MessageReceived>)
                    return QStringLiteral("message %1").arg(a.publish.topic);
                else if constexpr (std::is_same_v<T, PublishCompleted>)
                    return QStringLiteral("completed %1 %2%3")
                            .arg(a.packetId)
                            .arg(code(a.reasonCode), a.discarded ? QStringLiteral(" discarded") : QString());
                else if constexpr (std::is_same_v<T, Subscribed>)
                    return QStringLiteral("subscribed %1").arg(a.packetId);
                else if constexpr (std::is_same_v<T, Unsubscribed>)
                    return QStringLiteral("unsubscribed %1").arg(a.packetId);
                else if constexpr (std::is_same_v<T, PongReceived>)
                    return QStringLiteral("pong %1").arg(a.rtt.count());
                else if constexpr (std::is_same_v<T, AuthReceived>)
                    return QStringLiteral("auth");
                else if constexpr (std::is_same_v<T, Closed>)
                    return QStringLiteral("closed %1%2")
                            .arg(closeReasonName(a.reason),
                                 a.reasonCode ? QStringLiteral(" ") + code(*a.reasonCode) : QString());
            },
            action);
}

QStringList summaries(const Actions &actions)
{
    QStringList out;
    for (const Action &a : actions)
        out << summary(a);
    return out;
}

/// The bytes of every SendPacket, in order.
QList<QByteArray> wire(const Actions &actions)
{
    QList<QByteArray> out;
    for (const Action &a : actions) {
        if (const auto *send = std::get_if<SendPacket>(&a))
            out << send->bytes;
    }
    return out;
}

template<class T>
QList<T> all(const Actions &actions)
{
    QList<T> out;
    for (const Action &a : actions) {
        if (const auto *x = std::get_if<T>(&a))
            out << *x;
    }
    return out;
}

template<class T>
QList<T> sentPackets(const Actions &actions)
{
    QList<T> out;
    for (const Action &a : actions) {
        if (const auto *send = std::get_if<SendPacket>(&a)) {
            if (const auto *p = std::get_if<T>(&send->packet))
                out << *p;
        }
    }
    return out;
}

Connect makeConnect(ProtocolVersion version, quint16 keepAlive = 60)
{
    Connect c;
    c.version = version;
    c.clientId = QStringLiteral("c1");
    c.keepAliveSeconds = keepAlive;
    return c;
}

Publish makePublish(QoS qos, const QString &topic = QStringLiteral("a/b"),
                    const QByteArray &payload = "hi")
{
    Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos;
    return p;
}

// CONNACK accepting, no session present: type 2, rl, flags 00, rc 00 (v5: property length 00).
const char *const Connack311 = "20 02 00 00";
const char *const Connack5 = "20 03 00 00 00";

} // namespace

class TestClientMachine : public QObject
{
    Q_OBJECT

private:
    /// A machine that sent CONNECT at t=0 and received `connack` at t=0.
    static ClientMachine connected(Connect connect, const char *connack, ClientConfig config = {},
                                   SessionState session = {})
    {
        ClientMachine m(std::move(connect), config, std::move(session));
        m.start(0ms);
        const Actions actions = m.onBytes(hex(connack), 0ms);
        Q_ASSERT(m.stage() == ConnectionStage::Connected);
        Q_UNUSED(actions);
        return m;
    }

private slots:
    // ---- CONNECT / CONNACK ------------------------------------------------------------
    void connectBytes_data();
    void connectBytes();
    void connackAccepted_data();
    void connackAccepted();
    void connackRefused_data();
    void connackRefused();
    void connackTimeout();
    void packetBeforeConnack_data();
    void packetBeforeConnack();
    void sessionPresentAfterCleanStart();
    void bytesInAnySplit();

    // ---- keep-alive -------------------------------------------------------------------
    void autoPingAfterSendSilence();
    void pingResponseTimeout();
    void serverKeepAliveOverrides();
    void manualPingWithAutoPingOff();
    void keepAliveZeroArmsNothing();

    // ---- outbound QoS -----------------------------------------------------------------
    void qos0Outbound();
    void qos1Outbound();
    void qos2Outbound();
    void pubrecErrorEndsQos2Flow();
    void receiveMaximumQueuesLocally();
    void publishBeforeConnackIsQueued();
    void serverLimitsRefusePublish_data();
    void serverLimitsRefusePublish();
    void packetIdsSkipInUseAndWrap();

    // ---- inbound QoS ------------------------------------------------------------------
    void qos1InboundAckedAfterDelivery_data();
    void qos1InboundAckedAfterDelivery();
    void qos2InboundDeliveredOnce();
    void pubrelForUnknownId();
    void inboundReceiveMaximumExceeded();

    // ---- topic aliases ----------------------------------------------------------------
    void topicAliasResolved();
    void topicAliasInvalid_data();
    void topicAliasInvalid();

    // ---- sessions ---------------------------------------------------------------------
    void resumeWithDup();
    void sessionNotPresentDiscards();
    void cleanStartDiscardsAtStart();

    // ---- subscribe --------------------------------------------------------------------
    void subscribeAndUnsubscribe();
    void subscribeBeforeConnack();
    void invalidFiltersRefused();

    // ---- closing ----------------------------------------------------------------------
    void serverDisconnect();
    void serverDisconnectIn311IsProtocolError();
    void malformedFromServer_data();
    void malformedFromServer();
    void clientDisconnect_data();
    void clientDisconnect();
    void socketClosedKeepsSession();
    void reportPackets();
    void randomBytesNeverBreakTheMachine();
};

// ---- CONNECT / CONNACK --------------------------------------------------------------

void TestClientMachine::connectBytes_data()
{
    QTest::addColumn<Connect>("connect");
    QTest::addColumn<QByteArray>("wire");

    QTest::newRow("3.1 MQIsdp level 3, clean session, keep-alive 60")
            << makeConnect(ProtocolVersion::V3_1)
            << hex("10 10"            // CONNECT, remaining length 16
                   "0006 4d5149736470" // protocol name "MQIsdp"
                   "03"                // protocol level 3
                   "02"                // flags: clean session
                   "003c"              // keep-alive 60
                   "0002 6331");       // client id "c1"
    QTest::newRow("3.1.1 MQTT level 4, clean session [MQTT-3.1.2-2]")
            << makeConnect(ProtocolVersion::V3_1_1)
            << hex("10 0e"       // CONNECT, remaining length 14
                   "0004 4d515454" // "MQTT"
                   "04"          // level 4
                   "02"          // clean session
                   "003c"        // keep-alive 60
                   "0002 6331"); // "c1"

    Connect withWill = makeConnect(ProtocolVersion::V3_1_1);
    withWill.clientId = QStringLiteral("c");
    withWill.will = Will{QStringLiteral("w"), "x", QoS::AtLeastOnce, false, {}};
    withWill.userName = QStringLiteral("u");
    withWill.password = "p";
    QTest::newRow("3.1.1 will QoS 1 and credentials [MQTT-3.1.2-9]")
            << withWill
            << hex("10 19"       // CONNECT, remaining length 25
                   "0004 4d515454 04"
                   "ce"          // user name 80 | password 40 | will QoS 1 08 | will 04 | clean 02
                   "003c"
                   "0001 63"     // client id "c"
                   "0001 77"     // will topic "w"
                   "0001 78"     // will payload "x"
                   "0001 75"     // user name "u"
                   "0001 70");   // password "p"

    QTest::newRow("5.0 level 5, empty properties")
            << makeConnect(ProtocolVersion::V5)
            << hex("10 0f"       // CONNECT, remaining length 15
                   "0004 4d515454"
                   "05"          // level 5
                   "02"          // clean start
                   "003c"
                   "00"          // property length 0
                   "0002 6331");

    Connect v5 = makeConnect(ProtocolVersion::V5, 30);
    v5.clientId = QStringLiteral("c");
    v5.cleanStart = false;
    v5.properties.sessionExpiryInterval = 120;
    v5.properties.receiveMaximum = 10;
    QTest::newRow("5.0 session expiry and receive maximum, clean start 0")
            << v5
            << hex("10 16"          // CONNECT, remaining length 22
                   "0004 4d515454 05"
                   "00"             // no flags
                   "001e"           // keep-alive 30
                   "08"             // property length 8
                   "11 00000078"    // session expiry interval 120
                   "21 000a"        // receive maximum 10
                   "0001 63");
}

void TestClientMachine::connectBytes()
{
    QFETCH(Connect, connect);
    QFETCH(QByteArray, wire);

    ClientMachine m(connect);
    QCOMPARE(m.stage(), ConnectionStage::Idle);
    const Actions actions = m.start(5ms);
    QCOMPARE(summaries(actions), (QStringList{"send CONNECT", "arm ConnackTimeout 10000"}));
    QCOMPARE(::wire(actions).value(0).toHex(' '), wire.toHex(' '));
    QCOMPARE(m.stage(), ConnectionStage::Connecting);
    QCOMPARE(m.lastSentAt(), 5ms);
    QVERIFY(m.start(6ms).empty()); // only once
}

void TestClientMachine::connackAccepted_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QByteArray>("connack");
    QTest::newRow("3.1") << int(ProtocolVersion::V3_1) << hex("20 02 00 00");
    QTest::newRow("3.1.1") << int(ProtocolVersion::V3_1_1) << hex(Connack311);
    QTest::newRow("5.0 with assigned client id") << int(ProtocolVersion::V5)
                                                  << hex("20 08 00 00" // CONNACK rl 8, flags, rc
                                                         "05"          // property length 5
                                                         "12 0002 6964"); // assigned id "id"
}

void TestClientMachine::connackAccepted()
{
    QFETCH(int, version);
    QFETCH(QByteArray, connack);

    ClientMachine m(makeConnect(ProtocolVersion(version)));
    m.start(0ms);
    const Actions actions = m.onBytes(connack, 100ms);
    // Ping is armed for T after the CONNECT was sent (t=0), not after the CONNACK.
    QCOMPARE(summaries(actions),
             (QStringList{"cancel ConnackTimeout", "arm Ping 59900", "connected sp=0"}));
    QCOMPARE(m.stage(), ConnectionStage::Connected);
    QCOMPARE(m.keepAliveSeconds(), quint16(60));
    QVERIFY(m.connack().has_value());
    if (ProtocolVersion(version) == ProtocolVersion::V5)
        QCOMPARE(all<Connected>(actions).value(0).connack.properties.assignedClientIdentifier,
                 std::optional<QString>(QStringLiteral("id")));
}

void TestClientMachine::connackRefused_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QByteArray>("connack");
    QTest::addColumn<ReasonCode>("reason");
    // 3.1.1 return codes 1-5 (3.2.2.3) map onto v5 reason codes.
    QTest::newRow("3.1.1 rc 1 unacceptable protocol version")
            << int(ProtocolVersion::V3_1_1) << hex("20 02 00 01") << ReasonCode::UnsupportedProtocolVersion;
    QTest::newRow("3.1.1 rc 2 identifier rejected")
            << int(ProtocolVersion::V3_1_1) << hex("20 02 00 02") << ReasonCode::ClientIdentifierNotValid;
    QTest::newRow("3.1.1 rc 3 server unavailable")
            << int(ProtocolVersion::V3_1_1) << hex("20 02 00 03") << ReasonCode::ServerUnavailable;
    QTest::newRow("3.1.1 rc 4 bad user name or password")
            << int(ProtocolVersion::V3_1_1) << hex("20 02 00 04") << ReasonCode::BadUserNameOrPassword;
    QTest::newRow("3.1.1 rc 5 not authorized")
            << int(ProtocolVersion::V3_1_1) << hex("20 02 00 05") << ReasonCode::NotAuthorized;
    QTest::newRow("5.0 0x87 not authorized")
            << int(ProtocolVersion::V5) << hex("20 03 00 87 00") << ReasonCode::NotAuthorized;
    QTest::newRow("5.0 0x8a banned")
            << int(ProtocolVersion::V5) << hex("20 03 00 8a 00") << ReasonCode::Banned;
}

void TestClientMachine::connackRefused()
{
    QFETCH(int, version);
    QFETCH(QByteArray, connack);
    QFETCH(ReasonCode, reason);

    ClientMachine m(makeConnect(ProtocolVersion(version)));
    m.start(0ms);
    const Actions actions = m.onBytes(connack, 1ms);
    QCOMPARE(summaries(actions),
             (QStringList{"refused " + code(reason), "closed connect refused " + code(reason)}));
    QCOMPARE(m.stage(), ConnectionStage::Closed);
    // Closed is final: nothing more comes out.
    QVERIFY(m.onBytes(hex(Connack311), 2ms).empty());
    QVERIFY(m.ping(3ms).empty());
    QCOMPARE(m.publish(makePublish(QoS::AtLeastOnce), 4ms).error, SubmitError::Closed);
}

void TestClientMachine::connackTimeout()
{
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1));
    m.start(1000ms);
    // A timer that fires early (coarse timers, or a stale one) only re-arms the rest.
    QCOMPARE(summaries(m.onTimerFired(TimerKind::ConnackTimeout, 10500ms)),
             QStringList{"arm ConnackTimeout 500"});
    QCOMPARE(summaries(m.onTimerFired(TimerKind::ConnackTimeout, 11000ms)),
             QStringList{"closed connect timeout"});
    QCOMPARE(m.stage(), ConnectionStage::Closed);
}

void TestClientMachine::packetBeforeConnack_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("3.1.1 closes without a packet [MQTT-3.2.0-1]")
            << int(ProtocolVersion::V3_1_1) << QStringList{"closed protocol error 0x82"};
    QTest::newRow("5.0 DISCONNECT 0x82 then close [MQTT-3.2.0-1]")
            << int(ProtocolVersion::V5)
            << QStringList{"send DISCONNECT", "closed protocol error 0x82"};
}

void TestClientMachine::packetBeforeConnack()
{
    QFETCH(int, version);
    QFETCH(QStringList, expected);
    ClientMachine m(makeConnect(ProtocolVersion(version)));
    m.start(0ms);
    // PINGRESP before CONNACK: type 13, rl 0.
    const Actions actions = m.onBytes(hex("d0 00"), 1ms);
    QCOMPARE(summaries(actions), expected);
    if (ProtocolVersion(version) == ProtocolVersion::V5)
        QCOMPARE(sentPackets<Disconnect>(actions).value(0).reasonCode, ReasonCode::ProtocolError);
}

void TestClientMachine::sessionPresentAfterCleanStart()
{
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1));
    m.start(0ms);
    // CONNACK, session present 1, rc 0: impossible after clean start [MQTT-3.2.2-4].
    const Actions actions = m.onBytes(hex("20 02 01 00"), 1ms);
    QCOMPARE(summaries(actions), QStringList{"closed protocol error 0x82"});
}

void TestClientMachine::bytesInAnySplit()
{
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1));
    m.start(0ms);
    // CONNACK byte by byte: nothing until the last byte.
    const QByteArray connack = hex(Connack311);
    for (qsizetype i = 0; i + 1 < connack.size(); ++i)
        QVERIFY(m.onBytes(connack.sliced(i, 1), 1ms).empty());
    QCOMPARE(summaries(m.onBytes(connack.sliced(connack.size() - 1), 1ms)).last(),
             QStringLiteral("connected sp=0"));

    // Two PUBLISH QoS 0 and half of a third in one read, the rest in the next.
    const QByteArray pub = hex("30 05 0003 612f62"); // PUBLISH QoS 0, rl 5, topic "a/b", empty
    const QByteArray data = pub + pub + pub.first(3);
    QCOMPARE(summaries(m.onBytes(data, 2ms)), (QStringList{"message a/b", "message a/b"}));
    QCOMPARE(summaries(m.onBytes(pub.sliced(3), 3ms)), QStringList{"message a/b"});
}

// ---- keep-alive ---------------------------------------------------------------------

void TestClientMachine::autoPingAfterSendSilence()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1, 60), Connack311);
    // Something is sent at t=30 s: the Ping due at t=60 s only re-arms for the rest.
    m.publish(makePublish(QoS::AtMostOnce), 30s);
    QCOMPARE(summaries(m.onTimerFired(TimerKind::Ping, 60s)), QStringList{"arm Ping 30000"});

    // Receiving does not count: the spec asks the client not to be silent in SENDING
    // [MQTT-3.1.2-23].
    m.onBytes(hex("30 05 0003 612f62"), 80s);
    const Actions ping = m.onTimerFired(TimerKind::Ping, 90s);
    QCOMPARE(summaries(ping),
             (QStringList{"send PINGREQ", "arm PingResponseTimeout 10000", "arm Ping 60000"}));
    QCOMPARE(wire(ping), QList<QByteArray>{hex("c0 00")}); // PINGREQ, rl 0
    QVERIFY(m.pingOutstanding());

    // PINGRESP 250 ms later: the round trip is reported and the timeout cancelled.
    QCOMPARE(summaries(m.onBytes(hex("d0 00"), 90250ms)),
             (QStringList{"cancel PingResponseTimeout", "pong 250"}));
    QVERIFY(!m.pingOutstanding());
    // An unsolicited PINGRESP is ignored.
    QVERIFY(m.onBytes(hex("d0 00"), 91s).empty());
}

void TestClientMachine::pingResponseTimeout()
{
    ClientConfig config;
    config.pingResponseTimeout = 5s; // longer than T on purpose
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1, 2), Connack311, config);
    QCOMPARE(summaries(m.onTimerFired(TimerKind::Ping, 2s)).first(), QStringLiteral("send PINGREQ"));
    // Still waiting at 4 s: re-armed for the rest; due at 7 s.
    QCOMPARE(summaries(m.onTimerFired(TimerKind::PingResponseTimeout, 4s)),
             QStringList{"arm PingResponseTimeout 3000"});
    // T of silence again while the PINGREQ is outstanding: no second PINGREQ piles up.
    QCOMPARE(summaries(m.onTimerFired(TimerKind::Ping, 4s)), QStringList{"arm Ping 2000"});
    QCOMPARE(summaries(m.onTimerFired(TimerKind::PingResponseTimeout, 7s)),
             QStringList{"closed ping timeout"});
    QCOMPARE(m.stage(), ConnectionStage::Closed);
    QVERIFY(m.onTimerFired(TimerKind::Ping, 8s).empty());
}

void TestClientMachine::serverKeepAliveOverrides()
{
    ClientMachine m(makeConnect(ProtocolVersion::V5, 60));
    m.start(0ms);
    // CONNACK rl 6, flags 0, rc 0, property length 3, Server Keep Alive 5 s [MQTT-3.2.2-21].
    const Actions actions = m.onBytes(hex("20 06 00 00 03 13 0005"), 0ms);
    QCOMPARE(summaries(actions),
             (QStringList{"cancel ConnackTimeout", "arm Ping 5000", "connected sp=0"}));
    QCOMPARE(m.keepAliveSeconds(), quint16(5));
    QCOMPARE(summaries(m.onTimerFired(TimerKind::Ping, 5s)).first(), QStringLiteral("send PINGREQ"));
}

void TestClientMachine::manualPingWithAutoPingOff()
{
    ClientConfig config;
    config.autoPing = false;
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1, 60), config);
    m.start(0ms);
    // No Ping timer at all while auto ping is off.
    QCOMPARE(summaries(m.onBytes(hex(Connack311), 0ms)),
             (QStringList{"cancel ConnackTimeout", "connected sp=0"}));
    QVERIFY(m.onTimerFired(TimerKind::Ping, 120s).empty());

    const Actions ping = m.ping(130s);
    QCOMPARE(summaries(ping), (QStringList{"send PINGREQ", "arm PingResponseTimeout 10000"}));
    QVERIFY(m.ping(131s).empty()); // one outstanding at a time
    QCOMPARE(summaries(m.onBytes(hex("d0 00"), 130042ms)),
             (QStringList{"cancel PingResponseTimeout", "pong 42"}));

    // Turning it on arms the timer for the rest of T since the last send (130 s).
    QCOMPARE(summaries(m.setAutoPing(true, 150s)), QStringList{"arm Ping 40000"});
    QCOMPARE(summaries(m.setAutoPing(false, 151s)), QStringList{"cancel Ping"});
}

void TestClientMachine::keepAliveZeroArmsNothing()
{
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1, 0));
    m.start(0ms);
    QCOMPARE(summaries(m.onBytes(hex(Connack311), 0ms)),
             (QStringList{"cancel ConnackTimeout", "connected sp=0"}));
    QVERIFY(m.onTimerFired(TimerKind::Ping, 1000s).empty());
}

// ---- outbound QoS -------------------------------------------------------------------

void TestClientMachine::qos0Outbound()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    Publish p = makePublish(QoS::AtMostOnce);
    p.retain = true;
    const Submission s = m.publish(p, 1ms);
    QVERIFY(s.ok());
    QCOMPARE(s.packetId, quint16(0));
    // PUBLISH | retain (0x31), rl 7, topic "a/b", payload "hi" (no packet id at QoS 0).
    QCOMPARE(wire(s.actions), QList<QByteArray>{hex("31 07 0003 612f62 6869")});
    QVERIFY(m.session().inflight.isEmpty());
}

void TestClientMachine::qos1Outbound()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    const Submission s = m.publish(makePublish(QoS::AtLeastOnce), 1ms);
    QCOMPARE(s.packetId, quint16(1));
    // PUBLISH QoS 1 (0x32), rl 9, topic "a/b", packet id 1, payload "hi".
    QCOMPARE(wire(s.actions), QList<QByteArray>{hex("32 09 0003 612f62 0001 6869")});
    QCOMPARE(m.session().inflight.size(), 1);
    QCOMPARE(m.session().inflight.first().stage, OutboundStage::AwaitingPuback);

    QVERIFY(m.onBytes(hex("40 02 0009"), 2ms).empty()); // PUBACK for an unknown id: ignored
    QCOMPARE(summaries(m.onBytes(hex("40 02 0001"), 3ms)), QStringList{"completed 1 0x00"});
    QVERIFY(m.session().inflight.isEmpty());
    QVERIFY(m.onBytes(hex("40 02 0001"), 4ms).empty()); // a second PUBACK: ignored

    // v5: the PUBACK reason code reaches the application.
    ClientMachine v5 = connected(makeConnect(ProtocolVersion::V5), Connack5);
    v5.publish(makePublish(QoS::AtLeastOnce), 1ms);
    // PUBACK rl 3, id 1, reason 0x10 No matching subscribers.
    QCOMPARE(summaries(v5.onBytes(hex("40 03 0001 10"), 2ms)), QStringList{"completed 1 0x10"});
}

void TestClientMachine::qos2Outbound()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    const Submission s = m.publish(makePublish(QoS::ExactlyOnce), 1ms);
    // PUBLISH QoS 2 (0x34), rl 9, "a/b", id 1, "hi".
    QCOMPARE(wire(s.actions), QList<QByteArray>{hex("34 09 0003 612f62 0001 6869")});

    // PUBREC → PUBREL (0x62: type 6 with the reserved flags 0010 [MQTT-3.6.1-1]).
    const Actions rel = m.onBytes(hex("50 02 0001"), 2ms);
    QCOMPARE(wire(rel), QList<QByteArray>{hex("62 02 0001")});
    QCOMPARE(m.session().inflight.first().stage, OutboundStage::AwaitingPubcomp);
    // A repeated PUBREC gets the PUBREL again, without completing anything.
    QCOMPARE(wire(m.onBytes(hex("50 02 0001"), 3ms)), QList<QByteArray>{hex("62 02 0001")});
    QVERIFY(m.onBytes(hex("40 02 0001"), 3ms).empty()); // PUBACK for a QoS 2 id: ignored

    QCOMPARE(summaries(m.onBytes(hex("70 02 0001"), 4ms)), QStringList{"completed 1 0x00"});
    QVERIFY(m.session().inflight.isEmpty());
}

void TestClientMachine::pubrecErrorEndsQos2Flow()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V5), Connack5);
    m.publish(makePublish(QoS::ExactlyOnce), 1ms);
    // PUBREC rl 3, id 1, reason 0x80: the flow ends, no PUBREL (4.3.3).
    QCOMPARE(summaries(m.onBytes(hex("50 03 0001 80"), 2ms)), QStringList{"completed 1 0x80"});
    QVERIFY(m.session().inflight.isEmpty());
    // A PUBREC for an id we do not know gets PUBREL 0x92 Packet identifier not found.
    const Actions unknown = m.onBytes(hex("50 02 0007"), 3ms);
    QCOMPARE(sentPackets<Pubrel>(unknown).value(0).reasonCode, ReasonCode::PacketIdentifierNotFound);
}

void TestClientMachine::receiveMaximumQueuesLocally()
{
    ClientMachine m(makeConnect(ProtocolVersion::V5));
    m.start(0ms);
    // CONNACK rl 6, property length 3, Receive Maximum 2.
    m.onBytes(hex("20 06 00 00 03 21 0002"), 0ms);
    QCOMPARE(m.serverCapabilities().receiveMaximum, quint16(2));

    QCOMPARE(summaries(m.publish(makePublish(QoS::AtLeastOnce), 1ms).actions), QStringList{"send PUBLISH"});
    QCOMPARE(summaries(m.publish(makePublish(QoS::ExactlyOnce), 1ms).actions), QStringList{"send PUBLISH"});
    // [MQTT-4.9.0-2] The quota is used up: the third waits locally but has its id already.
    const Submission third = m.publish(makePublish(QoS::AtLeastOnce, QStringLiteral("c")), 1ms);
    QVERIFY(third.ok());
    QCOMPARE(third.packetId, quint16(3));
    QVERIFY(third.actions.empty());
    // A QoS 0 message behind it keeps the order and waits too.
    const Submission qos0 = m.publish(makePublish(QoS::AtMostOnce, QStringLiteral("d")), 1ms);
    QVERIFY(qos0.ok() && qos0.actions.empty());
    QCOMPARE(m.session().inflight.size(), 2);
    QCOMPARE(qsizetype(m.session().queued.size()), qsizetype(2));

    // PUBREC for the QoS 2 one does not free the slot (PUBCOMP does) [MQTT-4.9.0-3].
    QCOMPARE(summaries(m.onBytes(hex("50 02 0002"), 2ms)), QStringList{"send PUBREL"});
    // PUBACK for id 1 frees one: the queued QoS 1 and the QoS 0 behind it go out.
    const Actions freed = m.onBytes(hex("40 02 0001"), 3ms);
    QCOMPARE(summaries(freed), (QStringList{"completed 1 0x00", "send PUBLISH", "send PUBLISH"}));
    const QList<Publish> sent = sentPackets<Publish>(freed);
    QCOMPARE(sent.value(0).topic, QStringLiteral("c"));
    QCOMPARE(sent.value(0).packetId, std::optional<quint16>(3));
    QCOMPARE(sent.value(1).topic, QStringLiteral("d"));
    QCOMPARE(m.session().inflight.size(), 2);
    QVERIFY(m.session().queued.empty());
}

void TestClientMachine::publishBeforeConnackIsQueued()
{
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1));
    const Submission early = m.publish(makePublish(QoS::AtLeastOnce), 0ms); // even before start()
    QVERIFY(early.ok());
    QCOMPARE(early.packetId, quint16(1));
    QVERIFY(early.actions.empty());
    m.start(0ms);
    QVERIFY(m.publish(makePublish(QoS::AtMostOnce), 1ms).actions.empty());
    QCOMPARE(summaries(m.onBytes(hex(Connack311), 2ms)),
             (QStringList{"cancel ConnackTimeout", "send PUBLISH", "send PUBLISH", "arm Ping 60000",
                          "connected sp=0"}));
}

void TestClientMachine::serverLimitsRefusePublish_data()
{
    QTest::addColumn<QByteArray>("connack");
    QTest::addColumn<Publish>("publish");
    QTest::addColumn<SubmitError>("error");
    // CONNACK property length 2, Maximum QoS 0.
    QTest::newRow("above Maximum QoS [MQTT-3.2.2-11]")
            << hex("20 05 00 00 02 24 00") << makePublish(QoS::AtLeastOnce) << SubmitError::QoSNotSupported;
    Publish retained = makePublish(QoS::AtMostOnce);
    retained.retain = true;
    // Retain Available 0.
    QTest::newRow("retain not available [MQTT-3.2.2-14]")
            << hex("20 05 00 00 02 25 00") << retained << SubmitError::RetainNotSupported;
    // Maximum Packet Size 10; the PUBLISH below is 2 + 5 + 2 + 1 + 100 bytes.
    QTest::newRow("above Maximum Packet Size [MQTT-3.2.2-15]")
            << hex("20 08 00 00 05 27 0000000a")
            << makePublish(QoS::AtLeastOnce, QStringLiteral("a/b"), QByteArray(100, 'x'))
            << SubmitError::PacketTooLarge;
    QTest::newRow("wildcard in a topic name [MQTT-3.3.2-2]")
            << hex(Connack5) << makePublish(QoS::AtMostOnce, QStringLiteral("a/#"))
            << SubmitError::InvalidTopic;
    QTest::newRow("empty topic without alias [MQTT-4.7.3-1]")
            << hex(Connack5) << makePublish(QoS::AtMostOnce, QString()) << SubmitError::InvalidTopic;
}

void TestClientMachine::serverLimitsRefusePublish()
{
    QFETCH(QByteArray, connack);
    QFETCH(Publish, publish);
    QFETCH(SubmitError, error);
    ClientMachine m(makeConnect(ProtocolVersion::V5));
    m.start(0ms);
    m.onBytes(connack, 0ms);
    QCOMPARE(m.stage(), ConnectionStage::Connected);
    const Submission s = m.publish(publish, 1ms);
    QCOMPARE(s.error, error);
    QVERIFY(s.actions.empty());
    QVERIFY(m.session().inflight.isEmpty());
    // The connection stays usable.
    QCOMPARE(m.stage(), ConnectionStage::Connected);
    QVERIFY(m.publish(makePublish(QoS::AtMostOnce), 1ms).ok());
}

void TestClientMachine::packetIdsSkipInUseAndWrap()
{
    SessionState session;
    session.nextPacketId = 65534;
    // id 1 is still in flight from the previous connection.
    OutboundMessage inflight{makePublish(QoS::AtLeastOnce), OutboundStage::AwaitingPuback, 0ms, 1};
    inflight.publish.packetId = 1;
    session.inflight << inflight;
    Connect c = makeConnect(ProtocolVersion::V3_1_1);
    c.cleanStart = false;
    ClientMachine m = connected(c, "20 02 01 00", {}, session); // session present
    QCOMPARE(m.publish(makePublish(QoS::AtLeastOnce), 1ms).packetId, quint16(65534));
    QCOMPARE(m.publish(makePublish(QoS::AtLeastOnce), 1ms).packetId, quint16(65535));
    // [MQTT-2.2.1-3] wraps past 0 and skips 1, which is in use.
    QCOMPARE(m.publish(makePublish(QoS::AtLeastOnce), 1ms).packetId, quint16(2));
    QCOMPARE(m.subscribe({{QStringLiteral("x"), {}}}, {}, 1ms).packetId, quint16(3));
}

// ---- inbound QoS --------------------------------------------------------------------

void TestClientMachine::qos1InboundAckedAfterDelivery_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<QByteArray>("publish");
    QTest::newRow("3.1.1") << int(ProtocolVersion::V3_1_1)
                           << hex("32 09 0003 612f62 0007 6869"); // QoS 1, "a/b", id 7, "hi"
    QTest::newRow("5.0") << int(ProtocolVersion::V5)
                         << hex("32 0a 0003 612f62 0007 00 6869"); // + property length 0
}

void TestClientMachine::qos1InboundAckedAfterDelivery()
{
    QFETCH(int, version);
    QFETCH(QByteArray, publish);
    const bool v5 = ProtocolVersion(version) == ProtocolVersion::V5;
    ClientMachine m = connected(makeConnect(ProtocolVersion(version)), v5 ? Connack5 : Connack311);
    const Actions actions = m.onBytes(publish, 1ms);
    // Delivered first, acknowledged after.
    QCOMPARE(summaries(actions), (QStringList{"message a/b", "send PUBACK"}));
    const Publish received = all<MessageReceived>(actions).value(0).publish;
    QCOMPARE(received.payload, QByteArray("hi"));
    QCOMPARE(received.packetId, std::optional<quint16>(7));
    QCOMPARE(sentPackets<Puback>(actions).value(0).packetId, quint16(7));
    if (!v5)
        QCOMPARE(wire(actions), QList<QByteArray>{hex("40 02 0007")}); // PUBACK, rl 2, id 7
}

void TestClientMachine::qos2InboundDeliveredOnce()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    const QByteArray pub = hex("34 09 0003 612f62 0007 6869"); // QoS 2, "a/b", id 7, "hi"
    const QByteArray dup = hex("3c 09 0003 612f62 0007 6869"); // same with DUP (0x08)

    const Actions first = m.onBytes(pub, 1ms);
    QCOMPARE(summaries(first), (QStringList{"message a/b", "send PUBREC"}));
    QCOMPARE(wire(first), QList<QByteArray>{hex("50 02 0007")}); // PUBREC, id 7
    // [MQTT-4.3.3-10] The resend before PUBREL is acknowledged, not delivered again.
    QCOMPARE(summaries(m.onBytes(dup, 2ms)), QStringList{"send PUBREC"});
    QVERIFY(m.session().inboundAwaitingRelease.contains(7));

    const Actions comp = m.onBytes(hex("62 02 0007"), 3ms); // PUBREL id 7
    QCOMPARE(wire(comp), QList<QByteArray>{hex("70 02 0007")}); // PUBCOMP id 7
    QVERIFY(m.session().inboundAwaitingRelease.isEmpty());
    // After PUBREL the id is free: the same id is a new message.
    QCOMPARE(summaries(m.onBytes(pub, 4ms)), (QStringList{"message a/b", "send PUBREC"}));
}

void TestClientMachine::pubrelForUnknownId()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V5), Connack5);
    const Actions actions = m.onBytes(hex("62 02 0009"), 1ms); // PUBREL id 9, never received
    QCOMPARE(sentPackets<Pubcomp>(actions).value(0).reasonCode, ReasonCode::PacketIdentifierNotFound);
    QCOMPARE(m.stage(), ConnectionStage::Connected);
}

void TestClientMachine::inboundReceiveMaximumExceeded()
{
    Connect c = makeConnect(ProtocolVersion::V5);
    c.properties.receiveMaximum = 1;
    ClientMachine m = connected(c, Connack5);
    // QoS 2, "a/b", id 1 / id 2, property length 0, payload "x"; no PUBREL in between.
    QCOMPARE(summaries(m.onBytes(hex("34 09 0003 612f62 0001 00 78"), 1ms)),
             (QStringList{"message a/b", "send PUBREC"}));
    QCOMPARE(summaries(m.onBytes(hex("34 09 0003 612f62 0002 00 78"), 2ms)),
             (QStringList{"send DISCONNECT", "closed protocol error 0x93"}));
}

// ---- topic aliases ------------------------------------------------------------------

void TestClientMachine::topicAliasResolved()
{
    Connect c = makeConnect(ProtocolVersion::V5);
    c.properties.topicAliasMaximum = 10;
    ClientMachine m = connected(c, Connack5);
    // PUBLISH QoS 0, rl 11, topic "a/b", property length 3, Topic Alias 1, payload "hi".
    const Actions set = m.onBytes(hex("30 0b 0003 612f62 03 23 0001 6869"), 1ms);
    QCOMPARE(summaries(set), QStringList{"message a/b"});
    // PUBLISH QoS 0, rl 8, empty topic, Topic Alias 1, payload "hi": resolved to "a/b".
    const Actions use = m.onBytes(hex("30 08 0000 03 23 0001 6869"), 2ms);
    QCOMPARE(summaries(use), QStringList{"message a/b"});
    QCOMPARE(all<MessageReceived>(use).value(0).publish.payload, QByteArray("hi"));
    // Re-mapping alias 1 to "x" [MQTT-3.3.2-12 counterpart: the receiver updates it].
    m.onBytes(hex("30 09 0001 78 03 23 0001 6869"), 3ms);
    QCOMPARE(summaries(m.onBytes(hex("30 08 0000 03 23 0001 6869"), 4ms)), QStringList{"message x"});
}

void TestClientMachine::topicAliasInvalid_data()
{
    QTest::addColumn<std::optional<quint16>>("maximum");
    QTest::addColumn<QByteArray>("publish");
    QTest::addColumn<QString>("closed");
    QTest::newRow("alias above the announced maximum [MQTT-3.3.2-11]")
            << std::optional<quint16>(10) << hex("30 0b 0003 612f62 03 23 000b 6869") // alias 11
            << "closed protocol error 0x94";
    QTest::newRow("alias while none announced [MQTT-3.3.2-11]")
            << std::optional<quint16>() << hex("30 0b 0003 612f62 03 23 0001 6869")
            << "closed protocol error 0x94";
    QTest::newRow("alias used before it was set")
            << std::optional<quint16>(10) << hex("30 08 0000 03 23 0002 6869")
            << "closed protocol error 0x82";
}

void TestClientMachine::topicAliasInvalid()
{
    QFETCH(std::optional<quint16>, maximum);
    QFETCH(QByteArray, publish);
    QFETCH(QString, closed);
    Connect c = makeConnect(ProtocolVersion::V5);
    c.properties.topicAliasMaximum = maximum;
    ClientMachine m = connected(c, Connack5);
    QCOMPARE(summaries(m.onBytes(publish, 1ms)), (QStringList{"send DISCONNECT", closed}));
}

// ---- sessions -----------------------------------------------------------------------

void TestClientMachine::resumeWithDup()
{
    // A first connection leaves a QoS 1 and a QoS 2 message in flight.
    Connect c = makeConnect(ProtocolVersion::V3_1_1);
    c.cleanStart = false;
    ClientMachine first(c);
    first.start(0ms);
    first.onBytes(hex(Connack311), 0ms);
    first.publish(makePublish(QoS::AtLeastOnce), 1ms);   // id 1, no PUBACK
    first.publish(makePublish(QoS::ExactlyOnce), 1ms);   // id 2
    first.onBytes(hex("50 02 0002"), 2ms);               // PUBREC 2 → PUBREL sent, no PUBCOMP
    first.onBytes(hex("34 09 0003 612f62 0007 6869"), 3ms); // inbound QoS 2 id 7, no PUBREL
    QCOMPARE(summaries(first.socketClosed(CloseReason::PeerClosed, {}, 4ms)),
             QStringList{"closed peer closed"});
    SessionState session = first.takeSession();
    QCOMPARE(session.inflight.size(), 2);

    ClientMachine second(c, {}, session);
    second.start(10ms);
    // CONNACK, session present 1: resend in the original order [MQTT-4.4.0-1].
    const Actions resumed = second.onBytes(hex("20 02 01 00"), 11ms);
    QCOMPARE(summaries(resumed),
             (QStringList{"cancel ConnackTimeout", "send PUBLISH", "send PUBREL", "arm Ping 60000",
                          "connected sp=1"}));
    QCOMPARE(wire(resumed),
             (QList<QByteArray>{hex("3a 09 0003 612f62 0001 6869"), // PUBLISH QoS 1 + DUP (0x08)
                                hex("62 02 0002")}));               // PUBREL id 2
    QCOMPARE(second.session().inflight.first().sendCount, quint32(2));
    // The inbound QoS 2 id 7 is still awaiting its PUBREL: a resend is not delivered twice.
    QCOMPARE(summaries(second.onBytes(hex("3c 09 0003 612f62 0007 6869"), 12ms)),
             QStringList{"send PUBREC"});
    // New ids do not collide with the resumed ones.
    QCOMPARE(second.publish(makePublish(QoS::AtLeastOnce), 13ms).packetId, quint16(3));
    QCOMPARE(summaries(second.onBytes(hex("70 02 0002"), 14ms)), QStringList{"completed 2 0x00"});
}

void TestClientMachine::sessionNotPresentDiscards()
{
    SessionState session;
    OutboundMessage m1{makePublish(QoS::AtLeastOnce), OutboundStage::AwaitingPuback, 0ms, 1};
    m1.publish.packetId = 4;
    session.inflight << m1;
    session.inboundAwaitingRelease << 9;
    Connect c = makeConnect(ProtocolVersion::V3_1_1);
    c.cleanStart = false;
    ClientMachine m(c, {}, session);
    m.start(0ms);
    // Session present 0: the client drops its session too [MQTT-3.2.2-5].
    const Actions actions = m.onBytes(hex(Connack311), 1ms);
    QCOMPARE(summaries(actions),
             (QStringList{"cancel ConnackTimeout", "completed 4 0x80 discarded", "arm Ping 59999",
                          "connected sp=0"}));
    QVERIFY(m.session().inflight.isEmpty());
    QVERIFY(m.session().inboundAwaitingRelease.isEmpty());
}

void TestClientMachine::cleanStartDiscardsAtStart()
{
    SessionState session;
    OutboundMessage m1{makePublish(QoS::ExactlyOnce), OutboundStage::AwaitingPubrec, 0ms, 1};
    m1.publish.packetId = 4;
    session.inflight << m1;
    session.queued.push_back(makePublish(QoS::AtMostOnce, QStringLiteral("later")));
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1), {}, session); // clean start
    // [MQTT-3.1.2-4] The in-flight message is dropped before CONNECT; the local queue stays.
    QCOMPARE(summaries(m.start(0ms)),
             (QStringList{"completed 4 0x80 discarded", "send CONNECT", "arm ConnackTimeout 10000"}));
    const Actions connack = m.onBytes(hex(Connack311), 1ms);
    QCOMPARE(sentPackets<Publish>(connack).value(0).topic, QStringLiteral("later"));
}

// ---- subscribe ----------------------------------------------------------------------

void TestClientMachine::subscribeAndUnsubscribe()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    const Submission sub = m.subscribe(
            {{QStringLiteral("a/b"), SubscribeOptions{QoS::AtLeastOnce}}}, {}, 1ms);
    QCOMPARE(sub.packetId, quint16(1));
    // SUBSCRIBE (0x82: reserved flags 0010 [MQTT-3.8.1-1]), rl 8, id 1, "a/b", QoS 1.
    QCOMPARE(wire(sub.actions), QList<QByteArray>{hex("82 08 0001 0003 612f62 01")});
    const Actions suback = m.onBytes(hex("90 03 0001 01"), 2ms); // SUBACK id 1, granted QoS 1
    QCOMPARE(summaries(suback), QStringList{"subscribed 1"});
    QCOMPARE(all<Subscribed>(suback).value(0).reasonCodes, QList<ReasonCode>{ReasonCode::GrantedQoS1});

    const Submission unsub = m.unsubscribe({QStringLiteral("a/b")}, {}, 3ms);
    QCOMPARE(unsub.packetId, quint16(2));
    // UNSUBSCRIBE (0xa2), rl 7, id 2, "a/b".
    QCOMPARE(wire(unsub.actions), QList<QByteArray>{hex("a2 07 0002 0003 612f62")});
    const Actions unsuback = m.onBytes(hex("b0 02 0002"), 4ms); // UNSUBACK id 2 (no codes in 3.1.1)
    QCOMPARE(summaries(unsuback), QStringList{"unsubscribed 2"});
    QVERIFY(all<Unsubscribed>(unsuback).value(0).reasonCodes.isEmpty());
    QVERIFY(m.onBytes(hex("90 03 0001 01"), 5ms).empty()); // a SUBACK nobody waits for
}

void TestClientMachine::subscribeBeforeConnack()
{
    ClientMachine m(makeConnect(ProtocolVersion::V5));
    m.start(0ms);
    const Submission sub = m.subscribe({{QStringLiteral("a/+"), {}}}, {}, 1ms);
    QVERIFY(sub.ok() && sub.actions.empty());
    QCOMPARE(summaries(m.onBytes(hex(Connack5), 2ms)),
             (QStringList{"cancel ConnackTimeout", "send SUBSCRIBE", "arm Ping 60000", "connected sp=0"}));
    // v5 SUBACK rl 4, id 1, property length 0, reason 0x00.
    QCOMPARE(summaries(m.onBytes(hex("90 04 0001 00 00"), 3ms)), QStringList{"subscribed 1"});
}

void TestClientMachine::invalidFiltersRefused()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    QCOMPARE(m.subscribe({}, {}, 1ms).error, SubmitError::InvalidTopic); // [MQTT-3.8.3-2]
    QCOMPARE(m.subscribe({{QStringLiteral("a/#/b"), {}}}, {}, 1ms).error, SubmitError::InvalidTopic);
    QCOMPARE(m.unsubscribe({}, {}, 1ms).error, SubmitError::InvalidTopic); // [MQTT-3.10.3-2]
}

// ---- closing ------------------------------------------------------------------------

void TestClientMachine::serverDisconnect()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V5), Connack5);
    // DISCONNECT rl 8, reason 0x8b Server shutting down, property length 6,
    // Reason String "bye".
    const Actions actions = m.onBytes(hex("e0 08 8b 06 1f 0003 627965"), 1ms);
    QCOMPARE(summaries(actions), QStringList{"closed server disconnect 0x8b"});
    QVERIFY(all<Closed>(actions).value(0).detail.contains(QStringLiteral("bye")));
    QCOMPARE(m.stage(), ConnectionStage::Closed);
}

void TestClientMachine::serverDisconnectIn311IsProtocolError()
{
    ClientMachine m = connected(makeConnect(ProtocolVersion::V3_1_1), Connack311);
    // 3.1.1 servers never send DISCONNECT: closing is all a 3.x client can do.
    QCOMPARE(summaries(m.onBytes(hex("e0 00"), 1ms)), QStringList{"closed protocol error 0x82"});
}

void TestClientMachine::malformedFromServer_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("closed");
    QTest::newRow("reserved packet type 0 [MQTT-2.1.3-1]") << hex("00 00") << "closed protocol error";
    QTest::newRow("remaining length over 4 bytes [MQTT-1.5.5-1]")
            << hex("30 ff ff ff ff 01") << "closed protocol error";
    QTest::newRow("PINGREQ from the server") << hex("c0 00") << "closed protocol error 0x82";
    QTest::newRow("SUBSCRIBE from the server") << hex("82 09 0001 00 0003 612f62 01")
                                               << "closed protocol error 0x82";
    QTest::newRow("second CONNACK") << hex(Connack5) << "closed protocol error 0x82";
}

void TestClientMachine::malformedFromServer()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, closed);
    ClientMachine m = connected(makeConnect(ProtocolVersion::V5), Connack5);
    const Actions actions = m.onBytes(bytes, 1ms);
    const QStringList s = summaries(actions);
    QCOMPARE(s.size(), 2);
    QCOMPARE(s.first(), QStringLiteral("send DISCONNECT")); // v5 says why
    QVERIFY2(s.last().startsWith(closed), qPrintable(s.last()));
    const Closed close = all<Closed>(actions).value(0);
    QVERIFY(close.reasonCode && isError(*close.reasonCode));
    QCOMPARE(sentPackets<Disconnect>(actions).value(0).reasonCode, *close.reasonCode);
}

void TestClientMachine::clientDisconnect_data()
{
    QTest::addColumn<int>("version");
    QTest::addColumn<ReasonCode>("reason");
    QTest::addColumn<QByteArray>("wire");
    QTest::newRow("3.1.1 DISCONNECT, rl 0") << int(ProtocolVersion::V3_1_1)
                                            << ReasonCode::NormalDisconnection << hex("e0 00");
    QTest::newRow("5.0 0x04 disconnect with Will") << int(ProtocolVersion::V5)
                                                   << ReasonCode::DisconnectWithWillMessage
                                                   << QByteArray(); // bytes left to the codec
}

void TestClientMachine::clientDisconnect()
{
    QFETCH(int, version);
    QFETCH(ReasonCode, reason);
    QFETCH(QByteArray, wire);
    const bool v5 = ProtocolVersion(version) == ProtocolVersion::V5;
    ClientMachine m = connected(makeConnect(ProtocolVersion(version)), v5 ? Connack5 : Connack311);
    const Actions actions = m.disconnect(reason, {}, 1ms);
    QCOMPARE(summaries(actions), (QStringList{"send DISCONNECT", "closed client disconnect " + code(reason)}));
    QCOMPARE(sentPackets<Disconnect>(actions).value(0).reasonCode, reason);
    if (!wire.isEmpty())
        QCOMPARE(::wire(actions).value(0), wire);
    QVERIFY(m.disconnect(reason, {}, 2ms).empty());
    QCOMPARE(m.subscribe({{QStringLiteral("a"), {}}}, {}, 3ms).error, SubmitError::Closed);
}

void TestClientMachine::socketClosedKeepsSession()
{
    Connect c = makeConnect(ProtocolVersion::V3_1_1);
    c.cleanStart = false;
    ClientMachine m = connected(c, Connack311);
    m.publish(makePublish(QoS::AtLeastOnce), 1ms);
    m.subscribe({{QStringLiteral("a"), {}}}, {}, 1ms); // pending, dies with the connection
    QCOMPARE(summaries(m.socketClosed(CloseReason::SocketError, QStringLiteral("reset"), 2ms)),
             QStringList{"closed socket error"});
    QVERIFY(m.socketClosed(CloseReason::PeerClosed, {}, 3ms).empty());
    const SessionState session = m.takeSession();
    QCOMPARE(session.inflight.size(), 1);
    QCOMPARE(session.nextPacketId, quint16(3));
}

void TestClientMachine::reportPackets()
{
    ClientConfig config;
    config.reportPackets = true;
    ClientMachine m(makeConnect(ProtocolVersion::V3_1_1), config);
    m.start(0ms);
    const Actions actions = m.onBytes(hex(Connack311), 1ms);
    QCOMPARE(summaries(actions).first(), QStringLiteral("packet CONNACK"));
    QCOMPARE(all<PacketReceived>(actions).value(0).wireSize, qsizetype(4));
}

void TestClientMachine::randomBytesNeverBreakTheMachine()
{
    // Property test: whatever the server sends, the machine either stays connected or ends
    // with exactly one Closed as its last action, and never emits anything after that.
    QRandomGenerator random(20261122);
    int closedRuns = 0;
    for (int run = 0; run < 2000; ++run) {
        const bool v5 = run % 2 == 0;
        Connect c = makeConnect(v5 ? ProtocolVersion::V5 : ProtocolVersion::V3_1_1);
        c.properties.topicAliasMaximum = v5 ? std::optional<quint16>(4) : std::nullopt;
        ClientMachine m = connected(c, v5 ? Connack5 : Connack311);
        m.publish(makePublish(QoS::ExactlyOnce), 1ms);
        QByteArray bytes(random.bounded(1, 64), Qt::Uninitialized);
        for (char &b : bytes)
            b = char(random.bounded(256));
        // Start with a plausible first byte half of the time, so decoding gets further.
        if (run % 4 < 2)
            bytes[0] = char(QList<int>{0x30, 0x32, 0x34, 0x40, 0x50, 0x62, 0x70, 0x90, 0xb0, 0xd0,
                                       0xe0}[random.bounded(11)]);
        const Actions actions = m.onBytes(bytes, 2ms);
        const QList<Closed> closes = all<Closed>(actions);
        QVERIFY(closes.size() <= 1);
        if (!closes.isEmpty()) {
            ++closedRuns;
            QVERIFY(std::holds_alternative<Closed>(actions.back()));
            QCOMPARE(m.stage(), ConnectionStage::Closed);
            QVERIFY(m.onBytes(bytes, 3ms).empty());
        } else {
            QCOMPARE(m.stage(), ConnectionStage::Connected);
        }
    }
    QVERIFY(closedRuns > 100); // the garbage was mostly refused, not silently swallowed
}

HERMES_TEST_APPLESS_MAIN(TestClientMachine)
#include "tst_clientmachine.moc"
