#include "retainedstore.h"

#include "mqtt/topic.h"

namespace hermes {

bool RetainedStore::apply(const mqtt::Publish &publish, std::optional<mqtt::Timestamp> expiresAt, qint64 nowMs)
{
    if (publish.payload.isEmpty())
        return m_messages.remove(publish.topic) > 0;
    RetainedMessage &stored = m_messages[publish.topic];
    stored.publish = publish;
    stored.publish.packetId.reset();
    stored.publish.dup = false;
    stored.publish.retain = true;
    stored.publish.properties.topicAlias.reset();
    stored.publish.properties.subscriptionIdentifiers.clear();
    stored.expiresAt = expiresAt;
    stored.storedAtMs = nowMs;
    return true;
}

bool RetainedStore::remove(const QString &topic)
{
    return m_messages.remove(topic) > 0;
}

QList<RetainedMessage> RetainedStore::matching(const QString &filter, mqtt::Timestamp now) const
{
    QList<RetainedMessage> result;
    // A linear scan: subscribes are rare next to publishes, and a topic trie for retained
    // messages can replace this without changing callers when measurements ask for it.
    for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it) {
        if (it->expiresAt && *it->expiresAt <= now)
            continue;
        if (mqtt::topicMatches(filter, it.key()))
            result.append(*it);
    }
    return result;
}

QStringList RetainedStore::expire(mqtt::Timestamp now)
{
    QStringList removed;
    for (auto it = m_messages.begin(); it != m_messages.end();) {
        if (it->expiresAt && *it->expiresAt <= now) {
            removed.append(it.key());
            it = m_messages.erase(it);
        } else {
            ++it;
        }
    }
    return removed;
}

} // namespace hermes
