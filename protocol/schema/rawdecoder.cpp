#include "rawdecoder.h"

#include <cstring>

namespace hermes::schema {

namespace {

constexpr quint64 kMaxFieldNumber = (quint64(1) << 29) - 1;

RawDecodeError errorAt(qsizetype offset, const QString &message)
{
    return RawDecodeError{offset, message};
}

/// Parses fields from `pos` up to `end` into `children`. With `groupNumber` != 0 the
/// fields belong to a group, which must close with the matching end-group tag before `end`;
/// `pos` is then left after that tag.
std::optional<RawDecodeError> parseFields(QByteArrayView payload, qsizetype &pos, qsizetype end,
                                          int depth, int maxDepth, int groupNumber,
                                          QList<DecodedNode> &children)
{
    while (pos < end) {
        qsizetype peek = pos;
        QString why;
        const std::optional<Tag> tag = readTag(payload, peek, end, &why);
        if (!tag)
            return errorAt(pos, why);
        if (tag->wireType == WireType::EndGroup) {
            if (groupNumber == 0 || tag->number != groupNumber)
                return errorAt(pos, QStringLiteral("end-group tag for field %1 without its start")
                                        .arg(tag->number));
            pos = peek;
            return std::nullopt;
        }
        DecodedNode field;
        const std::optional<RawDecodeError> error =
                decodeRawField(payload, pos, end, depth, maxDepth, field);
        if (error)
            return error;
        children.append(std::move(field));
    }
    if (groupNumber != 0)
        return errorAt(end, QStringLiteral("group %1 not closed").arg(groupNumber));
    return std::nullopt;
}

} // namespace

std::optional<quint64> readVarint(QByteArrayView payload, qsizetype &pos, qsizetype end)
{
    quint64 value = 0;
    for (int i = 0; i < 10; ++i) {
        if (pos + i >= end)
            return std::nullopt;
        const quint8 byte = quint8(payload[pos + i]);
        value |= quint64(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80)) {
            pos += i + 1;
            return value;
        }
    }
    return std::nullopt; // an eleventh byte would be needed: not a varint
}

std::optional<Tag> readTag(QByteArrayView payload, qsizetype &pos, qsizetype end, QString *why)
{
    const qsizetype start = pos;
    QString ignored;
    if (!why)
        why = &ignored;
    const std::optional<quint64> key = readVarint(payload, pos, end);
    if (!key) {
        *why = QStringLiteral("truncated or overlong field tag");
        pos = start;
        return std::nullopt;
    }
    const quint64 number = *key >> 3;
    const quint8 wire = quint8(*key & 7);
    if (number == 0 || number > kMaxFieldNumber) {
        *why = QStringLiteral("invalid field number %1").arg(number);
        pos = start;
        return std::nullopt;
    }
    if (wire > 5) {
        *why = QStringLiteral("invalid wire type %1 for field %2").arg(wire).arg(number);
        pos = start;
        return std::nullopt;
    }
    return Tag{int(number), WireType(wire)};
}

bool isPrintableUtf8(QByteArrayView bytes)
{
    // Decoded by hand: this runs for every length-delimited value at every nesting level,
    // so it must not allocate. Rejects overlong forms, surrogates and code points above
    // U+10FFFF (RFC 3629), C0/C1 controls other than tab/LF/CR, unassigned code points
    // and the BOM.
    if (bytes.isEmpty())
        return false;
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        const quint8 lead = quint8(bytes[i]);
        if (lead < 0x80) {
            if ((lead < 0x20 && lead != '\t' && lead != '\n' && lead != '\r') || lead == 0x7F)
                return false;
            ++i;
            continue;
        }
        int extra = 0;
        char32_t cp = 0;
        char32_t minimum = 0;
        if ((lead & 0xE0) == 0xC0) {
            extra = 1, cp = lead & 0x1F, minimum = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2, cp = lead & 0x0F, minimum = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3, cp = lead & 0x07, minimum = 0x10000;
        } else {
            return false;
        }
        if (size - i <= extra)
            return false;
        for (int k = 1; k <= extra; ++k) {
            const quint8 next = quint8(bytes[i + k]);
            if ((next & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (next & 0x3F);
        }
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFEFF)
            return false;
        const QChar::Category category = QChar::category(cp);
        if (category == QChar::Other_Control || category == QChar::Other_NotAssigned)
            return false;
        i += extra + 1;
    }
    return true;
}

QString escapedBytes(QByteArrayView bytes)
{
    constexpr qsizetype kShown = 64;
    QString text;
    for (qsizetype i = 0; i < bytes.size() && i < kShown; ++i) {
        const quint8 b = quint8(bytes[i]);
        if (b >= 0x20 && b < 0x7F && b != '\\')
            text += QLatin1Char(char(b));
        else
            text += QStringLiteral("\\x%1").arg(b, 2, 16, QLatin1Char('0'));
    }
    if (bytes.size() > kShown)
        text += QStringLiteral("… (%1 bytes)").arg(bytes.size());
    return text;
}

