// Tests of the MQTT codec: framing, decoding, encoding and the error mapping.
#include <QtTest>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "../common/testmain.h"
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
    Publish bom;
    bom.topic = QString(2, QChar(0xFEFF)) + QStringLiteral("x"); // kept [MQTT-1.5.4-3]
    bom.payload = QByteArray("\xEF\xBB\xBF", 3);
    rows.append({"PUBLISH topic starting with two BOMs", bom});
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
    void accepts_data();
    void accepts();
    void compactForms_data();
    void compactForms();
    void v3Conversion_data();
    void v3Conversion();
    void encodeRefuses_data();
    void encodeRefuses();
    void propertiesInStableOrder();
    void loneSurrogateEncodesAsReplacement();
    void badFiltersAreAllNamedAndRestIsDecoded();
    void takeFrameRemainingLength_data();
    void takeFrameRemainingLength();
    void takeFrameSplitAtEveryBoundary();
    void takeFrameSizeLimitBeforeBody_data();
    void takeFrameSizeLimitBeforeBody();
    void peekConnectVersion_data();
    void peekConnectVersion();
    void disconnectReasonFor_data();
    void disconnectReasonFor();
    void connackReasonFor_data();
    void connackReasonFor();
    void describe_data();
    void describe();
    void reasonCodeName_data();
    void reasonCodeName();
    void varintSize_data();
    void varintSize();
    void conformanceCorpus_data();
    void conformanceCorpus();
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
             qPrintable(hermes::mqtt::describe(packet) + QLatin1String(" became ")
                        + hermes::mqtt::describe(back)));
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
        QTest::newRow(name) << frameOf(first, hex(body)) << v << error
                            << QString::fromLatin1(specId);
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
        "0004 4D515454 05 02 003C 04 12000178 0001 63", Malformed, "");
    row("5.0 CONNECT unknown property 0x7F", V5, 0x10,
        "0004 4D515454 05 02 003C 02 7F00 0001 63", Malformed, "");
    row("5.0 CONNECT property length beyond the packet", V5, 0x10,
        "0004 4D515454 05 02 003C 40 1100000001", Malformed, "");
    row("5.0 CONNECT Topic Alias in will properties", V5, 0x10,
        "0004 4D515454 05 06 003C 00 0001 63 03 230001 0001 77 0001 6D", Malformed, "");
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
    row("5.0 CONNACK reason 0x10 is not a CONNACK code [MQTT-3.2.2-8]", V5, 0x20, "00 10 00",
        Malformed, "MQTT-3.2.2-8");
    row("5.0 CONNACK missing property length", V5, 0x20, "00 00", Malformed, "");
    row("5.0 CONNACK maximum QoS 2", V5, 0x20, "00 00 02 2402", Violation, "");
    row("5.0 CONNACK retain available 2", V5, 0x20, "00 00 02 2502", Violation, "");
    row("5.0 CONNACK shared subscription available 3", V5, 0x20, "00 00 02 2A03", Violation, "");
    row("5.0 CONNACK Topic Alias (PUBLISH only)", V5, 0x20, "00 00 03 230001", Malformed, "");

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
        "0003 612F62 05 1100000001", Malformed, "");
    row("5.0 PUBLISH unknown property 0x00", V5, 0x30, "0003 612F62 02 0000", Malformed, "");
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
    row("5.0 PUBACK reason 0x92 is not a PUBACK code [MQTT-3.4.2-1]", V5, 0x40, "0001 92",
        Malformed, "MQTT-3.4.2-1");
    row("5.0 PUBREC reason 0x11 is not a PUBREC code [MQTT-3.5.2-1]", V5, 0x50, "0001 11",
        Malformed, "MQTT-3.5.2-1");
    row("5.0 PUBREL reason 0x10 is not a PUBREL code [MQTT-3.6.2-1]", V5, 0x62, "0001 10",
        Malformed, "MQTT-3.6.2-1");
    row("5.0 PUBCOMP reason 0x80 is not a PUBCOMP code [MQTT-3.7.2-1]", V5, 0x70, "0001 80",
        Malformed, "MQTT-3.7.2-1");
    row("5.0 PUBREC content type (not allowed)", V5, 0x50, "0001 00 04 03000178", Malformed, "");
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
        Malformed, "");
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
    row("5.0 SUBACK reason 0x04 is not a SUBACK code [MQTT-3.9.3-2]", V5, 0x90, "0001 00 04",
        Malformed, "MQTT-3.9.3-2");
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
        Malformed, "");
    row("3.1.1 UNSUBACK with a reason code", V311, 0xB0, "0001 00", Malformed, "");
    row("5.0 UNSUBACK reason 0x10 is not an UNSUBACK code [MQTT-3.11.3-2]", V5, 0xB0, "0001 00 10",
        Malformed, "MQTT-3.11.3-2");

    // --- PINGREQ, PINGRESP, DISCONNECT, AUTH --------------------------------------------
    row("PINGREQ with a body", V311, 0xC0, "00", Malformed, "");
    row("PINGRESP with a body", V5, 0xD0, "00", Malformed, "");
    row("3.1.1 DISCONNECT with a body", V311, 0xE0, "00", Malformed, "");
    row("5.0 DISCONNECT reason 0x84 is not a DISCONNECT code [MQTT-3.14.2-1]", V5, 0xE0, "84",
        Malformed, "MQTT-3.14.2-1");
    row("5.0 DISCONNECT Topic Alias (not allowed)", V5, 0xE0, "00 03 230001", Malformed, "");
    row("5.0 DISCONNECT property length beyond the packet", V5, 0xE0, "00 05 11", Malformed,
        "");
    row("3.1.1 AUTH does not exist", V311, 0xF0, "", Malformed, "");
    row("3.1 AUTH does not exist", V31, 0xF0, "18 00", Malformed, "");
    row("5.0 AUTH reason 0x80 is not an AUTH code [MQTT-3.15.2-1]", V5, 0xF0, "80", Malformed,
        "MQTT-3.15.2-1");
    row("5.0 AUTH authentication method twice", V5, 0xF0, "18 08 15000178 15000179", Violation,
        "");
    row("5.0 AUTH session expiry interval (not allowed)", V5, 0xF0, "18 05 1100000001",
        Malformed, "");
    // --- The same rules in 5.0 numbering -------------------------------------------------
    row("5.0 CONNECT will QoS 1 without will flag [MQTT-3.1.2-11]", V5, 0x10,
        "0004 4D515454 05 0A 003C 00 0001 63", Malformed, "MQTT-3.1.2-11");
    row("5.0 CONNECT will retain without will flag [MQTT-3.1.2-13]", V5, 0x10,
        "0004 4D515454 05 22 003C 00 0001 63", Malformed, "MQTT-3.1.2-13");
    row("5.0 CONNECT will QoS 3 [MQTT-3.1.2-12]", V5, 0x10,
        "0004 4D515454 05 1E 003C 00 0001 63 00 0001 77 0001 6D", Malformed, "MQTT-3.1.2-12");
    row("5.0 CONNECT will topic with wildcard [MQTT-4.7.0-1]", V5, 0x10,
        "0004 4D515454 05 06 003C 00 0001 63 00 0001 2B 0001 6D", E::TopicNameInvalid,
        "MQTT-4.7.0-1");
    row("5.0 CONNECT client id with U+0000 [MQTT-1.5.4-2]", V5, 0x10,
        "0004 4D515454 05 02 003C 00 0001 00", Malformed, "MQTT-1.5.4-2");
    row("CONNECT MQIsdp with level 5 [MQTT-3.1.2-2]", V5, 0x10,
        "0006 4D5149736470 05 02 003C 00 0001 63", E::UnsupportedProtocolVersion, "MQTT-3.1.2-2");
    row("5.0 CONNACK reserved acknowledge flag [MQTT-3.2.2-1]", V5, 0x20, "02 00 00", Malformed,
        "MQTT-3.2.2-1");
    row("5.0 PUBLISH topic with surrogate [MQTT-1.5.4-1]", V5, 0x30, "0003 EDBFBF 00", Malformed,
        "MQTT-1.5.4-1");
    row("5.0 PUBLISH QoS 1 packet id 0 [MQTT-2.2.1-3]", V5, 0x32, "0001 61 0000 00", Violation,
        "MQTT-2.2.1-3");
    row("5.0 SUBSCRIBE filter # not last [MQTT-4.7.1-1]", V5, 0x82, "0001 00 0003 232F61 00",
        E::TopicFilterInvalid, "MQTT-4.7.1-1");
    row("5.0 SUBSCRIBE packet id 0 [MQTT-2.2.1-3]", V5, 0x82, "0000 00 0001 61 00", Violation,
        "MQTT-2.2.1-3");
    row("5.0 UNSUBSCRIBE filter + inside a level [MQTT-4.7.1-2]", V5, 0xA2, "0001 00 0002 2B61",
        E::TopicFilterInvalid, "MQTT-4.7.1-2");
    row("5.0 PUBREL flags 0000 [MQTT-2.1.3-1]", V5, 0x60, "0001", Malformed, "MQTT-2.1.3-1");
    row("5.0 UNSUBSCRIBE flags 0000 [MQTT-2.1.3-1]", V5, 0xA0, "0001 00 0001 61", Malformed,
        "MQTT-2.1.3-1");
    row("5.0 SUBACK reason string twice", V5, 0x90, "0001 08 1F000178 1F000179 00", Violation, "");
    row("5.0 UNSUBACK user property value cut", V5, 0xB0, "0001 05 26 0001 6B 00 00", Malformed,
        "");
    row("5.0 CONNACK wildcard subscription available 2", V5, 0x20, "00 00 02 2802", Violation,
        "");
    row("5.0 CONNACK subscription identifier available 2", V5, 0x20, "00 00 02 2902", Violation,
        "");
    row("PUBLISH U+0000 inside a 16-byte ASCII run [MQTT-1.5.3-2]", V311, 0x30,
        "0010 61626364656667686900 6A6B6C6D6E6F", Malformed, "MQTT-1.5.3-2");
    row("PUBLISH overlong byte after 9 ASCII bytes [MQTT-1.5.3-1]", V311, 0x30,
        "000B 616263646566676869 C0AF", Malformed, "MQTT-1.5.3-1");
    row("5.0 CONNACK receive maximum 0", V5, 0x20, "00 00 03 210000", Violation, "");
    row("5.0 CONNECT will delay interval in CONNECT properties (Will only)", V5, 0x10,
        "0004 4D515454 05 02 003C 05 1800000001 0001 63", Malformed, "");

    // --- Every property in every packet that may not carry it (2.2.2.2, Table 2-4) -----
    // "A Control Packet which contains an Identifier which is not valid for its packet
    // type ... is a Malformed Packet." The table is written out here from the specification
    // rather than taken from the codec, so a wrong entry there fails a row.
    struct PacketSlot {
        const char *name;
        quint8 first;
        const char *before; ///< body bytes before the property block
        const char *after;  ///< body bytes after it
    };
    const PacketSlot packetSlots[] = {
        {"CONNECT", 0x10, "0004 4D515454 05 02 003C", "0001 63"},
        {"Will properties", 0x10, "0004 4D515454 05 06 003C 00 0001 63", "0001 77 0001 6D"},
        {"CONNACK", 0x20, "00 00", ""},
        {"PUBLISH", 0x30, "0003 612F62", ""},
        {"PUBACK", 0x40, "0001 00", ""},
        {"PUBREC", 0x50, "0001 00", ""},
        {"PUBREL", 0x62, "0001 00", ""},
        {"PUBCOMP", 0x70, "0001 00", ""},
        {"SUBSCRIBE", 0x82, "0001", "0001 61 00"},
        {"SUBACK", 0x90, "0001", "00"},
        {"UNSUBSCRIBE", 0xA2, "0001", "0001 61"},
        {"UNSUBACK", 0xB0, "0001", "00"},
        {"DISCONNECT", 0xE0, "00", ""},
        {"AUTH", 0xF0, "18", ""},
    };
    struct PropertyRow {
        quint8 id;
        const char *name;
        const char *value; ///< a value of the property's type that is valid on its own
        QList<QByteArrayView> allowedIn;
    };
    const QList<QByteArrayView> acks{"PUBACK", "PUBREC", "PUBREL", "PUBCOMP"};
    const QList<PropertyRow> properties{
        {0x01, "Payload Format Indicator", "01", {"PUBLISH", "Will properties"}},
        {0x02, "Message Expiry Interval", "00000001", {"PUBLISH", "Will properties"}},
        {0x03, "Content Type", "0001 78", {"PUBLISH", "Will properties"}},
        {0x08, "Response Topic", "0001 78", {"PUBLISH", "Will properties"}},
        {0x09, "Correlation Data", "0001 78", {"PUBLISH", "Will properties"}},
        {0x0B, "Subscription Identifier", "01", {"PUBLISH", "SUBSCRIBE"}},
        {0x11, "Session Expiry Interval", "00000001", {"CONNECT", "CONNACK", "DISCONNECT"}},
        {0x12, "Assigned Client Identifier", "0001 78", {"CONNACK"}},
        {0x13, "Server Keep Alive", "0001", {"CONNACK"}},
        {0x15, "Authentication Method", "0001 78", {"CONNECT", "CONNACK", "AUTH"}},
        {0x16, "Authentication Data", "0001 78", {"CONNECT", "CONNACK", "AUTH"}},
        {0x17, "Request Problem Information", "01", {"CONNECT"}},
        {0x18, "Will Delay Interval", "00000001", {"Will properties"}},
        {0x19, "Request Response Information", "01", {"CONNECT"}},
        {0x1A, "Response Information", "0001 78", {"CONNACK"}},
        {0x1C, "Server Reference", "0001 78", {"CONNACK", "DISCONNECT"}},
        {0x1F, "Reason String", "0001 78",
         QList<QByteArrayView>{"CONNACK", "SUBACK", "UNSUBACK", "DISCONNECT", "AUTH"} + acks},
        {0x21, "Receive Maximum", "0001", {"CONNECT", "CONNACK"}},
        {0x22, "Topic Alias Maximum", "0001", {"CONNECT", "CONNACK"}},
        {0x23, "Topic Alias", "0001", {"PUBLISH"}},
        {0x24, "Maximum QoS", "01", {"CONNACK"}},
        {0x25, "Retain Available", "01", {"CONNACK"}},
        {0x27, "Maximum Packet Size", "00000001", {"CONNECT", "CONNACK"}},
        {0x28, "Wildcard Subscription Available", "01", {"CONNACK"}},
        {0x29, "Subscription Identifier Available", "01", {"CONNACK"}},
        {0x2A, "Shared Subscription Available", "01", {"CONNACK"}},
        // User Property (0x26) is allowed everywhere.
    };
    for (const PropertyRow &property : properties) {
        for (const PacketSlot &slot : packetSlots) {
            if (property.allowedIn.contains(QByteArrayView(slot.name)))
                continue;
            const QByteArray value = QByteArray(1, char(property.id)) + hex(property.value);
            const QByteArray body = hex(slot.before) + char(value.size()) + value + hex(slot.after);
            QTest::addRow("5.0 %s with %s 0x%02X (2.2.2.2)", slot.name, property.name, property.id)
                    << frameOf(slot.first, body) << V5 << Malformed << QString();
        }
    }
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

