// The device fleet simulator: heartbeat strategies and the reconnect policy as
// pure logic with a fake clock, then NAT relays, devices and a fleet against an in-process
// broker over loopback sockets. Scaled time keeps carrier NAT timeouts to a second or two.

#include "engine/broker.h"
#include "engine/simulator/fleet.h"
#include "engine/simulator/heartbeatstrategy.h"
#include "engine/simulator/natrelay.h"
#include "engine/simulator/reconnectpolicy.h"
#include "engine/simulator/scenario.h"
#include "engine/simulator/simulateddevice.h"
#include "push/envelope.h"
#include "push/sequence.h"
#include "push/signer.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

#include "../common/mosquitto.h"
#include "../common/testmain.h"

#include <memory>

using namespace hermes;
using namespace hermes::sim;
using namespace std::chrono_literals;
using ClientCloseReason = hermes::mqtt::client::CloseReason;

namespace {

/// Drives a strategy against a NAT that forgets a mapping after `natTimeout` of silence:
/// a heartbeat after an interval ≥ the timeout is lost. Returns the simulated time spent.
Timestamp runAgainstNat(HeartbeatStrategy &strategy, Duration natTimeout, Timestamp start,
                        int maxHeartbeats = 1000)
{
    Timestamp now = start;
    for (int i = 0; i < maxHeartbeats && !strategy.converged(); ++i) {
        const Duration interval = strategy.currentInterval();
        now += interval;
        if (interval < natTimeout)
            strategy.onSuccess(now);
        else
            strategy.onFailure(now);
    }
    return now;
}

std::unique_ptr<Broker> startBroker()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.anonymousRole = Role::Operator; // watchers read every device's topics
    auto broker = std::make_unique<Broker>(config);
    if (!broker->start())
        return nullptr;
    return broker;
}

quint16 brokerPort(const Broker &broker)
{
    const QList<ListenAddress> addresses = broker.listenAddresses();
    return addresses.isEmpty() ? 0 : addresses.constFirst().port;
}

} // namespace

class TestSimulator : public QObject
{
    Q_OBJECT

private slots:
    // ---- pure logic ----
    void fixedHeartbeatNeverMoves();
    void smartHeartbeatConvergesBelowNat_data();
    void smartHeartbeatConvergesBelowNat();
    void smartHeartbeatRelearnsWhenThePathChanges();
    void smartHeartbeatTakesTheBrokersCeiling();
    void reconnectDelaysSpreadAcrossRange();
    void reconnectGivesUpAfterSixTries();
    void reconnectIsDeterministicPerSeed();
    void reconnectExponentialBackoff();

    // ---- relay, device, fleet against the broker ----
    void relayPresetsScaleTime_data();
    void relayPresetsScaleTime();
    void deadMappingDetectedByBrokerAndDevice();
    void liveMappingKeepsBothSidesUp();
    void smartDeviceConvergesBelowScaledNat();
    void deviceGivesUpAfterSixRefusedReconnects();
    void fleetOf200ConnectsThroughRelay();
    void reconnectStormIsSpreadOut();
    void scenarioNamesAClusterAndTags();
    void fleetMovesToTheSurvivingNode();

    // ---- push handling: envelopes, signatures, sequence numbers, receipts ----
    void deviceHandlesPushesLikeAnApp_data();
    void deviceHandlesPushesLikeAnApp();
};

void TestSimulator::fixedHeartbeatNeverMoves()
{
    FixedHeartbeat fixed(120s);
    QVERIFY(fixed.converged());
    fixed.onFailure(1000ms);
    fixed.onSuccess(2000ms);
    QCOMPARE(fixed.currentInterval(), Duration(120s));
    QCOMPARE(fixed.maxInterval(), Duration(120s));
    QCOMPARE(fixed.nextHeartbeat(10s), Timestamp(130s));
}

void TestSimulator::smartHeartbeatConvergesBelowNat_data()
{
    QTest::addColumn<qint64>("natSeconds");
    QTest::addColumn<qint64>("maxSeconds");
    QTest::addColumn<int>("successesBeforeStepUp");
    QTest::addColumn<qint64>("expectedSeconds"); // exact: the search is deterministic

    // 60,120,180,240 ok; 300 lost; bisect 270, 285 ok; gap 15 ≤ precision → 285.
    QTest::newRow("China Mobile 300 s") << qint64(300) << qint64(600) << 1 << qint64(285);
    QTest::newRow("China Unicom 300 s, two successes per step")
            << qint64(300) << qint64(600) << 2 << qint64(285);
    // Linear to 1740, 1800 lost, bisect 1770, 1785.
    QTest::newRow("China Telecom 1800 s") << qint64(1800) << qint64(3600) << 1 << qint64(1785);
    // A NAT between steps: 240 ok, 300 lost, 270 lost, 255 ok; gap 15.
    QTest::newRow("NAT 263 s between steps") << qint64(263) << qint64(600) << 1 << qint64(255);
    // The NAT is longer than we would ever wait: settle at max, never having failed.
    QTest::newRow("NAT 1800 s beyond max 600 s") << qint64(1800) << qint64(600) << 1 << qint64(600);
}

