// The console attached to a broker that is not Hermes (a real mosquitto) as an MQTT client:
// the status bar names the broker, messages and retained topics arrive, and the views that
// need broker internals (Sessions, Session detail, Pushes, Simulator) say so plainly, in
// English and Chinese; a broker that cannot be reached is named in the status bar.
#include "../common/mosquitto.h"
#include "../common/testconfig.h"
#include "../common/testmain.h"
#include "consolewindows.h"
#include "engine/local/localengine.h"
#include "engine/client/clientengine.h"
#include "engine/mqttclient.h"
#include "engine/remote/attach.h"
#include "mainwindow.h"
#include "messagesview.h"
#include "translations.h"

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>

using namespace hermes;
using hermes::test::freePort;
using hermes::test::Mosquitto;

class TestAttachedConsole : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void showsMessagesAndSaysWhatItCannotSee_data();
    void showsMessagesAndSaysWhatItCannotSee();
    void unreachableBrokerIsNamed();
    void attachToItOnAnotherBrokerAttachesAsAClient();

private:
    QTemporaryDir m_dir;
};

void TestAttachedConsole::init()
{
    if (!Mosquitto::installed())
        HERMES_SKIP("mosquitto is not installed (package mosquitto)");
    QVERIFY(m_dir.isValid());
}

void TestAttachedConsole::showsMessagesAndSaysWhatItCannotSee_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestAttachedConsole::showsMessagesAndSaysWhatItCannotSee()
{
    QFETCH(QString, language);
    const QLocale locale(language);
    QLocale::setDefault(locale);
    QVERIFY(ui::installTranslations(locale) || language == QLatin1String("en"));

    const quint16 port = freePort();
    Mosquitto broker(m_dir, port, {QStringLiteral("allow_anonymous true"), QStringLiteral("sys_interval 1")});
    QVERIFY(broker.start());
    ClientEngineOptions options;
    options.port = port;
    ClientEngine engine(options);
    engine.setTelemetryInterval(std::chrono::milliseconds(100));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1500, 950);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));

    const QString address = QStringLiteral("127.0.0.1:%1").arg(port);
    QVERIFY2(window.brokerStatusText().contains(address), qPrintable(window.brokerStatusText()));
    QVERIFY(window.windowTitle().contains(address));
    for (const char *name : {"sessionsUnavailable", "sessionDetailUnavailable", "pushesUnavailable", "simulatorUnavailable",
                             "networksUnavailable"}) {
        auto *notice = window.findChild<QLabel *>(QLatin1String(name));
        QVERIFY2(notice, name);
        QVERIFY2(notice->text().contains(address), qPrintable(notice->text()));
    }
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("sessionsUnavailable"))->isVisible());

    MqttClient device;
    device.setPort(port);
    device.setClientId(QStringLiteral("sensor-9"));
    QSignalSpy up(&device, &MqttClient::connected);
    device.connectToBroker();
    QVERIFY(up.wait(5000));
    for (int i = 0; i < 5; ++i)
        device.publish(QStringLiteral("plant/line-%1/temp").arg(i), QByteArray::number(20 + i), mqtt::QoS::AtLeastOnce);
    const auto hasTopic = [&](const QString &topic) {
        for (const MessageRecord &record : window.messages()->allMessages()) {
            if (record.topic == topic)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasTopic(QStringLiteral("plant/line-4/temp")), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(hasTopic(QStringLiteral("$SYS/broker/uptime")), 5000);
    // The Dashboard's counts come from $SYS: the console and the device are connected.
    const auto *counters = window.findChild<QLabel *>(QStringLiteral("brokerCounters"));
    QVERIFY(counters);
    QTRY_VERIFY_WITH_TIMEOUT(counters->text().startsWith(QLatin1Char('2')), 10000);
    QVERIFY(window.grab().save(test::screenshotPath(QStringLiteral("attached-mosquitto-%1.png").arg(language))));
    engine.stop();
}

void TestAttachedConsole::unreachableBrokerIsNamed()
{
    ClientEngineOptions options;
    options.port = freePort();
    ClientEngine engine(options);
    ui::MainWindow window(engine);
    window.setInteractive(false);
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    engine.start();
    QVERIFY(failed.wait(10000));
    QTRY_VERIFY(window.brokerStatusText().contains(QStringLiteral("127.0.0.1:%1").arg(options.port)));
    QVERIFY(!engine.isRunning());
}

/// mosquitto holds the embedded broker's port: "Attach to it" finds no admin API there
/// and attaches as an MQTT client, saying what that broker does not show.
void TestAttachedConsole::attachToItOnAnotherBrokerAttachesAsAClient()
{
    QLocale::setDefault(QLocale(QLocale::English));
    ui::installTranslations(QLocale(QLocale::English));
    const quint16 port = freePort();
    Mosquitto broker(m_dir, port, {QStringLiteral("allow_anonymous true")});
    QVERIFY(broker.start());
    BrokerConfig config = test::loopbackConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, port}};
    ui::ConsoleWindows consoles(attachFactories(), RemoteEngineOptions{}, m_dir.filePath(QStringLiteral("no-such.sock")));
    consoles.setInteractive(false);
    ui::MainWindow *embedded = consoles.open(std::make_unique<LocalEngine>(config));
    QTRY_VERIFY_WITH_TIMEOUT(embedded->startProblemBox() && embedded->startProblemBox()->isVisible(), 10000);
    auto *attach = embedded->startProblemBox()->findChild<QPushButton *>(QStringLiteral("attachToIt"));
    QVERIFY(attach);
    QTest::mouseClick(attach, Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(consoles.windows().size() == 1 && consoles.windows().constFirst() != embedded, 15000);
    ui::MainWindow *window = consoles.windows().constFirst();
    const QString address = QStringLiteral("127.0.0.1:%1").arg(port);
    QTRY_VERIFY_WITH_TIMEOUT(window->brokerStatusText().contains(address), 10000);
    auto *notice = window->findChild<QLabel *>(QStringLiteral("sessionsUnavailable"));
    QVERIFY(notice);
    QTRY_VERIFY(notice->isVisible());
    QVERIFY2(notice->text().contains(address), qPrintable(notice->text()));
}

HERMES_TEST_MAIN(TestAttachedConsole)
#include "tst_attachedconsole.moc"
