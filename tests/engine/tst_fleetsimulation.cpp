// The fleet is the field: two simulated carriers, each a NAT relay with its own idle
// timeout (300 s and 1,800 s) and its devices on their own loopback range, named in the
// broker's config. The broker, fed only by its connections, must find each timeout: an
// interval that contains it, no wider than a quarter of it, and a keep-alive below it.
//
// Time is scaled ×100 for the relays and the devices (a 300 s NAT drops a mapping after
// 3 s); the broker measures real gaps, so its analytics' thresholds are scaled alike and
// its estimates are compared with the relays' real timeouts.
#include "../common/testmain.h"

#include "engine/broker.h"
#include "engine/simulator/fleet.h"
#include "engine/simulator/natrelay.h"

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

/// True when `report` rests on enough devices on both sides, its interval holds `timeout`, is at most a quarter of it wide and the
/// advice is below it: what the issue asks of the broker. Up to `resolution`: the broker
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

} // namespace

class TestFleetSimulation : public QObject
{
    Q_OBJECT
private slots:
    void brokerLearnsEachNetworksNatTimeout();
};

void TestFleetSimulation::brokerLearnsEachNetworksNatTimeout()
{
    const QList<Network> networks{{QStringLiteral("china-mobile"), 1, NatRelay::Preset::ChinaMobile},
                                  {QStringLiteral("china-telecom"), 2, NatRelay::Preset::ChinaTelecom}};
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    for (const Network &network : networks)
        config.networks.ranges.append({network.name, QStringLiteral("127.0.%1.0/24").arg(network.subnet)});
    // The broker and the relays run on threads of their own, as a carrier's NAT and the
    // broker are other machines: 500 devices on this thread must not delay them. A stall
    // between the NAT and the broker counts as idle time the NAT never saw, and at ×100 a
    // 200 ms stall is 20 simulated seconds.
    QThread brokerThread;
    QObject brokerSide;
    brokerSide.moveToThread(&brokerThread);
    brokerThread.start();
    const auto onBrokerThread = [&](auto function) {
        QMetaObject::invokeMethod(&brokerSide, function, Qt::BlockingQueuedConnection);
    };
    QThread relayThread;
    QObject relaySide;
    relaySide.moveToThread(&relayThread);
    relayThread.start();
    const auto onRelayThread = [&](auto function) {
        QMetaObject::invokeMethod(&relaySide, function, Qt::BlockingQueuedConnection);
    };
    std::unique_ptr<Broker> broker;
    bool started = false;
    quint16 brokerPort = 0;
    onBrokerThread([&] {
        broker = std::make_unique<Broker>(config);
        broker->fleet().setAnalyticsConfig(scaledAnalytics());
        started = broker->start();
        brokerPort = started ? broker->listenAddresses().first().port : 0;
    });
    std::vector<std::unique_ptr<NatRelay>> relays;
    const auto cleanup = qScopeGuard([&] {
        onRelayThread([&] { relays.clear(); });
        relayThread.quit();
        relayThread.wait();
        onBrokerThread([&] { broker.reset(); });
        brokerThread.quit();
        brokerThread.wait();
    });
    QVERIFY(started);
    const auto reportOf = [&](const QString &network) {
        std::optional<analytics::NetworkReport> report;
        onBrokerThread([&] { report = broker->fleet().analytics().report(network, broker->now()); });
        return report;
    };

    std::vector<std::unique_ptr<Fleet>> fleets;
    for (const Network &network : networks) {
        NatRelay::Config relayConfig;
        relayConfig.targetPort = brokerPort;
        relayConfig.preset = network.preset;
        relayConfig.timeScale = Scale;
        relayConfig.keepDeviceAddress = true;
        bool relayStarted = false;
        onRelayThread([&] { relayStarted = relays.emplace_back(std::make_unique<NatRelay>(relayConfig))->start(); });
        QVERIFY(relayStarted);
        NatRelay *relay = relays.back().get(); // port() and idleTimeout() are fixed from here on

        FleetConfig fleetConfig;
        fleetConfig.deviceCount = DevicesPerNetwork;
        fleetConfig.idPrefix = network.name + QLatin1Char('-');
        for (int host = 1; host <= 50; ++host)
            fleetConfig.localAddresses.append(QHostAddress(QStringLiteral("127.0.%1.%2").arg(network.subnet).arg(host)));
        fleetConfig.device.relayHost = QStringLiteral("127.0.0.1");
        fleetConfig.device.relayPort = relay->port();
        fleetConfig.device.brokerPort = relayConfig.targetPort;
        fleetConfig.device.timeScale = Scale;
        fleetConfig.device.reconnect.maxAttempts = 1000;
        fleetConfig.heartbeat = [](int index) {
            const auto step = (LongestHeartbeat - ShortestHeartbeat) / (DevicesPerNetwork - 1);
            return std::make_unique<FixedHeartbeat>(ShortestHeartbeat + step * index);
        };
        fleets.push_back(std::make_unique<Fleet>(fleetConfig));
    }

    QElapsedTimer clock;
    clock.start();
    for (const auto &fleet : fleets)
        fleet->start();
    // Loopback round trips: the broker cannot tell the relay's silence from its own by less.
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
            const auto report = reportOf(networks.at(int(i)).name);
            if (!report || !learned(*report, relays.at(i)->idleTimeout(), analytics::Duration(maxRttMs)))
                return false;
        }
        return true;
    };
    // Polled rather than QTRY: on failure the figures below say how far it got.
    const bool done = QTest::qWaitFor(converged, 45000);
    const qint64 realMs = clock.elapsed();

    for (std::size_t i = 0; i < relays.size(); ++i) {
        const analytics::NetworkReport report = *reportOf(networks.at(int(i)).name);
        const analytics::NatEstimate &e = report.estimate;
        const auto sim = [](std::optional<analytics::Duration> real) { return real ? double(real->count()) * Scale / 1000.0 : -1.0; };
        qInfo("%s: NAT %.0f s (simulated); estimated (%.1f s, %.1f s], width %.1f %%, recommended keep-alive %.1f s; "
              "evidence from %d+%d devices, %d observations, %d contradicted; %llu connects, %llu silent deaths "
              "(%llu NAT kills), push delay median %.1f s",
              qPrintable(report.network), sim(relays.at(i)->idleTimeout()), sim(e.lowerBound), sim(e.upperBound),
              e.upperBound && e.lowerBound ? 100.0 * double((*e.upperBound - *e.lowerBound).count()) / double(relays.at(i)->idleTimeout().count()) : -1.0,
              sim(e.recommendedKeepAlive), e.survivingDevices, e.killedDevices, e.observations, e.contradicted,
              report.connects, report.silentDeaths, report.natDeaths, sim(report.blindTimeMedian));
        qInfo("%s", QJsonDocument(analytics::networkReportJson(report, false)).toJson(QJsonDocument::Compact).constData());
    }
    qInfo("longest heartbeat round trip %lld ms real", maxRttMs);
    QVERIFY2(done, "an estimate missed its relay's timeout or is wider than 25 % of it (figures above)");

    qInfo("converged after %lld ms real = %.0f s simulated", realMs, double(realMs) * Scale / 1000.0);
    for (const auto &fleet : fleets)
        fleet->stop();
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
