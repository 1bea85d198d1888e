#include "messageshape.h"

#include "schemaregistry.h"
#include "schemaregistry_p.h"

#include <QSet>

#include <algorithm>

namespace hermes::schema {

namespace {

FieldKind kindOf(const gp::FieldDescriptor *field)
{
    switch (field->type()) {
    case gp::FieldDescriptor::TYPE_DOUBLE:
        return FieldKind::Double;
    case gp::FieldDescriptor::TYPE_FLOAT:
        return FieldKind::Float;
    case gp::FieldDescriptor::TYPE_INT64:
        return FieldKind::Int64;
    case gp::FieldDescriptor::TYPE_UINT64:
        return FieldKind::UInt64;
    case gp::FieldDescriptor::TYPE_INT32:
        return FieldKind::Int32;
    case gp::FieldDescriptor::TYPE_FIXED64:
        return FieldKind::Fixed64;
    case gp::FieldDescriptor::TYPE_FIXED32:
        return FieldKind::Fixed32;
    case gp::FieldDescriptor::TYPE_BOOL:
        return FieldKind::Bool;
    case gp::FieldDescriptor::TYPE_STRING:
        return FieldKind::String;
    case gp::FieldDescriptor::TYPE_GROUP:
        return FieldKind::Group;
    case gp::FieldDescriptor::TYPE_MESSAGE:
        return field->is_map() ? FieldKind::Map : FieldKind::Message;
    case gp::FieldDescriptor::TYPE_BYTES:
        return FieldKind::Bytes;
    case gp::FieldDescriptor::TYPE_UINT32:
        return FieldKind::UInt32;
    case gp::FieldDescriptor::TYPE_ENUM:
        return FieldKind::Enum;
    case gp::FieldDescriptor::TYPE_SFIXED32:
        return FieldKind::SFixed32;
    case gp::FieldDescriptor::TYPE_SFIXED64:
        return FieldKind::SFixed64;
    case gp::FieldDescriptor::TYPE_SINT32:
        return FieldKind::SInt32;
    case gp::FieldDescriptor::TYPE_SINT64:
        return FieldKind::SInt64;
    }
    return FieldKind::Bytes;
}

QVariant defaultOf(const gp::FieldDescriptor *field)
{
    switch (field->cpp_type()) {
    case gp::FieldDescriptor::CPPTYPE_INT32:
        return qint64(field->default_value_int32());
    case gp::FieldDescriptor::CPPTYPE_INT64:
        return qint64(field->default_value_int64());
    case gp::FieldDescriptor::CPPTYPE_UINT32:
        return quint64(field->default_value_uint32());
    case gp::FieldDescriptor::CPPTYPE_UINT64:
        return quint64(field->default_value_uint64());
    case gp::FieldDescriptor::CPPTYPE_DOUBLE:
        return field->default_value_double();
    case gp::FieldDescriptor::CPPTYPE_FLOAT:
        return field->default_value_float();
    case gp::FieldDescriptor::CPPTYPE_BOOL:
        return field->default_value_bool();
    case gp::FieldDescriptor::CPPTYPE_ENUM:
        return QString::fromStdString(field->default_value_enum()->name());
    case gp::FieldDescriptor::CPPTYPE_STRING: {
        const std::string &value = field->default_value_string();
        if (field->type() == gp::FieldDescriptor::TYPE_BYTES)
            return QByteArray(value.data(), qsizetype(value.size()));
        return QString::fromStdString(value);
    }
    case gp::FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    return {};
}

void describeValueType(const gp::FieldDescriptor *field, FieldShape &shape)
{
    if (const gp::EnumDescriptor *type = field->enum_type()) {
        shape.enumType = QString::fromStdString(type->full_name());
        shape.enumValues.reserve(type->value_count());
        for (int i = 0; i < type->value_count(); ++i) {
            shape.enumValues.append(EnumValueShape{QString::fromStdString(type->value(i)->name()),
                                                   type->value(i)->number()});
        }
    }
    if (const gp::Descriptor *type = field->message_type())
        shape.messageType = QString::fromStdString(type->full_name());
}

FieldShape describeField(const gp::FieldDescriptor *field)
{
    FieldShape shape;
    shape.name = QString::fromStdString(field->name());
    shape.jsonName = QString::fromStdString(field->json_name());
    shape.number = field->number();
    shape.kind = kindOf(field);
    shape.required = field->is_required();
    shape.hasPresence = field->has_presence();
    shape.packed = field->is_packed();
    if (const gp::OneofDescriptor *oneof = field->real_containing_oneof())
        shape.oneof = QString::fromStdString(oneof->name());
    if (shape.kind == FieldKind::Map) {
        // A map field is a repeated entry message { key = 1; value = 2; }: describe its
        // value type in place of the entry's, so the form never sees the entry.
        const gp::Descriptor *entry = field->message_type();
        shape.mapKey = kindOf(entry->map_key());
        shape.mapValue = kindOf(entry->map_value());
        describeValueType(entry->map_value(), shape);
        return shape;
    }
    shape.repeated = field->is_repeated();
    describeValueType(field, shape);
    shape.defaultValue = defaultOf(field);
    shape.explicitDefault = field->has_default_value();
    return shape;
}

WellKnownType wellKnownOf(const gp::Descriptor *type)
{
    if (type->file()->package() != "google.protobuf")
        return WellKnownType::None;
    static constexpr std::pair<const char *, WellKnownType> kNames[] = {
        {"Timestamp", WellKnownType::Timestamp},  {"Duration", WellKnownType::Duration},
        {"Any", WellKnownType::Any},              {"Struct", WellKnownType::Struct},
        {"Value", WellKnownType::Value},          {"ListValue", WellKnownType::ListValue},
        {"FieldMask", WellKnownType::FieldMask},  {"Empty", WellKnownType::Empty},
        {"DoubleValue", WellKnownType::Wrapper},  {"FloatValue", WellKnownType::Wrapper},
        {"Int64Value", WellKnownType::Wrapper},   {"UInt64Value", WellKnownType::Wrapper},
        {"Int32Value", WellKnownType::Wrapper},   {"UInt32Value", WellKnownType::Wrapper},
        {"BoolValue", WellKnownType::Wrapper},    {"StringValue", WellKnownType::Wrapper},
        {"BytesValue", WellKnownType::Wrapper},
    };
    for (const auto &[name, kind] : kNames) {
        if (type->name() == name)
            return kind;
    }
    return WellKnownType::None;
}

void collectMessageTypes(const gp::Descriptor *type, QStringList &out)
{
    if (type->options().map_entry())
        return;
    out.append(QString::fromStdString(type->full_name()));
    for (int i = 0; i < type->nested_type_count(); ++i)
        collectMessageTypes(type->nested_type(i), out);
}

/// Edit distance, for "did you mean" lists; names are short.
int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    for (int j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

} // namespace

QString kindName(FieldKind kind)
{
    static constexpr const char *kNames[] = {
        "double", "float",   "int32",    "int64",    "uint32", "uint64", "sint32",
        "sint64", "fixed32", "fixed64",  "sfixed32", "sfixed64", "bool", "string",
        "bytes",  "enum",    "message",  "group",    "map",
    };
    static_assert(std::size(kNames) == size_t(FieldKind::Map) + 1);
    return QString::fromLatin1(kNames[size_t(kind)]);
}

bool isJsonStringNumber(FieldKind kind)
{
    switch (kind) {
    case FieldKind::Int64:
    case FieldKind::UInt64:
    case FieldKind::SInt64:
    case FieldKind::Fixed64:
    case FieldKind::SFixed64:
        return true;
    default:
        return false;
    }
}

const FieldShape *MessageShape::field(const QString &nameOrJsonName) const
{
    for (const FieldShape &f : fields) {
        if (f.name == nameOrJsonName || f.jsonName == nameOrJsonName)
            return &f;
    }
    return nullptr;
}

std::optional<MessageShape> SchemaRegistry::describe(const QString &typeName) const
{
    const gp::Descriptor *type = m_impl->findType(typeName);
    if (!type)
        return std::nullopt;
    MessageShape shape;
    shape.fullName = QString::fromStdString(type->full_name());
    shape.name = QString::fromStdString(type->name());
    shape.file = QString::fromStdString(type->file()->name());
    shape.wellKnown = wellKnownOf(type);
    shape.proto3 = type->file()->syntax() == gp::FileDescriptor::SYNTAX_PROTO3;
    for (int i = 0; i < type->real_oneof_decl_count(); ++i)
        shape.oneofs.append(QString::fromStdString(type->oneof_decl(i)->name()));
    shape.fields.reserve(type->field_count());
    for (int i = 0; i < type->field_count(); ++i)
        shape.fields.append(describeField(type->field(i)));
    return shape;
}

QStringList SchemaRegistry::similarTypes(const QString &typeName, int limit) const
{
    // Ranked: same last component (a missing package) first, then containing the name,
    // then by edit distance to the full name or to the last component.
    // The loaded files and everything they import: a type only reachable through an
    // import is still a valid --type.
    QStringList known;
    QSet<const gp::FileDescriptor *> seen;
    QList<const gp::FileDescriptor *> pending;
    for (const QString &name : std::as_const(m_impl->m_files))
        pending.append(m_impl->m_pool.FindFileByName(name.toStdString()));
    while (!pending.isEmpty()) {
        const gp::FileDescriptor *file = pending.takeLast();
        if (!file || seen.contains(file))
            continue;
        seen.insert(file);
        for (int i = 0; i < file->message_type_count(); ++i)
            collectMessageTypes(file->message_type(i), known);
        for (int i = 0; i < file->dependency_count(); ++i)
            pending.append(file->dependency(i));
    }
    known.sort();
    const QString wanted = typeName.section(QLatin1Char('.'), -1);
    QList<std::pair<int, QString>> ranked;
    for (const QString &candidate : known) {
        const QString last = candidate.section(QLatin1Char('.'), -1);
        int score;
        if (last.compare(wanted, Qt::CaseInsensitive) == 0)
            score = 0;
        else if (candidate.contains(wanted, Qt::CaseInsensitive) && wanted.size() >= 3)
            score = 1;
        else
            score = 2 + std::min(editDistance(typeName, candidate), editDistance(wanted, last));
        // Far-off names are noise, not suggestions.
        if (score <= 2 + std::max(2, int(wanted.size()) / 3))
            ranked.append({score, candidate});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList names;
    for (qsizetype i = 0; i < ranked.size() && i < limit; ++i)
        names.append(ranked[i].second);
    return names;
}

} // namespace hermes::schema
