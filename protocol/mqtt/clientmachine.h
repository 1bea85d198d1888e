#pragma once
/// The client side of one MQTT connection, sans-I/O: bytes, time and timer expiries in,
/// actions out (STYLE.md R2, R6), mirroring SessionMachine. The engine (MqttClient) owns
/// the socket and the timers and executes the actions in order.
///
/// The action and state types live in hermes::mqtt::client because the server machine
/// already uses the plain names (SendPacket, ArmTimer, SessionState…) in hermes::mqtt and
/// both headers must be includable in one translation unit.

#include "codec.h"
#include "packets.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QStringList>

#include <chrono>
#include <deque>
#include <optional>
#include <variant>
#include <vector>

namespace hermes::mqtt {

/// Monotonic time in milliseconds from an arbitrary epoch; passed in, never read here.
/// (Same alias as in sessionmachine.h; redeclaring an alias to the same type is allowed.)
using Timestamp = std::chrono::milliseconds;
using Duration = std::chrono::milliseconds;

namespace client {

enum class TimerKind : quint8 {
    ConnackTimeout,      ///< CONNACK must arrive within ClientConfig::connackTimeout
    Ping,                ///< keep-alive T after the last packet SENT [MQTT-3.1.2-23]
    PingResponseTimeout, ///< PINGRESP must arrive within ClientConfig::pingResponseTimeout
};
inline constexpr int TimerKindCount = 3;

/// Why a client connection ended.
enum class CloseReason : quint8 {
    ClientDisconnect, ///< disconnect() was called (DISCONNECT sent when a CONNECT was)
    ServerDisconnect, ///< DISCONNECT from the server (v5; its reason code is in the action)
    ConnectRefused,   ///< CONNACK with a failure code
    ConnectTimeout,   ///< no CONNACK in time (the engine also uses it for a slow TCP connect)
    PingTimeout,      ///< no PINGRESP within the ping response timeout
    ProtocolError,    ///< the server broke a rule; DISCONNECT with the reason sent in v5
    SocketError,      ///< I/O failure or connection refused (engine-detected)
    PeerClosed,       ///< TCP closed by the server without DISCONNECT (engine-detected)
    TlsFailed,        ///< TLS set-up or handshake failed: certificates, keys, names (engine-detected)
};

/// Human-readable name of a close reason ("ping timeout").
QString closeReasonName(CloseReason reason);

/// Where an outbound QoS 1/2 message stands in its flow.
enum class OutboundStage : quint8 {
    AwaitingPuback,  ///< QoS 1 PUBLISH sent
    AwaitingPubrec,  ///< QoS 2 PUBLISH sent
    AwaitingPubcomp, ///< QoS 2 PUBREL sent
};

/// An outbound QoS 1/2 message sent and not yet completed.
struct OutboundMessage {
    Publish publish; ///< packetId set
    OutboundStage stage = OutboundStage::AwaitingPuback;
    Timestamp firstSentAt{};
    quint32 sendCount = 0; ///< > 1 means it was resent with DUP on a resumed session
    bool operator==(const OutboundMessage &) const = default;
};

/// Client session state that outlives a connection (clean start off): what is in flight
/// both ways and what waits locally. The engine keeps it between connections and hands it
/// to the next connection's machine.
struct SessionState {
    QList<OutboundMessage> inflight;      ///< in the order first sent
    std::deque<Publish> queued;           ///< waiting for connection or send quota; QoS>0 have ids
    QSet<quint16> inboundAwaitingRelease; ///< QoS 2 ids received, PUBREL not yet seen
    quint16 nextPacketId = 1;
    bool operator==(const SessionState &) const = default;
};

/// Tunables of the client machine (the CONNECT packet itself is separate).
struct ClientConfig {
    Duration connackTimeout = std::chrono::seconds(10);
    Duration pingResponseTimeout = std::chrono::seconds(10);
    /// Send PINGREQ by itself after keep-alive T of send silence. Off: the engine (the
    /// simulator's heartbeat strategy) calls ping() when it wants.
    bool autoPing = true;
    /// Inbound limit when CONNECT announces no Maximum Packet Size (v5) or for 3.x.
    quint32 maximumPacketSize = 268435455 + 5;
    /// Local cap on QoS 1/2 messages in flight, on top of the server's Receive Maximum.
    quint16 maximumInflight = 65535;
    /// Local queue bound (messages waiting for the connection or a send-quota slot).
    qsizetype maximumQueued = 100000;
    /// Emit PacketReceived for every inbound packet (packet traces, heartbeat timelines).
    bool reportPackets = false;
};

/// What the server announced in its CONNACK (v5 properties, defaults for 3.x).
struct ServerCapabilities {
    quint16 receiveMaximum = 65535;
    quint32 maximumPacketSize = 0; ///< 0 = no limit announced
    QoS maximumQoS = QoS::ExactlyOnce;
    bool retainAvailable = true;
    quint16 topicAliasMaximum = 0; ///< outbound aliases the server accepts (unused here)
    bool wildcardSubscriptionAvailable = true;
    bool subscriptionIdentifierAvailable = true;
    bool sharedSubscriptionAvailable = true;
    bool operator==(const ServerCapabilities &) const = default;
};

// ---- Actions ----------------------------------------------------------------------

/// Write these bytes (the encoding of `packet`) to the socket.
struct SendPacket {
    Packet packet;
    QByteArray bytes;
};

/// (Re)start the timer of this kind to fire `after` from now.
struct ArmTimer {
    TimerKind kind;
    Duration after;
};

struct CancelTimer {
    TimerKind kind;
};

/// A whole packet arrived (only with ClientConfig::reportPackets), before its consequences.
struct PacketReceived {
    Packet packet;
    qsizetype wireSize = 0;
};

/// CONNACK with success. Always the last action of its batch, so that the engine may
/// publish or subscribe from its handler.
struct Connected {
    Connack connack;
};

/// CONNACK with a failure code; Closed{ConnectRefused} follows.
struct ConnectionRefused {
    ReasonCode reasonCode = ReasonCode::UnspecifiedError;
    Connack connack;
};

/// An application message from the server, topic alias resolved. Acknowledged by the
/// machine right after this action (PUBACK or PUBREC); a QoS 2 duplicate before PUBREL
/// is acknowledged again but not delivered again [MQTT-4.3.3-10].
struct MessageReceived {
    Publish publish;
};

/// An outbound QoS 1/2 message finished: PUBACK, PUBCOMP, or a PUBREC with an error code.
/// `discarded`: the server had no session for a resumed message (Session Present 0) and
/// the client dropped it [MQTT-3.2.2-5]; `reasonCode` is then UnspecifiedError. Also
/// emitted with PacketTooLarge / QoSNotSupported / RetainNotSupported for a queued
/// message the server's CONNACK turned out not to accept.
struct PublishCompleted {
    quint16 packetId = 0;
    QoS qos = QoS::AtLeastOnce;
    ReasonCode reasonCode = ReasonCode::Success;
    bool discarded = false;
};

/// SUBACK for an earlier subscribe(): one code per filter.
struct Subscribed {
    quint16 packetId = 0;
    QList<ReasonCode> reasonCodes;
};

/// UNSUBACK for an earlier unsubscribe(): one code per filter (empty for 3.x).
struct Unsubscribed {
    quint16 packetId = 0;
    QList<ReasonCode> reasonCodes;
};

/// PINGRESP for the outstanding PINGREQ, with the round trip.
struct PongReceived {
    Duration rtt{};
};

/// An AUTH packet from the server (v5 enhanced authentication); answer with sendAuth().
struct AuthReceived {
    Auth auth;
};

/// Close the socket now (any DISCONNECT to send precedes this action as a SendPacket).
/// The engine stops every timer of the connection. The machine returns nothing afterwards.
struct Closed {
    CloseReason reason = CloseReason::PeerClosed;
    std::optional<ReasonCode> reasonCode; ///< sent or received, when there was one
    QString detail;                       ///< human-readable, e.g. the decode error
};

using Action = std::variant<SendPacket, ArmTimer, CancelTimer, PacketReceived, Connected,
                            ConnectionRefused, MessageReceived, PublishCompleted, Subscribed,
                            Unsubscribed, PongReceived, AuthReceived, Closed>;
using Actions = std::vector<Action>;

/// Why publish()/subscribe()/unsubscribe() refused a request (nothing was queued).
enum class SubmitError : quint8 {
    None,
    Closed,             ///< the machine is closed; make a new one
    NoPacketIdentifier, ///< all 65,535 packet identifiers are in use
    QueueFull,          ///< ClientConfig::maximumQueued reached
    InvalidTopic,       ///< topic name or filter breaks 4.7
    QoSNotSupported,    ///< above the server's Maximum QoS [MQTT-3.2.2-11]
    RetainNotSupported, ///< retain while the server has none [MQTT-3.2.2-14]
    PacketTooLarge,     ///< above the server's Maximum Packet Size [MQTT-3.2.2-15]
};

/// The answer to a request: the packet id it got (0 for QoS 0), or why it was refused.
struct Submission {
    quint16 packetId = 0;
    SubmitError error = SubmitError::None;
    Actions actions;
    bool ok() const { return error == SubmitError::None; }
};

enum class ConnectionStage : quint8 {
    Idle,       ///< constructed, start() not called
    Connecting, ///< CONNECT sent, CONNACK awaited
    Connected,
    Closed,
};

} // namespace client

/// One client connection's protocol state. Every call returns the actions to execute, in
/// order. After a Closed action the machine is Closed and returns nothing further; take its
/// session with takeSession() and build a new machine for the next connection.
class ClientMachine
{
public:
    /// `connect` is sent as is by start(); `session` is what the previous connection left
    /// (ignored apart from the local queue when connect.cleanStart is set [MQTT-3.1.2-4]).
    explicit ClientMachine(Connect connect, client::ClientConfig config = {},
                           client::SessionState session = {});

