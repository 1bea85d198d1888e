// The console as a person uses it: the window starts the embedded broker, real clients
// connect, and every main view is rendered to a PNG (in English and in Chinese).
#include "../common/testmain.h"
#include "../common/testconfig.h"
#include "../engine/rawclient.h"

#include "dashboardview.h"
#include "heartbeattimeline.h"
#include "mainwindow.h"
#include "messagesview.h"
#include "payloadinspector.h"
#include "pushdialog.h"
#include "sessionsview.h"
#include "sessiontablemodel.h"
#include "sessiondetailview.h"
#include "topicsview.h"
#include "topictreemodel.h"
#include "theme.h"
#include "translations.h"

#include "engine/local/localengine.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QStandardPaths>
#include <QPointer>
#include <QPushButton>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTabBar>
#include <QTableView>
#include <QTreeView>
#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void startsBrokerAndShowsLiveTraffic_data();
    void startsBrokerAndShowsLiveTraffic();
    void takenPortIsShownInTheStatusBar_data();
    void takenPortIsShownInTheStatusBar();
    void brokerStartsAndStopsFromTheStatusBar();
    void languageSwitchesAtOnceAndPersists();
    void layoutAndRecentFilesPersist();
    void topicsDockShowsAndDeletesRetained();
    void messagesViewPausesAndFilters();
    void pushDialogDeliversToADevice();
    void selectionDrivesDetailAndPushesToTwoDevices();
    void defaultLayoutFitsTheScreen_data();
    void defaultLayoutFitsTheScreen();
    void darkThemeIsChosenInView();

private:
    QString screenshotPath(const QString &name) const;
    QTemporaryDir m_settingsDir;
};

namespace {
Connect connectPacket(const QString &clientId, quint16 keepAlive)
{
    Connect connect;
    connect.clientId = clientId;
    connect.keepAliveSeconds = keepAlive;
    return connect;
}
} // namespace

void TestMainWindow::initTestCase()
{
    // Settings (layout, language) go to a scratch folder, never the user's.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QDir().mkpath(QFileInfo(screenshotPath(QStringLiteral("x"))).absolutePath());
}

QString TestMainWindow::screenshotPath(const QString &name) const
{
    QString base = qEnvironmentVariable("HERMES_TEST_OUTPUT");
    if (base.isEmpty())
        base = QDir::tempPath() + QStringLiteral("/hermes-test-output");
    return base + QStringLiteral("/screenshots/") + name;
}

