#pragma once
/// The broker's subscription store: a topic-level trie answering "who gets this topic?".

#include "packets.h"

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace hermes::mqtt {

/// Opaque handle of a subscriber (the engine numbers its sessions).
using SubscriberId = quint64;

/// One stored subscription, as listed for a subscriber.
struct SubscriptionRecord {
    QString filter; ///< as the client sent it, "$share/g/f" included
    SubscribeOptions options;
    std::optional<quint32> subscriptionIdentifier;
    bool operator==(const SubscriptionRecord &) const = default;
};

/// One subscriber that must receive a message. Overlapping subscriptions of the same
/// subscriber are merged into one delivery: the highest QoS, every subscription identifier
/// [MQTT-3.3.4-2] [MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-5].
struct SubscriberMatch {
    SubscriberId subscriber = 0;
    QoS qos = QoS::AtMostOnce; ///< maximum QoS granted by the matching subscriptions
    bool retainAsPublished = false; ///< set if any matching subscription asked for it
    QList<quint32> subscriptionIdentifiers; ///< of every matching subscription that had one
    bool operator==(const SubscriberMatch &) const = default;
};

/// A shared subscription group that matched: exactly one member should get the message;
/// the engine chooses which (it knows who is connected).
struct SharedGroupMatch {
    QString group;
    QString filter; ///< the part after the group ("a/+" of "$share/g/a/+")
    QList<SubscriberMatch> members; ///< in subscription order
    bool operator==(const SharedGroupMatch &) const = default;
};

struct MatchResult {
    /// One entry per subscriber. When one filter matched, in subscription order; when
    /// several did, ordered by subscriber id.
    QList<SubscriberMatch> subscribers;
    /// One entry per matching (group, filter) pair; no members skipped by No Local.
    QList<SharedGroupMatch> sharedGroups;
    bool operator==(const MatchResult &) const = default;
};

/// A trie keyed by topic level; '+' and '#' are child nodes of their own. Matching walks
/// at most (levels × 3) branches per live path plus the subscribers found, independent of
/// how many filters are stored. Not thread-safe; owned by the engine thread.
class SubscriptionTree
{
public:
    SubscriptionTree();
    ~SubscriptionTree();
    SubscriptionTree(const SubscriptionTree &) = delete;
    SubscriptionTree &operator=(const SubscriptionTree &) = delete;

    /// Adds or replaces the subscriber's subscription to `filter` (a valid filter, shared or
    /// not). Returns true when it did not exist before (retain handling 1 needs this).
    /// An invalid filter is ignored and returns false.
    bool subscribe(SubscriberId subscriber, const QString &filter, SubscribeOptions options,
                   std::optional<quint32> subscriptionIdentifier = std::nullopt);

    /// Removes one subscription; false when it did not exist.
    bool unsubscribe(SubscriberId subscriber, const QString &filter);

    /// Removes every subscription of the subscriber (session ended).
    void removeSubscriber(SubscriberId subscriber);

    /// Everyone who must receive a message on `topic`. Subscriptions with No Local set are
    /// skipped for `publisher` [MQTT-3.8.3-3].
    MatchResult match(QStringView topic,
                      std::optional<SubscriberId> publisher = std::nullopt) const;

    /// The subscriptions of one subscriber, in the order they were first made.
    QList<SubscriptionRecord> subscriptionsOf(SubscriberId subscriber) const;

    /// Number of stored subscriptions (a filter held by n subscribers counts n).
    qsizetype size() const;

    /// Trie nodes in use, the root included: 1 when empty. Empty nodes are pruned on
    /// unsubscribe and their slots reused, so churn does not grow the tree.
    qsizetype nodeCount() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hermes::mqtt
