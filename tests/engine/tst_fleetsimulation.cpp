// The fleet is the field: two simulated carriers, each a NAT relay with its own idle
// timeout (300 s and 1,800 s) and its devices on their own loopback range, named in the
// broker's config. The broker, fed only by its connections, must find each timeout: an
// interval that contains it, no wider than a quarter of it, and a keep-alive below it.
//
// With acting switched on for the short network, the broker gives what it learned back:
// MQTT 5 devices get it as Server Keep Alive, smart-heartbeat devices as a signed keep-alive
// offer, and the short network's silent deaths must stop while the long network is left
// alone.
//
// Time is scaled ×100 for the relays and the devices (a 300 s NAT drops a mapping after
// 3 s); the broker measures real gaps, so its analytics' thresholds are scaled alike and
// its estimates are compared with the relays' real timeouts.
#include "../common/testmain.h"

#include "engine/broker.h"
#include "engine/push/adminapi.h"
#include "engine/push/pushservice.h"
#include "engine/simulator/fleet.h"
#include "engine/simulator/natrelay.h"
#include "push/keepaliveoffer.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QThread>

using namespace hermes;
using namespace hermes::sim;
using namespace std::chrono_literals;

namespace {

constexpr double Scale = 100.0;
constexpr int DevicesPerNetwork = 250;
/// Every fleet's devices heartbeat at intervals spread evenly over this range (simulated):
/// app versions and vendors differ, and most heartbeat longer than the short NAT allows.
constexpr auto ShortestHeartbeat = 120s;
constexpr auto LongestHeartbeat = 2400s;

analytics::Duration scaled(analytics::Duration simulated)
{
    return analytics::Duration(qint64(double(simulated.count()) / Scale));
}

/// The default thresholds, in the broker's real time.
analytics::FleetAnalytics::Config scaledAnalytics()
{
    analytics::FleetAnalytics::Config config;
    config.minEvidenceGap = scaled(config.minEvidenceGap);
    config.returnWindow = scaled(config.returnWindow);
    config.refreshInterval = scaled(config.refreshInterval);
    config.estimator.minMargin = scaled(config.estimator.minMargin);
    config.estimator.halfLife = scaled(config.estimator.halfLife);
    return config;
}

struct Network {
    QString name;
    int subnet; ///< 127.0.<subnet>.0/24
    NatRelay::Preset preset;
};

const QList<Network> Networks{{QStringLiteral("china-mobile"), 1, NatRelay::Preset::ChinaMobile},
                              {QStringLiteral("china-telecom"), 2, NatRelay::Preset::ChinaTelecom}};

/// True when `report` rests on enough devices on both sides, its interval holds `timeout`, is at most a quarter of it wide and the
/// advice is below it: what an operator needs before acting on it. Up to `resolution`: the broker
/// sees the NAT's silence only through the round trip between them, so a survived gap may
/// exceed the NAT's by that much (milliseconds against minutes in the field; at ×100 a
/// loaded loopback round trip of 150 ms is 15 simulated seconds).
bool learned(const analytics::NetworkReport &report, analytics::Duration timeout, analytics::Duration resolution)
{
    const analytics::NatEstimate &e = report.estimate;
    return e.strength == analytics::NatEstimate::Strength::Adequate && e.lowerBound && e.upperBound
        && e.recommendedKeepAlive && *e.lowerBound < timeout + resolution
        && timeout <= *e.upperBound && (*e.upperBound - *e.lowerBound) * 4 <= timeout
        && *e.recommendedKeepAlive < timeout + resolution;
}

/// Real broker time as simulated seconds.
double simulatedSeconds(std::optional<analytics::Duration> real)
{
    return real ? double(real->count()) * Scale / 1000.0 : -1.0;
}

/// The broker and one NAT relay per network, each on a thread of its own, as a carrier's
/// NAT and the broker are other machines: hundreds of devices on the test's thread must not
/// delay them. A stall between the NAT and the broker counts as idle time the NAT never saw,
/// and at ×100 a 200 ms stall is 20 simulated seconds.
class Field
{
public:
    Field()
    {
        m_brokerSide.moveToThread(&m_brokerThread);
        m_brokerThread.start();
        m_relaySide.moveToThread(&m_relayThread);
        m_relayThread.start();
    }
    ~Field()
    {
        onRelayThread([&] { m_relays.clear(); });
        m_relayThread.quit();
        m_relayThread.wait();
        onBrokerThread([&] { m_broker.reset(); });
        m_brokerThread.quit();
        m_brokerThread.wait();
    }

