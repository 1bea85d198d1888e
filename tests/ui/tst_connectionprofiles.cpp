// Connection profiles as an operator meets them, with no system keyring (the D-Bus session bus
// points nowhere, as on a server or in CI): a profile made in File → Connect… persists and
// never holds the password; connecting it to a real hermesd asks for the password each time,
// says once that it cannot be remembered, and opens a window with the broker's sessions; a
// wrong password names the profile and leaves no window; the editor names the bad field;
// `--connect NAME` finds the profile. tst_passwordvault covers a working keyring.
#include "../common/hermesdprocess.h"
#include "../common/testconfig.h"
#include "../common/testmain.h"
#include "connectiontesting.h"
#include "consolewindows.h"
#include "mainwindow.h"
#include "sessionsview.h"
#include "sessiontablemodel.h"
#include "translations.h"

#include "engine/local/localengine.h"
#include "engine/mqttclient.h"
#include "engine/remote/attach.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QTreeWidget>
#include <QLayout>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>

using namespace hermes;
using hermes::test::HermesdProcess;

class TestConnectionProfiles : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void profileMadeInTheDialogPersistsWithoutItsPassword();
    void editorNamesTheBadField_data();
    void editorNamesTheBadField();
    void profileConnectsToHermesdAskingEachTime();
    void wrongPasswordNamesTheProfileAndOpensNothing();
    void connectArgumentFindsTheProfile();
    void screenshots_data();
    void screenshots();

private:
    std::unique_ptr<ui::ConsoleWindows> newConsoles();
    bool hasSession(ui::MainWindow *window, const QString &clientId) const;

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_files;
};

void TestConnectionProfiles::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_connectionprofiles"));
    // No keyring: libsecret's (and KWallet's) session bus is a socket nobody listens on.
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + m_settingsDir.filePath(QStringLiteral("no-bus")).toUtf8());
    QLocale::setDefault(QLocale(QLocale::English));
    ui::installTranslations(QLocale(QLocale::English));
}

void TestConnectionProfiles::init()
{
    QSettings().clear();
}

std::unique_ptr<ui::ConsoleWindows> TestConnectionProfiles::newConsoles()
{
    EngineFactories engines = attachFactories();
    engines.embedded = [] { return std::make_unique<LocalEngine>(test::loopbackConfig()); };
    auto consoles = std::make_unique<ui::ConsoleWindows>(std::move(engines), RemoteEngineOptions{}, QString());
    consoles->setInteractive(false);
    return consoles;
}

bool TestConnectionProfiles::hasSession(ui::MainWindow *window, const QString &clientId) const
{
    const QAbstractItemModel *model = window->sessions()->table()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, 0).data().toString() == clientId)
            return true;
    }
    return false;
}

