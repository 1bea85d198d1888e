#pragma once
/// The MQTT broker: listeners, sessions, routing, retained messages, wills and $SYS.

#include "analytics/fleetmonitor.h"
#include "brokerconfig.h"
#include "engineclock.h"
#include "store/retainedstore.h"
#include "session.h"
#include "store/store.h"
#include "api/telemetry.h"

#include "broker/admission.h"
#include "broker/brokersecurity.h"
#include "broker/brokertelemetry.h"
#include "broker/durabilitygate.h"
#include "broker/listeners.h"
#include "broker/router.h"
#include "broker/sessionregistry.h"
#include "broker/systopics.h"
#include "push/sessionsource.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QPointer>
#include <QTimer>

#include <memory>

class QTcpServer;

namespace hermes {

class Connection;
class ConnectionContext;
class Transport;

/// How far a traced message (one push to one device) has got; see Broker::publishTraced().
enum class DeliveryStage : quint8 {
    Queued,       ///< in the device's session (waiting offline, or for its turn)
    Sent,         ///< PUBLISH written (again, with DUP, on a resend)
    Acknowledged, ///< PUBACK / PUBCOMP with a success code (QoS 1/2)
    Failed,       ///< refused by the client (error reason code), queue full, too large
    Expired,      ///< its message expiry passed before it could be sent
    Abandoned,    ///< the session ended before the message was acknowledged
};

/// The broker's answer to a CONNECT, fed by the connection to its machine.
struct ConnectDecision {
    std::optional<mqtt::ReasonCode> refusal; ///< set: refused with this CONNACK code
    mqtt::ConnectAcceptance acceptance;
    mqtt::SessionState session; ///< the resumed session's state (empty for a new one)
};

/// The broker's answer to a SUBSCRIBE: the SUBACK codes, and what was granted (retained
/// messages follow the SUBACK).
struct SubscribeDecision {
    QList<mqtt::ReasonCode> reasonCodes;
    QList<std::pair<mqtt::TopicSubscription, bool>> granted; ///< with "is new"
    std::optional<quint32> subscriptionId;
};

/// What a closed connection hands back to its session.
struct ClosedConnection {
    mqtt::SessionState state;     ///< taken from the connection's machine
    const mqtt::Will *will;       ///< the CONNECT's Will, if any (valid during the call)
    mqtt::Timestamp lastInboundAt;
};

/// Lives on one thread (the engine's) and is driven by its event loop. Connections call
/// the on…() hooks; everything else is the public API for hermesd, the console's engine
/// thread, the push service and tests.
class Broker : public QObject
{
    Q_OBJECT
public:
    explicit Broker(BrokerConfig config, QObject *parent = nullptr);
    ~Broker() override;

    /// Opens the store (when persistence is on) and every listener. On failure returns
    /// false, closes what was opened and explains in errorString() — e.g. "127.0.0.1:1883:
    /// The bound address is already in use".
    bool start();
    /// Disconnects every client (v5: reason Server shutting down), commits the store and
    /// closes listeners. Safe to call twice.
    void stop();
    bool isRunning() const { return m_running; }
    QString errorString() const { return m_errorString; }
    /// After start() failed: the configured address another program already listens on, if
    /// that was why (the console then offers to attach to it).
    std::optional<ListenAddress> addressInUse() const { return m_listeners.addressInUse(); }
    /// The addresses actually bound (a configured port 0 becomes the real port).
    QList<ListenAddress> listenAddresses() const { return m_listeners.addresses(); }
    /// The Unix-domain sockets listened on (BrokerConfig::localSockets).
    QStringList localSocketPaths() const { return m_listeners.localSocketPaths(); }
    const BrokerConfig &config() const { return m_config; }

