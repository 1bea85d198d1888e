// The console as a person uses it: the window starts the embedded broker, real clients
// connect, and every main view is rendered to a PNG (in English and in Chinese).
#include "../engine/rawclient.h"

#include "dashboardview.h"
#include "mainwindow.h"
#include "messagesview.h"
#include "pushdialog.h"
#include "sessionsview.h"
#include "translations.h"

#include "engine/localengine.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QToolButton>
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
    void takenPortIsShownInTheStatusBar();
    void messagesViewPausesAndFilters();
    void pushDialogDeliversToADevice();

private:
    QString screenshotPath(const QString &name) const;
    QTemporaryDir m_settingsDir;
};

namespace {
BrokerConfig testConfig()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    return config;
}

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

    LocalEngine engine(testConfig());
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
    window.close();
    ui::installTranslations(QLocale(QLocale::English));
}

void TestMainWindow::takenPortIsShownInTheStatusBar()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    BrokerConfig config = testConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, occupant.serverPort()}};
    LocalEngine engine(config);
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.show();
    engine.start();
    QTRY_VERIFY(window.brokerStatusText().contains(QString::number(occupant.serverPort())));
    QVERIFY2(window.brokerStatusText().contains(QStringLiteral("not running")), qPrintable(window.brokerStatusText()));
    auto *start = window.findChild<QAction *>(QStringLiteral("startBroker"));
    QVERIFY(start);
    QVERIFY(start->isEnabled());

    // The operator moves the broker to a free port and starts it from the menu.
    QVERIFY(engine.setListenAddresses({ListenAddress{QHostAddress::LocalHost, 0}}));
    start->trigger();
    QTRY_VERIFY(window.brokerStatusText().startsWith(QStringLiteral("Listening on")));
}

void TestMainWindow::messagesViewPausesAndFilters()
{
    LocalEngine engine(testConfig());
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
}

void TestMainWindow::pushDialogDeliversToADevice()
{
    LocalEngine engine(testConfig());
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

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
