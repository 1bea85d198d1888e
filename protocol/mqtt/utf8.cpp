#include "codec_p.h"

#include <QStringDecoder>

namespace hermes::mqtt::detail {

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

} // namespace hermes::mqtt::detail
