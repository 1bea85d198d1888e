#pragma once
/// The console's open windows, each with the engine it shows. The first shows the embedded
/// broker or the one named on the command line; "Attach to it" replaces a window whose
/// embedded broker could not start (its port held, typically by the hermesd service) with
/// one attached to the broker holding the port; File → Attach to broker… opens another
/// window beside the others, so several brokers are watched at once.

#include "engine/api/monitor.h"
#include "engine/remote/remoteengine.h"

#include <QObject>

#include <memory>
#include <vector>

namespace hermes::ui {

class MainWindow;

class ConsoleWindows : public QObject
{
    Q_OBJECT
public:
    /// `account`: who "Attach to it" logs in as over TCP when the local admin socket does not
    /// make this user an operator ($HERMES_USER / $HERMES_PASSWORD); `localSocket`: the
    /// packaged service's admin socket, tried first.
    ConsoleWindows(RemoteEngineOptions account, QString localSocket, QObject *parent = nullptr);
    ~ConsoleWindows() override;

    /// Shows a window for `engine` and starts the engine.
    MainWindow *open(std::unique_ptr<EngineMonitor> engine);
    QList<MainWindow *> windows() const;
    /// Passed on to every window (tests turn blocking questions off).
    void setInteractive(bool interactive);

signals:
    void windowOpened(hermes::ui::MainWindow *window);

private:
    struct Console {
        std::unique_ptr<EngineMonitor> engine; // outlives its window: declared first
        std::unique_ptr<MainWindow> window;
    };
    void attach(MainWindow *from, const ListenAddress &address);
    void openAttached(const QString &address);
    void closeLater(MainWindow *window);

    RemoteEngineOptions m_account;
    QString m_localSocket;
    bool m_interactive = true;
    std::vector<Console> m_consoles;
};

} // namespace hermes::ui
