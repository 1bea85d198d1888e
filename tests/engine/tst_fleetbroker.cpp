// The broker feeding fleet analytics: networks named in hermesd.conf, connection events
// from real sockets bound to their network's loopback range, evidence that survives a
// restart, and the figures served over the admin API and HTTP.
#include "../common/testmain.h"
#include "rawclient.h"

#include "engine/broker.h"
#include "engine/push/adminapi.h"
#include "engine/push/pushservice.h"
#include "push/keepaliveoffer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

using namespace hermes;
using namespace hermes::mqtt;
using namespace hermes::testing;
using namespace std::chrono_literals;

namespace {

const QHostAddress labDevice(QStringLiteral("127.0.3.5"));

BrokerConfig labConfig(const QString &dataDir)
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.dataDir = dataDir;
    config.sysIntervalSeconds = 0;
    config.networks.ranges = {{QStringLiteral("lab"), QStringLiteral("127.0.3.0/24")}};
    return config;
}

/// Evidence thresholds at a scale the test can wait for: idle gaps from 300 ms count.
analytics::FleetAnalytics::Config quickAnalytics()
{
    analytics::FleetAnalytics::Config config;
    config.minEvidenceGap = 300ms;
    config.returnWindow = 10s;
    config.estimator.corroboration = 1;
    config.estimator.adequateDevices = 0; // one device's evidence is enough to act on here
    config.estimator.minMargin = 50ms;
    return config;
}

Connect connectPacket(const QString &clientId, quint16 keepAlive)
{
    Connect connect;
    connect.clientId = clientId;
    connect.keepAliveSeconds = keepAlive;
    return connect;
}

/// A 3.1.1 device on the lab network listening on its push topic; with `smart`, it first
/// says it runs smart heartbeat (the registry tag).
bool connectPushDevice(RawClient &device, quint16 port, const QString &id, bool smart)
{
    if (!device.connectTo(port, labDevice) || !device.handshake(connectPacket(id, 60)))
        return false;
    if (smart) {
        Publish registration;
        registration.topic = QStringLiteral("devices/%1/register").arg(id);
        registration.payload = R"({"tags":["heartbeat:smart"]})";
        device.send(registration);
    }
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {TopicSubscription{QStringLiteral("devices/%1/push").arg(id), SubscribeOptions{QoS::AtLeastOnce}}};
    device.send(subscribe);
    return device.waitFor(PacketType::Suback).has_value();
}

/// The keep-alive offer `device` receives next, checked against `verifier`.
std::optional<push::KeepAliveOffer> nextOffer(RawClient &device, const push::Verifier &verifier)
{
    const auto packet = device.waitFor(PacketType::Publish);
    if (!packet)
        return std::nullopt;
    const push::EnvelopeResult parsed = push::PushEnvelope::fromBytes(std::get<Publish>(*packet).payload);
    const auto *envelope = std::get_if<push::PushEnvelope>(&parsed);
    if (!envelope || verifier.verify(*envelope, QDateTime::currentDateTimeUtc()) != push::VerifyResult::Verified)
        return std::nullopt;
    return push::KeepAliveOffer::fromEnvelope(*envelope);
}

analytics::NetworkReport labReport(const Broker &broker)
{
    for (const analytics::NetworkReport &report : broker.fleet().reports())
        if (report.network == QLatin1String("lab"))
            return report;
    return {};
}

} // namespace

class TestFleetBroker : public QObject
{
    Q_OBJECT
private slots:
    void networkKeys();
    void networkKeyErrorsNameTheLine_data();
    void networkKeyErrorsNameTheLine();
    void networkFileErrorsNameFileAndLine();
    void connectionEventsBecomeEvidence();
    void evidenceSurvivesARestart();
    void actingNetworkGivesV5DevicesTheAdvice();
    void actingNetworkOffersSmartHeartbeatDevicesTheAdvice();
    void timeScaleJudgesInTheFleetsTime();
    void localAdministratorsAreOnNoNetwork();
};