    template<typename Function>
    void onBrokerThread(Function function)
    {
        QMetaObject::invokeMethod(&m_brokerSide, function, Qt::BlockingQueuedConnection);
    }
    template<typename Function>
    void onRelayThread(Function function)
    {
        QMetaObject::invokeMethod(&m_relaySide, function, Qt::BlockingQueuedConnection);
    }

    /// Starts the broker with Networks named, and the push services when `push` is given.
    bool startBroker(BrokerConfig config, const std::optional<PushConfig> &push = std::nullopt,
                     const std::function<void(Broker &)> &tune = {})
    {
        bool started = false;
        onBrokerThread([&] {
            m_broker = std::make_unique<Broker>(config);
            m_broker->fleet().setAnalyticsConfig(scaledAnalytics());
            if (tune)
                tune(*m_broker);
            started = m_broker->start();
            if (started && push)
                installPushServices(*m_broker, *push);
            m_brokerPort = started ? m_broker->listenAddresses().first().port : 0;
        });
        return started;
    }
    quint16 brokerPort() const { return m_brokerPort; }
    /// The broker, to be used on its thread only.
    Broker &broker() { return *m_broker; }

    /// A relay for `network`'s NAT in front of the broker; null when it could not listen.
    NatRelay *addRelay(const Network &network)
    {
        NatRelay::Config relayConfig;
        relayConfig.targetPort = m_brokerPort;
        relayConfig.preset = network.preset;
        relayConfig.timeScale = Scale;
        relayConfig.keepDeviceAddress = true;
        bool started = false;
        onRelayThread([&] { started = m_relays.emplace_back(std::make_unique<NatRelay>(relayConfig))->start(); });
        return started ? m_relays.back().get() : nullptr; // port() and idleTimeout() are fixed from here on
    }

    /// Devices behind `relay` on `network`'s addresses; more with `configure`.
    std::unique_ptr<Fleet> makeFleet(const Network &network, const NatRelay &relay, const QString &kind, int devices,
                                     std::function<std::unique_ptr<HeartbeatStrategy>(int)> heartbeat,
                                     const std::function<void(DeviceConfig &)> &configure = {}) const
    {
        FleetConfig fleetConfig;
        fleetConfig.deviceCount = devices;
        fleetConfig.idPrefix = network.name + QLatin1Char('-') + kind;
        for (int host = 1; host <= 50; ++host)
            fleetConfig.localAddresses.append(QHostAddress(QStringLiteral("127.0.%1.%2").arg(network.subnet).arg(host)));
        fleetConfig.device.relayHost = QStringLiteral("127.0.0.1");
        fleetConfig.device.relayPort = relay.port();
        fleetConfig.device.brokerPort = m_brokerPort;
        fleetConfig.device.timeScale = Scale;
        fleetConfig.device.reconnect.maxAttempts = 1000;
        if (configure)
            configure(fleetConfig.device);
        fleetConfig.heartbeat = std::move(heartbeat);
        return std::make_unique<Fleet>(fleetConfig);
    }

    /// The network's report with what the broker applies there.
    std::optional<analytics::NetworkReport> report(const QString &network)
    {
        std::optional<analytics::NetworkReport> found;
        onBrokerThread([&] {
            for (analytics::NetworkReport &report : m_broker->fleet().reports())
                if (report.network == network)
                    found = std::move(report);
        });
        return found;
    }

private:
    QThread m_brokerThread;
    QObject m_brokerSide;
    QThread m_relayThread;
    QObject m_relaySide;
    std::unique_ptr<Broker> m_broker;
    quint16 m_brokerPort = 0;
    std::vector<std::unique_ptr<NatRelay>> m_relays;
};

BrokerConfig fieldConfig()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    for (const Network &network : Networks)
        config.networks.ranges.append({network.name, QStringLiteral("127.0.%1.0/24").arg(network.subnet)});
    return config;
}

