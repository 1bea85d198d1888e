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
    void rejects_data();
    void rejects();
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

// A frame around an annotated body: the remaining length is computed, so rows stay readable.
QByteArray frameOf(quint8 firstByte, const QByteArray &body)
{
    QByteArray out(1, char(firstByte));
    quint32 length = quint32(body.size());
    do {
        quint8 b = length & 0x7F;
        length >>= 7;
        if (length)
            b |= 0x80;
        out.append(char(b));
    } while (length);
    return out + body;
}

void TestCodec::rejects_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<ProtocolError>("error");
    QTest::addColumn<QString>("specId");
    const auto row = [](const char *name, ProtocolVersion v, quint8 first, const char *body,
                        ProtocolError error, const char *specId) {
        QTest::newRow(name) << frameOf(first, hex(body)) << v << error << QString::fromLatin1(specId);
    };
    using E = ProtocolError;
    constexpr E Malformed = E::MalformedPacket;
    constexpr E Violation = E::ProtocolViolation;

    // --- Fixed header ------------------------------------------------------------------
    QTest::newRow("remaining length of five bytes [MQTT-1.5.5-1]")
            << hex("30 FFFFFFFF01") << V311 << Malformed << QStringLiteral("MQTT-1.5.5-1");
    row("reserved packet type 0", V311, 0x00, "", Malformed, "");
    row("CONNECT flags 0001 [MQTT-2.2.2-2]", V311, 0x11,
        "0004 4D515454 04 02 003C 0001 63", Malformed, "MQTT-2.2.2-2");
    row("CONNACK flags 0001 [MQTT-2.2.2-2]", V311, 0x21, "00 00", Malformed, "MQTT-2.2.2-2");
    row("PUBACK flags 0010 [MQTT-2.1.3-1]", V5, 0x42, "0001", Malformed, "MQTT-2.1.3-1");
    row("PUBREC flags 1000 [MQTT-2.2.2-2]", V311, 0x58, "0001", Malformed, "MQTT-2.2.2-2");
    row("PUBREL flags 0000 [MQTT-2.2.2-2]", V311, 0x60, "0001", Malformed, "MQTT-2.2.2-2");
    row("PUBCOMP flags 0010 [MQTT-2.1.3-1]", V5, 0x72, "0001", Malformed, "MQTT-2.1.3-1");
    row("SUBSCRIBE flags 0000 [MQTT-2.2.2-2]", V311, 0x80, "0001 0001 61 00", Malformed,
        "MQTT-2.2.2-2");
    row("SUBSCRIBE flags 0011 [MQTT-2.1.3-1]", V5, 0x83, "0001 00 0001 61 00", Malformed,
        "MQTT-2.1.3-1");
    row("SUBACK flags 0010 [MQTT-2.2.2-2]", V311, 0x92, "0001 00", Malformed, "MQTT-2.2.2-2");
    row("UNSUBSCRIBE flags 0000 [MQTT-2.2.2-2]", V311, 0xA0, "0001 0001 61", Malformed,
        "MQTT-2.2.2-2");
    row("UNSUBACK flags 0001 [MQTT-2.2.2-2]", V311, 0xB1, "0001", Malformed, "MQTT-2.2.2-2");
    row("PINGREQ flags 0001 [MQTT-2.2.2-2]", V311, 0xC1, "", Malformed, "MQTT-2.2.2-2");
    row("PINGRESP flags 0100 [MQTT-2.1.3-1]", V5, 0xD4, "", Malformed, "MQTT-2.1.3-1");
    row("DISCONNECT flags 0010 [MQTT-2.1.3-1]", V5, 0xE2, "", Malformed, "MQTT-2.1.3-1");
    row("AUTH flags 0001 [MQTT-2.1.3-1]", V5, 0xF1, "", Malformed, "MQTT-2.1.3-1");

    // --- CONNECT ------------------------------------------------------------------------
    row("CONNECT protocol name MQTX [MQTT-3.1.2-1]", V311, 0x10,
        "0004 4D515458 04 02 003C 0001 63", E::UnsupportedProtocolVersion, "MQTT-3.1.2-1");
    row("CONNECT protocol level 6 [MQTT-3.1.2-2]", V311, 0x10,
        "0004 4D515454 06 02 003C 0001 63", E::UnsupportedProtocolVersion, "MQTT-3.1.2-2");
    row("CONNECT MQTT with level 3 [MQTT-3.1.2-2]", V311, 0x10,
        "0004 4D515454 03 02 003C 0001 63", E::UnsupportedProtocolVersion, "MQTT-3.1.2-2");
    row("CONNECT MQIsdp with level 4 [MQTT-3.1.2-2]", V311, 0x10,
        "0006 4D5149736470 04 02 003C 0001 63", E::UnsupportedProtocolVersion, "MQTT-3.1.2-2");
    row("CONNECT truncated protocol name", V311, 0x10, "0004 4D51", Malformed, "");
    row("CONNECT reserved flag bit 0 [MQTT-3.1.2-3]", V311, 0x10,
        "0004 4D515454 04 03 003C 0001 63", Malformed, "MQTT-3.1.2-3");
    row("5.0 CONNECT reserved flag bit 0 [MQTT-3.1.2-3]", V5, 0x10,
        "0004 4D515454 05 03 003C 00 0001 63", Malformed, "MQTT-3.1.2-3");
    row("CONNECT will QoS 1 without will flag [MQTT-3.1.2-13]", V311, 0x10,
        "0004 4D515454 04 0A 003C 0001 63", Malformed, "MQTT-3.1.2-13");
    row("CONNECT will retain without will flag [MQTT-3.1.2-15]", V311, 0x10,
        "0004 4D515454 04 22 003C 0001 63", Malformed, "MQTT-3.1.2-15");
    row("CONNECT will QoS 3 [MQTT-3.1.2-14]", V311, 0x10,
        "0004 4D515454 04 1E 003C 0001 63 0001 77 0001 6D", Malformed, "MQTT-3.1.2-14");
    row("3.1.1 CONNECT password without user name [MQTT-3.1.2-22]", V311, 0x10,
        "0004 4D515454 04 42 003C 0001 63 0001 70", Malformed, "MQTT-3.1.2-22");
    row("3.1 CONNECT password without user name [MQTT-3.1.2-22]", V31, 0x10,
        "0006 4D5149736470 03 42 003C 0001 63 0001 70", Malformed, "MQTT-3.1.2-22");
    row("3.1.1 CONNECT empty client id with clean session 0 [MQTT-3.1.3-8]", V311, 0x10,
        "0004 4D515454 04 00 003C 0000", E::ClientIdentifierNotValid, "MQTT-3.1.3-8");
    row("3.1 CONNECT empty client id (3.1 requires 1-23 characters)", V31, 0x10,
        "0006 4D5149736470 03 02 003C 0000", E::ClientIdentifierNotValid, "");
    row("CONNECT client id overlong UTF-8 C080 [MQTT-1.5.3-1]", V311, 0x10,
        "0004 4D515454 04 02 003C 0002 C080", Malformed, "MQTT-1.5.3-1");
    row("CONNECT client id with U+0000 [MQTT-1.5.3-2]", V311, 0x10,
        "0004 4D515454 04 02 003C 0002 6300", Malformed, "MQTT-1.5.3-2");
    row("CONNECT truncated keep alive", V311, 0x10, "0004 4D515454 04 02 00", Malformed, "");
    row("CONNECT user name flag without user name", V311, 0x10,
        "0004 4D515454 04 82 003C 0001 63", Malformed, "");
    row("CONNECT trailing byte", V311, 0x10, "0004 4D515454 04 02 003C 0001 63 FF", Malformed,
        "");
    row("CONNECT will topic with wildcard [MQTT-4.7.1-1]", V311, 0x10,
        "0004 4D515454 04 06 003C 0001 63 0003 612F23 0001 6D", E::TopicNameInvalid,
        "MQTT-4.7.1-1");
    row("CONNECT empty will topic [MQTT-4.7.3-1]", V311, 0x10,
        "0004 4D515454 04 06 003C 0001 63 0000 0001 6D", E::TopicNameInvalid, "MQTT-4.7.3-1");
    row("5.0 CONNECT receive maximum 0", V5, 0x10,
        "0004 4D515454 05 02 003C 03 210000 0001 63", Violation, "");
    row("5.0 CONNECT maximum packet size 0", V5, 0x10,
        "0004 4D515454 05 02 003C 05 2700000000 0001 63", Violation, "");
    row("5.0 CONNECT request problem information 2", V5, 0x10,
        "0004 4D515454 05 02 003C 02 1702 0001 63", Violation, "");
    row("5.0 CONNECT request response information 2", V5, 0x10,
        "0004 4D515454 05 02 003C 02 1902 0001 63", Violation, "");
    row("5.0 CONNECT session expiry interval twice", V5, 0x10,
        "0004 4D515454 05 02 003C 0A 1100000001 1100000002 0001 63", Violation, "");
    row("5.0 CONNECT with Assigned Client Identifier (CONNACK only)", V5, 0x10,
        "0004 4D515454 05 02 003C 04 12000178 0001 63", Violation, "");
    row("5.0 CONNECT unknown property 0x7F", V5, 0x10,
        "0004 4D515454 05 02 003C 02 7F00 0001 63", Violation, "");
    row("5.0 CONNECT property length beyond the packet", V5, 0x10,
        "0004 4D515454 05 02 003C 40 1100000001", Malformed, "");
    row("5.0 CONNECT Topic Alias in will properties", V5, 0x10,
        "0004 4D515454 05 06 003C 00 0001 63 03 230001 0001 77 0001 6D", Violation, "");
    row("5.0 CONNECT will payload format 1 with invalid UTF-8 payload", V5, 0x10,
        "0004 4D515454 05 06 003C 00 0001 63 02 0101 0001 77 0001 FF",
        E::PayloadFormatInvalid, "");

    // --- CONNACK ------------------------------------------------------------------------
    row("3.1.1 CONNACK return code 6 (reserved)", V311, 0x20, "00 06", Malformed, "");
    row("3.1.1 CONNACK reserved acknowledge flag", V311, 0x20, "02 00", Malformed, "");
    row("3.1.1 CONNACK refusal with session present [MQTT-3.2.2-4]", V311, 0x20, "01 05",
        Violation, "MQTT-3.2.2-4");
    row("5.0 CONNACK refusal with session present [MQTT-3.2.2-6]", V5, 0x20, "01 87 00",
        Violation, "MQTT-3.2.2-6");
    row("3.1.1 CONNACK trailing byte", V311, 0x20, "00 00 00", Malformed, "");
    row("5.0 CONNACK reason 0x10 is not a CONNACK code [MQTT-3.2.2-8]", V5, 0x20, "00 10 00", Malformed, "MQTT-3.2.2-8");
    row("5.0 CONNACK missing property length", V5, 0x20, "00 00", Malformed, "");
    row("5.0 CONNACK maximum QoS 2", V5, 0x20, "00 00 02 2402", Violation, "");
    row("5.0 CONNACK retain available 2", V5, 0x20, "00 00 02 2502", Violation, "");
    row("5.0 CONNACK shared subscription available 3", V5, 0x20, "00 00 02 2A03", Violation, "");
    row("5.0 CONNACK Topic Alias (PUBLISH only)", V5, 0x20, "00 00 03 230001", Violation, "");

    // --- PUBLISH ------------------------------------------------------------------------
    row("PUBLISH QoS 3 [MQTT-3.3.1-4]", V311, 0x36, "0003 612F62 0001", Malformed,
        "MQTT-3.3.1-4");
    row("PUBLISH QoS 0 with DUP [MQTT-3.3.1-2]", V311, 0x38, "0003 612F62", Malformed,
        "MQTT-3.3.1-2");
    row("PUBLISH QoS 1 packet id 0 [MQTT-2.3.1-1]", V311, 0x32, "0003 612F62 0000", Violation,
        "MQTT-2.3.1-1");
    row("5.0 PUBLISH QoS 2 packet id 0 [MQTT-2.2.1-3]", V5, 0x34, "0003 612F62 0000 00",
        Violation, "MQTT-2.2.1-3");
    row("PUBLISH QoS 1 without packet id", V311, 0x32, "0003 612F62", Malformed, "");
    row("PUBLISH topic with + [MQTT-3.3.2-2]", V311, 0x30, "0003 612F2B", E::TopicNameInvalid,
        "MQTT-3.3.2-2");
    row("5.0 PUBLISH topic with # [MQTT-3.3.2-2]", V5, 0x30, "0003 612F23 00",
        E::TopicNameInvalid, "MQTT-3.3.2-2");
    row("3.1.1 PUBLISH empty topic [MQTT-4.7.3-1]", V311, 0x30, "0000 6869", E::TopicNameInvalid,
        "MQTT-4.7.3-1");
    row("5.0 PUBLISH empty topic without Topic Alias", V5, 0x30, "0000 00 6869", Violation, "");
    row("PUBLISH topic overlong UTF-8 E080AF [MQTT-1.5.3-1]", V311, 0x30, "0003 E080AF",
        Malformed, "MQTT-1.5.3-1");
    row("PUBLISH topic with encoded surrogate EDA080 [MQTT-1.5.3-1]", V311, 0x30, "0003 EDA080",
        Malformed, "MQTT-1.5.3-1");
    row("PUBLISH topic above U+10FFFF F4908080 [MQTT-1.5.3-1]", V311, 0x30, "0004 F4908080",
        Malformed, "MQTT-1.5.3-1");
    row("PUBLISH topic with cut 4-byte sequence [MQTT-1.5.3-1]", V311, 0x30, "0003 F09F98",
        Malformed, "MQTT-1.5.3-1");
    row("PUBLISH topic with lone continuation byte [MQTT-1.5.3-1]", V311, 0x30, "0002 6180",
        Malformed, "MQTT-1.5.3-1");
    row("PUBLISH topic with U+0000 [MQTT-1.5.3-2]", V311, 0x30, "0003 610062", Malformed,
        "MQTT-1.5.3-2");
    row("PUBLISH topic length beyond the packet", V311, 0x30, "0009 612F62", Malformed, "");
    row("5.0 PUBLISH missing property length", V5, 0x30, "0003 612F62", Malformed, "");
    row("5.0 PUBLISH property length beyond the packet", V5, 0x30, "0003 612F62 09 0101",
        Malformed, "");
    row("5.0 PUBLISH Topic Alias 0 [MQTT-3.3.2-8]", V5, 0x30, "0003 612F62 03 230000",
        E::TopicAliasInvalid, "MQTT-3.3.2-8");
    row("5.0 PUBLISH Topic Alias twice", V5, 0x30, "0003 612F62 06 230001 230002", Violation,
        "");
    row("5.0 PUBLISH payload format indicator 2", V5, 0x30, "0003 612F62 02 0102", Violation,
        "");
    row("5.0 PUBLISH payload format indicator twice", V5, 0x30, "0003 612F62 04 0100 0100",
        Violation, "");
    row("5.0 PUBLISH payload format 1 with invalid UTF-8 payload", V5, 0x30,
        "0003 612F62 02 0101 C328", E::PayloadFormatInvalid, "");
    row("5.0 PUBLISH subscription identifier 0", V5, 0x30, "0003 612F62 02 0B00", Violation, "");
    row("5.0 PUBLISH subscription identifier of five bytes [MQTT-1.5.5-1]", V5, 0x30,
        "0003 612F62 06 0B FFFFFFFF01", Malformed, "MQTT-1.5.5-1");
    row("5.0 PUBLISH session expiry interval (not allowed)", V5, 0x30,
        "0003 612F62 05 1100000001", Violation, "");
    row("5.0 PUBLISH unknown property 0x00", V5, 0x30, "0003 612F62 02 0000", Violation, "");
    row("5.0 PUBLISH response topic with wildcard [MQTT-3.3.2-14]", V5, 0x30,
        "0003 612F62 04 0800 012B", Violation, "MQTT-3.3.2-14");
    row("5.0 PUBLISH message expiry interval cut short", V5, 0x30, "0003 612F62 03 020000",
        Malformed, "");
    row("5.0 PUBLISH user property name not UTF-8 [MQTT-1.5.4-1]", V5, 0x30,
        "0003 612F62 07 26 0001 FF 0001 76", Malformed, "MQTT-1.5.4-1");

    // --- PUBACK, PUBREC, PUBREL, PUBCOMP ------------------------------------------------
    row("PUBACK packet id 0 [MQTT-2.3.1-1]", V311, 0x40, "0000", Violation, "MQTT-2.3.1-1");
    row("3.1.1 PUBACK with trailing reason code", V311, 0x40, "0001 00", Malformed, "");
    row("PUBACK cut packet id", V5, 0x40, "00", Malformed, "");
    row("5.0 PUBACK reason 0x92 is not a PUBACK code [MQTT-3.4.2-1]", V5, 0x40, "0001 92", Malformed, "MQTT-3.4.2-1");
    row("5.0 PUBREC reason 0x11 is not a PUBREC code [MQTT-3.5.2-1]", V5, 0x50, "0001 11", Malformed, "MQTT-3.5.2-1");
    row("5.0 PUBREL reason 0x10 is not a PUBREL code [MQTT-3.6.2-1]", V5, 0x62, "0001 10", Malformed, "MQTT-3.6.2-1");
    row("5.0 PUBCOMP reason 0x80 is not a PUBCOMP code [MQTT-3.7.2-1]", V5, 0x70, "0001 80", Malformed, "MQTT-3.7.2-1");
    row("5.0 PUBREC content type (not allowed)", V5, 0x50, "0001 00 04 03000178", Violation, "");
    row("5.0 PUBACK reason string twice", V5, 0x40, "0001 00 08 1F000178 1F000179", Violation,
        "");

    // --- SUBSCRIBE ----------------------------------------------------------------------
    row("SUBSCRIBE without filters [MQTT-3.8.3-3]", V311, 0x82, "0001", Violation,
        "MQTT-3.8.3-3");
    row("5.0 SUBSCRIBE without filters [MQTT-3.8.3-2]", V5, 0x82, "0001 00", Violation,
        "MQTT-3.8.3-2");
    row("SUBSCRIBE packet id 0 [MQTT-2.3.1-1]", V311, 0x82, "0000 0001 61 00", Violation,
        "MQTT-2.3.1-1");
    row("3.1.1 SUBSCRIBE reserved option bit [MQTT-3-8.3-4]", V311, 0x82, "0001 0001 61 04",
        Malformed, "MQTT-3-8.3-4");
    row("3.1.1 SUBSCRIBE QoS 3 [MQTT-3-8.3-4]", V311, 0x82, "0001 0001 61 03", Malformed,
        "MQTT-3-8.3-4");
    row("5.0 SUBSCRIBE reserved option bits [MQTT-3.8.3-5]", V5, 0x82, "0001 00 0001 61 40",
        Malformed, "MQTT-3.8.3-5");
    row("5.0 SUBSCRIBE maximum QoS 3 (3.8.3.1)", V5, 0x82, "0001 00 0001 61 03", Violation, "");
    row("5.0 SUBSCRIBE retain handling 3 (3.8.3.1)", V5, 0x82, "0001 00 0001 61 30", Violation,
        "");
    row("5.0 SUBSCRIBE No Local on shared subscription [MQTT-3.8.3-4]", V5, 0x82,
        "0001 00 000A 247368617265 2F672F 61 04", Violation, "MQTT-3.8.3-4");
    row("5.0 SUBSCRIBE two subscription identifiers", V5, 0x82, "0001 04 0B01 0B02 0001 61 00",
        Violation, "");
    row("5.0 SUBSCRIBE subscription identifier 0", V5, 0x82, "0001 02 0B00 0001 61 00",
        Violation, "");
    row("5.0 SUBSCRIBE reason string (not allowed)", V5, 0x82, "0001 04 1F000178 0001 61 00",
        Violation, "");
    row("SUBSCRIBE without options byte", V311, 0x82, "0001 0001 61", Malformed, "");
    row("SUBSCRIBE filter a/#/b [MQTT-4.7.1-2]", V311, 0x82, "0001 0005 612F232F62 00",
        E::TopicFilterInvalid, "MQTT-4.7.1-2");
    row("SUBSCRIBE filter a# [MQTT-4.7.1-2]", V311, 0x82, "0001 0002 6123 00",
        E::TopicFilterInvalid, "MQTT-4.7.1-2");
    row("SUBSCRIBE filter a/b+ [MQTT-4.7.1-2]", V5, 0x82, "0001 00 0004 612F622B 00",
        E::TopicFilterInvalid, "MQTT-4.7.1-2");
    row("SUBSCRIBE empty filter [MQTT-4.7.3-1]", V311, 0x82, "0001 0000 00",
        E::TopicFilterInvalid, "MQTT-4.7.3-1");
    row("SUBSCRIBE $share//x empty share name [MQTT-4.8.2-1]", V5, 0x82,
        "0001 00 0009 247368617265 2F2F78 00", E::TopicFilterInvalid, "MQTT-4.8.2-1");
    row("SUBSCRIBE $share/g without filter [MQTT-4.8.2-2]", V5, 0x82,
        "0001 00 0008 247368617265 2F67 00", E::TopicFilterInvalid, "MQTT-4.8.2-2");
    row("SUBSCRIBE $share/g+/x wildcard in share name [MQTT-4.8.2-2]", V5, 0x82,
        "0001 00 000B 247368617265 2F672B2F78 00", E::TopicFilterInvalid, "MQTT-4.8.2-2");
    row("SUBSCRIBE bad filter then a malformed one: malformed wins [MQTT-1.5.3-1]", V311, 0x82,
        "0001 0002 6123 00 0001 FF 00", Malformed, "MQTT-1.5.3-1");

    // --- SUBACK -------------------------------------------------------------------------
    row("3.1.1 SUBACK return code 0x03 [MQTT-3.9.3-2]", V311, 0x90, "0001 03", Malformed,
        "MQTT-3.9.3-2");
    row("5.0 SUBACK reason 0x04 is not a SUBACK code [MQTT-3.9.3-2]", V5, 0x90, "0001 00 04", Malformed, "MQTT-3.9.3-2");
    row("SUBACK packet id 0 [MQTT-2.3.1-1]", V311, 0x90, "0000 00", Violation, "MQTT-2.3.1-1");

    // --- UNSUBSCRIBE, UNSUBACK ----------------------------------------------------------
    row("UNSUBSCRIBE without filters [MQTT-3.10.3-2]", V311, 0xA2, "0001", Violation,
        "MQTT-3.10.3-2");
    row("5.0 UNSUBSCRIBE without filters [MQTT-3.10.3-2]", V5, 0xA2, "0001 00", Violation,
        "MQTT-3.10.3-2");
    row("UNSUBSCRIBE packet id 0 [MQTT-2.3.1-1]", V311, 0xA2, "0000 0001 61", Violation,
        "MQTT-2.3.1-1");
    row("UNSUBSCRIBE filter a/#/b [MQTT-4.7.1-2]", V311, 0xA2, "0001 0005 612F232F62",
        E::TopicFilterInvalid, "MQTT-4.7.1-2");
    row("UNSUBSCRIBE filter length beyond the packet", V311, 0xA2, "0001 0005 61", Malformed,
        "");
    row("5.0 UNSUBSCRIBE reason string (not allowed)", V5, 0xA2, "0001 04 1F000178 0001 61",
        Violation, "");
    row("3.1.1 UNSUBACK with a reason code", V311, 0xB0, "0001 00", Malformed, "");
    row("5.0 UNSUBACK reason 0x10 is not an UNSUBACK code [MQTT-3.11.3-2]", V5, 0xB0, "0001 00 10", Malformed,
        "MQTT-3.11.3-2");

    // --- PINGREQ, PINGRESP, DISCONNECT, AUTH --------------------------------------------
    row("PINGREQ with a body", V311, 0xC0, "00", Malformed, "");
    row("PINGRESP with a body", V5, 0xD0, "00", Malformed, "");
    row("3.1.1 DISCONNECT with a body", V311, 0xE0, "00", Malformed, "");
    row("5.0 DISCONNECT reason 0x84 is not a DISCONNECT code [MQTT-3.14.2-1]", V5, 0xE0, "84", Malformed, "MQTT-3.14.2-1");
    row("5.0 DISCONNECT Topic Alias (not allowed)", V5, 0xE0, "00 03 230001", Violation, "");
    row("5.0 DISCONNECT property length beyond the packet", V5, 0xE0, "00 05 11", Malformed,
        "");
    row("3.1.1 AUTH does not exist", V311, 0xF0, "", Malformed, "");
    row("3.1 AUTH does not exist", V31, 0xF0, "18 00", Malformed, "");
    row("5.0 AUTH reason 0x80 is not an AUTH code [MQTT-3.15.2-1]", V5, 0xF0, "80", Malformed, "MQTT-3.15.2-1");
    row("5.0 AUTH authentication method twice", V5, 0xF0, "18 08 15000178 15000179", Violation,
        "");
    row("5.0 AUTH session expiry interval (not allowed)", V5, 0xF0, "18 05 1100000001",
        Violation, "");
}

void TestCodec::rejects()
{
    QFETCH(QByteArray, wire);
    QFETCH(ProtocolVersion, version);
    QFETCH(ProtocolError, error);
    QFETCH(QString, specId);
    const DecodeResult result = decodeWire(wire, version);
    QVERIFY2(std::holds_alternative<DecodeError>(result), qPrintable(describeResult(result)));
    const DecodeError &e = std::get<DecodeError>(result);
    QVERIFY2(e.error == error, qPrintable(describeResult(result)));
    QCOMPARE(e.specId, specId);
    QVERIFY(!e.detail.isEmpty());
}

QTEST_APPLESS_MAIN(TestCodec)
#include "tst_codec.moc"
