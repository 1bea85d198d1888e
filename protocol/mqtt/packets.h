#pragma once
/// MQTT 3.1, 3.1.1 and 5.0 control packets as plain value types (one struct per packet).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <utility>
#include <variant>

namespace hermes::mqtt {

/// The protocol level byte of CONNECT.
enum class ProtocolVersion : quint8 {
    V3_1 = 3, ///< MQIsdp
    V3_1_1 = 4,
    V5 = 5,
};

enum class PacketType : quint8 {
    Connect = 1,
    Connack = 2,
    Publish = 3,
    Puback = 4,
    Pubrec = 5,
    Pubrel = 6,
    Pubcomp = 7,
    Subscribe = 8,
    Suback = 9,
    Unsubscribe = 10,
    Unsuback = 11,
    Pingreq = 12,
    Pingresp = 13,
    Disconnect = 14,
    Auth = 15,
};

enum class QoS : quint8 {
    AtMostOnce = 0,
    AtLeastOnce = 1,
    ExactlyOnce = 2,
};

/// MQTT 5 retain handling subscription option (3.8.3.1).
enum class RetainHandling : quint8 {
    SendOnSubscribe = 0,
    SendOnNewSubscribe = 1,
    DoNotSend = 2,
};

/// Every MQTT 5 reason code (2.4). Several codes share a value; the name says the meaning
/// in the packet it appears in. MQTT 3.x return codes are mapped onto these by the codec.
enum class ReasonCode : quint8 {
    Success = 0x00,
    NormalDisconnection = 0x00,
    GrantedQoS0 = 0x00,
    GrantedQoS1 = 0x01,
    GrantedQoS2 = 0x02,
    DisconnectWithWillMessage = 0x04,
    NoMatchingSubscribers = 0x10,
    NoSubscriptionExisted = 0x11,
    ContinueAuthentication = 0x18,
    ReAuthenticate = 0x19,
    UnspecifiedError = 0x80,
    MalformedPacket = 0x81,
    ProtocolError = 0x82,
    ImplementationSpecificError = 0x83,
    UnsupportedProtocolVersion = 0x84,
    ClientIdentifierNotValid = 0x85,
    BadUserNameOrPassword = 0x86,
    NotAuthorized = 0x87,
    ServerUnavailable = 0x88,
    ServerBusy = 0x89,
    Banned = 0x8A,
    ServerShuttingDown = 0x8B,
    BadAuthenticationMethod = 0x8C,
    KeepAliveTimeout = 0x8D,
    SessionTakenOver = 0x8E,
    TopicFilterInvalid = 0x8F,
    TopicNameInvalid = 0x90,
    PacketIdentifierInUse = 0x91,
    PacketIdentifierNotFound = 0x92,
    ReceiveMaximumExceeded = 0x93,
    TopicAliasInvalid = 0x94,
    PacketTooLarge = 0x95,
    MessageRateTooHigh = 0x96,
    QuotaExceeded = 0x97,
    AdministrativeAction = 0x98,
    PayloadFormatInvalid = 0x99,
    RetainNotSupported = 0x9A,
    QoSNotSupported = 0x9B,
    UseAnotherServer = 0x9C,
    ServerMoved = 0x9D,
    SharedSubscriptionsNotSupported = 0x9E,
    ConnectionRateExceeded = 0x9F,
    MaximumConnectTime = 0xA0,
    SubscriptionIdentifiersNotSupported = 0xA1,
    WildcardSubscriptionsNotSupported = 0xA2,
};

/// True for reason codes >= 0x80, which signal failure in every packet that carries one.
constexpr bool isError(ReasonCode code) { return quint8(code) >= 0x80; }

/// MQTT 5 property identifiers (2.2.2.2).
enum class PropertyId : quint8 {
    PayloadFormatIndicator = 0x01,
    MessageExpiryInterval = 0x02,
    ContentType = 0x03,
    ResponseTopic = 0x08,
    CorrelationData = 0x09,
    SubscriptionIdentifier = 0x0B,
    SessionExpiryInterval = 0x11,
    AssignedClientIdentifier = 0x12,
    ServerKeepAlive = 0x13,
    AuthenticationMethod = 0x15,
    AuthenticationData = 0x16,
    RequestProblemInformation = 0x17,
    WillDelayInterval = 0x18,
    RequestResponseInformation = 0x19,
    ResponseInformation = 0x1A,
    ServerReference = 0x1C,
    ReasonString = 0x1F,
    ReceiveMaximum = 0x21,
    TopicAliasMaximum = 0x22,
    TopicAlias = 0x23,
    MaximumQoS = 0x24,
    RetainAvailable = 0x25,
    UserProperty = 0x26,
    MaximumPacketSize = 0x27,
    WildcardSubscriptionAvailable = 0x28,
    SubscriptionIdentifierAvailable = 0x29,
    SharedSubscriptionAvailable = 0x2A,
};

using UserProperty = std::pair<QString, QString>;

/// The MQTT 5 property set of one packet (or of a Will). Empty for MQTT 3.x.
/// Which properties a packet may carry is checked by the codec, not here.
struct Properties {
    std::optional<quint8> payloadFormatIndicator;
    std::optional<quint32> messageExpiryInterval;
    std::optional<QString> contentType;
    std::optional<QString> responseTopic;
    std::optional<QByteArray> correlationData;
    QList<quint32> subscriptionIdentifiers; ///< several in PUBLISH, at most one in SUBSCRIBE
    std::optional<quint32> sessionExpiryInterval;
    std::optional<QString> assignedClientIdentifier;
    std::optional<quint16> serverKeepAlive;
    std::optional<QString> authenticationMethod;
    std::optional<QByteArray> authenticationData;
    std::optional<quint8> requestProblemInformation;
    std::optional<quint32> willDelayInterval;
    std::optional<quint8> requestResponseInformation;
    std::optional<QString> responseInformation;
    std::optional<QString> serverReference;
    std::optional<QString> reasonString;
    std::optional<quint16> receiveMaximum;
    std::optional<quint16> topicAliasMaximum;
    std::optional<quint16> topicAlias;
    std::optional<quint8> maximumQoS;
    std::optional<quint8> retainAvailable;
    QList<UserProperty> userProperties; ///< order preserved, duplicates allowed [MQTT-3.1.3-10]
    std::optional<quint32> maximumPacketSize;
    std::optional<quint8> wildcardSubscriptionAvailable;
    std::optional<quint8> subscriptionIdentifierAvailable;
    std::optional<quint8> sharedSubscriptionAvailable;

