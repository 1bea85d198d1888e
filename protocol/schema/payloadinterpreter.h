#pragma once
/// What a payload seen on a topic is, decoded as far as Hermes can: a push envelope (with its
/// inner payload decoded by the envelope's content type), a message of the type a content
/// type or a topic binding names, text, or the raw wire format. This is the one decision the
/// console's payload inspector shows (docs/PUSH.md "Reading payloads in the console").

#include "schemaregistry.h"
#include "topicbindings.h"

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <optional>

namespace hermes::schema {

/// How a content type says its bytes are to be read.
struct ContentType {
    enum class Format : quint8 {
        Unspecified, ///< empty content type
        Envelope,    ///< hermes::push::EnvelopeContentType
        Protobuf,    ///< application/x-protobuf, application/protobuf, application/vnd.google.protobuf,
                     ///< application/octet-stream with a message type
        Json,        ///< application/json, anything +json
        Text,        ///< text/*, and application/xml, application/yaml...
        Binary,      ///< anything else (image/png, application/octet-stream...)
    };
    Format format = Format::Unspecified;
    QString mediaType;   ///< lowercase, without parameters: "application/x-protobuf"
    QString messageType; ///< `messageType=` (or `proto=`) parameter, quotes removed
};

/// Parses a media type with parameters ("application/x-protobuf; messageType=pkg.Name").
/// Type, subtype and parameter names are case-insensitive; values keep their case.
ContentType parseContentType(QStringView contentType);

/// The content type that marks protobuf bytes of `messageType` (the convention above).
QString protobufContentType(const QString &messageType);

/// How the bytes were read.
enum class Interpretation : quint8 {
    Envelope, ///< a hermes.push.v1.Envelope; `inner` holds its payload
    Receipt,  ///< a hermes.push.v1.Receipt on devices/{id}/receipt
    Typed,    ///< the message type named by the content type
    Bound,    ///< the message type of the most specific topic binding
    Text,     ///< JSON or text (content type, or bytes that are printable UTF-8 and not protobuf)
    Raw,      ///< the wire format field by field (decodeRaw)
};

/// "envelope", "receipt", "typed", "bound", "text", "raw".
QString interpretationName(Interpretation interpretation);

/// An envelope's inner payload.
struct InnerPayload {
    ContentType contentType;
    Interpretation interpretation = Interpretation::Raw; ///< Typed, Text or Raw
    qsizetype offset = 0; ///< where the payload bytes start in the outer payload
    qsizetype length = 0;
    /// Typed or raw tree with offsets in the OUTER payload (so a hex view of the whole
    /// message highlights the right bytes); for Text, `json` holds the text when it is JSON.
    DecodeResult decoded;
    QString text; ///< the payload as UTF-8 text (Text interpretation only)
};

/// A payload read as far as possible. `decoded.root` always covers the whole payload; for an
/// envelope its `payload` field node additionally has the inner tree's fields as children.
struct InterpretedPayload {
    Interpretation interpretation = Interpretation::Raw;
    QString messageType;  ///< the type `decoded` was decoded with; empty for Text and Raw
    QString boundFilter;  ///< the winning binding's filter (Bound, or a Bound attempt that failed)
    DecodeResult decoded; ///< the outer tree and JSON; rawFallback when typed decoding failed
    QString text;         ///< the payload as text (Text only)
    std::optional<InnerPayload> inner; ///< Envelope only
    QStringList notes;    ///< why a likelier reading was not taken, shown to the operator
};

/// Reads `payload` published on `topic` with the MQTT 5 content type `contentType` (empty
/// when absent or MQTT 3.x). First rule that applies wins:
///  1. content type is EnvelopeContentType, or it is empty, the topic is devices/{id}/push
///     and the bytes are a plausible envelope (parse, no unknown fields, an id set):
///     Envelope; the inner payload is read by the envelope's content_type like this list
///     from rule 2 on (a protobuf content type without messageType is read raw);
///  2. content type names a message type (messageType= / proto=): Typed;
///  3. a topic binding matches: Bound (on failure the raw tree, and a note);
///  4. devices/{id}/receipt with no content type: Receipt when the bytes parse as one;
///  5. content type is JSON or text, or the bytes are printable UTF-8 that do not decode
///     cleanly as protobuf: Text;
///  6. otherwise Raw.
/// hermes.push.v1 types are always known to `registry` (compiled in). Never fails, never
/// crashes.
InterpretedPayload interpretPayload(const SchemaRegistry &registry, const TopicBindings &bindings,
                                    QStringView topic, QByteArrayView payload,
                                    QStringView contentType = {});

} // namespace hermes::schema
