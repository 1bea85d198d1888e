#pragma once
/// What a console view keeps from an engine's telemetry: the sessions, the counters and the
/// topics of captured messages, for tests of engines attached to a broker.

#include "engine/api/monitor.h"

#include <QHash>
#include <QStringList>

namespace hermes::test {

/// The sessions the engine's telemetry describes, kept as the Sessions view keeps them.
class SessionMirror
{
public:
    explicit SessionMirror(EngineMonitor &engine)
    {
        QObject::connect(&engine, &EngineMonitor::telemetry, &engine, [this](const TelemetryBatch &batch) {
            if (batch.full) {
                sessions.clear();
                ++fullBatches;
            }
            for (const SessionInfo &info : batch.changedSessions)
                sessions.insert(info.clientId, info);
            for (const QString &id : batch.removedSessions)
                sessions.remove(id);
            counters = batch.counters;
            for (const MessageRecord &message : batch.messages)
                topics.append(message.topic);
        });
    }
    bool online(const QString &id) const { return sessions.value(id).online; }
    QHash<QString, SessionInfo> sessions;
    BrokerCounters counters;
    QStringList topics;
    int fullBatches = 0;
};

} // namespace hermes::test