void TestConnectionProfiles::profileMadeInTheDialogPersistsWithoutItsPassword()
{
    auto consoles = newConsoles();
    // A fresh install knows one profile, the embedded broker, and starts with it.
    QCOMPARE(consoles->profiles().all().size(), 1);
    QVERIFY(consoles->profiles().all().constFirst().isEmbedded());
    QVERIFY(consoles->profiles().lastUsed().isEmbedded());

    ui::ConnectionDialog *dialog = consoles->showConnectionDialog();
    ui::ProfileEditor *editor = test::typeNewProfile(dialog, QStringLiteral("Factory floor"),
                                                     QStringLiteral("10.0.0.5"), 8883, QStringLiteral("ops"));
    QVERIFY(editor);
    QTRY_VERIFY(!editor->isVisible());
    QCOMPARE(dialog->findChild<QTreeWidget *>(QStringLiteral("profileList"))->topLevelItemCount(), 2);
    QVERIFY(!dialog->selectedId().isEmpty());

    // Another instance reads the same profile back from the settings, after the embedded broker.
    ui::ConnectionProfiles reread;
    const QList<ui::ConnectionProfile> all = reread.all();
    QCOMPARE(all.size(), 2);
    QVERIFY(all.at(0).isEmbedded());
    const ui::ConnectionProfile &saved = all.at(1);
    QCOMPARE(saved.name, QStringLiteral("Factory floor"));
    QCOMPARE(saved.host, QStringLiteral("10.0.0.5"));
    QCOMPARE(saved.port, quint16(8883));
    QCOMPARE(saved.userName, QStringLiteral("ops"));
    QCOMPARE(saved.id, dialog->selectedId());
    QCOMPARE(reread.byName(QStringLiteral("factory FLOOR"))->id, saved.id);
    const RemoteEngineOptions options = saved.toRemoteOptions("pw");
    QCOMPARE(options.address(), QStringLiteral("10.0.0.5:8883"));
    QCOMPARE(options.userName, QStringLiteral("ops"));
    QVERIFY(!options.tls);

    // TLS files travel into the engine options; they are checked when saved.
    QFile ca(m_files.filePath(QStringLiteral("ca.pem")));
    QVERIFY(ca.open(QIODevice::WriteOnly));
    ca.close();
    ui::ConnectionProfile secure = saved;
    secure.tls = true;
    secure.caFile = ca.fileName();
    QCOMPARE(reread.save(secure), saved.id);
    QCOMPARE(ui::ConnectionProfiles().byId(saved.id)->toRemoteOptions({}).tls->caFile, ca.fileName());

    // Deleting asks first, then the profile is gone for every instance.
    dialog->select(saved.id);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("deleteProfile")), Qt::LeftButton);
    auto *confirm = dialog->findChild<QMessageBox *>(QStringLiteral("confirmDelete"));
    QVERIFY(confirm);
    QVERIFY(confirm->text().contains(QStringLiteral("Factory floor")));
    QTest::mouseClick(confirm->button(QMessageBox::Yes), Qt::LeftButton);
    QCOMPARE(ui::ConnectionProfiles().all().size(), 1);
    QVERIFY(!test::settingsFileBytes().contains("Factory floor"));
}

void TestConnectionProfiles::editorNamesTheBadField_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("ca");
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("field");      // the words the problem starts with
    QTest::addColumn<QString>("focusField"); // the widget that gets the focus
    const QString missing = QStringLiteral("/nonexistent/ca.pem");
    const QString present = QStringLiteral("@present");
    QTest::newRow("no name") << QString() << "h" << false << QString() << QString() << QString() << "Name:" << "profileName";
    QTest::newRow("name taken") << "Cold store" << "h" << false << QString() << QString() << QString() << "Name:" << "profileName";
    QTest::newRow("embedded name taken") << "embedded BROKER" << "h" << false << QString() << QString() << QString() << "Name:"
                                         << "profileName";
    QTest::newRow("no host") << "A" << QString() << false << QString() << QString() << QString() << "Host:" << "profileHost";
    QTest::newRow("host with a space") << "A" << "10.0 .0.5" << false << QString() << QString() << QString() << "Host:"
                                       << "profileHost";
    QTest::newRow("CA file missing") << "A" << "h" << true << missing << QString() << QString() << "CA file:" << "profileCaFile";
    QTest::newRow("certificate missing") << "A" << "h" << true << QString() << missing << present << "Client certificate:"
                                         << "profileCertificate";
    QTest::newRow("certificate without key") << "A" << "h" << true << QString() << present << QString() << "Private key:"
                                             << "profileKey";
    QTest::newRow("key without certificate") << "A" << "h" << true << QString() << QString() << present
                                             << "Client certificate:" << "profileCertificate";
    QTest::newRow("key missing") << "A" << "h" << true << QString() << present << missing << "Private key:" << "profileKey";
}

