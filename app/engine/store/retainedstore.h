#pragma once
/// Retained messages by topic: set, replace, clear, expire, and match on subscribe.

#include "engine/deadlinequeue.h"

#include "mqtt/sessionmachine.h"

#include <QHash>
#include <QList>
#include <QString>

#include <map>
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

    /// Drops messages whose expiry passed; returns the topics removed. Costs O(log n) per
    /// expired message, nothing per live one.
    QStringList expire(mqtt::Timestamp now);
    /// When expire() next has something to do; nullopt when no message expires.
    std::optional<mqtt::Timestamp> nextExpiry() { return m_expiries.earliest(); }

    const QHash<QString, RetainedMessage> &all() const { return m_messages; }
    qsizetype size() const { return m_messages.size(); }

private:
    /// Topic levels of the stored messages: a SUBSCRIBE walks only the branches its filter
    /// can match instead of testing every retained topic.
    struct Node {
        std::map<QString, Node> children;
        bool retained = false; ///< a message is stored under the path to this node
    };
    void index(const QString &topic);
    void unindex(const QString &topic);
    void collect(const Node &node, const QList<QStringView> &levels, qsizetype level, const QString &path,
                 mqtt::Timestamp now, QList<RetainedMessage> &out) const;
    void collectAll(const Node &node, const QString &path, mqtt::Timestamp now, QList<RetainedMessage> &out) const;
    void take(const QString &topic, mqtt::Timestamp now, QList<RetainedMessage> &out) const;

    QHash<QString, RetainedMessage> m_messages;
    Node m_root;
    DeadlineQueue<QString> m_expiries; ///< topics of the messages that expire
};

} // namespace hermes
