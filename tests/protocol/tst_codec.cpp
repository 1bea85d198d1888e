// Tests of the MQTT codec: framing, decoding, encoding and the error mapping.
#include <QtTest>

#include "mqtt/codec.h"
#include "mqtt/packets.h"

using namespace hermes::mqtt;

Q_DECLARE_METATYPE(hermes::mqtt::Packet)
Q_DECLARE_METATYPE(hermes::mqtt::ProtocolVersion)
Q_DECLARE_METATYPE(hermes::mqtt::ProtocolError)
Q_DECLARE_METATYPE(hermes::mqtt::ReasonCode)

namespace {

constexpr ProtocolVersion V31 = ProtocolVersion::V3_1;
constexpr ProtocolVersion V311 = ProtocolVersion::V3_1_1;
constexpr ProtocolVersion V5 = ProtocolVersion::V5;

const char *versionTag(ProtocolVersion v)
{
    switch (v) {
    case V31:
        return "3.1";
    case V311:
        return "3.1.1";
    case V5:
        return "5.0";
    }
    return "?";
}

// Hex with spaces and '|' allowed as separators, so vectors can be laid out by field.
QByteArray hex(const char *text)
{
    QByteArray clean(text);
    clean.replace(' ', "").replace('|', "").replace('\n', "");
    return QByteArray::fromHex(clean);
}

Properties allWillProperties()
{
    Properties p;
    p.payloadFormatIndicator = 1;
    p.messageExpiryInterval = 3600;
    p.contentType = QStringLiteral("text/plain");
    p.responseTopic = QStringLiteral("replies/dev-1");
    p.correlationData = QByteArray("\x00\x01\xFF", 3);
    p.willDelayInterval = 30;
    p.userProperties = {{QStringLiteral("k"), QStringLiteral("v")},
                        {QStringLiteral("k"), QStringLiteral("v2")}};
    return p;
}

Properties connectProperties()
{
    Properties p;
    p.sessionExpiryInterval = 0xFFFFFFFF;
    p.authenticationMethod = QStringLiteral("SCRAM-SHA-1");
    p.authenticationData = QByteArray("client-first");
    p.requestProblemInformation = 0;
    p.requestResponseInformation = 1;
    p.receiveMaximum = 20;
    p.topicAliasMaximum = 10;
    p.maximumPacketSize = 1 << 20;
    p.userProperties = {{QStringLiteral("region"), QStringLiteral("eu")}};
    return p;
}

Properties connackProperties()
{
    Properties p;
    p.sessionExpiryInterval = 120;
    p.assignedClientIdentifier = QStringLiteral("auto-7f3a");
    p.serverKeepAlive = 30;
    p.authenticationMethod = QStringLiteral("SCRAM-SHA-1");
    p.authenticationData = QByteArray("server-final");
    p.responseInformation = QStringLiteral("resp/");
    p.serverReference = QStringLiteral("other:1883");
    p.reasonString = QStringLiteral("welcome");
    p.receiveMaximum = 100;
    p.topicAliasMaximum = 16;
    p.maximumQoS = 1;
    p.retainAvailable = 0;
    p.userProperties = {{QStringLiteral("a"), QStringLiteral("b")}};
    p.maximumPacketSize = 65536;
    p.wildcardSubscriptionAvailable = 1;
    p.subscriptionIdentifierAvailable = 0;
    p.sharedSubscriptionAvailable = 1;
    return p;
}

Properties publishProperties()
{
    Properties p = allWillProperties();
    p.willDelayInterval.reset();
    p.subscriptionIdentifiers = {1, 268435455, 77};
    p.topicAlias = 5;
    return p;
}

Properties reasonProperties()
{
    Properties p;
    p.reasonString = QStringLiteral("because");
    p.userProperties = {{QStringLiteral("x"), QStringLiteral("y")}};
    return p;
}

// Sample packets of every type; v5 rows carry every property the packet may have.
QList<std::pair<QByteArray, Packet>> samplePackets(ProtocolVersion v)
{
    const bool v5 = v == V5;
    QList<std::pair<QByteArray, Packet>> rows;

    Connect minimal;
    minimal.version = v;
    minimal.clientId = QStringLiteral("c");
    rows.append({"CONNECT minimal", minimal});

    Connect full;
    full.version = v;
    full.clientId = QStringLiteral("dev-1 ✓");
    full.cleanStart = false;
    full.keepAliveSeconds = 65535;
    full.userName = QStringLiteral("alice");
    full.password = QByteArray("s\x00" "cret", 6);
    Will will;
    will.topic = QStringLiteral("devices/dev-1/state");
    will.payload = QByteArray("offline");
    will.qos = QoS::ExactlyOnce;
    will.retain = true;
    if (v5) {
        will.properties = allWillProperties();
        full.properties = connectProperties();
    }
    full.will = will;
    rows.append({"CONNECT full", full});

    Connect userOnly;
    userOnly.version = v;
    userOnly.clientId = QStringLiteral("u");
    userOnly.userName = QString();
    userOnly.keepAliveSeconds = 0;
    rows.append({"CONNECT empty user name, no password", userOnly});

    if (v != V31) {
        Connect emptyId;
        emptyId.version = v;
        emptyId.clientId = QString();
        emptyId.cleanStart = true;
        rows.append({"CONNECT empty client id, clean", emptyId});
    }

    Connack ok;
    ok.sessionPresent = true;
    if (v5)
        ok.properties = connackProperties();
    rows.append({"CONNACK accepted, session present", ok});
    const QList<ReasonCode> refusals = {ReasonCode::UnsupportedProtocolVersion,
                                        ReasonCode::ClientIdentifierNotValid,
                                        ReasonCode::ServerUnavailable,
                                        ReasonCode::BadUserNameOrPassword,
                                        ReasonCode::NotAuthorized};
    for (ReasonCode code : refusals) {
        Connack refused;
        refused.reasonCode = code;
        rows.append({"CONNACK refused " + QByteArray::number(quint8(code), 16), refused});
    }
    if (v5) {
        Connack moved;
        moved.reasonCode = ReasonCode::ServerMoved;
        moved.properties.serverReference = QStringLiteral("b:1883");
        rows.append({"CONNACK server moved", moved});
    }

    for (int qos = 0; qos <= 2; ++qos) {
        Publish p;
        p.topic = QStringLiteral("a/b");
        p.payload = QByteArray("hello");
        p.qos = QoS(qos);
        if (qos > 0)
            p.packetId = quint16(qos == 1 ? 1 : 65535);
        p.retain = qos == 1;
        p.dup = qos == 2;
        if (v5 && qos == 1)
            p.properties = publishProperties();
        rows.append({"PUBLISH qos" + QByteArray::number(qos), p});
    }
    Publish emptyPayload;
    emptyPayload.topic = QStringLiteral("$SYS/ünïcödé/𝄞");
    rows.append({"PUBLISH empty payload, non-ASCII topic", emptyPayload});
    Publish big;
    big.topic = QStringLiteral("big");
    big.payload = QByteArray(20000, 'x');
    big.qos = QoS::AtLeastOnce;
    big.packetId = 9;
    rows.append({"PUBLISH 20000-byte payload (3-byte remaining length)", big});
    if (v5) {
        Publish aliased;
        aliased.topic = QString();
        aliased.properties.topicAlias = 3;
        aliased.payload = QByteArray("x");
        rows.append({"PUBLISH empty topic with alias", aliased});
    }

    Puback puback{7, ReasonCode::Success, {}};
    rows.append({"PUBACK", puback});
    Pubrec pubrec{8, ReasonCode::Success, {}};
    rows.append({"PUBREC", pubrec});
    Pubrel pubrel{9, ReasonCode::Success, {}};
    rows.append({"PUBREL", pubrel});
    Pubcomp pubcomp{10, ReasonCode::Success, {}};
    rows.append({"PUBCOMP", pubcomp});
    if (v5) {
        rows.append({"PUBACK no matching subscribers, no properties",
                     Puback{7, ReasonCode::NoMatchingSubscribers, {}}});
        rows.append({"PUBACK success with properties",
                     Puback{7, ReasonCode::Success, reasonProperties()}});
        rows.append({"PUBREC quota exceeded with properties",
                     Pubrec{8, ReasonCode::QuotaExceeded, reasonProperties()}});
        rows.append({"PUBREL packet id not found",
                     Pubrel{9, ReasonCode::PacketIdentifierNotFound, reasonProperties()}});
        rows.append({"PUBCOMP packet id not found",
                     Pubcomp{10, ReasonCode::PacketIdentifierNotFound, {}}});
    }

    Subscribe sub;
    sub.packetId = 3;
    sub.subscriptions.append({QStringLiteral("a/+/c"), {QoS::AtMostOnce}});
    sub.subscriptions.append({QStringLiteral("#"), {QoS::AtLeastOnce}});
    sub.subscriptions.append({QStringLiteral("$share/g/x/#"), {QoS::ExactlyOnce}});
    if (v5) {
        sub.subscriptions[1].options.noLocal = true;
        sub.subscriptions[1].options.retainAsPublished = true;
        sub.subscriptions[1].options.retainHandling = RetainHandling::DoNotSend;
        sub.subscriptions[2].options.retainHandling = RetainHandling::SendOnNewSubscribe;
        sub.properties.subscriptionIdentifiers = {42};
        sub.properties.userProperties = {{QStringLiteral("u"), QStringLiteral("p")}};
    }
    rows.append({"SUBSCRIBE three filters", sub});

    Suback suback;
    suback.packetId = 3;
    suback.reasonCodes = {ReasonCode::GrantedQoS0, ReasonCode::GrantedQoS1,
                          ReasonCode::GrantedQoS2, ReasonCode::UnspecifiedError};
    if (v5) {
        suback.reasonCodes.append(ReasonCode::TopicFilterInvalid);
        suback.reasonCodes.append(ReasonCode::WildcardSubscriptionsNotSupported);
        suback.properties = reasonProperties();
    }
    rows.append({"SUBACK codes", suback});

    Unsubscribe unsub;
    unsub.packetId = 4;
    unsub.filters = {QStringLiteral("a/b"), QStringLiteral("+/#")};
    if (v5)
        unsub.properties.userProperties = {{QStringLiteral("k"), QString()}};
    rows.append({"UNSUBSCRIBE two filters", unsub});

    Unsuback unsuback;
    unsuback.packetId = 4;
    if (v5) {
        unsuback.reasonCodes = {ReasonCode::Success, ReasonCode::NoSubscriptionExisted};
        unsuback.properties = reasonProperties();
    }
    rows.append({"UNSUBACK", unsuback});

    rows.append({"PINGREQ", Pingreq{}});
    rows.append({"PINGRESP", Pingresp{}});
    rows.append({"DISCONNECT normal", Disconnect{}});
    if (v5) {
        rows.append({"DISCONNECT with will, no properties",
                     Disconnect{ReasonCode::DisconnectWithWillMessage, {}}});
        Properties dp = reasonProperties();
        dp.sessionExpiryInterval = 0;
        dp.serverReference = QStringLiteral("b:1883");
        rows.append({"DISCONNECT session taken over with properties",
                     Disconnect{ReasonCode::SessionTakenOver, dp}});
        rows.append({"AUTH success, compact", Auth{}});
        Properties ap;
        ap.authenticationMethod = QStringLiteral("SCRAM-SHA-1");
        ap.authenticationData = QByteArray("\x01\x02", 2);
        ap.reasonString = QStringLiteral("continue");
        rows.append({"AUTH continue", Auth{ReasonCode::ContinueAuthentication, ap}});
        rows.append({"AUTH re-authenticate", Auth{ReasonCode::ReAuthenticate, ap}});
    }
    return rows;
}

DecodeResult decodeWire(const QByteArray &wire, ProtocolVersion version)
{
    const FrameResult frame = takeFrame(wire, 0);
    if (const auto *error = std::get_if<DecodeError>(&frame))
        return *error;
    if (std::holds_alternative<NeedMore>(frame))
        return DecodeError{ProtocolError::MalformedPacket, QString(),
                           QStringLiteral("test: incomplete frame")};
    const Frame &f = std::get<Frame>(frame);
    if (f.totalSize != wire.size())
        return DecodeError{ProtocolError::MalformedPacket, QString(),
                           QStringLiteral("test: frame is %1 of %2 bytes")
                                   .arg(f.totalSize)
                                   .arg(wire.size())};
    return decodePacket(f, version);
}

QString describeResult(const DecodeResult &result)
{
    if (const auto *packet = std::get_if<Packet>(&result))
        return describe(*packet);
    const DecodeError &e = std::get<DecodeError>(result);
    return QStringLiteral("DecodeError(%1, %2, %3)")
            .arg(int(e.error))
            .arg(e.specId, e.detail);
}

} // namespace

