#include "admission.h"

#include "engine/api/telemetry.h"

#include <QHostAddress>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcBroker)

namespace hermes {

Admission::Admission(const BrokerConfig &config, BrokerCounters &counters)
    : m_rate(config.connectionRate)
    , m_counters(counters)
    , m_maxConnections(config.maxConnections)
    , m_limitsRate(config.connectionRate.perSecond > 0)
{
}

bool Admission::admit(const std::optional<QHostAddress> &peer, mqtt::Timestamp at)
{
    if (m_maxConnections > 0 && m_open >= m_maxConnections) {
        ++m_counters.connectionsRefused;
        qCWarning(lcBroker) << "refusing" << (peer ? peer->toString() : QStringLiteral("a connection"))
                            << ": max_connections reached";
        return false;
    }
    if (peer && !m_rate.admit(*peer, at)) {
        ++m_counters.connectionsRefused;
        ++m_counters.connectionRateRefusals;
        qCDebug(lcBroker) << "refusing" << *peer << ": max_connections_per_second";
        return false;
    }
    ++m_counters.connectionsAccepted;
    ++m_open;
    return true;
}

} // namespace hermes