void TestMainWindow::startsBrokerAndShowsLiveTraffic_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestMainWindow::startsBrokerAndShowsLiveTraffic()
{
    QFETCH(QString, language);
    const QLocale locale(language);
    QLocale::setDefault(locale);
    const bool translated = ui::installTranslations(locale);
    if (language == QLatin1String("zh_CN"))
        QVERIFY2(translated, "the zh_CN translation must be embedded");

    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(100));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1500, 950);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    QTRY_VERIFY(window.brokerStatusText().contains(QString::number(port)));

    // A small fleet: devices with different keep-alives, one operator pushing.
    std::vector<std::unique_ptr<RawClient>> devices;
    for (int i = 0; i < 12; ++i) {
        auto device = std::make_unique<RawClient>(i % 3 == 0 ? ProtocolVersion::V5 : ProtocolVersion::V3_1_1);
        QVERIFY(device->connectTo(port));
        const QString id = language == QLatin1String("zh_CN") ? QStringLiteral("设备-北京-%1").arg(i, 3, 10, QLatin1Char('0'))
                                                             : QStringLiteral("device-%1").arg(i, 3, 10, QLatin1Char('0'));
        QVERIFY(device->handshake(connectPacket(id, quint16(30 + 30 * (i % 4)))));
        Subscribe subscribe;
        subscribe.packetId = 1;
        subscribe.subscriptions = {{QStringLiteral("devices/%1/push").arg(id), SubscribeOptions{QoS::AtLeastOnce}}};
        device->send(subscribe);
        QVERIFY(device->waitFor(PacketType::Suback));
        devices.push_back(std::move(device));
    }
    RawClient operatorClient;
    QVERIFY(operatorClient.connectTo(port));
    QVERIFY(operatorClient.handshake(connectPacket(QStringLiteral("operator-console"), 60)));
    for (int i = 0; i < 40; ++i) {
        Publish publish;
        publish.topic = QStringLiteral("telemetry/device-%1/state").arg(i % 12, 3, 10, QLatin1Char('0'));
        publish.payload = QStringLiteral("{\"battery\": %1, \"rssi\": -%2}").arg(90 - i).arg(60 + i).toUtf8();
        operatorClient.send(publish);
    }
    for (int i = 0; i < 5; ++i)
        devices[size_t(i)]->send(Pingreq{});

    QTRY_COMPARE(window.messages()->model()->rowCount(), 40);
    QTRY_VERIFY(window.sessions()->findChild<QAbstractItemView *>() != nullptr);
    // The dashboard takes one sample per second; wait for two so the charts have lines.
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->latenessHistogram().at(0) >= 12, 5000);

    window.sessions()->findChild<QAbstractItemView *>()->setFocus();
    emit window.sessions()->sessionActivated(devices.empty() ? QString() :
        (language == QLatin1String("zh_CN") ? QStringLiteral("设备-北京-000") : QStringLiteral("device-000")));
    // The dashboard samples once per second: two samples make a line.
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->sampleCount() >= 2, 5000);
    const QString name = QStringLiteral("main-window-%1.png").arg(language);
    QVERIFY(window.grab().save(screenshotPath(name)));
    QVERIFY(window.dashboard()->grab().save(screenshotPath(QStringLiteral("dashboard-%1.png").arg(language))));
    QVERIFY(window.messages()->grab().save(screenshotPath(QStringLiteral("messages-%1.png").arg(language))));
    auto *topicsDock = window.findChild<QDockWidget *>(QStringLiteral("topicsDock"));
    QVERIFY(topicsDock);
    topicsDock->raise();
    QTRY_VERIFY(window.topics()->model()->topicCount() >= 12);
    window.topics()->tree()->expandAll();
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("main-window-topics-%1.png").arg(language))));
    window.close();
    ui::installTranslations(QLocale(QLocale::English));
}

void TestMainWindow::takenPortIsShownInTheStatusBar_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestMainWindow::takenPortIsShownInTheStatusBar()
{
    QFETCH(QString, language);
    ui::installTranslations(QLocale(language));
    // Another program (here a plain QTcpServer) holds the port the broker is told to use.
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(occupant.serverPort());
    BrokerConfig config = test::loopbackConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, occupant.serverPort()}};
    LocalEngine engine(config);
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1200, 800);
    window.show();
    // The engine names the address it found taken (the window opens no socket of its own).
    QSignalSpy taken(&engine, &EngineMonitor::listenAddressTaken);
    engine.start();
    QTRY_VERIFY(window.brokerStatusText().contains(port));
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.at(0).at(0).value<ListenAddress>().port, occupant.serverPort());
    if (language == QLatin1String("en")) {
        QVERIFY2(window.brokerStatusText().contains(QStringLiteral("not running")), qPrintable(window.brokerStatusText()));
        QVERIFY2(window.brokerStatusText().contains(QStringLiteral("taken")), qPrintable(window.brokerStatusText()));
    }
    // A clear, non-blocking explanation with a way out.
    QTRY_VERIFY(window.startProblemBox() && window.startProblemBox()->isVisible());
    QMessageBox *box = window.startProblemBox();
    QVERIFY2(box->text().contains(port), qPrintable(box->text()));
    QVERIFY(box->findChild<QPushButton *>(QStringLiteral("useAnotherPort")));
    QVERIFY(box->grab().save(screenshotPath(QStringLiteral("port-taken-box-%1.png").arg(language))));
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("port-taken-%1.png").arg(language))));
    auto *start = window.findChild<QAction *>(QStringLiteral("startBroker"));
    QVERIFY(start);
    QVERIFY(start->isEnabled());
    QVERIFY(!window.findChild<QAction *>(QStringLiteral("stopBroker"))->isEnabled());

    // The operator moves the broker to a free port and starts it from the menu.
    QVERIFY(engine.setListenAddresses({ListenAddress{QHostAddress::LocalHost, 0}}));
    start->trigger();
    QTRY_VERIFY(engine.isRunning());
    QTRY_VERIFY(!window.startProblemBox()); // closed once the broker runs
    QVERIFY(!window.brokerStatusText().contains(port));
    if (language == QLatin1String("en"))
        QVERIFY(window.brokerStatusText().startsWith(QStringLiteral("Listening on")));
    ui::installTranslations(QLocale(QLocale::English));
}

