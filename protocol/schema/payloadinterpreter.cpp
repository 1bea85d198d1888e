#include "payloadinterpreter.h"
#include "sparkplug.h"

#include "mqtt/topic.h"
#include "push/envelope.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace hermes::schema {

namespace {

using Kind = DecodedNode::Kind;

constexpr QLatin1StringView kEnvelopeType{"hermes.push.v1.Envelope"};
constexpr QLatin1StringView kReceiptType{"hermes.push.v1.Receipt"};

constexpr int kEnvelopePayloadField = 7; // Envelope.payload (push/envelope.proto)

bool isProtobufMediaType(QStringView mediaType)
{
    return mediaType == u"application/x-protobuf" || mediaType == u"application/protobuf"
            || mediaType == u"application/vnd.google.protobuf" || mediaType == u"application/x-google-protobuf"
            || mediaType.endsWith(u"+protobuf") || mediaType.endsWith(u"+proto");
}

bool isJsonMediaType(QStringView mediaType)
{
    return mediaType == u"application/json" || mediaType == u"text/json" || mediaType.endsWith(u"+json");
}

bool isTextMediaType(QStringView mediaType)
{
    return mediaType.startsWith(u"text/") || mediaType == u"application/xml" || mediaType.endsWith(u"+xml")
            || mediaType == u"application/yaml" || mediaType == u"application/x-yaml"
            || mediaType == u"application/javascript";
}

void shift(DecodedNode &node, qsizetype delta)
{
    node.offset += delta;
    node.valueOffset += delta;
    for (DecodedNode &child : node.children)
        shift(child, delta);
}

bool hasUnknownField(const DecodedNode &root)
{
    return std::any_of(root.children.cbegin(), root.children.cend(), [](const DecodedNode &n) { return n.unknown; });
}

/// The whole payload as one String node, JSON kept when it parses.
DecodeResult textResult(QByteArrayView bytes, bool expectJson, QStringList &notes, QString *text)
{
    DecodeResult result;
    *text = QString::fromUtf8(bytes);
    result.root.kind = Kind::String;
    result.root.typeName = expectJson ? QStringLiteral("json") : QStringLiteral("text");
    result.root.value = *text;
    result.root.text = *text;
    result.root.length = bytes.size();
    QJsonParseError error;
    const QJsonDocument json = QJsonDocument::fromJson(bytes.toByteArray(), &error);
    if (error.error == QJsonParseError::NoError) {
        result.json = *text;
    } else if (expectJson) {
        notes.append(QStringLiteral("content type says JSON, but it does not parse: %1 at offset %2")
                             .arg(error.errorString())
                             .arg(error.offset));
    }
    return result;
}

DecodeResult rawResult(QByteArrayView bytes)
{
    RawDecodeResult raw = decodeRaw(bytes);
    DecodeResult result;
    result.root = std::move(raw.root);
    result.rawError = raw.error;
    result.rawFallback = true;
    return result;
}

/// Rules 5 and 6 for bytes with no (usable) type: text when they are printable UTF-8 that
/// is not clean protobuf, the wire format otherwise.
Interpretation guessUntyped(QByteArrayView bytes, DecodeResult &decoded, QString *text, QStringList &notes)
{
    decoded = rawResult(bytes);
    if (!bytes.isEmpty() && decoded.rawError && isPrintableUtf8(bytes)) {
        decoded = textResult(bytes, false, notes, text);
        return Interpretation::Text;
    }
    return Interpretation::Raw;
}

/// Reads bytes by a content type (rules 2, 5, 6; the inner payload of an envelope).
Interpretation readByContentType(const SchemaRegistry &registry, const ContentType &type, QByteArrayView bytes,
                                 DecodeResult &decoded, QString *messageType, QString *text, QStringList &notes)
{
    switch (type.format) {
    case ContentType::Format::Envelope:
        *messageType = kEnvelopeType;
        decoded = registry.decode(kEnvelopeType, bytes);
        return Interpretation::Typed;
    case ContentType::Format::Protobuf:
        if (type.messageType.isEmpty()) {
            notes.append(QStringLiteral("content type %1 names no messageType: shown raw").arg(type.mediaType));
            decoded = rawResult(bytes);
            return Interpretation::Raw;
        }
        *messageType = type.messageType;
        decoded = registry.decode(type.messageType, bytes);
        if (!decoded.ok())
            notes.append(decoded.error);
        return Interpretation::Typed;
    case ContentType::Format::Json:
    case ContentType::Format::Text:
        decoded = textResult(bytes, type.format == ContentType::Format::Json, notes, text);
        return Interpretation::Text;
    case ContentType::Format::Binary:
        decoded = rawResult(bytes);
        return Interpretation::Raw;
    case ContentType::Format::Unspecified:
        break;
    }
    return guessUntyped(bytes, decoded, text, notes);
}

/// Rule 1. Returns false (leaving `out` alone apart from notes) when the bytes are not an
/// envelope, or not a plausible one when nothing but the topic suggested it.
bool readEnvelope(const SchemaRegistry &registry, QStringView topic, QByteArrayView payload, bool declared,
                  InterpretedPayload &out)
{
    DecodeResult decoded = registry.decode(kEnvelopeType, payload);
    const push::EnvelopeResult parsed = push::PushEnvelope::fromBytes(payload);
    const auto *envelope = std::get_if<push::PushEnvelope>(&parsed);
    if (declared) {
        if (!decoded.ok() || !envelope) {
            out.notes.append(QStringLiteral("content type says push envelope, but the bytes are not one: %1")
                                     .arg(envelope ? decoded.error : std::get<push::PushDecodeError>(parsed).detail));
            return false;
        }
    } else {
        // On devices/{id}/push without a content type almost any bytes parse as some
        // envelope (unknown fields are skipped); ask for one that looks meant.
        const bool plausible = decoded.ok() && envelope && !hasUnknownField(decoded.root)
                && (!envelope->pushId.isEmpty() || !envelope->deviceId.isEmpty());
        if (!plausible)
            return false;
    }

    out.interpretation = Interpretation::Envelope;
    out.messageType = kEnvelopeType;
    const QStringView topicDevice = topic.split(u'/').value(1);
    if (!envelope->deviceId.isEmpty() && topic.startsWith(u"devices/") && envelope->deviceId != topicDevice)
        out.notes.append(QStringLiteral("envelope is addressed to %1 but was published for %2")
                                 .arg(envelope->deviceId, topicDevice.toString()));

    InnerPayload inner;
    DecodedNode *payloadNode = nullptr;
    for (DecodedNode &field : decoded.root.children) {
        if (field.number == kEnvelopePayloadField && !field.unknown)
            payloadNode = &field; // the last one wins, as when parsing
    }
    inner.offset = payloadNode ? payloadNode->valueOffset : payload.size();
    inner.length = payloadNode ? payloadNode->offset + payloadNode->length - payloadNode->valueOffset : 0;
    inner.contentType = parseContentType(envelope->contentType);
    const QByteArrayView innerBytes = payload.sliced(inner.offset, inner.length);
    QString innerType; // the inner decode names its type in decoded.root.typeName
    QStringList innerNotes;
    inner.interpretation = readByContentType(registry, inner.contentType, innerBytes, inner.decoded, &innerType,
                                             &inner.text, innerNotes);
    for (const QString &note : std::as_const(innerNotes))
        out.notes.append(QStringLiteral("inner payload: ") + note);
    shift(inner.decoded.root, inner.offset);
    if (payloadNode && inner.interpretation != Interpretation::Text)
        payloadNode->children = inner.decoded.root.children;
    out.decoded = std::move(decoded);
    out.inner = std::move(inner);
    return true;
}

} // namespace