void TestConnectionProfiles::editorNamesTheBadField()
{
    QFETCH(QString, name);
    QFETCH(QString, host);
    QFETCH(bool, tls);
    QFETCH(QString, ca);
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QString, field);
    QFETCH(QString, focusField);
    QFile present(m_files.filePath(QStringLiteral("client.pem")));
    QVERIFY(present.open(QIODevice::WriteOnly));
    present.close();
    for (QString *path : {&ca, &certificate, &key}) {
        if (*path == QLatin1String("@present"))
            *path = present.fileName();
    }
    ui::ConnectionProfiles profiles;
    ui::ConnectionProfile cold;
    cold.name = QStringLiteral("Cold store");
    cold.host = QStringLiteral("10.0.0.9");
    QVERIFY(!profiles.save(cold).isEmpty());

    ui::ProfileEditor editor(profiles, ui::ConnectionProfile{});
    editor.show();
    editor.findChild<QLineEdit *>(QStringLiteral("profileName"))->setText(name);
    editor.findChild<QLineEdit *>(QStringLiteral("profileHost"))->setText(host);
    editor.findChild<QCheckBox *>(QStringLiteral("profileTls"))->setChecked(tls);
    editor.findChild<QLineEdit *>(QStringLiteral("profileCaFile"))->setText(ca);
    editor.findChild<QLineEdit *>(QStringLiteral("profileCertificate"))->setText(certificate);
    editor.findChild<QLineEdit *>(QStringLiteral("profileKey"))->setText(key);
    QTest::mouseClick(editor.findChild<QPushButton *>(QStringLiteral("profileSave")), Qt::LeftButton);
    QVERIFY2(editor.problemText().startsWith(field), qPrintable(editor.problemText()));
    QVERIFY(editor.isVisible());
    QCOMPARE(editor.focusWidget()->objectName(), focusField);
    // Nothing was saved.
    QCOMPARE(profiles.all().size(), 2);

    // The model refuses what the editor cannot type: port 0.
    ui::ConnectionProfile noPort = cold;
    noPort.id.clear();
    noPort.name = QStringLiteral("B");
    noPort.port = 0;
    QCOMPARE(profiles.validate(noPort)->field, ui::ProfileProblem::Field::Port);
    QVERIFY(profiles.save(noPort).isEmpty());
}

