#pragma once
/// When a simulated device reconnects after losing its connection. Pure logic with a seeded
/// generator, so a fleet's reconnect storm is the same on every run.

#include "engine/simulator/reconnectconfig.h"

#include <QtGlobal>

#include <chrono>
#include <optional>
#include <random>

namespace hermes::sim {

/// Reconnect without storms: each device waits a random delay (1–15 s in the reference
/// system) so that a broker that dropped everyone is not knocked over again, and gives up
/// after `maxAttempts` failed tries (6 in the reference system).
class ReconnectPolicy
{
public:
    using Config = ReconnectConfig;

    explicit ReconnectPolicy(Config config = {}, quint64 seed = 1);

    const Config &config() const { return m_config; }
    /// Delay before the next attempt, counting it; nullopt once maxAttempts were used up.
    std::optional<std::chrono::milliseconds> nextDelay();
    /// The connection came up: the next loss starts counting from zero again.
    void reset() { m_attempts = 0; }
    /// Attempts since the last reset().
    int attempts() const { return m_attempts; }
    bool exhausted() const { return m_attempts >= m_config.maxAttempts; }

private:
    Config m_config;
    std::mt19937_64 m_rng;
    int m_attempts = 0;
};

} // namespace hermes::sim
