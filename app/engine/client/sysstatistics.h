#pragma once
/// A broker's own statistics read from its `$SYS/broker/...` topics, in mosquitto's names
/// (which most brokers that publish $SYS follow), as the console's BrokerCounters.

#include "engine/api/telemetry.h"

#include <QByteArray>
#include <QString>

namespace hermes {

class SysStatistics
{
public:
    /// Takes one message; true when its topic is one of the known statistics (the value
    /// then is in counters()). Unknown $SYS topics and unparsable values are ignored.
    bool take(const QString &topic, const QByteArray &payload, qint64 nowMs);
    /// True once any known statistic arrived: the broker publishes $SYS.
    bool seen() const { return m_seen; }
    const BrokerCounters &counters() const { return m_counters; }

private:
    BrokerCounters m_counters;
    bool m_seen = false;
};

} // namespace hermes