ContentType parseContentType(QStringView contentType)
{
    ContentType result;
    const QList<QStringView> parts = contentType.split(u';');
    result.mediaType = parts.value(0).trimmed().toString().toLower();
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QStringView parameter = parts[i].trimmed();
        const qsizetype equals = parameter.indexOf(u'=');
        if (equals <= 0)
            continue;
        const QString name = parameter.first(equals).trimmed().toString().toLower();
        QStringView value = parameter.sliced(equals + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(u'"') && value.endsWith(u'"'))
            value = value.sliced(1, value.size() - 2);
        if (name == u"messagetype" || name == u"proto")
            result.messageType = value.toString();
    }
    if (result.mediaType.isEmpty())
        result.format = ContentType::Format::Unspecified;
    else if (result.mediaType.compare(push::EnvelopeContentType, Qt::CaseInsensitive) == 0)
        result.format = ContentType::Format::Envelope;
    else if (isProtobufMediaType(result.mediaType) || !result.messageType.isEmpty())
        result.format = ContentType::Format::Protobuf;
    else if (isJsonMediaType(result.mediaType))
        result.format = ContentType::Format::Json;
    else if (isTextMediaType(result.mediaType))
        result.format = ContentType::Format::Text;
    else
        result.format = ContentType::Format::Binary;
    return result;
}

