// The Simulator view, driven as an operator would: pick a scenario and
// the overrides, start a fleet against the console's own broker, watch the devices appear
// as sessions, restart the broker and count the reconnects, see the keep-alive the smart
// devices learned, scale and stop.
//
// natMobileDemonstration() is the measurement docs/SIMULATOR.md quotes (nat-mobile.scenario:
// China Mobile, smart heartbeat, 1,000 devices, a broker restart at 30 min, ×60: one real
// minute). It is not a CI test: it exists only in the demo_simulatorview binary, which ctest
// does not run (`build/tests/ui/demo_simulatorview natMobileDemonstration`; HERMES_SIM_DEVICES
// and HERMES_SIM_SCALE override), and prints its numbers.
#include "../common/testmain.h"
#include "../common/testconfig.h"
#include "simulatorview.h"
#include "translations.h"

#include "engine/local/localengine.h"

#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QLoggingCategory>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;
using namespace std::chrono_literals;

using hermes::test::screenshotPath;

namespace {

/// A fixed 120 s heartbeat behind China Telecom: the view's overrides turn it into the
/// the field's typical run: China Mobile + smart heartbeat. ×300: the 5-minute NAT passes in one second.
/// The 60 s pong timeout is 200 ms real: a slow loopback pong is not a dead NAT.
constexpr auto TestScenario = R"(hermes-scenario 1
name        console test
devices     40
id-pattern  console-{index}
heartbeat   fixed 120s
nat         china-telecom
pong-timeout 60s
reconnect   jitter 1s 15s attempts 6
connect-rate 0
time-scale  60
duration    60m

at 6m  push 2 qos 1
)";

template<typename T>
T *child(QWidget &parent, const char *name)
{
    auto *found = parent.findChild<T *>(QLatin1String(name));
    if (!found)
        qFatal("no child %s", name);
    return found;
}

} // namespace

class TestSimulatorView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pickerFindsScenariosAndAppliesOverrides();
    void fleetRunsAgainstTheConsoleBroker();
#ifdef HERMES_SIM_DEMO_BUILD
    void natMobileDemonstration();
#endif

private:
    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QString m_scenarioFile;
};