void TestCodec::accepts_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<Packet>("expected");

    Connect v5NoUser;
    v5NoUser.version = V5;
    v5NoUser.clientId = QStringLiteral("c");
    v5NoUser.password = QByteArray("p");
    QTest::newRow("5.0 CONNECT password without user name (allowed since 5.0, 3.1.2.9)")
            << frameOf(0x10, hex("0004 4D515454 05 42 003C 00 0001 63 0001 70")) << V5
            << Packet(v5NoUser);

    Connect v31NoPassword;
    v31NoPassword.version = V31;
    v31NoPassword.clientId = QStringLiteral("c");
    v31NoPassword.userName = QStringLiteral("u");
    QTest::newRow("3.1 CONNECT password flag without password is ignored (as mosquitto)")
            << frameOf(0x10, hex("0006 4D5149736470 03 C2 003C 0001 63 0001 75")) << V31
            << Packet(v31NoPassword);

    Connect v5EmptyId;
    v5EmptyId.version = V5;
    v5EmptyId.cleanStart = false;
    QTest::newRow("5.0 CONNECT empty client id with clean start 0 (3.1.3.1)")
            << frameOf(0x10, hex("0004 4D515454 05 00 003C 00 0000")) << V5 << Packet(v5EmptyId);

    Subscribe dupSubscribe;
    dupSubscribe.packetId = 1;
    dupSubscribe.subscriptions.append({QStringLiteral("a"), {QoS::AtLeastOnce}});
    QTest::newRow("3.1 SUBSCRIBE with DUP|QoS1 fixed header flags (3.1 had them)")
            << frameOf(0x8A, hex("0001 0001 61 01")) << V31 << Packet(dupSubscribe);

    Publish bom;
    bom.topic = QString(QChar(0xFEFF)) + QLatin1Char('a');
    QTest::newRow("PUBLISH topic keeps a leading BOM [MQTT-1.5.4-3]")
            << frameOf(0x30, hex("0004 EFBBBF61 00")) << V5 << Packet(bom);

    Publish nonMinimal;
    nonMinimal.topic = QStringLiteral("a");
    QTest::newRow("remaining length 0x83 0x00 (not minimal) is accepted")
            << hex("30 8300 0001 61") << V311 << Packet(nonMinimal);

    Publish pfi;
    pfi.topic = QStringLiteral("a");
    pfi.payload = QByteArray("\xC3\xA9\x00", 3);
    pfi.properties.payloadFormatIndicator = 1;
    QTest::newRow("5.0 PUBLISH payload format 1 with UTF-8 payload containing U+0000")
            << frameOf(0x30, hex("0001 61 02 0101 C3A900")) << V5 << Packet(pfi);

    Publish multiSubId;
    multiSubId.topic = QStringLiteral("a");
    multiSubId.properties.subscriptionIdentifiers = {1, 128};
    QTest::newRow("5.0 PUBLISH two subscription identifiers (3.3.2.3.8)")
            << frameOf(0x30, hex("0001 61 05 0B01 0B8001")) << V5 << Packet(multiSubId);

    Publish userProps;
    userProps.topic = QStringLiteral("a");
    userProps.properties.userProperties = {{QStringLiteral("k"), QStringLiteral("1")},
                                           {QStringLiteral("k"), QStringLiteral("1")}};
    QTest::newRow("5.0 PUBLISH repeated identical user property [MQTT-3.3.2-17]")
            << frameOf(0x30, hex("0001 61 0E 26 0001 6B 0001 31 26 0001 6B 0001 31")) << V5
            << Packet(userProps);

    Subscribe sharedNoLocalV311;
    sharedNoLocalV311.packetId = 1;
    sharedNoLocalV311.subscriptions.append({QStringLiteral("$share/g/a"), {QoS::AtMostOnce}});
    QTest::newRow("3.1.1 SUBSCRIBE to $share/g/a (no No Local bit in 3.1.1)")
            << frameOf(0x82, hex("0001 000A 247368617265 2F672F61 00")) << V311
            << Packet(sharedNoLocalV311);

    Unsubscribe unsub;
    unsub.packetId = 2;
    unsub.filters = {QStringLiteral("$share/g/#")};
    QTest::newRow("5.0 UNSUBSCRIBE shared filter")
            << frameOf(0xA2, hex("0002 00 000A 247368617265 2F672F23")) << V5 << Packet(unsub);
}