void TestMainWindow::brokerStartsAndStopsFromTheStatusBar()
{
    LocalEngine engine(test::loopbackConfig());
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    QTRY_VERIFY(window.brokerStatusText().contains(QStringLiteral("127.0.0.1:%1").arg(port)));
    auto *toggle = window.findChild<QToolButton *>(QStringLiteral("brokerToggle"));
    QVERIFY(toggle);
    QCOMPARE(toggle->text(), QStringLiteral("Stop broker"));
    QSignalSpy stopped(&engine, &EngineMonitor::stopped);
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(stopped.wait(5000));
    QTRY_VERIFY(window.brokerStatusText().startsWith(QStringLiteral("Broker stopped")));
    QCOMPARE(toggle->text(), QStringLiteral("Start broker"));
    RawClient refused;
    QVERIFY(!refused.connectTo(port)); // the listener is really closed
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(started.wait(5000));
    QTRY_VERIFY(window.brokerStatusText().startsWith(QStringLiteral("Listening on")));
    QCOMPARE(toggle->text(), QStringLiteral("Stop broker"));
}

void TestMainWindow::languageSwitchesAtOnceAndPersists()
{
    LocalEngine engine(test::loopbackConfig());
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.show();
    auto *language = window.findChild<QMenu *>(QStringLiteral("languageMenu"));
    QVERIFY(language);
    QCOMPARE(language->title(), QStringLiteral("&Language"));
    auto *chinese = window.findChild<QAction *>(QStringLiteral("language_zh_CN"));
    QVERIFY(chinese);
    chinese->trigger();
    QCOMPARE(ui::MainWindow::languageSetting(), QStringLiteral("zh_CN"));
    QVERIFY(chinese->isChecked());
    // Applied at once: the menus, dock titles and the status bar are retranslated.
    QTRY_COMPARE(language->title(), QStringLiteral("语言(&L)"));
    QCOMPARE(window.menuBar()->actions().first()->text(), QStringLiteral("文件(&F)"));
    QVERIFY2(!window.brokerStatusText().startsWith(QStringLiteral("Broker")), qPrintable(window.brokerStatusText()));
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("language-switched-zh_CN.png"))));

    // A new window (the next start) reads the saved choice.
    QCOMPARE(ui::MainWindow::localeFor(ui::MainWindow::languageSetting()).name(), QStringLiteral("zh_CN"));
    window.findChild<QAction *>(QStringLiteral("language_en"))->trigger();
    QTRY_COMPARE(language->title(), QStringLiteral("&Language"));
    QCOMPARE(ui::MainWindow::languageSetting(), QStringLiteral("en"));
    window.findChild<QAction *>(QStringLiteral("language_system"))->trigger();
    QCOMPARE(ui::MainWindow::languageSetting(), QString());
    QCOMPARE(ui::MainWindow::localeFor(QString()), QLocale::system());
    ui::installTranslations(QLocale(QLocale::English));
    QLocale::setDefault(QLocale(QLocale::English));
}