void TestSimulatorView::initTestCase()
{
    // The view keeps what the devices learned in the settings: a private place for them.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_simulatorview"));
    ui::installTranslations(QLocale(QLocale::English));
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false\nhermes.sim.runner.info=false"));
    QVERIFY(m_dir.isValid());
    m_scenarioFile = m_dir.filePath(QStringLiteral("console-test.scenario"));
    QFile file(m_scenarioFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(TestScenario);
}

void TestSimulatorView::pickerFindsScenariosAndAppliesOverrides()
{
    LocalEngine engine(test::loopbackConfig()); // not started: Start stays disabled
    ui::SimulatorView view(engine);
    auto *scenarios = child<QComboBox>(view, "simScenario");
    // The test binary sits in the build tree inside the source tree: scenarios/ is found.
    QVERIFY2(!ui::SimulatorView::scenarioDirectories().isEmpty(), "no scenarios/ folder found");
    QVERIFY(scenarios->findText(QStringLiteral("nat-mobile")) >= 0);
    QCOMPARE(scenarios->currentText(), QStringLiteral("nat-mobile")); // the typical field problem is the default
    QCOMPARE(child<QSpinBox>(view, "simDevices")->value(), 1000);
    QCOMPARE(child<QDoubleSpinBox>(view, "simTimeScale")->value(), 60.0);
    QVERIFY(!child<QPushButton>(view, "simStart")->isEnabled());

    // China Telecom with a smart heartbeat: the search is widened past the 30-minute NAT.
    child<QComboBox>(view, "simNetwork")->setCurrentIndex(int(ui::SimulatorView::NetworkChoice::ChinaTelecom));
    child<QComboBox>(view, "simHeartbeat")->setCurrentIndex(int(ui::SimulatorView::HeartbeatChoice::Smart));
    std::optional<sim::Scenario> s = view.scenarioToRun();
    QVERIFY(s);
    QCOMPARE(s->nat, sim::NatPreset::ChinaTelecom);
    QCOMPARE(s->heartbeat, sim::Scenario::Heartbeat::Smart);
    QVERIFY(s->smart.max > s->natIdleTimeout());
    QVERIFY(child<QLabel>(view, "simSummary")->text().contains(QStringLiteral("China Telecom")));

    // A fixed interval and a custom NAT.
    child<QComboBox>(view, "simNetwork")->setCurrentIndex(int(ui::SimulatorView::NetworkChoice::Custom));
    child<QSpinBox>(view, "simCustomNat")->setValue(90);
    child<QComboBox>(view, "simHeartbeat")->setCurrentIndex(int(ui::SimulatorView::HeartbeatChoice::Fixed));
    child<QSpinBox>(view, "simFixedInterval")->setValue(45);
    s = view.scenarioToRun();
    QVERIFY(s);
    QCOMPARE(s->natIdleTimeout(), 90000ms);
    QCOMPARE(s->heartbeat, sim::Scenario::Heartbeat::Fixed);
    QCOMPARE(s->fixedInterval, 45000ms);

    // A broken file names its line and cannot be started.
    const QString broken = m_dir.filePath(QStringLiteral("broken.scenario"));
    QFile file(broken);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("hermes-scenario 1\nduration 1m\ndevcies 5\n");
    file.close();
    QVERIFY(!view.openScenarioFile(broken));
    QVERIFY2(child<QLabel>(view, "simSummary")->text().contains(QStringLiteral("broken.scenario:3")),
             qPrintable(child<QLabel>(view, "simSummary")->text()));
    QVERIFY(!view.scenarioToRun());
}

void TestSimulatorView::fleetRunsAgainstTheConsoleBroker()
{
    const int devices = 20;
    const double scale = 300.0;

    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(100ms);
    engine.setSimulationSampleInterval(200ms);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    // Every simulated device is a real session of the console's broker.
    QSet<QString> sessions;
    connect(&engine, &EngineMonitor::telemetry, this, [&sessions](const TelemetryBatch &batch) {
        for (const SessionInfo &session : batch.changedSessions) {
            if (session.online && session.clientId.startsWith(QLatin1String("console-")))
                sessions.insert(session.clientId);
        }
    });

    ui::SimulatorView view(engine);
    view.resize(1500, 950);
    view.show();
    QVERIFY(view.openScenarioFile(m_scenarioFile));
    auto *start = child<QPushButton>(view, "simStart");
    QVERIFY(start->isEnabled());
    // The operator's choice: China Mobile, smart heartbeat, N devices, fast time.
    child<QComboBox>(view, "simNetwork")->setCurrentIndex(int(ui::SimulatorView::NetworkChoice::ChinaMobile));
    child<QComboBox>(view, "simHeartbeat")->setCurrentIndex(int(ui::SimulatorView::HeartbeatChoice::Smart));
    child<QSpinBox>(view, "simDevices")->setValue(devices);
    child<QDoubleSpinBox>(view, "simTimeScale")->setValue(scale);

    QSignalSpy simulationStarted(&engine, &EngineMonitor::simulationStarted);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(simulationStarted.wait(5000));
    QVERIFY(engine.isSimulating());
    const auto running = simulationStarted.at(0).at(0).value<sim::Scenario>();
    QCOMPARE(running.devices, devices);
    QCOMPARE(running.nat, sim::NatPreset::ChinaMobile);

    // The fleet comes online: counters, chart and the broker's sessions agree.
    QTRY_COMPARE_WITH_TIMEOUT(view.lastSnapshot().fleet.connected, devices, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(int(sessions.size()), devices, 5000);
    QTRY_COMPARE(child<QLabel>(view, "simConnected")->text(), QStringLiteral("%1 of %2").arg(QLocale().toString(devices), QLocale().toString(devices)));
    QVERIFY(view.sampleCount() > 0);
    const QList<QChartView *> charts = view.findChildren<QChartView *>();
    QCOMPARE(charts.size(), 3);
    QTRY_VERIFY(!static_cast<QLineSeries *>(charts.at(0)->chart()->series().at(0))->points().isEmpty());

    // The broker restarts under the fleet: every device notices and comes back.
    const quint64 reconnectsBefore = view.lastSnapshot().fleet.reconnectAttempts;
    QSignalSpy stopped(&engine, &EngineMonitor::stopped);
    started.clear();
    auto *restart = child<QPushButton>(view, "simRestartBroker");
    QVERIFY(restart->isEnabled());
    QTest::mouseClick(restart, Qt::LeftButton);
    QVERIFY(stopped.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 5000);
    auto *events = child<QListWidget>(view, "simEvents");
    QTRY_VERIFY(!events->findItems(QStringLiteral("broker-restart: broker restarted"), Qt::MatchContains).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(view.lastSnapshot().fleet.reconnectAttempts >= reconnectsBefore + quint64(devices), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(view.lastSnapshot().fleet.connected, devices, 30000);
    QVERIFY(child<QLabel>(view, "simReconnects")->text() != QStringLiteral("0 (0 gave up)"));

    // The smart devices overshoot the 5-minute NAT once and settle just under it.
    auto *recommended = child<QLabel>(view, "simRecommended");
    QTRY_VERIFY_WITH_TIMEOUT(view.lastSnapshot().keepAlive.available(), 15000);
    const sim::KeepAliveRecommendation learned = view.lastSnapshot().keepAlive;
    QVERIFY2(learned.recommended < 300s, qPrintable(QString::number(learned.recommended.count())));
    QVERIFY2(learned.recommended >= 180s, qPrintable(QString::number(learned.recommended.count())));
    QVERIFY2(recommended->text().startsWith(QStringLiteral("Recommended keep-alive: %1 s").arg(learned.recommended.count() / 1000)),
             qPrintable(recommended->text()));
    QVERIFY(view.lastSnapshot().heartbeats.deadLinks >= 1);
    QVERIFY(child<QLabel>(view, "simDetection")->text().startsWith(QStringLiteral("mean ")));
    QCOMPARE(view.recommendations().size(), 1);
    QVERIFY(view.recommendations().constFirst().first.startsWith(QStringLiteral("China Mobile")));
    // The pushes at 6 min reached everybody.
    QTRY_COMPARE_WITH_TIMEOUT(view.lastSnapshot().pushesSent, quint64(2 * devices), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view.lastSnapshot().pushesDelivered, quint64(2 * devices), 10000);
    QCOMPARE(child<QLabel>(view, "simArrival")->text(), QStringLiteral("100.00 %"));
    QVERIFY(child<QProgressBar>(view, "simProgress")->value() > 0);

    // Screenshots while it runs, in English and in Chinese.
    QVERIFY(view.grab().save(screenshotPath(QStringLiteral("simulator-en.png"))));
    QVERIFY(ui::installTranslations(QLocale(QStringLiteral("zh_CN"))));
    QCoreApplication::processEvents(); // the LanguageChange events
    QCoreApplication::processEvents(); // the charts lay their new titles out one turn later
    QVERIFY(view.grab().save(screenshotPath(QStringLiteral("simulator-zh_CN.png"))));
    ui::installTranslations(QLocale(QLocale::English));

    // Scale: the run starts again with more devices.
    QSignalSpy finished(&engine, &EngineMonitor::simulationFinished);
    simulationStarted.clear();
    child<QSpinBox>(view, "simDevices")->setValue(devices + 5);
    auto *scaleButton = child<QPushButton>(view, "simScale");
    QVERIFY(scaleButton->isEnabled());
    QTest::mouseClick(scaleButton, Qt::LeftButton);
    QVERIFY(finished.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(simulationStarted.size(), 1, 5000); // may already be here
    QCOMPARE(simulationStarted.at(0).at(0).value<sim::Scenario>().devices, devices + 5);
    QTRY_COMPARE_WITH_TIMEOUT(view.lastSnapshot().fleet.connected, devices + 5, 20000);

    // Stop: the devices disconnect and the view is idle again.
    finished.clear();
    QTest::mouseClick(child<QPushButton>(view, "simStop"), Qt::LeftButton);
    QVERIFY(finished.wait(5000));
    QTRY_VERIFY(!view.isRunning());
    QVERIFY(!engine.isSimulating());
    QVERIFY(start->isEnabled());
    QVERIFY(!events->findItems(QStringLiteral("Finished after"), Qt::MatchContains).isEmpty());
    QVERIFY(!events->findItems(QStringLiteral("Custom 1 s in Session detail (5m at ×300)"), Qt::MatchContains).isEmpty());

    // The next console remembers what the devices learned on China Mobile.
    ui::SimulatorView next(engine);
    QCOMPARE(next.recommendations().size(), 1);
    QCOMPARE(next.recommendations().constFirst().first, view.recommendations().constFirst().first);
    QCOMPARE(next.recommendations().constFirst().second.recommended, learned.recommended);
    auto *table = child<QTableWidget>(next, "simRecommendations");
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("%1 s").arg(learned.recommended.count() / 1000));
}

#ifdef HERMES_SIM_DEMO_BUILD
void TestSimulatorView::natMobileDemonstration()
{
    const int devices = qEnvironmentVariableIntValue("HERMES_SIM_DEVICES") > 0 ? qEnvironmentVariableIntValue("HERMES_SIM_DEVICES")
                                                                              : 1000;
    const double scale = qEnvironmentVariable("HERMES_SIM_SCALE", QStringLiteral("60")).toDouble();
    LocalEngine engine(test::loopbackConfig());
    // 100 ms: fine enough to see a 250 ms storm (the console's 1 s averages peaks over a second).
    const int sampleMs = qEnvironmentVariableIntValue("HERMES_SIM_SAMPLE_MS");
    engine.setSimulationSampleInterval(std::chrono::milliseconds(sampleMs > 0 ? sampleMs : 100));
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    ui::SimulatorView view(engine);
    view.resize(1500, 950);
    view.show();
    QCOMPARE(child<QComboBox>(view, "simScenario")->currentText(), QStringLiteral("nat-mobile"));
    child<QSpinBox>(view, "simDevices")->setValue(devices);
    child<QDoubleSpinBox>(view, "simTimeScale")->setValue(scale);

    // Every sample, kept here too (the view keeps them in its ring buffer).
    QList<sim::StatsSample> samples;
    qint64 allConvergedMs = -1; // real, as the runner counts
    connect(&engine, &EngineMonitor::simulationProgress, this, [&](const sim::SimulationSnapshot &s) {
        samples.append(s.samples);
        if (allConvergedMs < 0 && s.keepAlive.convergedDevices == devices)
            allConvergedMs = s.elapsedMs;
    });
    QElapsedTimer clock;
    qint64 restartAt = -1;
    connect(&engine, &EngineMonitor::simulationEvent, this, [&](const QString &line) {
        if (line.contains(QLatin1String("broker-restart")))
            restartAt = clock.elapsed();
    });
    QSignalSpy finished(&engine, &EngineMonitor::simulationFinished);
    clock.start();
    QTest::mouseClick(child<QPushButton>(view, "simStart"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(view.lastSnapshot().fleet.connected, devices, 30000);
    const qint64 allConnected = clock.elapsed();
    QTRY_VERIFY_WITH_TIMEOUT(view.lastSnapshot().keepAlive.available(), 120000);
    const qint64 firstConverged = clock.elapsed();
    QVERIFY(finished.wait(int(std::chrono::milliseconds(view.scenarioToRun()->realDuration()).count()) + 30000));
    QVERIFY(view.grab().save(screenshotPath(QStringLiteral("simulator-demo-en.png"))));
    const auto final = finished.at(0).at(0).value<sim::SimulationSnapshot>();
    samples.append(final.samples);
    const sim::KeepAliveRecommendation learned = final.keepAlive;

    // The storm: from the restart until every device is back, and how hard it hit.
    const qint64 restartRealMs = qint64(std::llround(30 * 60000.0 / scale));
    qint64 firstDown = -1, backUp = -1;
    double peakReconnects = 0;
    for (const sim::StatsSample &p : std::as_const(samples)) {
        if (p.realMs < restartRealMs - 50)
            continue;
        if (firstDown < 0 && p.connected < devices)
            firstDown = p.realMs;
        if (firstDown >= 0 && backUp < 0 && p.connected == devices)
            backUp = p.realMs;
        if (backUp < 0)
            peakReconnects = std::max(peakReconnects, p.reconnectsPerSecond);
    }
    qInfo("%d devices, nat-mobile at x%.0f in the console: all connected %lld ms after Start (runner %lld ms), "
          "peak %.0f connects/s", devices, scale, allConnected, final.allConnectedMs, final.peakConnectsPerSecond);
    qInfo("keep-alive: first converged after %lld ms, %d of %d at the end (all since %lld ms): recommended %lld s "
          "(lowest %lld, median %lld, highest %lld, NAT %lld)", firstConverged, learned.convergedDevices,
          learned.smartDevices, allConvergedMs, qint64(learned.recommended.count() / 1000), qint64(learned.lowest.count() / 1000),
          qint64(learned.median.count() / 1000), qint64(learned.highest.count() / 1000),
          qint64(learned.natTimeout.count() / 1000));
    qInfo("broker restart at %lld ms real (event seen by the GUI at %lld ms): first sample short of the fleet at "
          "%lld ms, all back at %lld ms (spread <= %lld ms real = %.1f s simulated), peak %.0f reconnect attempts/s",
          restartRealMs, restartAt, firstDown, backUp, backUp - firstDown, double(backUp - firstDown) * scale / 1000.0,
          peakReconnects);
    qInfo("%s", qPrintable(sim::formatSummary(final)));
}
#endif

HERMES_TEST_MAIN(TestSimulatorView)
#include "tst_simulatorview.moc"
