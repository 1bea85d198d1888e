#include "subscriptiontree.h"

#include "topic.h"

#include <QVarLengthArray>

#include <algorithm>
#include <limits>
#include <vector>

namespace hermes::mqtt {

/*
 * Layout. Nodes live in one vector and refer to each other by index; a pruned node's slot
 * goes on a free list and is reused, so subscribe/unsubscribe churn does not grow memory.
 * Each node keeps its '+' and '#' children as direct indexes. Exact-level children are not
 * stored per node: one hash table maps (parent index, level text) to the child. A per-node
 * QHash would cost several hundred bytes even for one child, and most nodes of a realistic
 * tree ("devices/{id}/push") have exactly one. Lookups build the level key with
 * QString::fromRawData over the topic's own characters, which does not allocate, so
 * QHash<EdgeKey, ...>::value works with a QStringView in Qt 6.4 (which has no
 * heterogeneous QHash lookup).
 *
 * Costs: subscribe/unsubscribe O(levels) hash operations plus a linear scan of the
 * subscribers at the filter's node and of the subscriber's own list. match() visits, per
 * topic level, each live node's exact child (one hash probe), '+' child and '#' child: it
 * allocates nothing for a topic that matches no one, and only the result lists otherwise.
 */

namespace {

constexpr quint32 NoNode = std::numeric_limits<quint32>::max();
constexpr quint32 RootNode = 0;

/// One subscription of one subscriber at a node.
struct Entry {
    SubscriberId subscriber = 0;
    SubscribeOptions options;
    std::optional<quint32> subscriptionIdentifier;
};

/// The members of one "$share/{group}/{filter}", in subscription order.
struct SharedGroup {
    QString group;
    QString filter;
    std::vector<Entry> members;
};

struct Node {
    quint32 plus = NoNode;
    quint32 hash = NoNode;
    quint32 exactChildren = 0;
    std::vector<Entry> subscribers;
    std::unique_ptr<std::vector<SharedGroup>> shared; // rare: kept out of line

    bool isUnused() const
    {
        return plus == NoNode && hash == NoNode && exactChildren == 0 && subscribers.empty()
            && (!shared || shared->empty());
    }
};

/// Key of an exact-level edge. `level` is a real QString when stored and a raw view of the
/// caller's text when only looking up.
struct EdgeKey {
    quint32 parent;
    QString level;
    bool operator==(const EdgeKey &other) const
    {
        return parent == other.parent && level == other.level;
    }
};

size_t qHash(const EdgeKey &key, size_t seed = 0) noexcept
{
    return qHashMulti(seed, key.parent, QStringView(key.level));
}

/// A lookup key that borrows `level`'s characters; valid while `level` is.
EdgeKey borrowedKey(quint32 parent, QStringView level)
{
    return EdgeKey{parent, QString::fromRawData(level.data(), level.size())};
}

bool isPlus(QStringView level)
{
    return level.size() == 1 && level.front() == u'+';
}

bool isHash(QStringView level)
{
    return level.size() == 1 && level.front() == u'#';
}

/// Calls fn(level, isLast) for each '/'-separated level; stops early when fn returns false.
template<typename Fn>
void forEachLevel(QStringView text, Fn &&fn)
{
    qsizetype pos = 0;
    for (;;) {
        qsizetype end = text.indexOf(u'/', pos);
        const bool last = end < 0;
        if (last)
            end = text.size();
        if (!fn(text.sliced(pos, end - pos), last) || last)
            return;
        pos = end + 1;
    }
}

SubscriberMatch toMatch(const Entry &entry)
{
    SubscriberMatch match;
    match.subscriber = entry.subscriber;
    match.qos = entry.options.maximumQoS;
    match.retainAsPublished = entry.options.retainAsPublished;
    if (entry.subscriptionIdentifier)
        match.subscriptionIdentifiers.append(*entry.subscriptionIdentifier);
    return match;
}

template<typename Container>
auto findEntry(Container &entries, SubscriberId subscriber)
{
    return std::find_if(entries.begin(), entries.end(),
                        [subscriber](const Entry &e) { return e.subscriber == subscriber; });
}

} // namespace

struct SubscriptionTree::Private {
    std::vector<Node> nodes;
    std::vector<quint32> freeNodes;
    QHash<EdgeKey, quint32> edges;
    QHash<SubscriberId, QList<SubscriptionRecord>> bySubscriber;
    qsizetype size = 0;