void TestConnectionProfiles::profileConnectsToHermesdAskingEachTime()
{
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    MqttClient device;
    device.setPort(hermesd.port());
    device.setClientId(QStringLiteral("lamp-1"));
    QSignalSpy deviceUp(&device, &MqttClient::connected);
    device.connectToBroker();
    QVERIFY(deviceUp.wait(10000));

    auto consoles = newConsoles();
    const QString id = consoles->profiles().save(test::factoryFloor(hermesd.port()));
    QVERIFY(!id.isEmpty());
    QPointer<ui::ConnectionDialog> dialog = consoles->showConnectionDialog();
    dialog->select(id);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectProfile")), Qt::LeftButton);

    // No keyring: the prompt says so once and offers nothing to remember.
    QTRY_VERIFY_WITH_TIMEOUT(test::visiblePasswordPrompt(), 10000);
    ui::PasswordPrompt *prompt = test::visiblePasswordPrompt();
    QVERIFY(prompt->windowTitle().contains(QStringLiteral("Factory floor")));
    QVERIFY(prompt->findChild<QLabel *>(QStringLiteral("keyringUnavailable")));
    QVERIFY(!prompt->findChild<QCheckBox *>(QStringLiteral("rememberPassword")));
    QVERIFY(!prompt->remember());
    QVERIFY(test::answerPasswordPrompt(HermesdProcess::Password));

    QTRY_VERIFY_WITH_TIMEOUT(consoles->windowOf(id), 20000);
    ui::MainWindow *window = consoles->windowOf(id);
    QVERIFY2(window->windowTitle().contains(QStringLiteral("“Factory floor”")), qPrintable(window->windowTitle()));
    QVERIFY(!window->windowTitle().contains(HermesdProcess::Password));
    QCOMPARE(window->findChild<QComboBox *>(QStringLiteral("connectionSwitcher"))->currentText(),
             QStringLiteral("Factory floor"));
    QTRY_VERIFY_WITH_TIMEOUT(window->brokerStatusText().contains(QStringLiteral("as an operator")), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(hasSession(window, QStringLiteral("lamp-1")), 15000);
    QVERIFY(window->grab().save(test::screenshotPath(QStringLiteral("connection-window-en.png"))));
    QTRY_VERIFY(!dialog);
    QCOMPARE(consoles->profiles().lastUsed().id, id);
    QVERIFY(!test::settingsFileBytes().contains(HermesdProcess::Password.toUtf8()));
    QVERIFY(test::settingsFileBytes().contains("Factory floor"));

    // The embedded broker's window, and from its switcher the profile again: it is only raised.
    QVERIFY(!consoles->openAtStart(QStringLiteral("Embedded broker")));
    ui::MainWindow *embedded = consoles->windowOf(ui::ConnectionProfile::EmbeddedId);
    QVERIFY(embedded);
    QCOMPARE(consoles->windows().size(), 2);
    auto *switcher = embedded->findChild<QComboBox *>(QStringLiteral("connectionSwitcher"));
    QCOMPARE(switcher->currentText(), QStringLiteral("Embedded broker"));
    switcher->setCurrentIndex(switcher->findData(id));
    emit switcher->activated(switcher->currentIndex());
    QCOMPARE(switcher->currentText(), QStringLiteral("Embedded broker")); // it keeps naming its own broker
    QCoreApplication::processEvents(); // the queued request: the open window comes forward
    QCOMPARE(consoles->windows().size(), 2);
    QVERIFY(!test::visiblePasswordPrompt());

    // Closed, it lets go of the broker; chosen again, the password is asked again, as
    // nothing remembered it.
    window->close();
    QTRY_COMPARE(consoles->windows().size(), 1);
    switcher->setCurrentIndex(switcher->findData(id));
    emit switcher->activated(switcher->currentIndex());
    QTRY_VERIFY_WITH_TIMEOUT(test::visiblePasswordPrompt(), 10000);
    QVERIFY(test::answerPasswordPrompt(HermesdProcess::Password));
    QTRY_VERIFY_WITH_TIMEOUT(consoles->windowOf(id), 20000);
    QVERIFY(!test::settingsFileBytes().contains(HermesdProcess::Password.toUtf8()));
}

void TestConnectionProfiles::wrongPasswordNamesTheProfileAndOpensNothing()
{
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    auto consoles = newConsoles();
    const QString id = consoles->profiles().save(test::factoryFloor(hermesd.port()));
    QVERIFY(!id.isEmpty());
    QSignalSpy failed(consoles.get(), &ui::ConsoleWindows::connectionFailed);
    QSignalSpy opened(consoles.get(), &ui::ConsoleWindows::windowOpened);
    QPointer<ui::ConnectionDialog> dialog = consoles->showConnectionDialog();
    dialog->select(id);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("connectProfile")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(test::visiblePasswordPrompt(), 10000);
    QVERIFY(test::answerPasswordPrompt(QStringLiteral("not-the-password")));

    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
    const QString expected = QStringLiteral("Connecting to “Factory floor” (127.0.0.1:%1) failed: ").arg(hermesd.port());
    const QString message = failed.at(0).at(1).toString();
    QVERIFY2(message.startsWith(expected), qPrintable(message));
    QVERIFY(!message.contains(QStringLiteral("not-the-password")));
    // Said where the profile was chosen; no window, and the dialog lets the operator try again.
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->statusText(), message);
    QVERIFY(dialog->findChild<QPushButton *>(QStringLiteral("connectProfile"))->isEnabled());
    QVERIFY(consoles->windows().isEmpty());
    QCOMPARE(opened.size(), 0);
    QVERIFY(!consoles->windowOf(id));

    // The same through the switcher of an open window: a box over that window, still no window.
    QVERIFY(!consoles->openAtStart(QString())); // the last used is still the embedded broker
    ui::MainWindow *embedded = consoles->windowOf(ui::ConnectionProfile::EmbeddedId);
    QVERIFY(embedded);
    auto *switcher = embedded->findChild<QComboBox *>(QStringLiteral("connectionSwitcher"));
    emit switcher->activated(switcher->findData(id));
    QTRY_VERIFY_WITH_TIMEOUT(test::visiblePasswordPrompt(), 10000);
    QVERIFY(test::answerPasswordPrompt(QStringLiteral("still-wrong")));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, 20000);
    QTRY_VERIFY(embedded->findChild<QMessageBox *>(QStringLiteral("connectionFailedBox")));
    QVERIFY(embedded->findChild<QMessageBox *>(QStringLiteral("connectionFailedBox"))->text().startsWith(expected));
    QCOMPARE(consoles->windows().size(), 1);
}

