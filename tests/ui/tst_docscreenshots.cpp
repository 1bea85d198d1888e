// The screenshots in the README, the docs and the AppStream metadata, taken from a real
// run: the console's embedded broker, a dozen MQTT clients with short keep-alives (so the
// heartbeat timeline has marks), a telemetry publisher, a Sparkplug B edge node and a push
// to three devices. Every view is rendered in English and Chinese, light and dark, at
// 1366×768 and 1920×1080. scripts/screenshots.sh runs this with HERMES_SCREENSHOT_DIR set
// to docs/screenshots; otherwise the PNGs go to the test output folder.
#include "../common/fleetevidence.h"
#include "../common/testmain.h"
#include "../common/testconfig.h"

#include "mainwindow.h"
#include "messagesview.h"
#include "networksview.h"
#include "networktablemodel.h"
#include "payloadinspector.h"
#include "pushesview.h"
#include "sessiondetailview.h"
#include "sessionsview.h"
#include "sessiontablemodel.h"
#include "theme.h"
#include "translations.h"
#include "valuecharts.h"

#include "engine/local/localengine.h"
#include "engine/mqttclient.h"

#include "schema/sparkplug.h"

#include <QDir>
#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <cmath>

using namespace hermes;
namespace sp = hermes::schema::sparkplug;

class TestDocScreenshots : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void console_data();
    void console();

private:
    QString path(const QString &name) const;
    QTemporaryDir m_settingsDir;
};

void TestDocScreenshots::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_docscreenshots"));
}

