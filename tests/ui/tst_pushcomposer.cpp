// The push composer and the Pushes view, driven as an operator would: a mosquitto_sub
// device receives what is typed into the composer, and the report shows its delivery.
#include "../common/testmain.h"
#include "../common/testconfig.h"
#include "pushdialog.h"
#include "pushesview.h"
#include "charts.h"
#include "reportexport.h"
#include "translations.h"

#include "engine/local/localengine.h"

#include "push/envelope.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QChartView>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QSettings>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QLineSeries>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

using namespace hermes;

using hermes::test::screenshotPath;

class TestPushComposer : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void composerPushReachesMosquittoSub();
    void composerExplainsWhatIsWrong();
    void savedPayloadsPerTopic();
    void screenshots_data();
    void screenshots();

private:
    quint16 startEngine(LocalEngine &engine);
    QTemporaryDir m_settingsDir;
};

void TestPushComposer::initTestCase()
{
    // Saved payloads go to a scratch folder, never the user's settings.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_pushcomposer"));
    qRegisterMetaType<PushReport>();
    // English plurals ("1 device", "0 devices") come from hermes_en.ts, as in the console.
    ui::installTranslations(QLocale(QLocale::English));
}

quint16 TestPushComposer::startEngine(LocalEngine &engine)
{
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    if (!started.wait(5000))
        qFatal("engine did not start");
    return started.at(0).at(0).value<QList<ListenAddress>>().constFirst().port;
}