    /// Call once the transport is up: SendPacket CONNECT, ArmTimer ConnackTimeout, preceded
    /// by PublishCompleted{discarded} for in-flight messages dropped by a clean start.
    client::Actions start(Timestamp now);

    /// Feed received bytes (any split). Per complete packet: PacketReceived (if enabled),
    /// then its consequences. CONNACK success: CancelTimer ConnackTimeout, resends of the
    /// session's in-flight PUBLISH (DUP, original ids) and PUBREL [MQTT-4.4.0-1], requests
    /// made before the CONNACK, queued publishes within the send quota, ArmTimer Ping, then
    /// Connected. A decode error or broken rule: DISCONNECT with the reason (v5), Closed.
    client::Actions onBytes(QByteArrayView bytes, Timestamp now);

    /// A timer armed earlier fired. Ping sends PINGREQ when nothing was sent for T (else
    /// re-arms for the remainder); the timeouts close when really due.
    client::Actions onTimerFired(client::TimerKind kind, Timestamp now);

    /// Queue or send an application message. QoS 1/2 get a packet id at once (returned) and
    /// wait locally while the send quota (server Receive Maximum [MQTT-4.9.0-2]) is used up
    /// or the CONNACK has not arrived. QoS 0 goes out at once when connected.
    client::Submission publish(Publish publish, Timestamp now);

