// Scenario files (docs/SIMULATOR.md) and whole runs: the parser with good and bad files,
// the statistics it reports, and two runs against an in-process broker over real sockets
// with scaled time — a broker restart whose reconnects jitter spreads, and a flaky NAT
// under QoS 1 pushes.

#include "engine/broker.h"
#include "engine/simulator/scenario.h"
#include "engine/simulator/scenariorunner.h"
#include "engine/simulator/statistics.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

using namespace hermes;
using namespace hermes::sim;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Broker> startBroker(quint16 port = 0)
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, port}};
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

Scenario parseOrFail(const QString &text)
{
    auto parsed = parseScenario(text, QStringLiteral("test.scenario"));
    if (const auto *error = std::get_if<ScenarioError>(&parsed))
        qFatal("%s", qPrintable(error->toString()));
    return std::get<Scenario>(parsed);
}

} // namespace

class TestSimulatorScenario : public QObject
{
    Q_OBJECT

private slots:
    // ---- the file format ----
    void durationsRoundTrip_data();
    void durationsRoundTrip();
    void parsesEveryKey();
    void examplesInTheRepositoryParse_data();
    void examplesInTheRepositoryParse();
    void rejectsBadFiles_data();
    void rejectsBadFiles();

    // ---- statistics ----
    void recommendationIsTheLowestConvergedInterval();
    void snapshotJsonCarriesTheNumbers();

    // ---- runs against a broker ----
    void brokerRestartReconnectsSpreadOverJitter_data();
    void brokerRestartReconnectsSpreadOverJitter();
    void flakyNatQos1PushesArriveDuplicatesReported();
};

void TestSimulatorScenario::durationsRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("formatted");
    QTest::newRow("milliseconds") << "1500ms" << qint64(1500) << "1.5s";
    QTest::newRow("seconds") << "90s" << qint64(90000) << "90s";
    QTest::newRow("minutes") << "5m" << qint64(300000) << "5m";
    QTest::newRow("hours") << "2h" << qint64(7200000) << "2h";
    QTest::newRow("fraction of a second") << "0.25s" << qint64(250) << "250ms";
    QTest::newRow("zero") << "0s" << qint64(0) << "0s";
    QTest::newRow("60 minutes reads back as an hour") << "60m" << qint64(3600000) << "1h";
}

void TestSimulatorScenario::durationsRoundTrip()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    QFETCH(QString, formatted);
    const auto parsed = parseDuration(text);
    QVERIFY(parsed);
    QCOMPARE(parsed->count(), ms);
    QCOMPARE(formatDuration(*parsed), formatted);
    QCOMPARE(parseDuration(formatted), parsed);
    for (const char *bad : {"5", "-5s", "5 s", "5d", "s", "1e3s", ""})
        QVERIFY2(!parseDuration(QString::fromLatin1(bad)), bad);
}