void TestFleetBroker::networkKeys()
{
    QTemporaryDir dir;
    QFile csv(dir.filePath(QStringLiteral("carriers.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("# carrier table\n10.0.0.0/8,china-mobile\n\n2409:8000::/20, china-mobile\n");
    csv.close();
    const QString text = QStringLiteral("network telecom 127.0.2.0/24 240e::/20\n"
                                        "network_file carriers.csv\n"
                                        "network_act telecom on\n"
                                        "network_time_scale 100\n");
    const auto parsed = parseBrokerConfig(text, dir.filePath(QStringLiteral("hermesd.conf")));
    const auto *config = std::get_if<BrokerConfig>(&parsed);
    QVERIFY2(config, config ? "" : qPrintable(std::get<ConfigError>(parsed).toString()));
    const QList<NetworkSettings::Range> expected{{QStringLiteral("telecom"), QStringLiteral("127.0.2.0/24")},
                                                 {QStringLiteral("telecom"), QStringLiteral("240e::/20")},
                                                 {QStringLiteral("china-mobile"), QStringLiteral("10.0.0.0/8")},
                                                 {QStringLiteral("china-mobile"), QStringLiteral("2409:8000::/20")}};
    QCOMPARE(config->networks.ranges, expected);
    QCOMPARE(config->networks.acting, QStringList{QStringLiteral("telecom")});
    QCOMPARE(config->networks.timeScale, 100.0);

    Broker broker(*config);
    QCOMPARE(broker.fleet().analytics().networkOf(QHostAddress(QStringLiteral("240e:1::1"))), QStringLiteral("telecom"));
    QCOMPARE(broker.fleet().analytics().networkOf(QHostAddress(QStringLiteral("10.9.8.7"))), QStringLiteral("china-mobile"));
    QVERIFY(broker.fleet().isActing(QStringLiteral("telecom")));
    QVERIFY(!broker.fleet().isActing(QStringLiteral("china-mobile")));
    QCOMPARE(broker.fleet().timeScale(), 100.0);
}

void TestFleetBroker::networkKeyErrorsNameTheLine_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("prefix too long") << "network a 10.0.0.0/8\nnetwork b 10.0.0.0/33\n" << 2 << "10.0.0.0/33";
    QTest::newRow("no range") << "# x\n\nnetwork lonely\n" << 3 << "NAME CIDR";
    QTest::newRow("not an address") << "network a 10.0.0.0/8 mobile.example/8\n" << 1 << "mobile.example/8";
    QTest::newRow("missing file") << "network_file /nonexistent/carriers.csv\n" << 1 << "/nonexistent/carriers.csv";
    QTest::newRow("act not on/off") << "network_act telecom maybe\n" << 1 << "on|off";
    QTest::newRow("time scale below 1") << "network_time_scale 0.5\n" << 1 << "from 1 to 10000";
    QTest::newRow("time scale not a number") << "network_time_scale fast\n" << 1 << "'fast'";
}

void TestFleetBroker::networkKeyErrorsNameTheLine()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, mentions);
    const auto parsed = parseBrokerConfig(text, QStringLiteral("bad.conf"));
    const auto *error = std::get_if<ConfigError>(&parsed);
    QVERIFY(error);
    QCOMPARE(error->line, line);
    QVERIFY2(error->message.contains(mentions), qPrintable(error->toString()));
}

void TestFleetBroker::networkFileErrorsNameFileAndLine()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("carriers.csv"));
    QFile csv(path);
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("10.0.0.0/8,mobile\n# next is wrong\n10.0.0.0/40,broken\n");
    csv.close();
    const auto parsed = parseBrokerConfig(QStringLiteral("log_level info\nnetwork_file %1\n").arg(path), QStringLiteral("h.conf"));
    const auto *error = std::get_if<ConfigError>(&parsed);
    QVERIFY(error);
    QCOMPARE(error->line, 2);
    QVERIFY2(error->message.contains(path + QStringLiteral(":3:")), qPrintable(error->toString()));
    QVERIFY2(error->message.contains(QStringLiteral("10.0.0.0/40")), qPrintable(error->toString()));
}

