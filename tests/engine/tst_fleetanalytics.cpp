// The evidence the broker's connection events leave per network: survived idle gaps, silent
// deaths that turn into NAT kills when the device redials from the same network, device
// time, death and reconnect rates, and the time the broker was blind to a dead connection.
#include "../common/testmain.h"
#include "engine/analytics/fleetanalytics.h"

using namespace hermes::analytics;
using namespace std::chrono_literals;

namespace {

FleetAnalytics twoNetworks()
{
    NetworkMap map;
    map.add(QStringLiteral("mobile"), QStringLiteral("127.0.1.0/24"));
    map.add(QStringLiteral("telecom"), QStringLiteral("127.0.2.0/24"));
    return FleetAnalytics(map);
}

const QHostAddress mobileA(QStringLiteral("127.0.1.10"));
const QHostAddress mobileB(QStringLiteral("127.0.1.11"));
const QHostAddress telecom(QStringLiteral("127.0.2.10"));

} // namespace

class TestFleetAnalytics : public QObject
{
    Q_OBJECT
private slots:
    void namedNetworksAreListedBeforeTraffic();
    void redialFromTheSameNetworkIsANatKill();
    void redialFromAnotherNetworkProvesNothing();
    void lateReturnIsAnOfflineDevice();
    void shortGapsAndRepeatsAreNotEvidence();
    void deviceTimeAndRates();
};

void TestFleetAnalytics::namedNetworksAreListedBeforeTraffic()
{
    const FleetAnalytics analytics = twoNetworks();
    const QList<NetworkReport> reports = analytics.reports(0ms);
    QCOMPARE(reports.size(), 2);
    QCOMPARE(reports.at(0).network, QStringLiteral("mobile"));
    QCOMPARE(reports.at(1).network, QStringLiteral("telecom"));
    QCOMPARE(reports.at(0).estimate.strength, NatEstimate::Strength::None);
}

void TestFleetAnalytics::redialFromTheSameNetworkIsANatKill()
{
    FleetAnalytics analytics = twoNetworks();
    analytics.onConnected(QStringLiteral("d1"), mobileA, 0ms);
    analytics.onPacketAfterIdle(QStringLiteral("d1"), mobileA, 240s, 240s);
    // Idle since 240 s; the device's 300 s probe is lost, it redials at 560 s from a new
    // port (and here a new address of the same carrier pool): the broker sees a take-over.
    analytics.onDisconnected(QStringLiteral("d1"), mobileA, true, 240s, 560s);
    analytics.onConnected(QStringLiteral("d1"), mobileB, 560s);
    const NetworkReport mobile = *analytics.report(QStringLiteral("mobile"), 560s);
    QCOMPARE(mobile.silentDeaths, 1u);
    QCOMPARE(mobile.natDeaths, 1u);
    QCOMPARE(mobile.connects, 2u);
    QCOMPARE(mobile.liveConnections, 1);
    QCOMPARE(mobile.estimate.lowerBound, std::optional<Duration>(240s));
    QCOMPARE(mobile.estimate.upperBound, std::optional<Duration>(320s)); // 560 − 240
    QCOMPARE(mobile.blindTimeMax, Duration(320s));
}

void TestFleetAnalytics::redialFromAnotherNetworkProvesNothing()
{
    FleetAnalytics analytics = twoNetworks();
    analytics.onConnected(QStringLiteral("d1"), mobileA, 0ms);
    analytics.onDisconnected(QStringLiteral("d1"), mobileA, true, 100s, 150s);
    analytics.onConnected(QStringLiteral("d1"), telecom, 160s); // Wi-Fi → another carrier
    const NetworkReport mobile = *analytics.report(QStringLiteral("mobile"), 160s);
    QCOMPARE(mobile.silentDeaths, 1u);
    QCOMPARE(mobile.natDeaths, 0u);
    QCOMPARE(mobile.estimate.strength, NatEstimate::Strength::None);
    QCOMPARE(analytics.report(QStringLiteral("telecom"), 160s)->connects, 1u);
}

void TestFleetAnalytics::lateReturnIsAnOfflineDevice()
{
    FleetAnalytics analytics = twoNetworks();
    analytics.onConnected(QStringLiteral("d1"), mobileA, 0ms);
    analytics.onDisconnected(QStringLiteral("d1"), mobileA, true, 100s, 550s); // keep-alive 300 s ran out
    analytics.onConnected(QStringLiteral("d1"), mobileA, 550s + 2min + 1s);     // back after the window
    const NetworkReport mobile = *analytics.report(QStringLiteral("mobile"), 700s);
    QCOMPARE(mobile.silentDeaths, 1u);
    QCOMPARE(mobile.natDeaths, 0u);
    QVERIFY(!mobile.estimate.upperBound);
    // A clean goodbye is no death at all.
    analytics.onDisconnected(QStringLiteral("d1"), mobileA, false, 690s, 700s);
    QCOMPARE(analytics.report(QStringLiteral("mobile"), 700s)->silentDeaths, 1u);
}

void TestFleetAnalytics::shortGapsAndRepeatsAreNotEvidence()
{
    FleetAnalytics analytics = twoNetworks();
    analytics.onConnected(QStringLiteral("d1"), mobileA, 0ms);
    analytics.onPacketAfterIdle(QStringLiteral("d1"), mobileA, 5s, 5s); // a publish burst
    QCOMPARE(analytics.report(QStringLiteral("mobile"), 5s)->estimate.observations, 0);
    // Every heartbeat survives the same 285 s: one observation per refresh interval.
    Timestamp now = 5s;
    for (int beat = 0; beat < 12; ++beat) {
        now += 285s;
        analytics.onPacketAfterIdle(QStringLiteral("d1"), mobileA, 285s, now);
    }
    QCOMPARE(analytics.report(QStringLiteral("mobile"), now)->estimate.observations, 2); // 57 min: 0 and 30 min
    analytics.onPacketAfterIdle(QStringLiteral("d1"), mobileA, 290s, now + 290s); // a longer one counts at once
    QCOMPARE(analytics.report(QStringLiteral("mobile"), now)->estimate.observations, 3);
    // A short take-over (an app restart a moment after a packet) is no NAT evidence either.
    analytics.onDisconnected(QStringLiteral("d1"), mobileA, true, now + 290s, now + 300s);
    analytics.onConnected(QStringLiteral("d1"), mobileA, now + 300s);
    QCOMPARE(analytics.report(QStringLiteral("mobile"), now)->estimate.observations, 3);
}

void TestFleetAnalytics::deviceTimeAndRates()
{
    FleetAnalytics analytics = twoNetworks();
    analytics.onConnected(QStringLiteral("a"), telecom, 0ms);
    analytics.onConnected(QStringLiteral("b"), telecom, 0ms);
    analytics.onDisconnected(QStringLiteral("b"), telecom, true, 1h - 10min, 1h);
    analytics.onConnected(QStringLiteral("b"), telecom, 1h);
    const NetworkReport r = *analytics.report(QStringLiteral("telecom"), 2h);
    QCOMPARE(r.deviceHours, 4.0); // two devices for two hours, the redial took no time
    QCOMPARE(r.connects, 3u);
    QCOMPARE(r.silentDeathsPerDeviceHour(), 0.25);
    QCOMPARE(r.reconnectsPerDeviceHour(), 0.75);
    QCOMPARE(r.blindTimeMedian, Duration(10min));
}

HERMES_TEST_APPLESS_MAIN(TestFleetAnalytics)
#include "tst_fleetanalytics.moc"