void TestCodec::accepts()
{
    QFETCH(QByteArray, wire);
    QFETCH(ProtocolVersion, version);
    QFETCH(Packet, expected);
    const DecodeResult result = decodeWire(wire, version);
    QVERIFY2(std::holds_alternative<Packet>(result), qPrintable(describeResult(result)));
    QVERIFY2(std::get<Packet>(result) == expected, qPrintable(describeResult(result)));
}

void TestCodec::compactForms_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QByteArray>("longForm"); // the same packet without abbreviation

    QTest::newRow("PUBACK Success, no properties: remaining length 2 (3.4.2.1)")
            << Packet(Puback{7, ReasonCode::Success, {}})
            << hex("40 02 | 0007")               // PUBACK, rl 2, packet id 7
            << hex("40 04 | 0007 | 00 | 00");    // + reason 0x00, property length 0
    QTest::newRow("PUBREC 0x10 without properties: remaining length 3")
            << Packet(Pubrec{7, ReasonCode::NoMatchingSubscribers, {}})
            << hex("50 03 | 0007 | 10")          // PUBREC, rl 3, id 7, reason 0x10
            << hex("50 04 | 0007 | 10 | 00");
    QTest::newRow("PUBREL Success: remaining length 2, flags 0010")
            << Packet(Pubrel{1, ReasonCode::Success, {}}) << hex("62 02 | 0001")
            << hex("62 04 | 0001 | 00 | 00");
    QTest::newRow("PUBCOMP 0x92: remaining length 3")
            << Packet(Pubcomp{1, ReasonCode::PacketIdentifierNotFound, {}})
            << hex("70 03 | 0001 | 92") << hex("70 04 | 0001 | 92 | 00");
    QTest::newRow("DISCONNECT Normal disconnection: remaining length 0 (3.14.2.1)")
            << Packet(Disconnect{}) << hex("E0 00") << hex("E0 02 | 00 | 00");
    QTest::newRow("DISCONNECT 0x04 without properties: remaining length 1")
            << Packet(Disconnect{ReasonCode::DisconnectWithWillMessage, {}}) << hex("E0 01 | 04")
            << hex("E0 02 | 04 | 00");
    QTest::newRow("AUTH Success: remaining length 0 (3.15.2.1)")
            << Packet(Auth{}) << hex("F0 00") << hex("F0 02 | 00 | 00");
    Properties reason;
    reason.reasonString = QStringLiteral("x");
    QTest::newRow("PUBACK Success with a property keeps the reason code")
            << Packet(Puback{7, ReasonCode::Success, reason})
            << hex("40 08 | 0007 | 00 | 04 | 1F 0001 78")  // id, reason, props: reason string "x"
            << hex("40 08 | 0007 | 00 | 04 | 1F 0001 78");
}