void TestFleetBroker::connectionEventsBecomeEvidence()
{
    QTemporaryDir dataDir;
    Broker broker(labConfig(dataDir.path()));
    broker.fleet().setAnalyticsConfig(quickAnalytics());
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    const quint16 port = broker.listenAddresses().first().port;

    // A 1 s keep-alive: the broker gives up after 1.5 s of silence.
    auto device = std::make_unique<RawClient>();
    QVERIFY(device->connectTo(port, labDevice));
    QVERIFY(device->handshake(connectPacket(QStringLiteral("lab-1"), 1)));
    QCOMPARE(labReport(broker).liveConnections, 1);
    QCOMPARE(labReport(broker).connects, 1u);

    // Idle for 0.8 s, then a PINGREQ: the path survived a gap of at least 0.8 s.
    QTest::qWait(800); // the idle gap is the scenario, not a synchronisation
    device->send(Pingreq{});
    QVERIFY(device->waitFor(PacketType::Pingresp));
    analytics::NetworkReport report = labReport(broker);
    QCOMPARE(report.estimate.observations, 1);
    QCOMPARE(report.estimate.survivingDevices, 1);
    QVERIFY2(*report.estimate.lowerBound >= 800ms && *report.estimate.lowerBound < 3s,
             qPrintable(QString::number(report.estimate.lowerBound->count())));

    // Then silence: the keep-alive runs out without a FIN (a silent death), and the device
    // redials from another port of the same network: the NAT killed its mapping.
    QTRY_COMPARE_WITH_TIMEOUT(labReport(broker).silentDeaths, 1u, 10000);
    QCOMPARE(labReport(broker).liveConnections, 0);
    device.reset();
    RawClient redial;
    QVERIFY(redial.connectTo(port, labDevice));
    QVERIFY(redial.handshake(connectPacket(QStringLiteral("lab-1"), 1)));
    report = labReport(broker);
    QCOMPARE(report.natDeaths, 1u);
    QCOMPARE(report.estimate.killedDevices, 1);
    QVERIFY(report.estimate.upperBound && *report.estimate.upperBound >= 1500ms);
    QVERIFY(report.blindTimeMax >= 1500ms); // the broker noticed 1.5 T after the last packet

    // A DISCONNECT is no silent death.
    redial.send(Disconnect{});
    QVERIFY(redial.waitForClosed());
    QTRY_COMPARE(labReport(broker).liveConnections, 0);
    QCOMPARE(labReport(broker).silentDeaths, 1u);
    // Another address range is another network.
    QVERIFY(broker.fleet().analytics().report(QStringLiteral("lab"), broker.now()));
}

void TestFleetBroker::evidenceSurvivesARestart()
{
    QTemporaryDir dataDir;
    analytics::NatEstimate before;
    {
        Broker broker(labConfig(dataDir.path()));
        broker.fleet().setAnalyticsConfig(quickAnalytics());
        broker.fleet().setFlushInterval(200ms);
        QVERIFY2(broker.start(), qPrintable(broker.errorString()));
        RawClient device;
        QVERIFY(device.connectTo(broker.listenAddresses().first().port, labDevice));
        QVERIFY(device.handshake(connectPacket(QStringLiteral("lab-2"), 60)));
        QTest::qWait(500); // the idle gap is the scenario
        device.send(Pingreq{});
        QVERIFY(device.waitFor(PacketType::Pingresp));
        before = labReport(broker).estimate;
        QCOMPARE(before.observations, 1);
        // Written by the timer, before any shutdown: a kill -9 from here on keeps it.
        const QString path = broker.fleet().path();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(path) && QFile(path).size() > 0
                                     && QFile(path).open(QIODevice::ReadOnly), 5000);
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) && file.readAll().contains("lab-2");
        }(), 5000);
    }
    Broker restarted(labConfig(dataDir.path()));
    restarted.fleet().setAnalyticsConfig(quickAnalytics());
    QVERIFY2(restarted.start(), qPrintable(restarted.errorString()));
    const analytics::NetworkReport after = labReport(restarted);
    QCOMPARE(after.estimate.observations, before.observations);
    QCOMPARE(after.estimate.lowerBound, before.lowerBound);
    QCOMPARE(after.connects, 1u);
}

