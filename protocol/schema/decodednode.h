#pragma once
/// A decoded protobuf payload as a plain value tree: what the UI and the command line show.
/// It owns no protobuf object, so it may outlive the SchemaRegistry that produced it (R11).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariant>

namespace hermes::schema {

/// One field (or the whole message, at the root) of a decoded payload.
struct DecodedNode {
    enum class Kind : quint8 {
        Message,  ///< a message: the root, a message field, or a guessed nested message
        Group,    ///< a proto2 group (wire types 3 and 4)
        Packed,   ///< a packed repeated scalar field; children are the elements
        Varint,   ///< untyped wire type 0; value is quint64
        Fixed64,  ///< untyped wire type 1; value is quint64
        Fixed32,  ///< untyped wire type 5; value is quint32
        Integer,  ///< int32/int64/sint*/sfixed*; value is qint64
        Unsigned, ///< uint32/uint64/fixed*; value is quint64
        Bool,     ///< value is bool
        Float,    ///< value is float
        Double,   ///< value is double
        Enum,     ///< value is the number (int); text is the value name when known
        String,   ///< value is QString
        Bytes,    ///< value is QByteArray
    };

    QString name;            ///< field name, or the field number for untyped fields
    int number = 0;          ///< field number; 0 at the root and for packed elements
    QString typeName;        ///< ".proto" type ("sint32", "hermes.test.Reading") or wire type ("varint")
    Kind kind = Kind::Message;
    QVariant value;          ///< scalar value (see Kind); invalid for messages and groups
    QString text;            ///< value as shown to a person (enum name, escaped bytes...)
    qsizetype offset = 0;    ///< first byte of the field (its tag) in the payload
    qsizetype length = 0;    ///< bytes of the field: tag, length prefix and value
    qsizetype valueOffset = 0; ///< first byte of the value (after tag and length prefix)
    QList<DecodedNode> children;
    bool unknown = false;    ///< not in the schema (or wrong wire type for it): kept, not dropped

    bool operator==(const DecodedNode &) const = default;
};

/// Indented one-line-per-node dump ("3 readings hermes.test.Reading [4+12] {"), for logs and
/// test failure messages.
QString describe(const DecodedNode &node, int indent = 0);

} // namespace hermes::schema