void TestConnectionProfiles::connectArgumentFindsTheProfile()
{
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    RemoteEngineOptions account; // $HERMES_USER / $HERMES_PASSWORD, for a bare address
    account.userName = QStringLiteral("admin");
    account.password = HermesdProcess::Password.toUtf8();
    ui::ConsoleWindows consoles(attachFactories(), account, QString());
    consoles.setInteractive(false);
    const QString id = consoles.profiles().save(test::factoryFloor(hermesd.port()));
    QVERIFY(!id.isEmpty());

    // NAME (any case): the profile, its password asked as no keyring keeps it.
    QVERIFY(!consoles.openAtStart(QStringLiteral("factory floor")));
    QTRY_VERIFY_WITH_TIMEOUT(test::visiblePasswordPrompt(), 10000);
    QVERIFY(test::answerPasswordPrompt(HermesdProcess::Password));
    QTRY_VERIFY_WITH_TIMEOUT(consoles.windowOf(id), 20000);

    // HOST:PORT with no profile of that name: the account from the environment, as before.
    const QString address = QStringLiteral("127.0.0.1:%1").arg(hermesd.port());
    QVERIFY(!consoles.openAtStart(address));
    QTRY_COMPARE_WITH_TIMEOUT(consoles.windows().size(), 2, 10000);
    ui::MainWindow *byAddress = consoles.windows().constLast();
    QVERIFY(byAddress->profileId().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(byAddress->brokerStatusText().contains(QStringLiteral("as an operator")), 15000);
    QCOMPARE(byAddress->findChild<QComboBox *>(QStringLiteral("connectionSwitcher"))->currentText(), address);

    // Neither: an error naming what was given.
    const std::optional<QString> error = consoles.openAtStart(QStringLiteral("Nowhere at all"));
    QVERIFY(error);
    QVERIFY(error->contains(QStringLiteral("“Nowhere at all”")));
    // Nothing: the last used profile, whose window is open, comes forward.
    QVERIFY(!consoles.openAtStart(QString()));
    QCOMPARE(consoles.windows().size(), 2);
    QVERIFY(!test::visiblePasswordPrompt());
}

void TestConnectionProfiles::screenshots_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestConnectionProfiles::screenshots()
{
    QFETCH(QString, language);
    const QLocale locale(language);
    QLocale::setDefault(locale);
    QVERIFY(ui::installTranslations(locale) || language == QLatin1String("en"));
    auto consoles = newConsoles();
    consoles->profiles().save(test::factoryFloor(8883));
    ui::ConnectionProfile cold;
    cold.name = QStringLiteral("Cold store 冷库");
    cold.host = QStringLiteral("cold.example.com");
    cold.port = 8883;
    cold.tls = true;
    QVERIFY(!consoles->profiles().save(cold).isEmpty());
    ui::ConnectionDialog *dialog = consoles->showConnectionDialog();
    dialog->showError(QStringLiteral("Connecting to “Cold store 冷库” (cold.example.com:8883) failed: the broker refused "
                                     "the user name or password"));
    dialog->layout()->activate();
    QVERIFY(dialog->grab().save(test::screenshotPath(QStringLiteral("connection-dialog-%1.png").arg(language))));
    ui::ProfileEditor *editor = test::typeNewProfile(dialog, QStringLiteral("Factory floor"), QStringLiteral("10.0.0.5"),
                                                     1883, QStringLiteral("ops"));
    QVERIFY(editor && editor->isVisible());
    editor->layout()->activate(); // the problem line just appeared
    QVERIFY(editor->grab().save(test::screenshotPath(QStringLiteral("connection-editor-%1.png").arg(language))));
    editor->reject();
    ui::PasswordPrompt prompt(*consoles->profiles().byName(QStringLiteral("Factory floor")), false);
    prompt.show();
    QVERIFY(prompt.grab().save(test::screenshotPath(QStringLiteral("connection-password-%1.png").arg(language))));
    QLocale::setDefault(QLocale(QLocale::English));
    ui::installTranslations(QLocale(QLocale::English));
}

HERMES_TEST_MAIN(TestConnectionProfiles)
#include "tst_connectionprofiles.moc"
