// The NAT timeout estimator on synthetic fleets: smart-heartbeat devices that probe up to
// the NAT's timeout and die a step above it, plus the evidence that must not fool it —
// devices that simply go away and come back, a device filed under the wrong network,
// impossible gaps, a clock that steps back, and a network that changes its timeout.
#include "../common/testmain.h"
#include "engine/analytics/nattimeoutestimator.h"

#include <QRandomGenerator>

#include <numeric>

using namespace hermes::analytics;
using namespace std::chrono_literals;

namespace {

using Seconds = std::chrono::seconds;

/// A fleet behind one NAT, observed the way the broker sees it.
class SyntheticFleet
{
public:
    SyntheticFleet(NatTimeoutEstimator &estimator, quint32 seed) : m_estimator(estimator), m_random(seed) {}

    Timestamp now() const { return m_now; }
    void advance(Duration by) { m_now += by; }

    /// `devices` smart devices learn a NAT of `timeout`: they survive idle gaps up to just
    /// under it, and die once probing 0–30 s above it; the broker sees the death when the
    /// device redials after its ping timeout and reconnect jitter (5–20 s).
    void smartDevices(int devices, Duration timeout, const QString &prefix = QStringLiteral("dev"))
    {
        for (int d = 0; d < devices; ++d) {
            const QString device = QStringLiteral("%1-%2").arg(prefix).arg(d);
            for (Duration gap = 120s; gap < timeout; gap += 60s)
                survive(device, gap);
            survive(device, timeout - Duration(m_random.bounded(2000, 15000))); // the bisection's last good probe
            kill(device, timeout + Duration(m_random.bounded(0, 30000)) + Duration(m_random.bounded(5000, 20000)));
        }
    }
    void survive(const QString &device, Duration gap) { record(PathObservation::Kind::Survived, device, gap); }
    void kill(const QString &device, Duration gap) { record(PathObservation::Kind::Killed, device, gap); }

private:
    void record(PathObservation::Kind kind, const QString &device, Duration gap)
    {
        m_now += Duration(m_random.bounded(1, 500));
        QVERIFY(m_estimator.add(PathObservation{kind, gap, m_now, device}));
    }

    NatTimeoutEstimator &m_estimator;
    QRandomGenerator m_random;
    Timestamp m_now{1000};
};

bool contains(const NatEstimate &estimate, Duration timeout)
{
    return estimate.lowerBound && estimate.upperBound && *estimate.lowerBound < timeout && timeout <= *estimate.upperBound;
}

QByteArray describe(const NatEstimate &e)
{
    const auto s = [](const std::optional<Duration> &d) {
        return d ? QByteArray::number(double(d->count()) / 1000.0) + " s" : QByteArray("-");
    };
    return "lower " + s(e.lowerBound) + ", upper " + s(e.upperBound) + ", recommended " + s(e.recommendedKeepAlive)
           + ", devices " + QByteArray::number(e.survivingDevices) + "/" + QByteArray::number(e.killedDevices)
           + ", observations " + QByteArray::number(e.observations) + ", contradicted " + QByteArray::number(e.contradicted);
}

} // namespace

class TestNatTimeoutEstimator : public QObject
{
    Q_OBJECT
private slots:
    void nothingObservedIsNoEstimate();
    void fewDevicesAreThinAndBoundless();
    void smartFleetBracketsTheTimeout_data();
    void smartFleetBracketsTheTimeout();
    void noDeathsLeaveTheTopOpen();
    void devicesThatGoAwayDoNotPullTheTopDown();
    void aMisfiledDeviceDoesNotPushTheBottomUp();
    void impossibleGapsAreNotEvidence();
    void aClockSteppingBackKeepsHistoryInOrder();
    void aShorterTimeoutIsFollowed();
    void aLongerTimeoutIsFollowed();
    void evidenceIsBounded();
    void histogramCountsEachGapOnce();
    void histogramStaysBounded();
};

void TestNatTimeoutEstimator::nothingObservedIsNoEstimate()
{
    const NatTimeoutEstimator estimator;
    const NatEstimate e = estimator.estimate();
    QCOMPARE(e.strength, NatEstimate::Strength::None);
    QVERIFY(!e.lowerBound && !e.upperBound && !e.recommendedKeepAlive && !e.midpoint());
}

