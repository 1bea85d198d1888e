// Profile passwords in a real system keyring: a private D-Bus session bus with
// gnome-keyring-daemon's Secret Service, unlocked, in a scratch home. A password is stored,
// read back (also by secret-tool, another process), and forgotten; a profile's password typed
// once and remembered lets the next connection to a real hermesd in without asking, and is
// never in the settings file; a remembered password the broker refuses is forgotten, one that
// never reached a broker is kept.
// Skipped where dbus-daemon, gnome-keyring or libsecret is not installed.
#include "../common/hermesdprocess.h"
#include "../common/testmain.h"
#include "connectiontesting.h"
#include "consolewindows.h"
#include "engine/remote/attach.h"
#include "mainwindow.h"
#include "passwordvault.h"
#include "translations.h"

#include <QCheckBox>
#include <QLabel>
#include <QLibrary>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace hermes;
using hermes::test::HermesdProcess;
using hermes::ui::PasswordVault;

class TestPasswordVault : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void storeReadBackAndForget();
    void rememberedPasswordConnectsWithoutAsking();
    void refusedRememberedPasswordIsForgotten();
    void unreachableBrokerKeepsTheRememberedPassword();

private:
    bool secretServiceRunning() const;
    /// The vault's answer (Unavailable when none came within 10 s).
    PasswordVault::Lookup lookup(PasswordVault &vault, const QString &id);
    /// Saves the Factory floor profile for `port` with `password` remembered, connects it from
    /// the connection dialog and returns the failure message (empty when none came).
    QString failedConnectionWithRemembered(ui::ConsoleWindows &consoles, quint16 port, const QByteArray &password,
                                           QString *id);

    QTemporaryDir m_home;
    QProcess m_bus;
    QProcess m_keyring;
    QString m_busAddress;
};

void TestPasswordVault::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_home.filePath(QStringLiteral("settings")));
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_passwordvault"));
    ui::installTranslations(QLocale(QLocale::English));
    const QString dbusDaemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    const QString keyringDaemon = QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
    if (dbusDaemon.isEmpty() || keyringDaemon.isEmpty() || QStandardPaths::findExecutable(QStringLiteral("dbus-send")).isEmpty())
        HERMES_SKIP("no Secret Service to test with (packages dbus-daemon, dbus-bin, gnome-keyring)");
    // QtKeychain loads libsecret at run time; without it there is no Secret Service client.
    if (!QLibrary(QStringLiteral("secret-1"), 0).load())
        HERMES_SKIP("libsecret is not installed (package libsecret-1-0)");

    m_bus.start(dbusDaemon, {QStringLiteral("--session"), QStringLiteral("--nofork"), QStringLiteral("--print-address=1")});
    QVERIFY(m_bus.waitForStarted());
    while (!m_bus.canReadLine())
        QVERIFY2(m_bus.waitForReadyRead(10000), "dbus-daemon printed no address");
    m_busAddress = QString::fromUtf8(m_bus.readLine()).trimmed();
    QVERIFY(!m_busAddress.isEmpty());
    // This process's libsecret connects to the private bus on its first job.
    qputenv("DBUS_SESSION_BUS_ADDRESS", m_busAddress.toUtf8());

    QVERIFY(QDir(m_home.path()).mkpath(QStringLiteral("run")));
    QFile::setPermissions(m_home.filePath(QStringLiteral("run")), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_busAddress);
    environment.insert(QStringLiteral("HOME"), m_home.path());
    environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_home.filePath(QStringLiteral("run")));
    m_keyring.setProcessEnvironment(environment);
    // --unlock makes (or opens) the login keyring with this password, read from stdin.
    m_keyring.start(keyringDaemon, {QStringLiteral("--foreground"), QStringLiteral("--unlock"), QStringLiteral("--components=secrets")});
    QVERIFY(m_keyring.waitForStarted());
    m_keyring.write("keyring-unlock-pass");
    m_keyring.closeWriteChannel();
    QTRY_VERIFY_WITH_TIMEOUT(secretServiceRunning(), 15000);
}