    /// Publishes a message as the broker itself (push service, $SYS, operator console).
    void publish(mqtt::Publish message);
    /// Publishes as the broker and follows the copy delivered to `clientId`'s session:
    /// tracedDelivery(trace, …) reports it queued, sent, acknowledged, failed, expired or
    /// abandoned. False when nothing was handed to that session (no session, no matching
    /// subscription, or offline and not kept); other subscribers receive it regardless.
    bool publishTraced(mqtt::Publish message, const QString &clientId, quint64 trace);
    /// Client PUBLISHes (allowed by the ACL) on topics matching `filter` are also reported
    /// by clientMessage(): device receipts, registrations, admin API requests.
    void addMessageTap(const QString &filter);
    /// True when one of `clientId`'s subscriptions matches `topic` (shared ones too).
    bool subscribesTo(const QString &clientId, const QString &topic) const;
    /// True when any subscription (shared ones too) matches `topic`.
    bool hasSubscribers(const QString &topic) const;
    /// The identity of a connected client.
    std::optional<ClientIdentity> identityOf(const QString &clientId) const;
    /// The address a connected client's connection comes from (its network for fleet analytics).
    std::optional<QHostAddress> peerOf(const QString &clientId) const;
    /// The durable store, null when persistence is off. Writes queued on it are committed
    /// with the broker's next group commit (call scheduleCommit()) and hold every
    /// connection's output until then.
    Store *store() const { return m_gate.store(); }
    void scheduleCommit() { m_gate.scheduleCommit(); }
    /// Makes an accepted stream (a WebSocket) a client connection, unless
    /// max_connections or max_connections_per_second refuse it (then it is closed: the
    /// transport is deleted). Returns the new connection, or null when refused.
    Connection *acceptTransport(std::unique_ptr<Transport> transport, const QHostAddress &peer);
    /// Closes a client's connection (v5: DISCONNECT 0x98 Administrative action).
    bool kick(const QString &clientId);
    /// Accounts: the config file's, then those managed through the admin API (stored).
    using AccountEntry = Authenticator::AccountEntry;
    QList<AccountEntry> accounts() const { return m_security.accounts(); }
    /// Adds or replaces a stored account; false with `error` for a config-file account.
    /// Its live sessions are checked again at once (see reloadAccess()).
    bool setAccount(const Account &account, QString *error);
    /// Removes a stored account; false with `error` when unknown or from the config file.
    /// Its live sessions are closed (v5: DISCONNECT 0x98 Administrative action).
    bool removeAccount(const QString &userName, QString *error);
    /// Applies new accounts, ACL rules and anonymous settings (hermesd on SIGHUP) to new
    /// and connected clients alike: a client whose account is gone, or that may no longer
    /// use its client ID or connect anonymously, is disconnected (v5 0x98); one whose role
    /// changed keeps its connection with the new role, minus the subscriptions the new
    /// rules refuse.
    void reloadAccess(const AccessSettings &settings);
    /// Removes a retained message; returns whether it existed.
    bool deleteRetained(const QString &topic);

    // ---- Introspection (engine thread) ----
    /// Starts recording what takeTelemetry() reports (changed and removed sessions,
    /// up to `maxMessagesPerBatch` routed messages between two calls).
    void enableTelemetry(qsizetype maxMessagesPerBatch = 500);
    /// Everything that changed since the previous call; the first call reports every session.
    TelemetryBatch takeTelemetry();
    /// Counters; inflightTotal and queuedTotal are as of the last telemetry or $SYS pass.
    const BrokerCounters &counters() const { return m_counters; }
    /// Recounts inflightTotal and queuedTotal now (one pass over the sessions).
    void refreshBacklogTotals();
    /// Sessions hermesd reports but does not hold (upstream mode: the cluster's, as its
    /// management API lists them). Not owned; set once, at start.
    void setSessionSource(const SessionSource *source) { m_sessionSource = source; }
    const SessionSource *sessionSource() const { return m_sessionSource; }
    /// The source's sessions that count: those whose client ID the broker does not hold
    /// itself (the listing shows the broker's), as of the source's last complete look.
    SessionSource::Totals sourceTotals() const;
    /// What $SYS, /metrics and the admin API report: counters() with the source's sessions
    /// counted in (connected, total, disconnected, in-flight, queued; the maximum connected is
    /// the highest such sum seen when asked). Just counters() without a source.
    BrokerCounters reportedCounters() const;
    /// The TLS listeners' configuration from BrokerConfig::tls (also used by the HTTP and
    /// WebSocket listeners), or nullopt with errorString().
    std::optional<QSslConfiguration> tlsConfiguration();
    QList<SessionInfo> sessions() const { return m_sessions.infos(); }
    /// With the session's network and what the fleet has taught about it.
    std::optional<SessionDetail> sessionDetail(const QString &clientId) const;
    const RetainedStore &retained() const { return m_retained; }
    /// Every session, read-only (the admin API's session stream compares them in place).
    const SessionRegistry &sessionRegistry() const { return m_sessions; }
    /// Monotonic time used for every machine of this broker.
    mqtt::Timestamp now() const { return m_clock.now(); }
    /// Moves the broker's clocks forward by `by` (tests: an hour's session or message
    /// expiry without the wait) and runs what fell due at once, as a clock reaching that
    /// time would: a wrongly due session ends before this returns. Keep-alive and
    /// connect-timeout deadlines see the new time when their own timer next fires.
    void advanceClock(mqtt::Duration by);

