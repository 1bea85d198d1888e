#include <QtTest>

#include <QRandomGenerator>

#include "../common/testmain.h"
#include "mqtt/subscriptiontree.h"
#include "mqtt/topic.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>

using namespace hermes::mqtt;

// Allocation counting (matchAllocatesOnlyResults / allocs per op): see the header.
#include "../common/allocationcounter.h"

namespace {

/// Allocations made while running fn.
template<typename Fn>
quint64 allocationsDuring(Fn &&fn)
{
    const quint64 before = hermes::testing::allocationCount();
    fn();
    return hermes::testing::allocationCount() - before;
}

SubscribeOptions qos(QoS q, bool noLocal = false, bool retainAsPublished = false)
{
    SubscribeOptions options;
    options.maximumQoS = q;
    options.noLocal = noLocal;
    options.retainAsPublished = retainAsPublished;
    return options;
}

QList<SubscriberId> subscriberIds(const MatchResult &result)
{
    QList<SubscriberId> ids;
    for (const SubscriberMatch &m : result.subscribers)
        ids.append(m.subscriber);
    std::sort(ids.begin(), ids.end());
    return ids;
}

const SubscriberMatch *find(const MatchResult &result, SubscriberId id)
{
    for (const SubscriberMatch &m : result.subscribers) {
        if (m.subscriber == id)
            return &m;
    }
    return nullptr;
}

} // namespace

class TestSubscriptionTree : public QObject
{
    Q_OBJECT
private slots:
    void match_data();
    void match();
    void overlappingSubscriptionsMerge();
    void noLocalPerSubscription_data();
    void noLocalPerSubscription();
    void sharedGroups();
    void sharedGroupNoLocalAndUnsubscribe();
    void resubscribeReplacesOptions();
    void unsubscribe();
    void unsubscribePrunesNodes_data();
    void unsubscribePrunesNodes();
    void removeSubscriberPrunes();
    void churnReusesNodes();
    void invalidFilterIgnored();
    void subscriptionsOfKeepsOrder();
    void randomFiltersAgreeWithTopicMatches();
#ifndef HERMES_SANITIZED // sanitizers bring their own allocator: nothing to count
    void matchAllocatesOnlyResults();
#endif
};

void TestSubscriptionTree::match_data()
{
    // Subscriber n holds filters[n - 1].
    QTest::addColumn<QStringList>("filters");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QList<SubscriberId>>("expected");

    const QStringList sport{u"sport/tennis/player1"_qs,
                            u"sport/tennis/+"_qs,
                            u"sport/#"_qs,
                            u"sport/tennis/player1/#"_qs,
                            u"+/tennis/#"_qs,
                            u"#"_qs,
                            u"sport/+"_qs,
                            u"+/+"_qs,
                            u"/+"_qs,
                            u"+"_qs};
    QTest::newRow("exact level match")
        << sport << u"sport/tennis/player1"_qs << QList<SubscriberId>{1, 2, 3, 4, 5, 6};
    QTest::newRow("'#' parent level: sport/# ~ sport [4.7.1.2]")
        << sport << u"sport"_qs << QList<SubscriberId>{3, 6, 10};
    QTest::newRow("'#' parent level: .../player1/# ~ .../player1/ranking [4.7.1.2]")
        << sport << u"sport/tennis/player1/ranking"_qs << QList<SubscriberId>{3, 4, 5, 6};
    QTest::newRow("'+' matches an empty level: sport/+ ~ sport/ [4.7.1.3]")
        << sport << u"sport/"_qs << QList<SubscriberId>{3, 6, 7, 8};
    QTest::newRow("/finance ~ +/+ and /+ but not + [4.7.1.3]")
        << sport << u"/finance"_qs << QList<SubscriberId>{6, 8, 9};
    QTest::newRow("+/tennis/# ~ golf/tennis (parent of '#') [4.7.1.2]")
        << sport << u"golf/tennis"_qs << QList<SubscriberId>{5, 6, 8};
    QTest::newRow("no match but '#'") << sport << u"a/b/c"_qs << QList<SubscriberId>{6};

    const QStringList sys{
        u"#"_qs,   u"+/monitor/Clients"_qs, u"$SYS/#"_qs, u"$SYS/monitor/+"_qs, u"+/#"_qs, u"+"_qs,
        u"$SYS"_qs};
    QTest::newRow("$SYS/monitor/Clients: no first-level wildcard [MQTT-4.7.2-1]")
        << sys << u"$SYS/monitor/Clients"_qs << QList<SubscriberId>{3, 4};
    QTest::newRow("$SYS: only $SYS and $SYS/# (parent) [MQTT-4.7.2-1]")
        << sys << u"$SYS"_qs << QList<SubscriberId>{3, 7};
    QTest::newRow("ordinary topic still matched by wildcards [4.7.2]")
        << sys << u"x/monitor/Clients"_qs << QList<SubscriberId>{1, 2, 5};
    QTest::newRow("'$' below the first level is ordinary [4.7.2]")
        << QStringList{u"#"_qs, u"a/+"_qs} << u"a/$b"_qs << QList<SubscriberId>{1, 2};

    QTest::newRow("nothing stored") << QStringList{} << u"a"_qs << QList<SubscriberId>{};
    QTest::newRow("deeper filter does not match shorter topic")
        << QStringList{u"a/b/c"_qs, u"a/+/+"_qs} << u"a/b"_qs << QList<SubscriberId>{};
    QTest::newRow("case-sensitive, no normalisation [MQTT-4.7.3-4]")
        << QStringList{u"ACCOUNTS"_qs, u"Accounts"_qs} << u"Accounts"_qs << QList<SubscriberId>{2};
    QTest::newRow("'/' topic: two empty levels")
        << QStringList{u"/"_qs, u"+/+"_qs, u"#"_qs, u"+"_qs, u"/#"_qs} << u"/"_qs
        << QList<SubscriberId>{1, 2, 3, 5};
}

