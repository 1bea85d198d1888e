// Canonical proto3 JSON written straight from the typed tree: the hot path of decode().
//
// protobuf 3.21's converter re-serializes the message, builds google.protobuf.Type objects
// for every call and renders through a stream of virtual calls: about two thirds of a small
// message's decode time (docs/BENCHMARKS.md "Protobuf decode"). This writer covers the common
// case and reproduces the converter's output byte for byte; for anything else (proto2,
// non-ASCII text, repeated singular fields, groups, extensions, Any/Struct/Value/ListValue/
// FieldMask/Empty, non-finite or zero floating-point values, out-of-range times, duplicate
// map keys) it gives up and decode() takes the converter's path. tst_schemaregistry compares
// both paths on fixtures and random bytes.
#include "schemaregistry_p.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace hermes::schema {

namespace {

using Kind = DecodedNode::Kind;

class Writer
{
public:
    Writer(QByteArrayView payload, std::string &out)
        : m_payload(payload)
        , m_out(out)
    {
    }

    bool message(const gp::Descriptor *type, const DecodedNode &node)
    {
        // The converter gives up at 64 levels; well below that, the result is the same.
        if (type->file()->syntax() != gp::FileDescriptor::SYNTAX_PROTO3 || ++m_depth > kMaxDepth)
            return false;
        const bool ok = messageBody(type, node);
        --m_depth;
        return ok;
    }

private:
    static constexpr int kMaxDepth = 50;

    bool messageBody(const gp::Descriptor *type, const DecodedNode &node)
    {
        switch (wellKnown(type)) {
        case Wkt::Timestamp:
            return timestamp(node);
        case Wkt::Duration:
            return duration(node);
        case Wkt::Wrapper:
            return wrapper(type, node);
        case Wkt::Other:
            return false;
        case Wkt::None:
            break;
        }
        // Fields in field-number order, as the converter sees them in serialized bytes.
        m_fields.clear();
        for (const DecodedNode &child : node.children) {
            if (child.unknown)
                continue; // the converter does not print unknown fields
            if (child.kind == Kind::Group || child.name.startsWith(QLatin1Char('[')))
                return false;
            const gp::FieldDescriptor *field = type->FindFieldByNumber(child.number);
            if (!field)
                return false;
            m_fields.push_back({field, &child});
        }
        std::vector<std::pair<const gp::FieldDescriptor *, const DecodedNode *>> fields;
        fields.swap(m_fields);
        std::stable_sort(fields.begin(), fields.end(),
                         [](const auto &a, const auto &b) { return a.first->number() < b.first->number(); });

        m_out += '{';
        bool first = true;
        std::vector<const gp::OneofDescriptor *> oneofs;
        for (size_t i = 0; i < fields.size();) {
            const gp::FieldDescriptor *field = fields[i].first;
            size_t end = i + 1;
            while (end < fields.size() && fields[end].first == field)
                ++end;
            if (const gp::OneofDescriptor *oneof = field->real_containing_oneof()) {
                if (std::find(oneofs.begin(), oneofs.end(), oneof) != oneofs.end())
                    return false; // two members: the last one wins
                oneofs.push_back(oneof);
            }
            const size_t length = m_out.size();
            if (!first)
                m_out += ',';
            m_out += '"';
            m_out += field->json_name();
            m_out += "\":";
            bool printed = true;
            if (field->is_map()) {
                if (!map(field, fields, i, end))
                    return false;
            } else if (field->is_repeated()) {
                printed = false;
                m_out += '[';
                for (size_t k = i; k < end; ++k) {
                    const DecodedNode &occurrence = *fields[k].second;
                    if (occurrence.kind == Kind::Packed) {
                        for (const DecodedNode &element : occurrence.children) {
                            if (printed)
                                m_out += ',';
                            if (!value(field, element, true))
                                return false;
                            printed = true;
                        }
                    } else {
                        if (printed)
                            m_out += ',';
                        if (!value(field, occurrence, true))
                            return false;
                        printed = true;
                    }
                }
                m_out += ']';
            } else {
                if (end - i != 1)
                    return false; // singular field repeated on the wire: last wins / merge
                const DecodedNode &occurrence = *fields[i].second;
                if (!field->has_presence() && isDefault(occurrence)) {
                    printed = false; // proto3 implicit presence: not set
                } else if (!value(field, occurrence, field->has_presence())) {
                    return false;
                }
            }
            if (printed)
                first = false;
            else
                m_out.resize(length);
            i = end;
        }
        m_out += '}';
        return true;
    }

