#include "router.h"

#include "mqtt/topic.h"

#include <algorithm>

namespace hermes {

using namespace mqtt;

namespace {

QoS minQoS(QoS a, QoS b)
{
    return quint8(a) < quint8(b) ? a : b;
}

} // namespace

Router::Routing Router::route(const Publish &publish, std::optional<SubscriberId> publisher,
                              const IsConnected &isConnected)
{
    const MatchResult result = m_subscriptions.match(publish.topic, publisher);
    Routing routing;
    routing.matched = !result.subscribers.isEmpty() || !result.sharedGroups.isEmpty();
    routing.recipients.reserve(result.subscribers.size() + result.sharedGroups.size());
    for (const SubscriberMatch &match : result.subscribers) {
        // Retain is cleared on forwarding unless Retain As Published [MQTT-3.3.1-12/13].
        routing.recipients.append({match.subscriber, minQoS(publish.qos, match.qos),
                                   match.retainAsPublished && publish.retain, match.subscriptionIdentifiers});
    }
    for (const SharedGroupMatch &group : result.sharedGroups) {
        if (group.members.isEmpty())
            continue;
        const SubscriberMatch &chosen = chooseMember(group, isConnected);
        routing.recipients.append({chosen.subscriber, minQoS(publish.qos, chosen.qos), false,
                                   chosen.subscriptionIdentifiers});
    }
    return routing;
}

const SubscriberMatch &Router::chooseMember(const SharedGroupMatch &group, const IsConnected &isConnected)
{
    quint32 &cursor = m_sharedCursor[group.group + QLatin1Char('/') + group.filter];
    const qsizetype count = group.members.size();
    for (qsizetype step = 0; step < count; ++step) {
        const SubscriberMatch &candidate = group.members.at((cursor + step) % count);
        if (isConnected(candidate.subscriber)) {
            cursor = quint32((cursor + step + 1) % count);
            return candidate;
        }
    }
    // Nobody connected: the turn still moves on, so offline members share the queueing.
    const SubscriberMatch &chosen = group.members.at(cursor % count);
    cursor = quint32((cursor + 1) % count);
    return chosen;
}

bool Router::subscribesTo(SubscriberId subscriber, const QString &topic) const
{
    const QList<SubscriptionRecord> subscriptions = m_subscriptions.subscriptionsOf(subscriber);
    return std::any_of(subscriptions.cbegin(), subscriptions.cend(), [&](const SubscriptionRecord &record) {
        const auto shared = parseSharedFilter(record.filter);
        return topicMatches(shared ? shared->filter : record.filter, topic);
    });
}

bool Router::hasSubscribers(const QString &topic) const
{
    const MatchResult match = m_subscriptions.match(topic);
    return !match.subscribers.isEmpty() || !match.sharedGroups.isEmpty();
}

} // namespace hermes