    /// SUBSCRIBE (sent at once when connected, else after the CONNACK); Subscribed follows.
    client::Submission subscribe(const QList<TopicSubscription> &subscriptions,
                                 const Properties &properties, Timestamp now);

    /// UNSUBSCRIBE (sent at once when connected, else after the CONNACK); Unsubscribed follows.
    client::Submission unsubscribe(const QStringList &filters, const Properties &properties,
                                   Timestamp now);

    /// Manual heartbeat: PINGREQ and ArmTimer PingResponseTimeout. Nothing when not
    /// connected or while a PINGREQ is already outstanding.
    client::Actions ping(Timestamp now);

    /// Turn automatic pinging on (ArmTimer Ping when connected) or off (CancelTimer Ping).
    client::Actions setAutoPing(bool enabled, Timestamp now);

    /// Client-initiated close: DISCONNECT (with `reason` and `properties` in v5), Closed.
    client::Actions disconnect(ReasonCode reason, const Properties &properties, Timestamp now);

    /// The socket ended by itself or the engine gave up on it: Closed{why, detail}.
    client::Actions socketClosed(client::CloseReason why, const QString &detail, Timestamp now);

    /// AUTH to the server (v5 enhanced authentication continuation).
    client::Actions sendAuth(const Auth &auth, Timestamp now);

