#pragma once
/// The server side of one MQTT connection, sans-I/O: bytes, time and timer expiries in,
/// actions out (STYLE.md R2, R6). The engine executes the actions and owns the socket,
/// the one timer and every broker-wide decision (authentication, routing, persistence).

#include "codec.h"
#include "packets.h"

#include <QByteArray>
#include <QList>
#include <QHash>
#include <QSet>

#include <chrono>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace hermes::mqtt {

/// Monotonic time in milliseconds from an arbitrary epoch; passed in, never read here.
using Timestamp = std::chrono::milliseconds;
using Duration = std::chrono::milliseconds;

enum class TimerKind : quint8 {
    ConnectTimeout, ///< CONNECT must arrive within ServerLimits::connectTimeout
    KeepAlive,      ///< 1.5 × keep-alive since the last inbound packet [MQTT-3.1.2-24]
};

/// Why a connection ended. The console shows one for every disconnect.
enum class CloseReason : quint8 {
    ClientDisconnect,  ///< DISCONNECT from the client (its reason code is in the action)
    KeepAliveTimeout,  ///< silent for 1.5 T
    TakenOver,         ///< a new connection with the same client ID
    ProtocolError,     ///< bad bytes or a broken rule (reason code in the action)
    ConnectRejected,   ///< CONNACK with a failure code was sent
    ConnectTimeout,    ///< no CONNECT in time
    SocketError,       ///< peer reset or I/O failure (engine-detected)
    PeerClosed,        ///< TCP closed by the peer without DISCONNECT (engine-detected)
    Kicked,            ///< an operator kicked the client
    ServerShutdown,    ///< the broker is stopping
};

/// Limits and capabilities the server announces and enforces for one connection.
struct ServerLimits {
    quint32 maximumPacketSize = 8 * 1024 * 1024; ///< inbound; announced in CONNACK (v5)
    quint16 receiveMaximum = 1024;      ///< inbound QoS>0 PUBLISH without ack [MQTT-3.3.4-7]
    quint16 maxInflightOutbound = 1024; ///< outbound window cap, also bounded by the client's
    quint16 topicAliasMaximum = 64;     ///< inbound aliases accepted (v5)
    qsizetype maxQueuedMessages = 10000; ///< per session, waiting for a window slot or the client
    QoS maximumQoS = QoS::ExactlyOnce;
    bool retainAvailable = true;
    bool wildcardSubscriptionAvailable = true;
    bool subscriptionIdentifierAvailable = true;
    bool sharedSubscriptionAvailable = true;
    std::optional<quint16> serverKeepAlive; ///< overrides the client's keep-alive when set
    Duration connectTimeout = std::chrono::seconds(10);

    bool operator==(const ServerLimits &) const = default;
};

/// Where an outbound QoS 1/2 message stands in its flow.
enum class OutboundStage : quint8 {
    AwaitingPuback,  ///< QoS 1 PUBLISH sent
    AwaitingPubrec,  ///< QoS 2 PUBLISH sent
    AwaitingPubcomp, ///< QoS 2 PUBREL sent
};

/// An application message waiting to be sent, with its absolute expiry (v5 message expiry).
struct QueuedMessage {
    Publish publish;
    std::optional<Timestamp> expiresAt;
    quint64 tag = 0; ///< opaque to the protocol: the engine's store row for this message
    /// Opaque to the protocol: the engine's delivery-tracking id (a push target), 0 = none.
    /// Carried into SendPacket and MessageCompleted so delivery reports need no lookups.
    quint64 trace = 0;
    bool operator==(const QueuedMessage &) const = default;
};

/// An outbound QoS 1/2 message that the client has not finished acknowledging.
struct OutboundMessage {
    quint16 packetId = 0;
    QueuedMessage message;
    OutboundStage stage = OutboundStage::AwaitingPuback;
    Timestamp firstSentAt{};
    Timestamp lastSentAt{};
    quint32 sendCount = 0; ///< > 1 means it was redelivered with DUP on a resumed session
    bool operator==(const OutboundMessage &) const = default;
};

/// Protocol state that outlives a connection (clean start off): what is in flight in both
/// directions and what waits. The engine keeps it while the client is away and hands it to
/// the machine of the next connection.
struct SessionState {
    QList<OutboundMessage> inflight;          ///< in the order first sent
    QList<QueuedMessage> queued;              ///< oldest first (a QList: empty costs nothing)
    QSet<quint16> inboundAwaitingRelease;     ///< QoS 2 ids received, PUBREL not yet seen
    quint16 nextPacketId = 1;
    bool operator==(const SessionState &) const = default;
};

