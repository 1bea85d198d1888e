#pragma once
/// The MQTT broker: listeners, sessions, routing, retained messages, wills and $SYS.

#include "analytics/fleetmonitor.h"
#include "authbackoff.h"
#include "authenticator.h"
#include "brokerconfig.h"
#include "connectionratelimiter.h"
#include "deadlinequeue.h"
#include "retainedstore.h"
#include "session.h"
#include "store.h"
#include "telemetry.h"

#include "mqtt/subscriptiontree.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <unordered_map>

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
    /// The addresses actually bound (a configured port 0 becomes the real port).
    QList<ListenAddress> listenAddresses() const;
    /// The Unix-domain sockets listened on (BrokerConfig::localSockets).
    QStringList localSocketPaths() const;
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
    /// The durable store, null when persistence is off. Writes queued on it are committed
    /// with the broker's next group commit (call scheduleCommit()) and hold every
    /// connection's output until then.
    Store *store() const { return m_store.get(); }
    void scheduleCommit();
    /// Makes an accepted stream (TLS socket, WebSocket) a client connection, unless
    /// max_connections or max_connections_per_second refuse it (then it is closed: the
    /// transport is deleted). Returns the new connection, or null when refused.
    Connection *acceptTransport(std::unique_ptr<Transport> transport, const QHostAddress &peer);
    /// Closes a client's connection (v5: DISCONNECT 0x98 Administrative action).
    bool kick(const QString &clientId);
    /// Accounts: the config file's, then those managed through the admin API (stored).
    using AccountEntry = Authenticator::AccountEntry;
    QList<AccountEntry> accounts() const { return m_authenticator.accounts(); }
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
    /// The TLS listeners' configuration from BrokerConfig::tls (also used by the HTTP and
    /// WebSocket listeners), or nullopt with errorString().
    std::optional<QSslConfiguration> tlsConfiguration();
    QList<SessionInfo> sessions() const;
    std::optional<SessionDetail> sessionDetail(const QString &clientId) const;
    const RetainedStore &retained() const { return m_retained; }
    /// Monotonic time used for every machine of this broker.
    mqtt::Timestamp now() const { return mqtt::Timestamp(m_clock.elapsed()); }

    // ---- Hooks called by Connection ----
    void onPacketReceived(Connection &connection, const mqtt::PacketReceived &received);
    void onPacketSent(Connection &connection, const mqtt::SendPacket &sent);
    void onConnectRequested(Connection &connection, const mqtt::Connect &connect);
    void onSubscribeRequested(Connection &connection, const mqtt::Subscribe &subscribe);
    void onUnsubscribeRequested(Connection &connection, const mqtt::Unsubscribe &unsubscribe);
    void onMessageFromClient(Connection &connection, mqtt::Publish publish);
    void onMessageCompleted(Connection &connection, const mqtt::MessageCompleted &completed);
    void onMessageDropped(Connection &connection, const mqtt::MessageDropped &dropped);
    /// A QoS 0 PUBLISH not sent because the client stopped reading (too much unsent output).
    void onOutputDropped(Connection &connection, const mqtt::SendPacket &dropped);
    void onConnectionClosed(Connection &connection, const mqtt::CloseConnection &close);
    /// The connection is about to be deleted: no pointer to it may stay behind.
    void forgetConnection(Connection &connection);
    void countBytesReceived(qsizetype bytes) { m_counters.bytesReceived += quint64(bytes); }
    /// Fleet analytics: what connections prove about each network's NAT (Connection reports
    /// a packet after an idle gap of at least fleet().idleEvidenceGap()).
    analytics::FleetMonitor &fleet() { return *m_fleet; }
    const analytics::FleetMonitor &fleet() const { return *m_fleet; }
    void onPacketAfterIdle(Connection &connection, mqtt::Duration gap, mqtt::Timestamp now);
    /// True while the store holds uncommitted writes: connections hold their output.
    bool mustHoldOutput() const { return m_store && m_store->hasPendingWrites(); }
    /// Registers a connection whose output waits for the next commit.
    void holdUntilCommit(Connection &connection);
    /// Commits at once (a closing connection must not leave with its output held).
    void commitNow() { commitStore(); }
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
    /// An application message was routed (any source), for live message views.
    void messagePublished(const QString &topic, const QByteArray &payload, int qos, bool retain);
    /// The store failed (locked, corrupt, full disk); the broker keeps serving from memory
    /// and keeps retrying, but nothing new is durable until this clears.
    void storeError(const QString &message);

