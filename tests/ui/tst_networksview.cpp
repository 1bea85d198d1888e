// The Networks view and the heartbeat timeline's network NAT line against a real embedded
// broker: two configured networks, the evidence a previous run left in the data directory
// (fleet-analytics.json, restored at start as hermesd does), and real MQTT devices
// connecting from 127.0.1.x and 127.0.2.x — one of them idle long enough to be evidence.
#include "../common/fleetevidence.h"
#include "../common/testconfig.h"
#include "../common/testmain.h"

#include "heartbeattimeline.h"
#include "mainwindow.h"
#include "networksview.h"
#include "networktablemodel.h"
#include "networktext.h"
#include "sessiondetailview.h"
#include "translations.h"

#include "engine/local/localengine.h"
#include "engine/mqttclient.h"

#include <QAbstractItemModelTester>
#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QBarSet>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

#include <memory>
#include <vector>

using namespace hermes;
using namespace std::chrono_literals;
using analytics::NatEstimate;
using analytics::NetworkReport;

namespace {

QString cell(const ui::NetworkTableModel *model, const QString &network, int column)
{
    const int row = model->rowOf(network);
    return row < 0 ? QString() : model->index(row, column).data().toString();
}

int total(const QBarSet *set)
{
    int sum = 0;
    for (int i = 0; i < set->count(); ++i)
        sum += int(set->at(i));
    return sum;
}

NetworkReport report(const QString &name, int live)
{
    NetworkReport r;
    r.network = name;
    r.liveConnections = live;
    return r;
}

} // namespace

class TestNetworksView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void modelFollowsTheList();
    void textsSayHowSureTheEstimateIs();
    void realBrokerNetworks();
    void mainWindowHasTheView();
    void switchesLanguageLive();

private:
    QTemporaryDir m_settingsDir;
};

void TestNetworksView::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_networksview"));
    QLocale::setDefault(QLocale(QLocale::English));
}

