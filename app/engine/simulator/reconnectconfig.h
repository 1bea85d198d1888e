#pragma once
/// When simulated devices reconnect, as a scenario says it (part of hermes_engine_api).

#include <chrono>
#include <limits>

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

    /// Never gives up: doubling jittered delays from [first, 2·first], at most `cap` — how
    /// hermesd's own links to a cluster (MQTT and management API) come back.
    static ReconnectConfig unending(std::chrono::milliseconds first, std::chrono::milliseconds cap)
    {
        return {first, 2 * first, std::numeric_limits<int>::max(), true, cap};
    }
};

} // namespace hermes::sim