    Private() { nodes.emplace_back(); } // RootNode

    quint32 allocateNode()
    {
        if (!freeNodes.empty()) {
            const quint32 index = freeNodes.back();
            freeNodes.pop_back();
            return index;
        }
        nodes.emplace_back();
        return quint32(nodes.size() - 1);
    }

    void releaseNode(quint32 index)
    {
        nodes[index] = Node{};
        freeNodes.push_back(index);
    }

    quint32 exactChild(quint32 parent, QStringView level) const
    {
        return edges.value(borrowedKey(parent, level), NoNode);
    }

    quint32 child(quint32 parent, QStringView level) const
    {
        if (isPlus(level))
            return nodes[parent].plus;
        if (isHash(level))
            return nodes[parent].hash;
        return exactChild(parent, level);
    }

    quint32 ensureChild(quint32 parent, QStringView level)
    {
        const quint32 existing = child(parent, level);
        if (existing != NoNode)
            return existing;
        const quint32 created = allocateNode(); // may move `nodes`: index, don't reference
        if (isPlus(level)) {
            nodes[parent].plus = created;
        } else if (isHash(level)) {
            nodes[parent].hash = created;
        } else {
            edges.insert(EdgeKey{parent, level.toString()}, created);
            ++nodes[parent].exactChildren;
        }
        return created;
    }

    quint32 ensurePath(QStringView filter)
    {
        quint32 node = RootNode;
        forEachLevel(filter, [&](QStringView level, bool) {
            node = ensureChild(node, level);
            return true;
        });
        return node;
    }

    /// The node of `filter` and every node above it (root first), with the level text that
    /// leads to each; false when the path does not exist.
    struct Path {
        QVarLengthArray<quint32, 16> nodes;
        QVarLengthArray<QStringView, 16> levels; // levels[i] leads from nodes[i] to nodes[i+1]
    };
    bool findPath(QStringView filter, Path &path) const
    {
        path.nodes.append(RootNode);
        bool found = true;
        forEachLevel(filter, [&](QStringView level, bool) {
            const quint32 next = child(path.nodes.back(), level);
            if (next == NoNode)
                return found = false;
            path.levels.append(level);
            path.nodes.append(next);
            return true;
        });
        return found;
    }

    /// Frees the empty nodes at the bottom of `path`, walking up until a node still has
    /// subscribers or children, so memory follows the live subscriptions.
    void prune(const Path &path)
    {
        for (qsizetype i = path.nodes.size() - 1; i > 0; --i) {
            const quint32 node = path.nodes[i];
            if (!nodes[node].isUnused())
                return;
            const quint32 parent = path.nodes[i - 1];
            const QStringView level = path.levels[i - 1];
            if (isPlus(level)) {
                nodes[parent].plus = NoNode;
            } else if (isHash(level)) {
                nodes[parent].hash = NoNode;
            } else {
                edges.remove(borrowedKey(parent, level));
                --nodes[parent].exactChildren;
            }
            releaseNode(node);
        }
    }