void TestSimulatorScenario::parsesEveryKey()
{
    const Scenario s = parseOrFail(QStringLiteral(R"(hermes-scenario 1
# a comment line, then keys in any order
name         mixed carriers   # trailing comment
devices      250
id-pattern   dev-{index}-cn
protocol     5
clean-start  no
heartbeat    smart min 60s max 10m step 30s precision 5s successes 3 margin 2s
keep-alive   11m
pong-timeout 8s
nat          custom 4m
reconnect    backoff 2s 4s attempts 9 cap 1m
connect-rate 0
push-qos     2
signing-key  k7 hex:00ff10
broker       10.0.0.5:8883
time-scale   120
duration     1h

at 50m network-drop 12.5%
at 10m broker-kill
at 10m push 3 qos 0 share 25% ttl 30s
at 20m broker-restart
)"));
    QCOMPARE(s.formatVersion, 1);
    QCOMPARE(s.name, QStringLiteral("mixed carriers"));
    QCOMPARE(s.devices, 250);
    QCOMPARE(s.idPrefix(), QStringLiteral("dev-"));
    QCOMPARE(s.idSuffix(), QStringLiteral("-cn"));
    QCOMPARE(s.protocol, mqtt::ProtocolVersion::V5);
    QVERIFY(!s.cleanStart);
    QCOMPARE(s.heartbeat, Scenario::Heartbeat::Smart);
    QCOMPARE(s.smart.min, Duration(60s));
    QCOMPARE(s.smart.max, Duration(600s));
    QCOMPARE(s.smart.step, Duration(30s));
    QCOMPARE(s.smart.precision, Duration(5s));
    QCOMPARE(s.smart.successesBeforeStepUp, 3);
    QCOMPARE(s.smart.safetyMargin, Duration(2s));
    QCOMPARE(s.keepAlive, std::optional<std::chrono::milliseconds>(660s));
    QCOMPARE(s.pongTimeout, 8000ms);
    QCOMPARE(s.network, Scenario::Network::Nat);
    QCOMPARE(s.nat, NatRelay::Preset::Custom);
    QCOMPARE(s.natIdleTimeout(), 240000ms);
    QVERIFY(s.reconnect.exponentialBackoff);
    QCOMPARE(s.reconnect.minDelay, 2000ms);
    QCOMPARE(s.reconnect.maxDelay, 4000ms);
    QCOMPARE(s.reconnect.maxAttempts, 9);
    QCOMPARE(s.reconnect.backoffCap, 60000ms);
    QCOMPARE(s.connectRate, 0);
    QCOMPARE(s.pushQoS, mqtt::QoS::ExactlyOnce);
    QCOMPARE(s.signingKeyId, QStringLiteral("k7"));
    QCOMPARE(s.signingKey, QByteArray::fromHex("00ff10"));
    QCOMPARE(s.brokerHost, QStringLiteral("10.0.0.5"));
    QCOMPARE(s.brokerPort, quint16(8883));
    QCOMPARE(s.timeScale, 120.0);
    QCOMPARE(s.duration, std::chrono::milliseconds(3600s));
    QCOMPARE(s.realDuration(), 30000ms);

    // Sorted by time, stable: the kill written before the push at 10m stays first.
    QCOMPARE(s.events.size(), 4);
    QCOMPARE(s.events.at(0).kind, ScenarioEvent::Kind::BrokerKill);
    QCOMPARE(s.events.at(0).line, 21);
    QCOMPARE(s.events.at(1).kind, ScenarioEvent::Kind::PushBurst);
    QCOMPARE(s.events.at(1).count, 3);
    QCOMPARE(s.events.at(1).qos, mqtt::QoS::AtMostOnce);
    QCOMPARE(s.events.at(1).share, 0.25);
    QCOMPARE(s.events.at(1).ttl, 30000ms);
    QCOMPARE(s.events.at(2).kind, ScenarioEvent::Kind::BrokerRestart);
    QCOMPARE(s.events.at(3).kind, ScenarioEvent::Kind::NetworkDrop);
    QCOMPARE(s.events.at(3).share, 0.125);
    QCOMPARE(describe(s.events.at(1)), QStringLiteral("at 10m push 3 qos 0 share 25% ttl 30s"));
    QCOMPARE(describe(s.events.at(3)), QStringLiteral("at 50m network-drop 12.5%"));

    // Defaults: what a minimal file means.
    const Scenario minimal = parseOrFail(QStringLiteral("hermes-scenario 1\nduration 1m\n"));
    QCOMPARE(minimal.devices, 100);
    QCOMPARE(minimal.idPrefix(), QStringLiteral("sim-"));
    QCOMPARE(minimal.heartbeat, Scenario::Heartbeat::Fixed);
    QCOMPARE(minimal.fixedInterval, 120000ms);
    QCOMPARE(minimal.nat, NatRelay::Preset::ChinaMobile);
    QCOMPARE(minimal.reconnect.minDelay, 1000ms);
    QCOMPARE(minimal.reconnect.maxDelay, 15000ms);
    QCOMPARE(minimal.reconnect.maxAttempts, 6);
    QVERIFY(minimal.cleanStart);
    QVERIFY(minimal.events.isEmpty());
    QVERIFY(!minimal.fixedIntervalLongest);

    // A fleet of fixed heartbeats spread over a range, one interval per device.
    const Scenario spread = parseOrFail(QStringLiteral("hermes-scenario 1\nduration 1m\nheartbeat fixed 2m 40m\n"));
    QCOMPARE(spread.fixedInterval, 120000ms);
    QCOMPARE(spread.fixedIntervalLongest, std::optional<std::chrono::milliseconds>(2400000ms));
}

void TestSimulatorScenario::examplesInTheRepositoryParse_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("devices");
    QTest::addColumn<int>("events");
    QTest::newRow("nat-mobile") << "nat-mobile.scenario" << 1000 << 4;
    QTest::newRow("reconnect-storm") << "reconnect-storm.scenario" << 2000 << 2;
    QTest::newRow("flaky-network") << "flaky-network.scenario" << 500 << 7;
    QTest::newRow("steady") << "steady.scenario" << 200 << 2;
    QTest::newRow("carrier-mobile") << "carrier-mobile.scenario" << 250 << 0;
    QTest::newRow("carrier-telecom") << "carrier-telecom.scenario" << 250 << 0;
}

