#pragma once
/// A message type described as plain values, for generating forms (the push composer's
/// message form) and for help texts. No protobuf type appears here (STYLE.md R11): a shape
/// outlives the SchemaRegistry that described it.
///
/// Nested message types are referred to by full name only (FieldShape::messageType); ask
/// SchemaRegistry::describe() for them when the form expands that field. Recursive types
/// (a Node with repeated Node children) therefore describe in finite time.

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace hermes::schema {

/// What a field holds. The scalar kinds are protobuf's .proto types; Map is a map<K, V>
/// field (see FieldShape::mapKey and mapValue).
enum class FieldKind : quint8 {
    Double,
    Float,
    Int32,
    Int64,
    UInt32,
    UInt64,
    SInt32,
    SInt64,
    Fixed32,
    Fixed64,
    SFixed32,
    SFixed64,
    Bool,
    String,
    Bytes,   ///< canonical JSON carries these as base64
    Enum,    ///< see FieldShape::enumValues
    Message, ///< see FieldShape::messageType
    Group,   ///< proto2 group: a message field with another wire encoding
    Map,     ///< see FieldShape::mapKey / mapValue
};

/// The .proto spelling of a kind: "int32", "bytes", "enum", "message", "group", "map".
QString kindName(FieldKind kind);

/// True for the kinds whose canonical JSON is a string holding a number (int64 family).
bool isJsonStringNumber(FieldKind kind);

/// Messages with their own canonical JSON form (proto3 JSON mapping), so a form can offer a
/// date, a duration or free JSON instead of their fields.
enum class WellKnownType : quint8 {
    None,
    Timestamp,   ///< JSON "2024-01-01T00:00:00Z"
    Duration,    ///< JSON "1.500s"
    Any,         ///< JSON object with "@type"
    Struct,      ///< any JSON object
    Value,       ///< any JSON value
    ListValue,   ///< any JSON array
    FieldMask,   ///< JSON "a.b,c"
    Empty,       ///< JSON {}
    Wrapper,     ///< DoubleValue, Int32Value, StringValue...: JSON is the bare value
};

/// One named value of an enum.
struct EnumValueShape {
    QString name;
    int number = 0;
    bool operator==(const EnumValueShape &) const = default;
};

/// One field of a message.
struct FieldShape {
    QString name;     ///< as declared ("device_id")
    QString jsonName; ///< canonical JSON key ("deviceId")
    int number = 0;
    FieldKind kind = FieldKind::Int32;
    bool repeated = false; ///< repeated scalar/message; false for maps (kind Map says it)
    bool required = false; ///< proto2 required
    bool hasPresence = false; ///< set vs. not set is visible (messages, oneof members, `optional`)
    bool packed = false;   ///< repeated scalars written packed
    QString oneof;         ///< the real oneof it belongs to; empty when none (proto3 `optional` is none)

    /// For Enum (and for Map whose value is an enum): the enum's full name and values in
    /// declaration order.
    QString enumType;
    QList<EnumValueShape> enumValues;
    /// For Message and Group (and Map whose value is a message): the full type name.
    QString messageType;
    /// For Map: the key kind (an integer kind, Bool or String) and the value kind.
    FieldKind mapKey = FieldKind::String;
    FieldKind mapValue = FieldKind::String;

    /// Value when not set: proto2 explicit default or the type's zero (0, false, "", the
    /// first enum value's name as a QString, an empty QByteArray). Invalid for Message,
    /// Group and Map; repeated fields have the element's default.
    QVariant defaultValue;
    bool explicitDefault = false; ///< proto2 `[default = ...]` given

    bool operator==(const FieldShape &) const = default;
};

/// A message type: its fields in declaration order.
struct MessageShape {
    QString fullName; ///< "hermes.test.Telemetry"
    QString name;     ///< "Telemetry"
    QString file;     ///< the .proto it is declared in, as imports spell it
    QList<FieldShape> fields;
    QStringList oneofs; ///< real oneofs in declaration order (proto3 `optional` excluded)
    WellKnownType wellKnown = WellKnownType::None;
    bool proto3 = true;

    /// The field with this name or JSON name, or nullptr.
    const FieldShape *field(const QString &nameOrJsonName) const;

    bool operator==(const MessageShape &) const = default;
};

} // namespace hermes::schema