void TestCodec::compactForms()
{
    QFETCH(Packet, packet);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, longForm);
    QCOMPARE(encode(packet, V5).toHex(' '), wire.toHex(' '));
    for (const QByteArray &bytes : {wire, longForm}) {
        const DecodeResult result = decodeWire(bytes, V5);
        QVERIFY2(std::holds_alternative<Packet>(result), qPrintable(describeResult(result)));
        QVERIFY2(std::get<Packet>(result) == packet, qPrintable(describeResult(result)));
    }
}

void TestCodec::v3Conversion_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QByteArray>("wire");

    const QList<std::pair<ReasonCode, quint8>> connack = {
        {ReasonCode::Success, 0},
        {ReasonCode::UnsupportedProtocolVersion, 1},
        {ReasonCode::ClientIdentifierNotValid, 2},
        {ReasonCode::ServerUnavailable, 3},
        {ReasonCode::ServerBusy, 3},
        {ReasonCode::MalformedPacket, 3},
        {ReasonCode::BadUserNameOrPassword, 4},
        {ReasonCode::BadAuthenticationMethod, 4},
        {ReasonCode::NotAuthorized, 5},
        {ReasonCode::Banned, 5},
    };
    for (const auto &[code, v3] : connack) {
        Connack c;
        c.reasonCode = code;
        c.properties.reasonString = QStringLiteral("dropped in 3.x");
        QTest::addRow("3.1.1 CONNACK reason 0x%02x -> return code %d", quint8(code), v3)
                << Packet(c) << V311 << (hex("20 02 00") + char(v3));
    }
    Suback suback{3,
                  {ReasonCode::GrantedQoS0, ReasonCode::GrantedQoS2, ReasonCode::TopicFilterInvalid,
                   ReasonCode::QuotaExceeded},
                  reasonProperties()};
    QTest::newRow("3.1.1 SUBACK: v5 failures become 0x80 [MQTT-3.9.3-2]")
            << Packet(suback) << V311 << hex("90 06 | 0003 | 00 02 80 80");
    QTest::newRow("3.1.1 UNSUBACK drops reason codes and properties")
            << Packet(Unsuback{4, {ReasonCode::NoSubscriptionExisted}, reasonProperties()}) << V311
            << hex("B0 02 | 0004");
    QTest::newRow("3.1.1 PUBACK drops reason code and properties")
            << Packet(Puback{7, ReasonCode::QuotaExceeded, reasonProperties()}) << V311
            << hex("40 02 | 0007");
    QTest::newRow("3.1.1 DISCONNECT drops reason code")
            << Packet(Disconnect{ReasonCode::ServerShuttingDown, reasonProperties()}) << V311
            << hex("E0 00");
    Publish publish;
    publish.topic = QStringLiteral("a");
    publish.payload = QByteArray("p");
    publish.qos = QoS::AtLeastOnce;
    publish.packetId = 2;
    publish.retain = true;
    publish.properties = publishProperties();
    QTest::newRow("3.1 PUBLISH drops properties")
            << Packet(publish) << V31 << hex("33 06 | 0001 61 | 0002 | 70");
    Subscribe sub;
    sub.packetId = 5;
    sub.subscriptions.append({QStringLiteral("a"), {QoS::ExactlyOnce, true, true,
                                                    RetainHandling::DoNotSend}});
    sub.properties.subscriptionIdentifiers = {9};
    QTest::newRow("3.1.1 SUBSCRIBE keeps only the QoS bits of the options")
            << Packet(sub) << V311 << hex("82 06 | 0005 | 0001 61 | 02");
}

