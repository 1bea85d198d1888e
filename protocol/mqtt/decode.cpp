#include "codec_p.h"
#include "topic.h"

namespace hermes::mqtt {

namespace detail {

Failure varintFailure(VarintStatus status, const char *what)
{
    if (status == VarintStatus::Truncated)
        return truncated(what);
    if (status == VarintStatus::TooLong)
        return malformed("MQTT-1.5.5-1",
                         QStringLiteral("%1 is longer than four bytes").arg(QLatin1String(what)));
    return {};
}

Failure readStringBytes(Reader &in, QByteArrayView &out, const char *what, bool v5)
{
    if (!in.lengthPrefixed(out))
        return truncated(what);
    return checkString(out, what, v5);
}

Failure readString(Reader &in, QString &out, const char *what, bool v5)
{
    QByteArrayView bytes;
    if (auto failure = readStringBytes(in, bytes, what, v5))
        return failure;
    out = stringFromUtf8(bytes);
    return {};
}

Failure readBinary(Reader &in, QByteArray &out, const char *what)
{
    QByteArrayView bytes;
    if (!in.lengthPrefixed(bytes))
        return truncated(what);
    out = bytes.toByteArray();
    return {};
}

Failure expectEnd(const Reader &in, const char *packet)
{
    if (in.atEnd())
        return {};
    return malformed("", QStringLiteral("%1 has %2 trailing bytes")
                                 .arg(QLatin1String(packet))
                                 .arg(in.remaining()));
}

Failure readPacketId(Reader &in, quint16 &id, const char *packet, bool v5)
{
    if (!in.u16(id))
        return truncated("packet identifier");
    // [MQTT-2.2.1-3] (5.0) = [MQTT-2.3.1-1] (3.1.1) SUBSCRIBE, UNSUBSCRIBE and QoS>0
    // PUBLISH carry a non-zero packet identifier; the acknowledgements echo one, so 0 can
    // never be valid there either (mosquitto refuses it the same way).
    if (id == 0)
        return violation(specId(v5, "MQTT-2.2.1-3", "MQTT-2.3.1-1"),
                         QStringLiteral("%1 packet identifier is 0").arg(QLatin1String(packet)));
    return {};
}

} // namespace detail

using namespace detail;

namespace {

// ---------------------------------------------------------------------------------------
// Topic names and filters are judged by topic.h; a fault gets here the normative statement
// of the version being decoded and the wording of the error.
// ---------------------------------------------------------------------------------------

struct TopicProblem
{
    const char *specId;
    QString why;
};

// `subject` is "topic name" or "topic filter". Wildcards in names: [MQTT-4.7.0-1] (5.0) =
// [MQTT-4.7.1-1] (3.1.1); '#' last: [MQTT-4.7.1-1] (5.0) = [MQTT-4.7.1-2] (3.1.1); '+' a
// whole level: [MQTT-4.7.1-2] (5.0) = [MQTT-4.7.1-3] (3.1.1).
TopicProblem topicProblem(TopicFault fault, const char *subject, bool v5)
{
    const auto about = [subject](const char *what) {
        return QLatin1String(subject) + QLatin1Char(' ') + QLatin1String(what);
    };
    switch (fault) {
    case TopicFault::Empty:
        return {"MQTT-4.7.3-1", about("is empty")};
    case TopicFault::TooLong:
        return {"MQTT-4.7.3-3", about("is longer than 65,535 bytes")};
    case TopicFault::NullCharacter:
        return {"MQTT-4.7.3-2", about("contains U+0000")};
    case TopicFault::WildcardInName:
        return {specId(v5, "MQTT-4.7.0-1", "MQTT-4.7.1-1"), about("contains a wildcard")};
    case TopicFault::HashNotWholeLastLevel:
        return {specId(v5, "MQTT-4.7.1-1", "MQTT-4.7.1-2"),
                QStringLiteral("'#' must be the whole last level")};
    case TopicFault::PlusNotWholeLevel:
        return {specId(v5, "MQTT-4.7.1-2", "MQTT-4.7.1-3"),
                QStringLiteral("'+' must be a whole level")};
    case TopicFault::ShareNameEmpty:
        return {"MQTT-4.8.2-1", QStringLiteral("shared subscription has an empty ShareName")};
    case TopicFault::ShareNameWithoutFilter:
        return {"MQTT-4.8.2-2", QStringLiteral("ShareName is not followed by '/' and a filter")};
    case TopicFault::ShareNameWildcard:
        return {"MQTT-4.8.2-2", QStringLiteral("ShareName contains a wildcard")};
    case TopicFault::ShareFilterEmpty:
        return {"MQTT-4.8.2-2", QStringLiteral("shared subscription has no topic filter")};
    }
    return {"", QString()};
}

Failure readReasonCode(Reader &in, ReasonCode &out, PacketType type)
{
    quint8 code = 0;
    if (!in.u8(code))
        return truncated("reason code");
    if (!isValidReasonCode(code, type))
        return malformed(reasonCodeRule(type), QStringLiteral("reason code %1 is not valid in %2")
                                     .arg(hex(code), packetTypeName(type)));
    out = ReasonCode(code);
    return {};
}

// ---------------------------------------------------------------------------------------
// Decoding, one function per packet type
// ---------------------------------------------------------------------------------------

// [MQTT-2.1.3-1] (5.0) = [MQTT-2.2.2-1] [MQTT-2.2.2-2] (3.1.1) Reserved fixed-header flags
// must have their listed value, otherwise the packet is malformed. MQTT 3.1 still had DUP/QoS in
// every fixed header (a retried SUBSCRIBE carried DUP), so for 3.1 only PUBLISH flags are
// interpreted, as mosquitto does.
Failure checkFixedFlags(const Frame &frame, quint8 expected, ProtocolVersion version)
{
    if (version == ProtocolVersion::V3_1 || frame.flags() == expected)
        return {};
    return malformed(specId(isV5(version), "MQTT-2.1.3-1", "MQTT-2.2.2-2"),
                     QStringLiteral("%1 fixed header flags %2, expected %3")
                                             .arg(packetTypeName(frame.type()))
                                             .arg(frame.flags(), 4, 2, QLatin1Char('0'))
                                             .arg(expected, 4, 2, QLatin1Char('0')));
}

// Topic filter syntax errors do not stop decoding: the rest of the packet is still checked
// for malformation (which wins), and then one TopicFilterInvalid names every bad filter
// [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1].
class FilterCheck
{
public:
    FilterCheck(const char *packet, bool v5)
        : m_packet(packet)
        , m_v5(v5)
    {
    }