class TestCodec : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data();
    void roundTrip();
    void exactBytes_data();
    void exactBytes();
};

void TestCodec::roundTrip_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<ProtocolVersion>("version");
    for (ProtocolVersion v : {V31, V311, V5}) {
        for (const auto &[name, packet] : samplePackets(v)) {
            QTest::addRow("%s %s", versionTag(v), name.constData()) << packet << v;
        }
    }
}

void TestCodec::roundTrip()
{
    QFETCH(Packet, packet);
    QFETCH(ProtocolVersion, version);
    const QByteArray wire = encode(packet, version);
    QVERIFY(!wire.isEmpty());
    const DecodeResult decoded = decodeWire(wire, version);
    QVERIFY2(std::holds_alternative<Packet>(decoded), qPrintable(describeResult(decoded)));
    const Packet &back = std::get<Packet>(decoded);
    QVERIFY2(back == packet,
             qPrintable(describe(packet) + QLatin1String(" became ") + describe(back)));
    // Encoding is deterministic: the decoded value gives the same bytes again.
    QCOMPARE(encode(back, version), wire);
}

Connect specExampleConnect(ProtocolVersion v)
{
    Connect c;
    c.version = v;
    c.clientId = QStringLiteral("c");
    c.cleanStart = true;
    c.keepAliveSeconds = 10;
    c.userName = QStringLiteral("u");
    c.password = QByteArray("p");
    c.will = Will{QStringLiteral("w"), QByteArray("m"), QoS::AtLeastOnce, false, {}};
    if (v == V5)
        c.properties.sessionExpiryInterval = 10;
    return c;
}

