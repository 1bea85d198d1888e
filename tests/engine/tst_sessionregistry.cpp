// SessionRegistry: sessions by client ID and id, and each session's next deadline (a
// delayed will, its expiry while offline, its offline queue's first message expiry);
// time is an argument, so no test waits.
#include "../common/testmain.h"
#include "engine/broker/sessionregistry.h"

#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;

class TestSessionRegistry : public QObject
{
    Q_OBJECT
private slots:
    void sessionsAreFoundByClientIdAndId();
    void theEarliestOfWillExpiryAndQueuedMessagesIsDue();
    void aQueuedMessageOnlyMovesTheDeadlineEarlier();
};

void TestSessionRegistry::sessionsAreFoundByClientIdAndId()
{
    SessionRegistry registry;
    Session &a = registry.create(QStringLiteral("a"));
    Session &b = registry.create(QStringLiteral("b"));
    QVERIFY(a.id != b.id);
    QCOMPARE(registry.find(QStringLiteral("b")), &b);
    QCOMPARE(registry.find(a.id), &a);
    QCOMPARE(registry.size(), 2);
    registry.remove(a);
    QCOMPARE(registry.find(QStringLiteral("a")), nullptr);
    QCOMPARE(registry.size(), 1);
}

void TestSessionRegistry::theEarliestOfWillExpiryAndQueuedMessagesIsDue()
{
    SessionRegistry registry;
    Session &session = registry.create(QStringLiteral("device"));
    QVERIFY(!registry.scheduleDeadline(session)); // nothing pending: no deadline
    session.expiresAt = Timestamp(5000);
    session.pendingWill = std::make_unique<Session::PendingWill>(Session::PendingWill{Will{}, Timestamp(3000)});
    QueuedMessage message;
    message.expiresAt = Timestamp(4000);
    session.offlineState->queued.push_back(message);
    QVERIFY(registry.scheduleDeadline(session));
    QCOMPARE(registry.earliestDeadline(), std::optional(Timestamp(3000)));
    QVERIFY(registry.takeDue(Timestamp(2999)).empty());
    QCOMPARE(registry.takeDue(Timestamp(3000)), std::vector<SubscriberId>{session.id});

    session.pendingWill.reset(); // published: the queued message is next
    QVERIFY(registry.scheduleDeadline(session));
    QCOMPARE(registry.earliestDeadline(), std::optional(Timestamp(4000)));
    registry.remove(session);
    QCOMPARE(registry.earliestDeadline(), std::nullopt);
}

void TestSessionRegistry::aQueuedMessageOnlyMovesTheDeadlineEarlier()
{
    SessionRegistry registry;
    Session &session = registry.create(QStringLiteral("device"));
    session.expiresAt = Timestamp(10000);
    QVERIFY(registry.scheduleDeadline(session));
    QVERIFY(registry.dueBy(session, Timestamp(2000)));
    QCOMPARE(registry.earliestDeadline(), std::optional(Timestamp(2000)));
    QVERIFY(!registry.dueBy(session, Timestamp(8000))); // later: the earlier one stands
    QCOMPARE(registry.earliestDeadline(), std::optional(Timestamp(2000)));
}

HERMES_TEST_APPLESS_MAIN(TestSessionRegistry)
#include "tst_sessionregistry.moc"