/// Fixed heartbeats spread evenly over ShortestHeartbeat … LongestHeartbeat.
std::function<std::unique_ptr<HeartbeatStrategy>(int)> spreadHeartbeats(int devices)
{
    return [devices](int index) {
        const auto step = (LongestHeartbeat - ShortestHeartbeat) / (devices - 1);
        return std::make_unique<FixedHeartbeat>(ShortestHeartbeat + step * index);
    };
}

/// Silent deaths per device-hour (broker time) between two reports of one network.
double deathRate(const analytics::NetworkReport &from, const analytics::NetworkReport &to)
{
    const double hours = to.deviceHours - from.deviceHours;
    return hours > 0 ? double(to.silentDeaths - from.silentDeaths) / hours : 0;
}

} // namespace

class TestFleetSimulation : public QObject
{
    Q_OBJECT
private slots:
    void brokerLearnsEachNetworksNatTimeout();
    void actingStopsTheShortNetworksSilentDeaths();
};

void TestFleetSimulation::brokerLearnsEachNetworksNatTimeout()
{
    Field field;
    QVERIFY(field.startBroker(fieldConfig()));
    std::vector<NatRelay *> relays;
    std::vector<std::unique_ptr<Fleet>> fleets;
    for (const Network &network : Networks) {
        NatRelay *relay = field.addRelay(network);
        QVERIFY(relay);
        relays.push_back(relay);
        fleets.push_back(field.makeFleet(network, *relay, {}, DevicesPerNetwork, spreadHeartbeats(DevicesPerNetwork)));
    }

    QElapsedTimer clock;
    clock.start();
    for (const auto &fleet : fleets)
        fleet->start();
    // Loopback round trips: the broker cannot tell the relay's silence from its own by less.
    // A gap that starts with a broker packet is longer at the broker than at the relay by the
    // broker–relay round trip at that moment, which the heartbeats' worst round trip can miss
    // when a thread waits for a core (seen: a gap 92 ms past the NAT against an 87 ms worst
    // heartbeat). The resolution is twice the worst one sampled, at least 2 % of the timeout
    // (60 ms real, 6 simulated seconds for the 300 s NAT).
    qint64 maxRttMs = 0;
    for (const auto &fleet : fleets)
        for (SimulatedDevice *device : fleet->devices())
            connect(device, &SimulatedDevice::heartbeatAnswered, this, [&](qint64 rtt) { maxRttMs = std::max(maxRttMs, rtt); });
    QTRY_VERIFY_WITH_TIMEOUT(fleets.at(0)->connectedCount() + fleets.at(1)->connectedCount() == 2 * DevicesPerNetwork,
                             20000);
    qInfo("%d devices connected after %lld ms", 2 * DevicesPerNetwork, clock.elapsed());

    // Converged when both networks' estimates hold their relay's timeout, within 25 %.
    const auto converged = [&] {
        for (std::size_t i = 0; i < relays.size(); ++i) {
            const auto report = field.report(Networks.at(int(i)).name);
            const analytics::Duration timeout = relays.at(i)->idleTimeout();
            if (!report || !learned(*report, timeout, std::max(analytics::Duration(2 * maxRttMs), timeout / 50)))
                return false;
        }
        return true;
    };
    // Polled rather than QTRY: on failure the figures below say how far it got.
    const bool done = QTest::qWaitFor(converged, 45000);
    const qint64 realMs = clock.elapsed();

    for (std::size_t i = 0; i < relays.size(); ++i) {
        const analytics::NetworkReport report = *field.report(Networks.at(int(i)).name);
        const analytics::NatEstimate &e = report.estimate;
        qInfo("%s: NAT %.0f s (simulated); estimated (%.1f s, %.1f s], width %.1f %%, recommended keep-alive %.1f s; "
              "evidence from %d+%d devices, %d observations, %d contradicted; %llu connects, %llu silent deaths "
              "(%llu NAT kills), push delay median %.1f s",
              qPrintable(report.network), simulatedSeconds(relays.at(i)->idleTimeout()), simulatedSeconds(e.lowerBound),
              simulatedSeconds(e.upperBound),
              e.upperBound && e.lowerBound ? 100.0 * double((*e.upperBound - *e.lowerBound).count()) / double(relays.at(i)->idleTimeout().count()) : -1.0,
              simulatedSeconds(e.recommendedKeepAlive), e.survivingDevices, e.killedDevices, e.observations, e.contradicted,
              report.connects, report.silentDeaths, report.natDeaths, simulatedSeconds(report.blindTimeMedian));
        qInfo("%s", QJsonDocument(analytics::networkReportJson(report, false)).toJson(QJsonDocument::Compact).constData());
    }
    qInfo("longest heartbeat round trip %lld ms real", maxRttMs);
    QVERIFY2(done, "an estimate missed its relay's timeout or is wider than 25 % of it (figures above)");

    qInfo("converged after %lld ms real = %.0f s simulated", realMs, double(realMs) * Scale / 1000.0);
    for (const auto &fleet : fleets)
        fleet->stop();
}