void TestCodec::v3Conversion()
{
    QFETCH(Packet, packet);
    QFETCH(ProtocolVersion, version);
    QFETCH(QByteArray, wire);
    QCOMPARE(encode(packet, version).toHex(' '), wire.toHex(' '));
}

void TestCodec::encodeRefuses_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("AUTH in 3.1.1") << Packet(Auth{ReasonCode::ContinueAuthentication, {}}) << V311;
    QTest::newRow("AUTH in 3.1") << Packet(Auth{}) << V31;
    Publish longTopic;
    longTopic.topic = QString(65536, QLatin1Char('a'));
    QTest::newRow("topic of 65,536 bytes [MQTT-4.7.3-3]") << Packet(longTopic) << V5;
    Publish longUtf8;
    longUtf8.topic = QString(30000, QChar(0x00E9)); // 60,000 bytes in UTF-8... plus
    longUtf8.topic += QString(3000, QChar(0x20AC)); // 9,000 more: 69,000 > 65,535
    QTest::newRow("topic of 33,000 characters but 69,000 UTF-8 bytes") << Packet(longUtf8) << V311;
    Connect longPassword;
    longPassword.clientId = QStringLiteral("c");
    longPassword.userName = QStringLiteral("u");
    longPassword.password = QByteArray(70000, 'p');
    QTest::newRow("password of 70,000 bytes") << Packet(longPassword) << V311;
}

void TestCodec::encodeRefuses()
{
    QFETCH(Packet, packet);
    QFETCH(ProtocolVersion, version);
    QVERIFY(encode(packet, version).isEmpty());
}

void TestCodec::propertiesInStableOrder()
{
    // Set in a scrambled order; written by ascending identifier, repeated ones in list order.
    Publish p;
    p.topic = QStringLiteral("t");
    p.properties.userProperties = {{QStringLiteral("b"), QStringLiteral("2")},
                                   {QStringLiteral("a"), QStringLiteral("1")}};
    p.properties.topicAlias = 1;
    p.properties.subscriptionIdentifiers = {5, 3};
    p.properties.payloadFormatIndicator = 0;
    const QByteArray expected = hex("30 1B"
                                    "0001 74"           // topic "t"
                                    "17"                // property length 23
                                    "01 00"             // payload format indicator 0
                                    "0B 05"             // subscription identifier 5
                                    "0B 03"             // subscription identifier 3
                                    "23 0001"           // topic alias 1
                                    "26 0001 62 0001 32" // user property b=2
                                    "26 0001 61 0001 31"); // user property a=1
    QCOMPARE(encode(p, V5).toHex(' '), expected.toHex(' '));
}

void TestCodec::loneSurrogateEncodesAsReplacement()
{
    Publish p;
    p.topic = QStringLiteral("a") + QChar(0xD800) + QLatin1Char('b');
    QCOMPARE(encode(p, V311).toHex(' '), hex("30 07 | 0005 61 EFBFBD 62").toHex(' '));
}

void TestCodec::badFiltersAreAllNamedAndRestIsDecoded()
{
    const QByteArray wire = frameOf(0x82, hex("0009"             // packet id 9
                                              "00"               // no properties
                                              "0001 61 01"       // "a" QoS 1
                                              "0005 612F232F62 00" // "a/#/b" (bad)
                                              "0001 63 02"       // "c" QoS 2
                                              "0002 642B 00"));  // "d+" (bad)
    const DecodeResult strict = decodeWire(wire, V5);
    QVERIFY(std::holds_alternative<DecodeError>(strict));
    const DecodeError &e = std::get<DecodeError>(strict);
    QCOMPARE(e.error, ProtocolError::TopicFilterInvalid);
    QCOMPARE(e.specId, QStringLiteral("MQTT-4.7.1-1"));
    QVERIFY2(e.detail.contains(QLatin1String("filter 1 \"a/#/b\"")), qPrintable(e.detail));
    QVERIFY2(e.detail.contains(QLatin1String("invalid filter indexes: 1,3")), qPrintable(e.detail));


    // A malformation anywhere in the packet wins over a bad filter before it.
    const QByteArray alsoBadUtf8 = frameOf(0x82, hex("0009 00 0002 232F 00 0001 FF 00"));
    const DecodeResult malformed = decodeWire(alsoBadUtf8, V5);
    QVERIFY(std::holds_alternative<DecodeError>(malformed));
    QCOMPARE(std::get<DecodeError>(malformed).error, ProtocolError::MalformedPacket);
}

void TestCodec::takeFrameRemainingLength_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qsizetype>("total"); // -1: malformed
    QTest::newRow("0 in one byte") << hex("C0 00") << qsizetype(2);
    QTest::newRow("127 in one byte") << hex("30 7F") << qsizetype(2 + 127);
    QTest::newRow("128 in two bytes") << hex("30 8001") << qsizetype(3 + 128);
    QTest::newRow("16383 in two bytes") << hex("30 FF7F") << qsizetype(3 + 16383);
    QTest::newRow("16384 in three bytes") << hex("30 808001") << qsizetype(4 + 16384);
    QTest::newRow("2097151 in three bytes") << hex("30 FFFF7F") << qsizetype(4 + 2097151);
    QTest::newRow("2097152 in four bytes") << hex("30 80808001") << qsizetype(5 + 2097152);
    QTest::newRow("268435455 in four bytes") << hex("30 FFFFFF7F") << qsizetype(5 + 268435455);
    QTest::newRow("five bytes [MQTT-1.5.5-1]") << hex("30 FFFFFFFF7F") << qsizetype(-1);
    QTest::newRow("five bytes even if the last is 0 [MQTT-1.5.5-1]") << hex("30 8080808000")
                                                                      << qsizetype(-1);
}

void TestCodec::takeFrameRemainingLength()
{
    QFETCH(QByteArray, header);
    QFETCH(qsizetype, total);
    const FrameResult result = takeFrame(header, 0);
    if (total < 0) {
        QVERIFY(std::holds_alternative<DecodeError>(result));
        QCOMPARE(std::get<DecodeError>(result).error, ProtocolError::MalformedPacket);
        QCOMPARE(std::get<DecodeError>(result).specId, QStringLiteral("MQTT-1.5.5-1"));
        return;
    }
    if (total == header.size()) {
        QVERIFY(std::holds_alternative<Frame>(result));
        QCOMPARE(std::get<Frame>(result).totalSize, total);
        QVERIFY(std::get<Frame>(result).body.isEmpty());
        return;
    }
    // Only the header is there: the whole size is known without any body byte.
    QVERIFY(std::holds_alternative<NeedMore>(result));
    QCOMPARE(std::get<NeedMore>(result).atLeast, total);
    // Every shorter prefix of the header asks for one more byte.
    for (qsizetype n = 0; n < header.size(); ++n) {
        const FrameResult partial = takeFrame(QByteArrayView(header).first(n), 0);
        QVERIFY(std::holds_alternative<NeedMore>(partial));
        QCOMPARE(std::get<NeedMore>(partial).atLeast, qMax<qsizetype>(2, n + 1));
    }
}

