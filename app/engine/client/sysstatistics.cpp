#include "sysstatistics.h"

#include <QHash>

namespace hermes {

namespace {

using Field = quint64 BrokerCounters::*;

const QHash<QString, Field> &fields()
{
    static const QHash<QString, Field> table{
        {QStringLiteral("$SYS/broker/clients/connected"), &BrokerCounters::clientsConnected},
        {QStringLiteral("$SYS/broker/clients/active"), &BrokerCounters::clientsConnected},
        {QStringLiteral("$SYS/broker/clients/total"), &BrokerCounters::clientsTotal},
        {QStringLiteral("$SYS/broker/clients/maximum"), &BrokerCounters::clientsMaximum},
        {QStringLiteral("$SYS/broker/clients/disconnected"), &BrokerCounters::clientsDisconnected},
        {QStringLiteral("$SYS/broker/clients/inactive"), &BrokerCounters::clientsDisconnected},
        {QStringLiteral("$SYS/broker/messages/received"), &BrokerCounters::messagesReceived},
        {QStringLiteral("$SYS/broker/messages/sent"), &BrokerCounters::messagesSent},
        {QStringLiteral("$SYS/broker/publish/messages/received"), &BrokerCounters::publishReceived},
        {QStringLiteral("$SYS/broker/publish/messages/sent"), &BrokerCounters::publishSent},
        {QStringLiteral("$SYS/broker/publish/messages/dropped"), &BrokerCounters::publishDropped},
        {QStringLiteral("$SYS/broker/bytes/received"), &BrokerCounters::bytesReceived},
        {QStringLiteral("$SYS/broker/bytes/sent"), &BrokerCounters::bytesSent},
        {QStringLiteral("$SYS/broker/retained messages/count"), &BrokerCounters::retainedCount},
        {QStringLiteral("$SYS/broker/subscriptions/count"), &BrokerCounters::subscriptionCount},
    };
    return table;
}

} // namespace

bool SysStatistics::take(const QString &topic, const QByteArray &payload, qint64 nowMs)
{
    if (!topic.startsWith(QLatin1String("$SYS/broker/")))
        return false;
    const QByteArray text = payload.trimmed();
    if (topic == QLatin1String("$SYS/broker/uptime")) {
        // "1234 seconds"
        bool ok = false;
        const qint64 seconds = text.left(text.indexOf(' ')).toLongLong(&ok);
        if (!ok)
            return false;
        m_counters.startedAtMs = nowMs - seconds * 1000;
        m_seen = true;
        return true;
    }
    const auto it = fields().constFind(topic);
    if (it == fields().constEnd())
        return false;
    bool ok = false;
    const quint64 value = text.toULongLong(&ok);
    if (!ok)
        return false;
    m_counters.*(it.value()) = value;
    m_seen = true;
    return true;
}

} // namespace hermes
