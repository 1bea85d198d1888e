// The console attached to a real hermesd process over the admin API, as an operator: real
// mosquitto_sub devices appear in the Sessions view and in Session detail, a push typed into
// the composer reaches them, and the window names the broker it is attached to.
#include "../common/hermesdprocess.h"
#include "../common/testconfig.h"
#include "../common/testmain.h"
#include "consolewindows.h"
#include "engine/local/localengine.h"
#include "engine/remote/attach.h"
#include "engine/remote/remoteengine.h"
#include "mainwindow.h"
#include "pushdialog.h"
#include "sessiondetailview.h"
#include "sessionsview.h"
#include "sessiontablemodel.h"
#include "translations.h"

#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>

#include <memory>

using namespace hermes;
using hermes::test::HermesdProcess;

class TestRemoteConsole : public QObject
{
    Q_OBJECT
private slots:
    void sessionsAppearAndAPushArrives_data();
    void sessionsAppearAndAPushArrives();
    void attachToItShowsTheServiceHoldingThePort();
    void attachToItSaysWhyTheSocketWasNotUsed();
};

void TestRemoteConsole::sessionsAppearAndAPushArrives_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestRemoteConsole::sessionsAppearAndAPushArrives()
{
    QFETCH(QString, language);
    const QLocale locale(language);
    QLocale::setDefault(locale);
    QVERIFY(ui::installTranslations(locale) || language == QLatin1String("en"));
    const bool english = language == QLatin1String("en");
    const QString mosquittoSub = QStandardPaths::findExecutable(QStringLiteral("mosquitto_sub"));
    if (mosquittoSub.isEmpty())
        HERMES_SKIP("mosquitto_sub is not installed (package mosquitto-clients)");
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));

    RemoteEngineOptions options;
    options.port = hermesd.port();
    options.userName = QStringLiteral("admin");
    options.password = HermesdProcess::Password.toUtf8();
    RemoteEngine engine(options);
    engine.setTelemetryInterval(std::chrono::milliseconds(100));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1500, 950);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(15000));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(hermesd.port());
    QVERIFY2(window.brokerStatusText().contains(address), qPrintable(window.brokerStatusText()));
    QVERIFY2(window.brokerStatusText().contains(english ? QStringLiteral("as an operator") : QStringLiteral("运维人员")),
             qPrintable(window.brokerStatusText()));
    // A hermesd shows its sessions: no "not available" notice in their place.
    const auto *notice = window.findChild<QLabel *>(QStringLiteral("sessionsUnavailable"));
    QVERIFY(!notice || !notice->isVisible());

    std::vector<std::unique_ptr<QProcess>> devices;
    for (const QString &id : {QStringLiteral("lamp-1"), QStringLiteral("lamp-2")}) {
        auto device = std::make_unique<QProcess>();
        device->start(mosquittoSub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                     QString::number(hermesd.port()), QStringLiteral("-i"), id, QStringLiteral("-t"),
                                     ui::PushDialog::deviceTopic(id), QStringLiteral("-q"), QStringLiteral("1"),
                                     QStringLiteral("-C"), QStringLiteral("1"), QStringLiteral("-N")});
        QVERIFY(device->waitForStarted());
        devices.push_back(std::move(device));
    }
    ui::SessionsView *sessions = window.sessions();
    // The two devices and the console's own connection.
    QTRY_COMPARE_WITH_TIMEOUT(sessions->model()->onlineCount(), 3, 15000);
    QTableView *table = sessions->table();
    QStringList ids;
    for (int row = 0; row < table->model()->rowCount(); ++row)
        ids.append(table->model()->index(row, 0).data().toString());
    QVERIFY2(ids.contains(QStringLiteral("lamp-1")) && ids.contains(QStringLiteral("lamp-2")), qPrintable(ids.join(QLatin1Char(','))));

    // Session detail over the admin API.
    const int lampRow = int(ids.indexOf(QStringLiteral("lamp-1")));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(table->model()->index(lampRow, 0)).center());
    QCOMPARE(window.sessionDetail()->clientId(), QStringLiteral("lamp-1"));
    const auto *state = window.sessionDetail()->findChild<QLabel *>(QStringLiteral("detailState"));
    QTRY_VERIFY_WITH_TIMEOUT(!state->text().isEmpty(), 10000);
    if (english)
        QTRY_COMPARE_WITH_TIMEOUT(state->text(), QStringLiteral("online"), 10000);
    // The Dashboard's counts come from the v2 telemetry: two devices and the console.
    const auto *counters = window.findChild<QLabel *>(QStringLiteral("brokerCounters"));
    QVERIFY(counters);
    QTRY_VERIFY2_WITH_TIMEOUT(counters->text().startsWith(QLatin1Char('3')), qPrintable(counters->text()), 10000);
    QVERIFY(window.grab().save(test::screenshotPath(QStringLiteral("attached-hermesd-%1.png").arg(language))));

    // A push from the composer ("Push to selected" with both lamps) reaches both devices.
    table->selectionModel()->clearSelection();
    for (const QString &id : {QStringLiteral("lamp-1"), QStringLiteral("lamp-2")})
        table->selectionModel()->select(table->model()->index(int(ids.indexOf(id)), 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
    auto *push = window.findChild<QAction *>(QStringLiteral("pushSelected"));
    QVERIFY(push);
    QTRY_VERIFY(push->isEnabled());
    push->trigger();
    ui::PushDialog *dialog = window.findChild<ui::PushDialog *>();
    QVERIFY(dialog);
    dialog->findChild<QLineEdit *>(QStringLiteral("pushTarget"))->setText(QStringLiteral("lamp-1, lamp-2"));
    dialog->findChild<QCheckBox *>(QStringLiteral("pushEnvelope"))->setChecked(false);
    dialog->findChild<QPlainTextEdit *>(QStringLiteral("pushPayload"))->insertPlainText(QStringLiteral("lights off"));
    const auto *audience = dialog->findChild<QLabel *>(QStringLiteral("pushAudience"));
    QTRY_VERIFY2_WITH_TIMEOUT(audience->text().contains(QStringLiteral("lamp-1, lamp-2")), qPrintable(audience->text()), 10000);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("pushSend")), Qt::LeftButton);
    for (auto &device : devices) {
        QTRY_COMPARE_WITH_TIMEOUT(device->state(), QProcess::NotRunning, 15000);
        QCOMPARE(device->readAllStandardOutput(), QByteArray("lights off"));
    }
    // They left: the Sessions view follows.
    QTRY_COMPARE_WITH_TIMEOUT(sessions->model()->onlineCount(), 1, 15000);
    engine.stop();
}