// ---- Actions ----------------------------------------------------------------------

/// Write these bytes (the encoding of `packet`) to the socket.
struct SendPacket {
    Packet packet;
    QByteArray bytes;
    quint64 trace = 0; ///< a PUBLISH of a traced QueuedMessage: its trace
    quint64 tag = 0;   ///< a PUBLISH of a QueuedMessage: its tag (the engine's store row)
};

/// (Re)start the one timer of this kind to fire `after` from now.
struct ArmTimer {
    TimerKind kind;
    Duration after;
};

struct CancelTimer {
    TimerKind kind;
};

/// A whole packet arrived (for heartbeat timelines, packet traces and counters). Emitted
/// before the actions the packet causes.
struct PacketReceived {
    Packet packet;
    qsizetype wireSize = 0;
};

/// A valid CONNECT arrived. The engine authenticates, resolves take-over and the session,
/// then calls acceptConnect() or rejectConnect().
struct ConnectRequested {
    Connect connect;
};

/// The engine authorises and stores each filter, then calls completeSubscribe().
struct SubscribeRequested {
    Subscribe subscribe;
};

/// The engine removes the filters, then calls completeUnsubscribe().
struct UnsubscribeRequested {
    Unsubscribe unsubscribe;
};

/// An application message from the client, topic alias resolved, to be routed. For QoS 1/2
/// the machine does not acknowledge by itself: the engine calls acknowledgeInbound() once
/// the message is routed and, for persistent sessions, committed. A QoS 2 duplicate (same
/// packet id before PUBREL) is not delivered again [MQTT-4.3.3-10].
struct DeliverMessage {
    Publish publish;
};

/// An outbound QoS 1/2 message finished (PUBACK, or PUBCOMP); removed from the session.
struct MessageCompleted {
    quint16 packetId = 0;
    QoS qos = QoS::AtLeastOnce;
    ReasonCode reasonCode = ReasonCode::Success;
    quint64 trace = 0; ///< the message's QueuedMessage::trace
};

enum class DropReason : quint8 {
    QueueFull,        ///< ServerLimits::maxQueuedMessages reached
    Expired,          ///< message expiry passed before it could be sent
    TooLargeForClient ///< above the client's Maximum Packet Size [MQTT-3.1.2-25]
};

/// A message that will not be delivered to this client; counted, never silent.
struct MessageDropped {
    QueuedMessage message;
    DropReason reason;
};

/// An AUTH packet arrived (v5 enhanced authentication); the engine decides.
struct AuthReceived {
    Auth auth;
};

/// Close the socket now (any DISCONNECT to send precedes this action as a SendPacket).
struct CloseConnection {
    CloseReason reason;
    std::optional<ReasonCode> reasonCode;     ///< sent or received, when there was one
    bool publishWill = false;                 ///< abnormal close: the engine publishes the Will
    std::optional<quint32> sessionExpiryInterval; ///< updated by the client's DISCONNECT (v5)
    QString detail;                           ///< human-readable, e.g. the decode error
};

using Action = std::variant<SendPacket, ArmTimer, CancelTimer, PacketReceived, ConnectRequested,
                            SubscribeRequested, UnsubscribeRequested, DeliverMessage,
                            MessageCompleted, MessageDropped, AuthReceived, CloseConnection>;
using Actions = std::vector<Action>;

/// What the engine decided about a CONNECT.
struct ConnectAcceptance {
    bool sessionPresent = false;
    std::optional<QString> assignedClientIdentifier; ///< when the client sent an empty ID
    std::optional<quint32> sessionExpiryInterval;    ///< when the server changes it (v5)
    Properties extraProperties; ///< responseInformation, reasonString, userProperties…
};

enum class ConnectionStage : quint8 {
    AwaitingConnect,
    AwaitingDecision, ///< CONNECT received, engine deciding
    Connected,
    Closed,
};

/// One connection's protocol state. Every call returns the actions to execute, in order.
/// After a CloseConnection action the machine is Closed and returns nothing further.
class SessionMachine
{
public:
    explicit SessionMachine(ServerLimits limits = {});
    /// With limits shared by many machines (a broker's connections: 48 bytes each otherwise).
    explicit SessionMachine(std::shared_ptr<const ServerLimits> limits);

    /// Call once when the socket is accepted: arms the connect timeout.
    Actions start(Timestamp now);

