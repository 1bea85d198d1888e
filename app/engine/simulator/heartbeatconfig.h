#pragma once
/// How simulated devices time their heartbeats, as a scenario says it: plain values a
/// scenario, the console's simulator view and the heartbeat strategies share (part of
/// hermes_engine_api).

#include <QString>

#include <chrono>

namespace hermes::sim {

using Duration = std::chrono::milliseconds;
using Timestamp = std::chrono::milliseconds;

/// SmartHeartbeat's search (heartbeatstrategy.h): where it starts, how it steps, when it stops.
struct SmartHeartbeatConfig {
    Duration min = std::chrono::seconds(60);
    Duration max = std::chrono::seconds(600);
    Duration step = std::chrono::seconds(60);
    /// Search stops when first-bad − last-good ≤ precision.
    Duration precision = std::chrono::seconds(15);
    /// Answered heartbeats at an interval before trying a longer one.
    int successesBeforeStepUp = 2;
    /// Subtracted from the converged interval: jitter of the path and of timers.
    Duration safetyMargin = Duration(0);
};

/// "fixed 120 s": FixedHeartbeat::name() of a strategy with `interval`.
QString fixedHeartbeatName(Duration interval);
/// "smart 60–600 s": SmartHeartbeat::name() of a strategy with `config`.
QString smartHeartbeatName(const SmartHeartbeatConfig &config);

} // namespace hermes::sim
