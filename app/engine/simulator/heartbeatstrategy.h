#pragma once
/// Heartbeat strategies for simulated devices: how long a device stays silent before its
/// next PINGREQ. Pure logic: time comes in as an argument, nothing reads a clock, so tests
/// drive them with a fake clock and a fake NAT.

#include "engine/simulator/heartbeatconfig.h"

#include <QString>
#include <QtGlobal>

#include <algorithm>
#include <chrono>
#include <optional>

namespace hermes::sim {

/// Decides the idle interval before the next heartbeat and learns from each outcome.
/// The caller sends a heartbeat after currentInterval() of silence and reports the result:
/// onSuccess() when the pong came back, onFailure() when it never came or the link died.
class HeartbeatStrategy
{
public:
    virtual ~HeartbeatStrategy() = default;

    /// "fixed 120 s", "smart 60–600 s"
    virtual QString name() const = 0;
    /// Silence to wait before the next heartbeat.
    virtual Duration currentInterval() const = 0;
    /// The longest interval this strategy will ever use (the MQTT keep-alive to announce).
    virtual Duration maxInterval() const = 0;
    /// True once the strategy has settled on an interval.
    virtual bool converged() const = 0;
    /// A heartbeat sent after currentInterval() of silence was answered.
    virtual void onSuccess(Timestamp now) = 0;
    /// A heartbeat was not answered (pong timeout) or the link died while idle.
    virtual void onFailure(Timestamp now) = 0;
    /// Whether the strategy takes a keep-alive offer from the broker (a smart heartbeat
    /// does; a fixed one is what it is). A device that does registers as one.
    virtual bool takesAdvice() const { return false; }
    /// A verified keep-alive offer: never wait longer than `ceiling` from now on (a later
    /// offer replaces it). Ignored unless takesAdvice().
    virtual void adviseCeiling(Duration ceiling) { Q_UNUSED(ceiling); }
    /// When the next heartbeat is due, given when the link last carried traffic.
    Timestamp nextHeartbeat(Timestamp lastActivity) const { return lastActivity + currentInterval(); }
};

/// The reference system's choice: always the same interval (it used 120 s). Never adapts,
/// so it is converged from the start.
class FixedHeartbeat final : public HeartbeatStrategy
{
public:
    explicit FixedHeartbeat(Duration interval);

    QString name() const override;
    Duration currentInterval() const override { return m_interval; }
    Duration maxInterval() const override { return m_interval; }
    bool converged() const override { return true; }
    void onSuccess(Timestamp) override { }
    void onFailure(Timestamp) override { }

private:
    Duration m_interval;
};

/// Smart heartbeat (智能心跳): start at `min`, step up by `step` after
/// `successesBeforeStepUp` answered heartbeats in a row, and on a failure fall back to the
/// longest interval known to work. Once a failure bounds the search from above, the next
/// probes bisect between the last good and the first bad interval; the search is converged
/// when that gap is at most `precision` (or when `max` itself works). The result sits just
/// under the path's NAT timeout.
///
/// A failure at the converged interval means the path changed (another network, another
/// carrier): the strategy drops what it learned and searches again from the safe side.
///
/// The broker's keep-alive offer is a ceiling over `min` and `max`: the search stays at or
/// below it and converges at it when it works, so a device whose range starts above its
/// network's NAT timeout stops dying once the broker has learned that timeout.
class SmartHeartbeat final : public HeartbeatStrategy
{
public:
    using Config = SmartHeartbeatConfig;

    explicit SmartHeartbeat(Config config);

    QString name() const override;
    Duration currentInterval() const override { return m_interval; }
    Duration maxInterval() const override { return m_config.max; }
    bool converged() const override { return m_convergedAt.has_value(); }
    void onSuccess(Timestamp now) override;
    void onFailure(Timestamp now) override;
    bool takesAdvice() const override { return true; }
    void adviseCeiling(Duration ceiling) override;
    /// The broker's offer, if one came.
    std::optional<Duration> ceiling() const { return m_ceiling; }

    const Config &config() const { return m_config; }
    /// Longest interval answered so far (0 before the first success).
    Duration lastGood() const { return m_lastGood; }
    /// Shortest interval that failed, if any.
    std::optional<Duration> firstBad() const { return m_firstBad; }
    /// When the search converged (the time passed to the deciding onSuccess()).
    std::optional<Timestamp> convergedAt() const { return m_convergedAt; }
    int failures() const { return m_failures; }

private:
    void converge(Duration interval, Timestamp now);
    /// `min` and `max` under the ceiling. Under a ceiling the floor drops to half of the
    /// lower of the two, so a failure at the offered value (a NAT shorter than the broker
    /// learned) still has room to search down, and a search between `min` and the ceiling
    /// is not clamped back up to `min`.
    Duration lowest() const { return m_ceiling ? std::min(m_config.min, *m_ceiling) / 2 : m_config.min; }
    Duration highest() const { return m_ceiling ? std::min(m_config.max, *m_ceiling) : m_config.max; }

    Config m_config;
    std::optional<Duration> m_ceiling;
    Duration m_interval;
    Duration m_lastGood{0};
    std::optional<Duration> m_firstBad;
    std::optional<Timestamp> m_convergedAt;
    int m_streak = 0; ///< consecutive successes at m_interval
    int m_failures = 0;
};

} // namespace hermes::sim
