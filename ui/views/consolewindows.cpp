#include "consolewindows.h"

#include "mainwindow.h"

#include "engine/remote/attach.h"

#include <QApplication>
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

ConsoleWindows::ConsoleWindows(RemoteEngineOptions account, QString localSocket, QObject *parent)
    : QObject(parent)
    , m_account(std::move(account))
    , m_localSocket(std::move(localSocket))
{
}

ConsoleWindows::~ConsoleWindows() = default;

MainWindow *ConsoleWindows::open(std::unique_ptr<EngineMonitor> engine)
{
    auto window = std::make_unique<MainWindow>(*engine);
    MainWindow *shown = window.get();
    shown->setInteractive(m_interactive);
    connect(shown, &MainWindow::attachRequested, this,
            [this, shown](const ListenAddress &address) { attach(shown, address); });
    // Queued: the probe runs an event loop, which must not happen inside a menu's action.
    connect(shown, &MainWindow::attachToAddressRequested, this, &ConsoleWindows::openAttached, Qt::QueuedConnection);
    EngineMonitor &started = *engine;
    m_consoles.push_back({std::move(engine), std::move(window)});
    shown->show();
    started.start();
    emit windowOpened(shown);
    return shown;
}

QList<MainWindow *> ConsoleWindows::windows() const
{
    QList<MainWindow *> result;
    for (const Console &console : m_consoles)
        result.append(console.window.get());
    return result;
}

void ConsoleWindows::setInteractive(bool interactive)
{
    m_interactive = interactive;
    for (const Console &console : m_consoles)
        console.window->setInteractive(interactive);
}

void ConsoleWindows::attach(MainWindow *from, const ListenAddress &address)
{
    std::unique_ptr<EngineMonitor> engine;
    {
        const WaitCursor busy;
        engine = attachToLocalBroker(address, m_account, m_localSocket);
    }
    MainWindow *next = open(std::move(engine));
    next->setGeometry(from->geometry());
    // Opened before the old one closes, so the application never runs out of windows.
    closeLater(from);
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
        engine = attachEngine(*options);
    }
    open(std::move(engine));
}

void ConsoleWindows::closeLater(MainWindow *window)
{
    window->close();
    // Not now: this runs inside one of the window's own signals.
    QTimer::singleShot(0, this, [this, window] {
        std::erase_if(m_consoles, [window](const Console &console) { return console.window.get() == window; });
    });
}

} // namespace hermes::ui