/*
 * Acting on the short network only, switched on after a baseline. Many of its devices
 * heartbeat longer than its NAT allows: MQTT 5 devices with fixed heartbeats spread over 120–2,400 s (the broker can
 * cap them with Server Keep Alive), and MQTT 3.1.1 smart-heartbeat devices whose search
 * starts above the NAT (360–2,400 s: an app tuned for a long-timeout carrier), which only
 * the signed keep-alive offer can reach. The long network has the same devices, and the
 * broker must leave it alone.
 */
void TestFleetSimulation::actingStopsTheShortNetworksSilentDeaths()
{
    constexpr int FixedDevices = 200;
    constexpr int SmartDevices = 50;
    const Network &shortNetwork = Networks.at(0);
    const Network &longNetwork = Networks.at(1);
    const QByteArray key(32, 'k');
    PushConfig pushConfig;
    pushConfig.signingKeyId = QStringLiteral("k1");
    pushConfig.signingKey = key;
    auto verifier = std::make_shared<push::Verifier>();
    verifier->addKey(pushConfig.signingKeyId, key);

    Field field;
    QVERIFY(field.startBroker(fieldConfig(), pushConfig, [](Broker &broker) {
        broker.fleet().setAdviceInterval(std::chrono::milliseconds(qint64(10'000 / Scale)));
    }));

    struct Side {
        std::unique_ptr<Fleet> fixed;
        std::unique_ptr<Fleet> smart;
    };
    std::vector<Side> sides;
    for (const Network &network : Networks) {
        NatRelay *relay = field.addRelay(network);
        QVERIFY(relay);
        Side side;
        side.fixed = field.makeFleet(network, *relay, QStringLiteral("v5-"), FixedDevices, spreadHeartbeats(FixedDevices),
                                     [](DeviceConfig &device) { device.version = mqtt::ProtocolVersion::V5; });
        side.smart = field.makeFleet(
                network, *relay, QStringLiteral("smart-"), SmartDevices,
                [](int) {
                    SmartHeartbeat::Config smart;
                    smart.min = 360s;
                    smart.max = LongestHeartbeat;
                    return std::make_unique<SmartHeartbeat>(smart);
                },
                [&](DeviceConfig &device) {
                    device.verifier = verifier;
                    device.announceSmartHeartbeat = true;
                });
        sides.push_back(std::move(side));
    }
    const auto forEachFleet = [&](auto function) {
        for (Side &side : sides) {
            function(*side.fixed);
            function(*side.smart);
        }
    };
    const auto stopFleets = qScopeGuard([&] { forEachFleet([](Fleet &fleet) { fleet.stop(); }); });

    QElapsedTimer clock;
    clock.start();
    forEachFleet([](Fleet &fleet) { fleet.start(); });
    const int allDevices = 2 * (FixedDevices + SmartDevices);
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        int connected = 0;
        forEachFleet([&](Fleet &fleet) { connected += fleet.connectedCount(); });
        return connected == allDevices;
    }(), 20000);
    qInfo("%d devices connected after %lld ms", allDevices, clock.elapsed());

    // 1. A baseline without acting: every device of the short network has been through a
    // whole heartbeat period (the longest is 2,400 s), so the death rate is the fleet's own,
    // and the evidence is adequate. Then the operator switches acting on for it.
    const Side &shortSide = sides.at(0);
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        for (const Fleet *fleet : {shortSide.fixed.get(), shortSide.smart.get()})
            for (const SimulatedDevice *device : fleet->devices())
                if (device->stats().heartbeatsSent == 0)
                    return false;
        return field.report(shortNetwork.name)->estimate.strength == analytics::NatEstimate::Strength::Adequate;
    }(), 60000);
    const qint64 switchedOnAtMs = clock.elapsed();
    field.onBrokerThread([&] { field.broker().fleet().setActing(shortNetwork.name, true); });
    QTRY_VERIFY_WITH_TIMEOUT(field.report(shortNetwork.name)->applied.keepAliveSeconds > 0, 10000);
    const qint64 appliedAtMs = clock.elapsed();
    const quint16 applied = field.report(shortNetwork.name)->applied.keepAliveSeconds;
    qInfo("%s: acting switched on after a baseline of %lld ms real (%.0f s simulated): keep-alive %u s real = %.0f s "
          "simulated", qPrintable(shortNetwork.name), switchedOnAtMs, double(switchedOnAtMs) * Scale / 1000.0, applied,
          applied * Scale);
    QVERIFY2(applied * Scale < 300, "the advice must be below the short NAT's 300 s");

    // 2. Every device that needs it has it: the smart ones took an offer at or below the
    // applied value, the MQTT 5 ones that heartbeat longer got Server Keep Alive when they
    // redialled (the others never die, so never redial, and need nothing).
    const auto capped = [&] {
        const quint16 now = field.report(shortNetwork.name)->applied.keepAliveSeconds;
        // At or under the value now applied: a device capped lower before it rose never dies
        // and so never redials.
        for (const SimulatedDevice *device : shortSide.smart->devices())
            if (device->stats().offeredKeepAliveMs == 0 || device->stats().offeredKeepAliveMs > qint64(now * Scale * 1000))
                return false;
        for (const SimulatedDevice *device : shortSide.fixed->devices()) {
            const quint16 given = device->stats().serverKeepAliveSeconds;
            if (device->heartbeat().currentInterval() > 300s && (given == 0 || given > now))
                return false;
        }
        return true;
    };
    const bool converged = QTest::qWaitFor(capped, 60000);
    const qint64 cappedAtMs = clock.elapsed();
    QVERIFY2(converged, "a device of the short network is not capped a minute after the advice");
    qInfo("every device of %s capped %lld ms real (%.0f s simulated) after the advice",
          qPrintable(shortNetwork.name), cappedAtMs - appliedAtMs, double(cappedAtMs - appliedAtMs) * Scale / 1000.0);

    // 3. A quiet stretch: at least 1,000 simulated seconds for every device of the short
    // network, several times the longest capped interval.
    const analytics::NetworkReport shortBefore = *field.report(shortNetwork.name);
    const analytics::NetworkReport longBefore = *field.report(longNetwork.name);
    const double windowHours = (FixedDevices + SmartDevices) * (1000.0 / Scale) / 3600.0;
    QTRY_VERIFY_WITH_TIMEOUT(field.report(shortNetwork.name)->deviceHours >= shortBefore.deviceHours + windowHours, 60000);
    const analytics::NetworkReport shortAfter = *field.report(shortNetwork.name);
    const analytics::NetworkReport longAfter = *field.report(longNetwork.name);

    // Before: from the start to the switch, as the broker recorded it.
    QVERIFY(!shortAfter.applied.changes.isEmpty());
    const analytics::AdviceChange &first = shortAfter.applied.changes.constFirst();
    QCOMPARE(first.fromSeconds, quint16(0));
    const double shortRateBefore = first.deathsPerDeviceHourBefore;
    const double shortRateAfter = deathRate(shortBefore, shortAfter);
    const double longRateBefore = deathRate(analytics::NetworkReport{}, longBefore);
    const double longRateAfter = deathRate(longBefore, longAfter);
    // Per simulated device-hour, as a carrier would see it: broker hours are real.
    qInfo("%s: silent deaths per device-hour (simulated) %.3f before acting (over %.0f simulated device-hours), "
          "%.3f once every device was capped (%llu deaths in %.0f simulated device-hours)",
          qPrintable(shortNetwork.name), shortRateBefore / Scale, first.deviceHoursBefore * Scale, shortRateAfter / Scale,
          shortAfter.silentDeaths - shortBefore.silentDeaths, (shortAfter.deviceHours - shortBefore.deviceHours) * Scale);
    qInfo("%s (not acting): silent deaths per device-hour (simulated) %.3f until then, %.3f in the same stretch",
          qPrintable(longNetwork.name), longRateBefore / Scale, longRateAfter / Scale);
    for (const analytics::AdviceChange &change : shortAfter.applied.changes)
        qInfo("change %u s -> %u s: %.3f before (%.2f device-h), %.3f since (%.2f device-h), per real device-hour",
              change.fromSeconds, change.toSeconds, change.deathsPerDeviceHourBefore, change.deviceHoursBefore,
              change.deathsPerDeviceHourSince, change.deviceHoursSince);
    qInfo("%s", QJsonDocument(analytics::networkReportJson(shortAfter, true)).toJson(QJsonDocument::Compact).constData());
    qInfo("offers sent %llu; smart devices took %llu", shortAfter.applied.offersSent, shortSide.smart->stats().offersApplied);

    QVERIFY2(shortRateBefore > 0, "the short network's devices did not die before the advice: no test");
    QVERIFY2(shortRateAfter <= shortRateBefore / 20,
             qPrintable(QStringLiteral("short network: %1 silent deaths per device-hour after, %2 before")
                                .arg(shortRateAfter).arg(shortRateBefore)));
    QVERIFY(shortSide.smart->stats().offersApplied >= quint64(SmartDevices));
    QCOMPARE(shortSide.smart->stats().offersRejected, 0u);

    // The long network: no value applied, no change, no offer, no Server Keep Alive, though
    // its devices beyond 1,800 s died too (when, depends on where their periods fall; they
    // started together, so a stretch of a few periods may hold none).
    QCOMPARE(longAfter.applied.keepAliveSeconds, quint16(0));
    QVERIFY(longAfter.applied.changes.isEmpty());
    QCOMPARE(longAfter.applied.offersSent, 0u);
    const Side &longSide = sides.at(1);
    QCOMPARE(longSide.smart->stats().offersApplied + longSide.smart->stats().offersRejected, 0u);
    for (const SimulatedDevice *device : longSide.fixed->devices())
        QCOMPARE(device->stats().serverKeepAliveSeconds, quint16(0));
    QVERIFY2(longAfter.silentDeaths > 0, "the long network's devices beyond 1,800 s never died: no test");

    // 4. Forgeries change nothing: an unsigned offer and one signed with another key, both
    // to a smart device of the short network, asking for a keep-alive far above the NAT.
    SimulatedDevice *target = shortSide.smart->devices().constFirst();
    const qint64 ceilingBefore = target->stats().offeredKeepAliveMs;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const push::PushEnvelope unsignedOffer = push::KeepAliveOffer{3600, shortNetwork.name}.toEnvelope(target->id(), now, now.addSecs(60));
    const push::PushEnvelope forged = push::Signer(pushConfig.signingKeyId, QByteArray(32, 'f')).sign(unsignedOffer);
    field.onBrokerThread([&] {
        for (const push::PushEnvelope &envelope : {unsignedOffer, forged}) {
            mqtt::Publish publish;
            publish.topic = target->pushTopic();
            publish.payload = envelope.toBytes();
            publish.qos = mqtt::QoS::AtLeastOnce;
            field.broker().publish(publish);
        }
    });
    QTRY_COMPARE_WITH_TIMEOUT(target->stats().offersRejected, 2u, 10000);
    QCOMPARE(target->stats().offeredKeepAliveMs, ceilingBefore);
}

int main(int argc, char *argv[])
{
    // Many sockets in one thread: the plain Unix event dispatcher scales better than glib's.
    qputenv("QT_NO_GLIB", "1");
    // 500 devices: the broker's per-connection debug lines would drown the report.
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false"));
    QCoreApplication app(argc, argv);
    TestFleetSimulation test;
    QTEST_SET_MAIN_SOURCE_PATH
    return hermes::testing::exitCodeOf(QTest::qExec(&test, argc, argv));
}

#include "tst_fleetsimulation.moc"
