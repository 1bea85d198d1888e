#include "schemaregistry.h"

#include "protobufcompat.h"
#include "schemaregistry_p.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <climits>
#include <cstring>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

namespace gp = google::protobuf;

namespace hermes::schema {

namespace {

using Kind = DecodedNode::Kind;

WireType wireTypeOf(const gp::FieldDescriptor *field)
{
    switch (field->type()) {
    case gp::FieldDescriptor::TYPE_DOUBLE:
    case gp::FieldDescriptor::TYPE_FIXED64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
        return WireType::Fixed64;
    case gp::FieldDescriptor::TYPE_FLOAT:
    case gp::FieldDescriptor::TYPE_FIXED32:
    case gp::FieldDescriptor::TYPE_SFIXED32:
        return WireType::Fixed32;
    case gp::FieldDescriptor::TYPE_STRING:
    case gp::FieldDescriptor::TYPE_BYTES:
    case gp::FieldDescriptor::TYPE_MESSAGE:
        return WireType::LengthDelimited;
    case gp::FieldDescriptor::TYPE_GROUP:
        return WireType::StartGroup;
    default:
        return WireType::Varint;
    }
}

QString typeNameOf(const gp::FieldDescriptor *field)
{
    if (field->message_type())
        return QString::fromStdString(field->message_type()->full_name());
    if (field->enum_type())
        return QString::fromStdString(field->enum_type()->full_name());
    return QString::fromLatin1(field->type_name());
}

void markUnknown(DecodedNode &node)
{
    node.unknown = true;
    for (DecodedNode &child : node.children)
        markUnknown(child);
}

/// Interprets the raw wire value of a scalar field by its declared type.
void setScalar(DecodedNode &node, const gp::FieldDescriptor *field, quint64 raw)
{
    switch (field->type()) {
    case gp::FieldDescriptor::TYPE_INT32:
    case gp::FieldDescriptor::TYPE_SFIXED32:
        node.kind = Kind::Integer;
        node.value = qint64(qint32(quint32(raw)));
        break;
    case gp::FieldDescriptor::TYPE_INT64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
        node.kind = Kind::Integer;
        node.value = qint64(raw);
        break;
    case gp::FieldDescriptor::TYPE_SINT32: {
        const quint32 n = quint32(raw);
        node.kind = Kind::Integer;
        node.value = qint64(qint32((n >> 1) ^ (~(n & 1) + 1))); // zigzag
        break;
    }
    case gp::FieldDescriptor::TYPE_SINT64:
        node.kind = Kind::Integer;
        node.value = qint64((raw >> 1) ^ (~(raw & 1) + 1));
        break;
    case gp::FieldDescriptor::TYPE_UINT32:
    case gp::FieldDescriptor::TYPE_FIXED32:
        node.kind = Kind::Unsigned;
        node.value = quint64(quint32(raw));
        break;
    case gp::FieldDescriptor::TYPE_UINT64:
    case gp::FieldDescriptor::TYPE_FIXED64:
        node.kind = Kind::Unsigned;
        node.value = raw;
        break;
    case gp::FieldDescriptor::TYPE_BOOL:
        node.kind = Kind::Bool;
        node.value = raw != 0;
        node.text = raw != 0 ? QStringLiteral("true") : QStringLiteral("false");
        return;
    case gp::FieldDescriptor::TYPE_ENUM: {
        const int number = qint32(quint32(raw));
        node.kind = Kind::Enum;
        node.value = number;
        const gp::EnumValueDescriptor *value = field->enum_type()->FindValueByNumber(number);
        node.text = value ? QString::fromStdString(value->name()) : QString::number(number);
        return;
    }
    case gp::FieldDescriptor::TYPE_FLOAT: {
        const quint32 bits = quint32(raw);
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        node.kind = Kind::Float;
        node.value = f;
        break;
    }
    case gp::FieldDescriptor::TYPE_DOUBLE: {
        double d = 0;
        std::memcpy(&d, &raw, sizeof d);
        node.kind = Kind::Double;
        node.value = d;
        break;
    }
    default:
        break;
    }
    // QString::number straight away for integers (the hot path); QVariant's shortest form
    // for floating point.
    if (node.kind == Kind::Integer)
        node.text = QString::number(node.value.toLongLong());
    else if (node.kind == Kind::Unsigned)
        node.text = QString::number(node.value.toULongLong());
    else
        node.text = node.value.toString();
}

/// Reads one scalar of wire type `wire` at `pos`.
std::optional<quint64> readScalar(QByteArrayView payload, qsizetype &pos, qsizetype end, WireType wire)
{
    if (wire == WireType::Varint)
        return readVarint(payload, pos, end);
    const int size = wire == WireType::Fixed64 ? 8 : 4;
    if (end - pos < size)
        return std::nullopt;
    quint64 value = 0;
    for (int i = size - 1; i >= 0; --i)
        value = (value << 8) | quint8(payload[pos + i]);
    pos += size;
    return value;
}

// Whatever protobuf itself parsed (its recursion limit is 100) is shown typed; the walker
// only needs a bound of its own for the stack.
constexpr int kMaxTypedDepth = 100;

class TypedWalker
{
public:
    TypedWalker(QByteArrayView payload, const SchemaRegistry::Impl &registry)
        : m_payload(payload)
        , m_registry(registry)
    {
    }

