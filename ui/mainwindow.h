#pragma once
/// The console's main window: the embedded broker's state and every view as a dock.

#include "engine/monitor.h"

#include <QMainWindow>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;

namespace hermes::ui {

class DashboardView;
class MessagesView;
class PushDialog;
class SessionsView;
class SessionDetailView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `monitor` must outlive the window; the caller starts it.
    explicit MainWindow(EngineMonitor &monitor, QWidget *parent = nullptr);

    /// Asks before replacing a port that is taken; tests turn this off.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    DashboardView *dashboard() const { return m_dashboard; }
    MessagesView *messages() const { return m_messages; }
    SessionsView *sessions() const { return m_sessions; }
    SessionDetailView *sessionDetail() const { return m_sessionDetail; }
    /// The status bar's broker text ("Listening on 127.0.0.1:1883").
    QString brokerStatusText() const;

    /// Opens a push dialog, aimed at `clientId`'s push topic when given.
    PushDialog *openPushDialog(const QString &clientId);

    /// The language setting: "" follows the system, else "zh_CN" or "en".
    static QString languageSetting();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    QDockWidget *addView(QWidget *view, const QString &title, const QString &objectName, Qt::DockWidgetArea area);
    void onStarted(const QList<ListenAddress> &addresses);
    void onStartFailed(const QString &reason);
    void onStopped();
    void onTelemetry(const TelemetryBatch &batch);
    void chooseLanguage(const QString &code);
    void restoreLayout();

    EngineMonitor &m_monitor;
    DashboardView *m_dashboard;
    MessagesView *m_messages;
    SessionsView *m_sessions;
    SessionDetailView *m_sessionDetail;
    QDockWidget *m_detailDock = nullptr;
    QLabel *m_brokerLabel;
    QLabel *m_countersLabel;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QMenu *m_viewMenu = nullptr;
    bool m_interactive = true;
};

} // namespace hermes::ui
