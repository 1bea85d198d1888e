#include <QtTest>

#include <QRandomGenerator>

#include <algorithm>

#include "../common/testmain.h"
#include "push/sequence.h"

using namespace hermes::push;

namespace {

QList<quint64> numbers(const QString &text)
{
    QList<quint64> out;
    const QStringList parts = text.split(u' ', Qt::SkipEmptyParts);
    for (const QString &part : parts)
        out.append(part.toULongLong());
    return out;
}

QString rangesText(const QList<SequenceRange> &ranges)
{
    QStringList out;
    for (const SequenceRange &r : ranges)
        out.append(r.first == r.last ? QString::number(r.first)
                                     : QStringLiteral("%1-%2").arg(r.first).arg(r.last));
    return out.join(u',');
}

constexpr quint64 W = SequenceTracker::WindowSize;

} // namespace

class TestSequence : public QObject
{
    Q_OBJECT
private slots:
    void accept_data();
    void accept();
    void windowSlides_data();
    void windowSlides();
    void resumesFromPersistedExpected();
    void shuffledDeliveryDeliversEachOnce();
    void allocator();
    void allocatorStopsAtMaxSequence();
    void allocatorRestoresState();
};

// Columns: sequence numbers in arrival order; the outcome of each; the missing ranges and
// expected() after the last one. Tracker starts at `start`.
void TestSequence::accept_data()
{
    QTest::addColumn<quint64>("start");
    QTest::addColumn<QString>("arrivals");
    QTest::addColumn<QString>("outcomes");
    QTest::addColumn<QString>("missing");
    QTest::addColumn<quint64>("expected");

    QTest::newRow("in order") << quint64(1) << "1 2 3 4" << "new new new new" << "" << quint64(5);
    QTest::newRow("immediate duplicate (QoS 1 redelivery)")
            << quint64(1) << "1 2 2 3" << "new new duplicate new" << "" << quint64(4);
    QTest::newRow("old duplicate") << quint64(1) << "1 2 3 1" << "new new new duplicate" << ""
                                   << quint64(4);
    QTest::newRow("gap reported") << quint64(1) << "1 2 5" << "new new gap" << "3-4" << quint64(3);
    QTest::newRow("gap then late fill-ins close it")
            << quint64(1) << "1 4 2 3" << "new gap gap new" << "" << quint64(5);
    QTest::newRow("fill-in leaves another gap")
            << quint64(1) << "1 3 6 2" << "new gap gap gap" << "4-5" << quint64(4);
    QTest::newRow("several gaps") << quint64(1) << "2 4 7 9" << "gap gap gap gap" << "1,3,5-6,8"
                                  << quint64(1);
    QTest::newRow("duplicate of an out-of-order arrival")
            << quint64(1) << "1 3 3" << "new gap duplicate" << "2" << quint64(2);
    QTest::newRow("reverse order") << quint64(1) << "4 3 2 1" << "gap gap gap new" << ""
                                   << quint64(5);
    QTest::newRow("first message missing") << quint64(1) << "2" << "gap" << "1" << quint64(1);
    QTest::newRow("0 is unsequenced, not tracked")
            << quint64(1) << "0 1" << "invalid new" << "" << quint64(2);
    QTest::newRow("above MaxSequence is invalid")
            << quint64(1) << "9223372036854775808 18446744073709551615 1"
            << "invalid invalid new" << "" << quint64(2);
    QTest::newRow("across 2^32: no wrap")
            << quint64(4294967295) << "4294967295 4294967296 4294967298"
            << "new new gap" << "4294967297" << quint64(4294967297);
    QTest::newRow("up to MaxSequence")
            << quint64(9223372036854775806) << "9223372036854775807 9223372036854775806"
            << "gap new" << "" << quint64(9223372036854775807) + 1;
    QTest::newRow("edge of the window: offset W-1 kept")
            << quint64(1) << QStringLiteral("%1 1").arg(W) << "gap gap"
            << QStringLiteral("2-%1").arg(W - 1) << quint64(2);
}

