#include "codec.h"

#include <QStringDecoder>

#include <array>
#include <cstring>

namespace hermes::mqtt {

namespace {

// Largest value a four-byte Variable Byte Integer can carry (1.5.5).
constexpr quint32 kMaxVarint = 268'435'455;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

using Failure = std::optional<DecodeError>;

DecodeError makeError(ProtocolError error, const char *specId, const QString &detail)
{
    return DecodeError{error, QString::fromLatin1(specId), detail};
}

DecodeError malformed(const char *specId, const QString &detail)
{
    return makeError(ProtocolError::MalformedPacket, specId, detail);
}

DecodeError violation(const char *specId, const QString &detail)
{
    return makeError(ProtocolError::ProtocolViolation, specId, detail);
}

DecodeError truncated(const char *what)
{
    return malformed("", QStringLiteral("truncated %1").arg(QLatin1String(what)));
}

QString hex(quint32 value)
{
    return QLatin1String("0x")
            + QString::number(value, 16).rightJustified(2, QLatin1Char('0')).toUpper();
}

bool isV5(ProtocolVersion version)
{
    return version == ProtocolVersion::V5;
}

// The same rule has different normative IDs in 3.1.1 and 5.0; errors carry the ID of the
// version being decoded (3.1 has no IDs and shares 3.1.1's).
const char *specId(bool v5, const char *id5, const char *id311)
{
    return v5 ? id5 : id311;
}

// ---------------------------------------------------------------------------------------
// UTF-8
// ---------------------------------------------------------------------------------------

enum class Utf8Status : quint8 { Ok, IllFormed, Surrogate, Null };

// One pass over the bytes, no allocation. Well-formed per RFC 3629: no overlong forms,
// nothing above U+10FFFF, no encoded surrogates U+D800..U+DFFF [MQTT-1.5.4-1]. U+0000 is
// reported separately because strings forbid it [MQTT-1.5.4-2] while UTF-8 payloads
// (payload format indicator 1) only need to be well-formed.
Utf8Status checkUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const quint8 *>(bytes.data());
    const auto *const end = p + bytes.size();
    bool sawNull = false;
    while (p < end) {
        // Eight ASCII bytes, none of them 0, at a time: the usual topic is plain ASCII.
        if (end - p >= 8) {
            quint64 word = 0;
            std::memcpy(&word, p, sizeof word);
            constexpr quint64 highBits = 0x8080808080808080ull;
            constexpr quint64 lowBits = 0x0101010101010101ull;
            if ((word & highBits) == 0 && ((word - lowBits) & ~word & highBits) == 0) {
                p += 8;
                continue;
            }
        }
        const quint8 lead = *p;
        if (lead < 0x80) {
            sawNull |= lead == 0;
            ++p;
            continue;
        }
        int continuation = 0;
        quint32 cp = 0;
        quint32 minimum = 0;
        if ((lead & 0xE0) == 0xC0) {
            continuation = 1;
            cp = lead & 0x1F;
            minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            continuation = 2;
            cp = lead & 0x0F;
            minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            continuation = 3;
            cp = lead & 0x07;
            minimum = 0x10000;
        } else {
            return Utf8Status::IllFormed;
        }
        if (end - p <= continuation)
            return Utf8Status::IllFormed;
        for (int i = 1; i <= continuation; ++i) {
            const quint8 next = p[i];
            if ((next & 0xC0) != 0x80)
                return Utf8Status::IllFormed;
            cp = (cp << 6) | (next & 0x3F);
        }
        if (cp < minimum || cp > 0x10FFFF)
            return Utf8Status::IllFormed;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return Utf8Status::Surrogate;
        p += continuation + 1;
    }
    return sawNull ? Utf8Status::Null : Utf8Status::Ok;
}

// QString::fromUtf8() drops a leading byte order mark, but MQTT keeps it: "0xEF 0xBB 0xBF is
// always interpreted as U+FEFF ... MUST NOT be skipped over or stripped off" [MQTT-1.5.4-3].
// The bytes were validated before, so the common path is one fromUtf8() (one allocation).
QString stringFromUtf8(QByteArrayView bytes)
{
    if (!bytes.startsWith("\xEF\xBB\xBF"))
        return QString::fromUtf8(bytes);
    QStringDecoder decoder(QStringConverter::Utf8,
                           QStringConverter::Flag::Stateless
                                   | QStringConverter::Flag::ConvertInitialBom);
    return decoder.decode(bytes);
}

// [MQTT-1.5.4-1] [MQTT-1.5.4-2] (5.0) = [MQTT-1.5.3-1] [MQTT-1.5.3-2] (3.1.1).
Failure checkString(QByteArrayView bytes, const char *what, bool v5)
{
    switch (checkUtf8(bytes)) {
    case Utf8Status::Ok:
        return {};
    case Utf8Status::IllFormed:
        return malformed(specId(v5, "MQTT-1.5.4-1", "MQTT-1.5.3-1"),
                         QStringLiteral("%1 is not well-formed UTF-8").arg(QLatin1String(what)));
    case Utf8Status::Surrogate:
        return malformed(specId(v5, "MQTT-1.5.4-1", "MQTT-1.5.3-1"),
                         QStringLiteral("%1 encodes a UTF-16 surrogate").arg(QLatin1String(what)));
    case Utf8Status::Null:
        return malformed(specId(v5, "MQTT-1.5.4-2", "MQTT-1.5.3-2"),
                         QStringLiteral("%1 contains U+0000").arg(QLatin1String(what)));
    }
    return {};
}

// UTF-8 length of a QString as encode() writes it: a lone surrogate becomes U+FFFD.
qsizetype utf8Length(QStringView s)
{
    const qsizetype size = s.size();
    const char16_t *const data = s.utf16();
    // ASCII prefix (topics nearly always are): one byte per character.
    qsizetype i = 0;
    while (i < size && data[i] < 0x80)
        ++i;
    qsizetype n = i;
    for (; i < size; ++i) {
        const char16_t c = s[i].unicode();
        if (c < 0x80) {
            n += 1;
        } else if (c < 0x800) {
            n += 2;
        } else if (QChar::isHighSurrogate(c) && i + 1 < size
                   && QChar::isLowSurrogate(s[i + 1].unicode())) {
            n += 4;
            ++i;
        } else {
            n += 3;
        }
    }
    return n;
}

char *writeUtf8(char *out, QStringView s)
{
    const qsizetype size = s.size();
    for (qsizetype i = 0; i < size; ++i) {
        char32_t c = s[i].unicode();
        if (c < 0x80) {
            *out++ = char(c);
        } else if (c < 0x800) {
            *out++ = char(0xC0 | (c >> 6));
            *out++ = char(0x80 | (c & 0x3F));
        } else if (QChar::isHighSurrogate(c) && i + 1 < size
                   && QChar::isLowSurrogate(s[i + 1].unicode())) {
            c = QChar::surrogateToUcs4(char16_t(c), s[i + 1].unicode());
            ++i;
            *out++ = char(0xF0 | (c >> 18));
            *out++ = char(0x80 | ((c >> 12) & 0x3F));
            *out++ = char(0x80 | ((c >> 6) & 0x3F));
            *out++ = char(0x80 | (c & 0x3F));
        } else {
            if (QChar::isSurrogate(c))
                c = 0xFFFD;
            *out++ = char(0xE0 | (c >> 12));
            *out++ = char(0x80 | ((c >> 6) & 0x3F));
            *out++ = char(0x80 | (c & 0x3F));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Topic names and filters, checked on the UTF-8 bytes: '/', '+' and '#' are ASCII and never
// occur inside a multi-byte sequence, so no QString is needed to judge the syntax.
// ---------------------------------------------------------------------------------------

struct TopicProblem
{
    const char *specId;
    const char *why;
};

// Wildcards in names: [MQTT-4.7.0-1] (5.0) = [MQTT-4.7.1-1] (3.1.1).
std::optional<TopicProblem> checkTopicName(QByteArrayView name, bool v5)
{
    if (name.isEmpty())
        return TopicProblem{"MQTT-4.7.3-1", "topic name is empty"};
    if (name.contains('+') || name.contains('#'))
        return TopicProblem{specId(v5, "MQTT-4.7.0-1", "MQTT-4.7.1-1"),
                            "topic name contains a wildcard"};
    return {};
}

// '#' last: [MQTT-4.7.1-1] (5.0) = [MQTT-4.7.1-2] (3.1.1); '+' a whole level:
// [MQTT-4.7.1-2] (5.0) = [MQTT-4.7.1-3] (3.1.1).
std::optional<TopicProblem> checkPlainFilter(QByteArrayView filter, bool v5)
{
    if (filter.isEmpty())
        return TopicProblem{"MQTT-4.7.3-1", "topic filter is empty"};
    qsizetype levelStart = 0;
    const qsizetype size = filter.size();
    for (qsizetype i = 0; i <= size; ++i) {
        if (i < size && filter[i] != '/')
            continue;
        const QByteArrayView level = filter.sliced(levelStart, i - levelStart);
        if (level.contains('#') && (level.size() != 1 || i != size))
            return TopicProblem{specId(v5, "MQTT-4.7.1-1", "MQTT-4.7.1-2"),
                                "'#' must be the whole last level"};
        if (level.contains('+') && level.size() != 1)
            return TopicProblem{specId(v5, "MQTT-4.7.1-2", "MQTT-4.7.1-3"),
                                "'+' must be a whole level"};
        levelStart = i + 1;
    }
    return {};
}

// Shared subscriptions are recognised in every version, as topic.h's isValidTopicFilter()
// does: "$share/{ShareName}/{filter}" [MQTT-4.8.2-1] [MQTT-4.8.2-2].
constexpr QByteArrayView kSharePrefix("$share/");

bool isSharedFilter(QByteArrayView filter)
{
    return filter.startsWith(kSharePrefix);
}

std::optional<TopicProblem> checkTopicFilter(QByteArrayView filter, bool v5)
{
    if (!isSharedFilter(filter))
        return checkPlainFilter(filter, v5);
    const QByteArrayView rest = filter.sliced(kSharePrefix.size());
    const qsizetype slash = rest.indexOf('/');
    if (slash == 0 || rest.isEmpty())
        return TopicProblem{"MQTT-4.8.2-1", "shared subscription has an empty ShareName"};
    if (slash < 0)
        return TopicProblem{"MQTT-4.8.2-2", "ShareName is not followed by '/' and a filter"};
    const QByteArrayView share = rest.first(slash);
    if (share.contains('+') || share.contains('#'))
        return TopicProblem{"MQTT-4.8.2-2", "ShareName contains a wildcard"};
    const QByteArrayView inner = rest.sliced(slash + 1);
    if (inner.isEmpty())
        return TopicProblem{"MQTT-4.8.2-2", "shared subscription has no topic filter"};
    return checkPlainFilter(inner, v5);
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

enum class VarintStatus : quint8 { Ok, Truncated, TooLong };

/// Bounds-checked big-endian reader over a frame body. Never allocates.
class Reader
{
public:
    explicit Reader(QByteArrayView data)
        : m_data(data)
    {
    }

    qsizetype remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos >= m_data.size(); }

    bool u8(quint8 &value)
    {
        if (remaining() < 1)
            return false;
        value = quint8(m_data[m_pos++]);
        return true;
    }

    bool u16(quint16 &value)
    {
        if (remaining() < 2)
            return false;
        value = quint16((quint8(m_data[m_pos]) << 8) | quint8(m_data[m_pos + 1]));
        m_pos += 2;
        return true;
    }

    bool u32(quint32 &value)
    {
        if (remaining() < 4)
            return false;
        value = (quint32(quint8(m_data[m_pos])) << 24) | (quint32(quint8(m_data[m_pos + 1])) << 16)
                | (quint32(quint8(m_data[m_pos + 2])) << 8) | quint32(quint8(m_data[m_pos + 3]));
        m_pos += 4;
        return true;
    }

    // At most four bytes [MQTT-1.5.5-1]. Non-minimal encodings are accepted, as mosquitto
    // does; encode() always writes the minimal form.
    VarintStatus varint(quint32 &value)
    {
        value = 0;
        for (int i = 0; i < 4; ++i) {
            quint8 byte = 0;
            if (!u8(byte))
                return VarintStatus::Truncated;
            value |= quint32(byte & 0x7F) << (7 * i);
            if (!(byte & 0x80))
                return VarintStatus::Ok;
        }
        return VarintStatus::TooLong;
    }

    bool take(qsizetype n, QByteArrayView &out)
    {
        if (n > remaining())
            return false;
        out = m_data.sliced(m_pos, n);
        m_pos += n;
        return true;
    }

    bool lengthPrefixed(QByteArrayView &out)
    {
        quint16 n = 0;
        return u16(n) && take(n, out);
    }

    QByteArrayView rest()
    {
        const QByteArrayView r = m_data.sliced(m_pos);
        m_pos = m_data.size();
        return r;
    }

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

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

// ---------------------------------------------------------------------------------------
// Properties (MQTT 5, 2.2.2)
// ---------------------------------------------------------------------------------------

enum PropertyContext : quint16 {
    InConnect = 0x001,
    InConnack = 0x002,
    InPublish = 0x004,
    InWill = 0x008,
    InPubAck = 0x010, ///< PUBACK, PUBREC, PUBREL, PUBCOMP
    InSubscribe = 0x020,
    InSuback = 0x040,
    InUnsubscribe = 0x080,
    InUnsuback = 0x100,
    InDisconnect = 0x200,
    InAuth = 0x400,
    InAll = 0x7FF,
};

enum class PropertyType : quint8 { Byte, TwoByte, FourByte, Varint, String, Binary, StringPair };

struct PropertyInfo
{
    PropertyType type = PropertyType::Byte;
    quint16 contexts = 0; ///< 0: unknown identifier
    const char *name = "";
};

// Table 2-4 of MQTT 5.0: type and the packets each property may appear in.
constexpr PropertyInfo propertyInfo(quint32 id)
{
    using T = PropertyType;
    switch (id) {
    case 0x01:
        return {T::Byte, InPublish | InWill, "Payload Format Indicator"};
    case 0x02:
        return {T::FourByte, InPublish | InWill, "Message Expiry Interval"};
    case 0x03:
        return {T::String, InPublish | InWill, "Content Type"};
    case 0x08:
        return {T::String, InPublish | InWill, "Response Topic"};
    case 0x09:
        return {T::Binary, InPublish | InWill, "Correlation Data"};
    case 0x0B:
        return {T::Varint, InPublish | InSubscribe, "Subscription Identifier"};
    case 0x11:
        return {T::FourByte, InConnect | InConnack | InDisconnect, "Session Expiry Interval"};
    case 0x12:
        return {T::String, InConnack, "Assigned Client Identifier"};
    case 0x13:
        return {T::TwoByte, InConnack, "Server Keep Alive"};
    case 0x15:
        return {T::String, InConnect | InConnack | InAuth, "Authentication Method"};
    case 0x16:
        return {T::Binary, InConnect | InConnack | InAuth, "Authentication Data"};
    case 0x17:
        return {T::Byte, InConnect, "Request Problem Information"};
    case 0x18:
        return {T::FourByte, InWill, "Will Delay Interval"};
    case 0x19:
        return {T::Byte, InConnect, "Request Response Information"};
    case 0x1A:
        return {T::String, InConnack, "Response Information"};
    case 0x1C:
        return {T::String, InConnack | InDisconnect, "Server Reference"};
    case 0x1F:
        return {T::String,
                InConnack | InPubAck | InSuback | InUnsuback | InDisconnect | InAuth,
                "Reason String"};
    case 0x21:
        return {T::TwoByte, InConnect | InConnack, "Receive Maximum"};
    case 0x22:
        return {T::TwoByte, InConnect | InConnack, "Topic Alias Maximum"};
    case 0x23:
        return {T::TwoByte, InPublish, "Topic Alias"};
    case 0x24:
        return {T::Byte, InConnack, "Maximum QoS"};
    case 0x25:
        return {T::Byte, InConnack, "Retain Available"};
    case 0x26:
        return {T::StringPair, InAll, "User Property"};
    case 0x27:
        return {T::FourByte, InConnect | InConnack, "Maximum Packet Size"};
    case 0x28:
        return {T::Byte, InConnack, "Wildcard Subscription Available"};
    case 0x29:
        return {T::Byte, InConnack, "Subscription Identifier Available"};
    case 0x2A:
        return {T::Byte, InConnack, "Shared Subscription Available"};
    }
    return {};
}

Failure mustBeBoolean(quint32 value, const PropertyInfo &info)
{
    if (value <= 1)
        return {};
    return violation("", QStringLiteral("%1 has value %2, only 0 or 1 are allowed")
                                 .arg(QLatin1String(info.name))
                                 .arg(value));
}

Failure mustBeNonZero(quint32 value, const PropertyInfo &info)
{
    if (value != 0)
        return {};
    return violation("", QStringLiteral("%1 is 0").arg(QLatin1String(info.name)));
}

Failure readProperties(Reader &in, Properties &out, quint16 context, const char *where)
{
    quint32 length = 0;
    if (auto failure = varintFailure(in.varint(length), "property length"))
        return failure;
    QByteArrayView block;
    if (!in.take(length, block))
        return malformed("", QStringLiteral("%1 property length %2 exceeds the %3 bytes left")
                                     .arg(QLatin1String(where))
                                     .arg(length)
                                     .arg(in.remaining()));
    Reader r(block);
    quint64 seen = 0;
    while (!r.atEnd()) {
        quint32 id = 0;
        if (auto failure = varintFailure(r.varint(id), "property identifier"))
            return failure;
        const PropertyInfo info = propertyInfo(id);
        // 2.2.2.2: "A Control Packet which contains an Identifier which is not valid for its
        // packet type ... is a Malformed Packet" (0x81), unlike a repeated property (0x82).
        if (info.contexts == 0)
            return malformed("", QStringLiteral("unknown property identifier %1 in %2")
                                         .arg(hex(id), QLatin1String(where)));
        if (!(info.contexts & context))
            return malformed("", QStringLiteral("%1 (%2) is not allowed in %3")
                                         .arg(QLatin1String(info.name), hex(id),
                                              QLatin1String(where)));
        // Only User Property repeats freely; Subscription Identifier repeats in PUBLISH
        // only (3.3.2.3.8), once at most in SUBSCRIBE (3.8.2.1.2).
        const bool repeatable = id == quint8(PropertyId::UserProperty)
                || (id == quint8(PropertyId::SubscriptionIdentifier) && context == InPublish);
        if (!repeatable && (seen & (quint64(1) << id)))
            return violation("", QStringLiteral("%1 appears more than once in %2")
                                         .arg(QLatin1String(info.name), QLatin1String(where)));
        seen |= quint64(1) << id;

        quint32 number = 0;
        QString text;
        QString value;
        QByteArrayView binary;
        switch (info.type) {
        case PropertyType::Byte: {
            quint8 v = 0;
            if (!r.u8(v))
                return truncated(info.name);
            number = v;
            break;
        }
        case PropertyType::TwoByte: {
            quint16 v = 0;
            if (!r.u16(v))
                return truncated(info.name);
            number = v;
            break;
        }
        case PropertyType::FourByte:
            if (!r.u32(number))
                return truncated(info.name);
            break;
        case PropertyType::Varint:
            if (auto failure = varintFailure(r.varint(number), info.name))
                return failure;
            break;
        case PropertyType::String:
            if (auto failure = readString(r, text, info.name, true))
                return failure;
            break;
        case PropertyType::Binary:
            if (!r.lengthPrefixed(binary))
                return truncated(info.name);
            break;
        case PropertyType::StringPair:
            if (auto failure = readString(r, text, "User Property name", true))
                return failure;
            if (auto failure = readString(r, value, "User Property value", true))
                return failure;
            break;
        }

        switch (PropertyId(id)) {
        case PropertyId::PayloadFormatIndicator:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.payloadFormatIndicator = quint8(number);
            break;
        case PropertyId::MessageExpiryInterval:
            out.messageExpiryInterval = number;
            break;
        case PropertyId::ContentType:
            out.contentType = text;
            break;
        case PropertyId::ResponseTopic:
            // [MQTT-3.3.2-14] The Response Topic is a Topic Name: no wildcards, not empty.
            if (text.isEmpty() || text.contains(QLatin1Char('+'))
                || text.contains(QLatin1Char('#')))
                return violation("MQTT-3.3.2-14",
                                 QStringLiteral("Response Topic \"%1\" is not a valid topic name")
                                         .arg(text));
            out.responseTopic = text;
            break;
        case PropertyId::CorrelationData:
            out.correlationData = binary.toByteArray();
            break;
        case PropertyId::SubscriptionIdentifier:
            // 3.3.2.3.8: 1 to 268,435,455; 0 is a Protocol Error.
            if (auto failure = mustBeNonZero(number, info))
                return failure;
            out.subscriptionIdentifiers.append(number);
            break;
        case PropertyId::SessionExpiryInterval:
            out.sessionExpiryInterval = number;
            break;
        case PropertyId::AssignedClientIdentifier:
            out.assignedClientIdentifier = text;
            break;
        case PropertyId::ServerKeepAlive:
            out.serverKeepAlive = quint16(number);
            break;
        case PropertyId::AuthenticationMethod:
            out.authenticationMethod = text;
            break;
        case PropertyId::AuthenticationData:
            out.authenticationData = binary.toByteArray();
            break;
        case PropertyId::RequestProblemInformation:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.requestProblemInformation = quint8(number);
            break;
        case PropertyId::WillDelayInterval:
            out.willDelayInterval = number;
            break;
        case PropertyId::RequestResponseInformation:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.requestResponseInformation = quint8(number);
            break;
        case PropertyId::ResponseInformation:
            out.responseInformation = text;
            break;
        case PropertyId::ServerReference:
            out.serverReference = text;
            break;
        case PropertyId::ReasonString:
            out.reasonString = text;
            break;
        case PropertyId::ReceiveMaximum:
            // 3.1.2.11.3 / 3.2.2.3.3: a Receive Maximum of 0 is a Protocol Error.
            if (auto failure = mustBeNonZero(number, info))
                return failure;
            out.receiveMaximum = quint16(number);
            break;
        case PropertyId::TopicAliasMaximum:
            out.topicAliasMaximum = quint16(number);
            break;
        case PropertyId::TopicAlias:
            // [MQTT-3.3.2-8] A Topic Alias of 0 is not permitted; the receiver answers with
            // DISCONNECT 0x94 (Topic Alias invalid), hence TopicAliasInvalid (codec.h).
            if (number == 0)
                return makeError(ProtocolError::TopicAliasInvalid, "MQTT-3.3.2-8",
                                 QStringLiteral("Topic Alias is 0"));
            out.topicAlias = quint16(number);
            break;
        case PropertyId::MaximumQoS:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.maximumQoS = quint8(number);
            break;
        case PropertyId::RetainAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.retainAvailable = quint8(number);
            break;
        case PropertyId::UserProperty:
            out.userProperties.append({text, value});
            break;
        case PropertyId::MaximumPacketSize:
            // 3.1.2.11.4 / 3.2.2.3.6: a Maximum Packet Size of 0 is a Protocol Error.
            if (auto failure = mustBeNonZero(number, info))
                return failure;
            out.maximumPacketSize = number;
            break;
        case PropertyId::WildcardSubscriptionAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.wildcardSubscriptionAvailable = quint8(number);
            break;
        case PropertyId::SubscriptionIdentifierAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.subscriptionIdentifierAvailable = quint8(number);
            break;
        case PropertyId::SharedSubscriptionAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.sharedSubscriptionAvailable = quint8(number);
            break;
        }
    }
    return {};
}

// ---------------------------------------------------------------------------------------
// Reason codes valid per packet (MQTT 5.0 table 2-6 and each packet's list)
// ---------------------------------------------------------------------------------------

bool isValidReasonCode(quint8 code, PacketType type)
{
    switch (type) {
    case PacketType::Connack:
        switch (code) {
        case 0x00: case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86:
        case 0x87: case 0x88: case 0x89: case 0x8A: case 0x8C: case 0x90: case 0x95: case 0x97:
        case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D: case 0x9F:
            return true;
        }
        return false;
    case PacketType::Puback:
    case PacketType::Pubrec:
        switch (code) {
        case 0x00: case 0x10: case 0x80: case 0x83: case 0x87: case 0x90: case 0x91: case 0x97:
        case 0x99:
            return true;
        }
        return false;
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        return code == 0x00 || code == 0x92;
    case PacketType::Suback:
        switch (code) {
        case 0x00: case 0x01: case 0x02: case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91:
        case 0x97: case 0x9E: case 0xA1: case 0xA2:
            return true;
        }
        return false;
    case PacketType::Unsuback:
        switch (code) {
        case 0x00: case 0x11: case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91:
            return true;
        }
        return false;
    case PacketType::Disconnect:
        switch (code) {
        case 0x00: case 0x04: case 0x80: case 0x81: case 0x82: case 0x83: case 0x87: case 0x89:
        case 0x8B: case 0x8D: case 0x8E: case 0x8F: case 0x90: case 0x93: case 0x94: case 0x95:
        case 0x96: case 0x97: case 0x98: case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D:
        case 0x9E: case 0x9F: case 0xA0: case 0xA1: case 0xA2:
            return true;
        }
        return false;
    case PacketType::Auth:
        return code == 0x00 || code == 0x18 || code == 0x19;
    default:
        return false;
    }
}

// A reason code outside the packet's list cannot be parsed into the packet, so it is a
// Malformed Packet (1.2 "Malformed Packet: cannot be parsed according to this
// specification"), the same answer HiveMQ and the mosquitto client library give.
// The "MUST use one of the ... Reason Codes" statement of each 5.0 packet.
const char *reasonCodeRule(PacketType type)
{
    switch (type) {
    case PacketType::Connack:
        return "MQTT-3.2.2-8";
    case PacketType::Puback:
        return "MQTT-3.4.2-1";
    case PacketType::Pubrec:
        return "MQTT-3.5.2-1";
    case PacketType::Pubrel:
        return "MQTT-3.6.2-1";
    case PacketType::Pubcomp:
        return "MQTT-3.7.2-1";
    case PacketType::Suback:
        return "MQTT-3.9.3-2";
    case PacketType::Unsuback:
        return "MQTT-3.11.3-2";
    case PacketType::Disconnect:
        return "MQTT-3.14.2-1";
    case PacketType::Auth:
        return "MQTT-3.15.2-1";
    default:
        return "";
    }
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
        const std::optional<TopicProblem> problem = checkTopicFilter(filter, m_v5);
        if (!problem)
            return;
        if (!m_first) {
            m_first = makeError(
                    ProtocolError::TopicFilterInvalid, problem->specId,
                    QStringLiteral("%1 topic filter %2 \"%3\": %4")
                            .arg(QLatin1String(m_packet))
                            .arg(index)
                            .arg(QString::fromUtf8(filter), QLatin1String(problem->why)));
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

constexpr QByteArrayView kMqtt("MQTT");
constexpr QByteArrayView kMqIsdp("MQIsdp");

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
        if (auto problem = checkTopicName(topic, connectV5))
            return makeError(ProtocolError::TopicNameInvalid, problem->specId,
                             QStringLiteral("Will Topic: %1").arg(QLatin1String(problem->why)));
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

ReasonCode connackCodeFromV3(quint8 code)
{
    switch (code) {
    case 1:
        return ReasonCode::UnsupportedProtocolVersion;
    case 2:
        return ReasonCode::ClientIdentifierNotValid;
    case 3:
        return ReasonCode::ServerUnavailable;
    case 4:
        return ReasonCode::BadUserNameOrPassword;
    case 5:
        return ReasonCode::NotAuthorized;
    default:
        return ReasonCode::Success;
    }
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
    } else if (topic.contains('+') || topic.contains('#')) {
        // [MQTT-3.3.2-2] No wildcards in a topic name. The answer is TopicNameInvalid in
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
            if (sub.options.noLocal && isSharedFilter(filter))
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

// ---------------------------------------------------------------------------------------
// Encoding: every packet body is written by one template run twice, first into a
// SizeCounter (no allocation), then into a BufferWriter over a QByteArray sized once.
// ---------------------------------------------------------------------------------------

quint32 propertiesSize(const Properties &p);

class SizeCounter
{
public:
    static constexpr int kRecordedBlocks = 2;

    void u8(quint8) { m_size += 1; }
    void u16(quint16) { m_size += 2; }
    void u32(quint32) { m_size += 4; }
    void varint(quint32 value)
    {
        const int n = varintSize(value);
        m_overflow |= n == 0;
        m_size += n;
    }
    void raw(QByteArrayView bytes) { m_size += bytes.size(); }
    void skip(qsizetype n) { m_size += n; }
    void binary(QByteArrayView bytes)
    {
        m_overflow |= bytes.size() > 0xFFFF;
        m_size += 2 + bytes.size();
    }
    void string(QStringView text)
    {
        const qsizetype n = utf8Length(text);
        m_overflow |= n > 0xFFFF;
        m_size += 2 + n;
    }

    qsizetype size() const { return m_size; }
    bool overflow() const { return m_overflow || m_size > qsizetype(kMaxVarint); }

    // Property blocks measured in this pass (a CONNECT has two: its own and the Will's), so
    // the writing pass need not walk the properties a second time to learn their length.
    quint32 nextPropertyLength(quint32 measured)
    {
        if (m_blocks < kRecordedBlocks)
            m_propertyLengths[size_t(m_blocks)] = measured;
        ++m_blocks;
        return measured;
    }
    quint32 propertyLength(int block) const { return m_propertyLengths[size_t(block)]; }

private:
    qsizetype m_size = 0;
    bool m_overflow = false;
    int m_blocks = 0;
    std::array<quint32, kRecordedBlocks> m_propertyLengths{};
};

class BufferWriter
{
public:
    BufferWriter(char *out, const SizeCounter &counter)
        : m_out(out)
        , m_counter(&counter)
    {
    }
    void u8(quint8 value) { *m_out++ = char(value); }
    void u16(quint16 value)
    {
        *m_out++ = char(value >> 8);
        *m_out++ = char(value);
    }
    void u32(quint32 value)
    {
        *m_out++ = char(value >> 24);
        *m_out++ = char(value >> 16);
        *m_out++ = char(value >> 8);
        *m_out++ = char(value);
    }
    void varint(quint32 value)
    {
        do {
            quint8 byte = value & 0x7F;
            value >>= 7;
            if (value)
                byte |= 0x80;
            *m_out++ = char(byte);
        } while (value);
    }
    void raw(QByteArrayView bytes)
    {
        if (bytes.isEmpty())
            return;
        std::memcpy(m_out, bytes.data(), size_t(bytes.size()));
        m_out += bytes.size();
    }
    void binary(QByteArrayView bytes)
    {
        u16(quint16(bytes.size()));
        raw(bytes);
    }
    // The length was checked by the SizeCounter pass; it is written after the characters.
    void string(QStringView text)
    {
        char *const length = m_out;
        m_out = writeUtf8(m_out + 2, text);
        const auto n = quint16(m_out - length - 2);
        length[0] = char(n >> 8);
        length[1] = char(n);
    }

    // Property length as measured by the SizeCounter pass, in the same order.
    quint32 nextPropertyLength(const Properties &p)
    {
        const int block = m_block++;
        return block < SizeCounter::kRecordedBlocks ? m_counter->propertyLength(block)
                                                    : propertiesSize(p);
    }

    const char *position() const { return m_out; }

private:
    char *m_out;
    const SizeCounter *m_counter;
    int m_block = 0;
};

// Properties in ascending identifier order, repeated ones in their list order, so the
// same value always gives the same bytes.
template<typename Out>
void putPropertyList(Out &out, const Properties &p)
{
    const auto byte = [&out](PropertyId id, const std::optional<quint8> &v) {
        if (v) {
            out.u8(quint8(id));
            out.u8(*v);
        }
    };
    const auto two = [&out](PropertyId id, const std::optional<quint16> &v) {
        if (v) {
            out.u8(quint8(id));
            out.u16(*v);
        }
    };
    const auto four = [&out](PropertyId id, const std::optional<quint32> &v) {
        if (v) {
            out.u8(quint8(id));
            out.u32(*v);
        }
    };
    const auto string = [&out](PropertyId id, const std::optional<QString> &v) {
        if (v) {
            out.u8(quint8(id));
            out.string(*v);
        }
    };
    const auto binary = [&out](PropertyId id, const std::optional<QByteArray> &v) {
        if (v) {
            out.u8(quint8(id));
            out.binary(*v);
        }
    };
    byte(PropertyId::PayloadFormatIndicator, p.payloadFormatIndicator);
    four(PropertyId::MessageExpiryInterval, p.messageExpiryInterval);
    string(PropertyId::ContentType, p.contentType);
    string(PropertyId::ResponseTopic, p.responseTopic);
    binary(PropertyId::CorrelationData, p.correlationData);
    for (quint32 id : p.subscriptionIdentifiers) {
        out.u8(quint8(PropertyId::SubscriptionIdentifier));
        out.varint(id);
    }
    four(PropertyId::SessionExpiryInterval, p.sessionExpiryInterval);
    string(PropertyId::AssignedClientIdentifier, p.assignedClientIdentifier);
    two(PropertyId::ServerKeepAlive, p.serverKeepAlive);
    string(PropertyId::AuthenticationMethod, p.authenticationMethod);
    binary(PropertyId::AuthenticationData, p.authenticationData);
    byte(PropertyId::RequestProblemInformation, p.requestProblemInformation);
    four(PropertyId::WillDelayInterval, p.willDelayInterval);
    byte(PropertyId::RequestResponseInformation, p.requestResponseInformation);
    string(PropertyId::ResponseInformation, p.responseInformation);
    string(PropertyId::ServerReference, p.serverReference);
    string(PropertyId::ReasonString, p.reasonString);
    two(PropertyId::ReceiveMaximum, p.receiveMaximum);
    two(PropertyId::TopicAliasMaximum, p.topicAliasMaximum);
    two(PropertyId::TopicAlias, p.topicAlias);
    byte(PropertyId::MaximumQoS, p.maximumQoS);
    byte(PropertyId::RetainAvailable, p.retainAvailable);
    for (const UserProperty &user : p.userProperties) {
        out.u8(quint8(PropertyId::UserProperty));
        out.string(user.first);
        out.string(user.second);
    }
    four(PropertyId::MaximumPacketSize, p.maximumPacketSize);
    byte(PropertyId::WildcardSubscriptionAvailable, p.wildcardSubscriptionAvailable);
    byte(PropertyId::SubscriptionIdentifierAvailable, p.subscriptionIdentifierAvailable);
    byte(PropertyId::SharedSubscriptionAvailable, p.sharedSubscriptionAvailable);
}

quint32 propertiesSize(const Properties &p)
{
    SizeCounter counter;
    putPropertyList(counter, p);
    return quint32(counter.size());
}

void putProperties(SizeCounter &out, const Properties &p)
{
    const quint32 length = out.nextPropertyLength(propertiesSize(p));
    out.varint(length);
    out.skip(length);
}

void putProperties(BufferWriter &out, const Properties &p)
{
    out.varint(out.nextPropertyLength(p));
    putPropertyList(out, p);
}

// 3.x CONNACK return codes 0-5 (3.1.1 table 3.1); 5.0 refusals without a 3.x counterpart
// fall back to the closest one.
quint8 connackCodeToV3(ReasonCode code)
{
    switch (code) {
    case ReasonCode::Success:
        return 0;
    case ReasonCode::UnsupportedProtocolVersion:
        return 1;
    case ReasonCode::ClientIdentifierNotValid:
        return 2;
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::BadAuthenticationMethod:
        return 4;
    case ReasonCode::NotAuthorized:
    case ReasonCode::Banned:
        return 5;
    default:
        return 3; // Server unavailable
    }
}

// 3.x SUBACK return codes: granted QoS 0-2 or 0x80 failure [MQTT-3.9.3-2].
quint8 subackCodeToV3(ReasonCode code)
{
    const quint8 value = quint8(code);
    return value <= 2 ? value : 0x80;
}

struct BodyWriter
{
    ProtocolVersion version;

    bool v5() const { return isV5(version); }

    template<typename Out>
    void put(Out &out, const Connect &c) const
    {
        // A CONNECT states its own version (c.version), as decodePacket() reads it.
        const bool connectV5 = isV5(c.version);
        if (c.version == ProtocolVersion::V3_1)
            out.binary(kMqIsdp);
        else
            out.binary(kMqtt);
        out.u8(quint8(c.version));
        quint8 flags = 0;
        if (c.userName)
            flags |= 0x80;
        if (c.password)
            flags |= 0x40;
        if (c.will) {
            flags |= 0x04 | (quint8(c.will->qos) << 3);
            if (c.will->retain)
                flags |= 0x20;
        }
        if (c.cleanStart)
            flags |= 0x02;
        out.u8(flags);
        out.u16(c.keepAliveSeconds);
        if (connectV5)
            putProperties(out, c.properties);
        out.string(c.clientId);
        if (c.will) {
            if (connectV5)
                putProperties(out, c.will->properties);
            out.string(c.will->topic);
            out.binary(c.will->payload);
        }
        if (c.userName)
            out.string(*c.userName);
        if (c.password)
            out.binary(*c.password);
    }

    template<typename Out>
    void put(Out &out, const Connack &c) const
    {
        out.u8(c.sessionPresent ? 0x01 : 0x00);
        if (v5()) {
            out.u8(quint8(c.reasonCode));
            putProperties(out, c.properties);
        } else {
            out.u8(connackCodeToV3(c.reasonCode));
        }
    }

    template<typename Out>
    void put(Out &out, const Publish &p) const
    {
        out.string(p.topic);
        if (p.qos != QoS::AtMostOnce)
            out.u16(p.packetId.value_or(0));
        if (v5())
            putProperties(out, p.properties);
        out.raw(p.payload);
    }

    // PUBACK, PUBREC, PUBREL, PUBCOMP: the compact forms of 3.4.2.1 (as mosquitto sends).
    template<typename Out, typename Ack>
    void putAck(Out &out, const Ack &a) const
    {
        out.u16(a.packetId);
        if (!v5())
            return;
        const bool noProperties = propertiesSize(a.properties) == 0;
        if (a.reasonCode == ReasonCode::Success && noProperties)
            return;
        out.u8(quint8(a.reasonCode));
        if (!noProperties)
            putProperties(out, a.properties);
    }
    template<typename Out>
    void put(Out &out, const Puback &a) const { putAck(out, a); }
    template<typename Out>
    void put(Out &out, const Pubrec &a) const { putAck(out, a); }
    template<typename Out>
    void put(Out &out, const Pubrel &a) const { putAck(out, a); }
    template<typename Out>
    void put(Out &out, const Pubcomp &a) const { putAck(out, a); }

    template<typename Out>
    void put(Out &out, const Subscribe &s) const
    {
        out.u16(s.packetId);
        if (v5())
            putProperties(out, s.properties);
        for (const TopicSubscription &sub : s.subscriptions) {
            out.string(sub.filter);
            quint8 options = quint8(sub.options.maximumQoS) & 0x03;
            if (v5()) {
                if (sub.options.noLocal)
                    options |= 0x04;
                if (sub.options.retainAsPublished)
                    options |= 0x08;
                options |= (quint8(sub.options.retainHandling) & 0x03) << 4;
            }
            out.u8(options);
        }
    }

    template<typename Out>
    void put(Out &out, const Suback &s) const
    {
        out.u16(s.packetId);
        if (v5())
            putProperties(out, s.properties);
        for (ReasonCode code : s.reasonCodes)
            out.u8(v5() ? quint8(code) : subackCodeToV3(code));
    }

    template<typename Out>
    void put(Out &out, const Unsubscribe &u) const
    {
        out.u16(u.packetId);
        if (v5())
            putProperties(out, u.properties);
        for (const QString &filter : u.filters)
            out.string(filter);
    }

    template<typename Out>
    void put(Out &out, const Unsuback &u) const
    {
        out.u16(u.packetId);
        if (!v5())
            return; // 3.x UNSUBACK carries no reason codes
        putProperties(out, u.properties);
        for (ReasonCode code : u.reasonCodes)
            out.u8(quint8(code));
    }

    template<typename Out>
    void put(Out &, const Pingreq &) const
    {
    }
    template<typename Out>
    void put(Out &, const Pingresp &) const
    {
    }

    // DISCONNECT and AUTH: remaining length 0 for Success without properties, 1 for a
    // reason code alone (3.14.2.1, 3.15.2.1).
    template<typename Out, typename P>
    void putReasonOnly(Out &out, const P &p) const
    {
        if (!v5())
            return;
        const bool noProperties = propertiesSize(p.properties) == 0;
        if (p.reasonCode == ReasonCode::Success && noProperties)
            return;
        out.u8(quint8(p.reasonCode));
        if (!noProperties)
            putProperties(out, p.properties);
    }
    template<typename Out>
    void put(Out &out, const Disconnect &d) const { putReasonOnly(out, d); }
    template<typename Out>
    void put(Out &out, const Auth &a) const { putReasonOnly(out, a); }
};

quint8 firstByteOf(const Packet &packet)
{
    const quint8 type = quint8(packetType(packet)) << 4;
    if (const auto *p = std::get_if<Publish>(&packet))
        return type | (p->dup ? 0x08 : 0) | ((quint8(p->qos) & 0x03) << 1) | (p->retain ? 1 : 0);
    switch (packetType(packet)) {
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        return type | 0x02;
    default:
        return type;
    }
}

} // namespace

ReasonCode disconnectReasonFor(ProtocolError error)
{
    // Every result is a valid DISCONNECT reason code (5.0 3.14.2.1); errors that only a
    // CONNECT can cause fall back to Protocol Error here and get their own code from
    // connackReasonFor().
    switch (error) {
    case ProtocolError::MalformedPacket:
        return ReasonCode::MalformedPacket;
    case ProtocolError::ProtocolViolation:
        return ReasonCode::ProtocolError;
    case ProtocolError::PacketTooLarge:
        return ReasonCode::PacketTooLarge;
    case ProtocolError::UnsupportedProtocolVersion:
    case ProtocolError::ClientIdentifierNotValid:
        return ReasonCode::ProtocolError;
    case ProtocolError::TopicNameInvalid:
        return ReasonCode::TopicNameInvalid;
    case ProtocolError::TopicFilterInvalid:
        // A filter that breaks the wildcard rules is a Protocol Error [MQTT-4.13.1-1]; 0x8F
        // is for a correctly formed filter the server does not allow.
        return ReasonCode::ProtocolError;
    case ProtocolError::TopicAliasInvalid:
        return ReasonCode::TopicAliasInvalid;
    case ProtocolError::ReceiveMaximumExceeded:
        return ReasonCode::ReceiveMaximumExceeded;
    case ProtocolError::PayloadFormatInvalid:
        return ReasonCode::PayloadFormatInvalid;
    case ProtocolError::QoSNotSupported:
        return ReasonCode::QoSNotSupported;
    case ProtocolError::RetainNotSupported:
        return ReasonCode::RetainNotSupported;
    }
    return ReasonCode::UnspecifiedError;
}

ReasonCode connackReasonFor(ProtocolError error)
{
    // Every result is a valid CONNACK reason code (5.0 3.2.2.2); encode() turns it into a
    // 3.x return code (UnsupportedProtocolVersion -> 0x01 [MQTT-3.1.2-2],
    // ClientIdentifierNotValid -> 0x02).
    switch (error) {
    case ProtocolError::MalformedPacket:
        return ReasonCode::MalformedPacket;
    case ProtocolError::ProtocolViolation:
    case ProtocolError::TopicFilterInvalid:
    case ProtocolError::TopicAliasInvalid:
    case ProtocolError::ReceiveMaximumExceeded:
        return ReasonCode::ProtocolError;
    case ProtocolError::PacketTooLarge:
        return ReasonCode::PacketTooLarge;
    case ProtocolError::UnsupportedProtocolVersion:
        return ReasonCode::UnsupportedProtocolVersion;
    case ProtocolError::ClientIdentifierNotValid:
        return ReasonCode::ClientIdentifierNotValid;
    case ProtocolError::TopicNameInvalid:
        return ReasonCode::TopicNameInvalid;
    case ProtocolError::PayloadFormatInvalid:
        return ReasonCode::PayloadFormatInvalid;
    case ProtocolError::QoSNotSupported:
        return ReasonCode::QoSNotSupported;
    case ProtocolError::RetainNotSupported:
        return ReasonCode::RetainNotSupported;
    }
    return ReasonCode::UnspecifiedError;
}

int varintSize(quint32 value)
{
    if (value < 128)
        return 1;
    if (value < 16'384)
        return 2;
    if (value < 2'097'152)
        return 3;
    if (value <= kMaxVarint)
        return 4;
    return 0;
}

FrameResult takeFrame(QByteArrayView buffer, quint32 maxPacketSize)
{
    if (buffer.size() < 2)
        return NeedMore{2};
    // Remaining length: at most four bytes [MQTT-1.5.5-1], read without allocating.
    quint32 length = 0;
    qsizetype headerSize = 0;
    for (int i = 1; i <= 4; ++i) {
        if (i >= buffer.size())
            return NeedMore{i + 1};
        const quint8 byte = quint8(buffer[i]);
        length |= quint32(byte & 0x7F) << (7 * (i - 1));
        if (!(byte & 0x80)) {
            headerSize = i + 1;
            break;
        }
    }
    if (headerSize == 0)
        return DecodeError{ProtocolError::MalformedPacket, QStringLiteral("MQTT-1.5.5-1"),
                           QStringLiteral("remaining length is longer than four bytes")};
    const qsizetype total = headerSize + qsizetype(length);
    // The limit counts the whole packet, fixed header included (3.1.2.11.4, 3.2.2.3.6), and
    // is enforced before the body has arrived. 0 means no limit.
    if (maxPacketSize != 0 && total > qsizetype(maxPacketSize))
        return DecodeError{ProtocolError::PacketTooLarge, QString(),
                           QStringLiteral("%1 packet of %2 bytes exceeds the maximum packet "
                                          "size of %3")
                                   .arg(packetTypeName(PacketType(quint8(buffer[0]) >> 4)))
                                   .arg(total)
                                   .arg(maxPacketSize)};
    if (buffer.size() < total)
        return NeedMore{total};
    return Frame{quint8(buffer[0]), buffer.sliced(headerSize, length), total};
}

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

QByteArray encode(const Packet &packet, ProtocolVersion version)
{
    // AUTH does not exist before 5.0.
    if (!isV5(version) && std::holds_alternative<Auth>(packet))
        return {};
    const BodyWriter body{version};
    SizeCounter counter;
    std::visit([&](const auto &p) { body.put(counter, p); }, packet);
    if (counter.overflow())
        return {};
    const qsizetype bodySize = counter.size();
    const qsizetype total = 1 + varintSize(quint32(bodySize)) + bodySize;
    QByteArray out(total, Qt::Uninitialized);
    BufferWriter writer(out.data(), counter);
    writer.u8(firstByteOf(packet));
    writer.varint(quint32(bodySize));
    std::visit([&](const auto &p) { body.put(writer, p); }, packet);
    Q_ASSERT(writer.position() == out.constData() + total);
    return out;
}

} // namespace hermes::mqtt