    void check(QByteArrayView filter)
    {
        const int index = m_count++;
        const std::optional<TopicFault> fault = topicFilterFault(filter);
        if (!fault)
            return;
        if (!m_first) {
            const TopicProblem problem = topicProblem(*fault, "topic filter", m_v5);
            m_first = makeError(ProtocolError::TopicFilterInvalid, problem.specId,
                                QStringLiteral("%1 topic filter %2 \"%3\": %4")
                                        .arg(QLatin1String(m_packet))
                                        .arg(index)
                                        .arg(QString::fromUtf8(filter), problem.why));
        }
        m_indexes.append(QString::number(index));
    }

    Failure result() const
    {
        if (!m_first)
            return {};
        DecodeError error = *m_first;
        error.detail += QLatin1String(" (invalid filter indexes: ")
                + m_indexes.join(QLatin1Char(',')) + QLatin1Char(')');
        return error;
    }

private:
    const char *m_packet;
    bool m_v5;
    int m_count = 0;
    Failure m_first;
    QStringList m_indexes;
};

// The packet is built where the caller receives it: no move of the (large) packet value
// through a Packet and then a DecodeResult. On failure the error replaces it.
template<typename T, typename Fill>
DecodeResult decodeInto(Fill &&fill)
{
    DecodeResult result(std::in_place_type<Packet>, std::in_place_type<T>);
    if (Failure failure = fill(std::get<T>(std::get<Packet>(result))))
        result = std::move(*failure);
    return result;
}

struct Decoder
{
    const Frame &frame;
    ProtocolVersion version;