void TestNatTimeoutEstimator::fewDevicesAreThinAndBoundless()
{
    NatTimeoutEstimator estimator;
    SyntheticFleet fleet(estimator, 1);
    fleet.smartDevices(2, 300s);
    const NatEstimate e = estimator.estimate();
    QCOMPARE(e.strength, NatEstimate::Strength::Thin);
    // The interval is what two devices saw; advice waits for three.
    QVERIFY2(contains(e, 300s), describe(e));
    QVERIFY2(!e.recommendedKeepAlive, describe(e));
    QCOMPARE(e.survivingDevices, 2);
    QCOMPARE(e.killedDevices, 2);
}

void TestNatTimeoutEstimator::smartFleetBracketsTheTimeout_data()
{
    QTest::addColumn<int>("timeoutSeconds");
    QTest::addColumn<int>("devices");
    QTest::newRow("China Mobile 5 min, 500 devices") << 300 << 500;
    QTest::newRow("China Telecom 30 min, 500 devices") << 1800 << 500;
    QTest::newRow("5 min, 20 devices") << 300 << 20;
}

void TestNatTimeoutEstimator::smartFleetBracketsTheTimeout()
{
    QFETCH(int, timeoutSeconds);
    QFETCH(int, devices);
    const Duration timeout = Seconds(timeoutSeconds);
    NatTimeoutEstimator estimator;
    SyntheticFleet fleet(estimator, 42);
    fleet.smartDevices(devices, timeout);
    const NatEstimate e = estimator.estimate();
    QVERIFY2(contains(e, timeout), describe(e));
    QVERIFY2(*e.upperBound - *e.lowerBound <= timeout / 4, describe(e)); // no wider than 25 %
    QVERIFY2(e.recommendedKeepAlive && *e.recommendedKeepAlive < *e.lowerBound, describe(e));
    QCOMPARE(e.strength, NatEstimate::Strength::Adequate);
    QCOMPARE(e.survivingDevices, devices);
    QCOMPARE(e.contradicted, 0);
}

void TestNatTimeoutEstimator::noDeathsLeaveTheTopOpen()
{
    // Devices on a long-timeout network with a 10-minute keep-alive never die of idleness.
    NatTimeoutEstimator estimator;
    SyntheticFleet fleet(estimator, 7);
    for (int d = 0; d < 50; ++d)
        fleet.survive(QStringLiteral("telecom-%1").arg(d), 600s);
    const NatEstimate e = estimator.estimate();
    QVERIFY2(e.lowerBound && *e.lowerBound == 600s && !e.upperBound, describe(e));
    QCOMPARE(e.strength, NatEstimate::Strength::Thin);
    QVERIFY2(e.recommendedKeepAlive && *e.recommendedKeepAlive < 600s && *e.recommendedKeepAlive >= 540s, describe(e));
}

void TestNatTimeoutEstimator::devicesThatGoAwayDoNotPullTheTopDown()
{
    // 8 % of the fleet reboot or lose power and redial soon after, with short idle gaps:
    // to the broker that looks like a NAT kill.
    NatTimeoutEstimator estimator;
    SyntheticFleet fleet(estimator, 3);
    fleet.smartDevices(500, 300s);
    QRandomGenerator random(9);
    for (int d = 0; d < 40; ++d)
        fleet.kill(QStringLiteral("reboots-%1").arg(d), Duration(random.bounded(30000, 200000)));
    const NatEstimate e = estimator.estimate();
    QVERIFY2(contains(e, 300s), describe(e));
    QVERIFY2(*e.upperBound - *e.lowerBound <= 75s, describe(e));
    QCOMPARE(e.contradicted, 40);
}

void TestNatTimeoutEstimator::aMisfiledDeviceDoesNotPushTheBottomUp()
{
    // Two devices really on another carrier (a VPN) survive 20-minute gaps.
    NatTimeoutEstimator estimator;
    SyntheticFleet fleet(estimator, 4);
    fleet.smartDevices(300, 300s);
    fleet.survive(QStringLiteral("vpn-1"), 1200s);
    fleet.survive(QStringLiteral("vpn-2"), 1250s);
    const NatEstimate e = estimator.estimate();
    QVERIFY2(contains(e, 300s), describe(e));
    QCOMPARE(e.contradicted, 2);
}