    enum class Wkt { None, Timestamp, Duration, Wrapper, Other };

    static Wkt wellKnown(const gp::Descriptor *type)
    {
        if (type->file()->package() != "google.protobuf")
            return Wkt::None;
        const std::string &name = type->name();
        if (name == "Timestamp")
            return Wkt::Timestamp;
        if (name == "Duration")
            return Wkt::Duration;
        if (name.size() > 5 && name.compare(name.size() - 5, 5, "Value") == 0 && name != "Value"
            && name != "ListValue")
            return Wkt::Wrapper;
        return Wkt::Other;
    }

    /// A proto3 scalar whose value is the type's zero (and so is not "set"). Floating-point
    /// zeros are left to the converter (-0.0 is a matter of protobuf version).
    static bool isDefault(const DecodedNode &node)
    {
        switch (node.kind) {
        case Kind::Integer:
            return node.value.toLongLong() == 0;
        case Kind::Unsigned:
            return node.value.toULongLong() == 0;
        case Kind::Bool:
            return !node.value.toBool();
        case Kind::Enum:
            return node.value.toInt() == 0;
        case Kind::String:
            return node.value.toString().isEmpty();
        case Kind::Bytes:
            return node.value.toByteArray().isEmpty();
        default:
            return false;
        }
    }

    bool map(const gp::FieldDescriptor *field,
             const std::vector<std::pair<const gp::FieldDescriptor *, const DecodedNode *>> &fields, size_t begin,
             size_t end)
    {
        const gp::FieldDescriptor *keyField = field->message_type()->map_key();
        const gp::FieldDescriptor *valueField = field->message_type()->map_value();
        std::vector<std::string> keys;
        m_out += '{';
        for (size_t k = begin; k < end; ++k) {
            const DecodedNode *key = nullptr;
            const DecodedNode *val = nullptr;
            for (const DecodedNode &part : fields[k].second->children) {
                const DecodedNode *&slot = part.number == 1 ? key : val;
                if (part.unknown || part.number > 2 || slot)
                    return false;
                slot = &part;
            }
            std::string keyText;
            if (!key) {
                keyText = keyField->type() == gp::FieldDescriptor::TYPE_BOOL ? "false"
                        : keyField->type() == gp::FieldDescriptor::TYPE_STRING ? "" : "0";
            } else if (key->kind == Kind::String) {
                if (!ascii(key->value.toString(), keyText))
                    return false;
            } else {
                std::string scalarText;
                std::swap(scalarText, m_out);
                const bool ok = value(keyField, *key, true);
                std::swap(scalarText, m_out);
                if (!ok)
                    return false;
                keyText = scalarText.size() > 1 && scalarText.front() == '"' ? scalarText.substr(1, scalarText.size() - 2)
                                                                             : scalarText;
            }
            if (std::find(keys.begin(), keys.end(), keyText) != keys.end())
                return false; // the last entry wins, and order would follow the map's hashing
            keys.push_back(keyText);
            if (k != begin)
                m_out += ',';
            m_out += '"';
            m_out += keyText;
            m_out += "\":";
            if (val) {
                if (!value(valueField, *val, true))
                    return false;
            } else if (!defaultValue(valueField)) {
                return false;
            }
        }
        m_out += '}';
        return true;
    }