    // ---- Hooks called by Connection ----
    void onPacketReceived(Connection &connection, const mqtt::PacketReceived &received);
    void onPacketSent(Connection &connection, const mqtt::SendPacket &sent);
    ConnectDecision onConnectRequested(Connection &connection, const mqtt::Connect &connect);
    /// The CONNACK of an accepted CONNECT and what it set off have run.
    void onConnectAccepted(Connection &connection);
    /// Nullopt when the connection has no session (nothing is answered).
    std::optional<SubscribeDecision> onSubscribeRequested(Connection &connection, const mqtt::Subscribe &subscribe);
    /// The SUBACK has run: sends the retained messages the subscriptions ask for.
    void onSubscribeAnswered(Connection &connection, const SubscribeDecision &decision);
    /// The UNSUBACK codes; nullopt when the connection has no session.
    std::optional<QList<mqtt::ReasonCode>> onUnsubscribeRequested(Connection &connection,
                                                                  const mqtt::Unsubscribe &unsubscribe);
    /// Routes a client's message; returns the PUBACK / PUBREC code for QoS 1/2.
    std::optional<mqtt::ReasonCode> onMessageFromClient(Connection &connection, mqtt::Publish publish);
    void onMessageCompleted(Connection &connection, const mqtt::MessageCompleted &completed);
    void onMessageDropped(Connection &connection, const mqtt::MessageDropped &dropped);
    /// A QoS 0 PUBLISH not sent because the client stopped reading (too much unsent output).
    void onOutputDropped(Connection &connection, const mqtt::SendPacket &dropped);
    void onConnectionClosed(Connection &connection, const mqtt::CloseConnection &close, ClosedConnection closed);
    /// A TLS connection's handshake finished: a verified client certificate's name is the
    /// client's identity when use_identity_as_username is on.
    void onTlsEstablished(Connection &connection, const QSslCertificate &peerCertificate);
    /// A TLS handshake failed (counted and logged); the connection closes.
    void onTlsHandshakeFailed(Connection &connection, const QString &error);
    /// The connection is about to be deleted: no pointer to it may stay behind.
    void forgetConnection(Connection &connection);
    void countBytesReceived(qsizetype bytes) { m_counters.bytesReceived += quint64(bytes); }
    /// Store commit and the output held for it, shared by this broker's connections.
    DurabilityGate &durabilityGate() { return m_gate; }
    /// Fleet analytics: what connections prove about each network's NAT (Connection reports
    /// a packet after an idle gap of at least fleet().idleEvidenceGap()).
    analytics::FleetMonitor &fleet() { return *m_fleet; }
    const analytics::FleetMonitor &fleet() const { return *m_fleet; }
    void onPacketAfterIdle(Connection &connection, mqtt::Duration gap, mqtt::Timestamp now);
    /// Read buffer, output flush and timers shared by this broker's connections.
    ConnectionContext &connectionContext() { return *m_connectionContext; }

signals:
    /// A client completed CONNECT (CONNACK success sent).
    void clientConnected(const QString &clientId);
    /// A client's connection ended, with why.
    void clientDisconnected(const QString &clientId, const hermes::CloseInfo &close);
    /// A client's SUBSCRIBE was answered (its retained messages follow).
    void clientSubscribed(const QString &clientId);
    /// A client published on a tapped topic (addMessageTap()).
    void clientMessage(const hermes::ClientIdentity &publisher, const hermes::mqtt::Publish &publish);
    /// A traced message moved on (publishTraced()).
    void tracedDelivery(quint64 trace, hermes::DeliveryStage stage, const QString &detail);
    /// The store failed (locked, corrupt, full disk); the broker keeps serving from memory
    /// and keeps retrying, but nothing new is durable until this clears.
    void storeError(const QString &message);

private:
    /// A TCP listener's client; `tls` when the listener is a TLS one.
    void acceptDescriptor(qintptr descriptor, bool tls);
    /// A Unix-socket listener's client, with its peer credentials.
    void acceptLocalDescriptor(qintptr descriptor);
    /// Hands an admitted connection to the context and starts it.
    Connection *adopt(Connection *connection);
    /// Checks connected clients against the current accounts and rules (only those of
    /// `userName` when given); closes those that may not stay on the next turn.
    void revalidateSessions(const std::optional<QString> &userName = std::nullopt);
    bool openStore();
    /// Reports every traced message still in `state` as abandoned (its session ends).
    void abandonTraced(const mqtt::SessionState &state, const QString &why);
    void applyRetained(const mqtt::Publish &publish);
    /// Wall-clock ms now, from the broker's clock.
    qint64 wallNow() const { return m_clock.wallMs(); }
    /// Wall-clock ms for a monotonic deadline (what the store keeps).
    std::optional<qint64> wallTime(std::optional<mqtt::Timestamp> at) const;
    Session *sessionFor(const QString &clientId) const;
    Session &createSession(const QString &clientId);
    void endSession(Session &session);
    /// publishTraced()'s target: whose copy carries the trace, and whether it was taken.
    struct TracedCopy {
        mqtt::SubscriberId subscriber = 0;
        quint64 trace = 0;
        bool accepted = false;
    };
    /// Publishes as the broker; `traced` follows one subscriber's copy.
    void publishAsBroker(mqtt::Publish message, TracedCopy *traced);
    /// Delivers to every matching subscriber; false when nobody matched.
    bool route(const mqtt::Publish &publish, std::optional<mqtt::SubscriberId> publisher,
               TracedCopy *traced = nullptr);
    /// Hands one copy to `session` (traced when `trace` is not 0); false when the session
    /// does not take it (offline and not kept).
    bool deliver(Session &session, const mqtt::Publish &publish, mqtt::QoS qos, bool retain,
                 const QList<quint32> &subscriptionIdentifiers, std::optional<mqtt::Timestamp> expiresAt,
                 quint64 trace = 0);
    void publishWill(const QString &clientId, const mqtt::Will &will);
    /// Runs what is due for `session` at `at`: publishes a will whose delay is over, ends
    /// an offline session whose expiry is over, and schedules what is left. False when the
    /// session ended (it is deleted).
    bool runDueTimers(Session &session, mqtt::Timestamp at);
    /// Schedules the session's next deadline (SessionRegistry::nextDeadline()) and arms
    /// the timer for it. O(offline queue).
    void scheduleSessionDeadline(Session &session);
    /// Drops the offline queue's expired messages, reporting them like the machine does.
    void dropExpiredOffline(Session &session, mqtt::Timestamp at);
    /// The deadline timer fired: due sessions and expired retained messages.
    void onDeadlines();
    /// Arms m_deadlineTimer for the earliest deadline of any kind.
    void armDeadlineTimer();
    void housekeeping();
    void publishSys();
    std::optional<mqtt::Timestamp> expiryFor(const mqtt::Publish &publish) const;
    QString assignClientId();

