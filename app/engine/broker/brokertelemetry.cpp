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
    MessageRecord record;
    record.atMs = atMs;
    record.topic = publish.topic;
    record.payload = publish.payload.left(MessageRecord::MaxPayload);
    record.payloadSize = publish.payload.size();
    record.qos = publish.qos;
    record.retain = publish.retain;
    record.contentType = publish.properties.contentType.value_or(QString());
    record.fromClientId = fromClientId;
    m_messages.append(std::move(record));
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