private:
    void acceptPendingConnections(QTcpServer *server);
    /// max_connections_per_second from one source; counts a refusal.
    bool admitConnection(const QHostAddress &peer);
    void acceptDescriptor(qintptr descriptor);
    /// A Unix-socket listener's client, with its peer credentials.
    void acceptLocalDescriptor(qintptr descriptor);
    bool listenLocal(const QString &path);
    /// Checks connected clients against the current accounts and rules; only those of
    /// `userName` when given.
    void revalidateSessions(const std::optional<QString> &userName = std::nullopt);
    /// Drops the subscriptions `session`'s identity may no longer hold.
    void dropForbiddenSubscriptions(Session &session);
    bool openStore();
    void loadFromStore();
    /// Reports every traced message still in `state` as abandoned (its session ends).
    void abandonTraced(const mqtt::SessionState &state, const QString &why);
    void commitStore();
    void applyRetained(const mqtt::Publish &publish);
    /// Wall-clock ms for a monotonic deadline (what the store keeps).
    std::optional<qint64> wallTime(std::optional<mqtt::Timestamp> at) const;
    Session *sessionFor(const QString &clientId) const;
    Session &createSession(const QString &clientId);
    void endSession(Session &session);
    /// Delivers to every matching subscriber; false when nobody matched.
    bool route(const mqtt::Publish &publish, std::optional<mqtt::SubscriberId> publisher);
    void deliver(Session &session, const mqtt::Publish &publish, mqtt::QoS qos, bool retain,
                 const QList<quint32> &subscriptionIdentifiers, std::optional<mqtt::Timestamp> expiresAt);
    void publishWill(const QString &clientId, const mqtt::Will &will);
    /// Runs what is due for `session` at `at`: publishes a will whose delay is over, ends
    /// an offline session whose expiry is over, and schedules what is left. False when the
    /// session ended (it is deleted).
    bool runDueTimers(Session &session, mqtt::Timestamp at);
    /// The session's next deadline (its will, its expiry, the first expiry among the
    /// messages queued while it is offline) in m_sessionDeadlines. O(offline queue).
    void scheduleSessionDeadline(Session &session);
    /// Drops the offline queue's expired messages, reporting them like the machine does.
    void dropExpiredOffline(Session &session, mqtt::Timestamp at);
    /// The deadline timer fired: due sessions and expired retained messages.
    void onDeadlines();
    /// Arms m_deadlineTimer for the earliest deadline of any kind.
    void armDeadlineTimer();
    void housekeeping();
    void publishSys();
    void updateSessionInfo(Session &session);
    std::optional<mqtt::Timestamp> expiryFor(const mqtt::Publish &publish) const;
    QString assignClientId();

    BrokerConfig m_config;
    /// m_config.limits, shared by every connection's machine.
    std::shared_ptr<const mqtt::ServerLimits> m_sharedLimits;
    AccessControl m_access;
    ConnectionRateLimiter m_connectionRate;
    AuthBackoff m_authBackoff;
    Authenticator m_authenticator;
    /// What Unix-socket and certificate-identity connections proved before CONNECT.
    QHash<const Connection *, TransportIdentity> m_transportIdentities;
    QList<QObject *> m_localServers; ///< LocalListeners, children of this
    QElapsedTimer m_clock;
    QList<QTcpServer *> m_servers; ///< children of this
    std::unique_ptr<ConnectionContext> m_connectionContext;
    QHash<QString, Session *> m_sessionsByClientId;
    std::unordered_map<mqtt::SubscriberId, std::unique_ptr<Session>> m_sessions;
    QHash<QString, quint32> m_sharedCursor;
    QStringList m_messageTaps;
    /// While publishTraced() routes: whose copy to trace, and whether it was accepted.
    struct TraceTarget {
        mqtt::SubscriberId subscriber = 0;
        quint64 trace = 0;
        bool accepted = false;
    };
    std::optional<TraceTarget> m_traceTarget; ///< round-robin position per "$share/g/f"
    mqtt::SubscriptionTree m_subscriptions;
    std::unique_ptr<Store> m_store;           ///< null when persistence is off
    std::unique_ptr<analytics::FleetMonitor> m_fleet;
    /// Connections with output held for the commit (a deleted one leaves the list first).
    QList<Connection *> m_awaitingCommit;
    QTimer m_commitRetry;
    bool m_commitScheduled = false;
    bool m_storeFailing = false;

    // Telemetry for the monitor, recorded only once enableTelemetry() was called.
    bool m_telemetryEnabled = false;
    bool m_telemetrySentOnce = false;
    qsizetype m_maxCapturedMessages = 0;
    QList<MessageRecord> m_capturedMessages;
    quint64 m_messagesNotCaptured = 0;
    QStringList m_removedSessions;
    RetainedStore m_retained;
    BrokerCounters m_counters;
    /// Will delays, session expiry and offline message expiry, per session; retained
    /// message expiry lives in m_retained. One precise timer wakes the broker at the
    /// earliest of them, so they fire on time and idle sessions cost nothing in between.
    DeadlineQueue<mqtt::SubscriberId> m_sessionDeadlines;
    QTimer m_deadlineTimer;
    QTimer m_housekeeping;
    mqtt::Timestamp m_lastSys{};
    mqtt::SubscriberId m_nextSubscriberId = 1;
    quint64 m_assignedIds = 0;
    int m_connectionCount = 0;
    bool m_running = false;
    QString m_errorString;

    // Load averages for $SYS (per minute, exponentially smoothed like mosquitto).
    struct Load {
        double oneMinute = 0, fiveMinutes = 0, fifteenMinutes = 0;
        quint64 lastCount = 0;
    };
    Load m_loadMessagesReceived, m_loadMessagesSent, m_loadBytesReceived, m_loadBytesSent,
        m_loadConnections, m_loadPublishReceived, m_loadPublishSent;
};

} // namespace hermes
