#pragma once
/// The broker's side of fleet analytics: connection events in, evidence kept across
/// restarts, per-network figures out.

#include "fleetanalytics.h"

#include "engine/brokerconfig.h"
#include "mqtt/sessionmachine.h"

#include <QJsonObject>
#include <QTimer>

#include <cmath>
#include <functional>

namespace hermes::analytics {

/// Owned by the broker and called from its thread at three points of a connection's life
/// (accepted, a packet after an idle gap, ended). Turns the broker's close reasons into
/// "silent or not", and keeps the evidence in a file of the data directory, written every
/// `flushInterval` and at close(): a kill -9 loses at most that much.
///
/// Under a time scale (NetworkSettings::timeScale) every time going in (the clock, gaps,
/// last packets) is multiplied by it and every keep-alive going out to devices divided:
/// the analytics and their reports live in the simulated fleet's time.
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

    /// Idle gaps shorter than this (real time) are no evidence: callers skip reporting
    /// them, so the per-packet cost is this one comparison.
    Duration idleEvidenceGap() const { return m_idleEvidenceGap; }
    double timeScale() const { return m_timeScale; }

    void connectionAccepted(const QString &clientId, const QHostAddress &peer, Timestamp now);
    void packetAfterIdle(const QString &clientId, const QHostAddress &peer, Duration gap, Timestamp now);
    void connectionEnded(const QString &clientId, const QHostAddress &peer, mqtt::CloseReason reason,
                         Timestamp lastInbound, Timestamp now);
    /// A connection that died without a FIN or DISCONNECT: its keep-alive ran out, or the
    /// client redialled while the broker still thought it connected.
    static bool isSilentDeath(mqtt::CloseReason reason);

    /// Every network's report, with what the broker applies where it acts.
    QList<NetworkReport> reports() const;
    const FleetAnalytics &analytics() const { return m_analytics; }
    /// Whether the broker applies this network's recommendation (`network_act NAME on`).
    bool isActing(const QString &network) const { return m_acting.contains(network); }
    /// Switches acting on a network at run time. On: its recommendation is applied now if
    /// the evidence is adequate (a change from none, with the rate until now). Off: a change
    /// to none is recorded; devices already told keep the value until they reconnect (MQTT
    /// 5) or are told otherwise (smart heartbeat).
    void setActing(const QString &network, bool on);
    /// The Server Keep Alive for an MQTT 5 client from `peer`: its network's applied
    /// keep-alive, when that network is acting and has one and the client asked for more
    /// (or for none).
    std::optional<quint16> serverKeepAliveFor(const QHostAddress &peer, quint16 requestedSeconds);

    /// The keep-alive (whole seconds, the fleet's time) the broker gives devices of
    /// `network` now; 0 while it does not act there or has no recommendation yet.
    quint16 appliedKeepAlive(const QString &network) const { return m_advice.value(network).applied; }
    /// The same as it goes on the wire (Server Keep Alive, keep-alive offers): divided by the
    /// time scale, rounded down so that it stays below the NAT timeout, at least 1.
    quint16 appliedKeepAliveOnWire(const QString &network) const;
    /// Takes each acting network's current recommendation, once its evidence is adequate,
    /// as its applied value when it moved by at least a tenth (whole seconds jitter with
    /// every new observation, and a change costs an offer to every smart-heartbeat device).
    /// A lost recommendation keeps the last value.
    /// Each change is logged with the silent-death rate before it, kept in the report and
    /// passed to the advice listener. Runs at every connect of an acting network's client and
    /// every adviceInterval().
    void refreshAdvice();
    std::chrono::milliseconds adviceInterval() const { return std::chrono::milliseconds(m_adviceTimer.interval()); }
    void setAdviceInterval(std::chrono::milliseconds interval) { m_adviceTimer.setInterval(int(interval.count())); }
    /// Called with (network, new keep-alive in seconds) after each change.
    void setAdviceListener(std::function<void(const QString &, quint16)> listener) { m_adviceListener = std::move(listener); }
    /// A keep-alive offer went to a device of `network` (counted in its report).
    void offerSent(const QString &network) { ++m_advice[network].offersSent; }

    /// Changes kept per network.
    static constexpr qsizetype MaxAdviceChanges = 8;

private:
    /// A change as recorded: the counters at that moment, so the rate since can be worked
    /// out later from the next change's counters or the current ones.
    struct RecordedChange {
        AdviceChange change;
        quint64 silentDeaths = 0;
        double deviceHours = 0;
    };
    struct Advice {
        quint16 applied = 0;
        quint64 offersSent = 0;
        QList<RecordedChange> changes; ///< oldest first, at most MaxAdviceChanges
    };
    void refreshAdvice(const QString &network, Timestamp now);
    /// The broker's clock in the fleet's time.
    Timestamp now() const { return simulated(m_clock()); }
    Duration simulated(Duration real) const
    {
        return m_timeScale == 1.0 ? real : Duration(qint64(std::llround(double(real.count()) * m_timeScale)));
    }
    Duration real(Duration simulated) const
    {
        return m_timeScale == 1.0 ? simulated : Duration(qint64(std::llround(double(simulated.count()) / m_timeScale)));
    }
    /// Makes `seconds` (0 = none) the network's value: records, logs and tells the listener.
    void applyAdvice(const QString &network, quint16 seconds, const NetworkReport &report);

    NetworkMap m_map;
    QStringList m_acting;
    QHash<QString, Advice> m_advice; ///< per network acted on (kept when switched off)
    std::function<void(const QString &, quint16)> m_adviceListener;
    QTimer m_adviceTimer;
    Clock m_clock;
    double m_timeScale = 1.0;
    FleetAnalytics m_analytics;
    Duration m_idleEvidenceGap;
    QString m_path;
    QTimer m_flush;
};

/// One network's report as the admin API and the HTTP API give it (docs/ADMIN-API.md).
QJsonObject networkReportJson(const NetworkReport &report, bool acting);

} // namespace hermes::analytics
