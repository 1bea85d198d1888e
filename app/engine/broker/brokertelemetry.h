#pragma once
/// What the monitor sees between two looks: the routed messages (up to a limit per batch)
/// and the sessions that ended. Records nothing until enabled, so a headless broker pays
/// nothing for it.

#include "engine/api/telemetry.h"

#include "mqtt/packets.h"

namespace hermes {

class BrokerTelemetry
{
public:
    /// Starts recording, keeping up to `maxMessagesPerBatch` routed messages per batch.
    void enable(qsizetype maxMessagesPerBatch);
    bool isEnabled() const { return m_enabled; }
    /// A routed message; beyond the batch limit it is only counted.
    void recordMessage(const mqtt::Publish &publish, const QString &fromClientId, qint64 atMs);
    void recordSessionRemoved(const QString &clientId);
    /// A batch with what was recorded since the previous one; `full` on the first (the
    /// caller then lists every session, not only the changed ones).
    TelemetryBatch takeBatch(qint64 atMs, const BrokerCounters &counters);

private:
    bool m_enabled = false;
    bool m_sentOnce = false;
    qsizetype m_maxMessages = 0;
    QList<MessageRecord> m_messages;
    quint64 m_messagesNotCaptured = 0;
    QStringList m_removedSessions;
};

} // namespace hermes