    BrokerConfig m_config;
    /// m_config.limits, shared by every connection's machine.
    std::shared_ptr<const mqtt::ServerLimits> m_sharedLimits;
    EngineClock m_clock;
    BrokerListeners m_listeners;
    std::unique_ptr<ConnectionContext> m_connectionContext;
    SessionRegistry m_sessions;
    QStringList m_messageTaps;
    Router m_router;
    DurabilityGate m_gate;

    BrokerTelemetry m_telemetry;
    RetainedStore m_retained;
    BrokerCounters m_counters;
    BrokerSecurity m_security{m_config, m_gate, m_counters};
    Admission m_admission{m_config, m_counters};
    /// Retained message expiry lives in m_retained, session deadlines in m_sessions. One
    /// precise timer wakes the broker at the earliest of them, so they fire on time and
    /// idle sessions cost nothing in between.
    QTimer m_deadlineTimer;
    QTimer m_housekeeping;
    SysTopics m_sysTopics;
    const SessionSource *m_sessionSource = nullptr;
    mutable quint64 m_reportedMaximum = 0; ///< of reportedCounters().clientsConnected
    std::unique_ptr<analytics::FleetMonitor> m_fleet;
    mqtt::Timestamp m_lastSys{};
    quint64 m_assignedIds = 0;
    bool m_running = false;
    QString m_errorString;

};

} // namespace hermes
