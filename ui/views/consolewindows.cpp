#include "consolewindows.h"

#include "connectiondialog.h"
#include "mainwindow.h"

#include <QApplication>
#include <QMessageBox>
#include <QTimer>

namespace hermes::ui {

namespace {

/// A probe takes at most a few seconds on loopback; its event loop keeps the windows painting.
struct WaitCursor {
    WaitCursor() { QApplication::setOverrideCursor(Qt::WaitCursor); }
    ~WaitCursor() { QApplication::restoreOverrideCursor(); }
    WaitCursor(const WaitCursor &) = delete;
    WaitCursor &operator=(const WaitCursor &) = delete;
};

} // namespace

ConsoleWindows::ConsoleWindows(EngineFactories engines, RemoteEngineOptions account, QString localSocket,
                               QObject *parent, const QString &vaultService)
    : QObject(parent)
    , m_engines(std::move(engines))
    , m_account(std::move(account))
    , m_localSocket(std::move(localSocket))
    , m_vault(vaultService)
{
    Q_ASSERT(m_engines.attach && m_engines.attachToLocal);
}

ConsoleWindows::~ConsoleWindows()
{
    // The dialog is a window of its own (no parent) that works on the profiles and the vault
    // held here: it goes first.
    delete m_dialog.data();
}

MainWindow *ConsoleWindows::open(std::unique_ptr<EngineMonitor> engine, const QString &profileId)
{
    EngineMonitor &started = *engine;
    m_consoles.push_back({std::move(engine), nullptr, profileId});
    MainWindow *shown = show(m_consoles.back());
    started.start();
    return shown;
}

MainWindow *ConsoleWindows::show(Console &console)
{
    console.window = std::make_unique<MainWindow>(*console.engine);
    MainWindow *shown = console.window.get();
    shown->setInteractive(m_interactive);
    shown->setProfile(&m_profiles, console.profileId);
    connect(shown, &MainWindow::attachRequested, this,
            [this, shown](const ListenAddress &address) { attach(shown, address); });
    // Queued: the probe runs an event loop, which must not happen inside a menu's action.
    connect(shown, &MainWindow::attachToAddressRequested, this, &ConsoleWindows::openAttached, Qt::QueuedConnection);
    connect(shown, &MainWindow::connectDialogRequested, this, [this, shown] { showConnectionDialog(shown); });
    // Queued like the attach request; the window may be gone by then.
    connect(shown, &MainWindow::profileRequested, this, [this, window = QPointer<MainWindow>(shown)](const QString &id) {
        if (const std::optional<ConnectionProfile> profile = m_profiles.byId(id))
            connectTo(*profile, window);
    }, Qt::QueuedConnection);
    shown->installEventFilter(this);
    shown->show();
    emit windowOpened(shown);
    return shown;
}

bool ConsoleWindows::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Close) {
        // A closed window lets go of its broker (the embedded one stops, an attached one
        // detaches); not now, as this runs inside the window's own close.
        auto *window = static_cast<MainWindow *>(watched);
        dropLater([window](const Console &console) { return console.window.get() == window && !window->isVisible(); });
    }
    return QObject::eventFilter(watched, event);
}

QList<MainWindow *> ConsoleWindows::windows() const
{
    QList<MainWindow *> result;
    for (const Console &console : m_consoles) {
        if (console.window)
            result.append(console.window.get());
    }
    return result;
}

MainWindow *ConsoleWindows::windowOf(const QString &profileId) const
{
    for (const Console &console : m_consoles) {
        if (console.window && console.profileId == profileId && console.window->isVisible())
            return console.window.get();
    }
    return nullptr;
}

bool ConsoleWindows::connecting(const QString &profileId) const
{
    return std::any_of(m_consoles.cbegin(), m_consoles.cend(), [&profileId](const Console &console) {
        return !console.window && console.profileId == profileId;
    });
}

