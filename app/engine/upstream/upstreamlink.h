#pragma once
/// hermesd's link to an external clustered broker (upstream mode, docs/SCALE-OUT.md): one
/// MQTT 3.1.1 connection to one node of the list at a time, failing over to the next with
/// jittered back-off, carrying the push service's envelopes out and devices' receipts and
/// registrations in, over TLS when the cluster's listeners speak it.

#include "engine/brokerconfig.h"
#include "engine/mqttclient.h"
#include "engine/push/pushtransport.h"
#include "engine/simulator/reconnectpolicy.h"

#include <QJsonObject>
#include <QTimer>

#include <deque>
#include <map>

namespace hermes {

class AdminApi;
class SessionSource;

/// A PushTransport over Hermes's own MqttClient. It speaks MQTT 3.1.1 at QoS ≤ 1, which
/// every clustered broker takes (RabbitMQ 3.10 knows nothing newer). A delivery is "sent"
/// once the node acknowledged it (PUBACK: the cluster has it); whether the device got it is
/// for its receipt to say. Messages handed over while no node is connected wait here, and
/// those in flight when a node dies are sent again to the next one (same envelope and
/// sequence number: a device drops the copy). Each connection is a clean session: a node's
/// queues die with it, so the link subscribes again on every node it reaches.
class UpstreamLink final : public PushTransport
{
    Q_OBJECT
public:
    /// Back-off between attempts: attempt n after a loss waits a uniform delay in
    /// [firstDelay·2ⁿ, 2·firstDelay·2ⁿ], at most maxDelay, and goes to the next node.
    struct Timing {
        std::chrono::milliseconds firstDelay{200};
        std::chrono::milliseconds maxDelay{std::chrono::seconds(10)};
        std::chrono::milliseconds connectTimeout{std::chrono::seconds(5)};
        /// A node that dies without closing the connection (power, network) is noticed
        /// after at most keep-alive plus pingTimeout.
        quint16 keepAliveSeconds = 5;
        std::chrono::milliseconds pingTimeout{std::chrono::seconds(5)};
        /// Messages kept while no node is connected; beyond it deliveries fail at once.
        qsizetype maxBacklog = 100000;
    };

    explicit UpstreamLink(UpstreamSettings settings, QObject *parent = nullptr);
    UpstreamLink(UpstreamSettings settings, Timing timing, QObject *parent = nullptr);
    ~UpstreamLink() override;

    /// Connects to the first node of the list.
    void start();

    bool isConnected() const { return m_client.state() == MqttClient::State::Connected; }
    /// The node connected to, or being tried.
    const UpstreamNode &currentNode() const { return m_settings.nodes.at(m_nodeIndex); }
    /// Connections established after the first: how often the link failed over.
    quint64 failovers() const { return m_connects > 0 ? m_connects - 1 : 0; }
    qsizetype backlog() const { return qsizetype(m_backlog.size()); }
    /// Connected, and every receipt and registration subscription granted.
    bool isListening() const { return isConnected() && m_subscribing.isEmpty() && m_refusedSubscriptions == 0; }
    /// Why the last attempt failed or the last connection ended ("TLS handshake failed: …"
    /// names what to fix); empty while none has.
    QString lastError() const { return m_lastError; }
    /// {"nodes": [...], "node", "connected", "listening", "failovers", "waiting", "tls",
    /// "lastError", "lastErrorAtMs"?}
    QJsonObject status() const;
    /// Adds "upstream/status" (status()) to the admin API, with `sessions`' status as
    /// "management" when hermesd reads the cluster's sessions.
    void addAdminMethods(AdminApi &api, const SessionSource *sessions = nullptr) const;

    bool deliverTraced(mqtt::Publish message, const QString &deviceId, quint64 trace) override;
    void publish(mqtt::Publish message) override;
    void listen(const QString &filter) override;
    mqtt::QoS maximumQoS() const override { return mqtt::QoS::AtLeastOnce; }
    bool expiresQueuedMessages() const override { return false; }
    /// A device's clean session on the cluster takes whatever was published to it while it
    /// was away with it, unreported.
    bool reportsAbandonedCopies() const override { return false; }
    QString route() const override;

signals:
    void connectedTo(const QString &node);
    /// The link lost `node` (or never reached it) and tries `next` in `delayMs`.
    void nodeLost(const QString &node, const QString &why, const QString &next, qint64 delayMs);

private:
    /// A message on its way: trace 0 is an untraced publish.
    struct Outgoing {
        mqtt::Publish publish;
        quint64 trace = 0;
    };

    void connectNow();
    void onConnected();
    void onDisconnected(const QString &why);
    void send(Outgoing outgoing);
    void subscribe(const QString &filter);

    UpstreamSettings m_settings;
    Timing m_timing;
    MqttClient m_client;
    sim::ReconnectPolicy m_backoff;
    QTimer m_retryTimer;
    QStringList m_filters;
    QHash<quint16, QString> m_subscribing; ///< SUBSCRIBE packet id → its filter
    int m_refusedSubscriptions = 0;        ///< on this connection
    std::deque<Outgoing> m_backlog;       ///< waiting for a connection
    std::map<quint16, Outgoing> m_inflight; ///< QoS 1 sent on this connection, by packet id
    qsizetype m_nodeIndex = 0;
    quint64 m_connects = 0;
    quint64 m_attempts = 0;
    bool m_running = false;
    QString m_lastError;
    qint64 m_lastErrorAtMs = 0;
    /// Per node, the failure logged last since it was last connected: a node that keeps
    /// failing the same way (a CA that does not match, a port that refuses) is logged once,
    /// not at every retry.
    QHash<QString, QString> m_loggedFailures;
};

} // namespace hermes