    /// Fields of `type` from `pos` to `end` (or to the end-group tag of `groupNumber`).
    std::optional<RawDecodeError> walk(const gp::Descriptor *type, qsizetype &pos, qsizetype end,
                                       int depth, int groupNumber, QList<DecodedNode> &children)
    {
        while (pos < end) {
            const qsizetype start = pos;
            qsizetype peek = pos;
            QString why;
            const std::optional<Tag> tag = readTag(m_payload, peek, end, &why);
            if (!tag)
                return RawDecodeError{start, why};
            if (tag->wireType == WireType::EndGroup) {
                if (groupNumber == 0 || tag->number != groupNumber)
                    return RawDecodeError{start, QStringLiteral("unexpected end-group tag %1").arg(tag->number)};
                pos = peek;
                return std::nullopt;
            }
            const gp::FieldDescriptor *field = type->FindFieldByNumber(tag->number);
            if (!field)
                field = type->file()->pool()->FindExtensionByNumber(type, tag->number);
            const bool fits = field
                    && (wireTypeOf(field) == tag->wireType
                        || (field->is_packable() && tag->wireType == WireType::LengthDelimited));
            DecodedNode node;
            if (!fits) {
                // Kept and shown, as protobuf keeps them in the unknown field set.
                if (auto error = decodeRawField(m_payload, pos, end, depth, kMaxRawDepth, node))
                    return error;
                markUnknown(node);
            } else if (auto error = typedField(field, *tag, pos, end, depth, node)) {
                return error;
            }
            children.append(std::move(node));
        }
        if (groupNumber != 0)
            return RawDecodeError{end, QStringLiteral("group %1 not closed").arg(groupNumber)};
        return std::nullopt;
    }

private:
    std::optional<RawDecodeError> typedField(const gp::FieldDescriptor *field, Tag tag, qsizetype &pos,
                                             qsizetype end, int depth, DecodedNode &node)
    {
        const qsizetype start = pos;
        readTag(m_payload, pos, end, nullptr);
        const FieldNames &names = namesOf(field);
        node.name = names.name;
        node.number = tag.number;
        node.typeName = names.typeName;
        node.offset = start;
        node.valueOffset = pos;

        if (tag.wireType == WireType::StartGroup) {
            if (depth + 1 > kMaxTypedDepth)
                return RawDecodeError{start, QStringLiteral("nested deeper than %1").arg(kMaxTypedDepth)};
            node.kind = Kind::Group;
            if (auto error = walk(field->message_type(), pos, end, depth + 1, tag.number, node.children))
                return error;
        } else if (tag.wireType == WireType::LengthDelimited) {
            const qsizetype lengthAt = pos;
            const std::optional<quint64> length = readVarint(m_payload, pos, end);
            if (!length || *length > quint64(end - pos))
                return RawDecodeError{lengthAt, QStringLiteral("bad length for field %1").arg(tag.number)};
            node.valueOffset = pos;
            const qsizetype valueEnd = pos + qsizetype(*length);
            const QByteArrayView value = m_payload.sliced(pos, qsizetype(*length));
            if (field->type() == gp::FieldDescriptor::TYPE_STRING) {
                node.kind = Kind::String;
                node.value = QString::fromUtf8(value);
                node.text = node.value.toString();
            } else if (field->type() == gp::FieldDescriptor::TYPE_BYTES) {
                node.kind = Kind::Bytes;
                node.value = value.toByteArray();
                node.text = escapedBytes(value);
            } else if (field->type() == gp::FieldDescriptor::TYPE_MESSAGE) {
                if (depth + 1 > kMaxTypedDepth)
                    return RawDecodeError{start, QStringLiteral("nested deeper than %1").arg(kMaxTypedDepth)};
                node.kind = Kind::Message;
                qsizetype inner = pos;
                if (auto error = walk(field->message_type(), inner, valueEnd, depth + 1, 0, node.children))
                    return error;
            } else {
                // Packed repeated scalars: one child per element, each with its own range.
                node.kind = Kind::Packed;
                const WireType elementWire = wireTypeOf(field);
                qsizetype element = pos;
                while (element < valueEnd) {
                    DecodedNode item;
                    item.name = node.name;
                    item.number = tag.number;
                    item.typeName = node.typeName;
                    item.offset = element;
                    item.valueOffset = element;
                    const std::optional<quint64> raw = readScalar(m_payload, element, valueEnd, elementWire);
                    if (!raw)
                        return RawDecodeError{item.offset, QStringLiteral("truncated packed element of field %1").arg(tag.number)};
                    setScalar(item, field, *raw);
                    item.length = element - item.offset;
                    node.children.append(std::move(item));
                }
            }
            pos = valueEnd;
        } else {
            const std::optional<quint64> raw = readScalar(m_payload, pos, end, tag.wireType);
            if (!raw)
                return RawDecodeError{node.valueOffset, QStringLiteral("truncated value of field %1").arg(tag.number)};
            setScalar(node, field, *raw);
        }
        node.length = pos - start;
        return std::nullopt;
    }