void ConsoleWindows::setInteractive(bool interactive)
{
    m_interactive = interactive;
    for (MainWindow *window : windows())
        window->setInteractive(interactive);
}

void ConsoleWindows::connectTo(const ConnectionProfile &profile, QWidget *asker)
{
    auto *dialog = qobject_cast<ConnectionDialog *>(asker);
    if (MainWindow *window = windowOf(profile.id)) {
        window->raise();
        window->activateWindow();
        m_profiles.setLastUsed(profile.id);
        if (dialog)
            dialog->accept();
        return;
    }
    if (profile.isEmbedded()) {
        if (!m_engines.embedded)
            return;
        open(m_engines.embedded(), profile.id);
        m_profiles.setLastUsed(profile.id);
        if (dialog)
            dialog->accept();
        return;
    }
    if (connecting(profile.id))
        return;
    if (dialog)
        dialog->showConnecting(profile);
    if (profile.userName.isEmpty()) {
        attachProfile(profile, {}, PasswordSource::None, asker);
        return;
    }
    m_vault.read(profile.id, this, [this, profile, asker = QPointer<QWidget>(asker)](const PasswordVault::Lookup &lookup) {
        if (lookup.status == PasswordVault::Status::Found)
            attachProfile(profile, lookup.password, PasswordSource::Keyring, asker);
        else
            askPassword(profile, lookup.status == PasswordVault::Status::NotStored, asker);
    });
}

void ConsoleWindows::askPassword(const ConnectionProfile &profile, bool keyringAvailable, QWidget *asker)
{
    auto *prompt = new PasswordPrompt(profile, keyringAvailable, asker);
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    connect(prompt, &QDialog::accepted, this, [this, prompt, profile, asker = QPointer<QWidget>(asker)] {
        attachProfile(profile, prompt->password(),
                      prompt->remember() ? PasswordSource::TypedToRemember : PasswordSource::Typed, asker);
    });
    connect(prompt, &QDialog::rejected, this, [asker = QPointer<QWidget>(asker)] {
        if (auto *dialog = qobject_cast<ConnectionDialog *>(asker.data()))
            dialog->showError(ConnectionDialog::tr("Not connected: no password given."));
    });
    prompt->open();
}

void ConsoleWindows::attachProfile(const ConnectionProfile &profile, const QByteArray &password, PasswordSource source,
                                   QWidget *asker)
{
    std::unique_ptr<EngineMonitor> engine;
    {
        const WaitCursor busy;
        engine = m_engines.attach(profile.toRemoteOptions(password));
    }
    EngineMonitor *raw = engine.get();
    const Pending pending{profile, asker, source, source == PasswordSource::TypedToRemember ? password : QByteArray()};
    connect(raw, &EngineMonitor::credentialsRefused, this, [refused = pending.refused] { *refused = true; });
    connect(raw, &EngineMonitor::started, this, [this, raw, pending] { onProfileStarted(raw, pending); });
    connect(raw, &EngineMonitor::startFailed, this,
            [this, raw, pending](const QString &reason) { onProfileFailed(raw, pending, reason); });
    m_consoles.push_back({std::move(engine), nullptr, profile.id});
    raw->start();
}

void ConsoleWindows::onProfileStarted(EngineMonitor *engine, Pending pending)
{
    disconnect(engine, nullptr, this, nullptr);
    const auto console = std::find_if(m_consoles.begin(), m_consoles.end(),
                                      [engine](const Console &c) { return c.engine.get() == engine; });
    if (console == m_consoles.end())
        return;
    show(*console);
    m_profiles.setLastUsed(pending.profile.id);
    // Kept only once it proved right: a mistyped password is not remembered.
    if (pending.source == PasswordSource::TypedToRemember)
        m_vault.write(pending.profile.id, pending.password, this);
    if (auto *dialog = qobject_cast<ConnectionDialog *>(pending.asker.data()))
        dialog->accept();
}