    /// Removes the subscriber's entry for `filter` from the trie; false if there was none.
    /// Does not touch `bySubscriber` or `size`.
    bool removeFromTree(SubscriberId subscriber, const QString &filter)
    {
        const std::optional<SharedFilter> share = parseSharedFilter(filter);
        const QStringView path = share ? QStringView(share->filter) : QStringView(filter);
        Path found;
        if (!findPath(path, found))
            return false;
        Node &node = nodes[found.nodes.back()];
        if (share) {
            if (!node.shared)
                return false;
            auto group
                = std::find_if(node.shared->begin(), node.shared->end(),
                               [&](const SharedGroup &g) { return g.group == share->group; });
            if (group == node.shared->end())
                return false;
            const auto member = findEntry(group->members, subscriber);
            if (member == group->members.end())
                return false;
            group->members.erase(member); // erase, not swap: members stay in subscription order
            if (group->members.empty())
                node.shared->erase(group);
            if (node.shared->empty())
                node.shared.reset();
        } else {
            const auto entry = findEntry(node.subscribers, subscriber);
            if (entry == node.subscribers.end())
                return false;
            node.subscribers.erase(entry);
        }
        prune(found);
        return true;
    }

    /// Adds the entries of `node` that `publisher` may receive to `result`; true when a
    /// non-shared subscriber was added.
    bool collect(quint32 index, std::optional<SubscriberId> publisher, MatchResult &result) const
    {
        // [MQTT-3.8.3-3] No Local: not sent back to the connection that published it.
        const auto skipped = [publisher](const Entry &e) {
            return e.options.noLocal && publisher && *publisher == e.subscriber;
        };
        const Node &node = nodes[index];
        bool added = false;
        for (const Entry &entry : node.subscribers) {
            if (skipped(entry))
                continue;
            result.subscribers.append(toMatch(entry));
            added = true;
        }
        if (node.shared) {
            for (const SharedGroup &group : *node.shared) {
                SharedGroupMatch match{group.group, group.filter, {}};
                for (const Entry &member : group.members) {
                    if (!skipped(member))
                        match.members.append(toMatch(member));
                }
                if (!match.members.isEmpty())
                    result.sharedGroups.append(std::move(match));
            }
        }
        return added;
    }
};

SubscriptionTree::SubscriptionTree()
    : d(std::make_unique<Private>())
{
}

SubscriptionTree::~SubscriptionTree() = default;

bool SubscriptionTree::subscribe(SubscriberId subscriber, const QString &filter,
                                 SubscribeOptions options,
                                 std::optional<quint32> subscriptionIdentifier)
{
    if (!isValidTopicFilter(filter))
        return false;
    const std::optional<SharedFilter> share = parseSharedFilter(filter);
    const quint32 index = d->ensurePath(share ? QStringView(share->filter) : QStringView(filter));
    Node &node = d->nodes[index];
    const Entry entry{subscriber, options, subscriptionIdentifier};

    std::vector<Entry> *entries = &node.subscribers;
    if (share) {
        if (!node.shared)
            node.shared = std::make_unique<std::vector<SharedGroup>>();
        auto group = std::find_if(node.shared->begin(), node.shared->end(),
                                  [&](const SharedGroup &g) { return g.group == share->group; });
        if (group == node.shared->end())
            group = node.shared->insert(node.shared->end(),
                                        SharedGroup{share->group, share->filter, {}});
        entries = &group->members;
    }

    QList<SubscriptionRecord> &records = d->bySubscriber[subscriber];
    const auto existing = findEntry(*entries, subscriber);
    if (existing != entries->end()) {
        // [MQTT-3.8.4-3] A repeated subscription replaces the old one (options included);
        // its place in the subscription order does not change.
        *existing = entry;
        for (SubscriptionRecord &record : records) {
            if (record.filter == filter) {
                record.options = options;
                record.subscriptionIdentifier = subscriptionIdentifier;
                break;
            }
        }
        return false;
    }
    entries->push_back(entry);
    records.append(SubscriptionRecord{filter, options, subscriptionIdentifier});
    ++d->size;
    return true;
}

bool SubscriptionTree::unsubscribe(SubscriberId subscriber, const QString &filter)
{
    const auto records = d->bySubscriber.find(subscriber);
    if (records == d->bySubscriber.end())
        return false;
    const auto record
        = std::find_if(records->begin(), records->end(),
                       [&](const SubscriptionRecord &r) { return r.filter == filter; });
    if (record == records->end())
        return false;
    d->removeFromTree(subscriber, filter);
    records->erase(record);
    if (records->isEmpty())
        d->bySubscriber.erase(records);
    --d->size;
    return true;
}

void SubscriptionTree::removeSubscriber(SubscriberId subscriber)
{
    const QList<SubscriptionRecord> records = d->bySubscriber.take(subscriber);
    for (const SubscriptionRecord &record : records) {
        if (d->removeFromTree(subscriber, record.filter))
            --d->size;
    }
}

MatchResult SubscriptionTree::match(QStringView topic, std::optional<SubscriberId> publisher) const
{
    MatchResult result;
    if (topic.isEmpty())
        return result;
    // [MQTT-4.7.2-1] A wildcard at the first level does not match a topic starting with '$'.
    const bool dollarTopic = topic.front() == u'$';

    // The nodes that matched the levels so far; nodes of one depth are all distinct.
    QVarLengthArray<quint32, 32> frontierA{RootNode};
    QVarLengthArray<quint32, 32> frontierB;
    QVarLengthArray<quint32, 32> *current = &frontierA;
    QVarLengthArray<quint32, 32> *next = &frontierB;
    int contributingNodes = 0;
    const auto collect = [&](quint32 index) {
        if (d->collect(index, publisher, result))
            ++contributingNodes;
    };

    bool first = true;
    forEachLevel(topic, [&](QStringView level, bool) {
        next->clear();
        for (const quint32 index : std::as_const(*current)) {
            const Node &node = d->nodes[index];
            if (!(first && dollarTopic)) {
                if (node.hash != NoNode)
                    collect(node.hash); // '#' takes this level and all below it
                if (node.plus != NoNode)
                    next->append(node.plus);
            }
            if (node.exactChildren != 0) {
                const quint32 exact = d->exactChild(index, level);
                if (exact != NoNode)
                    next->append(exact);
            }
        }
        std::swap(current, next);
        first = false;
        return !current->isEmpty();
    });
    // Every level consumed: the nodes reached, and their '#' child, since "a/#" also
    // matches "a" (4.7.1.2: '#' includes the parent level).
    for (const quint32 index : std::as_const(*current)) {
        collect(index);
        if (d->nodes[index].hash != NoNode)
            collect(d->nodes[index].hash);
    }

    // Overlapping subscriptions of one subscriber give one delivery with the highest QoS and
    // every subscription identifier [MQTT-3.3.4-2] [MQTT-3.3.4-3] [MQTT-3.3.4-5]. A subscriber
    // appears once per node, so duplicates need at least two contributing nodes.
    if (contributingNodes > 1) {
        QList<SubscriberMatch> &subs = result.subscribers;
        std::stable_sort(subs.begin(), subs.end(),
                         [](const SubscriberMatch &a, const SubscriberMatch &b) {
                             return a.subscriber < b.subscriber;
                         });
        qsizetype out = 0;
        for (qsizetype i = 0; i < subs.size(); ++i) {
            if (out > 0 && subs[out - 1].subscriber == subs[i].subscriber) {
                SubscriberMatch &merged = subs[out - 1];
                merged.qos = std::max(merged.qos, subs[i].qos);
                // Retain As Published is kept if any matching subscription asked for it.
                merged.retainAsPublished = merged.retainAsPublished || subs[i].retainAsPublished;
                merged.subscriptionIdentifiers.append(subs[i].subscriptionIdentifiers);
            } else {
                if (out != i)
                    subs[out] = std::move(subs[i]);
                ++out;
            }
        }
        subs.resize(out);
    }
    return result;
}

QList<SubscriptionRecord> SubscriptionTree::subscriptionsOf(SubscriberId subscriber) const
{
    return d->bySubscriber.value(subscriber);
}

qsizetype SubscriptionTree::size() const
{
    return d->size;
}

qsizetype SubscriptionTree::nodeCount() const
{
    return qsizetype(d->nodes.size() - d->freeNodes.size());
}

} // namespace hermes::mqtt