void TestNetworksView::modelFollowsTheList()
{
    ui::NetworkTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setReports({report(QStringLiteral("telecom"), 2), report(QStringLiteral("cmcc"), 3)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(cell(&model, QStringLiteral("cmcc"), ui::NetworkTableModel::Live), QStringLiteral("3"));
    QCOMPARE(model.rowOf(QStringLiteral("cmcc")), 0); // sorted by name

    // A network appears between the two, one goes, the other changes in place.
    model.setReports({report(QStringLiteral("cmcc"), 5), report(QStringLiteral("cucc"), 1)});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(model.rowOf(QStringLiteral("telecom")), -1);
    QCOMPARE(model.rowOf(QStringLiteral("cucc")), 1);
    QCOMPARE(cell(&model, QStringLiteral("cmcc"), ui::NetworkTableModel::Live), QStringLiteral("5"));
    QCOMPARE(cell(&model, QStringLiteral("cmcc"), ui::NetworkTableModel::NatTimeout),
             QStringLiteral("not enough evidence"));
    QCOMPARE(cell(&model, QStringLiteral("cmcc"), ui::NetworkTableModel::BlindTime), QStringLiteral("—"));
    QCOMPARE(cell(&model, QStringLiteral("cmcc"), ui::NetworkTableModel::Applied), QStringLiteral("—"));

    // The broker acts on cmcc: the value it gives, and each change with the rates around it.
    NetworkReport acting = report(QStringLiteral("cmcc"), 5);
    acting.applied.keepAliveSeconds = 247;
    acting.applied.offersSent = 12;
    acting.applied.changes.append({1'765'000'000'000, 0, 247, 3.97, 1.6, 0.0, 0.7});
    model.setReports({acting, report(QStringLiteral("cucc"), 1)});
    QCOMPARE(cell(&model, QStringLiteral("cmcc"), ui::NetworkTableModel::Applied), QStringLiteral("247 s"));
    const QString changes = model.index(model.rowOf(QStringLiteral("cmcc")), ui::NetworkTableModel::Applied)
                                    .data(Qt::ToolTipRole).toString();
    QVERIFY2(changes.contains(QStringLiteral("devices' own → 247 s")) && changes.contains(QStringLiteral("3.97 before"))
                 && changes.contains(QStringLiteral("0.00 since")) && changes.contains(QStringLiteral(": 12")),
             qPrintable(changes));

    model.setReports({});
    QCOMPARE(model.rowCount(), 0);
}

void TestNetworksView::textsSayHowSureTheEstimateIs()
{
    NatEstimate e;
    QCOMPARE(ui::NetworkText::interval(e), QStringLiteral("not enough evidence"));
    e.lowerBound = 285s;
    e.upperBound = 300s;
    e.strength = NatEstimate::Strength::Thin;
    QCOMPARE(ui::NetworkText::interval(e), QStringLiteral("not enough evidence"));
    QCOMPARE(ui::NetworkText::tentativeInterval(e), QStringLiteral("not enough evidence (285 – 300 s so far)"));
    QVERIFY(!ui::NetworkText::natLineSeconds(e)); // a thin estimate draws no line
    e.strength = NatEstimate::Strength::Adequate;
    QCOMPARE(ui::NetworkText::interval(e), QStringLiteral("285 – 300 s"));
    QCOMPARE(ui::NetworkText::natLineSeconds(e).value_or(-1), 285);
    QCOMPARE(ui::NetworkText::natLineLabel(e, QStringLiteral("cmcc")), QStringLiteral("NAT ≈ 285–300 s (network cmcc)"));
    e.upperBound.reset(); // nothing has died of idleness
    QCOMPARE(ui::NetworkText::interval(e), QStringLiteral("> 285 s"));
    QCOMPARE(ui::NetworkText::seconds(analytics::Duration(4500)), QStringLiteral("4.5 s"));
    QCOMPARE(ui::NetworkText::seconds(analytics::Duration(1'800'000)), QStringLiteral("1,800 s"));
}

void TestNetworksView::realBrokerNetworks()
{
    QTemporaryDir data;
    // cmcc: 24 devices survived 240 s or 285 s, 12 of them died at 300 s or 330 s — a
    // 5-minute NAT, known well. telecom: two devices survived 10 minutes — too few to trust.
    QVERIFY(test::writeFleetEvidence(data.path(),
                                     {{QStringLiteral("cmcc"), {{240, 12}, {285, 12}}, {{300, 6}, {330, 6}}, 3, 10},
                                      {QStringLiteral("telecom"), {{600, 2}}, {}, 0, 2}}));

    BrokerConfig config = test::loopbackConfig();
    config.persistence = true;
    config.dataDir = data.path();
    config.networks.ranges = {{QStringLiteral("cmcc"), QStringLiteral("127.0.1.0/24")},
                              {QStringLiteral("telecom"), QStringLiteral("127.0.2.0/24")}};
    LocalEngine engine(config);
    QVERIFY(engine.features() & EngineFeature::Networks);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;

    // Devices on both networks. One cmcc device stays silent past the evidence threshold
    // (30 s) and then speaks: a survived gap, learned live while the rest of the test runs.
    std::vector<std::unique_ptr<MqttClient>> devices;
    const auto connectDevice = [&](const QString &id, const QString &from, quint16 keepAlive) {
        auto device = std::make_unique<MqttClient>();
        device->setPort(port);
        device->setClientId(id);
        device->setKeepAlive(keepAlive);
        ClientOptions options = device->options();
        options.localAddress = QHostAddress(from);
        device->setOptions(options);
        QSignalSpy up(device.get(), &MqttClient::connected);
        device->connectToBroker();
        const bool connected = up.wait(5000);
        devices.push_back(std::move(device));
        return connected;
    };
    QVERIFY(connectDevice(QStringLiteral("cmcc-idle"), QStringLiteral("127.0.1.9"), 0));
    MqttClient *idle = devices.back().get();
    QElapsedTimer idleSince;
    idleSince.start();
    for (int i = 1; i <= 3; ++i)
        QVERIFY(connectDevice(QStringLiteral("cmcc-%1").arg(i), QStringLiteral("127.0.1.%1").arg(i + 1), 60));
    for (int i = 1; i <= 2; ++i)
        QVERIFY(connectDevice(QStringLiteral("telecom-%1").arg(i), QStringLiteral("127.0.2.%1").arg(i + 1), 60));

    ui::NetworksView view(engine);
    view.resize(1100, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.isRefreshing());
    ui::NetworkTableModel *model = view.model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString cmcc = QStringLiteral("cmcc");
    const QString telecom = QStringLiteral("telecom");
    QTRY_COMPARE_WITH_TIMEOUT(cell(model, cmcc, ui::NetworkTableModel::Live), QStringLiteral("4"), 10000);
    QCOMPARE(model->rowCount(), 2); // nothing connected from elsewhere
    QCOMPARE(cell(model, telecom, ui::NetworkTableModel::Live), QStringLiteral("2"));
    QCOMPARE(cell(model, cmcc, ui::NetworkTableModel::NatTimeout), QStringLiteral("285 – 300 s"));
    QCOMPARE(cell(model, cmcc, ui::NetworkTableModel::Evidence), QStringLiteral("24 / 12 devices · 36 observations"));
    QCOMPARE(cell(model, cmcc, ui::NetworkTableModel::KeepAlive), QStringLiteral("271 s")); // 285 s − 5 %
    QCOMPARE(cell(model, cmcc, ui::NetworkTableModel::SilentDeaths), QStringLiteral("0.30")); // 3 in ~10 device-hours
    QCOMPARE(cell(model, cmcc, ui::NetworkTableModel::BlindTime), QStringLiteral("60 s / 80 s"));
    QCOMPARE(cell(model, telecom, ui::NetworkTableModel::NatTimeout), QStringLiteral("not enough evidence"));
    QCOMPARE(cell(model, telecom, ui::NetworkTableModel::KeepAlive), QStringLiteral("—"));

    // The chart: the selected network's gaps, and the interval over them.
    view.selectNetwork(cmcc);
    QCOMPARE(view.selectedNetwork(), cmcc);
    QCOMPARE(total(view.survivedBars()), 24);
    QCOMPARE(total(view.killedBars()), 12);
    QVERIFY(view.timeoutBand()->isVisible());
    QCOMPARE(view.timeoutBand()->name(), QStringLiteral("NAT timeout: 285 – 300 s"));
    QCoreApplication::processEvents(); // the chart lays out its title, axes and legend
    QVERIFY(view.grab().save(test::screenshotPath(QStringLiteral("networks-view.png"))));
    view.selectNetwork(telecom);
    QCOMPARE(total(view.survivedBars()), 2);
    QCOMPARE(total(view.killedBars()), 0);
    QCOMPARE(view.timeoutBand()->name(), QStringLiteral("NAT timeout: not enough evidence (> 600 s so far)"));

    // The session detail's NAT line defaults to the session's network, when it is trusted.
    ui::SessionDetailView detail(engine);
    detail.resize(1100, 600);
    detail.show();
    QVERIFY(QTest::qWaitForWindowExposed(&detail));
    auto *preset = detail.findChild<QComboBox *>(QStringLiteral("natPreset"));
    QVERIFY(preset);
    detail.showSession(QStringLiteral("cmcc-1"));
    QTRY_COMPARE_WITH_TIMEOUT(detail.timeline()->natTimeout().value_or(-1), 285, 5000);
    QCOMPARE(detail.timeline()->natLabel(), QStringLiteral("NAT ≈ 285–300 s (network cmcc)"));
    QCOMPARE(preset->currentText(), QStringLiteral("cmcc (285 – 300 s)"));
    QCoreApplication::processEvents();
    QVERIFY(detail.grab().save(test::screenshotPath(QStringLiteral("session-detail-network-nat.png"))));
    // telecom's estimate is thin: no line, as before there were estimates.
    detail.showSession(QStringLiteral("telecom-1"));
    QTRY_VERIFY_WITH_TIMEOUT(detail.findChild<QLabel *>(QStringLiteral("detailAddress"))->text().startsWith(
                                 QLatin1String("127.0.2.2:")), 5000);
    QVERIFY(!detail.timeline()->natTimeout());
    QCOMPARE(preset->currentIndex(), 0);
    // What the operator picks stays picked.
    preset->setCurrentIndex(3); // China Telecom
    detail.showSession(QStringLiteral("cmcc-2"));
    QTRY_VERIFY_WITH_TIMEOUT(detail.findChild<QLabel *>(QStringLiteral("detailAddress"))->text().startsWith(
                                 QLatin1String("127.0.1.3:")), 5000);
    QCOMPARE(detail.timeline()->natTimeout().value_or(-1), 28 * 60);
    QVERIFY(detail.timeline()->natLabel().isEmpty());

    // Hidden, the view asks for nothing; shown again, it asks at once.
    view.hide();
    QVERIFY(!view.isRefreshing());
    QSignalSpy listed(&engine, &EngineMonitor::networksListed);
    view.show();
    QVERIFY(view.isRefreshing());
    QVERIFY(listed.wait(5000));

    // The idle device speaks after more than 30 s of silence: the path survived that gap,
    // which the next refresh shows as one more survived observation.
    const qint64 remaining = 32'000 - idleSince.elapsed();
    if (remaining > 0)
        QTest::qWait(int(remaining)); // the idle gap is the input, not a synchronisation
    idle->publish(QStringLiteral("devices/cmcc-idle/state"), QByteArrayLiteral("awake"), mqtt::QoS::AtLeastOnce);
    view.selectNetwork(cmcc);
    QTRY_COMPARE_WITH_TIMEOUT(cell(model, cmcc, ui::NetworkTableModel::Evidence),
                              QStringLiteral("25 / 12 devices · 37 observations"),
                              ui::NetworksView::RefreshIntervalMs * 3);
    QCOMPARE(total(view.survivedBars()), 25);

    for (auto &device : devices)
        device->disconnectFromBroker();
}

void TestNetworksView::mainWindowHasTheView()
{
    // The embedded broker has fleet analytics; in client mode the main window puts a notice
    // where the view would sit empty (tst_attachedconsole checks that against mosquitto).
    LocalEngine engine(test::loopbackConfig());
    ui::MainWindow window(engine);
    window.setInteractive(false);
    QVERIFY(window.networks());
    QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("networksDock"))->isAncestorOf(window.networks()));
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("networksUnavailable")));
}