    /// Feed received bytes (any split). Emits, per complete packet: PacketReceived, then
    /// its consequences. A decode error sends CONNACK (before CONNECT completes, v5 and
    /// 3.x where a return code exists) or DISCONNECT (v5) with disconnectReasonFor(),
    /// then CloseConnection{ProtocolError}. Any received byte, even of a partial frame,
    /// counts as traffic for the keep-alive. Packets after CONNECT wait unprocessed until
    /// acceptConnect() (only a v5 AUTH is handled while the engine decides) and are
    /// dropped by rejectConnect() [MQTT-3.1.4-5]; more than limits.maximumPacketSize held
    /// bytes refuse the CONNECT (CONNACK 0x97, 3.x rc 3). A topic filter breaking the
    /// wildcard rules in (UN)SUBSCRIBE is such a decode error (v5 DISCONNECT 0x82).
    Actions onBytes(QByteArrayView bytes, Timestamp now);

    /// A timer armed earlier fired. KeepAlive closes when now - last inbound >= 1.5 T
    /// (sending DISCONNECT 0x8D in v5; Will published), otherwise re-arms for the
    /// remainder; traffic itself never re-arms. ConnectTimeout closes (no Will) while no
    /// CONNECT arrived or the engine is still deciding; it is ignored once connected.
    Actions onTimerFired(TimerKind kind, Timestamp now);

    /// Answer to ConnectRequested: sends CONNACK, arms keep-alive (1.5 T from now),
    /// cancels the connect timeout, then resends the session's in-flight messages in order
    /// with DUP and their original ids, PUBREL for AwaitingPubcomp [MQTT-4.4.0-1] (beyond
    /// the client's window they wait for free slots), then drains the queue in order
    /// (messages published to this machine before acceptance go after session.queued),
    /// then handles the packets the client sent after CONNECT.
    Actions acceptConnect(const ConnectAcceptance &acceptance, SessionState session, Timestamp now);

    /// Answer to ConnectRequested: CONNACK with `reason` (mapped to a 3.x return code),
    /// then CloseConnection{ConnectRejected}.
    Actions rejectConnect(ReasonCode reason, Timestamp now);

    /// Answer to SubscribeRequested: SUBACK with one code per filter. `reasonCodes` answer
    /// the filters of the SubscribeRequested, in order. Filters the machine refused itself
    /// (wildcards 0xA2, shared 0x9E or subscription ids 0xA1 while not available; 0x80 in
    /// 3.x) are not in SubscribeRequested: the machine merges their
    /// codes back in place. When every filter was refused, the SUBACK is sent at once and
    /// no SubscribeRequested is emitted. Codes >= 0x80 become 0x80 in 3.x.
    Actions completeSubscribe(quint16 packetId, const QList<ReasonCode> &reasonCodes,
                              const Properties &properties = {});

    /// Answer to UnsubscribeRequested: UNSUBACK (codes dropped for 3.x), one code per filter.
    Actions completeUnsubscribe(quint16 packetId, const QList<ReasonCode> &reasonCodes,
                                const Properties &properties = {});

    /// Acknowledge an inbound QoS 1 (PUBACK) or QoS 2 (PUBREC) message delivered earlier.
    /// v5 codes such as NoMatchingSubscribers or NotAuthorized are passed to the client; a
    /// failing PUBREC ends the QoS 2 flow (the id is released). Unknown ids: nothing.
    Actions acknowledgeInbound(quint16 packetId, ReasonCode reasonCode = ReasonCode::Success);

    /// Send an application message to the client at `message.publish.qos` (already capped
    /// by the subscription). QoS 0 goes out at once; QoS 1/2 takes a packet id and a window
    /// slot, or waits in the queue (MessageDropped{QueueFull} when the queue is full).
    /// Before the connection is accepted every message waits in the queue. Expired
    /// messages give MessageDropped{Expired}, messages above the client's Maximum Packet
    /// Size MessageDropped{TooLargeForClient}; v5 carries the remaining expiry seconds.
    Actions publish(QueuedMessage message, Timestamp now);

    /// Server-initiated close: DISCONNECT with `reason` (v5 only), then CloseConnection
    /// with publishWill (the client did not disconnect normally [MQTT-3.1.2-8]; the engine
    /// applies the Will Delay). While the engine is still deciding, a refusing CONNACK
    /// (the reason if CONNACK allows it, else Server unavailable) replaces the DISCONNECT
    /// [MQTT-3.14.0-1] and there is no Will.
    Actions disconnect(ReasonCode reason, CloseReason why, Timestamp now);

    /// The socket ended by itself (peer closed or error): CloseConnection with the Will
    /// when the connection had been accepted and no DISCONNECT was received.
    Actions socketClosed(CloseReason why, Timestamp now);

    /// Send an AUTH packet (v5 enhanced authentication continuation).
    Actions sendAuth(const Auth &auth);

