#pragma once
/// Retained messages by topic: set, replace, clear, expire, and match on subscribe.

#include "mqtt/sessionmachine.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace hermes {

struct RetainedMessage {
    mqtt::Publish publish;                 ///< as published, retain set, no packet id
    std::optional<mqtt::Timestamp> expiresAt;
    qint64 storedAtMs = 0;                 ///< wall clock
};

class RetainedStore
{
public:
    /// Stores, replaces or (empty payload) clears the topic's message [MQTT-3.3.1-5/6/10].
    /// Returns true when the store changed.
    bool apply(const mqtt::Publish &publish, std::optional<mqtt::Timestamp> expiresAt, qint64 nowMs);

    bool remove(const QString &topic);

    /// The live retained messages whose topics match `filter` (not a shared filter).
    QList<RetainedMessage> matching(const QString &filter, mqtt::Timestamp now) const;

    /// Drops messages whose expiry passed; returns the topics removed.
    QStringList expire(mqtt::Timestamp now);

    const QHash<QString, RetainedMessage> &all() const { return m_messages; }
    qsizetype size() const { return m_messages.size(); }

private:
    QHash<QString, RetainedMessage> m_messages;
};

} // namespace hermes