void TestSimulator::smartHeartbeatConvergesBelowNat()
{
    QFETCH(qint64, natSeconds);
    QFETCH(qint64, maxSeconds);
    QFETCH(int, successesBeforeStepUp);
    QFETCH(qint64, expectedSeconds);

    SmartHeartbeat::Config config;
    config.min = 60s;
    config.max = std::chrono::seconds(maxSeconds);
    config.step = 60s;
    config.precision = 15s;
    config.successesBeforeStepUp = successesBeforeStepUp;
    SmartHeartbeat smart(config);
    QCOMPARE(smart.currentInterval(), Duration(60s)); // starts low
    QVERIFY(!smart.converged());

    const Duration nat = std::chrono::seconds(natSeconds);
    const Timestamp end = runAgainstNat(smart, nat, Timestamp(0));
    QVERIFY(smart.converged());
    QCOMPARE(smart.convergedAt(), std::optional<Timestamp>(end));
    QCOMPARE(smart.currentInterval(), Duration(std::chrono::seconds(expectedSeconds)));
    QVERIFY(smart.currentInterval() < nat);
    if (nat <= config.max) // just under: within the precision of the real timeout
        QVERIFY(smart.currentInterval() >= nat - config.precision);
    qInfo("NAT %llds: converged at %llds after %lld simulated s, %d failures", natSeconds,
          qint64(smart.currentInterval().count() / 1000), qint64(end.count() / 1000),
          smart.failures());
}

void TestSimulator::smartHeartbeatRelearnsWhenThePathChanges()
{
    SmartHeartbeat::Config config;
    config.min = 60s;
    config.step = 60s;
    config.successesBeforeStepUp = 1;
    SmartHeartbeat smart(config);
    Timestamp now = runAgainstNat(smart, 300s, Timestamp(0));
    QCOMPARE(smart.currentInterval(), Duration(285s));

    // Wi-Fi to a carrier with a 2-minute NAT: the converged interval now fails.
    smart.onFailure(now);
    QVERIFY(!smart.converged());
    QVERIFY(smart.currentInterval() < Duration(285s));
    now = runAgainstNat(smart, 120s, now);
    QVERIFY(smart.converged());
    QVERIFY(smart.currentInterval() < Duration(120s));
    QVERIFY(smart.currentInterval() >= Duration(120s) - config.precision);

    // Below min nothing works: it stays at min and keeps failing, never "converged".
    SmartHeartbeat tooShort(config);
    runAgainstNat(tooShort, 30s, Timestamp(0), 20);
    QVERIFY(!tooShort.converged());
    QCOMPARE(tooShort.currentInterval(), Duration(60s));
    QCOMPARE(tooShort.failures(), 20);
}