void TestCodec::takeFrameSplitAtEveryBoundary()
{
    // Several packets of different header sizes in one stream, cut at every byte.
    QList<Packet> packets;
    QByteArray stream;
    for (const auto &[name, packet] : samplePackets(V5)) {
        packets.append(packet);
        stream += encode(packet, V5);
    }
    QVERIFY(stream.size() > 20000);
    const auto drain = [&](QByteArray &buffer, QList<Packet> &out) {
        while (true) {
            const FrameResult r = takeFrame(buffer, 0);
            if (const auto *more = std::get_if<NeedMore>(&r)) {
                if (more->atLeast <= buffer.size())
                    return false;
                return true;
            }
            if (!std::holds_alternative<Frame>(r))
                return false;
            const Frame f = std::get<Frame>(r);
            const DecodeResult d = decodePacket(f, V5);
            if (!std::holds_alternative<Packet>(d))
                return false;
            out.append(std::get<Packet>(d));
            buffer.remove(0, f.totalSize);
        }
    };
    // Every cut point of the first 1,500 bytes (which hold many small frames), then a
    // stride across the large PUBLISH so the test stays fast.
    for (qsizetype cut = 0; cut <= stream.size(); cut += cut < 1500 ? 1 : 97) {
        QByteArray buffer = stream.first(cut);
        QList<Packet> out;
        QVERIFY2(drain(buffer, out), qPrintable(QString::number(cut)));
        buffer += stream.sliced(cut);
        QVERIFY2(drain(buffer, out), qPrintable(QString::number(cut)));
        QVERIFY(buffer.isEmpty());
        QCOMPARE(out.size(), packets.size());
        QVERIFY(out == packets);
    }
    // And byte by byte, as a slow network delivers it.
    QByteArray buffer;
    QList<Packet> out;
    for (char byte : stream) {
        buffer.append(byte);
        QVERIFY(drain(buffer, out));
    }
    QVERIFY(out == packets);
}

void TestCodec::takeFrameSizeLimitBeforeBody_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<quint32>("limit");
    QTest::addColumn<bool>("tooLarge");
    QTest::newRow("header only, 1,000,000 announced, limit 1,024")
            << hex("30 C0843D") << quint32(1024) << true;
    QTest::newRow("header + 3 body bytes, 200 announced, limit 100")
            << hex("30 C801 000161") << quint32(100) << true;
    QTest::newRow("total 100 = limit (fixed header counts)") << hex("30 62") << quint32(100)
                                                             << false;
    QTest::newRow("total 101 > limit 100") << hex("30 63") << quint32(100) << true;
    QTest::newRow("limit 0 means none") << hex("30 FFFFFF7F") << quint32(0) << false;
}

void TestCodec::takeFrameSizeLimitBeforeBody()
{
    QFETCH(QByteArray, buffer);
    QFETCH(quint32, limit);
    QFETCH(bool, tooLarge);
    const FrameResult result = takeFrame(buffer, limit);
    if (tooLarge) {
        QVERIFY(std::holds_alternative<DecodeError>(result));
        QCOMPARE(std::get<DecodeError>(result).error, ProtocolError::PacketTooLarge);
        QCOMPARE(hermes::mqtt::disconnectReasonFor(std::get<DecodeError>(result).error),
                 ReasonCode::PacketTooLarge);
    } else {
        QVERIFY(std::holds_alternative<NeedMore>(result));
    }
}

void TestCodec::peekConnectVersion_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<int>("version"); // 0: none
    QTest::newRow("MQTT 5") << frameOf(0x10, hex("0004 4D515454 05 FF")) << 5;
    QTest::newRow("MQTT 4") << frameOf(0x10, hex("0004 4D515454 04")) << 4;
    QTest::newRow("MQIsdp 3") << frameOf(0x10, hex("0006 4D5149736470 03 00")) << 3;
    QTest::newRow("MQTT 6") << frameOf(0x10, hex("0004 4D515454 06")) << 0;
    QTest::newRow("truncated name") << frameOf(0x10, hex("0004 4D51")) << 0;
    QTest::newRow("not a CONNECT") << frameOf(0x30, hex("0004 4D515454 05")) << 0;
}

void TestCodec::peekConnectVersion()
{
    QFETCH(QByteArray, wire);
    QFETCH(int, version);
    const std::optional<ProtocolVersion> v =
            hermes::mqtt::peekConnectVersion(std::get<Frame>(takeFrame(wire, 0)));
    QCOMPARE(v ? int(*v) : 0, version);
}

void TestCodec::disconnectReasonFor_data()
{
    QTest::addColumn<ProtocolError>("error");
    QTest::addColumn<ReasonCode>("reason");
    using E = ProtocolError;
    using R = ReasonCode;
    QTest::newRow("MalformedPacket -> 0x81") << E::MalformedPacket << R::MalformedPacket;
    QTest::newRow("ProtocolViolation -> 0x82") << E::ProtocolViolation << R::ProtocolError;
    QTest::newRow("PacketTooLarge -> 0x95") << E::PacketTooLarge << R::PacketTooLarge;
    QTest::newRow("UnsupportedProtocolVersion -> 0x82 (0x84 is CONNACK only)")
            << E::UnsupportedProtocolVersion << R::ProtocolError;
    QTest::newRow("ClientIdentifierNotValid -> 0x82 (0x85 is CONNACK only)")
            << E::ClientIdentifierNotValid << R::ProtocolError;
    QTest::newRow("TopicNameInvalid -> 0x90") << E::TopicNameInvalid << R::TopicNameInvalid;
    QTest::newRow("TopicFilterInvalid -> 0x82 [MQTT-4.13.1-1] (0x8F is for well-formed filters)")
            << E::TopicFilterInvalid << R::ProtocolError;
    QTest::newRow("TopicAliasInvalid -> 0x94") << E::TopicAliasInvalid << R::TopicAliasInvalid;
    QTest::newRow("ReceiveMaximumExceeded -> 0x93") << E::ReceiveMaximumExceeded
                                                    << R::ReceiveMaximumExceeded;
    QTest::newRow("PayloadFormatInvalid -> 0x99") << E::PayloadFormatInvalid
                                                  << R::PayloadFormatInvalid;
    QTest::newRow("QoSNotSupported -> 0x9B") << E::QoSNotSupported << R::QoSNotSupported;
    QTest::newRow("RetainNotSupported -> 0x9A") << E::RetainNotSupported << R::RetainNotSupported;
}