    client::ConnectionStage stage() const { return m_stage; }
    ProtocolVersion version() const { return m_connect.version; }
    const Connect &connectPacket() const { return m_connect; }
    const client::ClientConfig &config() const { return m_config; }
    /// The CONNACK once received.
    const std::optional<Connack> &connack() const { return m_connack; }
    const client::ServerCapabilities &serverCapabilities() const { return m_server; }
    /// Effective keep-alive in seconds (Server Keep Alive when announced), 0 = disabled.
    quint16 keepAliveSeconds() const { return m_keepAliveSeconds; }
    bool autoPing() const { return m_config.autoPing; }
    Timestamp lastSentAt() const { return m_lastSentAt; }
    bool pingOutstanding() const { return m_pingSentAt.has_value(); }
    const client::SessionState &session() const { return m_session; }
    /// Hands the session back to the engine (after Closed, for the next connection).
    client::SessionState takeSession();

private:
    void send(client::Actions &actions, Packet packet, Timestamp now);
    void handlePacket(client::Actions &actions, Packet packet, Timestamp now);
    void handleConnack(client::Actions &actions, const Connack &connack, Timestamp now);
    void handlePublish(client::Actions &actions, Publish publish, Timestamp now);
    void handlePuback(client::Actions &actions, const Puback &puback);
    void handlePubrec(client::Actions &actions, const Pubrec &pubrec, Timestamp now);
    void handlePubrel(client::Actions &actions, const Pubrel &pubrel, Timestamp now);
    void handlePubcomp(client::Actions &actions, const Pubcomp &pubcomp);
    void handlePingresp(client::Actions &actions, Timestamp now);
    void protocolError(client::Actions &actions, ReasonCode reason, const QString &detail,
                       Timestamp now);
    void close(client::Actions &actions, client::CloseReason reason,
               std::optional<ReasonCode> reasonCode, const QString &detail);
    void armPing(client::Actions &actions, Timestamp now);
    void drainQueue(client::Actions &actions, Timestamp now);
    bool sendPublish(client::Actions &actions, Publish publish, Timestamp now);
    void completeOutbound(client::Actions &actions, qsizetype index, ReasonCode reasonCode,
                          Timestamp now);
    void discardInflight(client::Actions &actions);
    std::optional<ReasonCode> refusalFor(const Publish &publish) const;
    qsizetype findInflight(quint16 packetId) const;
    quint16 allocatePacketId();
    void releasePacketId(quint16 packetId);
    qsizetype sendQuota() const;
    quint32 inboundMaximumPacketSize() const;

    Connect m_connect;
    client::ClientConfig m_config;
    client::SessionState m_session;
    client::ConnectionStage m_stage = client::ConnectionStage::Idle;
    std::optional<Connack> m_connack;
    client::ServerCapabilities m_server;
    quint16 m_keepAliveSeconds = 0;
    Timestamp m_startedAt{};
    Timestamp m_lastSentAt{};
    Timestamp m_lastReceivedAt{};
    std::optional<Timestamp> m_pingSentAt;
    QByteArray m_buffer;                        ///< bytes of a frame not yet complete
    QSet<quint16> m_usedPacketIds;              ///< in flight, queued, or awaiting SUBACK/UNSUBACK
    QHash<quint16, qsizetype> m_pendingSubscribes;   ///< id → number of filters
    QHash<quint16, qsizetype> m_pendingUnsubscribes; ///< id → number of filters
    std::vector<Packet> m_waitingRequests;      ///< SUBSCRIBE/UNSUBSCRIBE made before CONNACK
    QHash<quint16, QString> m_inboundTopicAliases;
};

} // namespace hermes::mqtt