/*
 * What a new user meets once the packaged hermesd service runs: the console's embedded broker
 * cannot take the port. "Attach to it" opens the console on that hermesd instead, over its
 * local administration socket (this user is an operator there, no password), and the
 * service's devices are in Sessions.
 */
void TestRemoteConsole::attachToItShowsTheServiceHoldingThePort()
{
    QLocale::setDefault(QLocale(QLocale::English));
    ui::installTranslations(QLocale(QLocale::English));
    const QString mosquittoSub = QStandardPaths::findExecutable(QStringLiteral("mosquitto_sub"));
    if (mosquittoSub.isEmpty())
        HERMES_SKIP("mosquitto_sub is not installed (package mosquitto-clients)");
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    QProcess device;
    device.start(mosquittoSub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                QString::number(hermesd.port()), QStringLiteral("-i"), QStringLiteral("meter-7"),
                                QStringLiteral("-t"), ui::PushDialog::deviceTopic(QStringLiteral("meter-7")), QStringLiteral("-k"),
                                QStringLiteral("5")});
    QVERIFY(device.waitForStarted());

    BrokerConfig config = test::loopbackConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, hermesd.port()}};
    ui::ConsoleWindows consoles(attachFactories(), RemoteEngineOptions{}, hermesd.localSocket());
    consoles.setInteractive(false);
    ui::MainWindow *embedded = consoles.open(std::make_unique<LocalEngine>(config));
    QTRY_VERIFY_WITH_TIMEOUT(embedded->startProblemBox() && embedded->startProblemBox()->isVisible(), 10000);
    QMessageBox *box = embedded->startProblemBox();
    auto *attach = box->findChild<QPushButton *>(QStringLiteral("attachToIt"));
    QVERIFY(attach);
    QCOMPARE(box->defaultButton(), attach);
    QVERIFY2(box->text().contains(QStringLiteral("127.0.0.1:%1").arg(hermesd.port())), qPrintable(box->text()));
    QVERIFY(box->grab().save(test::screenshotPath(QStringLiteral("port-taken-attach-en.png"))));
    QTest::mouseClick(attach, Qt::LeftButton);

    // The attached window replaces the embedded one.
    QTRY_VERIFY_WITH_TIMEOUT(consoles.windows().size() == 1 && consoles.windows().constFirst() != embedded, 10000);
    ui::MainWindow *window = consoles.windows().constFirst();
    QTRY_VERIFY_WITH_TIMEOUT(window->brokerStatusText().contains(QStringLiteral("as an operator")), 10000);
    QVERIFY2(window->brokerStatusText().contains(QStringLiteral("unix:") + hermesd.localSocket()),
             qPrintable(window->brokerStatusText()));
    ui::SessionsView *sessions = window->sessions();
    const auto hasMeter = [sessions] {
        const QAbstractItemModel *model = sessions->table()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data().toString() == QLatin1String("meter-7"))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasMeter(), 15000);
    QVERIFY(window->grab().save(test::screenshotPath(QStringLiteral("attached-to-service-en.png"))));

    // File → Attach to broker…: a second window on the same hermesd over TCP, beside the first;
    // its pushes name the broker they go to.
    QVERIFY(!window->attachTo(QStringLiteral("no port here")));
    const QString tcp = QStringLiteral("127.0.0.1:%1").arg(hermesd.port());
    QVERIFY(window->attachTo(tcp));
    QTRY_COMPARE_WITH_TIMEOUT(consoles.windows().size(), 2, 10000);
    ui::MainWindow *second = consoles.windows().constLast();
    QTRY_VERIFY2_WITH_TIMEOUT(second->brokerStatusText().contains(tcp), qPrintable(second->brokerStatusText()), 10000);
    QVERIFY(second->windowTitle().contains(tcp));
    ui::PushDialog *push = second->openPushDialog(QStringLiteral("meter-7"));
    QVERIFY2(push->windowTitle().contains(tcp), qPrintable(push->windowTitle()));
    QVERIFY(window->openPushDialog(QStringLiteral("meter-7"))->windowTitle().contains(hermesd.localSocket()));

    // File → Quit in one window quits the console: both windows close.
    second->findChild<QAction *>(QStringLiteral("quit"))->trigger();
    QTRY_VERIFY(!window->isVisible() && !second->isVisible());
    device.terminate();
    QVERIFY(device.waitForFinished());
}