void TestCodec::exactBytes_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("wire");

    // The variable header of MQTT 3.1.1 figure 3.6 / 5.0 figure 3-6 (3.1.2.10 / 3.1.2.11),
    // completed with a payload of one-letter fields.
    QTest::newRow("3.1.1 CONNECT spec example 3.1.2.10")
            << Packet(specExampleConnect(V311)) << V311
            << hex("10 19"              // CONNECT, remaining length 25
                   "0004 4D515454"      // protocol name "MQTT"
                   "04"                 // protocol level 4
                   "CE"                 // user name, password, will QoS 1, will flag, clean
                   "000A"               // keep alive 10 s
                   "0001 63"            // client id "c"
                   "0001 77"            // will topic "w"
                   "0001 6D"            // will payload "m"
                   "0001 75"            // user name "u"
                   "0001 70");          // password "p"
    QTest::newRow("5.0 CONNECT spec example 3.1.2.11")
            << Packet(specExampleConnect(V5)) << V5
            << hex("10 20"              // CONNECT, remaining length 32
                   "0004 4D515454"      // protocol name "MQTT"
                   "05"                 // protocol level 5
                   "CE"                 // user name, password, will QoS 1, will flag, clean
                   "000A"               // keep alive 10 s
                   "05 11 0000000A"     // properties: length 5, session expiry interval 10
                   "0001 63"            // client id "c"
                   "00"                 // will properties: none
                   "0001 77"            // will topic "w"
                   "0001 6D"            // will payload "m"
                   "0001 75"            // user name "u"
                   "0001 70");          // password "p"
    QTest::newRow("3.1 CONNECT uses MQIsdp level 3")
            << Packet(Connect{V31, QStringLiteral("c"), true, 60, {}, {}, {}, {}}) << V31
            << hex("10 0F"              // CONNECT, remaining length 15
                   "0006 4D5149736470"  // protocol name "MQIsdp"
                   "03"                 // protocol level 3
                   "02"                 // clean session
                   "003C"               // keep alive 60 s
                   "0001 63");          // client id "c"
}

void TestCodec::exactBytes()
{
    QFETCH(Packet, packet);
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, wire);
    QCOMPARE(encode(packet, version).toHex(' '), wire.toHex(' '));
    const DecodeResult decoded = decodeWire(wire, version);
    QVERIFY2(std::holds_alternative<Packet>(decoded), qPrintable(describeResult(decoded)));
    QVERIFY2(std::get<Packet>(decoded) == packet, qPrintable(describeResult(decoded)));
}

QTEST_APPLESS_MAIN(TestCodec)
#include "tst_codec.moc"
