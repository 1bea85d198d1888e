#pragma once
/// The console's open windows, each with the engine it shows. The first shows the embedded
/// broker, the last used connection profile or the broker named on the command line;
/// "Attach to it" replaces a window whose embedded broker could not start (its port held,
/// typically by the hermesd service) with one attached to the broker holding the port;
/// File → Attach to broker… and File → Connect… open other windows beside the others, so
/// several brokers are watched at once (one window per connection profile). A closed window
/// lets go of its engine: the embedded broker stops, an attached one is detached.

#include "connectionprofiles.h"
#include "passwordvault.h"

#include "engine/api/enginefactories.h"
#include "engine/api/monitor.h"
#include "engine/remote/attachoptions.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace hermes::ui {

class ConnectionDialog;
class MainWindow;

class ConsoleWindows : public QObject
{
    Q_OBJECT
public:
    /// `engines`: how the "Embedded broker" profile, the other profiles, addresses and
    /// "Attach to it" make their engines (the console links no engine; attach and
    /// attachToLocal must be set). `account`: who "Attach to it" and a bare address log in
    /// as over TCP when the local admin socket does not make this user an operator
    /// ($HERMES_USER / $HERMES_PASSWORD); `localSocket`: the packaged service's admin
    /// socket, tried first. `vaultService` names the keyring entries of profile passwords.
    ConsoleWindows(EngineFactories engines, RemoteEngineOptions account, QString localSocket,
                   QObject *parent = nullptr, const QString &vaultService = QStringLiteral("Hermes console"));
    ~ConsoleWindows() override;

    /// Shows a window for `engine` (the profile `profileId`'s, or none) and starts the engine.
    MainWindow *open(std::unique_ptr<EngineMonitor> engine, const QString &profileId = {});
    QList<MainWindow *> windows() const;
    /// The open window of a profile, or nullptr.
    MainWindow *windowOf(const QString &profileId) const;
    /// Passed on to every window (tests turn blocking questions off).
    void setInteractive(bool interactive);

    ConnectionProfiles &profiles() { return m_profiles; }
    PasswordVault &vault() { return m_vault; }

    /// Raises the profile's window, or connects: the password from the keyring, else asked
    /// (a dialog parented to `asker`); the window opens once the broker accepted the
    /// connection. A failure names the profile and is shown to `asker` (the connection
    /// dialog's status line, or a box), and leaves no window behind.
    void connectTo(const ConnectionProfile &profile, QWidget *asker = nullptr);
    /// What the console opens at start: `target` empty, the last used profile; a profile's
    /// name; else HOST:PORT or unix:PATH with the account given to the constructor. The
    /// error to print when `target` is none of these.
    std::optional<QString> openAtStart(const QString &target);
    /// File → Connect…: the one connection dialog, raised when already open.
    ConnectionDialog *showConnectionDialog(QWidget *parent = nullptr);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    void windowOpened(hermes::ui::MainWindow *window);
    /// A profile's connection failed; `message` names it ("Connecting to “X” (host:port) failed: …").
    void connectionFailed(const QString &profileId, const QString &message);

private:
    enum class PasswordSource : quint8 { None, Keyring, Typed, TypedToRemember };
    struct Console {
        std::unique_ptr<EngineMonitor> engine; // outlives its window: declared first
        std::unique_ptr<MainWindow> window;    // null while the connection is being made
        QString profileId;
    };
    struct Pending {
        ConnectionProfile profile;
        QPointer<QWidget> asker;
        PasswordSource source = PasswordSource::None;
        QByteArray password; ///< only until it is remembered or the attempt ends
        /// Set when the broker refused the credentials, as opposed to being unreachable.
        std::shared_ptr<bool> refused = std::make_shared<bool>(false);
    };
    MainWindow *show(Console &console);
    void askPassword(const ConnectionProfile &profile, bool keyringAvailable, QWidget *asker);
    void attachProfile(const ConnectionProfile &profile, const QByteArray &password, PasswordSource source,
                       QWidget *asker);
    void onProfileStarted(EngineMonitor *engine, Pending pending);
    void onProfileFailed(EngineMonitor *engine, Pending pending, const QString &reason);
    void attach(MainWindow *from, const ListenAddress &address);
    void openAttached(const QString &address);
    /// Destroys the consoles `which` picks on the next event-loop turn.
    void dropLater(std::function<bool(const Console &)> which);
    bool connecting(const QString &profileId) const;

    EngineFactories m_engines;
    RemoteEngineOptions m_account;
    QString m_localSocket;
    ConnectionProfiles m_profiles;
    PasswordVault m_vault;
    QPointer<ConnectionDialog> m_dialog;
    bool m_interactive = true;
    std::vector<Console> m_consoles;
};

} // namespace hermes::ui
