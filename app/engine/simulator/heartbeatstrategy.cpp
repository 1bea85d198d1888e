#include "heartbeatstrategy.h"

#include <algorithm>

namespace hermes::sim {

FixedHeartbeat::FixedHeartbeat(Duration interval)
    : m_interval(std::max(interval, Duration(1)))
{
}

QString FixedHeartbeat::name() const
{
    return fixedHeartbeatName(m_interval);
}

SmartHeartbeat::SmartHeartbeat(Config config)
    : m_config(config)
{
    m_config.min = std::max(m_config.min, Duration(1));
    m_config.max = std::max(m_config.max, m_config.min);
    m_config.step = std::max(m_config.step, Duration(1));
    m_config.precision = std::max(m_config.precision, Duration(1));
    m_config.successesBeforeStepUp = std::max(m_config.successesBeforeStepUp, 1);
    m_interval = m_config.min;
}

QString SmartHeartbeat::name() const
{
    return smartHeartbeatName(m_config);
}

/*
 * The search, in the words of the 智能心跳 articles: probe upward in steps while
 * heartbeats succeed, step down when one fails. Steps are linear until the first failure
 * (a NAT timeout is usually a round number of minutes, so `step` finds its neighbourhood
 * quickly), then the interval bisects [lastGood, firstBad). Cost: (NAT / step) linear
 * probes plus log2(step / precision) bisections, each repeated successesBeforeStepUp
 * times, each lasting the interval it probes.
 */
void SmartHeartbeat::onSuccess(Timestamp now)
{
    if (converged())
        return;
    m_lastGood = std::max(m_lastGood, m_interval);
    if (++m_streak < m_config.successesBeforeStepUp)
        return;
    m_streak = 0;
    if (m_interval >= highest()) { // the NAT (if any) is longer than we would ever wait
        converge(highest(), now);
        return;
    }
    if (m_firstBad) {
        const Duration gap = *m_firstBad - m_lastGood;
        if (gap <= m_config.precision)
            converge(m_lastGood, now);
        else
            m_interval = m_lastGood + gap / 2;
        return;
    }
    m_interval = std::min(highest(), m_interval + m_config.step);
}

void SmartHeartbeat::onFailure(Timestamp now)
{
    ++m_failures;
    m_streak = 0;
    if (converged()) {
        // It used to work at this interval: the path changed. Forget and search again,
        // starting one step on the safe side.
        m_convergedAt.reset();
        m_lastGood = Duration(0);
        m_firstBad = m_interval;
        m_interval = std::max(lowest(), m_interval - m_config.step);
        return;
    }
    m_firstBad = m_firstBad ? std::min(*m_firstBad, m_interval) : m_interval;
    if (m_lastGood >= *m_firstBad) // a shorter NAT than what once worked
        m_lastGood = Duration(0);
    if (m_lastGood > Duration(0)) {
        m_interval = m_lastGood;
        if (*m_firstBad - m_lastGood <= m_config.precision)
            converge(m_lastGood, now);
        return;
    }
    m_interval = std::max(lowest(), m_interval - m_config.step);
}

void SmartHeartbeat::adviseCeiling(Duration ceiling)
{
    const bool wasAtTop = converged() && m_interval >= highest();
    m_ceiling = std::max(ceiling, Duration(1));
    if (m_interval > highest()) {
        m_interval = highest();
        m_streak = 0;
    } else if (wasAtTop && m_interval < highest()) {
        m_convergedAt.reset(); // settled at an older, lower ceiling: search up to this one
        m_streak = 0;
    }
}

void SmartHeartbeat::converge(Duration interval, Timestamp now)
{
    m_interval = std::max(lowest(), interval - m_config.safetyMargin);
    m_convergedAt = now;
}

} // namespace hermes::sim