QString TestDocScreenshots::path(const QString &name) const
{
    const QString dir = qEnvironmentVariable("HERMES_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return test::screenshotPath(name);
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

void TestDocScreenshots::console_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<bool>("dark");
    QTest::addColumn<QSize>("size");
    for (const QString &language : {QStringLiteral("en"), QStringLiteral("zh_CN")}) {
        for (const bool dark : {false, true}) {
            for (const QSize &size : {QSize(1366, 768), QSize(1920, 1080)}) {
                QTest::addRow("%s %s %dx%d", qPrintable(language), dark ? "dark" : "light", size.width(), size.height())
                    << language << dark << size;
            }
        }
    }
}

void TestDocScreenshots::console()
{
    QFETCH(QString, language);
    QFETCH(bool, dark);
    QFETCH(QSize, size);
    QSettings().clear();
    QLocale::setDefault(QLocale(language));
    ui::installTranslations(QLocale(language));
    ui::applyTheme(dark ? ui::Theme::Dark : ui::Theme::Light);
    const QString suffix = QStringLiteral("%1%2-%3x%4").arg(language, dark ? QStringLiteral("-dark") : QString())
                               .arg(size.width()).arg(size.height());

    // Four carrier networks, with what an earlier run of the fleet taught about them.
    QTemporaryDir data;
    QVERIFY(test::writeFleetEvidence(
        data.path(),
        {{QStringLiteral("cmcc"), {{120, 14}, {180, 14}, {240, 14}, {285, 14}}, {{300, 8}, {330, 6}, {420, 3}}, 41, 310},
         {QStringLiteral("unicom"), {{120, 11}, {240, 11}, {290, 11}}, {{300, 7}, {360, 5}}, 23, 190},
         {QStringLiteral("telecom"), {{600, 12}, {1200, 12}, {1740, 12}}, {{1800, 6}, {1850, 5}}, 4, 260},
         {QStringLiteral("office-wifi"), {{900, 3}}, {}, 0, 40}}));
    BrokerConfig config = test::loopbackConfig();
    config.persistence = true;
    config.dataDir = data.path();
    const QStringList networks = {QStringLiteral("cmcc"), QStringLiteral("unicom"), QStringLiteral("telecom"),
                                  QStringLiteral("office-wifi")};
    for (int n = 0; n < networks.size(); ++n)
        config.networks.ranges.append(NetworkSettings::Range{networks.at(n), QStringLiteral("127.0.%1.0/24").arg(n + 1)});
    LocalEngine engine(config);
    engine.setTelemetryInterval(std::chrono::milliseconds(250));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(size);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;

    // Devices: real MQTT clients, each on its push topic, pinging every 2–5 s.
    const bool chinese = language == QLatin1String("zh_CN");
    std::vector<std::unique_ptr<MqttClient>> devices;
    QStringList ids;
    for (int i = 0; i < 12; ++i) {
        auto device = std::make_unique<MqttClient>();
        const QString id = chinese ? QStringLiteral("电表-上海-%1").arg(i + 1, 3, 10, QLatin1Char('0'))
                                   : QStringLiteral("meter-sh-%1").arg(i + 1, 3, 10, QLatin1Char('0'));
        device->setPort(port);
        ClientOptions options = device->options();
        options.localAddress = QHostAddress(QStringLiteral("127.0.%1.%2").arg(i % 4 + 1).arg(10 + i)); // networks[i % 4]
        device->setOptions(options);
        device->setClientId(id);
        device->setKeepAlive(quint16(2 + i % 4));
        device->setAutoPing(true);
        if (i % 3 == 0)
            device->setProtocolVersion(mqtt::ProtocolVersion::V5);
        MqttClient *raw = device.get();
        connect(raw, &MqttClient::connected, raw, [raw, id] { raw->subscribe(QStringLiteral("devices/%1/push").arg(id), mqtt::QoS::AtLeastOnce); });
        device->connectToBroker();
        ids.append(id);
        devices.push_back(std::move(device));
    }
    QTRY_COMPARE_WITH_TIMEOUT(window.sessions()->model()->onlineCount(), 12, 15000);

    // Telemetry and a Sparkplug B edge node.
    MqttClient publisher;
    publisher.setPort(port);
    ClientOptions gatewayOptions = publisher.options();
    gatewayOptions.localAddress = QHostAddress(QStringLiteral("127.0.4.200")); // office-wifi
    publisher.setOptions(gatewayOptions);
    publisher.setClientId(QStringLiteral("gateway-01"));
    QSignalSpy publisherUp(&publisher, &MqttClient::connected);
    publisher.connectToBroker();
    QVERIFY(publisherUp.wait(5000));
    sp::Payload birth;
    birth.seq = 0;
    sp::Metric temperature;
    temperature.name = QStringLiteral("Boiler/Temperature");
    temperature.alias = 1;
    temperature.datatype = 10;
    temperature.value = 61.5;
    sp::Metric running;
    running.name = QStringLiteral("Boiler/Running");
    running.alias = 2;
    running.datatype = 11;
    running.value = true;
    birth.metrics = {temperature, running};
    publisher.publish(QStringLiteral("spBv1.0/plant/DBIRTH/edge-1/boiler"), sp::encodePayload(birth), mqtt::QoS::AtLeastOnce);
    QTimer telemetry;
    int tick = 0;
    connect(&telemetry, &QTimer::timeout, &publisher, [&] {
        ++tick;
        const double watts = 1200 + 180 * std::sin(tick / 3.0) + (tick % 5) * 12;
        publisher.publish(QStringLiteral("telemetry/%1/power").arg(ids.at(tick % 3)),
                          QStringLiteral("{\"watts\": %1, \"grid\": {\"volts\": %2}}")
                              .arg(qRound(watts)).arg(229.0 + (tick % 7) * 0.4, 0, 'f', 1).toUtf8());
        sp::Payload data;
        data.seq = quint64(tick % 256);
        temperature.name.clear();
        temperature.value = 61.5 + std::sin(tick / 4.0) * 3;
        data.metrics = {temperature};
        publisher.publish(QStringLiteral("spBv1.0/plant/DDATA/edge-1/boiler"), sp::encodePayload(data));
    });
    telemetry.start(200);

    // A push to three devices (acknowledged by their PUBACKs).
    PushRequest push;
    push.target = PushTarget::toDevices(ids.mid(0, 3));
    push.payload = QStringLiteral("{\"title\": \"%1\"}").arg(chinese ? QStringLiteral("固件 2.4 可用") : QStringLiteral("Firmware 2.4 available")).toUtf8();
    push.contentType = QStringLiteral("application/json");
    engine.sendPush(push);
    QTRY_COMPARE_WITH_TIMEOUT(window.pushes()->pushes()->rowCount(), 1, 10000);

    // Let heartbeats and telemetry accumulate (the charts need some 6 s of samples at 250 ms),
    // then look at one device as an operator would.
    QSignalSpy batches(&engine, &EngineMonitor::telemetry);
    QTRY_VERIFY_WITH_TIMEOUT(batches.size() >= 24, 30000);
    QTableView *sessions = window.sessions()->table();
    int row = 0;
    while (row < sessions->model()->rowCount()
           && sessions->model()->index(row, 0).data(ui::SessionTableModel::ClientIdRole).toString() != ids.at(1))
        ++row;
    QTest::mouseClick(sessions->viewport(), Qt::LeftButton, {}, sessions->visualRect(sessions->model()->index(row, 0)).center());
    QTRY_VERIFY_WITH_TIMEOUT(window.sessionDetail()->clientId() == ids.at(1), 5000);
    // A few of the detail's refreshes, so its timeline and tables are drawn from fresh data.
    QSignalSpy details(&engine, &EngineMonitor::sessionDetail);
    QTRY_VERIFY_WITH_TIMEOUT(details.size() >= 3, 10000);
    window.findChild<QDockWidget *>(QStringLiteral("dashboardDock"))->raise();
    window.findChild<QDockWidget *>(QStringLiteral("sessionDetailDock"))->raise();
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(path(QStringLiteral("main-window-%1.png").arg(suffix))));
    QVERIFY(window.sessionDetail()->grab().save(path(QStringLiteral("session-detail-%1.png").arg(suffix))));

    // Messages: the Sparkplug DDATA in the inspector, with metric names from the DBIRTH.
    ui::MessagesView *messages = window.messages();
    window.findChild<QDockWidget *>(QStringLiteral("messagesDock"))->raise();
    telemetry.stop();
    const auto lastDdata = [messages] {
        for (int row = messages->model()->rowCount() - 1; row >= 0; --row) {
            if (messages->model()->record(row).topic.contains(QLatin1String("DDATA")))
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(lastDdata() >= 0, 5000);
    const int ddata = lastDdata();
    messages->table()->selectRow(ddata);
    QCOMPARE(messages->inspector()->sparkplugMetrics().value(0).name, QStringLiteral("Boiler/Temperature"));
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(path(QStringLiteral("messages-sparkplug-%1.png").arg(suffix))));

    // Value charts: power of one meter and the boiler's temperature.
    window.valueCharts()->addPin(ui::ValuePin{QStringLiteral("telemetry/+/power"), QStringLiteral("watts"), 0},
                                 messages->allMessages());
    window.valueCharts()->addPin(ui::ValuePin{QStringLiteral("spBv1.0/plant/DDATA/edge-1/boiler"),
                                              QStringLiteral("metric:Boiler/Temperature"), 1},
                                 messages->allMessages());
    window.findChild<QDockWidget *>(QStringLiteral("valueChartsDock"))->raise();
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(path(QStringLiteral("value-charts-%1.png").arg(suffix))));

    // Networks: what the fleet taught about each carrier's NAT, and cmcc's evidence.
    window.findChild<QDockWidget *>(QStringLiteral("networksDock"))->raise();
    QTRY_COMPARE_WITH_TIMEOUT(window.networks()->model()->rowCount(), 4, 10000);
    window.networks()->selectNetwork(QStringLiteral("cmcc"));
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(path(QStringLiteral("networks-%1.png").arg(suffix))));
    QVERIFY(window.networks()->grab().save(path(QStringLiteral("networks-view-%1.png").arg(suffix))));

    // The push's delivery report.
    window.findChild<QDockWidget *>(QStringLiteral("pushesDock"))->raise();
    window.pushes()->selectPush(window.pushes()->pushes()->report(0)->pushId);
    QTRY_COMPARE_WITH_TIMEOUT(window.pushes()->targets()->rowCount(), 3, 5000);
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(path(QStringLiteral("pushes-%1.png").arg(suffix))));

    for (auto &device : devices)
        device->disconnectFromBroker();
    window.close();
    ui::applyTheme(ui::Theme::Light);
    ui::installTranslations(QLocale(QLocale::English));
    QLocale::setDefault(QLocale(QLocale::English));
}

HERMES_TEST_MAIN(TestDocScreenshots)
#include "tst_docscreenshots.moc"