void TestSimulatorScenario::examplesInTheRepositoryParse()
{
    QFETCH(QString, file);
    QFETCH(int, devices);
    QFETCH(int, events);
    const QString path = QFINDTESTDATA(QStringLiteral("../../scenarios/") + file);
    QVERIFY2(!path.isEmpty(), qPrintable(file));
    const auto loaded = loadScenario(path);
    if (const auto *error = std::get_if<ScenarioError>(&loaded))
        QFAIL(qPrintable(error->toString()));
    const Scenario &s = std::get<Scenario>(loaded);
    QCOMPARE(s.devices, devices);
    QCOMPARE(s.events.size(), events);
    QVERIFY(!s.name.isEmpty());
}

void TestSimulatorScenario::rejectsBadFiles_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("message");
    const QString head = QStringLiteral("hermes-scenario 1\nduration 10m\n");
    QTest::newRow("empty file") << "" << 0 << "empty";
    QTest::newRow("no version line") << "devices 10\n" << 1 << "first line must be \"hermes-scenario 1\"";
    QTest::newRow("newer version") << "# hi\nhermes-scenario 2\n" << 2 << "newer than this Hermes reads";
    QTest::newRow("version not a number") << "hermes-scenario one\n" << 1 << "not a format version";
    QTest::newRow("no duration") << "hermes-scenario 1\ndevices 5\n" << 0 << "no \"duration\"";
    QTest::newRow("unknown key, line counted") << head + "\n# c\ndevcies 5\n" << 5 << "unknown key \"devcies\"";
    QTest::newRow("devices zero") << head + "devices 0\n" << 3 << "whole number from 1";
    QTest::newRow("devices not a number") << head + "devices many\n" << 3 << "\"many\" is not a whole number";
    QTest::newRow("two values") << head + "devices 5 6\n" << 3 << "takes one value";
    QTest::newRow("pattern without index") << head + "id-pattern dev-\n" << 3 << "exactly one {index}";
    QTest::newRow("pattern with a slash") << head + "id-pattern a/{index}\n" << 3 << "must not contain /";
    QTest::newRow("bad duration") << head + "pong-timeout 5 s\n" << 3 << "takes one value";
    QTest::newRow("duration without unit") << head + "keep-alive 300\n" << 3 << "\"300\" is not a duration";
    QTest::newRow("unknown heartbeat") << head + "heartbeat clever\n" << 3 << "\"fixed\" or \"smart\"";
    QTest::newRow("fixed longest below shortest") << head + "heartbeat fixed 5m 1m\n" << 3 << "the longest (1m) is below the shortest (5m)";
    QTest::newRow("smart max below min") << head + "heartbeat smart min 5m max 1m\n" << 3 << "max (1m) is below min (5m)";
    QTest::newRow("smart unknown option") << head + "heartbeat smart minimum 5m\n" << 3 << "unknown option \"minimum\"";
    QTest::newRow("smart option without value") << head + "heartbeat smart min\n" << 3 << "needs a value";
    QTest::newRow("unknown carrier") << head + "nat china-railway\n" << 3 << "unknown network";
    QTest::newRow("custom NAT zero") << head + "nat custom 0s\n" << 3 << "above zero";
    QTest::newRow("reconnect max below min") << head + "reconnect jitter 15s 1s\n" << 3 << "below MIN";
    QTest::newRow("cap without backoff") << head + "reconnect jitter 1s 2s cap 1m\n" << 3 << "unknown option \"cap\"";
    QTest::newRow("protocol 4") << head + "protocol 4\n" << 3 << "3.1, 3.1.1 or 5";
    QTest::newRow("time scale zero") << head + "time-scale 0\n" << 3 << "above zero";
    QTest::newRow("clean start maybe") << head + "clean-start maybe\n" << 3 << "not yes or no";
    QTest::newRow("broker without port") << head + "broker localhost\n" << 3 << "HOST:PORT";
    QTest::newRow("signing key bad hex") << head + "signing-key k1 hex:zz\n" << 3 << "not hex";
    QTest::newRow("unknown event") << head + "at 1m reboot\n" << 3 << "unknown event \"reboot\"";
    QTest::newRow("event time not a duration") << head + "at soon push 1\n" << 3 << "\"soon\" is not a duration";
    QTest::newRow("share over 100%") << head + "at 1m network-drop 120%\n" << 3 << "from 0% to 100%";
    QTest::newRow("share without percent sign") << head + "at 1m network-drop 0.5\n" << 3 << "not a percentage";
    QTest::newRow("push qos 3") << head + "at 1m push 1 qos 3\n" << 3 << "not a QoS";
    QTest::newRow("restart with arguments") << head + "at 1m broker-restart now\n" << 3 << "takes no arguments";
    QTest::newRow("event after the end") << head + "\nat 11m push 1\n" << 4 << "after the end of the run";
    QTest::newRow("network drop without relay") << head + "nat direct\nat 1m network-drop 10%\n" << 4 << "needs a relay";
}

