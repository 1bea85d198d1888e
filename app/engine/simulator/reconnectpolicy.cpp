#include "reconnectpolicy.h"

#include <algorithm>

namespace hermes::sim {

ReconnectPolicy::ReconnectPolicy(Config config, quint64 seed)
    : m_config(config)
    , m_rng(seed)
{
    m_config.minDelay = std::max(m_config.minDelay, std::chrono::milliseconds(0));
    m_config.maxDelay = std::max(m_config.maxDelay, m_config.minDelay);
    m_config.maxAttempts = std::max(m_config.maxAttempts, 0);
}

std::optional<std::chrono::milliseconds> ReconnectPolicy::nextDelay()
{
    if (exhausted())
        return std::nullopt;
    qint64 low = m_config.minDelay.count();
    qint64 high = m_config.maxDelay.count();
    if (m_config.exponentialBackoff) {
        // Shift at most 30 times: beyond that every value is capped anyway.
        const int shift = std::min(m_attempts, 30);
        const qint64 cap = std::max<qint64>(m_config.backoffCap.count(), low);
        low = std::min(cap, low << shift);
        high = std::min(cap, high << shift);
    }
    ++m_attempts;
    // Uniform over the whole range, including both ends: a narrower spread would bunch the
    // storm again.
    std::uniform_int_distribution<qint64> uniform(low, high);
    return std::chrono::milliseconds(uniform(m_rng));
}

} // namespace hermes::sim