void TestSubscriptionTree::match()
{
    QFETCH(QStringList, filters);
    QFETCH(QString, topic);
    QFETCH(QList<SubscriberId>, expected);
    SubscriptionTree tree;
    for (qsizetype i = 0; i < filters.size(); ++i)
        QVERIFY(tree.subscribe(SubscriberId(i + 1), filters[i], qos(QoS::AtLeastOnce)));
    QCOMPARE(tree.size(), filters.size());
    const MatchResult result = tree.match(topic);
    QCOMPARE(subscriberIds(result), expected);
    QVERIFY(result.sharedGroups.isEmpty());
    // The brute-force answer agrees row by row.
    QList<SubscriberId> brute;
    for (qsizetype i = 0; i < filters.size(); ++i) {
        if (topicMatches(filters[i], topic))
            brute.append(SubscriberId(i + 1));
    }
    QCOMPARE(brute, expected);
}

// [MQTT-3.3.4-2] [MQTT-3.3.4-3] [MQTT-3.3.4-5]: one delivery, the highest QoS of the matching
// subscriptions, every subscription identifier.
void TestSubscriptionTree::overlappingSubscriptionsMerge()
{
    SubscriptionTree tree;
    QVERIFY(tree.subscribe(1, u"a/+"_qs, qos(QoS::AtLeastOnce), 7));
    QVERIFY(tree.subscribe(1, u"a/#"_qs, qos(QoS::ExactlyOnce), 9));
    QVERIFY(tree.subscribe(1, u"a/b"_qs, qos(QoS::AtMostOnce, false, true)));
    QVERIFY(tree.subscribe(2, u"a/b"_qs, qos(QoS::AtLeastOnce), 3));

    const MatchResult result = tree.match(u"a/b");
    QCOMPARE(result.subscribers.size(), 2);
    const SubscriberMatch *one = find(result, 1);
    QVERIFY(one);
    QCOMPARE(one->qos, QoS::ExactlyOnce);
    QVERIFY(one->retainAsPublished); // any matching subscription asking for it
    QList<quint32> ids = one->subscriptionIdentifiers;
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, (QList<quint32>{7, 9}));
    const SubscriberMatch *two = find(result, 2);
    QVERIFY(two);
    QCOMPARE(*two, (SubscriberMatch{2, QoS::AtLeastOnce, false, {3}}));

    // On "a/b/c" only "a/#" applies: its QoS and its identifier alone.
    const MatchResult deeper = tree.match(u"a/b/c");
    QCOMPARE(deeper.subscribers, (QList<SubscriberMatch>{{1, QoS::ExactlyOnce, false, {9}}}));
    // On "a" only "a/#" (parent level).
    QCOMPARE(tree.match(u"a").subscribers,
             (QList<SubscriberMatch>{{1, QoS::ExactlyOnce, false, {9}}}));
}