void TestSimulatorScenario::rejectsBadFiles()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, message);
    const auto parsed = parseScenario(text, QStringLiteral("bad.scenario"));
    const auto *error = std::get_if<ScenarioError>(&parsed);
    QVERIFY2(error, "parsed, but should not have");
    QCOMPARE(error->line, line);
    QVERIFY2(error->message.contains(message), qPrintable(error->message));
    const QString shown = error->toString();
    QVERIFY2(shown.startsWith(line > 0 ? QStringLiteral("bad.scenario:%1: ").arg(line) : QStringLiteral("bad.scenario: ")),
             qPrintable(shown));
}

void TestSimulatorScenario::recommendationIsTheLowestConvergedInterval()
{
    const auto none = recommendKeepAlive({}, 10, 300s);
    QVERIFY(!none.available());
    QCOMPARE(none.smartDevices, 10);
    QCOMPARE(none.convergedDevices, 0);

    const auto r = recommendKeepAlive({285s, 270s, 285s, 255s, 285s}, 6, 300s);
    QVERIFY(r.available());
    QCOMPARE(r.convergedDevices, 5);
    QCOMPARE(r.lowest, std::chrono::milliseconds(255s));
    QCOMPARE(r.median, std::chrono::milliseconds(285s));
    QCOMPARE(r.highest, std::chrono::milliseconds(285s));
    QCOMPARE(r.recommended, std::chrono::milliseconds(255s));
    QVERIFY(r.recommended < r.natTimeout);
}

