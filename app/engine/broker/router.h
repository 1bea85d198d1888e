#pragma once
/// Who gets a copy of a message: subscription matching and the choice of one member per
/// shared subscription group. Knows subscriptions, not sessions: the caller says who is
/// connected and hands each copy to its session.

#include "mqtt/subscriptiontree.h"

#include <QHash>

#include <functional>
#include <optional>

namespace hermes {

/// One copy of a routed message, for one subscriber.
struct Recipient {
    mqtt::SubscriberId subscriber = 0;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce; ///< the message's QoS, capped by the subscription's
    bool retain = false;                   ///< RETAIN as forwarded [MQTT-3.3.1-12/13]
    QList<quint32> subscriptionIdentifiers;
};

class Router
{
public:
    using IsConnected = std::function<bool(mqtt::SubscriberId)>;

    struct Routing {
        /// Every plain subscriber, then one member per shared group.
        QList<Recipient> recipients;
        /// Some subscription matched (v5 answers 0x10 No matching subscribers otherwise).
        bool matched = false;
    };

    /// The copies of `publish`. `publisher` is skipped by its No Local subscriptions
    /// [MQTT-3.8.3-3]. Each shared group takes turns among its members, preferring those
    /// connected now.
    Routing route(const mqtt::Publish &publish, std::optional<mqtt::SubscriberId> publisher,
                  const IsConnected &isConnected);

    /// True when one of `subscriber`'s subscriptions matches `topic` (shared ones too).
    bool subscribesTo(mqtt::SubscriberId subscriber, const QString &topic) const;
    /// True when any subscription (shared ones too) matches `topic`.
    bool hasSubscribers(const QString &topic) const;

    mqtt::SubscriptionTree &subscriptions() { return m_subscriptions; }
    const mqtt::SubscriptionTree &subscriptions() const { return m_subscriptions; }

private:
    const mqtt::SubscriberMatch &chooseMember(const mqtt::SharedGroupMatch &group, const IsConnected &isConnected);

    mqtt::SubscriptionTree m_subscriptions;
    QHash<QString, quint32> m_sharedCursor; ///< round-robin position per "group/filter"
};

} // namespace hermes
