#include "brokertelemetry.h"

namespace hermes {

void BrokerTelemetry::enable(qsizetype maxMessagesPerBatch)
{
    m_enabled = true;
    m_maxMessages = maxMessagesPerBatch;
}

void BrokerTelemetry::recordMessage(const mqtt::Publish &publish, const QString &fromClientId, qint64 atMs)
{
    if (!m_enabled)
        return;
    if (m_messages.size() >= m_maxMessages) {
        ++m_messagesNotCaptured;
        return;
    }
    m_messages.append(MessageRecord::of(publish, atMs, fromClientId));
}

void BrokerTelemetry::recordSessionRemoved(const QString &clientId)
{
    if (m_enabled)
        m_removedSessions.append(clientId);
}

TelemetryBatch BrokerTelemetry::takeBatch(qint64 atMs, const BrokerCounters &counters)
{
    TelemetryBatch batch;
    batch.atMs = atMs;
    batch.counters = counters;
    batch.full = !std::exchange(m_sentOnce, true);
    batch.removedSessions = std::exchange(m_removedSessions, {});
    batch.messages = std::exchange(m_messages, {});
    batch.messagesNotCaptured = std::exchange(m_messagesNotCaptured, 0);
    return batch;
}

} // namespace hermes