void TestMainWindow::layoutAndRecentFilesPersist()
{
    LocalEngine engine(test::loopbackConfig());
    QSize shownSize;
    {
        ui::MainWindow window(engine);
        window.setInteractive(false);
        window.resize(1111, 777);
        window.show();
        shownSize = window.size();
        auto *topics = window.findChild<QDockWidget *>(QStringLiteral("topicsDock"));
        QVERIFY(topics);
        topics->hide();
        QTemporaryDir dir;
        for (int i = 0; i < ui::MainWindow::MaxRecentFiles + 2; ++i) {
            QFile file(dir.filePath(QStringLiteral("trace-%1.txt").arg(i)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            window.addRecentFile(file.fileName());
        }
        window.addRecentFile(dir.filePath(QStringLiteral("trace-3.txt"))); // again: moves to the top
        const QStringList recent = ui::MainWindow::recentFiles();
        QCOMPARE(recent.size(), ui::MainWindow::MaxRecentFiles);
        QVERIFY(recent.first().endsWith(QStringLiteral("trace-3.txt")));
        QCOMPARE(recent.count(recent.first()), 1);
        QVERIFY(recent.at(1).endsWith(QStringLiteral("trace-9.txt")));
        auto *menu = window.findChild<QMenu *>(QStringLiteral("recentFilesMenu"));
        QVERIFY(menu);
        QVERIFY(menu->actions().first()->text().endsWith(QStringLiteral("trace-3.txt")));
        window.close();
    }
    ui::MainWindow restored(engine);
    restored.setInteractive(false);
    restored.show();
    QCOMPARE(restored.size(), shownSize);
    QVERIFY(!restored.findChild<QDockWidget *>(QStringLiteral("topicsDock"))->isVisible());
    QVERIFY(restored.findChild<QDockWidget *>(QStringLiteral("dashboardDock"))->isVisible());
    restored.findChild<QAction *>(QStringLiteral("resetLayout"))->trigger();
    QVERIFY(restored.findChild<QDockWidget *>(QStringLiteral("topicsDock"))->isVisible());
    restored.close();
    QSettings().remove(QStringLiteral("ui"));
}

void TestMainWindow::topicsDockShowsAndDeletesRetained()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    RawClient publisher;
    QVERIFY(publisher.connectTo(port));
    QVERIFY(publisher.handshake(connectPacket(QStringLiteral("lamp-controller"), 60)));
    for (int i = 0; i < 5; ++i) {
        Publish publish;
        publish.topic = QStringLiteral("lamps/%1/state").arg(i);
        publish.payload = "on";
        publish.retain = true;
        publisher.send(publish);
    }
    Publish plain;
    plain.topic = QStringLiteral("lamps/0/power");
    plain.payload = "12W";
    publisher.send(plain);

    ui::TopicsView *topics = window.topics();
    topics->setConfirmDeletes(false);
    window.findChild<QDockWidget *>(QStringLiteral("topicsDock"))->raise();
    QTRY_COMPARE(topics->model()->topicCount(), 6);
    QTRY_COMPARE(topics->model()->retainedCount(), 5);
    QCOMPARE(topics->model()->indexOfTopic(QStringLiteral("lamps")).data(ui::TopicTreeModel::MessageCountRole).toInt(), 6);

    QSignalSpy finished(topics, &ui::TopicsView::deleteFinished);
    QCOMPARE(topics->deleteRetainedUnder(topics->model()->indexOfTopic(QStringLiteral("lamps"))), 5);
    QTRY_COMPARE(finished.size(), 1); // five fit in the first batch
    // The engine's own list (asked for after the deletion) confirms: nothing is retained.
    QSignalSpy retained(&engine, &EngineMonitor::retainedMessages);
    engine.requestRetained();
    QVERIFY(retained.wait(5000));
    QVERIFY(retained.last().at(0).value<QList<MessageRecord>>().isEmpty());
    QTRY_COMPARE(topics->model()->retainedCount(), 0);
    QCOMPARE(topics->model()->topicCount(), 6); // the topics stay, without their markers

    // A new subscriber receives no retained message [MQTT-3.3.1-6].
    RawClient subscriber;
    QVERIFY(subscriber.connectTo(port));
    QVERIFY(subscriber.handshake(connectPacket(QStringLiteral("late-subscriber"), 60)));
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {{QStringLiteral("lamps/#"), SubscribeOptions{QoS::AtMostOnce}}};
    subscriber.send(subscribe);
    QVERIFY(subscriber.waitFor(PacketType::Suback));
    QVERIFY(!subscriber.waitFor(PacketType::Publish, 300));
}

void TestMainWindow::messagesViewPausesAndFilters()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    RawClient publisher;
    QVERIFY(publisher.connectTo(port));
    QVERIFY(publisher.handshake(connectPacket(QStringLiteral("publisher"), 60)));
    auto publishTo = [&](const QString &topic) {
        Publish publish;
        publish.topic = topic;
        publish.payload = "x";
        publisher.send(publish);
    };

    ui::MessagesView *view = window.messages();
    auto *filter = view->findChild<QLineEdit *>(QStringLiteral("topicFilter"));
    QVERIFY(filter);
    QTest::keyClicks(filter, QStringLiteral("devices/+/push"));
    publishTo(QStringLiteral("devices/1/push"));
    publishTo(QStringLiteral("telemetry/1"));
    publishTo(QStringLiteral("devices/2/push"));
    QTRY_COMPARE(view->model()->rowCount(), 2);

    auto *pause = view->findChild<QToolButton *>(QStringLiteral("pauseButton"));
    QVERIFY(pause);
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(view->isPaused());
    publishTo(QStringLiteral("devices/3/push"));
    QTRY_COMPARE(view->missedWhilePaused(), 1u);
    QCOMPARE(view->model()->rowCount(), 2);
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(!view->isPaused());
    publishTo(QStringLiteral("devices/4/push"));
    QTRY_COMPARE(view->model()->rowCount(), 3);

    // Selecting a message opens it in the payload inspector.
    QVERIFY(view->inspector());
    auto *table = view->findChild<QTableView *>();
    QVERIFY(table);
    table->selectRow(2);
    QCOMPARE(view->inspector()->topic(), QStringLiteral("devices/4/push"));
    QCOMPARE(view->inspector()->payload(), QByteArray("x"));
}

