// Value charts as an operator builds them: a real publisher sends JSON telemetry and a
// Sparkplug B edge node sends metrics; fields pinned from the payload inspector plot exactly
// the values that were sent, several in one chart, and the pins come back after a restart.
#include "../common/testmain.h"
#include "../common/testconfig.h"

#include "mainwindow.h"
#include "messagesview.h"
#include "payloadinspector.h"
#include "translations.h"
#include "valuecharts.h"

#include "engine/local/localengine.h"
#include "engine/mqttclient.h"

#include "schema/sparkplug.h"

#include <QChartView>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;
namespace sp = hermes::schema::sparkplug;

class TestValueCharts : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void pinnedFieldsPlotWhatWasSent();
    void ringsStayBounded();

private:
    QTemporaryDir m_settingsDir;
};

void TestValueCharts::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_valuecharts"));
    ui::installTranslations(QLocale(QLocale::English));
}

void TestValueCharts::pinnedFieldsPlotWhatWasSent()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    auto window = std::make_unique<ui::MainWindow>(engine);
    window->setInteractive(false);
    window->resize(1600, 1000);
    window->show();
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;

    MqttClient meter;
    meter.setPort(port);
    meter.setClientId(QStringLiteral("meter-7"));
    QSignalSpy connected(&meter, &MqttClient::connected);
    meter.connectToBroker();
    QVERIFY(connected.wait(5000));
    const QString topic = QStringLiteral("telemetry/meter-7/power");
    QList<double> watts, volts;
    const auto send = [&](int i) {
        watts.append(100 + 7 * i);
        volts.append(229.5 + 0.25 * i);
        meter.publish(topic, QStringLiteral("{\"watts\": %1, \"grid\": {\"volts\": %2}, \"site\": \"north\"}")
                                 .arg(watts.last()).arg(volts.last()).toUtf8(), mqtt::QoS::AtLeastOnce);
    };
    for (int i = 0; i < 5; ++i)
        send(i);
    ui::MessagesView *messages = window->messages();
    QTRY_COMPARE_WITH_TIMEOUT(messages->model()->rowCount(), 5, 10000);

    // The inspector offers the numbers of the selected message; pinning one plots the ring.
    messages->table()->selectRow(4);
    const QList<std::pair<QString, double>> offered = messages->inspector()->chartableFields();
    QCOMPARE(offered, (QList<std::pair<QString, double>>{{"grid.volts", volts.at(4)}, {"watts", watts.at(4)}}));
    emit messages->inspector()->pinRequested(topic, QStringLiteral("watts"));
    ui::ValueChartsView *charts = window->valueCharts();
    QCOMPARE(charts->pins().size(), 1);
    QVERIFY(window->findChild<QDockWidget *>(QStringLiteral("valueChartsDock"))->isVisible());
    // A second field in the same chart.
    charts->addPin(ui::ValuePin{topic, QStringLiteral("grid.volts"), 0}, messages->allMessages());
    QCOMPARE(charts->chartCount(), 1);

    // Live: five more readings arrive and are plotted in order.
    for (int i = 5; i < 10; ++i)
        send(i);
    QTRY_COMPARE_WITH_TIMEOUT(charts->points(0).size(), 10, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(charts->points(1).size(), 10, 10000);
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(charts->points(0).at(i).y(), watts.at(i));
        QCOMPARE(charts->points(1).at(i).y(), volts.at(i));
    }
    charts->redraw();
    QTRY_COMPARE(charts->series(0)->count(), 10);
    QCOMPARE(charts->series(0)->at(9).x(), 0.0); // the newest point is at 0 s
    QCOMPARE(charts->series(0)->at(9).y(), watts.at(9));

    // A Sparkplug metric, named from its DBIRTH, in a second chart.
    sp::Payload birth;
    sp::Metric temperature;
    temperature.name = QStringLiteral("Boiler/Temperature");
    temperature.alias = 4;
    temperature.datatype = 10; // Double
    temperature.value = 61.5;
    birth.metrics = {temperature};
    meter.publish(QStringLiteral("spBv1.0/plant/DBIRTH/edge-1/boiler"), sp::encodePayload(birth), mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE_WITH_TIMEOUT(messages->model()->rowCount(), 11, 10000);
    // "Chart a value → In a new chart" in the inspector of the DBIRTH.
    messages->table()->selectRow(10);
    QCOMPARE(messages->inspector()->chartableFields().value(0).first, QStringLiteral("metric:Boiler/Temperature"));
    emit messages->inspector()->pinRequested(QStringLiteral("spBv1.0/plant/+/edge-1/boiler"),
                                             QStringLiteral("metric:Boiler/Temperature"), true);
    QCOMPARE(charts->chartCount(), 2);
    QCOMPARE(charts->pins().at(2).chart, 1);
    QCOMPARE(charts->points(2).size(), 1);
    sp::Payload data;
    temperature.name.clear(); // DDATA sends the alias only
    temperature.value = 62.25;
    data.metrics = {temperature};
    meter.publish(QStringLiteral("spBv1.0/plant/DDATA/edge-1/boiler"), sp::encodePayload(data), mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE_WITH_TIMEOUT(charts->points(2).size(), 2, 10000);
    QCOMPARE(charts->points(2).at(1).y(), 62.25);

    // Paused: points are still kept, the drawing waits.
    charts->setPaused(true);
    send(10);
    QTRY_COMPARE_WITH_TIMEOUT(charts->points(0).size(), 11, 10000);
    charts->redraw();
    QCOMPARE(charts->series(0)->count(), 10);
    charts->setPaused(false);
    QCOMPARE(charts->series(0)->count(), 11);

    window->findChild<QDockWidget *>(QStringLiteral("valueChartsDock"))->raise();
    QCoreApplication::processEvents();
    QVERIFY(window->grab().save(test::screenshotPath(QStringLiteral("value-charts-en.png"))));

    // The pins persist per topic filter.
    const QList<ui::ValuePin> pinned = charts->pins();
    window.reset();
    ui::MainWindow again(engine);
    QCOMPARE(again.valueCharts()->pins(), pinned);
    QSettings().remove(QStringLiteral("valueCharts"));
}

void TestValueCharts::ringsStayBounded()
{
    // 5,000 readings of two fields into rings of 2,000: the oldest drop out; a full redraw
    // of both series is timed for docs (no timing assertion: benchmarks own those).
    LocalEngine engine(test::loopbackConfig());
    ui::ValueChartsView charts(engine, nullptr, nullptr);
    charts.resize(900, 500);
    charts.show();
    QList<MessageRecord> history;
    for (int i = 0; i < 5000; ++i) {
        MessageRecord m;
        m.atMs = 1'790'000'000'000 + i * 100;
        m.topic = QStringLiteral("plant/line-1/state");
        m.payload = QStringLiteral("{\"rpm\": %1, \"temp\": %2}").arg(1000 + i).arg(20 + i % 10).toUtf8();
        history.append(m);
    }
    QElapsedTimer timer;
    timer.start();
    charts.addPin(ui::ValuePin{QStringLiteral("plant/+/state"), QStringLiteral("rpm"), 0}, history);
    charts.addPin(ui::ValuePin{QStringLiteral("plant/+/state"), QStringLiteral("temp"), 0}, history);
    const qint64 fillMs = timer.elapsed();
    QCOMPARE(charts.points(0).size(), ui::ValueChartsView::PointsPerField);
    QCOMPARE(charts.points(0).first().y(), 1000.0 + 5000 - ui::ValueChartsView::PointsPerField);
    QCOMPARE(charts.points(0).last().y(), 1000.0 + 4999);
    timer.restart();
    QCoreApplication::processEvents(); // the paint
    qInfo("value charts: 2 pins, each reading 5,000 JSON payloads into its ring and redrawing, %lld ms; "
          "paint of 2 x 2,000 points %lld ms", fillMs, timer.elapsed());
    QCOMPARE(charts.series(1)->count(), int(ui::ValueChartsView::PointsPerField));
    QSettings().remove(QStringLiteral("valueCharts"));
}

HERMES_TEST_MAIN(TestValueCharts)
#include "tst_valuecharts.moc"