    /// Shared QStrings per field (no allocation per node): this walk's own table first, the
    /// registry's second (a lock per distinct field and walk, not per node).
    const FieldNames &namesOf(const gp::FieldDescriptor *field)
    {
        auto local = m_names.constFind(field);
        if (local != m_names.cend())
            return *local;
        return *m_names.insert(field, m_registry.fieldNames(field, [](const gp::FieldDescriptor *f) {
            return FieldNames{f->is_extension() ? QStringLiteral("[%1]").arg(QString::fromStdString(f->full_name()))
                                                : QString::fromStdString(f->name()),
                              typeNameOf(f)};
        }));
    }

    QByteArrayView m_payload;
    const SchemaRegistry::Impl &m_registry;
    QHash<const gp::FieldDescriptor *, FieldNames> m_names;
};

void collectTypes(const gp::Descriptor *type, QStringList &out)
{
    if (type->options().map_entry())
        return;
    out.append(QString::fromStdString(type->full_name()));
    for (int i = 0; i < type->nested_type_count(); ++i)
        collectTypes(type->nested_type(i), out);
}

bool hasTypedGroup(const DecodedNode &node)
{
    if (node.kind == Kind::Group && !node.unknown)
        return true;
    return std::any_of(node.children.cbegin(), node.children.cend(), hasTypedGroup);
}

DecodeResult rawFallback(QByteArrayView bytes, const QString &why)
{
    DecodeResult result;
    RawDecodeResult raw = decodeRaw(bytes);
    result.root = std::move(raw.root);
    result.rawError = raw.error;
    result.rawFallback = true;
    result.error = why;
    return result;
}

} // namespace

SchemaRegistry::SchemaRegistry(const QString &wellKnownTypesRoot)
    : m_impl(std::make_unique<Impl>(wellKnownTypesRoot))
{
}

SchemaRegistry::~SchemaRegistry() = default;

void SchemaRegistry::addImportPath(const QString &directory)
{
    const Impl::Recorder record(*m_impl, SchemaSource::Kind::ImportPath, QFileInfo(directory).absoluteFilePath());
    const QString absolute = QFileInfo(directory).absoluteFilePath();
    if (m_impl->m_roots.contains(absolute))
        return;
    m_impl->m_roots.append(absolute);
    m_impl->m_sourceTree.MapPath("", absolute.toStdString());
}

QList<SchemaError> SchemaRegistry::loadProtoFile(const QString &path)
{
    const Impl::Recorder record(*m_impl, SchemaSource::Kind::ProtoFile, path);
    const QFileInfo info(path);
    std::string virtualName = path.toStdString();
    std::string onDisk;
    // A relative name that an import root resolves is an import name ("a/b.proto"), even
    // if the working directory happens to hold a file of that name.
    const bool importName = info.isRelative() && m_impl->m_sourceTree.VirtualFileToDiskFile(virtualName, &onDisk);
    if (!importName && info.isFile()) {
        const std::string disk = info.absoluteFilePath().toStdString();
        std::string shadowing;
        auto mapped = m_impl->m_sourceTree.DiskFileToVirtualFile(disk, &virtualName, &shadowing);
        if (mapped == gp::compiler::DiskSourceTree::NO_MAPPING) {
            addImportPath(info.absolutePath());
            mapped = m_impl->m_sourceTree.DiskFileToVirtualFile(disk, &virtualName, &shadowing);
        }
        if (mapped == gp::compiler::DiskSourceTree::SHADOWED)
            return {SchemaError{path, 0, 0, QStringLiteral("shadowed by %1 in an earlier import path")
                                                .arg(QString::fromStdString(shadowing))}};
        if (mapped != gp::compiler::DiskSourceTree::SUCCESS)
            return {SchemaError{path, 0, 0, QStringLiteral("cannot be opened")}};
    }
    return m_impl->loadVirtual(virtualName);
}

QList<SchemaError> SchemaRegistry::loadProtoDirectory(const QString &directory)
{
    const Impl::Recorder record(*m_impl, SchemaSource::Kind::ProtoDirectory, directory);
    if (!QFileInfo(directory).isDir())
        return {SchemaError{directory, 0, 0, QStringLiteral("not a directory")}};
    addImportPath(directory);
    QStringList names;
    const QDir root(directory);
    QDirIterator it(directory, {QStringLiteral("*.proto")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        names.append(root.relativeFilePath(it.next()));
    names.sort();
    QList<SchemaError> errors;
    for (const QString &name : std::as_const(names))
        errors += loadProtoFile(QDir(directory).filePath(name));
    return errors;
}

QList<SchemaError> SchemaRegistry::loadDescriptorSet(const QString &path)
{
    const Impl::Recorder record(*m_impl, SchemaSource::Kind::DescriptorSet, path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {SchemaError{path, 0, 0, file.errorString()}};
    const QByteArray data = file.readAll();
    gp::FileDescriptorSet set;
    if (data.size() > INT_MAX || !set.ParseFromArray(data.constData(), int(data.size())))
        return {SchemaError{path, 0, 0, QStringLiteral("not a FileDescriptorSet (protoc -o)")}};

    QList<SchemaError> errors;
    for (const gp::FileDescriptorProto &proto : set.file()) {
        gp::FileDescriptorProto existing;
        if (m_impl->m_setDatabase.FindFileByName(proto.name(), &existing)) {
            if (existing.SerializeAsString() != proto.SerializeAsString())
                errors.append(SchemaError{QString::fromStdString(proto.name()), 0, 0,
                                          QStringLiteral("already loaded with different content")});
            continue;
        }
        // Not checked against the pool: asking it for a file it cannot find yet would
        // remember the file as bad. A file the pool already built stays as it was.
        m_impl->m_setDatabase.Add(proto);
    }
    for (const gp::FileDescriptorProto &proto : set.file())
        errors += m_impl->loadVirtual(proto.name());
    return errors;
}

QStringList SchemaRegistry::messageTypes() const
{
    QStringList types;
    for (const QString &name : std::as_const(m_impl->m_files)) {
        const gp::FileDescriptor *file = m_impl->m_pool.FindFileByName(name.toStdString());
        for (int i = 0; file && i < file->message_type_count(); ++i)
            collectTypes(file->message_type(i), types);
    }
    types.sort();
    types.removeDuplicates();
    return types;
}

QStringList SchemaRegistry::files() const
{
    return m_impl->m_files;
}

DecodeResult SchemaRegistry::decode(const QString &typeName, QByteArrayView bytes) const
{
    const gp::Descriptor *type = m_impl->findType(typeName);
    if (!type)
        return rawFallback(bytes, QStringLiteral("unknown message type %1").arg(typeName));
    if (bytes.size() > INT_MAX)
        return rawFallback(bytes, QStringLiteral("payload larger than 2 GiB"));

    DecodeResult result;
    result.root.typeName = typeName;
    result.root.kind = Kind::Message;
    result.root.length = bytes.size();
    qsizetype pos = 0;
    TypedWalker walker(bytes, *m_impl);
    const std::optional<RawDecodeError> walkError = walker.walk(type, pos, bytes.size(), 0, 0, result.root.children);

    // Hot path: the tree alone, when the JSON writer can reproduce the converter (fastjson.cpp).
    // Its conditions (proto3, ASCII text) also cover what parsing would check (UTF-8).
    if (!walkError && m_impl->m_fastJson) {
        std::string json;
        if (writeFastJson(type, result.root, bytes, json)) {
            result.json = QString::fromLatin1(json.data(), qsizetype(json.size()));
            return result;
        }
    }

    // The message lives only inside this call; the result holds plain values (R11).
    std::unique_ptr<gp::Message> message(m_impl->prototype(type)->New());
    if (!compat::parsePartialQuietly(message.get(), bytes.data(), int(bytes.size())))
        return rawFallback(bytes, QStringLiteral("bytes do not parse as %1").arg(typeName));
    if (walkError)
        return rawFallback(bytes, QStringLiteral("%1 at offset %2").arg(walkError->message).arg(walkError->offset));
    if (!message->IsInitialized()) {
        result.warnings.append(QStringLiteral("missing required fields: %1")
                                       .arg(QString::fromStdString(message->InitializationErrorString())));
    }
    if (hasTypedGroup(result.root))
        result.warnings.append(QStringLiteral("groups are left out of the JSON (protobuf 3.21)"));
    std::string json;
    QString jsonError;
    if (compat::messageToJson(*message, &json, &jsonError))
        result.json = QString::fromStdString(json);
    else
        result.warnings.append(QStringLiteral("no JSON: %1").arg(jsonError));
    return result;
}

void SchemaRegistry::setFastJsonEnabled(bool enabled)
{
    m_impl->m_fastJson = enabled;
}

EncodeResult SchemaRegistry::encodeJson(const QString &typeName, const QString &json) const
{
    EncodeResult result;
    const gp::Descriptor *type = m_impl->findType(typeName);
    if (!type) {
        result.error = QStringLiteral("unknown message type %1").arg(typeName);
        return result;
    }
    std::unique_ptr<gp::Message> message(m_impl->prototype(type)->New());
    if (!compat::jsonToMessage(json.toStdString(), message.get(), &result.error))
        return result;
    if (!message->IsInitialized()) {
        result.warnings.append(QStringLiteral("missing required fields: %1")
                                       .arg(QString::fromStdString(message->InitializationErrorString())));
    }
    std::string bytes;
    if (!message->SerializePartialToString(&bytes)) {
        result.error = QStringLiteral("cannot serialize %1").arg(typeName);
        return result;
    }
    result.bytes = QByteArray(bytes.data(), qsizetype(bytes.size()));
    return result;
}

} // namespace hermes::schema
