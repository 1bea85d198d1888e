#pragma once
/// When simulated devices reconnect, as a scenario says it (part of hermes_engine_api).

#include <chrono>

namespace hermes::sim {

/// ReconnectPolicy's settings (outside the class so that `Config config = {}` compiles).
struct ReconnectConfig {
    std::chrono::milliseconds minDelay = std::chrono::seconds(1);
    std::chrono::milliseconds maxDelay = std::chrono::seconds(15);
    /// Failed attempts before giving up; 0 = never reconnect.
    int maxAttempts = 6;
    /// Off: every delay is uniform in [min, max]. On: attempt n (0-based) draws from
    /// [min·2ⁿ, max·2ⁿ], capped at `backoffCap`.
    bool exponentialBackoff = false;
    std::chrono::milliseconds backoffCap = std::chrono::minutes(5);
};

} // namespace hermes::sim