void TestNatTimeoutEstimator::impossibleGapsAreNotEvidence()
{
    NatTimeoutEstimator estimator;
    QVERIFY(!estimator.add({PathObservation::Kind::Survived, Duration(0), 1000ms, QStringLiteral("a")}));
    QVERIFY(!estimator.add({PathObservation::Kind::Survived, Duration(-5000), 1000ms, QStringLiteral("a")}));
    // A process suspended for days, or a wall clock that jumped, is not a NAT measurement.
    QVERIFY(!estimator.add({PathObservation::Kind::Survived, std::chrono::hours(72), 1000ms, QStringLiteral("a")}));
    QVERIFY(!estimator.add({PathObservation::Kind::Killed, 300s, 1000ms, QString()}));
    QCOMPARE(estimator.size(), 0);
    QVERIFY(estimator.add({PathObservation::Kind::Survived, 300s, 1000ms, QStringLiteral("a")}));
    QCOMPARE(estimator.size(), 1);
}

void TestNatTimeoutEstimator::aClockSteppingBackKeepsHistoryInOrder()
{
    NatTimeoutEstimator::Config config;
    config.window = std::chrono::hours(1);
    NatTimeoutEstimator estimator(config);
    SyntheticFleet fleet(estimator, 5);
    fleet.smartDevices(100, 300s);
    const NatEstimate before = estimator.estimate();
    // An observation stamped far in the past (a clock that stepped back) neither evicts the
    // window nor lands behind older evidence.
    QVERIFY(estimator.add({PathObservation::Kind::Survived, 200s, Timestamp(5), QStringLiteral("dev-0")}));
    const NatEstimate after = estimator.estimate();
    QCOMPARE(estimator.size(), qsizetype(100 * 5 + 1));
    QCOMPARE(after.lowerBound, before.lowerBound);
    QCOMPARE(after.upperBound, before.upperBound);
}

void TestNatTimeoutEstimator::aShorterTimeoutIsFollowed()
{
    // The carrier drops its timeout from 300 s to 200 s, three hours (six half-lives) after
    // the fleet learned the old one.
    NatTimeoutEstimator::Config config;
    config.halfLife = std::chrono::minutes(30);
    NatTimeoutEstimator estimator(config);
    SyntheticFleet fleet(estimator, 11);
    fleet.smartDevices(500, 300s);
    QVERIFY(contains(estimator.estimate(), 300s));
    fleet.advance(std::chrono::hours(3));
    QRandomGenerator random(21);
    int devicesSinceChange = 0;
    NatEstimate e;
    for (int d = 0; d < 500 && !contains(e, 200s); ++d) {
        // Converged devices now die at their 285 s interval; they redial and search again.
        const QString device = QStringLiteral("dev-%1").arg(d);
        fleet.kill(device, 285s + Duration(random.bounded(5000, 20000)));
        fleet.survive(device, 120s);
        fleet.kill(device, 200s + Duration(random.bounded(5000, 35000)));
        fleet.survive(device, 190s);
        ++devicesSinceChange;
        e = estimator.estimate();
    }
    QVERIFY2(contains(e, 200s), describe(e));
    QVERIFY2(e.contradicted > 0, describe(e));
    // The old evidence weighs 1/64 of new by now: ~1,000 old survived gaps above 200 s
    // (240 s and the last good probe near 300 s) are outvoted by a few dozen devices' kills.
    QVERIFY2(devicesSinceChange <= 30, QByteArray::number(devicesSinceChange));
    qInfo("followed after %d devices redialled", devicesSinceChange);
    QVERIFY2(*e.recommendedKeepAlive < 200s, describe(e));
}

