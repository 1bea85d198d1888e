#include "retainedstore.h"

namespace hermes {

namespace {

QString childPath(const QString &path, const QString &level, bool atRoot)
{
    return atRoot ? level : path + QLatin1Char('/') + level;
}

} // namespace

bool RetainedStore::apply(const mqtt::Publish &publish, std::optional<mqtt::Timestamp> expiresAt, qint64 nowMs)
{
    if (publish.payload.isEmpty())
        return remove(publish.topic);
    const auto existing = m_messages.find(publish.topic);
    RetainedMessage &stored = existing != m_messages.end() ? *existing : m_messages[publish.topic];
    if (existing == m_messages.end())
        index(publish.topic);
    stored.publish = publish;
    stored.publish.packetId.reset();
    stored.publish.dup = false;
    stored.publish.retain = true;
    stored.publish.properties.topicAlias.reset();
    stored.publish.properties.subscriptionIdentifiers.clear();
    stored.expiresAt = expiresAt;
    stored.storedAtMs = nowMs;
    if (expiresAt)
        m_expiries.schedule(publish.topic, *expiresAt);
    else
        m_expiries.cancel(publish.topic);
    return true;
}

bool RetainedStore::remove(const QString &topic)
{
    if (m_messages.remove(topic) == 0)
        return false;
    m_expiries.cancel(topic);
    unindex(topic);
    return true;
}

void RetainedStore::index(const QString &topic)
{
    Node *node = &m_root;
    for (const QStringView level : QStringView(topic).split(u'/'))
        node = &node->children[level.toString()];
    node->retained = true;
}

void RetainedStore::unindex(const QString &topic)
{
    // Walk down remembering the path, then prune the branches that hold nothing any more.
    QList<std::pair<Node *, std::map<QString, Node>::iterator>> path;
    Node *node = &m_root;
    for (const QStringView level : QStringView(topic).split(u'/')) {
        const auto it = node->children.find(level.toString());
        if (it == node->children.end())
            return;
        path.append({node, it});
        node = &it->second;
    }
    node->retained = false;
    for (qsizetype i = path.size() - 1; i >= 0; --i) {
        auto [parent, it] = path.at(i);
        if (it->second.retained || !it->second.children.empty())
            break;
        parent->children.erase(it);
    }
}

void RetainedStore::take(const QString &topic, mqtt::Timestamp now, QList<RetainedMessage> &out) const
{
    const auto it = m_messages.constFind(topic);
    if (it == m_messages.cend() || (it->expiresAt && *it->expiresAt <= now))
        return;
    out.append(*it);
}

void RetainedStore::collectAll(const Node &node, const QString &path, mqtt::Timestamp now,
                               QList<RetainedMessage> &out) const
{
    if (node.retained)
        take(path, now, out);
    for (const auto &[level, child] : node.children)
        collectAll(child, path + QLatin1Char('/') + level, now, out);
}

void RetainedStore::collect(const Node &node, const QList<QStringView> &levels, qsizetype level,
                            const QString &path, mqtt::Timestamp now, QList<RetainedMessage> &out) const
{
    const bool atRoot = level == 0;
    if (level == levels.size()) {
        if (node.retained)
            take(path, now, out);
        return;
    }
    const QStringView filterLevel = levels.at(level);
    // [MQTT-4.7.2-1] A filter starting with a wildcard does not match topics starting with '$'.
    const auto wildcardMay = [atRoot](const QString &name) { return !atRoot || !name.startsWith(u'$'); };
    if (filterLevel == u"#") {
        // The parent level too: "a/#" matches "a" [MQTT-4.7.1-2].
        if (!atRoot && node.retained)
            take(path, now, out);
        for (const auto &[name, child] : node.children) {
            if (wildcardMay(name))
                collectAll(child, childPath(path, name, atRoot), now, out);
        }
        return;
    }
    if (filterLevel == u"+") {
        for (const auto &[name, child] : node.children) {
            if (wildcardMay(name))
                collect(child, levels, level + 1, childPath(path, name, atRoot), now, out);
        }
        return;
    }
    const auto it = node.children.find(filterLevel.toString());
    if (it != node.children.end())
        collect(it->second, levels, level + 1, childPath(path, it->first, atRoot), now, out);
}

QList<RetainedMessage> RetainedStore::matching(const QString &filter, mqtt::Timestamp now) const
{
    QList<RetainedMessage> result;
    if (filter.isEmpty() || m_messages.isEmpty())
        return result;
    collect(m_root, QStringView(filter).split(u'/'), 0, QString(), now, result);
    return result;
}

QStringList RetainedStore::expire(mqtt::Timestamp now)
{
    QStringList removed;
    for (QString &topic : m_expiries.takeDue(now)) {
        m_messages.remove(topic);
        unindex(topic);
        removed.append(std::move(topic));
    }
    return removed;
}

} // namespace hermes