void TestSequence::accept()
{
    QFETCH(quint64, start);
    QFETCH(QString, arrivals);
    QFETCH(QString, outcomes);
    QFETCH(QString, missing);
    QFETCH(quint64, expected);

    SequenceTracker tracker(start);
    QStringList got;
    AcceptResult last;
    for (quint64 sequence : numbers(arrivals)) {
        last = tracker.accept(sequence);
        got.append(describe(last.outcome));
        QVERIFY(last.abandoned.isEmpty());
    }
    QCOMPARE(got.join(u' '), outcomes);
    QCOMPARE(rangesText(tracker.missing()), missing);
    QCOMPARE(rangesText(last.missing), missing);
    QCOMPARE(tracker.expected(), expected);
    QCOMPARE(tracker.lostCount(), quint64(0));
}

// Bounded memory: a sequence WindowSize or more beyond expected() slides the window and
// gives up on the oldest missing numbers, once; they are Stale if they come later.
void TestSequence::windowSlides_data()
{
    QTest::addColumn<QString>("arrivals");
    QTest::addColumn<QString>("abandoned"); // by the last arrival
    QTest::addColumn<QString>("missing");
    QTest::addColumn<quint64>("lost");
    QTest::addColumn<QString>("late");       // arrivals after that
    QTest::addColumn<QString>("lateOutcomes");

    QTest::newRow("one past the window gives up on 1")
            << QStringLiteral("%1").arg(W + 1) << "1" << QStringLiteral("2-%1").arg(W) << quint64(1)
            << "1 2" << "stale gap";
    QTest::newRow("received numbers are not abandoned")
            << QStringLiteral("1 3 %1").arg(W + 3) << "2" << QStringLiteral("4-%1").arg(W + 2)
            << quint64(1) << "2 3 1" << "stale duplicate stale"; // 1 is below the give-up mark
    QTest::newRow("far jump: window and beyond abandoned as one range")
            << "1 3 5000" << QStringLiteral("2,4-%1").arg(5000 - W)
            << QStringLiteral("%1-4999").arg(5001 - W) << quint64(5000 - W - 2)
            << QStringLiteral("4 %1 %2").arg(5000 - W).arg(5001 - W)
            << "stale stale gap";
    QTest::newRow("slide onto received numbers advances past them")
            << QStringLiteral("2 3 %1").arg(W + 1) << "1"
            << QStringLiteral("4-%1").arg(W) << quint64(1) << "2" << "duplicate";
}

void TestSequence::windowSlides()
{
    QFETCH(QString, arrivals);
    QFETCH(QString, abandoned);
    QFETCH(QString, missing);
    QFETCH(quint64, lost);
    QFETCH(QString, late);
    QFETCH(QString, lateOutcomes);

    SequenceTracker tracker;
    AcceptResult last;
    for (quint64 sequence : numbers(arrivals))
        last = tracker.accept(sequence);
    QVERIFY(last.deliver());
    QCOMPARE(rangesText(last.abandoned), abandoned);
    QCOMPARE(rangesText(tracker.missing()), missing);
    QCOMPARE(tracker.lostCount(), lost);
    QVERIFY(tracker.highestReceived() - tracker.expected() < W); // the window bound holds

    QStringList got;
    for (quint64 sequence : numbers(late))
        got.append(describe(tracker.accept(sequence).outcome));
    QCOMPARE(got.join(u' '), lateOutcomes);
}

void TestSequence::resumesFromPersistedExpected()
{
    SequenceTracker tracker(100);
    QCOMPARE(tracker.expected(), quint64(100));
    QCOMPARE(tracker.highestReceived(), quint64(99));
    QCOMPARE(tracker.accept(99).outcome, SequenceOutcome::Duplicate);
    QCOMPARE(tracker.accept(101).outcome, SequenceOutcome::Gap);
    QCOMPARE(rangesText(tracker.missing()), QStringLiteral("100"));
    QCOMPARE(tracker.accept(100).outcome, SequenceOutcome::New);
    QCOMPARE(tracker.expected(), quint64(102));
    QCOMPARE(SequenceTracker(0).expected(), quint64(1)); // 0 is never a sequence number
}