std::optional<RawDecodeError> decodeRawField(QByteArrayView payload, qsizetype &pos, qsizetype end,
                                             int depth, int maxDepth, DecodedNode &field)
{
    const qsizetype start = pos;
    QString why;
    const std::optional<Tag> tag = readTag(payload, pos, end, &why);
    if (!tag)
        return errorAt(start, why);

    field.number = tag->number;
    field.name = QString::number(tag->number);
    field.offset = start;
    field.valueOffset = pos;

    switch (tag->wireType) {
    case WireType::Varint: {
        const std::optional<quint64> value = readVarint(payload, pos, end);
        if (!value) {
            pos = start;
            return errorAt(field.valueOffset, QStringLiteral("truncated varint in field %1").arg(tag->number));
        }
        field.kind = DecodedNode::Kind::Varint;
        field.typeName = QStringLiteral("varint");
        field.value = *value;
        field.text = QString::number(*value);
        break;
    }
    case WireType::Fixed64: {
        if (end - pos < 8) {
            pos = start;
            return errorAt(field.valueOffset, QStringLiteral("truncated fixed64 in field %1").arg(tag->number));
        }
        quint64 value = 0;
        for (int i = 7; i >= 0; --i)
            value = (value << 8) | quint8(payload[pos + i]); // little-endian on the wire
        pos += 8;
        field.kind = DecodedNode::Kind::Fixed64;
        field.typeName = QStringLiteral("fixed64");
        field.value = value;
        field.text = QStringLiteral("0x%1").arg(value, 16, 16, QLatin1Char('0'));
        break;
    }
    case WireType::Fixed32: {
        if (end - pos < 4) {
            pos = start;
            return errorAt(field.valueOffset, QStringLiteral("truncated fixed32 in field %1").arg(tag->number));
        }
        quint32 value = 0;
        for (int i = 3; i >= 0; --i)
            value = (value << 8) | quint8(payload[pos + i]);
        pos += 4;
        field.kind = DecodedNode::Kind::Fixed32;
        field.typeName = QStringLiteral("fixed32");
        field.value = value;
        field.text = QStringLiteral("0x%1").arg(value, 8, 16, QLatin1Char('0'));
        break;
    }
    case WireType::LengthDelimited: {
        const qsizetype lengthAt = pos;
        const std::optional<quint64> length = readVarint(payload, pos, end);
        if (!length) {
            pos = start;
            return errorAt(lengthAt, QStringLiteral("truncated length in field %1").arg(tag->number));
        }
        if (*length > quint64(end - pos)) {
            const qsizetype left = end - pos;
            pos = start;
            return errorAt(lengthAt, QStringLiteral("field %1 declares %2 bytes, %3 left")
                                             .arg(tag->number).arg(*length).arg(left));
        }
        field.valueOffset = pos;
        const qsizetype valueEnd = pos + qsizetype(*length);
        const QByteArrayView value = payload.sliced(pos, qsizetype(*length));
        // Printable text first: short texts nearly always parse as fields too ("hi" is
        // field 13 = 105), while real nested messages nearly always hold a control byte
        // (tags of fields 1-3, length prefixes below 32).
        bool done = false;
        if (isPrintableUtf8(value)) {
            field.kind = DecodedNode::Kind::String;
            field.typeName = QStringLiteral("string");
            field.value = QString::fromUtf8(value);
            field.text = field.value.toString();
            done = true;
        } else if (!value.isEmpty() && depth + 1 <= maxDepth) {
            QList<DecodedNode> children;
            qsizetype inner = pos;
            if (!parseFields(payload, inner, valueEnd, depth + 1, maxDepth, 0, children)) {
                field.kind = DecodedNode::Kind::Message;
                field.typeName = QStringLiteral("message");
                field.children = std::move(children);
                done = true;
            }
        }
        if (!done) {
            field.kind = DecodedNode::Kind::Bytes;
            field.typeName = QStringLiteral("bytes");
            field.value = value.toByteArray();
            field.text = escapedBytes(value);
        }
        pos = valueEnd;
        break;
    }
    case WireType::StartGroup: {
        if (depth + 1 > maxDepth) {
            pos = start;
            return errorAt(start, QStringLiteral("groups nested deeper than %1").arg(maxDepth));
        }
        field.kind = DecodedNode::Kind::Group;
        field.typeName = QStringLiteral("group");
        const std::optional<RawDecodeError> error =
                parseFields(payload, pos, end, depth + 1, maxDepth, tag->number, field.children);
        if (error) {
            pos = start;
            return error;
        }
        break;
    }
    case WireType::EndGroup:
        pos = start;
        return errorAt(start, QStringLiteral("end-group tag for field %1 without its start").arg(tag->number));
    }
    field.length = pos - start;
    return std::nullopt;
}

RawDecodeResult decodeRaw(QByteArrayView bytes, int maxDepth)
{
    RawDecodeResult result;
    result.root.kind = DecodedNode::Kind::Message;
    result.root.typeName = QStringLiteral("message");
    result.root.length = bytes.size();
    qsizetype pos = 0;
    result.error = parseFields(bytes, pos, bytes.size(), 0, maxDepth, 0, result.root.children);
    return result;
}

} // namespace hermes::schema
