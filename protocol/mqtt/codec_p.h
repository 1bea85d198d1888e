#pragma once
/// What the codec's sources share (decode.cpp, encode.cpp, properties.cpp, framing.cpp,
/// utf8.cpp, reasoncodes.cpp): error helpers, the bounds-checked reader, the two encoding
/// passes and the MQTT 5 property block. Private to protocol/mqtt: include codec.h instead.

#include "codec.h"

#include <QStringView>

#include <array>
#include <cstring>

namespace hermes::mqtt::detail {

// Largest value a four-byte Variable Byte Integer can carry (1.5.5).
constexpr quint32 kMaxVarint = 268'435'455;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

using Failure = std::optional<DecodeError>;

inline DecodeError makeError(ProtocolError error, const char *specId, const QString &detail)
{
    return DecodeError{error, QString::fromLatin1(specId), detail};
}

inline DecodeError malformed(const char *specId, const QString &detail)
{
    return makeError(ProtocolError::MalformedPacket, specId, detail);
}

inline DecodeError violation(const char *specId, const QString &detail)
{
    return makeError(ProtocolError::ProtocolViolation, specId, detail);
}

inline DecodeError truncated(const char *what)
{
    return malformed("", QStringLiteral("truncated %1").arg(QLatin1String(what)));
}

inline QString hex(quint32 value)
{
    return QLatin1String("0x")
            + QString::number(value, 16).rightJustified(2, QLatin1Char('0')).toUpper();
}

inline bool isV5(ProtocolVersion version)
{
    return version == ProtocolVersion::V5;
}

// The same rule has different normative IDs in 3.1.1 and 5.0; errors carry the ID of the
// version being decoded (3.1 has no IDs and shares 3.1.1's).
inline const char *specId(bool v5, const char *id5, const char *id311)
{
    return v5 ? id5 : id311;
}

// ---------------------------------------------------------------------------------------
// UTF-8 (utf8.cpp)
// ---------------------------------------------------------------------------------------

enum class Utf8Status : quint8 { Ok, IllFormed, Surrogate, Null };

/// Well-formed UTF-8 without surrogates; U+0000 is reported apart (Utf8Status::Null).
Utf8Status checkUtf8(QByteArrayView bytes);
/// Validated UTF-8 to a QString, keeping a leading byte order mark [MQTT-1.5.4-3].
QString stringFromUtf8(QByteArrayView bytes);
/// checkUtf8() as the DecodeError a UTF-8 string field of the packet gets.
Failure checkString(QByteArrayView bytes, const char *what, bool v5);
/// UTF-8 length of `s` as writeUtf8() writes it.
qsizetype utf8Length(QStringView s);
/// Writes `s` as UTF-8 at `out` (a lone surrogate becomes U+FFFD); returns the end.
char *writeUtf8(char *out, QStringView s);

// ---------------------------------------------------------------------------------------
// Reading (decode.cpp)
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

Failure varintFailure(VarintStatus status, const char *what);
Failure readStringBytes(Reader &in, QByteArrayView &out, const char *what, bool v5);
Failure readString(Reader &in, QString &out, const char *what, bool v5);
Failure readBinary(Reader &in, QByteArray &out, const char *what);
Failure expectEnd(const Reader &in, const char *packet);
Failure readPacketId(Reader &in, quint16 &id, const char *packet, bool v5);

constexpr QByteArrayView kMqtt("MQTT");
constexpr QByteArrayView kMqIsdp("MQIsdp");

// ---------------------------------------------------------------------------------------
// Reason codes (reasoncodes.cpp)
// ---------------------------------------------------------------------------------------

/// True when `code` is one the MQTT 5 packet `type` may carry.
bool isValidReasonCode(quint8 code, PacketType type);
/// The "MUST use one of the ... Reason Codes" statement of the 5.0 packet `type`.
const char *reasonCodeRule(PacketType type);
/// A 3.x CONNACK return code (1-5) as the 5.0 reason code it stands for.
ReasonCode connackCodeFromV3(quint8 code);
/// A 5.0 CONNACK reason code as the closest 3.x return code.
quint8 connackCodeToV3(ReasonCode code);
/// A 5.0 SUBACK reason code as a 3.x return code.
quint8 subackCodeToV3(ReasonCode code);

// ---------------------------------------------------------------------------------------
// Properties (properties.cpp)
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

/// Reads a property block (length, then properties) allowed in `context` into `out`.
Failure readProperties(Reader &in, Properties &out, quint16 context, const char *where);
/// Length of the property list of `p`, the length varint not included.
quint32 propertiesSize(const Properties &p);
class SizeCounter;
class BufferWriter;
/// Writes the property block (length, then properties) in the measuring pass...
void putProperties(SizeCounter &out, const Properties &p);
/// ... and in the writing pass.
void putProperties(BufferWriter &out, const Properties &p);

// ---------------------------------------------------------------------------------------
// Encoding: every packet body is written by one template run twice, first into a
// SizeCounter (no allocation), then into a BufferWriter over a QByteArray sized once.
// ---------------------------------------------------------------------------------------

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


} // namespace hermes::mqtt::detail