void TestCodec::disconnectReasonFor()
{
    QFETCH(ProtocolError, error);
    QFETCH(ReasonCode, reason);
    const ReasonCode code = hermes::mqtt::disconnectReasonFor(error);
    QCOMPARE(code, reason);
    // The result must be a code DISCONNECT may carry: our own decoder accepts it.
    const Packet disconnect = Disconnect{code, {}};
    const DecodeResult back = decodeWire(encode(disconnect, V5), V5);
    QVERIFY2(std::holds_alternative<Packet>(back), qPrintable(describeResult(back)));
}

void TestCodec::connackReasonFor_data()
{
    QTest::addColumn<ProtocolError>("error");
    QTest::addColumn<ReasonCode>("reason");
    QTest::addColumn<int>("v311ReturnCode");
    using E = ProtocolError;
    using R = ReasonCode;
    QTest::newRow("UnsupportedProtocolVersion -> 0x84 / 3.1.1 0x01 [MQTT-3.1.2-2]")
            << E::UnsupportedProtocolVersion << R::UnsupportedProtocolVersion << 1;
    QTest::newRow("ClientIdentifierNotValid -> 0x85 / 3.1.1 0x02 [MQTT-3.1.3-8]")
            << E::ClientIdentifierNotValid << R::ClientIdentifierNotValid << 2;
    QTest::newRow("MalformedPacket -> 0x81") << E::MalformedPacket << R::MalformedPacket << 3;
    QTest::newRow("ProtocolViolation -> 0x82") << E::ProtocolViolation << R::ProtocolError << 3;
    QTest::newRow("PacketTooLarge -> 0x95") << E::PacketTooLarge << R::PacketTooLarge << 3;
    QTest::newRow("TopicNameInvalid (will topic) -> 0x90") << E::TopicNameInvalid
                                                           << R::TopicNameInvalid << 3;
    QTest::newRow("PayloadFormatInvalid (will payload) -> 0x99") << E::PayloadFormatInvalid
                                                                 << R::PayloadFormatInvalid << 3;
    QTest::newRow("TopicAliasInvalid -> 0x82") << E::TopicAliasInvalid << R::ProtocolError << 3;
}

void TestCodec::connackReasonFor()
{
    QFETCH(ProtocolError, error);
    QFETCH(ReasonCode, reason);
    QFETCH(int, v311ReturnCode);
    const ReasonCode code = hermes::mqtt::connackReasonFor(error);
    QCOMPARE(code, reason);
    const Packet connack = Connack{false, code, {}};
    const DecodeResult back = decodeWire(encode(connack, V5), V5);
    QVERIFY2(std::holds_alternative<Packet>(back), qPrintable(describeResult(back)));
    QCOMPARE(encode(connack, V311), hex("20 02 00") + char(v311ReturnCode));
}

void TestCodec::describe_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QString>("text");
    Publish publish;
    publish.topic = QStringLiteral("a/b");
    publish.qos = QoS::AtLeastOnce;
    publish.packetId = 7;
    publish.payload = QByteArray(12, 'x');
    QTest::newRow("PUBLISH") << Packet(
            publish) << QStringLiteral("PUBLISH topic=a/b qos=1 pid=7 retain=0 dup=0 len=12");
    Publish qos0;
    qos0.topic = QStringLiteral("t");
    qos0.retain = true;
    QTest::newRow("PUBLISH qos 0 has no pid")
            << Packet(qos0) << QStringLiteral("PUBLISH topic=t qos=0 retain=1 dup=0 len=0");
    Connect connect;
    connect.version = V5;
    connect.clientId = QStringLiteral("dev-1");
    connect.userName = QStringLiteral("alice");
    connect.will = Will{QStringLiteral("devices/dev-1/state"), {}, QoS::AtMostOnce, false, {}};
    QTest::newRow("CONNECT")
            << Packet(connect)
            << QStringLiteral(
                       "CONNECT v5 id=dev-1 clean=1 ka=60 user=alice will=devices/dev-1/state");
    QTest::newRow("SUBACK") << Packet(Suback{3, {ReasonCode::GrantedQoS1,
                                                 ReasonCode::UnspecifiedError}, {}})
                            << QStringLiteral("SUBACK pid=3 codes=[0x01,0x80]");
    QTest::newRow("DISCONNECT") << Packet(Disconnect{ReasonCode::SessionTakenOver, {}})
                                << QStringLiteral("DISCONNECT reason=0x8E (Session taken over)");
    QTest::newRow("DISCONNECT normal")
            << Packet(Disconnect {})
            << QStringLiteral("DISCONNECT reason=0x00 (Normal disconnection)");
    QTest::newRow("CONNACK") << Packet(Connack{true, ReasonCode::Success, {}})
                             << QStringLiteral("CONNACK sp=1 reason=0x00 (Success)");
    QTest::newRow("PUBREL") << Packet(Pubrel {9, ReasonCode::PacketIdentifierNotFound, {}})
                            << QStringLiteral(
                                       "PUBREL pid=9 reason=0x92 (Packet Identifier not found)");
    Subscribe sub;
    sub.packetId = 2;
    sub.subscriptions = {{QStringLiteral("a/#"), {QoS::AtLeastOnce}}};
    QTest::newRow("SUBSCRIBE") << Packet(sub) << QStringLiteral("SUBSCRIBE pid=2 filters=[a/#:q1]");
    QTest::newRow("UNSUBSCRIBE") << Packet(
            Unsubscribe {4, {QStringLiteral("a"), QStringLiteral("b")}, {}})
                                 << QStringLiteral("UNSUBSCRIBE pid=4 filters=[a,b]");
    QTest::newRow("PINGREQ") << Packet(Pingreq{}) << QStringLiteral("PINGREQ");
    QTest::newRow("AUTH") << Packet(Auth{ReasonCode::ContinueAuthentication, {}})
                          << QStringLiteral("AUTH reason=0x18 (Continue authentication)");
}

