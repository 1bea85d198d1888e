#include "systopics.h"

#include "../version.h"

#include <cmath>

namespace hermes {

SysTopics::SysTopics(int intervalSeconds)
    : m_interval(intervalSeconds)
{
}

void SysTopics::update(Load &load, quint64 count) const
{
    const double perMinute = double(count - load.lastCount) * (60.0 / m_interval);
    load.lastCount = count;
    auto smooth = [&](double &value, double minutes) {
        const double exponent = std::exp(-m_interval / (minutes * 60.0));
        value = value * exponent + perMinute * (1.0 - exponent);
    };
    smooth(load.oneMinute, 1);
    smooth(load.fiveMinutes, 5);
    smooth(load.fifteenMinutes, 15);
}

QList<std::pair<QString, QByteArray>> SysTopics::sample(const BrokerCounters &counters, qint64 uptimeSeconds)
{
    update(m_messagesReceived, counters.messagesReceived);
    update(m_messagesSent, counters.messagesSent);
    update(m_bytesReceived, counters.bytesReceived);
    update(m_bytesSent, counters.bytesSent);
    update(m_connections, counters.connectionsAccepted);
    update(m_publishReceived, counters.publishReceived);
    update(m_publishSent, counters.publishSent);

    QList<std::pair<QString, QByteArray>> topics;
    auto sys = [&topics](const QString &topic, const QString &value) {
        topics.append({QStringLiteral("$SYS/broker/") + topic, value.toUtf8()});
    };
    auto number = [](quint64 value) { return QString::number(value); };
    sys(QStringLiteral("version"), QStringLiteral("hermes version %1").arg(versionString()));
    sys(QStringLiteral("uptime"), QStringLiteral("%1 seconds").arg(uptimeSeconds));
    sys(QStringLiteral("clients/connected"), number(counters.clientsConnected));
    sys(QStringLiteral("clients/active"), number(counters.clientsConnected));
    sys(QStringLiteral("clients/total"), number(counters.clientsTotal));
    sys(QStringLiteral("clients/disconnected"), number(counters.clientsDisconnected));
    sys(QStringLiteral("clients/inactive"), number(counters.clientsDisconnected));
    sys(QStringLiteral("clients/maximum"), number(counters.clientsMaximum));
    sys(QStringLiteral("messages/received"), number(counters.messagesReceived));
    sys(QStringLiteral("messages/sent"), number(counters.messagesSent));
    sys(QStringLiteral("messages/stored"), number(counters.retainedCount + counters.queuedTotal));
    sys(QStringLiteral("store/messages/count"), number(counters.retainedCount + counters.queuedTotal));
    sys(QStringLiteral("publish/messages/received"), number(counters.publishReceived));
    sys(QStringLiteral("publish/messages/sent"), number(counters.publishSent));
    sys(QStringLiteral("publish/messages/dropped"), number(counters.publishDropped));
    sys(QStringLiteral("bytes/received"), number(counters.bytesReceived));
    sys(QStringLiteral("bytes/sent"), number(counters.bytesSent));
    sys(QStringLiteral("retained messages/count"), number(counters.retainedCount));
    sys(QStringLiteral("subscriptions/count"), number(counters.subscriptionCount));
    const QList<std::pair<QString, const Load *>> loads = {
        {QStringLiteral("messages/received"), &m_messagesReceived},
        {QStringLiteral("messages/sent"), &m_messagesSent},
        {QStringLiteral("bytes/received"), &m_bytesReceived},
        {QStringLiteral("bytes/sent"), &m_bytesSent},
        {QStringLiteral("connections"), &m_connections},
        {QStringLiteral("publish/received"), &m_publishReceived},
        {QStringLiteral("publish/sent"), &m_publishSent},
    };
    for (const auto &[name, load] : loads) {
        sys(QStringLiteral("load/%1/1min").arg(name), QString::number(load->oneMinute, 'f', 2));
        sys(QStringLiteral("load/%1/5min").arg(name), QString::number(load->fiveMinutes, 'f', 2));
        sys(QStringLiteral("load/%1/15min").arg(name), QString::number(load->fifteenMinutes, 'f', 2));
    }
    return topics;
}

} // namespace hermes