void TestFleetBroker::actingNetworkGivesV5DevicesTheAdvice()
{
    QTemporaryDir dataDir;
    BrokerConfig config = labConfig(dataDir.path());
    config.networks.acting = {QStringLiteral("lab")};
    Broker broker(config);
    broker.fleet().setAnalyticsConfig(quickAnalytics());
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    const quint16 port = broker.listenAddresses().first().port;

    // No evidence yet: a v5 device keeps the keep-alive it asked for.
    RawClient first(ProtocolVersion::V5);
    QVERIFY(first.connectTo(port, labDevice));
    Connect ask60 = connectPacket(QStringLiteral("lab-5"), 60);
    ask60.version = ProtocolVersion::V5;
    auto connack = first.handshake(ask60);
    QVERIFY(connack);
    QVERIFY(!connack->properties.serverKeepAlive);
    // A 1.2 s gap survived: the advice is just under it, at least a whole second.
    broker.advanceClock(1200ms); // the idle gap, on the broker's clock
    first.send(Pingreq{});
    QVERIFY(first.waitFor(PacketType::Pingresp));
    QVERIFY(labReport(broker).estimate.recommendedKeepAlive);
    first.send(Disconnect{});
    QVERIFY(first.waitForClosed());

    RawClient second(ProtocolVersion::V5);
    QVERIFY(second.connectTo(port, labDevice));
    connack = second.handshake(ask60);
    QVERIFY(connack);
    QCOMPARE(connack->properties.serverKeepAlive, std::optional<quint16>(1));
    // ... and the broker holds it to that: silent for 1.5 s, it is closed.
    QElapsedTimer silent;
    silent.start();
    QVERIFY(second.waitForClosed(10000));
    QVERIFY2(silent.elapsed() < 5000, qPrintable(QString::number(silent.elapsed())));

    // A 3.1.1 device cannot be told: it keeps its own.
    RawClient old;
    QVERIFY(old.connectTo(port, labDevice));
    QVERIFY(old.handshake(connectPacket(QStringLiteral("lab-6"), 60)));
    QCOMPARE(broker.sessionDetail(QStringLiteral("lab-6"))->info.keepAliveSeconds, quint16(60));
}

void TestFleetBroker::actingNetworkOffersSmartHeartbeatDevicesTheAdvice()
{
    QTemporaryDir dataDir;
    BrokerConfig config = labConfig(dataDir.path());
    config.networks.acting = {QStringLiteral("lab")};
    Broker broker(config);
    broker.fleet().setAnalyticsConfig(quickAnalytics());
    broker.fleet().setAdviceInterval(100ms);
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    PushConfig pushConfig;
    pushConfig.signingKeyId = QStringLiteral("k1");
    pushConfig.signingKey = QByteArray(32, 'k');
    installPushServices(broker, pushConfig);
    push::Verifier verifier;
    verifier.addKey(pushConfig.signingKeyId, pushConfig.signingKey);
    const quint16 port = broker.listenAddresses().first().port;

    // Before any advice, a smart device and a plain one listen on their push topics.
    RawClient smart;
    QVERIFY(connectPushDevice(smart, port, QStringLiteral("lab-smart"), true));
    RawClient plain;
    QVERIFY(connectPushDevice(plain, port, QStringLiteral("lab-plain"), false));
    QVERIFY(labReport(broker).applied.changes.isEmpty());

    // A 1.2 s gap survived: the advice becomes 1 s, recorded as a change from none.
    RawClient prober;
    QVERIFY(prober.connectTo(port, labDevice));
    QVERIFY(prober.handshake(connectPacket(QStringLiteral("lab-probe"), 60)));
    broker.advanceClock(1200ms); // the idle gap, on the broker's clock
    prober.send(Pingreq{});
    QVERIFY(prober.waitFor(PacketType::Pingresp));
    QTRY_COMPARE(labReport(broker).applied.keepAliveSeconds, quint16(1));
    const analytics::NetworkReport report = labReport(broker);
    QCOMPARE(report.applied.changes.size(), 1);
    const analytics::AdviceChange &change = report.applied.changes.constFirst();
    QCOMPARE(change.fromSeconds, quint16(0));
    QCOMPARE(change.toSeconds, quint16(1));
    QVERIFY(change.deviceHoursBefore > 0);
    QVERIFY(change.atMs > 0);

    // The smart device hears it, signed; the plain one does not.
    const std::optional<push::KeepAliveOffer> offer = nextOffer(smart, verifier);
    QVERIFY(offer);
    QCOMPARE(offer->keepAliveSeconds, 1u);
    QCOMPARE(offer->network, QStringLiteral("lab"));
    QVERIFY(!plain.waitFor(PacketType::Publish, 300));

    // A smart device that connects later gets it as soon as it subscribes.
    RawClient later;
    QVERIFY(connectPushDevice(later, port, QStringLiteral("lab-later"), true));
    QCOMPARE(nextOffer(later, verifier), offer);
    QCOMPARE(labReport(broker).applied.offersSent, 2u);

    // The admin API's JSON carries it.
    const QJsonObject json = analytics::networkReportJson(labReport(broker), true);
    const QJsonObject applied = json.value(QLatin1String("applied")).toObject();
    QCOMPARE(applied.value(QLatin1String("keepAliveSeconds")).toInt(), 1);
    QCOMPARE(applied.value(QLatin1String("offersSent")).toInt(), 2);
    const QJsonObject first = applied.value(QLatin1String("changes")).toArray().at(0).toObject();
    QCOMPARE(first.value(QLatin1String("fromSeconds")).toInt(), 0);
    QCOMPARE(first.value(QLatin1String("toSeconds")).toInt(), 1);
    QVERIFY(first.value(QLatin1String("silentDeathsPerDeviceHourBefore")).isDouble());
    QVERIFY(first.value(QLatin1String("silentDeathsPerDeviceHourSince")).isDouble());
}