void TestCodec::describe()
{
    QFETCH(Packet, packet);
    QFETCH(QString, text);
    QCOMPARE(hermes::mqtt::describe(packet), text);
}

void TestCodec::reasonCodeName_data()
{
    QTest::addColumn<ReasonCode>("code");
    QTest::addColumn<int>("context"); // PacketType, 0 for none
    QTest::addColumn<QString>("name");
    QTest::newRow("0x00 alone") << ReasonCode::Success << 0 << QStringLiteral("Success");
    QTest::newRow("0x00 in SUBACK") << ReasonCode::Success << int(PacketType::Suback)
                                    << QStringLiteral("Granted QoS 0");
    QTest::newRow("0x00 in DISCONNECT") << ReasonCode::Success << int(PacketType::Disconnect)
                                        << QStringLiteral("Normal disconnection");
    QTest::newRow("0x00 in PUBACK") << ReasonCode::Success << int(PacketType::Puback)
                                    << QStringLiteral("Success");
    QTest::newRow("0x81") << ReasonCode::MalformedPacket << 0 << QStringLiteral("Malformed Packet");
    QTest::newRow("0x86") << ReasonCode::BadUserNameOrPassword << 0
                          << QStringLiteral("Bad User Name or Password");
    QTest::newRow("0x9E") << ReasonCode::SharedSubscriptionsNotSupported << 0
                          << QStringLiteral("Shared Subscriptions not supported");
    QTest::newRow("0xA2") << ReasonCode::WildcardSubscriptionsNotSupported << 0
                          << QStringLiteral("Wildcard Subscriptions not supported");
}

void TestCodec::reasonCodeName()
{
    QFETCH(ReasonCode, code);
    QFETCH(int, context);
    QFETCH(QString, name);
    if (context == 0)
        QCOMPARE(hermes::mqtt::reasonCodeName(code), name);
    else
        QCOMPARE(hermes::mqtt::reasonCodeName(code, PacketType(context)), name);
}

void TestCodec::varintSize_data()
{
    QTest::addColumn<quint32>("value");
    QTest::addColumn<int>("size");
    QTest::newRow("0") << quint32(0) << 1;
    QTest::newRow("127") << quint32(127) << 1;
    QTest::newRow("128") << quint32(128) << 2;
    QTest::newRow("16383") << quint32(16383) << 2;
    QTest::newRow("16384") << quint32(16384) << 3;
    QTest::newRow("2097151") << quint32(2097151) << 3;
    QTest::newRow("2097152") << quint32(2097152) << 4;
    QTest::newRow("268435455") << quint32(268435455) << 4;
    QTest::newRow("268435456 cannot be encoded") << quint32(268435456) << 0;
}

void TestCodec::varintSize()
{
    QFETCH(quint32, value);
    QFETCH(int, size);
    QCOMPARE(hermes::mqtt::varintSize(value), size);
}

// tests/conformance/*.json (STYLE.md R15) are meant to be replayed against the broker; here
// the codec checks the half it owns: each last "send" gives the stated error, and the
// reason code in the expected answer is the one disconnectReasonFor()/connackReasonFor() map
// that error to.
void TestCodec::conformanceCorpus_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QString>("error");
    QTest::addColumn<bool>("connected");
    QTest::addColumn<QByteArray>("answer");
    const QDir dir(QStringLiteral(HERMES_SOURCE_DIR "/tests/conformance"));
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 10);
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray groups = QJsonDocument::fromJson(file.readAll()).array();
        QVERIFY2(!groups.isEmpty(), qPrintable(name));
        for (const QJsonValue &group : groups) {
            for (const QJsonValue &test : group[QLatin1String("tests")].toArray()) {
                QByteArray wire;
                QByteArray answer;
                for (const QJsonValue &msg : test[QLatin1String("msgs")].toArray()) {
                    const QByteArray bytes = QByteArray::fromHex(
                            msg[QLatin1String("payload")].toString().toLatin1());
                    if (msg[QLatin1String("type")].toString() == QLatin1String("send"))
                        wire = bytes;
                    else
                        answer = bytes;
                }
                QTest::addRow("%s: %s", qPrintable(name),
                              qPrintable(test[QLatin1String("name")].toString()))
                        << wire << ProtocolVersion(test[QLatin1String("ver")].toInt())
                        << test[QLatin1String("error")].toString()
                        << test[QLatin1String("connect")].toBool() << answer;
            }
        }
    }
}

void TestCodec::conformanceCorpus()
{
    QFETCH(QByteArray, wire);
    QFETCH(ProtocolVersion, version);
    QFETCH(QString, error);
    QFETCH(bool, connected);
    QFETCH(QByteArray, answer);
    const DecodeResult result = decodeWire(wire, version);
    if (error.isEmpty()) {
        QVERIFY2(std::holds_alternative<Packet>(result), qPrintable(describeResult(result)));
        return;
    }
    static const QHash<QString, ProtocolError> names = {
        {QStringLiteral("MalformedPacket"), ProtocolError::MalformedPacket},
        {QStringLiteral("ProtocolViolation"), ProtocolError::ProtocolViolation},
        {QStringLiteral("UnsupportedProtocolVersion"), ProtocolError::UnsupportedProtocolVersion},
        {QStringLiteral("ClientIdentifierNotValid"), ProtocolError::ClientIdentifierNotValid},
        {QStringLiteral("TopicNameInvalid"), ProtocolError::TopicNameInvalid},
        {QStringLiteral("TopicFilterInvalid"), ProtocolError::TopicFilterInvalid},
        {QStringLiteral("TopicAliasInvalid"), ProtocolError::TopicAliasInvalid},
        {QStringLiteral("PayloadFormatInvalid"), ProtocolError::PayloadFormatInvalid},
    };
    QVERIFY2(names.contains(error), qPrintable(error));
    QVERIFY2(std::holds_alternative<DecodeError>(result), qPrintable(describeResult(result)));
    const ProtocolError expected = names.value(error);
    QVERIFY2(std::get<DecodeError>(result).error == expected, qPrintable(describeResult(result)));
    if (answer.isEmpty())
        return;
    if (connected) {
        QCOMPARE(answer, encode(Disconnect{hermes::mqtt::disconnectReasonFor(expected), {}}, V5));
    } else {
        const ProtocolVersion answerVersion = version == V5 ? V5 : V311;
        QCOMPARE(answer, encode(Connack{false, hermes::mqtt::connackReasonFor(expected), {}},
                                answerVersion));
    }
}

HERMES_TEST_APPLESS_MAIN(TestCodec)
#include "tst_codec.moc"