void TestSimulatorScenario::snapshotJsonCarriesTheNumbers()
{
    SimulationSnapshot s;
    s.scenario = QStringLiteral("demo");
    s.fleet.devices = 3;
    s.fleet.connected = 2;
    s.pushesSent = 200;
    s.pushesDelivered = 199;
    s.duplicates = 4;
    s.lost = 1;
    s.arrivalRate = 0.995;
    s.keepAlive = recommendKeepAlive({285s}, 1, 300s);
    s.samples.append(StatsSample{1000, 60000, 2, 2, 0, 0, 2.0, 0.0, 0.0, 120.0});
    const QJsonObject json = toJson(s);
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("demo"));
    const QJsonObject pushes = json.value(QStringLiteral("pushes")).toObject();
    QCOMPARE(pushes.value(QStringLiteral("sent")).toInteger(), 200);
    QCOMPARE(pushes.value(QStringLiteral("delivered")).toInteger(), 199);
    QCOMPARE(pushes.value(QStringLiteral("duplicates")).toInteger(), 4);
    QCOMPARE(pushes.value(QStringLiteral("arrivalRate")).toDouble(), 0.995);
    QCOMPARE(json.value(QStringLiteral("keepAlive")).toObject().value(QStringLiteral("recommendedMs")).toInteger(), 285000);
    QCOMPARE(json.value(QStringLiteral("samples")).toArray().size(), 1);
    QVERIFY(!toJson(s, false).contains(QStringLiteral("samples")));
    const QString table = formatSummary(s);
    QVERIFY2(table.contains(QStringLiteral("arrival rate 99.50%")), qPrintable(table));
    QVERIFY2(table.contains(QStringLiteral("285 s for a NAT timeout of 300 s")), qPrintable(table));
    QVERIFY(formatProgress(s).contains(QStringLiteral("connected 2/3")));
}

void TestSimulatorScenario::brokerRestartReconnectsSpreadOverJitter_data()
{
    QTest::addColumn<QString>("reconnect");
    QTest::addColumn<bool>("jitter");
    QTest::newRow("jitter 1-15 s spreads the storm") << "reconnect jitter 1s 15s" << true;
    QTest::newRow("no jitter: everyone at once") << "reconnect jitter 0s 0s" << false;
}