void TestPasswordVault::init()
{
    QSettings().clear();
}

void TestPasswordVault::cleanupTestCase()
{
    for (QProcess *process : {&m_keyring, &m_bus}) {
        if (process->state() == QProcess::NotRunning)
            continue;
        process->terminate();
        if (!process->waitForFinished(5000))
            process->kill();
    }
}

bool TestPasswordVault::secretServiceRunning() const
{
    QProcess ask;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_busAddress);
    ask.setProcessEnvironment(environment);
    ask.start(QStringLiteral("dbus-send"),
              {QStringLiteral("--session"), QStringLiteral("--print-reply"), QStringLiteral("--dest=org.freedesktop.DBus"),
               QStringLiteral("/org/freedesktop/DBus"), QStringLiteral("org.freedesktop.DBus.NameHasOwner"),
               QStringLiteral("string:org.freedesktop.secrets")});
    return ask.waitForFinished(5000) && ask.readAllStandardOutput().contains("boolean true");
}

PasswordVault::Lookup TestPasswordVault::lookup(PasswordVault &vault, const QString &id)
{
    std::optional<PasswordVault::Lookup> answer;
    vault.read(id, this, [&answer](const PasswordVault::Lookup &lookup) { answer = lookup; });
    (void)QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000);
    return answer.value_or(PasswordVault::Lookup{});
}

void TestPasswordVault::storeReadBackAndForget()
{
    PasswordVault vault(QStringLiteral("Hermes console test"));
    QCOMPARE(lookup(vault, QStringLiteral("profile-1")).status, PasswordVault::Status::NotStored);
    std::optional<bool> stored;
    vault.write(QStringLiteral("profile-1"), "pässword 1", this, [&stored](bool ok, const QString &) { stored = ok; });
    QTRY_VERIFY_WITH_TIMEOUT(stored, 10000);
    QVERIFY(*stored);

    // Another vault object, and another process, find it in the Secret Service.
    PasswordVault again(QStringLiteral("Hermes console test"));
    const PasswordVault::Lookup found = lookup(again, QStringLiteral("profile-1"));
    QCOMPARE(found.status, PasswordVault::Status::Found);
    QCOMPARE(found.password, QByteArray("pässword 1"));
    QVERIFY(again.seemsAvailable());
    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (!secretTool.isEmpty()) {
        QProcess tool;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_busAddress);
        tool.setProcessEnvironment(environment);
        tool.start(secretTool, {QStringLiteral("lookup"), QStringLiteral("user"), QStringLiteral("profile-1"),
                                QStringLiteral("server"), QStringLiteral("Hermes console test")});
        QVERIFY(tool.waitForFinished(10000));
        QCOMPARE(tool.readAllStandardOutput(), QByteArray("pässword 1"));
    }

    bool removed = false;
    vault.remove(QStringLiteral("profile-1"), this, [&removed] { removed = true; });
    QTRY_VERIFY_WITH_TIMEOUT(removed, 10000);
    QCOMPARE(lookup(vault, QStringLiteral("profile-1")).status, PasswordVault::Status::NotStored);
}