void TestMainWindow::pushDialogDeliversToADevice()
{
    LocalEngine engine(test::loopbackConfig());
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    RawClient device(ProtocolVersion::V5);
    QVERIFY(device.connectTo(port));
    QVERIFY(device.handshake(connectPacket(QStringLiteral("phone-42"), 60)));
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {{ui::PushDialog::deviceTopic(QStringLiteral("phone-42")), SubscribeOptions{QoS::AtLeastOnce}}};
    device.send(subscribe);
    QVERIFY(device.waitFor(PacketType::Suback));

    // As from the Sessions view's "Push to this device…".
    const QPointer<ui::PushDialog> dialog = window.openPushDialog(QStringLiteral("phone-42"));
    QVERIFY(dialog->isVisible());
    auto *format = dialog->findChild<QComboBox *>(QStringLiteral("pushFormat"));
    auto *payload = dialog->findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"));
    auto *send = dialog->findChild<QPushButton *>(QStringLiteral("pushSend"));
    auto *problem = dialog->findChild<QLabel *>(QStringLiteral("pushProblem"));
    QVERIFY(format && payload && send && problem);
    format->setCurrentIndex(format->findText(QStringLiteral("JSON")));
    // Raw bytes, so the device sees exactly the JSON (the composer's own test covers envelopes).
    dialog->findChild<QCheckBox *>(QStringLiteral("pushEnvelope"))->setChecked(false);
    // Chinese arrives through an input method, not key events: insert it as text.
    payload->insertPlainText(QStringLiteral("{\"title\": \"推送\""));
    QTest::mouseClick(send, Qt::LeftButton);
    // Unbalanced JSON: the dialog explains and stays open; nothing is sent.
    QVERIFY(dialog->isVisible());
    QVERIFY2(problem->text().contains(QStringLiteral("JSON")), qPrintable(problem->text()));
    payload->moveCursor(QTextCursor::End);
    QTest::keyClicks(payload, QStringLiteral("}"));
    QVERIFY(problem->text().isEmpty());
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_VERIFY(dialog.isNull() || !dialog->isVisible()); // closed (and deleted) once sent

    const auto received = device.waitFor(PacketType::Publish);
    QVERIFY(received);
    const Publish &publish = std::get<Publish>(*received);
    QCOMPARE(publish.topic, QStringLiteral("devices/phone-42/push"));
    QCOMPARE(publish.qos, QoS::AtLeastOnce);
    QCOMPARE(QString::fromUtf8(publish.payload), QStringLiteral("{\"title\":\"推送\"}"));
    QCOMPARE(publish.properties.contentType, QStringLiteral("application/json"));
    device.send(Puback{*publish.packetId});
}

