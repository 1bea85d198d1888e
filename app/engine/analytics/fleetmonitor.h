#pragma once
/// The broker's side of fleet analytics: connection events in, evidence kept across
/// restarts, per-network figures out.

#include "fleetanalytics.h"

#include "engine/brokerconfig.h"
#include "mqtt/sessionmachine.h"

#include <QJsonObject>
#include <QTimer>

#include <functional>

namespace hermes::analytics {

/// Owned by the broker and called from its thread at three points of a connection's life
/// (accepted, a packet after an idle gap, ended). Turns the broker's close reasons into
/// "silent or not", and keeps the evidence in a file of the data directory, written every
/// `flushInterval` and at close(): a kill -9 loses at most that much.
class FleetMonitor
{
public:
    using Clock = std::function<Timestamp()>;

    FleetMonitor(const NetworkSettings &settings, Clock clock, FleetAnalytics::Config config = {});
    ~FleetMonitor();
    FleetMonitor(const FleetMonitor &) = delete;
    FleetMonitor &operator=(const FleetMonitor &) = delete;

    /// Replaces the analytics' tuning and forgets what was learned (tests that scale time).
    void setAnalyticsConfig(FleetAnalytics::Config config);
    /// Restores the evidence saved in `path` (if any) and saves there from now on.
    bool open(const QString &path, QString *error = nullptr);
    /// Saves now; true when nothing is persisted or the file was written.
    bool save(QString *error = nullptr) const;
    /// Saves and stops the timer.
    void close();
    QString path() const { return m_path; }
    std::chrono::milliseconds flushInterval() const { return std::chrono::milliseconds(m_flush.interval()); }
    void setFlushInterval(std::chrono::milliseconds interval) { m_flush.setInterval(int(interval.count())); }

    /// Idle gaps shorter than this are no evidence: callers skip reporting them, so the
    /// per-packet cost is this one comparison.
    Duration idleEvidenceGap() const { return m_idleEvidenceGap; }

    void connectionAccepted(const QString &clientId, const QHostAddress &peer, Timestamp now);
    void packetAfterIdle(const QString &clientId, const QHostAddress &peer, Duration gap, Timestamp now);
    void connectionEnded(const QString &clientId, const QHostAddress &peer, mqtt::CloseReason reason,
                         Timestamp lastInbound, Timestamp now);
    /// A connection that died without a FIN or DISCONNECT: its keep-alive ran out, or the
    /// client redialled while the broker still thought it connected.
    static bool isSilentDeath(mqtt::CloseReason reason);

    QList<NetworkReport> reports() const { return m_analytics.reports(m_clock()); }
    const FleetAnalytics &analytics() const { return m_analytics; }
    /// Whether the broker applies this network's recommendation (`network_act NAME on`).
    bool isActing(const QString &network) const { return m_acting.contains(network); }
    /// The Server Keep Alive for an MQTT 5 client from `peer`: its network's recommended
    /// keep-alive in whole seconds, when that network is acting and has one and the client
    /// asked for more (or for none). Logs each network's value when it changes.
    std::optional<quint16> serverKeepAliveFor(const QHostAddress &peer, quint16 requestedSeconds);

private:
    NetworkMap m_map;
    QStringList m_acting;
    QHash<QString, quint16> m_applied; ///< per acting network: the value last given, for the log
    Clock m_clock;
    FleetAnalytics m_analytics;
    Duration m_idleEvidenceGap;
    QString m_path;
    QTimer m_flush;
};

/// One network's report as the admin API and the HTTP API give it (docs/ADMIN-API.md).
QJsonObject networkReportJson(const NetworkReport &report, bool acting);

} // namespace hermes::analytics