    bool v5() const { return isV5(version); }

    // Each fills a packet that already sits inside the result (see decodeInto()).
    Failure connect(Connect &c) const;
    Failure connack(Connack &c) const;
    Failure publish(Publish &p) const;
    template<typename Ack>
    Failure ack(Ack &a, PacketType type, quint8 expectedFlags) const;
    Failure subscribe(Subscribe &s) const;
    Failure suback(Suback &s) const;
    Failure unsubscribe(Unsubscribe &u) const;
    Failure unsuback(Unsuback &u) const;
    Failure empty() const;
    Failure disconnect(Disconnect &d) const;
    Failure auth(Auth &a) const;
};

// The protocol name and level of a CONNECT, without judging the rest.
struct ConnectHeader
{
    QByteArrayView name;
    quint8 level = 0;
    bool complete = false;
};

ConnectHeader readConnectHeader(Reader &in)
{
    ConnectHeader header;
    header.complete = in.lengthPrefixed(header.name) && in.u8(header.level);
    return header;
}

std::optional<ProtocolVersion> versionOf(const ConnectHeader &header)
{
    if (!header.complete)
        return {};
    if (header.name == kMqtt && (header.level == 4 || header.level == 5))
        return ProtocolVersion(header.level);
    if (header.name == kMqIsdp && header.level == 3)
        return ProtocolVersion::V3_1;
    return {};
}

Failure Decoder::connect(Connect &c) const
{
    Reader in(frame.body);
    const ConnectHeader header = readConnectHeader(in);
    if (!header.complete)
        return truncated("CONNECT protocol name and level");
    if (header.name != kMqtt && header.name != kMqIsdp)
        // [MQTT-3.1.2-1] Another protocol: the server may refuse it, and 5.0 answers
        // 0x84 (Unsupported Protocol Version).
        return makeError(ProtocolError::UnsupportedProtocolVersion, "MQTT-3.1.2-1",
                         QStringLiteral("protocol name \"%1\" is not MQTT")
                                 .arg(QString::fromLatin1(header.name.toByteArray().toHex())));
    const std::optional<ProtocolVersion> connectVersion = versionOf(header);
    if (!connectVersion)
        // [MQTT-3.1.2-2] Unknown level: 3.1.1 answers CONNACK return code 0x01, 5.0 0x84.
        return makeError(ProtocolError::UnsupportedProtocolVersion, "MQTT-3.1.2-2",
                         QStringLiteral("protocol level %1 is not supported for \"%2\"")
                                 .arg(header.level)
                                 .arg(QString::fromLatin1(header.name)));
    const ProtocolVersion v = *connectVersion;
    if (auto failure = checkFixedFlags(frame, 0x0, v))
        return failure;

    c.version = v;
    quint8 flags = 0;
    if (!in.u8(flags))
        return truncated("CONNECT flags");
    // [MQTT-3.1.2-3] The reserved flag must be 0.
    if (flags & 0x01)
        return malformed("MQTT-3.1.2-3", QStringLiteral("CONNECT reserved flag is set"));
    c.cleanStart = flags & 0x02;
    const bool willFlag = flags & 0x04;
    const quint8 willQoS = (flags >> 3) & 0x03;
    const bool willRetain = flags & 0x20;
    const bool passwordFlag = flags & 0x40;
    const bool userNameFlag = flags & 0x80;
    const bool connectV5 = isV5(v);
    // 5.0 [MQTT-3.1.2-11] [MQTT-3.1.2-13] [MQTT-3.1.2-12] are 3.1.1's -13, -15 and -14.
    if (!willFlag && willQoS != 0)
        return malformed(specId(connectV5, "MQTT-3.1.2-11", "MQTT-3.1.2-13"),
                         QStringLiteral("Will QoS %1 without the Will flag").arg(willQoS));
    if (!willFlag && willRetain)
        return malformed(specId(connectV5, "MQTT-3.1.2-13", "MQTT-3.1.2-15"),
                         QStringLiteral("Will Retain without the Will flag"));
    if (willQoS == 3)
        return malformed(specId(connectV5, "MQTT-3.1.2-12", "MQTT-3.1.2-14"),
                         QStringLiteral("Will QoS is 3"));
    // [MQTT-3.1.2-22] 3.x: a password needs a user name (5.0 lifted this).
    if (!isV5(v) && passwordFlag && !userNameFlag)
        return malformed("MQTT-3.1.2-22", QStringLiteral("password flag without user name flag"));
    if (!in.u16(c.keepAliveSeconds))
        return truncated("CONNECT keep alive");
    if (isV5(v)) {
        if (auto failure = readProperties(in, c.properties, InConnect, "CONNECT"))
            return failure;
    }

    if (auto failure = readString(in, c.clientId, "client identifier", connectV5))
        return failure;
    if (c.clientId.isEmpty()) {
        // 3.1 required 1 to 23 characters (mosquitto refuses an empty one the same way).
        if (v == ProtocolVersion::V3_1)
            return makeError(ProtocolError::ClientIdentifierNotValid, "",
                             QStringLiteral("MQTT 3.1 requires a client identifier"));
        // [MQTT-3.1.3-8] 3.1.1: an empty client identifier needs clean session 1.
        if (v == ProtocolVersion::V3_1_1 && !c.cleanStart)
            return makeError(ProtocolError::ClientIdentifierNotValid, "MQTT-3.1.3-8",
                             QStringLiteral("empty client identifier with clean session 0"));
    }

    if (willFlag) {
        Will will;
        will.qos = QoS(willQoS);
        will.retain = willRetain;
        if (isV5(v)) {
            if (auto failure = readProperties(in, will.properties, InWill, "Will properties"))
                return failure;
        }
        QByteArrayView topic;
        if (auto failure = readStringBytes(in, topic, "Will Topic", connectV5))
            return failure;
        if (const std::optional<TopicFault> fault = topicNameFault(topic)) {
            const TopicProblem problem = topicProblem(*fault, "topic name", connectV5);
            return makeError(ProtocolError::TopicNameInvalid, problem.specId,
                             QStringLiteral("Will Topic: %1").arg(problem.why));
        }
        will.topic = stringFromUtf8(topic);
        if (auto failure = readBinary(in, will.payload, "Will Payload"))
            return failure;
        // 3.1.3.2.3: the server may check a payload declared as UTF-8 and refuse with 0x99.
        if (will.properties.payloadFormatIndicator == 1
            && checkUtf8(will.payload) != Utf8Status::Ok
            && checkUtf8(will.payload) != Utf8Status::Null)
            return makeError(ProtocolError::PayloadFormatInvalid, "",
                             QStringLiteral("Will Payload is declared UTF-8 but is not"));
        c.will = std::move(will);
    }
    if (userNameFlag) {
        QString userName;
        if (auto failure = readString(in, userName, "user name", connectV5))
            return failure;
        c.userName = std::move(userName);
    }
    if (passwordFlag) {
        // MQTT 3.1 clients have been seen setting the flag with no password; mosquitto
        // ignores the flag then, and so do we.
        if (!(v == ProtocolVersion::V3_1 && in.atEnd())) {
            QByteArray password;
            if (auto failure = readBinary(in, password, "password"))
                return failure;
            c.password = std::move(password);
        }
    }
    if (auto failure = expectEnd(in, "CONNECT"))
        return failure;
    return {};
}

Failure Decoder::connack(Connack &c) const
{
    if (auto failure = checkFixedFlags(frame, 0x0, version))
        return failure;
    Reader in(frame.body);
    quint8 flags = 0;
    if (!in.u8(flags))
        return truncated("CONNACK flags");
    // 3.2.2.1: bits 7-1 of the acknowledge flags are reserved and 0 ([MQTT-3.2.2-1] in 5.0).
    if (flags & 0xFE)
        return malformed(specId(v5(), "MQTT-3.2.2-1", ""),
                         QStringLiteral("CONNACK reserved flags %1").arg(hex(flags)));
    c.sessionPresent = flags & 0x01;
    if (v5()) {
        if (auto failure = readReasonCode(in, c.reasonCode, PacketType::Connack))
            return failure;
        if (auto failure = readProperties(in, c.properties, InConnack, "CONNACK"))
            return failure;
    } else {
        quint8 code = 0;
        if (!in.u8(code))
            return truncated("CONNACK return code");
        // 3.2.2.3: return codes 6-255 are reserved.
        if (code > 5)
            return malformed("", QStringLiteral("CONNACK return code %1 is reserved").arg(code));
        c.reasonCode = connackCodeFromV3(code);
    }
    // [MQTT-3.2.2-4] (3.1.1) / [MQTT-3.2.2-6] (5.0): a refusal has Session Present 0.
    if (c.sessionPresent && isError(c.reasonCode))
        return violation(v5() ? "MQTT-3.2.2-6" : "MQTT-3.2.2-4",
                         QStringLiteral("CONNACK refuses with Session Present 1"));
    if (auto failure = expectEnd(in, "CONNACK"))
        return failure;
    return {};
}

Failure Decoder::publish(Publish &p) const
{
    const quint8 flags = frame.flags();
    const quint8 qos = (flags >> 1) & 0x03;
    // [MQTT-3.3.1-4] QoS 3 is reserved.
    if (qos == 3)
        return malformed("MQTT-3.3.1-4", QStringLiteral("PUBLISH QoS is 3"));
    // [MQTT-3.3.1-2] DUP must be 0 for QoS 0.
    if (qos == 0 && (flags & 0x08))
        return malformed("MQTT-3.3.1-2", QStringLiteral("PUBLISH QoS 0 with DUP set"));

    Reader in(frame.body);
    QByteArrayView topic;
    if (auto failure = readStringBytes(in, topic, "topic name", v5()))
        return failure;
    p.qos = QoS(qos);
    p.dup = flags & 0x08;
    p.retain = flags & 0x01;
    if (qos > 0) {
        quint16 id = 0;
        if (auto failure = readPacketId(in, id, "PUBLISH", v5()))
            return failure;
        p.packetId = id;
    }
    if (v5()) {
        if (auto failure = readProperties(in, p.properties, InPublish, "PUBLISH"))
            return failure;
    }
    if (topic.isEmpty()) {
        // 3.3.2.3.4: an empty topic name is only allowed together with a Topic Alias
        // (5.0); without one, and always in 3.x, it breaks [MQTT-4.7.3-1].
        if (!v5())
            return makeError(ProtocolError::TopicNameInvalid, "MQTT-4.7.3-1",
                             QStringLiteral("PUBLISH topic name is empty"));
        if (!p.properties.topicAlias)
            return violation("", QStringLiteral("PUBLISH topic name is empty and there is no "
                                                "Topic Alias"));
    } else if (topicNameFault(topic)) {
        // [MQTT-3.3.2-2] No wildcards in a topic name: the only rule left to break by a
        // non-empty string that passed the UTF-8 checks. The answer is TopicNameInvalid in
        // every version (5.0 DISCONNECT 0x90; 3.x simply closes).
        return makeError(ProtocolError::TopicNameInvalid, "MQTT-3.3.2-2",
                         QStringLiteral("PUBLISH topic name \"%1\" contains a wildcard")
                                 .arg(QString::fromUtf8(topic)));
    }
    p.topic = stringFromUtf8(topic);
    // The payload is the rest of the frame: one copy out of the caller's buffer.
    const QByteArrayView payload = in.rest();
    // 3.3.2.3.2: a payload declared as UTF-8 may be checked; 0x99 when it is not.
    if (p.properties.payloadFormatIndicator == 1) {
        const Utf8Status status = checkUtf8(payload);
        if (status == Utf8Status::IllFormed || status == Utf8Status::Surrogate)
            return makeError(ProtocolError::PayloadFormatInvalid, "",
                             QStringLiteral("PUBLISH payload is declared UTF-8 but is not"));
    }
    p.payload = payload.toByteArray();
    return {};
}

template<typename Ack>
Failure Decoder::ack(Ack &a, PacketType type, quint8 expectedFlags) const
{
    if (auto failure = checkFixedFlags(frame, expectedFlags, version))
        return failure;
    const char *name = type == PacketType::Puback ? "PUBACK"
            : type == PacketType::Pubrec          ? "PUBREC"
            : type == PacketType::Pubrel          ? "PUBREL"
                                                  : "PUBCOMP";
    Reader in(frame.body);
    if (auto failure = readPacketId(in, a.packetId, name, v5()))
        return failure;
    // 5.0 3.4.2.1: remaining length 2 means Success with no properties; below 4 there is
    // no property length.
    if (v5() && !in.atEnd()) {
        if (auto failure = readReasonCode(in, a.reasonCode, type))
            return failure;
        if (!in.atEnd()) {
            if (auto failure = readProperties(in, a.properties, InPubAck, name))
                return failure;
        }
    }
    if (auto failure = expectEnd(in, name))
        return failure;
    return {};
}

Failure Decoder::subscribe(Subscribe &s) const
{
    if (auto failure = checkFixedFlags(frame, 0x2, version))
        return failure;
    Reader in(frame.body);
    if (auto failure = readPacketId(in, s.packetId, "SUBSCRIBE", v5()))
        return failure;
    if (v5()) {
        if (auto failure = readProperties(in, s.properties, InSubscribe, "SUBSCRIBE"))
            return failure;
    }
    // [MQTT-3.8.3-2] (5.0) = [MQTT-3.8.3-3] (3.1.1) At least one topic filter; without one
    // it is a Protocol Error.
    if (in.atEnd())
        return violation(specId(v5(), "MQTT-3.8.3-2", "MQTT-3.8.3-3"),
                         QStringLiteral("SUBSCRIBE has no topic filter"));
    FilterCheck filters("SUBSCRIBE", v5());
    while (!in.atEnd()) {
        QByteArrayView filter;
        if (auto failure = readStringBytes(in, filter, "topic filter", v5()))
            return failure;
        quint8 options = 0;
        if (!in.u8(options))
            return truncated("subscription options");
        TopicSubscription sub;
        const quint8 qos = options & 0x03;
        if (v5()) {
            // [MQTT-3.8.3-5] Bits 7 and 6 are reserved.
            if (options & 0xC0)
                return malformed("MQTT-3.8.3-5",
                                 QStringLiteral("subscription options %1 set reserved bits")
                                         .arg(hex(options)));
            // 3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3".
            if (qos == 3)
                return violation("", QStringLiteral("subscription Maximum QoS is 3"));
            const quint8 retainHandling = (options >> 4) & 0x03;
            // 3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3".
            if (retainHandling == 3)
                return violation("", QStringLiteral("subscription Retain Handling is 3"));
            sub.options.noLocal = options & 0x04;
            sub.options.retainAsPublished = options & 0x08;
            sub.options.retainHandling = RetainHandling(retainHandling);
            // [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
            if (sub.options.noLocal && hasSharePrefix(filter))
                return violation("MQTT-3.8.3-4",
                                 QStringLiteral("No Local set on shared subscription \"%1\"")
                                         .arg(QString::fromUtf8(filter)));
        } else if ((options & 0xFC) || qos == 3) {
            // [MQTT-3-8.3-4] (3.1.1, sic) Reserved bits set or QoS 3: malformed.
            return malformed("MQTT-3-8.3-4",
                             QStringLiteral("requested QoS byte %1 is invalid").arg(hex(options)));
        }
        sub.options.maximumQoS = QoS(qos);
        filters.check(filter);
        sub.filter = stringFromUtf8(filter);
        s.subscriptions.append(std::move(sub));
    }
    if (auto failure = filters.result())
        return failure;
    return {};
}

Failure Decoder::suback(Suback &s) const
{
    if (auto failure = checkFixedFlags(frame, 0x0, version))
        return failure;
    Reader in(frame.body);
    if (auto failure = readPacketId(in, s.packetId, "SUBACK", v5()))
        return failure;
    if (v5()) {
        if (auto failure = readProperties(in, s.properties, InSuback, "SUBACK"))
            return failure;
    }
    s.reasonCodes.reserve(in.remaining());
    while (!in.atEnd()) {
        if (v5()) {
            ReasonCode code{};
            if (auto failure = readReasonCode(in, code, PacketType::Suback))
                return failure;
            s.reasonCodes.append(code);
            continue;
        }
        quint8 code = 0;
        in.u8(code);
        // [MQTT-3.9.3-2] (3.1.1) Only 0x00, 0x01, 0x02 and 0x80 are defined.
        if (code > 2 && code != 0x80)
            return malformed("MQTT-3.9.3-2",
                             QStringLiteral("SUBACK return code %1 is reserved").arg(hex(code)));
        s.reasonCodes.append(ReasonCode(code));
    }
    return {};
}

Failure Decoder::unsubscribe(Unsubscribe &u) const
{
    if (auto failure = checkFixedFlags(frame, 0x2, version))
        return failure;
    Reader in(frame.body);
    if (auto failure = readPacketId(in, u.packetId, "UNSUBSCRIBE", v5()))
        return failure;
    if (v5()) {
        if (auto failure = readProperties(in, u.properties, InUnsubscribe, "UNSUBSCRIBE"))
            return failure;
    }
    // [MQTT-3.10.3-2] At least one topic filter.
    if (in.atEnd())
        return violation("MQTT-3.10.3-2", QStringLiteral("UNSUBSCRIBE has no topic filter"));
    FilterCheck filters("UNSUBSCRIBE", v5());
    while (!in.atEnd()) {
        QByteArrayView filter;
        if (auto failure = readStringBytes(in, filter, "topic filter", v5()))
            return failure;
        filters.check(filter);
        u.filters.append(stringFromUtf8(filter));
    }
    if (auto failure = filters.result())
        return failure;
    return {};
}

Failure Decoder::unsuback(Unsuback &u) const
{
    if (auto failure = checkFixedFlags(frame, 0x0, version))
        return failure;
    Reader in(frame.body);
    if (auto failure = readPacketId(in, u.packetId, "UNSUBACK", v5()))
        return failure;
    if (v5()) {
        if (auto failure = readProperties(in, u.properties, InUnsuback, "UNSUBACK"))
            return failure;
        u.reasonCodes.reserve(in.remaining());
        while (!in.atEnd()) {
            ReasonCode code{};
            if (auto failure = readReasonCode(in, code, PacketType::Unsuback))
                return failure;
            u.reasonCodes.append(code);
        }
    }
    if (auto failure = expectEnd(in, "UNSUBACK"))
        return failure;
    return {};
}

Failure Decoder::empty() const
{
    if (auto failure = checkFixedFlags(frame, 0x0, version))
        return failure;
    // PINGREQ and PINGRESP (and 3.x DISCONNECT) have no variable header and no payload.
    if (!frame.body.isEmpty())
        return malformed("", QStringLiteral("%1 has a %2-byte body, expected none")
                                     .arg(packetTypeName(frame.type()))
                                     .arg(frame.body.size()));
    return {};
}

Failure Decoder::disconnect(Disconnect &d) const
{
    if (!v5())
        return empty();
    if (auto failure = checkFixedFlags(frame, 0x0, version))
        return failure;
    Reader in(frame.body);
    // 3.14.2.1: remaining length 0 means Normal disconnection; below 2, no properties.
    if (!in.atEnd()) {
        if (auto failure = readReasonCode(in, d.reasonCode, PacketType::Disconnect))
            return failure;
        if (!in.atEnd()) {
            if (auto failure = readProperties(in, d.properties, InDisconnect, "DISCONNECT"))
                return failure;
        }
    }
    if (auto failure = expectEnd(in, "DISCONNECT"))
        return failure;
    return {};
}

Failure Decoder::auth(Auth &a) const
{
    // AUTH (type 15) was reserved before 5.0: a 3.x peer sending it is malformed.
    if (!v5())
        return malformed("", QStringLiteral("AUTH is not part of MQTT 3.x"));
    if (auto failure = checkFixedFlags(frame, 0x0, version))
        return failure;
    Reader in(frame.body);
    // 3.15.2.1: remaining length 0 means Success with no properties.
    if (!in.atEnd()) {
        if (auto failure = readReasonCode(in, a.reasonCode, PacketType::Auth))
            return failure;
        if (!in.atEnd()) {
            if (auto failure = readProperties(in, a.properties, InAuth, "AUTH"))
                return failure;
        }
    }
    if (auto failure = expectEnd(in, "AUTH"))
        return failure;
    return {};
}

} // namespace

DecodeResult decodePacket(const Frame &frame, ProtocolVersion version)
{
    const Decoder d{frame, version};
    switch (frame.type()) {
    case PacketType::Connect:
        return decodeInto<Connect>([&](Connect &p) { return d.connect(p); });
    case PacketType::Connack:
        return decodeInto<Connack>([&](Connack &p) { return d.connack(p); });
    case PacketType::Publish:
        return decodeInto<Publish>([&](Publish &p) { return d.publish(p); });
    case PacketType::Puback:
        return decodeInto<Puback>([&](Puback &p) { return d.ack(p, PacketType::Puback, 0x0); });
    case PacketType::Pubrec:
        return decodeInto<Pubrec>([&](Pubrec &p) { return d.ack(p, PacketType::Pubrec, 0x0); });
    case PacketType::Pubrel:
        return decodeInto<Pubrel>([&](Pubrel &p) { return d.ack(p, PacketType::Pubrel, 0x2); });
    case PacketType::Pubcomp:
        return decodeInto<Pubcomp>(
                [&](Pubcomp &p) { return d.ack(p, PacketType::Pubcomp, 0x0); });
    case PacketType::Subscribe:
        return decodeInto<Subscribe>([&](Subscribe &p) { return d.subscribe(p); });
    case PacketType::Suback:
        return decodeInto<Suback>([&](Suback &p) { return d.suback(p); });
    case PacketType::Unsubscribe:
        return decodeInto<Unsubscribe>([&](Unsubscribe &p) { return d.unsubscribe(p); });
    case PacketType::Unsuback:
        return decodeInto<Unsuback>([&](Unsuback &p) { return d.unsuback(p); });
    case PacketType::Pingreq:
        return decodeInto<Pingreq>([&](Pingreq &) { return d.empty(); });
    case PacketType::Pingresp:
        return decodeInto<Pingresp>([&](Pingresp &) { return d.empty(); });
    case PacketType::Disconnect:
        return decodeInto<Disconnect>([&](Disconnect &p) { return d.disconnect(p); });
    case PacketType::Auth:
        return decodeInto<Auth>([&](Auth &p) { return d.auth(p); });
    }
    // Type 0 is reserved ("Forbidden", 2.1.2).
    return malformed("", QStringLiteral("reserved packet type 0"));
}

std::optional<ProtocolVersion> peekConnectVersion(const Frame &frame)
{
    if (frame.type() != PacketType::Connect)
        return {};
    Reader in(frame.body);
    return versionOf(readConnectHeader(in));
}

} // namespace hermes::mqtt