void TestNetworksView::switchesLanguageLive()
{
    LocalEngine engine(test::loopbackConfig()); // not started: the list comes from the test
    ui::NetworksView view(engine);
    view.resize(1000, 620);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    NetworkReport cmcc = report(QStringLiteral("cmcc"), 3);
    cmcc.estimate.lowerBound = 285s;
    cmcc.estimate.upperBound = 300s;
    cmcc.estimate.strength = NatEstimate::Strength::Adequate;
    cmcc.estimate.survivingDevices = 24;
    cmcc.estimate.killedDevices = 12;
    cmcc.estimate.observations = 36;
    cmcc.gaps.start = 240s;
    cmcc.gaps.bucketWidth = 5s;
    cmcc.gaps.survived = {12, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    cmcc.gaps.killed = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 6};
    auto *status = view.findChild<QLabel *>(QStringLiteral("networksStatus"));
    view.applyReports({}); // a broker nobody has connected to, with no networks named
    QVERIFY2(status->text().startsWith(QLatin1String("No networks yet")), qPrintable(status->text()));
    QVERIFY(view.selectedNetwork().isEmpty());
    view.applyReports({cmcc, report(QStringLiteral("telecom"), 2)});
    QVERIFY2(status->text().startsWith(QLatin1String("Evidence:")), qPrintable(status->text()));
    QCOMPARE(view.selectedNetwork(), QStringLiteral("cmcc")); // the first network, unasked

    QVERIFY(ui::installTranslations(QLocale(QLocale::Chinese, QLocale::China)));
    QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::China));
    const auto header = [&](int column) { return view.model()->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString(); };
    QCOMPARE(header(ui::NetworkTableModel::Network), QStringLiteral("网络"));
    QCOMPARE(header(ui::NetworkTableModel::Evidence), QStringLiteral("证据"));
    QCOMPARE(header(ui::NetworkTableModel::KeepAlive), QStringLiteral("建议\n保活"));
    QCOMPARE(cell(view.model(), QStringLiteral("telecom"), ui::NetworkTableModel::NatTimeout), QStringLiteral("证据不足"));
    QCOMPARE(cell(view.model(), QStringLiteral("cmcc"), ui::NetworkTableModel::NatTimeout), QStringLiteral("285 – 300 秒"));
    QTRY_COMPARE(view.survivedBars()->label(), QStringLiteral("连接保持")); // LanguageChange is posted
    QCOMPARE(view.timeoutBand()->name(), QStringLiteral("NAT 超时：285 – 300 秒"));
    QCOMPARE(view.chartView()->chart()->title(), QStringLiteral("cmcc 的空闲间隔：保持与断开"));
    QVERIFY(status->text().startsWith(QStringLiteral("证据")));
    QCoreApplication::processEvents();
    QVERIFY(view.grab().save(test::screenshotPath(QStringLiteral("networks-view-zh_CN.png"))));

    ui::installTranslations(QLocale(QLocale::English));
    QLocale::setDefault(QLocale(QLocale::English));
    QCOMPARE(header(ui::NetworkTableModel::Network), QStringLiteral("Network"));
    QTRY_COMPARE(view.survivedBars()->label(), QStringLiteral("survived"));
}

HERMES_TEST_MAIN(TestNetworksView)
#include "tst_networksview.moc"