void TestPasswordVault::rememberedPasswordConnectsWithoutAsking()
{
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    ui::ConsoleWindows consoles(attachFactories(), RemoteEngineOptions{}, QString(), nullptr, QStringLiteral("Hermes console test"));
    consoles.setInteractive(false);
    const QString id = consoles.profiles().save(test::factoryFloor(hermesd.port()));
    QVERIFY(!id.isEmpty());

    // First time: asked, with the keyring offered.
    consoles.connectTo(*consoles.profiles().byId(id), consoles.showConnectionDialog());
    QTRY_VERIFY_WITH_TIMEOUT(test::visiblePasswordPrompt(), 10000);
    auto *remember = test::visiblePasswordPrompt()->findChild<QCheckBox *>(QStringLiteral("rememberPassword"));
    QVERIFY(remember && remember->isChecked());
    QVERIFY(!test::visiblePasswordPrompt()->findChild<QLabel *>(QStringLiteral("keyringUnavailable")));
    QVERIFY(test::answerPasswordPrompt(HermesdProcess::Password));
    QTRY_VERIFY_WITH_TIMEOUT(consoles.windowOf(id), 20000);
    // Written once the broker accepted it.
    QTRY_COMPARE_WITH_TIMEOUT(lookup(consoles.vault(), id).password, HermesdProcess::Password.toUtf8(), 10000);
    QVERIFY(!test::settingsFileBytes().contains(HermesdProcess::Password.toUtf8()));

    // Next time: straight in.
    consoles.windowOf(id)->close();
    bool asked = false;
    connect(&consoles, &ui::ConsoleWindows::windowOpened, this, [&asked] { asked = test::visiblePasswordPrompt() != nullptr; });
    consoles.connectTo(*consoles.profiles().byId(id), consoles.showConnectionDialog());
    QTRY_VERIFY_WITH_TIMEOUT(consoles.windowOf(id), 20000);
    QVERIFY(!asked);
    QVERIFY(!test::visiblePasswordPrompt());
    QTRY_VERIFY_WITH_TIMEOUT(consoles.windowOf(id)->brokerStatusText().contains(QStringLiteral("as an operator")), 10000);
    QVERIFY(!test::settingsFileBytes().contains(HermesdProcess::Password.toUtf8()));
}

QString TestPasswordVault::failedConnectionWithRemembered(ui::ConsoleWindows &consoles, quint16 port,
                                                          const QByteArray &password, QString *id)
{
    consoles.setInteractive(false);
    *id = consoles.profiles().save(test::factoryFloor(port));
    std::optional<bool> stored;
    consoles.vault().write(*id, password, this, [&stored](bool ok, const QString &) { stored = ok; });
    QSignalSpy failed(&consoles, &ui::ConsoleWindows::connectionFailed);
    if (id->isEmpty() || !QTest::qWaitFor([&stored] { return stored.has_value(); }, 10000) || !*stored)
        return {};
    consoles.connectTo(*consoles.profiles().byId(*id), consoles.showConnectionDialog());
    return QTest::qWaitFor([&failed] { return !failed.isEmpty(); }, 20000) ? failed.at(0).at(1).toString() : QString();
}

void TestPasswordVault::refusedRememberedPasswordIsForgotten()
{
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    ui::ConsoleWindows consoles(attachFactories(), RemoteEngineOptions{}, QString(), nullptr, QStringLiteral("Hermes console test"));
    QString id;
    const QString message = failedConnectionWithRemembered(consoles, hermesd.port(), "an-old-password", &id);
    QVERIFY(!test::visiblePasswordPrompt());
    QVERIFY2(message.startsWith(QStringLiteral("Connecting to “Factory floor”")), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("forgotten")));
    QCOMPARE(consoles.showConnectionDialog()->statusText(), message);
    QVERIFY(consoles.windows().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(lookup(consoles.vault(), id).status, PasswordVault::Status::NotStored, 10000);
}

void TestPasswordVault::unreachableBrokerKeepsTheRememberedPassword()
{
    // A port nobody listens on any more: the broker is down, the password may well be right.
    HermesdProcess hermesd;
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    const quint16 port = hermesd.port();
    hermesd.stop();
    ui::ConsoleWindows consoles(attachFactories(), RemoteEngineOptions{}, QString(), nullptr, QStringLiteral("Hermes console test"));
    QString id;
    const QString message = failedConnectionWithRemembered(consoles, port, "the-right-password", &id);
    QVERIFY2(message.startsWith(QStringLiteral("Connecting to “Factory floor”")), qPrintable(message));
    QVERIFY2(!message.contains(QStringLiteral("forgotten")), qPrintable(message));
    const PasswordVault::Lookup kept = lookup(consoles.vault(), id);
    QCOMPARE(kept.status, PasswordVault::Status::Found);
    QCOMPARE(kept.password, QByteArray("the-right-password"));
}

HERMES_TEST_MAIN(TestPasswordVault)
#include "tst_passwordvault.moc"