void TestSimulator::smartHeartbeatTakesTheBrokersCeiling()
{
    // Tuned for a long-timeout carrier: the search starts above a 300 s NAT and, with min
    // as its floor, can never get under it: every heartbeat dies.
    SmartHeartbeat::Config config;
    config.min = 360s;
    config.max = 2400s;
    config.step = 60s;
    config.successesBeforeStepUp = 1;
    SmartHeartbeat smart(config);
    QVERIFY(smart.takesAdvice());
    QVERIFY(!FixedHeartbeat(120s).takesAdvice());
    runAgainstNat(smart, 300s, Timestamp(0), 10);
    QCOMPARE(smart.failures(), 10);
    QCOMPARE(smart.currentInterval(), Duration(360s));

    // The broker offers 280 s: the search stays at or under it and settles there.
    smart.adviseCeiling(280s);
    QCOMPARE(smart.currentInterval(), Duration(280s));
    const Timestamp end = runAgainstNat(smart, 300s, Timestamp(10'000s));
    QVERIFY(smart.converged());
    QCOMPARE(smart.currentInterval(), Duration(280s));
    QCOMPARE(smart.failures(), 10);

    // A later, higher offer opens the search up to it: it finds the NAT itself.
    smart.adviseCeiling(600s);
    QVERIFY(!smart.converged());
    runAgainstNat(smart, 300s, end);
    QVERIFY(smart.converged());
    QVERIFY(smart.currentInterval() < Duration(300s));
    QVERIFY(smart.currentInterval() >= Duration(280s));

    // An offer above a NAT that shrank: a failure at the ceiling still searches down.
    SmartHeartbeat misled(config);
    misled.adviseCeiling(280s);
    runAgainstNat(misled, 200s, Timestamp(0));
    QVERIFY(misled.converged());
    QVERIFY(misled.currentInterval() < Duration(200s));
}

void TestSimulator::reconnectDelaysSpreadAcrossRange()
{
    ReconnectPolicy::Config config; // 1–15 s
    config.maxAttempts = 1000;
    ReconnectPolicy policy(config, 42);
    constexpr int Draws = 1000;
    constexpr int Buckets = 14; // one per second of the 14 s range
    std::array<int, Buckets> histogram{};
    qint64 lowest = std::numeric_limits<qint64>::max();
    qint64 highest = 0;
    double sum = 0;
    for (int i = 0; i < Draws; ++i) {
        const auto delay = policy.nextDelay();
        QVERIFY(delay);
        const qint64 ms = delay->count();
        QVERIFY2(ms >= 1000 && ms <= 15000, qPrintable(QString::number(ms)));
        lowest = std::min(lowest, ms);
        highest = std::max(highest, ms);
        sum += double(ms);
        ++histogram[std::min<qsizetype>((ms - 1000) / 1000, Buckets - 1)];
    }
    // Uniform: about 71 a bucket; a storm-shaped clump would leave buckets near empty.
    for (int b = 0; b < Buckets; ++b)
        QVERIFY2(histogram[b] >= 35 && histogram[b] <= 110,
                 qPrintable(QStringLiteral("bucket %1 s: %2").arg(b + 1).arg(histogram[b])));
    QVERIFY(lowest < 1300);
    QVERIFY(highest > 14700);
    QVERIFY(qAbs(sum / Draws - 8000.0) < 500.0);
}

void TestSimulator::reconnectGivesUpAfterSixTries()
{
    ReconnectPolicy policy; // reference system: 6 tries
    for (int i = 1; i <= 6; ++i) {
        QVERIFY2(policy.nextDelay().has_value(), qPrintable(QString::number(i)));
        QCOMPARE(policy.attempts(), i);
    }
    QVERIFY(policy.exhausted());
    QVERIFY(!policy.nextDelay().has_value());
    QCOMPARE(policy.attempts(), 6);

    policy.reset(); // connected again: a later loss gets six fresh tries
    QVERIFY(policy.nextDelay().has_value());

    ReconnectPolicy::Config never;
    never.maxAttempts = 0;
    QVERIFY(!ReconnectPolicy(never).nextDelay().has_value());
}

void TestSimulator::reconnectIsDeterministicPerSeed()
{
    ReconnectPolicy::Config config;
    config.maxAttempts = 50;
    ReconnectPolicy a(config, 7), b(config, 7), c(config, 8);
    bool differs = false;
    for (int i = 0; i < 50; ++i) {
        const auto x = a.nextDelay();
        QCOMPARE(x, b.nextDelay());
        differs = differs || x != c.nextDelay();
    }
    QVERIFY(differs);
}

void TestSimulator::reconnectExponentialBackoff()
{
    ReconnectPolicy::Config config;
    config.minDelay = 1s;
    config.maxDelay = 2s;
    config.maxAttempts = 10;
    config.exponentialBackoff = true;
    config.backoffCap = 60s;
    ReconnectPolicy policy(config, 3);
    for (int n = 0; n < 10; ++n) {
        const qint64 ms = policy.nextDelay()->count();
        const qint64 low = std::min<qint64>(1000 << n, 60000);
        const qint64 high = std::min<qint64>(2000 << n, 60000);
        QVERIFY2(ms >= low && ms <= high, qPrintable(QStringLiteral("attempt %1: %2 ms").arg(n).arg(ms)));
    }
}

// ---- relay, device, fleet ---------------------------------------------------------------

void TestSimulator::relayPresetsScaleTime_data()
{
    QTest::addColumn<NatRelay::Preset>("preset");
    QTest::addColumn<double>("scale");
    QTest::addColumn<qint64>("realMs");
    QTest::newRow("China Mobile 300 s at ×60") << NatRelay::Preset::ChinaMobile << 60.0 << qint64(5000);
    QTest::newRow("China Unicom 300 s at ×1") << NatRelay::Preset::ChinaUnicom << 1.0 << qint64(300000);
    QTest::newRow("China Telecom 1800 s at ×60") << NatRelay::Preset::ChinaTelecom << 60.0 << qint64(30000);
    QTest::newRow("custom 90 s at ×60") << NatRelay::Preset::Custom << 60.0 << qint64(1500);
}

void TestSimulator::relayPresetsScaleTime()
{
    QFETCH(NatRelay::Preset, preset);
    QFETCH(double, scale);
    QFETCH(qint64, realMs);
    NatRelay::Config config;
    config.preset = preset;
    config.customTimeout = 90s;
    config.timeScale = scale;
    const NatRelay relay(config);
    QCOMPARE(relay.idleTimeout().count(), realMs);
}

void TestSimulator::deadMappingDetectedByBrokerAndDevice()
{
    const auto broker = startBroker();
    QVERIFY(broker);

    // A 90 s NAT at ×60: the mapping dies after 1.5 s of silence.
    NatRelay::Config relayConfig;
    relayConfig.targetPort = brokerPort(*broker);
    relayConfig.preset = NatRelay::Preset::Custom;
    relayConfig.customTimeout = 90s;
    relayConfig.timeScale = 60.0;
    NatRelay relay(relayConfig);
    QVERIFY2(relay.start(), qPrintable(relay.errorString()));
    QCOMPARE(relay.idleTimeout(), 1500ms);

    // Heartbeat every 2 s: fine for the broker's 1.5 T = 3 s, too slow for the NAT.
    DeviceConfig deviceConfig;
    deviceConfig.brokerPort = brokerPort(*broker);
    deviceConfig.relayHost = QStringLiteral("127.0.0.1");
    deviceConfig.relayPort = relay.port();
    deviceConfig.keepAlive = 2s;
    deviceConfig.pongTimeout = 1s;
    deviceConfig.reconnect.maxAttempts = 0; // a reconnect would take the session over
    SimulatedDevice device(QStringLiteral("nat-victim"), deviceConfig,
                           std::make_unique<FixedHeartbeat>(2s));
    QCOMPARE(device.client().options().connect.keepAliveSeconds, quint16(2));

    QElapsedTimer clock;
    clock.start();
    qint64 droppedAt = -1, deviceNoticedAt = -1, brokerNoticedAt = -1;
    CloseInfo brokerClose;
    ClientCloseReason deviceReason = ClientCloseReason::ClientDisconnect;
    connect(&relay, &NatRelay::mappingDropped, this, [&] { droppedAt = clock.elapsed(); });
    connect(&device, &SimulatedDevice::disconnected, this, [&](ClientCloseReason reason) {
        deviceNoticedAt = clock.elapsed();
        deviceReason = reason;
    });
    connect(broker.get(), &Broker::clientDisconnected, this,
            [&](const QString &clientId, const CloseInfo &close) {
                if (clientId == device.id()) {
                    brokerNoticedAt = clock.elapsed();
                    brokerClose = close;
                }
            });
    QSignalSpy subscribed(&device.client(), &MqttClient::subscribed);

    device.start();
    QVERIFY(subscribed.wait(5000));
    QVERIFY(brokerNoticedAt < 0 && deviceNoticedAt < 0);

    QTRY_VERIFY_WITH_TIMEOUT(brokerNoticedAt >= 0 && deviceNoticedAt >= 0, 8000);

    // The relay dropped the mapping after its idle timeout and swallowed the PINGREQ.
    QVERIFY(droppedAt >= 0);
    QCOMPARE(relay.counters().mappingsDropped, quint64(1));
    QVERIFY(relay.counters().bytesDiscarded >= 2); // PINGREQ = C0 00

    // No FIN, no RST: the broker found out by keep-alive, within 1.5 T of the drop.
    QCOMPARE(brokerClose.reason, mqtt::CloseReason::KeepAliveTimeout);
    const qint64 brokerDetection = brokerNoticedAt - droppedAt;
    QVERIFY2(brokerDetection <= 3000, qPrintable(QString::number(brokerDetection)));

    // The device found out by its pong deadline, not by a closed socket.
    QCOMPARE(deviceReason, ClientCloseReason::PingTimeout);
    const DeviceStats &stats = device.stats();
    QCOMPARE(stats.deadLinks, quint64(1));
    QCOMPARE(stats.heartbeatsSent, quint64(1));
    QCOMPARE(stats.pongs, quint64(0));
    // The client's timers are coarse (±5 %); the rest is event-loop latency under load.
    QVERIFY2(stats.lastDetectionMs >= 950 && stats.lastDetectionMs <= 1500,
             qPrintable(QString::number(stats.lastDetectionMs)));
    QVERIFY(stats.gaveUp); // maxAttempts 0
    qInfo("mapping dropped at %lld ms; broker noticed %lld ms later (1.5 T = 3000 ms); device "
          "noticed %lld ms after its PINGREQ (%lld ms after the drop)",
          droppedAt, brokerDetection, stats.lastDetectionMs, deviceNoticedAt - droppedAt);

    // Both peers closed their side, so the relay let go of the black-holed sockets.
    QTRY_COMPARE_WITH_TIMEOUT(relay.openMappings(), 0, 2000);
    QCOMPARE(relay.counters().mappingsClosed, quint64(1));
}

void TestSimulator::liveMappingKeepsBothSidesUp()
{
    // Control for the test above: the same device behind China Telecom's 30 min (30 s at
    // ×60) gets its pongs and the broker never times it out.
    const auto broker = startBroker();
    QVERIFY(broker);
    NatRelay::Config relayConfig;
    relayConfig.targetPort = brokerPort(*broker);
    relayConfig.preset = NatRelay::Preset::ChinaTelecom;
    relayConfig.timeScale = 60.0;
    NatRelay relay(relayConfig);
    QVERIFY(relay.start());

    DeviceConfig deviceConfig;
    deviceConfig.brokerPort = brokerPort(*broker);
    deviceConfig.relayHost = QStringLiteral("127.0.0.1");
    deviceConfig.relayPort = relay.port();
    deviceConfig.keepAlive = 1s; // 1.5 T = 1.5 s
    deviceConfig.pongTimeout = 1s;
    SimulatedDevice device(QStringLiteral("telecom"), deviceConfig,
                           std::make_unique<FixedHeartbeat>(500ms));
    QSignalSpy brokerClosed(broker.get(), &Broker::clientDisconnected);
    device.start();
    // Five heartbeats = 2.5 s, well past 1.5 T: only the heartbeats kept the session alive.
    QTRY_VERIFY_WITH_TIMEOUT(device.stats().pongs >= 5, 5000);
    QCOMPARE(brokerClosed.count(), 0);
    QVERIFY(device.isConnected());
    QCOMPARE(device.stats().deadLinks, quint64(0));
    QCOMPARE(relay.counters().mappingsDropped, quint64(0));
    QVERIFY(relay.counters().bytesFromDevices > 0 && relay.counters().bytesToDevices > 0);
}

void TestSimulator::smartDeviceConvergesBelowScaledNat()
{
    const auto broker = startBroker();
    QVERIFY(broker);
    // China Mobile's 300 s at ×300: one real second.
    NatRelay::Config relayConfig;
    relayConfig.targetPort = brokerPort(*broker);
    relayConfig.preset = NatRelay::Preset::ChinaMobile;
    relayConfig.timeScale = 300.0;
    NatRelay relay(relayConfig);
    QVERIFY(relay.start());
    QCOMPARE(relay.idleTimeout(), 1000ms);

    DeviceConfig deviceConfig;
    deviceConfig.brokerPort = brokerPort(*broker);
    deviceConfig.relayHost = QStringLiteral("127.0.0.1");
    deviceConfig.relayPort = relay.port();
    deviceConfig.timeScale = 300.0;
    deviceConfig.pongTimeout = 60s; // 200 ms real: a slow loopback pong is not a dead NAT
    SmartHeartbeat::Config smartConfig;
    smartConfig.min = 120s;
    smartConfig.max = 600s;
    smartConfig.step = 60s;
    smartConfig.precision = 15s;
    smartConfig.successesBeforeStepUp = 1;
    SimulatedDevice device(QStringLiteral("smart"), deviceConfig,
                           std::make_unique<SmartHeartbeat>(smartConfig));
    QCOMPARE(device.client().options().connect.keepAliveSeconds, quint16(2)); // 600 s / 300

    QElapsedTimer clock;
    clock.start();
    device.start();
    // 120, 180, 240 answered, 300 swallowed by the NAT, reconnect, 240, 270, 285: ~5.5 s.
    QTRY_VERIFY_WITH_TIMEOUT(device.heartbeat().converged(), 12000);
    const Duration interval = device.heartbeat().currentInterval();
    QVERIFY2(interval < relay.simulatedTimeout(), qPrintable(QString::number(interval.count())));
    // Exactly 285 s on a quiet machine (see the pure test); a heartbeat delayed past the NAT
    // by a loaded machine only makes it settle lower, never above.
    QVERIFY2(interval >= relay.simulatedTimeout() - smartConfig.step,
             qPrintable(QString::number(interval.count())));
    const DeviceStats &stats = device.stats();
    QVERIFY(stats.deadLinks >= 1); // it had to overshoot once to find the ceiling
    QCOMPARE(relay.counters().mappingsDropped, stats.deadLinks);
    QVERIFY(stats.reconnectAttempts >= 1);
    QVERIFY(device.isConnected() || device.isRunning());
    qInfo("converged at %lld simulated s (NAT %lld s) after %lld real ms; %llu heartbeats, "
          "%llu dead links, detection %lld ms real (= %lld simulated s)",
          qint64(interval.count() / 1000), qint64(relay.simulatedTimeout().count() / 1000),
          clock.elapsed(), stats.heartbeatsSent, stats.deadLinks, stats.lastDetectionMs,
          qint64(stats.lastDetectionMs * 300 / 1000));
    device.stop();
}

void TestSimulator::deviceGivesUpAfterSixRefusedReconnects()
{
    // The broker is gone (nothing listens on the port): the first connect and six
    // reconnects are refused, then the device stops trying. ×1000 makes 1–15 s delays ms.
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        deadPort = probe.serverPort();
    }
    DeviceConfig config;
    config.brokerPort = deadPort;
    config.timeScale = 1000.0;
    SimulatedDevice device(QStringLiteral("orphan"), config, std::make_unique<FixedHeartbeat>(120s));
    QSignalSpy gaveUp(&device, &SimulatedDevice::gaveUp);
    device.start();
    QVERIFY(gaveUp.wait(5000));
    const DeviceStats &stats = device.stats();
    QCOMPARE(stats.connectAttempts, quint64(7));
    QCOMPARE(stats.reconnectAttempts, quint64(6));
    QCOMPARE(stats.connectFailures, quint64(7));
    QCOMPARE(stats.connects, quint64(0));
    QVERIFY(stats.gaveUp);
    QVERIFY(!device.isRunning());
}

void TestSimulator::fleetOf200ConnectsThroughRelay()
{
    const auto broker = startBroker();
    QVERIFY(broker);
    NatRelay::Config relayConfig;
    relayConfig.targetPort = brokerPort(*broker);
    relayConfig.preset = NatRelay::Preset::ChinaTelecom;
    NatRelay relay(relayConfig);
    QVERIFY(relay.start());

    FleetConfig config;
    config.deviceCount = 200;
    config.connectsPerSecond = 1000; // staggered: ten every 10 ms
    config.device.brokerPort = brokerPort(*broker);
    config.device.relayHost = QStringLiteral("127.0.0.1");
    config.device.relayPort = relay.port();
    config.heartbeat = [](int) { return std::make_unique<FixedHeartbeat>(120s); };
    Fleet fleet(config);
    QSignalSpy all(&fleet, &Fleet::allConnected);

    QElapsedTimer clock;
    clock.start();
    fleet.start();
    QVERIFY(fleet.stats().started < 200); // not all at once
    QVERIFY(all.wait(15000));
    const qint64 elapsed = clock.elapsed();
    QVERIFY(elapsed >= 150); // 200 at 1,000/s cannot finish in much under 200 ms

    const FleetStats stats = fleet.stats();
    QCOMPARE(stats.devices, 200);
    QCOMPARE(stats.started, 200);
    QCOMPARE(stats.connected, 200);
    QCOMPARE(stats.connects, quint64(200));
    QCOMPARE(stats.connectFailures, quint64(0));
    QCOMPARE(fleet.connectedCount(), 200);
    QCOMPARE(relay.counters().mappingsCreated, quint64(200));
    QCOMPARE(fleet.devices().first()->id(), QStringLiteral("sim-000"));
    QCOMPARE(fleet.devices().first()->pushTopic(), QStringLiteral("devices/sim-000/push"));
    QTRY_COMPARE_WITH_TIMEOUT(int(broker->sessions().size()), 200, 5000);
    qInfo("200 devices connected through the relay in %lld ms", elapsed);

    QSignalSpy closed(broker.get(), &Broker::clientDisconnected);
    fleet.stop();
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 200, 5000);
    QCOMPARE(fleet.stats().connected, 0);
}