void TestPushComposer::composerPushReachesMosquittoSub()
{
    const QString mosquittoSub = QStandardPaths::findExecutable(QStringLiteral("mosquitto_sub"));
    if (mosquittoSub.isEmpty())
        HERMES_SKIP("mosquitto_sub is not installed (package mosquitto-clients)");
    LocalEngine engine(test::loopbackConfig());
    const quint16 port = startEngine(engine);
    ui::PushesView pushes(engine);
    QAbstractItemModelTester pushesTester(pushes.pushes());
    QAbstractItemModelTester targetsTester(pushes.targets());

    // The device: mosquitto_sub on its push topic, two messages, then it exits.
    QProcess device;
    device.start(mosquittoSub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port),
                                QStringLiteral("-i"), QStringLiteral("phone-42"), QStringLiteral("-t"),
                                QStringLiteral("devices/phone-42/push"), QStringLiteral("-q"), QStringLiteral("1"),
                                QStringLiteral("-C"), QStringLiteral("2"), QStringLiteral("-N")});
    QVERIFY(device.waitForStarted());

    ui::PushDialog dialog(engine);
    dialog.show();
    auto *kind = dialog.findChild<QComboBox *>(QStringLiteral("pushTargetKind"));
    auto *target = dialog.findChild<QLineEdit *>(QStringLiteral("pushTarget"));
    auto *audience = dialog.findChild<QLabel *>(QStringLiteral("pushAudience"));
    auto *format = dialog.findChild<QComboBox *>(QStringLiteral("pushFormat"));
    auto *payload = dialog.findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"));
    auto *envelope = dialog.findChild<QCheckBox *>(QStringLiteral("pushEnvelope"));
    auto *send = dialog.findChild<QPushButton *>(QStringLiteral("pushSend"));
    auto *problem = dialog.findChild<QLabel *>(QStringLiteral("pushProblem"));
    auto *preview = dialog.findChild<QPlainTextEdit *>(QStringLiteral("pushPreview"));
    QVERIFY(kind && target && audience && format && payload && envelope && send && problem && preview);
    QCOMPARE(kind->currentText(), QStringLiteral("Devices"));

    // Wait until the broker knows the device, then type its id: the audience is shown.
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        engine.requestDevices();
        return target->completer()->model()->rowCount() > 0;
    }(), 10000);
    QTest::keyClicks(target, QStringLiteral("phone-42"));
    QTRY_COMPARE(audience->text(), QStringLiteral("Reaches 1 device: phone-42"));

    // First a raw JSON push: exactly these bytes arrive.
    format->setCurrentIndex(format->findText(QStringLiteral("JSON")));
    envelope->setChecked(false);
    payload->insertPlainText(QStringLiteral("{\"title\": \"推送\"}"));
    QVERIFY2(problem->text().isEmpty(), qPrintable(problem->text()));
    QVERIFY(preview->toPlainText().startsWith(QLatin1String("Raw payload")));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_COMPARE(accepted.count(), 1);

    // Then the same in a Hermes envelope, as a second push from a fresh composer.
    ui::PushDialog second(engine);
    second.setDevice(QStringLiteral("phone-42"));
    second.findChild<QComboBox *>(QStringLiteral("pushFormat"))->setCurrentIndex(1); // JSON
    second.findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"))->insertPlainText(QStringLiteral("{\"n\":2}"));
    QVERIFY(second.findChild<QCheckBox *>(QStringLiteral("pushEnvelope"))->isChecked());
    QVERIFY(second.findChild<QPlainTextEdit *>(QStringLiteral("pushPreview"))->toPlainText().contains(QLatin1String("ENVELOPE")));
    QSignalSpy secondAccepted(&second, &QDialog::accepted);
    second.send();
    QTRY_COMPARE(secondAccepted.count(), 1);

    QTRY_COMPARE_WITH_TIMEOUT(device.state(), QProcess::NotRunning, 10000);
    const QByteArray received = device.readAllStandardOutput();
    QVERIFY2(received.startsWith(QStringLiteral("{\"title\":\"推送\"}").toUtf8()), received.toHex().constData());
    const QByteArray envelopeBytes = received.mid(QStringLiteral("{\"title\":\"推送\"}").toUtf8().size());
    const auto parsed = push::PushEnvelope::fromBytes(envelopeBytes);
    QVERIFY(std::holds_alternative<push::PushEnvelope>(parsed));
    QCOMPARE(std::get<push::PushEnvelope>(parsed).payload, QByteArray("{\"n\":2}"));
    QCOMPARE(std::get<push::PushEnvelope>(parsed).sequence, 1u);
    QCOMPARE(std::get<push::PushEnvelope>(parsed).contentType, QStringLiteral("application/json"));

    // The Pushes view lists both, newest first, acknowledged by the device (PUBACK).
    QTRY_COMPARE(pushes.pushes()->rowCount(), 2);
    QTRY_COMPARE(pushes.pushes()->data(pushes.pushes()->index(0, ui::PushListModel::Acknowledged)).toInt(), 1);
    QTRY_COMPARE(pushes.pushes()->data(pushes.pushes()->index(1, ui::PushListModel::Acknowledged)).toInt(), 1);
    pushes.selectPush(pushes.pushes()->report(0)->pushId);
    QTRY_COMPARE(pushes.targets()->rowCount(), 1);
    QCOMPARE(pushes.targets()->data(pushes.targets()->index(0, ui::PushTargetModel::Device)).toString(), QStringLiteral("phone-42"));
    QTRY_COMPARE(pushes.targets()->data(pushes.targets()->index(0, ui::PushTargetModel::State)).toString(), QStringLiteral("acknowledged"));
    QCOMPARE(pushes.targets()->data(pushes.targets()->index(0, ui::PushTargetModel::Sequence)).toULongLong(), 1u);

    // The delivery report goes to CSV (one row per device) and JSON, the chart to PNG.
    QTemporaryDir dir;
    QVERIFY(pushes.exportSelectedReport(dir.filePath(QStringLiteral("report.csv"))));
    QFile csv(dir.filePath(QStringLiteral("report.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().split('\n');
    QCOMPARE(lines.at(0).trimmed(), ui::pushReportColumns().join(QLatin1Char(',')).toUtf8());
    QVERIFY2(lines.at(1).startsWith("phone-42,1,acknowledged,"), lines.at(1).constData());
    QVERIFY(pushes.exportSelectedReport(dir.filePath(QStringLiteral("report.json"))));
    QFile json(dir.filePath(QStringLiteral("report.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject report = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(report.value(QLatin1String("targets")).toArray().at(0).toObject().value(QLatin1String("device")).toString(),
             QStringLiteral("phone-42"));
    auto *chart = pushes.findChild<QChartView *>(QStringLiteral("pushArrivalChart"));
    QVERIFY(chart);
    QVERIFY(ui::saveChartPng(chart, dir.filePath(QStringLiteral("arrivals.png"))));
    QVERIFY(QImage(dir.filePath(QStringLiteral("arrivals.png"))).width() > 100);
}

void TestPushComposer::composerExplainsWhatIsWrong()
{
    LocalEngine engine(test::loopbackConfig());
    startEngine(engine);
    ui::PushDialog dialog(engine);
    dialog.show();
    auto *kind = dialog.findChild<QComboBox *>(QStringLiteral("pushTargetKind"));
    auto *target = dialog.findChild<QLineEdit *>(QStringLiteral("pushTarget"));
    auto *audience = dialog.findChild<QLabel *>(QStringLiteral("pushAudience"));
    auto *problem = dialog.findChild<QLabel *>(QStringLiteral("pushProblem"));
    auto *format = dialog.findChild<QComboBox *>(QStringLiteral("pushFormat"));
    auto *payload = dialog.findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"));

    QVERIFY(problem->text().contains(QLatin1String("who")));
    kind->setCurrentIndex(kind->findText(QStringLiteral("Tag expression")));
    QTest::keyClicks(target, QStringLiteral("vip && "));
    QVERIFY2(problem->text().startsWith(QLatin1String("Tag expression: expected a tag")), qPrintable(problem->text()));
    QTest::keyClicks(target, QStringLiteral("!beta"));
    QTRY_COMPARE(audience->text(), QStringLiteral("Reaches 0 devices"));

    format->setCurrentIndex(format->findText(QStringLiteral("Hex bytes")));
    payload->insertPlainText(QStringLiteral("0a 1"));
    QVERIFY(problem->text().startsWith(QLatin1String("Hex bytes")));
    payload->insertPlainText(QStringLiteral("b"));
    QVERIFY(problem->text().isEmpty());

    // An unknown device is the engine's to refuse; the composer stays open and says why.
    kind->setCurrentIndex(kind->findText(QStringLiteral("Devices")));
    target->setText(QStringLiteral("ghost"));
    QTRY_VERIFY(audience->text().contains(QLatin1String("unknown device")));
    dialog.send();
    QTRY_VERIFY(problem->text().startsWith(QLatin1String("Not sent: unknown device \"ghost\"")));
    QVERIFY(dialog.isVisible());
}

void TestPushComposer::savedPayloadsPerTopic()
{
    LocalEngine engine(test::loopbackConfig());
    {
        ui::PushDialog dialog(engine);
        auto *kind = dialog.findChild<QComboBox *>(QStringLiteral("pushTargetKind"));
        auto *target = dialog.findChild<QLineEdit *>(QStringLiteral("pushTarget"));
        auto *format = dialog.findChild<QComboBox *>(QStringLiteral("pushFormat"));
        auto *payload = dialog.findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"));
        auto *saved = dialog.findChild<QComboBox *>(QStringLiteral("pushSavedPayloads"));
        QVERIFY(kind && target && format && payload && saved);
        kind->setCurrentIndex(kind->findText(QStringLiteral("Topic")));
        target->setText(QStringLiteral("lights/kitchen/set"));
        QCOMPARE(dialog.savedPayloadTopic(), QStringLiteral("lights/kitchen/set"));
        format->setCurrentIndex(format->findText(QStringLiteral("JSON")));
        payload->setPlainText(QStringLiteral("{\"on\": true, \"level\": 80}"));
        QVERIFY(dialog.savePayloadAs(QStringLiteral("bright")));
        payload->setPlainText(QStringLiteral("{\"on\": false}"));
        QVERIFY(dialog.savePayloadAs(QStringLiteral("off")));
        QCOMPARE(dialog.savedPayloadNames(), (QStringList{"bright", "off"}));
        QCOMPARE(saved->count(), 3); // the prompt and two names
        // Another topic has its own list.
        target->setText(QStringLiteral("lights/hall/set"));
        QVERIFY(dialog.savedPayloadNames().isEmpty());
        // Device pushes share one list.
        kind->setCurrentIndex(kind->findText(QStringLiteral("Devices")));
        QCOMPARE(dialog.savedPayloadTopic(), QStringLiteral("devices/+/push"));
    }
    // A new composer (as after a restart) offers them again and loads format and text.
    ui::PushDialog again(engine);
    auto *kind = again.findChild<QComboBox *>(QStringLiteral("pushTargetKind"));
    kind->setCurrentIndex(kind->findText(QStringLiteral("Topic")));
    again.findChild<QLineEdit *>(QStringLiteral("pushTarget"))->setText(QStringLiteral("lights/kitchen/set"));
    QCOMPARE(again.savedPayloadNames(), (QStringList{"bright", "off"}));
    auto *format = again.findChild<QComboBox *>(QStringLiteral("pushFormat"));
    format->setCurrentIndex(format->findText(QStringLiteral("Text")));
    QVERIFY(again.loadSavedPayload(QStringLiteral("bright")));
    QCOMPARE(format->currentText(), QStringLiteral("JSON"));
    QCOMPARE(again.findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"))->toPlainText(),
             QStringLiteral("{\"on\": true, \"level\": 80}"));
    QVERIFY(again.findChild<QLabel *>(QStringLiteral("pushProblem"))->text().isEmpty());
}

void TestPushComposer::screenshots_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestPushComposer::screenshots()
{
    QFETCH(QString, language);
    ui::installTranslations(QLocale(language));
    LocalEngine engine(test::loopbackConfig());
    startEngine(engine);
    ui::PushDialog dialog(engine);
    dialog.setDevice(QStringLiteral("phone-42"));
    dialog.findChild<QComboBox *>(QStringLiteral("pushFormat"))->setCurrentIndex(1);
    dialog.findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"))->setPlainText(QStringLiteral("{\"title\": \"推送\", \"body\": \"hello\"}"));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY(!dialog.findChild<QLabel *>(QStringLiteral("pushAudience"))->text().isEmpty());
    QVERIFY(dialog.grab().save(screenshotPath(QStringLiteral("push-composer-%1.png").arg(language))));

    // A pushes view with a finished report of three devices (one waiting, one failed).
    ui::PushesView view(engine);
    view.resize(1000, 520);
    PushReport report;
    report.pushId = QStringLiteral("3f2c-demo");
    report.createdAtMs = report.sendAtMs = QDateTime::currentMSecsSinceEpoch() - 900;
    report.target = PushTarget::toTag(QStringLiteral("vip && !beta"));
    for (const auto &[id, state, delay] : {std::tuple{"phone-42", TargetState::Receipted, 40},
                                           std::tuple{"meter-7", TargetState::Pending, 0},
                                           std::tuple{"lamp-3", TargetState::Failed, 0}}) {
        TargetReport target;
        target.device = QString::fromLatin1(id);
        target.state = state;
        target.sequence = 12;
        target.queuedAtMs = report.sendAtMs + 2;
        if (state == TargetState::Receipted) {
            target.sentAtMs = report.sendAtMs + 3;
            target.acknowledgedAtMs = report.sendAtMs + delay - 10;
            target.receiptedAtMs = report.sendAtMs + delay;
            target.receiptStatus = QStringLiteral("delivered");
        }
        if (state == TargetState::Failed)
            target.detail = QStringLiteral("the device refused it: rejected-signature");
        report.targets.append(target);
    }
    emit engine.pushReportsChanged({report});
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.targets()->rowCount(), 3);
    // One arrival (40 ms after the send) after the origin.
    QCOMPARE(view.arrivals()->count(), 2);
    QCOMPARE(view.arrivals()->at(1), QPointF(0.04, 1));
    QVERIFY(view.grab().save(screenshotPath(QStringLiteral("pushes-%1.png").arg(language))));
    ui::installTranslations(QLocale(QLocale::English));
}

HERMES_TEST_MAIN(TestPushComposer)
#include "tst_pushcomposer.moc"