void TestSimulatorScenario::brokerRestartReconnectsSpreadOverJitter()
{
    QFETCH(QString, reconnect);
    QFETCH(bool, jitter);
    // 150 devices behind a relay; the broker restarts on the same port at simulated 10 s.
    // At ×10 a simulated second is 100 ms real: the 1–15 s window is 100–1,500 ms, and the
    // fleet has a real second to connect before the restart, also on a loaded machine.
    constexpr qint64 SecondMs = 100;
    auto broker = startBroker();
    QVERIFY(broker);
    const quint16 port = brokerPort(*broker);
    const Scenario scenario = parseOrFail(QStringLiteral(R"(hermes-scenario 1
name restart
devices 150
heartbeat fixed 120s
nat none
%1
connect-rate 1000
time-scale 10
duration 40s
at 10s broker-restart
)").arg(reconnect));
    RunOptions options;
    options.brokerPort = port;
    options.sampleInterval = 50ms;
    ScenarioRunner runner(scenario, options);

    QElapsedTimer clock;
    qint64 restartedAt = -1;
    int connectedAtRestart = -1;
    runner.setBrokerControl([&](ScenarioEvent::Kind) {
        connectedAtRestart = runner.snapshot().fleet.connected;
        broker.reset(); // every connection closes, as when hermesd stops
        broker = startBroker(port);
        restartedAt = clock.elapsed();
        return broker != nullptr;
    });
    QVERIFY2(runner.start(), qPrintable(runner.errorString()));
    clock.start();
    QList<qint64> attempts;  // when each device starts its reconnect: the policy's spread
    QList<qint64> comebacks; // when each is back: the broker's view of the storm
    for (SimulatedDevice *device : runner.fleet()->devices()) {
        connect(device, &SimulatedDevice::connected, this, [&] {
            if (restartedAt >= 0)
                comebacks.append(clock.elapsed() - restartedAt);
        });
        connect(&device->client(), &MqttClient::stateChanged, this, [&](MqttClient::State state) {
            if (restartedAt >= 0 && state == MqttClient::State::Connecting)
                attempts.append(clock.elapsed() - restartedAt);
        });
    }
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    QVERIFY(finished.wait(10000));
    QVERIFY(broker);
    QVERIFY(restartedAt >= 0);
    // Otherwise a CONNACK the old broker sent before it stopped arrives after the restart
    // and counts as a comeback; the storm is only measured on a connected fleet.
    QCOMPARE(connectedAtRestart, 150);
    const SimulationSnapshot s = runner.snapshot();
    QCOMPARE(comebacks.size(), 150);
    QCOMPARE(s.fleet.connects, quint64(300));
    QCOMPARE(s.fleet.reconnectAttempts, quint64(150));
    QCOMPARE(s.fleet.gaveUp, 0);
    QVERIFY2(s.events.size() == 1 && s.events.first().contains(QStringLiteral("broker restarted")),
             qPrintable(s.events.join(QLatin1Char('\n'))));

    QCOMPARE(attempts.size(), 150);

    // One bucket per simulated second; the last one collects everything later.
    constexpr int Buckets = 16;
    const auto histogram = [](const QList<qint64> &times) {
        std::array<int, Buckets> counts{};
        for (const qint64 ms : times)
            ++counts[std::clamp<qint64>(ms / SecondMs, 0, Buckets - 1)];
        return counts;
    };
    const auto shape = [](const std::array<int, Buckets> &counts) {
        QStringList words;
        for (const int n : counts)
            words << QString::number(n);
        return words.join(QLatin1Char(' '));
    };
    const auto attemptShape = histogram(attempts);
    const auto comebackShape = histogram(comebacks);
    const int busiestAttempts = *std::max_element(attemptShape.cbegin(), attemptShape.cend());
    const int busiestComebacks = *std::max_element(comebackShape.cbegin(), comebackShape.cend());
    // A burst that lands on a bucket boundary splits in two: the busiest two adjacent seconds.
    int busiestComebackPair = 0;
    for (int i = 0; i + 1 < Buckets; ++i)
        busiestComebackPair = std::max(busiestComebackPair, comebackShape[i] + comebackShape[i + 1]);
    qInfo("per simulated second after the restart: attempts %s | back %s", qPrintable(shape(attemptShape)),
          qPrintable(shape(comebackShape)));
    const auto [first, last] = std::minmax_element(attempts.cbegin(), attempts.cend());
    if (jitter) {
        // Uniform over 14 seconds is ~7 % a second; no second may hold more than 20 %.
        QVERIFY2(busiestAttempts <= 150 * 20 / 100, qPrintable(shape(attemptShape)));
        QVERIFY2(busiestComebacks <= 150 * 20 / 100, qPrintable(shape(comebackShape)));
        // Nobody before the 1 s minimum, everyone within the 15 s maximum (plus how late a
        // loaded machine notices the close), and the window really used.
        QVERIFY2(*first >= SecondMs - 5, qPrintable(QString::number(*first)));
        QVERIFY2(*last <= 15 * SecondMs + 250, qPrintable(QString::number(*last)));
        QVERIFY2(*last - *first >= 10 * SecondMs, qPrintable(QStringLiteral("%1..%2").arg(*first).arg(*last)));
    } else {
        // The storm: the whole fleet tries at once — within the time it takes 150 closes to
        // travel through the relay (≤ 3 simulated seconds here) — and lands together.
        QVERIFY2(attemptShape[0] + attemptShape[1] + attemptShape[2] >= 150 * 95 / 100,
                 qPrintable(shape(attemptShape)));
        QVERIFY2(busiestComebackPair >= 150 * 60 / 100, qPrintable(shape(comebackShape)));
    }
}

void TestSimulatorScenario::flakyNatQos1PushesArriveDuplicatesReported()
{
    // 100 devices with persistent sessions behind a relay; three times a third of the
    // mappings are black-holed while QoS 1 pushes flow. At ×10 a 10 s heartbeat is 1 s
    // real and the 3 s pong timeout 300 ms. The sender also resends every 20th envelope,
    // as the push service does from a reported gap: those must come back as DUPLICATE.
    auto broker = startBroker();
    QVERIFY(broker);
    const Scenario scenario = parseOrFail(QStringLiteral(R"(hermes-scenario 1
name flaky
devices 100
protocol 3.1.1
clean-start no
heartbeat fixed 10s
pong-timeout 3s
nat custom 30m
reconnect jitter 1s 3s attempts 50
connect-rate 2000
push-qos 1
signing-key k1 flaky-network-test-key-0123456789ab
time-scale 10
duration 75s
at 5s  push 5
at 10s network-drop 33%
at 11s push 5
at 20s network-drop 33%
at 20.5s push 5
at 30s push 5
at 35s network-drop 33%
at 36s push 5
)"));
    RunOptions options;
    options.brokerPort = brokerPort(*broker);
    options.sampleInterval = 100ms;
    ScenarioRunner runner(scenario, options);
    int published = 0;
    int resent = 0;
    runner.setPublisher([&](const mqtt::Publish &message) {
        broker->publish(message);
        if (++published % 20 == 0) {
            broker->publish(message);
            ++resent;
        }
    });
    QVERIFY(runner.start());
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    QVERIFY(finished.wait(15000));
    const SimulationSnapshot s = runner.snapshot();
    qInfo("%s", qPrintable(formatSummary(s)));

    QCOMPARE(s.pushesSent, quint64(2500));
    QCOMPARE(resent, 125);
    QVERIFY(s.relay.mappingsDropped >= 75); // a third of the live mappings, three times
    QVERIFY(s.heartbeats.deadLinks >= 30);      // the devices noticed by their pong deadline
    // ≥ 99 % arrive despite the drops (persistent sessions resend what the black hole ate).
    QVERIFY2(s.arrivalRate >= 0.99, qPrintable(QString::number(s.arrivalRate)));
    // Duplicates are reported, never delivered twice: delivered counts each number once.
    QVERIFY(s.pushesDelivered <= s.pushesSent);
    QVERIFY2(s.duplicates >= quint64(resent) * 9 / 10, qPrintable(QString::number(s.duplicates)));
    QCOMPARE(s.rejected, quint64(0));
    quint64 delivered = 0;
    for (const SimulatedDevice *device : runner.fleet()->devices()) {
        const push::SequenceTracker &tracker = device->sequenceTracker();
        const quint64 sent = runner.allocator().peek(device->id()) - 1;
        QCOMPARE(sent, quint64(25));
        QVERIFY(device->stats().pushesDelivered <= sent);
        QVERIFY(tracker.highestReceived() <= sent);
        delivered += device->stats().pushesDelivered;
    }
    QCOMPARE(delivered, s.pushesDelivered);
    QVERIFY(s.fleet.receiptsSent >= s.pushesDelivered + s.duplicates - 50); // receipts for (almost) each
    QVERIFY(s.finished);
    QVERIFY(s.fleet.connected >= 90);
}

int main(int argc, char *argv[])
{
    qputenv("QT_NO_GLIB", "1");
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false\nhermes.broker.info=false"));
    QCoreApplication app(argc, argv);
    TestSimulatorScenario test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_simulatorscenario.moc"