void TestSimulator::reconnectStormIsSpreadOut()
{
    // The server drops everyone at once; 1–15 s at ×100 spreads the comeback over 10–150 ms.
    const auto broker = startBroker();
    QVERIFY(broker);
    FleetConfig config;
    config.deviceCount = 50;
    config.connectsPerSecond = 0; // all at once
    config.device.brokerPort = brokerPort(*broker);
    config.device.timeScale = 100.0;
    Fleet fleet(config);
    QSignalSpy all(&fleet, &Fleet::allConnected);
    fleet.start();
    QVERIFY(all.wait(10000));

    QElapsedTimer clock;
    QList<qint64> comebacks;
    connect(broker.get(), &Broker::clientConnected, this,
            [&](const QString &) { comebacks.append(clock.elapsed()); });
    clock.start();
    for (const SimulatedDevice *device : fleet.devices())
        QVERIFY(broker->kick(device->id()));
    QVERIFY(all.wait(10000));
    QCOMPARE(comebacks.size(), 50);
    const FleetStats stats = fleet.stats();
    // Today a kicked 3.1.1 client does not see its TCP close and finds out by its next
    // heartbeat (reported to the lead); either way each device lost one connection.
    QCOMPARE(stats.connectionsLost + stats.deadLinks, quint64(50));
    QCOMPARE(stats.reconnectAttempts, quint64(50));
    QCOMPARE(stats.connects, quint64(100));
    const auto [first, last] = std::minmax_element(comebacks.cbegin(), comebacks.cend());
    QVERIFY2(*first >= 10 && *last - *first >= 80,
             qPrintable(QStringLiteral("first %1 ms, last %2 ms").arg(*first).arg(*last)));
    qInfo("50 kicked devices came back between %lld and %lld ms", *first, *last);
    fleet.stop();
}

