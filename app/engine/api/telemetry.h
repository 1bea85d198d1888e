#pragma once
/// Plain values the engine reports about itself: what the console and hermesctl display.
/// They cross threads by copy; none points into the engine (part of hermes_engine_api).

#include "engine/analytics/networkreport.h"

#include "mqtt/packets.h"
#include "mqtt/sessionmachine.h"

#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace hermes {

/// One packet seen on a session, for its heartbeat timeline.
struct HeartbeatMark {
    qint64 atMs = 0;                ///< wall clock, ms since the epoch
    mqtt::PacketType type = mqtt::PacketType::Pingreq;
    bool inbound = true;
    quint32 wireSize = 0;
    bool operator==(const HeartbeatMark &) const = default;
};

/// How and when a connection ended.
struct CloseInfo {
    mqtt::CloseReason reason = mqtt::CloseReason::PeerClosed;
    std::optional<mqtt::ReasonCode> reasonCode;
    QString detail;
    qint64 atMs = 0;
    bool willPublished = false;
};

/// One outbound QoS 1/2 message in flight, for the in-flight table.
struct InflightInfo {
    quint16 packetId = 0;
    QString topic;
    mqtt::QoS qos = mqtt::QoS::AtLeastOnce;
    mqtt::OutboundStage stage = mqtt::OutboundStage::AwaitingPuback;
    qint64 ageMs = 0;
    quint32 sendCount = 0; ///< > 1: redelivered with DUP
    qsizetype payloadSize = 0;
};

/// A session's row in the Sessions view.
struct SessionInfo {
    QString clientId;
    bool online = false;
    QString address;                 ///< "ip:port" of the current or last connection
    /// Upstream mode: the cluster node that holds the session's connection or, offline, its
    /// queue. Empty for the sessions hermesd holds itself. A session with a node carries only
    /// what the cluster's management API exposes: no keep-alive, last inbound packet,
    /// message counts or last close (they stay at their defaults).
    QString node;
    QString userName;
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V3_1_1;
    quint16 keepAliveSeconds = 0;
    bool cleanStart = true;
    quint32 sessionExpirySeconds = 0;
    qint64 connectedSinceMs = 0;     ///< online: since; offline: 0
    qint64 offlineSinceMs = 0;       ///< offline: since; online: 0
    qint64 lastInboundMs = 0;        ///< wall clock of the last whole inbound packet
    int inflight = 0;
    int inflightHighWater = 0;
    int queued = 0;
    int queuedHighWater = 0;
    int subscriptions = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 messagesDropped = 0;
    std::optional<CloseInfo> lastClose;
};

/// Everything the session detail view shows.
struct SessionDetail {
    SessionInfo info;
    QList<HeartbeatMark> heartbeats;         ///< oldest first, bounded
    QList<InflightInfo> inflight;
    QList<mqtt::Publish> queued;             ///< first N waiting messages
    QList<mqtt::TopicSubscription> subscriptions;
    QList<QString> packetTrace;              ///< describe() lines, newest last, bounded
    QList<CloseInfo> closes;                 ///< recent disconnects, bounded
    /// The network its address belongs to (fleet analytics) and what the fleet has taught
    /// about that network's NAT idle timeout, for the timeline's NAT line.
    QString network;
    analytics::NatEstimate networkEstimate;
};

/// Broker-wide counters; the names follow mosquitto's $SYS topics.
struct BrokerCounters {
    qint64 startedAtMs = 0;
    quint64 clientsConnected = 0;
    quint64 clientsTotal = 0;          ///< sessions, online and offline
    quint64 clientsMaximum = 0;
    quint64 clientsDisconnected = 0;   ///< persistent sessions currently offline
    quint64 connectionsAccepted = 0;
    quint64 connectionsRefused = 0;    ///< max connections, rejected CONNECT
    quint64 messagesReceived = 0;      ///< every packet in
    quint64 messagesSent = 0;          ///< every packet out
    quint64 publishReceived = 0;
    quint64 publishSent = 0;
    quint64 publishDropped = 0;        ///< queue full, expired, too large
    /// publishDropped by reason (the /metrics label): offline or in-session queue full,
    /// expired before it could be sent, above the client's maximum packet size, QoS 0 to a
    /// client that stopped reading.
    quint64 droppedQueueFull = 0, droppedExpired = 0, droppedTooLarge = 0, droppedSlowReader = 0;
    quint64 bytesReceived = 0;
    quint64 bytesSent = 0;
    quint64 retainedCount = 0;
    quint64 subscriptionCount = 0;
    quint64 inflightTotal = 0;
    quint64 queuedTotal = 0;
    quint64 protocolErrors = 0;
    quint64 keepAliveTimeouts = 0;
    quint64 takeOvers = 0;
    quint64 authenticationFailures = 0;
    quint64 clientIdRefusals = 0;          ///< CONNECTs with a client ID their identity may not use
    quint64 sessionsRevoked = 0;           ///< live clients closed because their account or rights went
    quint64 connectionRateRefusals = 0;    ///< max_connections_per_second from one source
    quint64 authBackoffRefusals = 0;       ///< CONNECTs refused while a source or user name backs off
    quint64 subscriptionQuotaRefusals = 0; ///< filters beyond max_subscriptions_per_client
    quint64 accessDenials = 0;         ///< publishes and subscriptions refused by the ACL
    quint64 tlsHandshakeFailures = 0;
};

/// One application message seen by the broker, for the live Messages view.
struct MessageRecord {
    qint64 atMs = 0;
    QString topic;
    QByteArray payload;      ///< truncated to MessageRecord::MaxPayload
    qsizetype payloadSize = 0;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool retain = false;
    QString fromClientId;    ///< empty when the broker itself published
    QString contentType;     ///< the PUBLISH's v5 Content Type, empty when it had none
    static constexpr qsizetype MaxPayload = 64 * 1024;

    /// A PUBLISH as the console keeps it (payload cut to MaxPayload).
    static MessageRecord of(const mqtt::Publish &publish, qint64 atMs, QString fromClientId = {})
    {
        MessageRecord record;
        record.atMs = atMs;
        record.topic = publish.topic;
        record.payload = publish.payload.left(MaxPayload);
        record.payloadSize = publish.payload.size();
        record.qos = publish.qos;
        record.retain = publish.retain;
        record.fromClientId = std::move(fromClientId);
        record.contentType = publish.properties.contentType.value_or(QString());
        return record;
    }
};

/// What changed since the previous batch. Batches arrive a few times a second at most,
/// whatever the traffic, so views never repaint per MQTT packet.
struct TelemetryBatch {
    qint64 atMs = 0;
    BrokerCounters counters;
    QList<SessionInfo> changedSessions;
    QStringList removedSessions;
    QList<MessageRecord> messages;   ///< bounded per batch
    quint64 messagesNotCaptured = 0; ///< routed but beyond the per-batch bound
    bool full = false;               ///< changedSessions holds every session (first batch)
};

QString closeReasonName(mqtt::CloseReason reason);

} // namespace hermes

Q_DECLARE_METATYPE(hermes::SessionInfo)
Q_DECLARE_METATYPE(hermes::CloseInfo)
Q_DECLARE_METATYPE(hermes::BrokerCounters)
Q_DECLARE_METATYPE(hermes::TelemetryBatch)
Q_DECLARE_METATYPE(hermes::SessionDetail)
Q_DECLARE_METATYPE(hermes::MessageRecord)
