#include "codec_p.h"
#include "topic.h"

namespace hermes::mqtt::detail {

namespace {

enum class PropertyType : quint8 { Byte, TwoByte, FourByte, Varint, String, Binary, StringPair };

struct PropertyInfo
{
    PropertyType type = PropertyType::Byte;
    quint16 contexts = 0; ///< 0: unknown identifier
    const char *name = "";
};

// Table 2-4 of MQTT 5.0: type and the packets each property may appear in.
constexpr PropertyInfo propertyInfo(quint32 id)
{
    using T = PropertyType;
    switch (id) {
    case 0x01:
        return {T::Byte, InPublish | InWill, "Payload Format Indicator"};
    case 0x02:
        return {T::FourByte, InPublish | InWill, "Message Expiry Interval"};
    case 0x03:
        return {T::String, InPublish | InWill, "Content Type"};
    case 0x08:
        return {T::String, InPublish | InWill, "Response Topic"};
    case 0x09:
        return {T::Binary, InPublish | InWill, "Correlation Data"};
    case 0x0B:
        return {T::Varint, InPublish | InSubscribe, "Subscription Identifier"};
    case 0x11:
        return {T::FourByte, InConnect | InConnack | InDisconnect, "Session Expiry Interval"};
    case 0x12:
        return {T::String, InConnack, "Assigned Client Identifier"};
    case 0x13:
        return {T::TwoByte, InConnack, "Server Keep Alive"};
    case 0x15:
        return {T::String, InConnect | InConnack | InAuth, "Authentication Method"};
    case 0x16:
        return {T::Binary, InConnect | InConnack | InAuth, "Authentication Data"};
    case 0x17:
        return {T::Byte, InConnect, "Request Problem Information"};
    case 0x18:
        return {T::FourByte, InWill, "Will Delay Interval"};
    case 0x19:
        return {T::Byte, InConnect, "Request Response Information"};
    case 0x1A:
        return {T::String, InConnack, "Response Information"};
    case 0x1C:
        return {T::String, InConnack | InDisconnect, "Server Reference"};
    case 0x1F:
        return {T::String,
                InConnack | InPubAck | InSuback | InUnsuback | InDisconnect | InAuth,
                "Reason String"};
    case 0x21:
        return {T::TwoByte, InConnect | InConnack, "Receive Maximum"};
    case 0x22:
        return {T::TwoByte, InConnect | InConnack, "Topic Alias Maximum"};
    case 0x23:
        return {T::TwoByte, InPublish, "Topic Alias"};
    case 0x24:
        return {T::Byte, InConnack, "Maximum QoS"};
    case 0x25:
        return {T::Byte, InConnack, "Retain Available"};
    case 0x26:
        return {T::StringPair, InAll, "User Property"};
    case 0x27:
        return {T::FourByte, InConnect | InConnack, "Maximum Packet Size"};
    case 0x28:
        return {T::Byte, InConnack, "Wildcard Subscription Available"};
    case 0x29:
        return {T::Byte, InConnack, "Subscription Identifier Available"};
    case 0x2A:
        return {T::Byte, InConnack, "Shared Subscription Available"};
    }
    return {};
}

Failure mustBeBoolean(quint32 value, const PropertyInfo &info)
{
    if (value <= 1)
        return {};
    return violation("", QStringLiteral("%1 has value %2, only 0 or 1 are allowed")
                                 .arg(QLatin1String(info.name))
                                 .arg(value));
}

Failure mustBeNonZero(quint32 value, const PropertyInfo &info)
{
    if (value != 0)
        return {};
    return violation("", QStringLiteral("%1 is 0").arg(QLatin1String(info.name)));
}

// Properties in ascending identifier order, repeated ones in their list order, so the
// same value always gives the same bytes.
template<typename Out>
void putPropertyList(Out &out, const Properties &p)
{
    const auto byte = [&out](PropertyId id, const std::optional<quint8> &v) {
        if (v) {
            out.u8(quint8(id));
            out.u8(*v);
        }
    };
    const auto two = [&out](PropertyId id, const std::optional<quint16> &v) {
        if (v) {
            out.u8(quint8(id));
            out.u16(*v);
        }
    };
    const auto four = [&out](PropertyId id, const std::optional<quint32> &v) {
        if (v) {
            out.u8(quint8(id));
            out.u32(*v);
        }
    };
    const auto string = [&out](PropertyId id, const std::optional<QString> &v) {
        if (v) {
            out.u8(quint8(id));
            out.string(*v);
        }
    };
    const auto binary = [&out](PropertyId id, const std::optional<QByteArray> &v) {
        if (v) {
            out.u8(quint8(id));
            out.binary(*v);
        }
    };
    byte(PropertyId::PayloadFormatIndicator, p.payloadFormatIndicator);
    four(PropertyId::MessageExpiryInterval, p.messageExpiryInterval);
    string(PropertyId::ContentType, p.contentType);
    string(PropertyId::ResponseTopic, p.responseTopic);
    binary(PropertyId::CorrelationData, p.correlationData);
    for (quint32 id : p.subscriptionIdentifiers) {
        out.u8(quint8(PropertyId::SubscriptionIdentifier));
        out.varint(id);
    }
    four(PropertyId::SessionExpiryInterval, p.sessionExpiryInterval);
    string(PropertyId::AssignedClientIdentifier, p.assignedClientIdentifier);
    two(PropertyId::ServerKeepAlive, p.serverKeepAlive);
    string(PropertyId::AuthenticationMethod, p.authenticationMethod);
    binary(PropertyId::AuthenticationData, p.authenticationData);
    byte(PropertyId::RequestProblemInformation, p.requestProblemInformation);
    four(PropertyId::WillDelayInterval, p.willDelayInterval);
    byte(PropertyId::RequestResponseInformation, p.requestResponseInformation);
    string(PropertyId::ResponseInformation, p.responseInformation);
    string(PropertyId::ServerReference, p.serverReference);
    string(PropertyId::ReasonString, p.reasonString);
    two(PropertyId::ReceiveMaximum, p.receiveMaximum);
    two(PropertyId::TopicAliasMaximum, p.topicAliasMaximum);
    two(PropertyId::TopicAlias, p.topicAlias);
    byte(PropertyId::MaximumQoS, p.maximumQoS);
    byte(PropertyId::RetainAvailable, p.retainAvailable);
    for (const UserProperty &user : p.userProperties) {
        out.u8(quint8(PropertyId::UserProperty));
        out.string(user.first);
        out.string(user.second);
    }
    four(PropertyId::MaximumPacketSize, p.maximumPacketSize);
    byte(PropertyId::WildcardSubscriptionAvailable, p.wildcardSubscriptionAvailable);
    byte(PropertyId::SubscriptionIdentifierAvailable, p.subscriptionIdentifierAvailable);
    byte(PropertyId::SharedSubscriptionAvailable, p.sharedSubscriptionAvailable);
}

} // namespace

Failure readProperties(Reader &in, Properties &out, quint16 context, const char *where)
{
    quint32 length = 0;
    if (auto failure = varintFailure(in.varint(length), "property length"))
        return failure;
    QByteArrayView block;
    if (!in.take(length, block))
        return malformed("", QStringLiteral("%1 property length %2 exceeds the %3 bytes left")
                                     .arg(QLatin1String(where))
                                     .arg(length)
                                     .arg(in.remaining()));
    Reader r(block);
    quint64 seen = 0;
    while (!r.atEnd()) {
        quint32 id = 0;
        if (auto failure = varintFailure(r.varint(id), "property identifier"))
            return failure;
        const PropertyInfo info = propertyInfo(id);
        // 2.2.2.2: "A Control Packet which contains an Identifier which is not valid for its
        // packet type ... is a Malformed Packet" (0x81), unlike a repeated property (0x82).
        if (info.contexts == 0)
            return malformed("", QStringLiteral("unknown property identifier %1 in %2")
                                         .arg(hex(id), QLatin1String(where)));
        if (!(info.contexts & context))
            return malformed("", QStringLiteral("%1 (%2) is not allowed in %3")
                                         .arg(QLatin1String(info.name), hex(id),
                                              QLatin1String(where)));
        // Only User Property repeats freely; Subscription Identifier repeats in PUBLISH
        // only (3.3.2.3.8), once at most in SUBSCRIBE (3.8.2.1.2).
        const bool repeatable = id == quint8(PropertyId::UserProperty)
                || (id == quint8(PropertyId::SubscriptionIdentifier) && context == InPublish);
        if (!repeatable && (seen & (quint64(1) << id)))
            return violation("", QStringLiteral("%1 appears more than once in %2")
                                         .arg(QLatin1String(info.name), QLatin1String(where)));
        seen |= quint64(1) << id;

        quint32 number = 0;
        QString text;
        QString value;
        QByteArrayView binary;
        switch (info.type) {
        case PropertyType::Byte: {
            quint8 v = 0;
            if (!r.u8(v))
                return truncated(info.name);
            number = v;
            break;
        }
        case PropertyType::TwoByte: {
            quint16 v = 0;
            if (!r.u16(v))
                return truncated(info.name);
            number = v;
            break;
        }
        case PropertyType::FourByte:
            if (!r.u32(number))
                return truncated(info.name);
            break;
        case PropertyType::Varint:
            if (auto failure = varintFailure(r.varint(number), info.name))
                return failure;
            break;
        case PropertyType::String:
            if (auto failure = readString(r, text, info.name, true))
                return failure;
            break;
        case PropertyType::Binary:
            if (!r.lengthPrefixed(binary))
                return truncated(info.name);
            break;
        case PropertyType::StringPair:
            if (auto failure = readString(r, text, "User Property name", true))
                return failure;
            if (auto failure = readString(r, value, "User Property value", true))
                return failure;
            break;
        }

        switch (PropertyId(id)) {
        case PropertyId::PayloadFormatIndicator:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.payloadFormatIndicator = quint8(number);
            break;
        case PropertyId::MessageExpiryInterval:
            out.messageExpiryInterval = number;
            break;
        case PropertyId::ContentType:
            out.contentType = text;
            break;
        case PropertyId::ResponseTopic:
            // [MQTT-3.3.2-14] The Response Topic is a Topic Name: no wildcards, not empty.
            if (!isValidTopicName(text))
                return violation("MQTT-3.3.2-14",
                                 QStringLiteral("Response Topic \"%1\" is not a valid topic name")
                                         .arg(text));
            out.responseTopic = text;
            break;
        case PropertyId::CorrelationData:
            out.correlationData = binary.toByteArray();
            break;
        case PropertyId::SubscriptionIdentifier:
            // 3.3.2.3.8: 1 to 268,435,455; 0 is a Protocol Error.
            if (auto failure = mustBeNonZero(number, info))
                return failure;
            out.subscriptionIdentifiers.append(number);
            break;
        case PropertyId::SessionExpiryInterval:
            out.sessionExpiryInterval = number;
            break;
        case PropertyId::AssignedClientIdentifier:
            out.assignedClientIdentifier = text;
            break;
        case PropertyId::ServerKeepAlive:
            out.serverKeepAlive = quint16(number);
            break;
        case PropertyId::AuthenticationMethod:
            out.authenticationMethod = text;
            break;
        case PropertyId::AuthenticationData:
            out.authenticationData = binary.toByteArray();
            break;
        case PropertyId::RequestProblemInformation:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.requestProblemInformation = quint8(number);
            break;
        case PropertyId::WillDelayInterval:
            out.willDelayInterval = number;
            break;
        case PropertyId::RequestResponseInformation:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.requestResponseInformation = quint8(number);
            break;
        case PropertyId::ResponseInformation:
            out.responseInformation = text;
            break;
        case PropertyId::ServerReference:
            out.serverReference = text;
            break;
        case PropertyId::ReasonString:
            out.reasonString = text;
            break;
        case PropertyId::ReceiveMaximum:
            // 3.1.2.11.3 / 3.2.2.3.3: a Receive Maximum of 0 is a Protocol Error.
            if (auto failure = mustBeNonZero(number, info))
                return failure;
            out.receiveMaximum = quint16(number);
            break;
        case PropertyId::TopicAliasMaximum:
            out.topicAliasMaximum = quint16(number);
            break;
        case PropertyId::TopicAlias:
            // [MQTT-3.3.2-8] A Topic Alias of 0 is not permitted; the receiver answers with
            // DISCONNECT 0x94 (Topic Alias invalid), hence TopicAliasInvalid (codec.h).
            if (number == 0)
                return makeError(ProtocolError::TopicAliasInvalid, "MQTT-3.3.2-8",
                                 QStringLiteral("Topic Alias is 0"));
            out.topicAlias = quint16(number);
            break;
        case PropertyId::MaximumQoS:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.maximumQoS = quint8(number);
            break;
        case PropertyId::RetainAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.retainAvailable = quint8(number);
            break;
        case PropertyId::UserProperty:
            out.userProperties.append({text, value});
            break;
        case PropertyId::MaximumPacketSize:
            // 3.1.2.11.4 / 3.2.2.3.6: a Maximum Packet Size of 0 is a Protocol Error.
            if (auto failure = mustBeNonZero(number, info))
                return failure;
            out.maximumPacketSize = number;
            break;
        case PropertyId::WildcardSubscriptionAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.wildcardSubscriptionAvailable = quint8(number);
            break;
        case PropertyId::SubscriptionIdentifierAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.subscriptionIdentifierAvailable = quint8(number);
            break;
        case PropertyId::SharedSubscriptionAvailable:
            if (auto failure = mustBeBoolean(number, info))
                return failure;
            out.sharedSubscriptionAvailable = quint8(number);
            break;
        }
    }
    return {};
}

quint32 propertiesSize(const Properties &p)
{
    SizeCounter counter;
    putPropertyList(counter, p);
    return quint32(counter.size());
}

void putProperties(SizeCounter &out, const Properties &p)
{
    const quint32 length = out.nextPropertyLength(propertiesSize(p));
    out.varint(length);
    out.skip(length);
}

void putProperties(BufferWriter &out, const Properties &p)
{
    out.varint(out.nextPropertyLength(p));
    putPropertyList(out, p);
}

} // namespace hermes::mqtt::detail