void TestMainWindow::selectionDrivesDetailAndPushesToTwoDevices()
{
    const QString mosquittoSub = QStandardPaths::findExecutable(QStringLiteral("mosquitto_sub"));
    if (mosquittoSub.isEmpty())
        HERMES_SKIP("mosquitto_sub is not installed (package mosquitto-clients)");
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1400, 900);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;

    // Two real devices, each printing one message on its push topic and exiting.
    std::vector<std::unique_ptr<QProcess>> devices;
    for (const QString &id : {QStringLiteral("lamp-1"), QStringLiteral("lamp-2")}) {
        auto device = std::make_unique<QProcess>();
        device->start(mosquittoSub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                     QString::number(port), QStringLiteral("-i"), id, QStringLiteral("-t"),
                                     ui::PushDialog::deviceTopic(id), QStringLiteral("-q"), QStringLiteral("1"),
                                     QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-N")});
        QVERIFY(device->waitForStarted());
        devices.push_back(std::move(device));
    }
    ui::SessionsView *sessions = window.sessions();
    QTRY_COMPARE_WITH_TIMEOUT(sessions->model()->onlineCount(), 2, 10000);
    QTableView *table = sessions->table();

    // A click on the first row shows it in Session detail, without a double-click.
    const QRect first = table->visualRect(table->model()->index(0, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, first.center());
    QCOMPARE(window.sessionDetail()->clientId(), QStringLiteral("lamp-1"));
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(window.sessionDetail()->clientId(), QStringLiteral("lamp-2"));
    QTRY_VERIFY(window.sessionDetail()->findChild<QLabel *>(QStringLiteral("detailState"))->text() == QStringLiteral("online"));

    // Shift+Up selects both; Push → "Push to selected (2)" prefills the composer.
    QTest::keyClick(table, Qt::Key_Up, Qt::ShiftModifier);
    auto *pushSelected = window.findChild<QAction *>(QStringLiteral("pushSelected"));
    QVERIFY(pushSelected);
    QVERIFY(pushSelected->isEnabled());
    QCOMPARE(pushSelected->text(), QStringLiteral("Push to &selected (2)…"));
    pushSelected->trigger();
    ui::PushDialog *dialog = window.findChild<ui::PushDialog *>();
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("pushTarget"))->text(), QStringLiteral("lamp-1, lamp-2"));
    QCOMPARE(dialog->windowTitle(), QStringLiteral("Push to 2 selected devices"));
    dialog->findChild<QCheckBox *>(QStringLiteral("pushEnvelope"))->setChecked(false);
    dialog->findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"))->insertPlainText(QStringLiteral("lights off"));
    QTRY_VERIFY(dialog->findChild<QLabel *>(QStringLiteral("pushAudience"))->text().contains(QStringLiteral("2 devices")));
    QVERIFY(dialog->grab().save(screenshotPath(QStringLiteral("push-to-selected-en.png"))));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pushSend")), Qt::LeftButton);

    for (auto &device : devices) {
        QTRY_COMPARE_WITH_TIMEOUT(device->state(), QProcess::NotRunning, 10000);
        QCOMPARE(device->readAllStandardOutput(), QByteArray("lights off"));
    }
}

void TestMainWindow::defaultLayoutFitsTheScreen_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<QString>("language");
    QTest::newRow("1366x768 laptop, English") << QSize(1366, 768) << QStringLiteral("en");
    QTest::newRow("1366x768 laptop, Chinese") << QSize(1366, 768) << QStringLiteral("zh_CN");
    QTest::newRow("1920x1080, English") << QSize(1920, 1080) << QStringLiteral("en");
    QTest::newRow("1920x1080, Chinese") << QSize(1920, 1080) << QStringLiteral("zh_CN");
}

