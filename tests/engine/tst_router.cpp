// Router: who gets a copy of a message — plain subscribers, one member per shared group
// (taking turns, connected members first), QoS capped by the subscription, No Local.
#include "../common/testmain.h"
#include "engine/broker/router.h"

#include <QSet>
#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;

namespace {

Publish message(const QString &topic, QoS qos = QoS::ExactlyOnce, bool retain = false)
{
    Publish publish;
    publish.topic = topic;
    publish.qos = qos;
    publish.retain = retain;
    return publish;
}

SubscribeOptions options(QoS qos, bool noLocal = false, bool retainAsPublished = false)
{
    SubscribeOptions result;
    result.maximumQoS = qos;
    result.noLocal = noLocal;
    result.retainAsPublished = retainAsPublished;
    return result;
}

QList<SubscriberId> subscribersOf(const Router::Routing &routing)
{
    QList<SubscriberId> ids;
    for (const Recipient &recipient : routing.recipients)
        ids.append(recipient.subscriber);
    return ids;
}

} // namespace

class TestRouter : public QObject
{
    Q_OBJECT
private slots:
    void plainSubscribersGetCappedQoSAndRetainAsAsked();
    void noLocalSkipsThePublisher();
    void sharedGroupTakesTurnsAmongConnectedMembers();
    void sharedGroupWithNobodyConnectedStillTakesTurns();
    void nothingMatchedIsReported();
};

void TestRouter::plainSubscribersGetCappedQoSAndRetainAsAsked()
{
    Router router;
    router.subscriptions().subscribe(1, QStringLiteral("a/+"), options(QoS::AtLeastOnce));
    router.subscriptions().subscribe(2, QStringLiteral("a/#"), options(QoS::ExactlyOnce, false, true));
    const auto everyone = [](SubscriberId) { return true; };
    const Router::Routing routing = router.route(message(QStringLiteral("a/b"), QoS::ExactlyOnce, true),
                                                 std::nullopt, everyone);
    QVERIFY(routing.matched);
    QCOMPARE(routing.recipients.size(), 2);
    for (const Recipient &recipient : routing.recipients) {
        if (recipient.subscriber == 1) {
            QCOMPARE(recipient.qos, QoS::AtLeastOnce); // capped by the subscription
            QCOMPARE(recipient.retain, false);         // cleared on forwarding
        } else {
            QCOMPARE(recipient.subscriber, SubscriberId(2));
            QCOMPARE(recipient.qos, QoS::ExactlyOnce);
            QCOMPARE(recipient.retain, true); // Retain As Published
        }
    }
}

void TestRouter::noLocalSkipsThePublisher()
{
    Router router;
    router.subscriptions().subscribe(1, QStringLiteral("t"), options(QoS::AtMostOnce, true));
    router.subscriptions().subscribe(2, QStringLiteral("t"), options(QoS::AtMostOnce));
    const auto everyone = [](SubscriberId) { return true; };
    QCOMPARE(subscribersOf(router.route(message(QStringLiteral("t")), SubscriberId(1), everyone)),
             QList<SubscriberId>{2});
    QCOMPARE(subscribersOf(router.route(message(QStringLiteral("t")), SubscriberId(2), everyone)).size(), 2);
}

void TestRouter::sharedGroupTakesTurnsAmongConnectedMembers()
{
    Router router;
    for (SubscriberId id : {1, 2, 3})
        router.subscriptions().subscribe(id, QStringLiteral("$share/workers/jobs/#"), options(QoS::AtLeastOnce));
    QSet<SubscriberId> connected{1, 3};
    const auto isConnected = [&](SubscriberId id) { return connected.contains(id); };
    QList<SubscriberId> chosen;
    for (int i = 0; i < 4; ++i) {
        const Router::Routing routing = router.route(message(QStringLiteral("jobs/1")), std::nullopt, isConnected);
        QCOMPARE(routing.recipients.size(), 1); // exactly one member per group
        QCOMPARE(routing.recipients.constFirst().retain, false);
        chosen.append(routing.recipients.constFirst().subscriber);
    }
    QCOMPARE(chosen, (QList<SubscriberId>{1, 3, 1, 3})); // 2 is offline: skipped
    connected.insert(2); // back online: it takes its turn again
    chosen.clear();
    for (int i = 0; i < 3; ++i)
        chosen += subscribersOf(router.route(message(QStringLiteral("jobs/1")), std::nullopt, isConnected));
    QCOMPARE(chosen, (QList<SubscriberId>{1, 2, 3}));
}

void TestRouter::sharedGroupWithNobodyConnectedStillTakesTurns()
{
    Router router;
    router.subscriptions().subscribe(1, QStringLiteral("$share/g/t"), options(QoS::AtLeastOnce));
    router.subscriptions().subscribe(2, QStringLiteral("$share/g/t"), options(QoS::AtLeastOnce));
    const auto nobody = [](SubscriberId) { return false; };
    QList<SubscriberId> chosen;
    for (int i = 0; i < 3; ++i)
        chosen += subscribersOf(router.route(message(QStringLiteral("t")), std::nullopt, nobody));
    QCOMPARE(chosen, (QList<SubscriberId>{1, 2, 1}));
}

void TestRouter::nothingMatchedIsReported()
{
    Router router;
    router.subscriptions().subscribe(1, QStringLiteral("a/b"), options(QoS::AtMostOnce));
    const Router::Routing routing = router.route(message(QStringLiteral("a/c")), std::nullopt,
                                                 [](SubscriberId) { return true; });
    QVERIFY(!routing.matched);
    QVERIFY(routing.recipients.isEmpty());
    QVERIFY(router.hasSubscribers(QStringLiteral("a/b")));
    QVERIFY(!router.hasSubscribers(QStringLiteral("a/c")));
    router.subscriptions().subscribe(2, QStringLiteral("$share/g/x/+"), options(QoS::AtMostOnce));
    QVERIFY(router.subscribesTo(2, QStringLiteral("x/y")));
    QVERIFY(!router.subscribesTo(1, QStringLiteral("x/y")));
}

HERMES_TEST_APPLESS_MAIN(TestRouter)
#include "tst_router.moc"