    bool isEmpty() const { return *this == Properties{}; }
    bool operator==(const Properties &) const = default;
};

/// The Will carried by CONNECT.
struct Will {
    QString topic;
    QByteArray payload;
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    Properties properties; ///< v5 will properties
    bool operator==(const Will &) const = default;
};

struct Connect {
    ProtocolVersion version = ProtocolVersion::V3_1_1;
    QString clientId;
    bool cleanStart = true; ///< "clean session" in 3.x
    quint16 keepAliveSeconds = 60;
    std::optional<QString> userName;
    std::optional<QByteArray> password;
    std::optional<Will> will;
    Properties properties;
    bool operator==(const Connect &) const = default;
};

/// For 3.x the reason code is one of Success, UnsupportedProtocolVersion,
/// ClientIdentifierNotValid, ServerUnavailable, BadUserNameOrPassword, NotAuthorized,
/// which the codec maps to return codes 0-5.
struct Connack {
    bool sessionPresent = false;
    ReasonCode reasonCode = ReasonCode::Success;
    Properties properties;
    bool operator==(const Connack &) const = default;
};

struct Publish {
    QString topic; ///< may be empty in v5 when a topic alias is used
    QByteArray payload;
    QoS qos = QoS::AtMostOnce;
    bool retain = false;
    bool dup = false;
    std::optional<quint16> packetId; ///< present iff qos > 0
    Properties properties;
    bool operator==(const Publish &) const = default;
};

/// PUBACK, PUBREC, PUBREL and PUBCOMP share one shape.
struct Puback {
    quint16 packetId = 0;
    ReasonCode reasonCode = ReasonCode::Success;
    Properties properties;
    bool operator==(const Puback &) const = default;
};
struct Pubrec {
    quint16 packetId = 0;
    ReasonCode reasonCode = ReasonCode::Success;
    Properties properties;
    bool operator==(const Pubrec &) const = default;
};
struct Pubrel {
    quint16 packetId = 0;
    ReasonCode reasonCode = ReasonCode::Success; ///< Success or PacketIdentifierNotFound
    Properties properties;
    bool operator==(const Pubrel &) const = default;
};
struct Pubcomp {
    quint16 packetId = 0;
    ReasonCode reasonCode = ReasonCode::Success; ///< Success or PacketIdentifierNotFound
    Properties properties;
    bool operator==(const Pubcomp &) const = default;
};

/// Subscription options byte (3.8.3.1); only maximumQoS exists in 3.x.
struct SubscribeOptions {
    QoS maximumQoS = QoS::AtMostOnce;
    bool noLocal = false;
    bool retainAsPublished = false;
    RetainHandling retainHandling = RetainHandling::SendOnSubscribe;
    bool operator==(const SubscribeOptions &) const = default;
};

struct TopicSubscription {
    QString filter;
    SubscribeOptions options;
    bool operator==(const TopicSubscription &) const = default;
};

struct Subscribe {
    quint16 packetId = 0;
    QList<TopicSubscription> subscriptions;
    Properties properties;
    bool operator==(const Subscribe &) const = default;
};

/// One code per requested filter. For 3.x: GrantedQoS0..2 or UnspecifiedError (0x80).
struct Suback {
    quint16 packetId = 0;
    QList<ReasonCode> reasonCodes;
    Properties properties;
    bool operator==(const Suback &) const = default;
};

struct Unsubscribe {
    quint16 packetId = 0;
    QStringList filters;
    Properties properties;
    bool operator==(const Unsubscribe &) const = default;
};

/// For 3.x the reason codes are not on the wire: decoded as empty, not encoded.
struct Unsuback {
    quint16 packetId = 0;
    QList<ReasonCode> reasonCodes;
    Properties properties;
    bool operator==(const Unsuback &) const = default;
};

struct Pingreq {
    bool operator==(const Pingreq &) const = default;
};
struct Pingresp {
    bool operator==(const Pingresp &) const = default;
};

struct Disconnect {
    ReasonCode reasonCode = ReasonCode::NormalDisconnection;
    Properties properties;
    bool operator==(const Disconnect &) const = default;
};

/// MQTT 5 only.
struct Auth {
    ReasonCode reasonCode = ReasonCode::Success;
    Properties properties;
    bool operator==(const Auth &) const = default;
};

using Packet = std::variant<Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp, Subscribe,
                            Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth>;

/// The control packet type of a packet value.
PacketType packetType(const Packet &packet);

/// Upper-case name of a packet type ("PUBLISH").
QString packetTypeName(PacketType type);

/// Name of a reason code as the specification spells it ("Session taken over").
QString reasonCodeName(ReasonCode code);

/// Name of a reason code in the context of a packet type, for codes whose value is shared
/// (0x00 is "Success", "Normal disconnection" or "Granted QoS 0").
QString reasonCodeName(ReasonCode code, PacketType context);

/// One-line summary for logs, the console's packet trace and test failures, e.g.
/// "PUBLISH topic=a/b qos=1 pid=7 retain=0 dup=0 len=12".
QString describe(const Packet &packet);

} // namespace hermes::mqtt