void TestSimulator::scenarioNamesAClusterAndTags()
{
    const QString head = QStringLiteral("hermes-scenario 1\nduration 1m\nnat direct\n");
    const auto parsed = parseScenario(head + QStringLiteral("broker 127.0.0.1:20001, [::1]:20002,localhost:20003\n"
                                                            "register-tags fleet, eu\n"));
    const auto *scenario = std::get_if<Scenario>(&parsed);
    QVERIFY2(scenario, scenario ? "" : qPrintable(std::get<ScenarioError>(parsed).toString()));
    QCOMPARE(scenario->brokerHost, QStringLiteral("127.0.0.1"));
    QCOMPARE(scenario->brokerPort, quint16(20001));
    QCOMPARE(scenario->moreBrokers, (QList<BrokerNode>{{QStringLiteral("::1"), 20002}, {QStringLiteral("localhost"), 20003}}));
    QCOMPARE(scenario->moreBrokers.first().toString(), QStringLiteral("[::1]:20002"));
    QCOMPARE(scenario->registerTags, (QStringList{QStringLiteral("fleet"), QStringLiteral("eu")}));

    // One address stays one address.
    const auto single = parseScenario(head + QStringLiteral("broker 10.0.0.1:1883\n"));
    QVERIFY(std::holds_alternative<Scenario>(single));
    QVERIFY(std::get<Scenario>(single).moreBrokers.isEmpty());

    // A bad member is named; a relay cannot reach several brokers.
    const auto bad = parseScenario(head + QStringLiteral("broker 127.0.0.1:1, nohost\n"));
    QVERIFY(std::holds_alternative<ScenarioError>(bad));
    QVERIFY(std::get<ScenarioError>(bad).message.contains(QLatin1String("\"nohost\"")));
    QCOMPARE(std::get<ScenarioError>(bad).line, 4);
    const auto relayed = parseScenario(QStringLiteral("hermes-scenario 1\nduration 1m\nnat none\nbroker a:1,b:2\n"));
    QVERIFY(std::holds_alternative<ScenarioError>(relayed));
    QCOMPARE(std::get<ScenarioError>(relayed).line, 4);
    QVERIFY(std::get<ScenarioError>(relayed).message.contains(QLatin1String("nat direct")));
    const auto noTags = parseScenario(head + QStringLiteral("register-tags ,\n"));
    QVERIFY(std::holds_alternative<ScenarioError>(noTags));
}