    ConnectionStage stage() const { return m_stage; }
    ProtocolVersion version() const { return m_version; }
    /// The CONNECT's Will (null when it had none). The machine keeps only what it needs of
    /// the CONNECT: a stored Connect would cost ~1 kB per idle connection.
    const Will *will() const { return m_will.get(); }
    /// Effective keep-alive in seconds (server keep-alive if set), 0 = disabled.
    quint16 keepAliveSeconds() const { return m_keepAliveSeconds; }
    Timestamp lastInboundAt() const { return m_lastInboundAt; }
    /// Deadline of the keep-alive: last inbound + 1.5 T; nullopt when disabled.
    std::optional<Timestamp> keepAliveDeadline() const;
    const SessionState &session() const { return m_session; }
    /// Hands the session back to the engine (on close or take-over).
    SessionState takeSession();
    const ServerLimits &limits() const { return *m_limits; }
    /// Outbound QoS 1/2 window: limits.maxInflightOutbound, bounded in v5 by the client's
    /// Receive Maximum [MQTT-3.3.4-9].
    qsizetype outboundWindow() const;

private:
    std::shared_ptr<const ServerLimits> m_limits; ///< never null
    ConnectionStage m_stage = ConnectionStage::AwaitingConnect;
    ProtocolVersion m_version = ProtocolVersion::V3_1_1;
    bool m_cleanStart = true;
    std::shared_ptr<const Will> m_will; ///< on the heap: most clients have none
    SessionState m_session;
    QByteArray m_buffer; ///< bytes of a frame not yet complete
    quint16 m_keepAliveSeconds = 0;
    Timestamp m_lastInboundAt{};
    quint16 m_clientReceiveMaximum = 65535;
    quint32 m_clientMaximumPacketSize = 0; ///< 0 = no limit announced
    QHash<quint16, QString> m_inboundTopicAliases;
    QHash<quint16, QoS> m_inboundUnacked; ///< QoS>0 ids delivered, not yet acknowledged
    qsizetype m_inboundQos1Unacked = 0;   ///< QoS 1 entries of m_inboundUnacked
    bool m_receivedDisconnect = false;

    QSet<quint16> m_outboundIds;    ///< packet ids of m_session.inflight
    QSet<quint16> m_unsentInflight; ///< resumed in-flight entries held back by the window
    /// Per pending SUBSCRIBE id: one entry per filter, set when the machine already
    /// answered that filter (feature not available), empty when the engine decides.
    QHash<quint16, QList<std::optional<ReasonCode>>> m_pendingSubscribes;
    quint32 m_connectSessionExpiry = 0; ///< CONNECT's Session Expiry Interval (v5)
    bool m_problemInformation = true;   ///< CONNECT's Request Problem Information (v5)
    Timestamp m_acceptedAt{};           ///< the keep-alive period starts no earlier

    qsizetype processFrames(Actions &out, QByteArrayView bytes, Timestamp now);
    void handlePacket(Actions &out, Packet &&packet, Timestamp now);
    void handleConnect(Actions &out, Connect &&connect, Timestamp now);
    void handlePublish(Actions &out, Publish &&publish);
    void handlePuback(Actions &out, const Puback &puback, Timestamp now);
    void handlePubrec(Actions &out, const Pubrec &pubrec, Timestamp now);
    void handlePubrel(Actions &out, const Pubrel &pubrel);
    void handlePubcomp(Actions &out, const Pubcomp &pubcomp, Timestamp now);
    void handleSubscribe(Actions &out, Subscribe &&subscribe);
    void handleDisconnect(Actions &out, const Disconnect &disconnect);
    void handleFrameError(Actions &out, const DecodeError &error, QByteArrayView frameStart);
    void protocolError(Actions &out, ReasonCode code, const QString &detail);
    void sendControl(Actions &out, Packet packet);
    void closeWith(Actions &out, CloseConnection close);
    void enqueue(Actions &out, QueuedMessage &&message);
    bool startFlight(Actions &out, QueuedMessage &&message, Timestamp now);
    bool sendPublish(Actions &out, const QueuedMessage &message, std::optional<quint16> packetId,
                     bool dup, Timestamp now);
    void resendInflight(Actions &out, Timestamp now);
    void resendOne(Actions &out, qsizetype index, Timestamp now);
    void drain(Actions &out, Timestamp now);
    std::optional<quint16> allocatePacketId();
    quint64 heldBytesLimit() const;
    qsizetype inboundInUse() const;
    qsizetype indexOfInflight(quint16 packetId) const;
    void completeInflight(Actions &out, qsizetype index, ReasonCode code, Timestamp now);
};

} // namespace hermes::mqtt