void TestNatTimeoutEstimator::aLongerTimeoutIsFollowed()
{
    // The carrier lengthens its timeout to 10 minutes, three hours after the fleet learned
    // the old one: devices with a fixed 9-minute keep-alive now survive it.
    NatTimeoutEstimator::Config config;
    config.halfLife = std::chrono::minutes(30);
    NatTimeoutEstimator estimator(config);
    SyntheticFleet fleet(estimator, 12);
    fleet.smartDevices(500, 300s);
    fleet.advance(std::chrono::hours(3));
    int devicesSinceChange = 0;
    NatEstimate e = estimator.estimate();
    while (devicesSinceChange < 100 && !(e.lowerBound && *e.lowerBound >= 540s)) {
        fleet.survive(QStringLiteral("fixed-%1").arg(devicesSinceChange++), 540s);
        e = estimator.estimate();
    }
    QVERIFY2(e.lowerBound && *e.lowerBound >= 540s, describe(e));
    QVERIFY2(!e.upperBound || *e.upperBound > 540s, describe(e)); // the old 5-minute kills are outvoted
    // ~500 old kills weigh 1/64 each: eight new devices outvote them.
    QVERIFY2(devicesSinceChange <= 10, QByteArray::number(devicesSinceChange));
}

void TestNatTimeoutEstimator::evidenceIsBounded()
{
    NatTimeoutEstimator::Config config;
    config.maxObservations = 1000;
    config.window = std::chrono::minutes(10);
    NatTimeoutEstimator estimator(config);
    SyntheticFleet fleet(estimator, 13);
    fleet.smartDevices(400, 300s); // ~2,000 observations
    QCOMPARE(estimator.size(), qsizetype(1000));
    fleet.advance(std::chrono::minutes(11));
    fleet.survive(QStringLiteral("late"), 60s);
    QCOMPARE(estimator.size(), qsizetype(1)); // everything else left the window
}

void TestNatTimeoutEstimator::histogramCountsEachGapOnce()
{
    NatTimeoutEstimator estimator;
    QVERIFY(estimator.gapHistogram(24).isEmpty());
    SyntheticFleet fleet(estimator, 5);
    fleet.survive(QStringLiteral("a"), 121s);
    fleet.survive(QStringLiteral("b"), 285s);
    fleet.survive(QStringLiteral("c"), 299'999ms);
    fleet.kill(QStringLiteral("a"), 300s);
    fleet.kill(QStringLiteral("b"), 337s);
    const GapHistogram h = estimator.gapHistogram(24);
    // 121 … 337 s in at most 24 round buckets: 10 s wide from 120 s.
    QCOMPARE(h.bucketWidth, Duration(10s));
    QCOMPARE(h.start, Duration(120s));
    QCOMPARE(h.survived.size(), qsizetype(22));
    QCOMPARE(h.killed.size(), h.survived.size());
    QCOMPARE(h.survived.at(0), 1);  // 121 s
    QCOMPARE(h.survived.at(16), 1); // 285 s in [280, 290)
    QCOMPARE(h.survived.at(17), 1); // 299.999 s in [290, 300)
    QCOMPARE(h.killed.at(18), 1);   // 300 s opens [300, 310)
    QCOMPARE(h.killed.at(21), 1);   // 337 s
    QCOMPARE(std::accumulate(h.survived.cbegin(), h.survived.cend(), 0), 3);
    QCOMPARE(std::accumulate(h.killed.cbegin(), h.killed.cend(), 0), 2);
    QCOMPARE(h.bucketStart(18), Duration(300s));
}

void TestNatTimeoutEstimator::histogramStaysBounded()
{
    NatTimeoutEstimator estimator;
    SyntheticFleet fleet(estimator, 17);
    fleet.smartDevices(200, 1800s); // 120 s … ~1,850 s, ~6,000 observations
    fleet.survive(QStringLiteral("one-second"), 1s);
    for (const int buckets : {1, 7, 24, 60}) {
        const GapHistogram h = estimator.gapHistogram(buckets);
        QVERIFY2(h.survived.size() <= buckets, QByteArray::number(h.survived.size()));
        QCOMPARE(h.start, Duration(0s));
        QVERIFY(h.bucketStart(h.survived.size()) > Duration(1800s)); // the longest gap is covered
        QCOMPARE(qsizetype(std::accumulate(h.survived.cbegin(), h.survived.cend(), 0)
                           + std::accumulate(h.killed.cbegin(), h.killed.cend(), 0)),
                 estimator.size());
    }
}

HERMES_TEST_APPLESS_MAIN(TestNatTimeoutEstimator)
#include "tst_nattimeoutestimator.moc"