void TestSimulator::fleetMovesToTheSurvivingNode()
{
    // Two mosquitto processes stand in for a cluster's nodes; one is SIGKILLed, as a crashed
    // node. At ×10 the devices' 1–15 s jitter is 100–1,500 ms of real time.
    if (!test::Mosquitto::installed())
        HERMES_SKIP("mosquitto is not installed (scripts/setup.sh installs it)");
    QTemporaryDir dir;
    const quint16 ports[2] = {test::freePort(), test::freePort()};
    test::Mosquitto nodeA(dir, ports[0], {QStringLiteral("allow_anonymous true")});
    test::Mosquitto nodeB(dir, ports[1], {QStringLiteral("allow_anonymous true")});
    QVERIFY(nodeA.start());
    QVERIFY(nodeB.start());
    const BrokerNode a{QStringLiteral("127.0.0.1"), ports[0]};
    const BrokerNode b{QStringLiteral("127.0.0.1"), ports[1]};

    // What a push service on node B hears: registrations, by device.
    MqttClient watcher;
    watcher.setPort(ports[1]);
    watcher.setClientId(QStringLiteral("watcher"));
    QHash<QString, int> registrations;
    int untagged = 0;
    connect(&watcher, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) {
        untagged += publish.payload == QByteArrayLiteral(R"({"tags":["fleet"]})") ? 0 : 1;
        ++registrations[publish.topic.section(QLatin1Char('/'), 1, 1)];
    });
    QSignalSpy watcherReady(&watcher, &MqttClient::subscribed);
    watcher.connectToBroker();
    watcher.subscribe(QStringLiteral("devices/+/register"), mqtt::QoS::AtLeastOnce);
    QVERIFY(watcherReady.wait(5000));

    constexpr int Devices = 40;
    FleetConfig config;
    config.deviceCount = Devices;
    config.connectsPerSecond = 0;
    config.brokers = {a, b};
    config.device.timeScale = 10.0;
    config.device.registerTags = {QStringLiteral("fleet")};
    config.device.reconnect.maxAttempts = 100;
    config.heartbeat = [](int) { return std::make_unique<FixedHeartbeat>(120s); };
    Fleet fleet(config);
    const auto perBroker = [&fleet] {
        QMap<QString, int> connected;
        for (const auto &[address, count] : fleet.stats().connectedPerBroker)
            connected.insert(address, count);
        return connected;
    };
    QSignalSpy all(&fleet, &Fleet::allConnected);
    fleet.start();
    QVERIFY(all.wait(10000));
    QTRY_COMPARE_WITH_TIMEOUT(fleet.stats().subscribed, Devices, 5000);

    // Round robin: even devices on A, odd on B, each with the other node next.
    QCOMPARE(perBroker(), (QMap<QString, int>{{a.toString(), Devices / 2}, {b.toString(), Devices / 2}}));
    QCOMPARE(fleet.devices().at(0)->currentBroker(), a);
    QCOMPARE(fleet.devices().at(0)->config().moreBrokers, QList<BrokerNode>{b});
    QCOMPARE(fleet.devices().at(1)->currentBroker(), b);
    QCOMPARE(fleet.devices().at(1)->config().moreBrokers, QList<BrokerNode>{a});
    QTRY_COMPARE_WITH_TIMEOUT(registrations.size(), Devices / 2, 5000);

    QElapsedTimer sinceKill;
    sinceKill.start();
    nodeA.stop(); // SIGKILL
    QTRY_COMPARE_WITH_TIMEOUT(perBroker(), (QMap<QString, int>{{a.toString(), 0}, {b.toString(), Devices}}), 20000);
    const qint64 movedAfter = sinceKill.elapsed();
    for (const SimulatedDevice *device : fleet.devices())
        QCOMPARE(device->currentBroker(), b);

    // Every moved device registered again on the surviving node.
    QTRY_COMPARE_WITH_TIMEOUT(registrations.size(), Devices, 5000);
    for (int i = 0; i < Devices; i += 2)
        QCOMPARE(registrations.value(fleet.devices().at(i)->id()), 1);
    QCOMPARE(untagged, 0);

    // Jitter: each device drew its own delay from 100–1,500 ms, so the comeback (to the push
    // subscription granted again) is spread over most of that range, not in lockstep.
    QTRY_COMPARE_WITH_TIMEOUT(fleet.stats().reconnects, quint64(Devices / 2), 5000);
    const FleetStats stats = fleet.stats();
    QCOMPARE(stats.subscribed, Devices);
    QCOMPARE(fleet.reconnectTimes().size(), Devices / 2);
    QVERIFY2(stats.reconnectMinMs >= 100 && stats.reconnectMaxMs - stats.reconnectMinMs >= 500,
             qPrintable(QStringLiteral("reconnects from %1 to %2 ms").arg(stats.reconnectMinMs).arg(stats.reconnectMaxMs)));
    QVERIFY(stats.reconnectP50Ms >= stats.reconnectMinMs && stats.reconnectP50Ms <= stats.reconnectP99Ms);
    QCOMPARE(stats.reconnectP99Ms, stats.reconnectMaxMs); // nearest rank of 20
    QList<qint64> distinct = fleet.reconnectTimes();
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    QVERIFY2(distinct.size() >= Devices / 4, qPrintable(QStringLiteral("%1 distinct delays").arg(distinct.size())));
    qInfo("%d devices moved to the surviving node within %lld ms; reconnect min %lld, p50 %lld, max %lld ms",
          Devices / 2, movedAfter, stats.reconnectMinMs, stats.reconnectP50Ms, stats.reconnectMaxMs);
    fleet.stop();
}

