#pragma once
/// The broker's $SYS tree: the same topic names as mosquitto's, so existing dashboards work,
/// with load averages per minute smoothed over 1, 5 and 15 minutes the way mosquitto does.

#include "engine/api/telemetry.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <utility>

namespace hermes {

class SysTopics
{
public:
    /// `intervalSeconds`: how often sample() is called (the load averages depend on it).
    explicit SysTopics(int intervalSeconds);

    /// Every "$SYS/broker/…" topic with its value now; advances the load averages.
    QList<std::pair<QString, QByteArray>> sample(const BrokerCounters &counters, qint64 uptimeSeconds);

private:
    struct Load {
        double oneMinute = 0, fiveMinutes = 0, fifteenMinutes = 0;
        quint64 lastCount = 0;
    };
    void update(Load &load, quint64 count) const;

    double m_interval;
    Load m_messagesReceived, m_messagesSent, m_bytesReceived, m_bytesSent, m_connections, m_publishReceived,
        m_publishSent;
};

} // namespace hermes
