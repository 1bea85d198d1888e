#pragma once
/// What the live fleet teaches about each network's NAT: the evidence connections leave
/// behind, an estimate of the idle timeout per network, and the cost of getting it wrong.

#include "nattimeoutestimator.h"
#include "networkmap.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>

namespace hermes::analytics {

/// Fed by the broker on its own thread, with its monotonic clock as an argument (nothing
/// here reads a clock). Nothing is kept per connection: device time is integrated from the
/// live count per network, only clients whose connection just died silently are
/// remembered (for `returnWindow`), and every per-network record is bounded.
class FleetAnalytics
{
public:
    struct Config {
        /// Idle gaps shorter than this say nothing about a NAT (no carrier drops a mapping
        /// within half a minute) and are not recorded.
        Duration minEvidenceGap = std::chrono::seconds(30);
        /// A client that redials within this time after a silent death, from the same
        /// network, lost its mapping rather than went away.
        Duration returnWindow = std::chrono::minutes(2);
        /// Survived gaps a device repeats (every heartbeat survives the same gap) are
        /// recorded again only after this long, so one chatty device cannot fill the window.
        Duration refreshInterval = std::chrono::minutes(30);
        qsizetype maxBlindTimeSamples = 1000; ///< per network
        qsizetype maxTrackedDevices = 50000;  ///< per network, for refreshInterval
        int gapHistogramBuckets = 24;         ///< at most, in NetworkReport::gaps
        NatTimeoutEstimator::Config estimator;
    };

    explicit FleetAnalytics(NetworkMap networks = {});
    FleetAnalytics(NetworkMap networks, Config config);

    /// A client connected (CONNACK success) from `peer`.
    void onConnected(const QString &clientId, const QHostAddress &peer, Timestamp now);
    /// A packet arrived on a connection that had been idle for `gap`: the path survived it.
    void onPacketAfterIdle(const QString &clientId, const QHostAddress &peer, Duration gap, Timestamp now);
    /// A connection ended. `silent`: no FIN and no DISCONNECT — its keep-alive ran out, or
    /// the same client took it over while the broker still thought it alive.
    void onDisconnected(const QString &clientId, const QHostAddress &peer, bool silent, Timestamp lastInbound,
                        Timestamp now);

    QString networkOf(const QHostAddress &peer) const { return m_networks.networkOf(peer); }
    /// Every network seen or named, sorted by name.
    QList<NetworkReport> reports(Timestamp now) const;
    std::optional<NetworkReport> report(const QString &network, Timestamp now) const;
    /// Only the NAT estimate of `network` (Strength::None when it is unknown): what a
    /// session's detail shows, without the report's other figures.
    NatEstimate estimate(const QString &network) const;
    const NetworkMap &networks() const { return m_networks; }

    /// The evidence and counters of every network, with times as ages before `now`, so that
    /// restore() under another process's clock puts them back as old as they were.
    QJsonObject toJson(Timestamp now) const;
    /// Adds what toJson() wrote (under any clock) to this instance's networks.
    void restore(const QJsonObject &saved, Timestamp now);

private:
    struct PendingDeath {
        QString network;
        Timestamp lastInbound;
        Timestamp diedAt;
    };
    struct Network {
        NatTimeoutEstimator estimator;
        int live = 0;
        Timestamp liveSince{0};  ///< when `live` last changed
        double connectedMs = 0;  ///< ∫ live dt up to liveSince
        quint64 connects = 0;
        quint64 silentDeaths = 0;
        quint64 natDeaths = 0;
        QList<Duration> blindTimes; ///< newest last, bounded
        /// Per device: the longest survived gap recorded and when, to skip repeats
        /// (forgotten wholesale past Config::maxTrackedDevices).
        QHash<QString, std::pair<Duration, Timestamp>> lastSurvived;
    };
    Network &network(const QString &name);
    void changeLive(Network &network, int delta, Timestamp now);
    void expirePendingDeaths(Timestamp now);
    NetworkReport reportOf(const QString &name, const Network &network, Timestamp now) const;

    NetworkMap m_networks;
    Config m_config;
    QHash<QString, Network> m_byName;
    QHash<QString, PendingDeath> m_pendingDeaths; ///< client ID → its silent death
};

} // namespace hermes::analytics