    /// The converter prints a missing map value (or wrapper value) as the type's zero.
    bool defaultValue(const gp::FieldDescriptor *field)
    {
        switch (field->cpp_type()) {
        case gp::FieldDescriptor::CPPTYPE_INT64:
        case gp::FieldDescriptor::CPPTYPE_UINT64:
            m_out += "\"0\"";
            return true;
        case gp::FieldDescriptor::CPPTYPE_INT32:
        case gp::FieldDescriptor::CPPTYPE_UINT32:
        case gp::FieldDescriptor::CPPTYPE_DOUBLE:
        case gp::FieldDescriptor::CPPTYPE_FLOAT:
            m_out += '0';
            return true;
        case gp::FieldDescriptor::CPPTYPE_BOOL:
            m_out += "false";
            return true;
        case gp::FieldDescriptor::CPPTYPE_STRING:
            m_out += "\"\"";
            return true;
        case gp::FieldDescriptor::CPPTYPE_ENUM:
            m_out += '"';
            m_out += field->enum_type()->value(0)->name();
            m_out += '"';
            return field->enum_type()->value(0)->number() == 0;
        case gp::FieldDescriptor::CPPTYPE_MESSAGE:
            return false;
        }
        return false;
    }

    /// One value of `field` (an element, for repeated fields).
    bool value(const gp::FieldDescriptor *field, const DecodedNode &node, bool present)
    {
        Q_UNUSED(present);
        char buffer[40];
        if ((node.kind == Kind::Integer || node.kind == Kind::Unsigned || node.kind == Kind::Enum
             || node.kind == Kind::Bool)
            && overlongVarint(node))
            return false;
        switch (node.kind) {
        case Kind::Message:
            return message(field->message_type(), node);
        case Kind::Integer:
        case Kind::Unsigned: {
            const bool quoted = field->cpp_type() == gp::FieldDescriptor::CPPTYPE_INT64
                    || field->cpp_type() == gp::FieldDescriptor::CPPTYPE_UINT64;
            if (node.kind == Kind::Integer)
                std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(node.value.toLongLong()));
            else
                std::snprintf(buffer, sizeof buffer, "%llu", static_cast<unsigned long long>(node.value.toULongLong()));
            if (quoted)
                m_out += '"';
            m_out += buffer;
            if (quoted)
                m_out += '"';
            return true;
        }
        case Kind::Bool:
            m_out += node.value.toBool() ? "true" : "false";
            return true;
        case Kind::Enum: {
            const gp::EnumValueDescriptor *named = field->enum_type()->FindValueByNumber(node.value.toInt());
            if (named) {
                m_out += '"';
                m_out += named->name();
                m_out += '"';
            } else {
                m_out += std::to_string(node.value.toInt());
            }
            return true;
        }
        case Kind::Double: {
            const double d = node.value.toDouble();
            if (!std::isfinite(d) || d == 0)
                return false;
            // protobuf's SimpleDtoa: %.15g unless that does not read back.
            std::snprintf(buffer, sizeof buffer, "%.15g", d);
            if (std::strtod(buffer, nullptr) != d)
                std::snprintf(buffer, sizeof buffer, "%.17g", d);
            m_out += buffer;
            return true;
        }
        case Kind::Float: {
            const float f = node.value.toFloat();
            if (!std::isfinite(f) || f == 0)
                return false;
            // protobuf's SimpleFtoa: %.6g unless that does not read back.
            std::snprintf(buffer, sizeof buffer, "%.6g", double(f));
            if (std::strtof(buffer, nullptr) != f)
                std::snprintf(buffer, sizeof buffer, "%.9g", double(f));
            m_out += buffer;
            return true;
        }
        case Kind::String: {
            std::string text;
            if (!ascii(node.value.toString(), text))
                return false;
            m_out += '"';
            m_out += text;
            m_out += '"';
            return true;
        }
        case Kind::Bytes:
            m_out += '"';
            m_out += node.value.toByteArray().toBase64().toStdString();
            m_out += '"';
            return true;
        default:
            return false;
        }
    }