void ConsoleWindows::onProfileFailed(EngineMonitor *engine, Pending pending, const QString &reason)
{
    disconnect(engine, nullptr, this, nullptr);
    // Not now: this runs inside one of the engine's own signals.
    dropLater([engine](const Console &console) { return console.engine.get() == engine; });
    QString message = ConnectionDialog::tr("Connecting to “%1” (%2) failed: %3")
                          .arg(pending.profile.name, pending.profile.address(), reason);
    if (pending.source == PasswordSource::Keyring && *pending.refused) {
        // A remembered password the broker refused is asked for again next time; an
        // unreachable broker says nothing about the password.
        m_vault.remove(pending.profile.id);
        message += QLatin1Char(' ')
            + ConnectionDialog::tr("The remembered password was forgotten; the console asks for it next time.");
    }
    emit connectionFailed(pending.profile.id, message);
    if (auto *dialog = qobject_cast<ConnectionDialog *>(pending.asker.data())) {
        dialog->showError(message);
        return;
    }
    const QList<MainWindow *> open = windows();
    QWidget *parent = pending.asker ? pending.asker.data() : (open.isEmpty() ? nullptr : open.constFirst());
    if (!parent) {
        // Nothing else is open: the connection dialog is where to choose again.
        showConnectionDialog()->showError(message);
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Warning, ConnectionDialog::tr("Could not connect"), message,
                                QMessageBox::Close, parent);
    box->setObjectName(QStringLiteral("connectionFailedBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ConsoleWindows::dropLater(std::function<bool(const Console &)> which)
{
    QTimer::singleShot(0, this, [this, which = std::move(which)] { std::erase_if(m_consoles, which); });
}

std::optional<QString> ConsoleWindows::openAtStart(const QString &target)
{
    std::optional<ConnectionProfile> profile = target.isEmpty() ? m_profiles.lastUsed() : m_profiles.byName(target);
    if (profile) {
        // A connection that needs a password or may fail starts from the dialog, so there is
        // always a window to answer in.
        connectTo(*profile, profile->isEmbedded() ? nullptr : showConnectionDialog());
        return std::nullopt;
    }
    std::optional<RemoteEngineOptions> options = parseAttachAddress(target);
    if (!options)
        return ConnectionDialog::tr("“%1” is neither a connection profile nor HOST:PORT, mqtts://HOST:PORT or unix:PATH (e.g. 10.0.0.5:1883).")
            .arg(target);
    options->userName = m_account.userName;
    options->password = m_account.password;
    open(m_engines.attach(*options));
    return std::nullopt;
}

ConnectionDialog *ConsoleWindows::showConnectionDialog(QWidget *parent)
{
    if (!m_dialog) {
        m_dialog = new ConnectionDialog(m_profiles, m_vault, parent);
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_dialog, &ConnectionDialog::connectRequested, this, [this](const QString &id) {
            if (const std::optional<ConnectionProfile> profile = m_profiles.byId(id))
                connectTo(*profile, m_dialog);
        }, Qt::QueuedConnection);
    }
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
    return m_dialog;
}

void ConsoleWindows::attach(MainWindow *from, const ListenAddress &address)
{
    std::unique_ptr<EngineMonitor> engine;
    {
        const WaitCursor busy;
        engine = m_engines.attachToLocal(address, m_account, m_localSocket);
    }
    MainWindow *next = open(std::move(engine));
    next->setGeometry(from->geometry());
    // Opened before the old one closes, so the application never runs out of windows.
    from->close();
}

void ConsoleWindows::openAttached(const QString &address)
{
    std::optional<RemoteEngineOptions> options = parseAttachAddress(address);
    if (!options)
        return;
    if (options->localPath.isEmpty()) {
        options->userName = m_account.userName;
        options->password = m_account.password;
    }
    std::unique_ptr<EngineMonitor> engine;
    {
        const WaitCursor busy;
        engine = m_engines.attach(*options);
    }
    open(std::move(engine));
}

} // namespace hermes::ui