QString protobufContentType(const QString &messageType)
{
    return QStringLiteral("application/x-protobuf; messageType=") + messageType;
}

QString interpretationName(Interpretation interpretation)
{
    switch (interpretation) {
    case Interpretation::Envelope:
        return QStringLiteral("envelope");
    case Interpretation::Receipt:
        return QStringLiteral("receipt");
    case Interpretation::Typed:
        return QStringLiteral("typed");
    case Interpretation::Bound:
        return QStringLiteral("bound");
    case Interpretation::Text:
        return QStringLiteral("text");
    case Interpretation::Raw:
        break;
    }
    return QStringLiteral("raw");
}

InterpretedPayload interpretPayload(const SchemaRegistry &registry, const TopicBindings &bindings,
                                    QStringView topic, QByteArrayView payload, QStringView contentType)
{
    InterpretedPayload out;
    const ContentType type = parseContentType(contentType);
    const bool validTopic = mqtt::isValidTopicName(topic);

    // Rule 1: the envelope, declared or recognised on its topic.
    const bool pushTopic = validTopic && mqtt::topicMatches(u"devices/+/push", topic);
    if (type.format == ContentType::Format::Envelope
        || (type.format == ContentType::Format::Unspecified && pushTopic)) {
        if (readEnvelope(registry, topic, payload, type.format == ContentType::Format::Envelope, out))
            return out;
    }

    // Rule 2: the content type names the message type.
    if (type.format == ContentType::Format::Protobuf && !type.messageType.isEmpty()) {
        out.decoded = registry.decode(type.messageType, payload);
        if (out.decoded.ok()) {
            out.interpretation = Interpretation::Typed;
            out.messageType = type.messageType;
            return out;
        }
        out.notes.append(QStringLiteral("content type names %1: %2").arg(type.messageType, out.decoded.error));
    }

    // Rule 3: the most specific topic binding. Sparkplug's STATE messages are JSON under the
    // namespace its payload type is bound to: they are read as text.
    std::optional<TopicBinding> binding = validTopic ? bindings.resolve(topic) : std::nullopt;
    if (binding && binding->messageType == sparkplug::PayloadType && sparkplug::isStateTopic(topic))
        binding.reset();
    if (binding) {
        out.boundFilter = binding->filter;
        DecodeResult decoded = registry.decode(binding->messageType, payload);
        if (decoded.ok()) {
            out.interpretation = Interpretation::Bound;
            out.messageType = binding->messageType;
            out.decoded = std::move(decoded);
            return out;
        }
        out.notes.append(QStringLiteral("bound to %1 by %2: %3").arg(binding->messageType, binding->filter, decoded.error));
    }

    // Rule 4: a device's receipt.
    if (type.format == ContentType::Format::Unspecified && validTopic
        && mqtt::topicMatches(u"devices/+/receipt", topic)) {
        DecodeResult decoded = registry.decode(kReceiptType, payload);
        if (decoded.ok() && !hasUnknownField(decoded.root)
            && std::holds_alternative<push::PushReceipt>(push::PushReceipt::fromBytes(payload))) {
            out.interpretation = Interpretation::Receipt;
            out.messageType = kReceiptType;
            out.decoded = std::move(decoded);
            return out;
        }
    }

    // Rules 5 and 6. A protobuf content type naming a type that failed shows raw.
    ContentType rest = type;
    if (rest.format == ContentType::Format::Envelope || !rest.messageType.isEmpty())
        rest = ContentType{ContentType::Format::Binary, rest.mediaType, {}};
    QString unusedType;
    out.interpretation = readByContentType(registry, rest, payload, out.decoded, &unusedType, &out.text, out.notes);
    return out;
}

} // namespace hermes::schema