    /// JSON string content for ASCII text, escaped as protobuf's converter escapes it;
    /// false for anything non-ASCII (its escape table for those is long).
    static bool ascii(const QString &text, std::string &out)
    {
        out.reserve(out.size() + size_t(text.size()));
        for (const QChar c : text) {
            const char16_t u = c.unicode();
            if (u >= 0x7f)
                return false;
            switch (u) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '<': out += "\\u003c"; break;
            case '>': out += "\\u003e"; break;
            default:
                if (u < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(u));
                    out += escaped;
                } else {
                    out += char(u);
                }
            }
        }
        return true;
    }

    /// seconds (field 1) and nanos (field 2) of a Timestamp or Duration, each at most once.
    bool secondsAndNanos(const DecodedNode &node, qint64 &seconds, qint64 &nanos)
    {
        bool haveSeconds = false;
        bool haveNanos = false;
        for (const DecodedNode &child : node.children) {
            if (child.unknown)
                continue;
            bool &have = child.number == 1 ? haveSeconds : haveNanos;
            if (have || child.kind != Kind::Integer || overlongVarint(child))
                return false;
            have = true;
            (child.number == 1 ? seconds : nanos) = child.value.toLongLong();
        }
        return true;
    }

    /// protobuf's FormatNanos without trailing zeros: 3, 6 or 9 digits.
    void nanosText(qint64 nanos)
    {
        if (nanos == 0)
            return;
        char buffer[16];
        if (nanos % 1000000 == 0)
            std::snprintf(buffer, sizeof buffer, ".%03lld", static_cast<long long>(nanos / 1000000));
        else if (nanos % 1000 == 0)
            std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(nanos / 1000));
        else
            std::snprintf(buffer, sizeof buffer, ".%09lld", static_cast<long long>(nanos));
        m_out += buffer;
    }

    bool timestamp(const DecodedNode &node)
    {
        qint64 seconds = 0;
        qint64 nanos = 0;
        if (!secondsAndNanos(node, seconds, nanos))
            return false;
        // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z, as the converter accepts.
        if (seconds < -62135596800LL || seconds > 253402300799LL || nanos < 0 || nanos > 999999999)
            return false;
        // Civil date from days since 1970-01-01 (proleptic Gregorian).
        const qint64 days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
        const qint64 secondOfDay = seconds - days * 86400;
        const qint64 z = days + 719468;
        const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
        const qint64 doe = z - era * 146097;
        const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const qint64 mp = (5 * doy + 2) / 153;
        const qint64 day = doy - (153 * mp + 2) / 5 + 1;
        const qint64 month = mp < 10 ? mp + 3 : mp - 9;
        const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        char buffer[96];
        std::snprintf(buffer, sizeof buffer, "\"%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", static_cast<long long>(year),
                      static_cast<long long>(month), static_cast<long long>(day),
                      static_cast<long long>(secondOfDay / 3600), static_cast<long long>(secondOfDay / 60 % 60),
                      static_cast<long long>(secondOfDay % 60));
        m_out += buffer;
        nanosText(nanos);
        m_out += "Z\"";
        return true;
    }

    bool duration(const DecodedNode &node)
    {
        qint64 seconds = 0;
        qint64 nanos = 0;
        if (!secondsAndNanos(node, seconds, nanos))
            return false;
        if (seconds < -315576000000LL || seconds > 315576000000LL || nanos < -999999999 || nanos > 999999999
            || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0))
            return false;
        m_out += '"';
        if (seconds < 0 || nanos < 0)
            m_out += '-';
        m_out += std::to_string(seconds < 0 ? -seconds : seconds);
        nanosText(nanos < 0 ? -nanos : nanos);
        m_out += "s\"";
        return true;
    }

    bool wrapper(const gp::Descriptor *type, const DecodedNode &node)
    {
        const gp::FieldDescriptor *field = type->FindFieldByNumber(1);
        const DecodedNode *found = nullptr;
        for (const DecodedNode &child : node.children) {
            if (child.unknown)
                continue;
            if (found || child.number != 1)
                return false;
            found = &child;
        }
        return found ? value(field, *found, true) : defaultValue(field);
    }

    /// A 10-byte varint whose last byte carries bits beyond 64: protobuf's parser drops
    /// them, its JSON converter refuses the message.
    bool overlongVarint(const DecodedNode &node) const
    {
        const qsizetype end = node.offset + node.length;
        return end - node.valueOffset == 10 && end <= m_payload.size() && quint8(m_payload[end - 1]) > 1;
    }

    QByteArrayView m_payload;
    std::string &m_out;
    int m_depth = 0;
    std::vector<std::pair<const gp::FieldDescriptor *, const DecodedNode *>> m_fields;
};

} // namespace

bool writeFastJson(const gp::Descriptor *type, const DecodedNode &root, QByteArrayView payload, std::string &out)
{
    out.clear();
    return Writer(payload, out).message(type, root);
}

} // namespace hermes::schema