// A shuffled stream with redeliveries, all within the window: each number is delivered
// exactly once, everything else is a duplicate, and nothing is missing at the end.
void TestSequence::shuffledDeliveryDeliversEachOnce()
{
    QRandomGenerator random(20261122);
    for (int round = 0; round < 50; ++round) {
        const quint64 n = 1 + random.bounded(600);
        QList<quint64> stream;
        for (quint64 i = 1; i <= n; ++i) {
            stream.append(i);
            if (random.bounded(4) == 0)
                stream.append(i); // redelivery
        }
        std::shuffle(stream.begin(), stream.end(), std::mt19937(random.generate()));
        SequenceTracker tracker;
        QList<int> delivered(int(n) + 1, 0);
        for (quint64 sequence : std::as_const(stream)) {
            const AcceptResult result = tracker.accept(sequence);
            QVERIFY(result.outcome != SequenceOutcome::Stale);
            if (result.deliver())
                ++delivered[int(sequence)];
            else
                QCOMPARE(result.outcome, SequenceOutcome::Duplicate);
        }
        for (quint64 i = 1; i <= n; ++i)
            QCOMPARE(delivered.at(int(i)), 1);
        QVERIFY(tracker.missing().isEmpty());
        QCOMPARE(tracker.expected(), n + 1);
        QCOMPARE(tracker.highestReceived(), n);
    }
}

void TestSequence::allocator()
{
    SequenceAllocator allocator;
    QCOMPARE(allocator.peek(QStringLiteral("a")), quint64(1));
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::optional<quint64>(1));
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::optional<quint64>(2));
    QCOMPARE(allocator.allocate(QStringLiteral("b")), std::optional<quint64>(1)); // per device
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::optional<quint64>(3));
    QCOMPARE(allocator.peek(QStringLiteral("a")), quint64(4));
    QCOMPARE(allocator.peek(QStringLiteral("b")), quint64(2));
    QCOMPARE(allocator.nextByDevice().size(), 2);
    QVERIFY(!allocator.nextByDevice().contains(QStringLiteral("c"))); // peek adds nothing
    QCOMPARE(allocator.peek(QStringLiteral("c")), quint64(1));
    QVERIFY(!allocator.nextByDevice().contains(QStringLiteral("c")));

    // What the allocator hands out, a fresh tracker takes in order.
    SequenceTracker device;
    for (int i = 0; i < 10; ++i)
        QCOMPARE(device.accept(*allocator.allocate(QStringLiteral("d"))).outcome,
                 SequenceOutcome::New);
}

void TestSequence::allocatorStopsAtMaxSequence()
{
    SequenceAllocator allocator({{QStringLiteral("a"), MaxSequence - 1}});
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::optional<quint64>(MaxSequence - 1));
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::optional<quint64>(MaxSequence));
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::nullopt);
    QCOMPARE(allocator.allocate(QStringLiteral("a")), std::nullopt); // stays exhausted
    QCOMPARE(allocator.allocate(QStringLiteral("b")), std::optional<quint64>(1));
    SequenceAllocator above({{QStringLiteral("x"), ~quint64(0)}});
    QCOMPARE(above.allocate(QStringLiteral("x")), std::nullopt); // never wraps to 0
}

void TestSequence::allocatorRestoresState()
{
    SequenceAllocator allocator;
    allocator.allocate(QStringLiteral("a"));
    allocator.allocate(QStringLiteral("a"));
    allocator.allocate(QStringLiteral("设备"));
    const QHash<QString, quint64> saved = allocator.nextByDevice();
    SequenceAllocator restored(saved);
    QVERIFY(restored == allocator);
    QCOMPARE(restored.allocate(QStringLiteral("a")), std::optional<quint64>(3));
    QCOMPARE(restored.allocate(QStringLiteral("设备")), std::optional<quint64>(2));
    SequenceAllocator zero({{QStringLiteral("z"), 0}});
    QCOMPARE(zero.allocate(QStringLiteral("z")), std::optional<quint64>(1)); // 0 read as 1
}

HERMES_TEST_APPLESS_MAIN(TestSequence)
#include "tst_sequence.moc"