void TestFleetBroker::timeScaleJudgesInTheFleetsTime()
{
    // network_time_scale 100, as for a fleet simulated at x100: 1.2 s on the broker's clock
    // are 120 s of the fleet's time, and the advice drawn from them goes on the wire 100 times
    // shorter, in whole seconds rounded down.
    QTemporaryDir dataDir;
    BrokerConfig config = labConfig(dataDir.path());
    config.networks.acting = {QStringLiteral("lab")};
    config.networks.timeScale = 100;
    Broker broker(config);
    analytics::FleetAnalytics::Config tuning = quickAnalytics();
    tuning.minEvidenceGap = 30s; // the fleet's time: 300 ms on the broker's clock
    tuning.estimator.minMargin = 5s;
    broker.fleet().setAnalyticsConfig(tuning);
    QCOMPARE(broker.fleet().idleEvidenceGap(), 300ms);
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    const quint16 port = broker.listenAddresses().first().port;

    RawClient first(ProtocolVersion::V5);
    QVERIFY(first.connectTo(port, labDevice));
    Connect ask60 = connectPacket(QStringLiteral("lab-scaled"), 60);
    ask60.version = ProtocolVersion::V5;
    QVERIFY(first.handshake(ask60));
    broker.advanceClock(1200ms);
    first.send(Pingreq{});
    QVERIFY(first.waitFor(PacketType::Pingresp));
    const analytics::NetworkReport report = labReport(broker);
    QVERIFY(report.estimate.lowerBound);
    QVERIFY2(*report.estimate.lowerBound >= 120s && *report.estimate.lowerBound < 130s,
             qPrintable(QString::number(report.estimate.lowerBound->count())));
    QVERIFY(report.estimate.recommendedKeepAlive);
    const auto advice = std::chrono::duration_cast<std::chrono::seconds>(*report.estimate.recommendedKeepAlive);
    QVERIFY2(advice >= 60s && advice < 120s, qPrintable(QString::number(advice.count())));
    first.send(Disconnect{});
    QVERIFY(first.waitForClosed());

    RawClient second(ProtocolVersion::V5);
    QVERIFY(second.connectTo(port, labDevice));
    const auto connack = second.handshake(ask60);
    QVERIFY(connack);
    QCOMPARE(broker.fleet().appliedKeepAlive(QStringLiteral("lab")), quint16(advice.count()));
    // 60–119 s of the fleet's time are 0.6–1.19 s on the wire: 1 s, never 0 (no keep-alive).
    QCOMPARE(connack->properties.serverKeepAlive, std::optional<quint16>(1));
}

void TestFleetBroker::localAdministratorsAreOnNoNetwork()
{
    // hermesctl on the Unix socket has no address: no network, no device-hours.
    analytics::FleetMonitor monitor(NetworkSettings{}, [] { return analytics::Timestamp(0); });
    monitor.connectionAccepted(QStringLiteral("hermesctl-1"), QHostAddress(), analytics::Timestamp(0));
    monitor.connectionEnded(QStringLiteral("hermesctl-1"), QHostAddress(), mqtt::CloseReason::KeepAliveTimeout,
                            analytics::Timestamp(0), analytics::Timestamp(1000));
    QVERIFY(monitor.reports().isEmpty());
    monitor.connectionAccepted(QStringLiteral("device-1"), labDevice, analytics::Timestamp(0));
    QCOMPARE(monitor.reports().size(), 1);
}

HERMES_TEST_GUILESS_MAIN(TestFleetBroker)
#include "tst_fleetbroker.moc"