void TestSubscriptionTree::noLocalPerSubscription_data()
{
    QTest::addColumn<bool>("noLocalOnWildcard");
    QTest::addColumn<bool>("noLocalOnExact");
    QTest::addColumn<bool>("delivered");
    QTest::addColumn<int>("expectedQos");
    QTest::addColumn<QList<quint32>>("expectedIds");

    QTest::newRow("neither No Local: merged [MQTT-3.8.3-3]")
        << false << false << true << 2 << QList<quint32>{1, 2};
    QTest::newRow("No Local on a/#: only a/b applies [MQTT-3.8.3-3]")
        << true << false << true << 1 << QList<quint32>{2};
    QTest::newRow("No Local on a/b: only a/# applies [MQTT-3.8.3-3]")
        << false << true << true << 2 << QList<quint32>{1};
    QTest::newRow("No Local on both: not delivered [MQTT-3.8.3-3]")
        << true << true << false << 0 << QList<quint32>{};
}

void TestSubscriptionTree::noLocalPerSubscription()
{
    QFETCH(bool, noLocalOnWildcard);
    QFETCH(bool, noLocalOnExact);
    QFETCH(bool, delivered);
    QFETCH(int, expectedQos);
    QFETCH(QList<quint32>, expectedIds);

    SubscriptionTree tree;
    tree.subscribe(5, u"a/#"_qs, qos(QoS::ExactlyOnce, noLocalOnWildcard), 1);
    tree.subscribe(5, u"a/b"_qs, qos(QoS::AtLeastOnce, noLocalOnExact), 2);
    tree.subscribe(6, u"a/b"_qs, qos(QoS::AtMostOnce, true));

    const MatchResult fromFive = tree.match(u"a/b", SubscriberId(5));
    const SubscriberMatch *five = find(fromFive, 5);
    QCOMPARE(five != nullptr, delivered);
    if (five) {
        QCOMPARE(int(five->qos), expectedQos);
        QList<quint32> ids = five->subscriptionIdentifiers;
        std::sort(ids.begin(), ids.end());
        QCOMPARE(ids, expectedIds);
    }
    // No Local of subscriber 6 is about 6's own messages only.
    QVERIFY(find(fromFive, 6));
    QVERIFY(!find(tree.match(u"a/b", SubscriberId(6)), 6));
    // Without a publisher nothing is skipped.
    QCOMPARE(subscriberIds(tree.match(u"a/b")), (QList<SubscriberId>{5, 6}));
}