void TestMainWindow::defaultLayoutFitsTheScreen()
{
    QFETCH(QSize, size);
    QFETCH(QString, language);
    QSettings().remove(QStringLiteral("ui")); // the default layout, not a saved one
    ui::installTranslations(QLocale(language));
    LocalEngine engine(test::loopbackConfig());
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(size);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.size(), size);

    const auto checkEveryViewFits = [&](const char *when) {
        const QRect inside = window.rect();
        // The Sessions table keeps a usable height and width.
        const QRect central = window.centralWidget()->geometry();
        QVERIFY2(central.height() >= size.height() / 4 && central.width() >= size.width() / 3,
                 qPrintable(QStringLiteral("%1: Sessions is %2x%3").arg(when).arg(central.width()).arg(central.height())));
        // Every dock's tab is on screen, and each dock, brought forward, is shown whole.
        for (QTabBar *tabs : window.findChildren<QTabBar *>(QString(), Qt::FindDirectChildrenOnly)) {
            if (!tabs->isVisible())
                continue;
            const QRect bar(tabs->mapTo(&window, QPoint(0, 0)), tabs->size());
            QVERIFY2(inside.contains(bar), qPrintable(QStringLiteral("%1: dock tabs clipped").arg(when)));
            for (int i = 0; i < tabs->count(); ++i)
                QVERIFY2(inside.contains(tabs->tabRect(i).translated(bar.topLeft())),
                         qPrintable(QStringLiteral("%1: tab %2 clipped").arg(when, tabs->tabText(i))));
        }
        for (QDockWidget *dock : window.findChildren<QDockWidget *>()) {
            dock->raise();
            QCoreApplication::processEvents();
            QVERIFY2(dock->isVisible(), qPrintable(dock->objectName()));
            const QRect area(dock->mapTo(&window, QPoint(0, 0)), dock->size());
            QVERIFY2(inside.contains(area), qPrintable(QStringLiteral("%1: %2 at %3,%4 %5x%6 is outside the window")
                                                            .arg(QLatin1String(when), dock->objectName())
                                                            .arg(area.x()).arg(area.y()).arg(area.width()).arg(area.height())));
            QVERIFY2(dock->widget()->height() >= 150 && dock->widget()->width() >= 300,
                     qPrintable(QStringLiteral("%1: %2 is only %3x%4").arg(QLatin1String(when), dock->objectName())
                                    .arg(dock->widget()->width()).arg(dock->widget()->height())));
        }
    };
    checkEveryViewFits("default");
    window.findChild<QDockWidget *>(QStringLiteral("dashboardDock"))->raise();
    window.findChild<QDockWidget *>(QStringLiteral("sessionDetailDock"))->raise();
    QCoreApplication::processEvents();
    QVERIFY(window.grab().save(screenshotPath(
        QStringLiteral("layout-%1x%2-%3.png").arg(size.width()).arg(size.height()).arg(language))));

    // Spoil the layout, then View → Reset layout brings the default back.
    window.findChild<QDockWidget *>(QStringLiteral("topicsDock"))->hide();
    window.findChild<QDockWidget *>(QStringLiteral("sessionDetailDock"))->setFloating(true);
    window.findChild<QAction *>(QStringLiteral("resetLayout"))->trigger();
    QCoreApplication::processEvents();
    QVERIFY(!window.findChild<QDockWidget *>(QStringLiteral("sessionDetailDock"))->isFloating());
    checkEveryViewFits("after reset");
    window.close();
    QSettings().remove(QStringLiteral("ui"));
    ui::installTranslations(QLocale(QLocale::English));
}

void TestMainWindow::darkThemeIsChosenInView()
{
    ui::installTranslations(QLocale(QLocale::English));
    LocalEngine engine(test::loopbackConfig());
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1366, 768);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *dark = window.findChild<QAction *>(QStringLiteral("theme_dark"));
    auto *light = window.findChild<QAction *>(QStringLiteral("theme_light"));
    QVERIFY(dark && light && window.findChild<QAction *>(QStringLiteral("theme_system")));
    dark->trigger();
    QVERIFY(dark->isChecked());
    QCOMPARE(ui::themeSetting(), ui::Theme::Dark);
    QVERIFY(ui::isDark(QApplication::palette()));
    QCoreApplication::processEvents();
    // The charts and the timeline follow: dark backgrounds, light text.
    auto *chart = window.dashboard()->findChild<QChartView *>();
    QVERIFY(chart);
    QVERIFY(chart->chart()->backgroundBrush().color().lightness() < 80);
    QVERIFY(window.sessionDetail()->timeline()->palette().color(QPalette::Base).lightness() < 80);
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("main-window-dark-en.png"))));
    light->trigger();
    QVERIFY(!ui::isDark(QApplication::palette()));
    QCoreApplication::processEvents();
    QVERIFY(chart->chart()->backgroundBrush().color().lightness() > 180);
    QSettings().remove(QStringLiteral("ui"));
}

HERMES_TEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