void TestSimulator::deviceHandlesPushesLikeAnApp_data()
{
    QTest::addColumn<mqtt::ProtocolVersion>("version");
    QTest::newRow("MQTT 3.1.1: envelopes told apart by parsing") << mqtt::ProtocolVersion::V3_1_1;
    QTest::newRow("MQTT 5: envelopes labelled by content type [MQTT-3.3.2.3.9]")
            << mqtt::ProtocolVersion::V5;
}

void TestSimulator::deviceHandlesPushesLikeAnApp()
{
    QFETCH(mqtt::ProtocolVersion, version);
    const auto broker = startBroker();
    QVERIFY(broker);
    const QByteArray key = QByteArrayLiteral("0123456789abcdef0123456789abcdef");
    auto ring = std::make_shared<push::Verifier>();
    ring->addKey(QStringLiteral("k1"), key);

    DeviceConfig config;
    config.brokerPort = brokerPort(*broker);
    config.version = version;
    config.verifier = ring;
    SimulatedDevice device(QStringLiteral("app-1"), config, std::make_unique<FixedHeartbeat>(120s));
    QCOMPARE(device.receiptTopic(), QStringLiteral("devices/app-1/receipt"));

    // The sender's side: watches receipts as the push service would.
    MqttClient watcher;
    watcher.setPort(brokerPort(*broker));
    watcher.setClientId(QStringLiteral("watcher"));
    QList<push::PushReceipt> receipts;
    connect(&watcher, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) {
        const push::ReceiptResult parsed = push::PushReceipt::fromBytes(publish.payload);
        if (const auto *receipt = std::get_if<push::PushReceipt>(&parsed))
            receipts.append(*receipt);
    });
    QSignalSpy watcherReady(&watcher, &MqttClient::subscribed);
    watcher.connectToBroker();
    watcher.subscribe(QStringLiteral("devices/+/receipt"), mqtt::QoS::AtLeastOnce);
    QVERIFY(watcherReady.wait(5000));

    QSignalSpy deviceReady(&device.client(), &MqttClient::subscribed);
    device.start();
    QVERIFY(deviceReady.wait(5000));

    const push::Signer signer(QStringLiteral("k1"), key);
    const push::Signer forger(QStringLiteral("k1"), QByteArrayLiteral("not-the-key-not-the-key-not-the!"));
    push::SequenceAllocator allocator;
    auto envelope = [&](quint64 sequence) {
        push::PushEnvelope e;
        e.pushId = QStringLiteral("p%1").arg(sequence);
        e.deviceId = device.id();
        e.sequence = sequence;
        e.sentAt = QDateTime::currentDateTimeUtc();
        e.contentType = QStringLiteral("text/plain");
        e.payload = QByteArrayLiteral("hello");
        return e;
    };
    auto send = [&](const QByteArray &payload, bool labelled = true) {
        mqtt::Publish publish;
        publish.topic = device.pushTopic();
        publish.payload = payload;
        publish.qos = mqtt::QoS::AtLeastOnce;
        if (labelled && version == mqtt::ProtocolVersion::V5)
            publish.properties.contentType = QString(push::EnvelopeContentType);
        broker->publish(publish);
    };
    const quint64 s1 = *allocator.allocate(device.id());
    const quint64 s2 = *allocator.allocate(device.id());
    const quint64 s3 = *allocator.allocate(device.id());
    QCOMPARE(s3, quint64(3));

    send(signer.sign(envelope(s1)).toBytes());             // delivered
    send(signer.sign(envelope(s1)).toBytes());             // a resend: duplicate
    send(signer.sign(envelope(s3)).toBytes());             // 2 missing: gap
    send(forger.sign(envelope(s2)).toBytes());             // forged: rejected, 2 still missing
    send(envelope(s2).toBytes());                          // unsigned: rejected
    push::PushEnvelope old = envelope(s2);
    old.expiresAt = QDateTime::currentDateTimeUtc().addSecs(-60);
    send(signer.sign(old).toBytes());                      // authentic but expired
    push::PushEnvelope elsewhere = envelope(s2);
    elsewhere.deviceId = QStringLiteral("app-2");
    send(signer.sign(elsewhere).toBytes());                // replayed from another device
    send(QByteArrayLiteral("raw operator text"), false);   // raw: counted, no receipt
    send(signer.sign(envelope(s2)).toBytes());             // the fill-in: delivered

    QTRY_COMPARE_WITH_TIMEOUT(receipts.size(), 8, 5000);
    using push::ReceiptStatus;
    const QList<ReceiptStatus> expected = {ReceiptStatus::Delivered, ReceiptStatus::Duplicate,
                                           ReceiptStatus::Gap, ReceiptStatus::RejectedSignature,
                                           ReceiptStatus::RejectedSignature, ReceiptStatus::Expired,
                                           ReceiptStatus::RejectedSignature, ReceiptStatus::Delivered};
    for (int i = 0; i < expected.size(); ++i)
        QVERIFY2(receipts.at(i).status == expected.at(i), qPrintable(push::describe(receipts.at(i))));
    QCOMPARE(receipts.at(2).missing, (QList<push::SequenceRange>{{2, 2}}));
    QCOMPARE(receipts.at(2).sequence, quint64(3));
    QCOMPARE(receipts.at(3).missing, (QList<push::SequenceRange>{{2, 2}}));
    QCOMPARE(receipts.at(7).pushId, QStringLiteral("p2"));
    QVERIFY(receipts.at(7).missing.isEmpty());

    const DeviceStats &stats = device.stats();
    QCOMPARE(stats.messagesReceived, quint64(9));
    QCOMPARE(stats.pushesRaw, quint64(1));
    QCOMPARE(stats.pushesReceived, quint64(8));
    QCOMPARE(stats.pushesDelivered, quint64(3)); // 1, 3, 2: each once
    QCOMPARE(stats.duplicates, quint64(1));
    QCOMPARE(stats.gaps, quint64(1));
    QCOMPARE(stats.rejected, quint64(3));
    QCOMPARE(stats.expired, quint64(1));
    QCOMPARE(stats.missing, quint64(0));
    QCOMPARE(stats.receiptsSent, quint64(8));
    QCOMPARE(device.sequenceTracker().expected(), quint64(4));
    device.stop();
}

int main(int argc, char *argv[])
{
    // Many sockets in one thread: the plain Unix event dispatcher scales better than glib's.
    qputenv("QT_NO_GLIB", "1");
    // 200 connections: the broker's per-connection debug lines would drown the report.
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false"));
    QCoreApplication app(argc, argv);
    TestSimulator test;
    return hermes::testing::exitCodeOf(QTest::qExec(&test, argc, argv));
}

#include "tst_simulator.moc"