void TestSubscriptionTree::sharedGroups()
{
    SubscriptionTree tree;
    // MQTT 5.0 4.8.2 example: consumer groups on sport/tennis/+.
    QVERIFY(tree.subscribe(3, u"$share/consumer1/sport/tennis/+"_qs, qos(QoS::AtLeastOnce), 11));
    QVERIFY(tree.subscribe(1, u"$share/consumer1/sport/tennis/+"_qs, qos(QoS::ExactlyOnce)));
    QVERIFY(tree.subscribe(2, u"$share/consumer1/sport/tennis/+"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(tree.subscribe(4, u"$share/consumer2/sport/tennis/+"_qs, qos(QoS::AtLeastOnce)));
    QVERIFY(tree.subscribe(1, u"$share/consumer1/sport/#"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(tree.subscribe(5, u"sport/tennis/+"_qs, qos(QoS::AtMostOnce)));
    // The same subscriber may hold the shared and the ordinary subscription.
    QVERIFY(tree.subscribe(1, u"sport/tennis/+"_qs, qos(QoS::AtLeastOnce)));
    QCOMPARE(tree.size(), 7);

    const MatchResult result = tree.match(u"sport/tennis/player1");
    QCOMPARE(subscriberIds(result), (QList<SubscriberId>{1, 5}));
    QCOMPARE(result.sharedGroups.size(), 3);
    const auto group = [&](const QString &name, const QString &filter) -> const SharedGroupMatch * {
        for (const SharedGroupMatch &g : result.sharedGroups) {
            if (g.group == name && g.filter == filter)
                return &g;
        }
        return nullptr;
    };
    const SharedGroupMatch *c1 = group(u"consumer1"_qs, u"sport/tennis/+"_qs);
    QVERIFY(c1);
    // Members in subscription order, each with its own options.
    QCOMPARE(c1->members,
             (QList<SubscriberMatch>{{3, QoS::AtLeastOnce, false, {11}},
                                     {1, QoS::ExactlyOnce, false, {}},
                                     {2, QoS::AtMostOnce, false, {}}}));
    const SharedGroupMatch *c2 = group(u"consumer2"_qs, u"sport/tennis/+"_qs);
    QVERIFY(c2);
    QCOMPARE(c2->members, (QList<SubscriberMatch>{{4, QoS::AtLeastOnce, false, {}}}));
    // Same group name, different filter: a separate shared subscription (4.8.2).
    const SharedGroupMatch *c1all = group(u"consumer1"_qs, u"sport/#"_qs);
    QVERIFY(c1all);
    QCOMPARE(c1all->members.size(), 1);

    // A shared filter does not match as if it were a literal topic.
    QVERIFY(tree.match(u"$share/consumer1/sport/tennis/x").sharedGroups.isEmpty());
    // [MQTT-4.7.2-1] applies to the filter part of a share too.
    QVERIFY(tree.subscribe(9, u"$share/g/#"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(tree.match(u"$SYS/x").sharedGroups.isEmpty());
    QCOMPARE(tree.match(u"other").sharedGroups.size(), 1);
}

void TestSubscriptionTree::sharedGroupNoLocalAndUnsubscribe()
{
    SubscriptionTree tree;
    tree.subscribe(1, u"$share/g/a"_qs, qos(QoS::AtMostOnce));
    tree.subscribe(2, u"$share/g/a"_qs, qos(QoS::AtMostOnce, true));
    tree.subscribe(3, u"$share/g/a"_qs, qos(QoS::AtMostOnce));
    const auto members = [&](std::optional<SubscriberId> publisher) {
        QList<SubscriberId> ids;
        const MatchResult r = tree.match(u"a", publisher);
        for (const SharedGroupMatch &g : r.sharedGroups) {
            for (const SubscriberMatch &m : g.members)
                ids.append(m.subscriber);
        }
        return ids;
    };
    QCOMPARE(members(std::nullopt), (QList<SubscriberId>{1, 2, 3}));
    QCOMPARE(members(2), (QList<SubscriberId>{1, 3})); // No Local honoured per member
    // Unsubscribing the shared filter is not unsubscribing the plain one and vice versa.
    QVERIFY(!tree.unsubscribe(2, u"a"_qs));
    QVERIFY(tree.unsubscribe(2, u"$share/g/a"_qs));
    QCOMPARE(members(std::nullopt), (QList<SubscriberId>{1, 3})); // order kept
    QVERIFY(tree.unsubscribe(1, u"$share/g/a"_qs));
    QVERIFY(tree.unsubscribe(3, u"$share/g/a"_qs));
    QVERIFY(tree.match(u"a").sharedGroups.isEmpty());
    QCOMPARE(tree.size(), 0);
    QCOMPARE(tree.nodeCount(), 1);
}

// [MQTT-3.8.4-3] A repeated subscription replaces the existing one; subscribe() reports it
// was not new so the engine can apply Retain Handling 1.
void TestSubscriptionTree::resubscribeReplacesOptions()
{
    SubscriptionTree tree;
    QVERIFY(tree.subscribe(1, u"a/+"_qs, qos(QoS::AtMostOnce), 4));
    QVERIFY(tree.subscribe(1, u"b"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(!tree.subscribe(1, u"a/+"_qs, qos(QoS::ExactlyOnce, false, true)));
    QCOMPARE(tree.size(), 2);
    QCOMPARE(tree.match(u"a/x").subscribers,
             (QList<SubscriberMatch>{{1, QoS::ExactlyOnce, true, {}}})); // identifier dropped too
    QCOMPARE(
        tree.subscriptionsOf(1),
        (QList<SubscriptionRecord>{{u"a/+"_qs, qos(QoS::ExactlyOnce, false, true), std::nullopt},
                                   {u"b"_qs, qos(QoS::AtMostOnce), std::nullopt}}));
    // Shared: same rule.
    QVERIFY(tree.subscribe(1, u"$share/g/a/+"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(!tree.subscribe(1, u"$share/g/a/+"_qs, qos(QoS::AtLeastOnce), 8));
    QCOMPARE(tree.size(), 3);
    const MatchResult r = tree.match(u"a/x");
    QCOMPARE(r.sharedGroups.size(), 1);
    QCOMPARE(r.sharedGroups[0].members,
             (QList<SubscriberMatch>{{1, QoS::AtLeastOnce, false, {8}}}));
}

void TestSubscriptionTree::unsubscribe()
{
    SubscriptionTree tree;
    tree.subscribe(1, u"a/b"_qs, qos(QoS::AtMostOnce));
    tree.subscribe(2, u"a/b"_qs, qos(QoS::AtMostOnce));
    QVERIFY(!tree.unsubscribe(1, u"a/c"_qs));
    QVERIFY(!tree.unsubscribe(3, u"a/b"_qs));
    QVERIFY(!tree.unsubscribe(1, u"a/+"_qs));
    QVERIFY(tree.unsubscribe(1, u"a/b"_qs));
    QVERIFY(!tree.unsubscribe(1, u"a/b"_qs)); // already gone
    QCOMPARE(tree.size(), 1);
    QCOMPARE(subscriberIds(tree.match(u"a/b")), (QList<SubscriberId>{2}));
    QVERIFY(tree.subscriptionsOf(1).isEmpty());
}

void TestSubscriptionTree::unsubscribePrunesNodes_data()
{
    QTest::addColumn<QStringList>("kept");
    QTest::addColumn<QString>("removed");
    QTest::addColumn<int>("nodesAfter");

    // Root counts as one node.
    QTest::newRow("lone exact path pruned to the root") << QStringList{} << u"a/b/c"_qs << 1;
    QTest::newRow("lone '+' and '#' nodes pruned") << QStringList{} << u"+/x/#"_qs << 1;
    QTest::newRow("shared path pruned") << QStringList{} << u"$share/g/a/+"_qs << 1;
    QTest::newRow("shared prefix kept: a/b stays") << QStringList{u"a/b"_qs} << u"a/b/c/d"_qs << 3;
    QTest::newRow("node with subscribers is kept: a stays")
        << QStringList{u"a"_qs} << u"a/b/c"_qs << 2;
    QTest::newRow("sibling kept") << QStringList{u"a/c"_qs} << u"a/b"_qs << 3;
    QTest::newRow("'#' sibling of '+' kept") << QStringList{u"a/#"_qs} << u"a/+"_qs << 3;
}

void TestSubscriptionTree::unsubscribePrunesNodes()
{
    QFETCH(QStringList, kept);
    QFETCH(QString, removed);
    QFETCH(int, nodesAfter);
    SubscriptionTree tree;
    QCOMPARE(tree.nodeCount(), 1);
    for (const QString &f : kept)
        QVERIFY(tree.subscribe(1, f, qos(QoS::AtMostOnce)));
    const qsizetype before = tree.nodeCount();
    QVERIFY(tree.subscribe(2, removed, qos(QoS::AtMostOnce)));
    QVERIFY(tree.nodeCount() > before || kept.contains(removed));
    QVERIFY(tree.unsubscribe(2, removed));
    QCOMPARE(tree.nodeCount(), nodesAfter);
    QCOMPARE(tree.nodeCount(), before);
    QCOMPARE(tree.size(), kept.size());
    for (const QString &f : kept) // what stays still matches
        QVERIFY(
            !tree.match(QString(f).replace(u'+', u'x').replace(u'#', u'y')).subscribers.isEmpty());
}

void TestSubscriptionTree::removeSubscriberPrunes()
{
    SubscriptionTree tree;
    tree.subscribe(1, u"a/b/c"_qs, qos(QoS::AtMostOnce));
    tree.subscribe(1, u"a/+/#"_qs, qos(QoS::AtMostOnce));
    tree.subscribe(1, u"$share/g/a/b"_qs, qos(QoS::AtMostOnce));
    tree.subscribe(2, u"a/b"_qs, qos(QoS::AtLeastOnce));
    QCOMPARE(tree.size(), 4);
    // root, a, a/b, a/b/c, a/+, a/+/#
    QCOMPARE(tree.nodeCount(), 6);
    tree.removeSubscriber(1);
    QCOMPARE(tree.size(), 1);
    QCOMPARE(tree.nodeCount(), 3); // root, a, a/b
    QVERIFY(tree.subscriptionsOf(1).isEmpty());
    QCOMPARE(subscriberIds(tree.match(u"a/b")), (QList<SubscriberId>{2}));
    QVERIFY(tree.match(u"a/b/c").subscribers.isEmpty());
    QVERIFY(tree.match(u"a/b").sharedGroups.isEmpty());
    tree.removeSubscriber(2);
    tree.removeSubscriber(42); // unknown: no effect
    QCOMPARE(tree.size(), 0);
    QCOMPARE(tree.nodeCount(), 1);
}

// Subscribe/unsubscribe cycles over distinct filters: the node count follows the live
// subscriptions, never the history.
void TestSubscriptionTree::churnReusesNodes()
{
    SubscriptionTree tree;
    tree.subscribe(1, u"devices/+/push"_qs, qos(QoS::AtMostOnce));
    const qsizetype baseline = tree.nodeCount();
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 100; ++i)
            QVERIFY(tree.subscribe(SubscriberId(100 + i),
                                   u"devices/r%1-d%2/push"_qs.arg(round).arg(i),
                                   qos(QoS::AtLeastOnce)));
        QCOMPARE(tree.nodeCount(), baseline + 200);
        for (int i = 0; i < 100; ++i)
            tree.removeSubscriber(SubscriberId(100 + i));
        QCOMPARE(tree.nodeCount(), baseline);
    }
    QCOMPARE(tree.size(), 1);
}

void TestSubscriptionTree::invalidFilterIgnored()
{
    SubscriptionTree tree;
    QVERIFY(!tree.subscribe(1, u"a/#/b"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(!tree.subscribe(1, u"$share/g"_qs, qos(QoS::AtMostOnce)));
    QVERIFY(!tree.subscribe(1, QString(), qos(QoS::AtMostOnce)));
    QCOMPARE(tree.size(), 0);
    QCOMPARE(tree.nodeCount(), 1);
    QVERIFY(tree.subscriptionsOf(1).isEmpty());
    QVERIFY(tree.match(u"a").subscribers.isEmpty());
    QVERIFY(tree.match(QStringView()).subscribers.isEmpty());
}

void TestSubscriptionTree::subscriptionsOfKeepsOrder()
{
    SubscriptionTree tree;
    tree.subscribe(7, u"z"_qs, qos(QoS::AtMostOnce), 1);
    tree.subscribe(7, u"$share/g/y"_qs, qos(QoS::AtLeastOnce));
    tree.subscribe(7, u"a/#"_qs, qos(QoS::ExactlyOnce));
    tree.subscribe(8, u"z"_qs, qos(QoS::AtMostOnce));
    tree.unsubscribe(7, u"$share/g/y"_qs);
    tree.subscribe(7, u"$share/g/y"_qs, qos(QoS::AtMostOnce)); // made again: now last
    QCOMPARE(tree.subscriptionsOf(7),
             (QList<SubscriptionRecord>{{u"z"_qs, qos(QoS::AtMostOnce), 1},
                                        {u"a/#"_qs, qos(QoS::ExactlyOnce), std::nullopt},
                                        {u"$share/g/y"_qs, qos(QoS::AtMostOnce), std::nullopt}}));
    QCOMPARE(tree.subscriptionsOf(8).size(), 1);
    QVERIFY(tree.subscriptionsOf(9).isEmpty());
}

/*
 * Property test (fixed seed): 10,000 random subscriptions, shared ones included, from 300
 * subscribers over a small alphabet so that filters overlap a lot. For random topics the
 * trie must give what a brute-force scan with topicMatches gives, merged per subscriber.
 * Then half the subscriptions go away and it must still agree; then everything goes and the
 * tree is back to its root.
 */
void TestSubscriptionTree::randomFiltersAgreeWithTopicMatches()
{
    QRandomGenerator rng(0x4E524D45);
    const QStringList words{u"a"_qs, u"b"_qs, u"c"_qs, u""_qs, u"$SYS"_qs, u"dev"_qs};
    const auto levels = [&](bool wildcards) {
        const int count = 1 + int(rng.bounded(5));
        QStringList out;
        for (int i = 0; i < count; ++i) {
            const quint32 roll = rng.bounded(8);
            if (wildcards && roll == 0)
                out << u"+"_qs;
            else if (wildcards && roll == 1 && i == count - 1
                     && i > 0) // a lone '#' would match almost every topic
                out << u"#"_qs;
            else
                out << words[rng.bounded(int(words.size()))];
        }
        const QString joined = out.join(u'/');
        return joined.isEmpty() ? u"a"_qs : joined;
    };

    struct Stored {
        SubscriberId subscriber;
        SubscribeOptions options;
        std::optional<quint32> id;
        std::optional<SharedFilter> share;
        QString matched; // the filter topics are matched against
    };
    // Keyed by (subscriber, full filter) like the tree: a repeat replaces.
    std::map<std::pair<SubscriberId, QString>, Stored> model;
    SubscriptionTree tree;
    for (int i = 0; i < 10000; ++i) {
        const SubscriberId subscriber = 1 + rng.bounded(300);
        QString filter = levels(true);
        if (rng.bounded(10) == 0)
            filter = u"$share/g%1/"_qs.arg(rng.bounded(3)) + filter;
        const SubscribeOptions options = qos(QoS(rng.bounded(3)), rng.bounded(8) == 0);
        const std::optional<quint32> id
            = rng.bounded(2) ? std::optional<quint32>(i + 1) : std::nullopt;
        const bool isNew = model.find({subscriber, filter}) == model.end();
        QCOMPARE(tree.subscribe(subscriber, filter, options, id), isNew);
        const std::optional<SharedFilter> share = parseSharedFilter(filter);
        model[{subscriber, filter}]
            = Stored{subscriber, options, id, share, share ? share->filter : filter};
    }
    QCOMPARE(tree.size(), qsizetype(model.size()));

    std::vector<Stored> flat; // the model as a vector: the brute-force scan is the slow part
    const auto expectedFor = [&](const QString &topic, std::optional<SubscriberId> publisher) {
        std::map<SubscriberId, SubscriberMatch> merged;
        std::map<std::pair<QString, QString>, QList<SubscriberId>> shared;
        for (const Stored &s : flat) {
            if (s.options.noLocal && publisher == s.subscriber)
                continue;
            if (!topicMatches(s.matched, topic))
                continue;
            if (s.share) {
                shared[{s.share->group, s.share->filter}].append(s.subscriber);
                continue;
            }
            SubscriberMatch &m = merged[s.subscriber];
            m.subscriber = s.subscriber;
            m.qos = std::max(m.qos, s.options.maximumQoS);
            if (s.id)
                m.subscriptionIdentifiers.append(*s.id);
        }
        return std::make_pair(merged, shared);
    };
    // Also tracks the fewest and most subscribers one topic reached, to show the topics
    // are neither all misses nor all catch-alls.
    qsizetype fewest = 0;
    qsizetype most = 0;
    const auto check = [&](int topics) {
        fewest = std::numeric_limits<qsizetype>::max();
        most = 0;
        flat.clear();
        for (const auto &entry : model)
            flat.push_back(entry.second);
        for (int i = 0; i < topics; ++i) {
            const QString topic = levels(false);
            const std::optional<SubscriberId> publisher
                = rng.bounded(2) ? std::optional<SubscriberId>(1 + rng.bounded(300)) : std::nullopt;
            const auto [merged, shared] = expectedFor(topic, publisher);
            const MatchResult got = tree.match(topic, publisher);
            QCOMPARE(got.subscribers.size(), qsizetype(merged.size()));
            for (const SubscriberMatch &m : got.subscribers) {
                const auto it = merged.find(m.subscriber);
                QVERIFY2(it != merged.end(), qPrintable(topic));
                QCOMPARE(m.qos, it->second.qos);
                QList<quint32> ids = m.subscriptionIdentifiers;
                QList<quint32> want = it->second.subscriptionIdentifiers;
                std::sort(ids.begin(), ids.end());
                std::sort(want.begin(), want.end());
                QCOMPARE(ids, want);
            }
            QCOMPARE(got.sharedGroups.size(), qsizetype(shared.size()));
            for (const SharedGroupMatch &g : got.sharedGroups) {
                const auto it = shared.find({g.group, g.filter});
                QVERIFY(it != shared.end());
                QList<SubscriberId> members;
                for (const SubscriberMatch &m : g.members)
                    members.append(m.subscriber);
                QList<SubscriberId> want = it->second;
                std::sort(members.begin(), members.end()); // model order is by key, not time
                std::sort(want.begin(), want.end());
                QCOMPARE(members, want);
            }
            fewest = std::min(fewest, got.subscribers.size());
            most = std::max(most, got.subscribers.size());
        }
    };
    check(2000);
    if (QTest::currentTestFailed())
        return;
    qDebug("one topic reached between %lld and %lld subscribers", qint64(fewest), qint64(most));
    QVERIFY(fewest < most);

    // Unsubscribe about half, at random; the tree must still agree.
    for (auto it = model.begin(); it != model.end();) {
        if (rng.bounded(2)) {
            QVERIFY(tree.unsubscribe(it->first.first, it->first.second));
            it = model.erase(it);
        } else {
            ++it;
        }
    }
    QCOMPARE(tree.size(), qsizetype(model.size()));
    check(1000);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(fewest < most);

    for (SubscriberId s = 1; s <= 300; ++s)
        tree.removeSubscriber(s);
    QCOMPARE(tree.size(), 0);
    QCOMPARE(tree.nodeCount(), 1);
}

// match() tokenizes with QStringView and looks levels up without building QStrings: a topic
// nobody wants costs no allocation at all, a hit costs only the result list. The topic rules
// never allocate.
#ifndef HERMES_SANITIZED
void TestSubscriptionTree::matchAllocatesOnlyResults()
{
#if HERMES_COUNT_ALLOCATIONS
    SubscriptionTree tree;
    for (int i = 0; i < 1000; ++i)
        tree.subscribe(SubscriberId(i + 1), u"devices/d%1/push"_qs.arg(i), qos(QoS::AtLeastOnce));
    tree.subscribe(5000, u"region/+/status/#"_qs, qos(QoS::AtMostOnce));
    tree.subscribe(5001, u"$share/g/devices/+/push"_qs, qos(QoS::AtMostOnce));
    const QString miss = u"devices/unknown/push/with/many/levels"_qs;
    const QString missWildcardPath = u"region/eu/other/x"_qs;
    const QString sibling = u"devices/d500/other"_qs; // walks to d500, matches nothing
    const QString one = u"devices/d500/push"_qs; // matches d500 and the share
    QCOMPARE(hermes::testing::allocationCount() > 0, true); // the counter is live

    QCOMPARE(allocationsDuring([&] { QVERIFY(tree.match(miss).subscribers.isEmpty()); }), 0u);
    QCOMPARE(
        allocationsDuring([&] { QVERIFY(tree.match(missWildcardPath).subscribers.isEmpty()); }),
        0u);
    QCOMPARE(allocationsDuring([&] { QVERIFY(tree.match(sibling).subscribers.isEmpty()); }), 0u);
    // One subscriber list and one shared group list, one member list inside it.
    const quint64 forOne = allocationsDuring([&] {
        const MatchResult r = tree.match(one);
        QCOMPARE(r.subscribers.size(), 1);
        QCOMPARE(r.sharedGroups.size(), 1);
    });
    QCOMPARE(forOne, 3u);

    QCOMPARE(allocationsDuring([&] {
                 QVERIFY(topicMatches(u"sport/+/player1/#", u"sport/tennis/player1/ranking/x"));
                 QVERIFY(isValidTopicName(u"sport/tennis/player1"));
                 QVERIFY(isValidTopicFilter(u"$share/g/sport/+/player1/#"));
             }),
             0u);
#else
    HERMES_SKIP("allocation counting needs glibc");
#endif
}
#endif

HERMES_TEST_APPLESS_MAIN(TestSubscriptionTree)
#include "tst_subscriptiontree.moc"
