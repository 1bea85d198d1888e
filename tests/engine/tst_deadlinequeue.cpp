// DeadlineQueue: the broker's will, session and message expiry deadlines (time is an argument).
#include "../common/testmain.h"
#include "engine/deadlinequeue.h"

#include <QtTest>

using hermes::DeadlineQueue;
using hermes::mqtt::Timestamp;

class TestDeadlineQueue : public QObject
{
    Q_OBJECT
private slots:
    void dueKeysComeOutEarliestFirst();
    void rescheduleReplacesAndCancelForgets();
    void manyReschedulesKeepOnlyTheLastDeadline();
};

void TestDeadlineQueue::dueKeysComeOutEarliestFirst()
{
    DeadlineQueue<int> queue;
    QCOMPARE(queue.earliest(), std::nullopt);
    queue.schedule(3, Timestamp(300));
    queue.schedule(1, Timestamp(100));
    queue.schedule(2, Timestamp(200));
    QCOMPARE(queue.earliest(), std::optional(Timestamp(100)));
    QVERIFY(queue.takeDue(Timestamp(99)).empty());
    QCOMPARE(queue.takeDue(Timestamp(200)), (std::vector<int>{1, 2})); // a deadline is due at itself
    QCOMPARE(queue.size(), 1);
    QCOMPARE(queue.earliest(), std::optional(Timestamp(300)));
    QCOMPARE(queue.takeDue(Timestamp(1000)), std::vector<int>{3});
    QCOMPARE(queue.earliest(), std::nullopt);
}

void TestDeadlineQueue::rescheduleReplacesAndCancelForgets()
{
    DeadlineQueue<QString> queue;
    queue.schedule(QStringLiteral("a"), Timestamp(100));
    queue.schedule(QStringLiteral("b"), Timestamp(150));
    queue.schedule(QStringLiteral("a"), Timestamp(500)); // moved later: the old entry is stale
    QCOMPARE(queue.earliest(), std::optional(Timestamp(150)));
    queue.cancel(QStringLiteral("b"));
    QVERIFY(!queue.contains(QStringLiteral("b")));
    QCOMPARE(queue.earliest(), std::optional(Timestamp(500)));
    QVERIFY(queue.takeDue(Timestamp(499)).empty());
    QCOMPARE(queue.takeDue(Timestamp(500)), std::vector<QString>{QStringLiteral("a")});
    QCOMPARE(queue.size(), 0);
}

void TestDeadlineQueue::manyReschedulesKeepOnlyTheLastDeadline()
{
    // A session that drops and returns over and over reschedules its key each time: only
    // the last deadline counts (the stale entries are compacted away on the way).
    DeadlineQueue<quint64> queue;
    for (int i = 0; i < 100000; ++i)
        queue.schedule(7, Timestamp(i));
    queue.schedule(8, Timestamp(5));
    QCOMPARE(queue.size(), 2);
    QCOMPARE(queue.takeDue(Timestamp(99998)), std::vector<quint64>{8});
    QCOMPARE(queue.takeDue(Timestamp(99999)), std::vector<quint64>{7});
}

HERMES_TEST_APPLESS_MAIN(TestDeadlineQueue)
#include "tst_deadlinequeue.moc"