HERMES_TEST_MAIN(TestRemoteConsole)
#include "tst_remoteconsole.moc"

/*
 * The administration socket exists but cannot be used (here a stale file; for a user outside
 * the socket's group, permission denied — tst_hermesctl checks that text): "Attach to it" falls
 * back to TCP, as what anonymous loopback clients are, and the console says why it has no
 * operator rights instead of only failing or showing less.
 */
void TestRemoteConsole::attachToItSaysWhyTheSocketWasNotUsed()
{
    QLocale::setDefault(QLocale(QLocale::English));
    ui::installTranslations(QLocale(QLocale::English));
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    const QString stale = hermesd.filePath(QStringLiteral("stale.sock"));
    QFile file(stale);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();

    BrokerConfig config = test::loopbackConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, hermesd.port()}};
    ui::ConsoleWindows consoles(attachFactories(), RemoteEngineOptions{}, stale);
    consoles.setInteractive(false);
    ui::MainWindow *embedded = consoles.open(std::make_unique<LocalEngine>(config));
    QTRY_VERIFY_WITH_TIMEOUT(embedded->startProblemBox() && embedded->startProblemBox()->isVisible(), 10000);
    auto *attach = embedded->startProblemBox()->findChild<QPushButton *>(QStringLiteral("attachToIt"));
    QVERIFY(attach);
    QTest::mouseClick(attach, Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(consoles.windows().size() == 1 && consoles.windows().constFirst() != embedded, 15000);
    ui::MainWindow *window = consoles.windows().constFirst();
    // The packaged service's anonymous loopback clients are devices: they may not read every
    // topic, so even client mode is refused, and the window says why it had no operator rights.
    QTRY_VERIFY_WITH_TIMEOUT(window->startProblemBox() && window->startProblemBox()->isVisible(), 15000);
    QVERIFY2(window->brokerStatusText().startsWith(QStringLiteral("Not attached:"))
                     && window->brokerStatusText().endsWith(QStringLiteral("(the administration socket was not usable)")),
             qPrintable(window->brokerStatusText()));
    const QString informative = window->startProblemBox()->informativeText();
    QVERIFY2(informative.contains(QStringLiteral("local administration socket were not available: %1: Connection refused")
                                          .arg(stale)),
             qPrintable(informative));
}
