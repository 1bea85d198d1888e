#pragma once
/// The console's main window: the embedded broker's state and every view as a dock.

#include "engine/api/monitor.h"
#include "theme.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>

#include <optional>

class QAction;
class QActionGroup;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;

class QToolBar;
class QToolButton;

namespace hermes::ui {

class ConnectionProfiles;
class DashboardView;
class MessagesView;
class NetworksView;
class PushDialog;
class PushesView;
class SchemaLibrary;
class SchemaManager;
class SessionsView;
class SessionDetailView;
class SimulatorView;
class TopicsView;
class ValueChartsView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `monitor` must outlive the window; the caller starts it.
    explicit MainWindow(EngineMonitor &monitor, QWidget *parent = nullptr);

    /// Shows blocking questions and notes (database trouble, language); tests turn this
    /// off. The "broker could not start" box never blocks and is shown either way.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    DashboardView *dashboard() const { return m_dashboard; }
    MessagesView *messages() const { return m_messages; }
    SessionsView *sessions() const { return m_sessions; }
    SessionDetailView *sessionDetail() const { return m_sessionDetail; }
    TopicsView *topics() const { return m_topics; }
    PushesView *pushes() const { return m_pushes; }
    SimulatorView *simulator() const { return m_simulator; }
    NetworksView *networks() const { return m_networks; }
    SchemaLibrary *schemas() const { return m_schemas; }
    ValueChartsView *valueCharts() const { return m_valueCharts; }
    /// The status bar's broker text ("Listening on 127.0.0.1:1883").
    QString brokerStatusText() const;
    /// The box explaining why the broker did not start, while it is open.
    QMessageBox *startProblemBox() const { return m_startProblemBox; }

    /// Opens a push dialog, aimed at `clientId`'s push topic when given.
    PushDialog *openPushDialog(const QString &clientId);
    /// Opens a push dialog aimed at these devices (none: an empty composer).
    PushDialog *openPushDialog(const QStringList &clientIds);

    /// The language setting: "" follows the system, else "zh_CN" or "en".
    static QString languageSetting();
    /// The locale a language setting stands for.
    static QLocale localeFor(const QString &code);
    /// Saves the setting and switches the running console: translators are replaced and
    /// every widget that handles QEvent::LanguageChange retranslates at once.
    void chooseLanguage(const QString &code);
    /// Saves and applies a theme (System follows the desktop's colour scheme).
    void chooseTheme(Theme theme);

    /// Files the console wrote or opened, newest first, at most MaxRecentFiles (persisted).
    static constexpr int MaxRecentFiles = 8;
    static QStringList recentFiles();
    void addRecentFile(const QString &path);

    /// File → Attach to broker…: asks for HOST:PORT or unix:PATH and, when it parses, asks
    /// for a window attached to that broker beside this one; false (and a note when
    /// interactive) for an address that does not parse.
    bool attachTo(const QString &address);

    /// The connection profile this window shows (empty: a bare address), named in the
    /// title and in errors; `profiles` fills the toolbar's switcher (not owned).
    void setProfile(ConnectionProfiles *profiles, const QString &profileId);
    QString profileId() const { return m_profileId; }
    /// "“Factory floor” (10.0.0.5:8883)" for a profile's window, else the broker's address.
    QString brokerName() const;

signals:
    /// "Attach to it": the embedded broker could not start because another broker holds
    /// `address`; the console should show that broker instead.
    void attachRequested(const hermes::ListenAddress &address);
    /// A window attached to `address` (HOST:PORT or unix:PATH) should open beside this one.
    void attachToAddressRequested(const QString &address);
    /// File → Connect…: the connection profiles should be shown.
    void connectDialogRequested();
    /// The switcher chose another profile: its window should open or come forward.
    void profileRequested(const QString &profileId);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildMenus();
    void retranslateUi();
    void rebuildSwitcher();
    void rebuildRecentMenu();
    QDockWidget *addView(QWidget *view, const QString &objectName, Qt::DockWidgetArea area, bool scrollable = false);
    void applyDefaultSizes();
    void onStarted(const QList<ListenAddress> &addresses);
    void onStartFailed(const QString &reason);
    void onStopped();
    void onTelemetry(const TelemetryBatch &batch);
    void askForListenAddress();
    void askForAnotherPort();
    void updateBrokerControls();
    void updateAttachedControls(const QString &broker, bool running);
    void showMissingFeatures();
    void retranslateFeatureNotices();
    /// Why the engine has no operator rights through the administration socket, translated;
    /// empty when it does not say.
    QString attachNoteText() const;
    void updatePushSelectedAction();
    void restoreLayout();
    void resetLayout();
    void saveLayout();

    EngineMonitor &m_monitor;
    DashboardView *m_dashboard;
    MessagesView *m_messages;
    SessionsView *m_sessions;
    SessionDetailView *m_sessionDetail;
    TopicsView *m_topics;
    SchemaLibrary *m_schemas;
    PushesView *m_pushes;
    SchemaManager *m_schemaManager;
    QDockWidget *m_dashboardDock = nullptr;
    QDockWidget *m_messagesDock = nullptr;
    QDockWidget *m_detailDock = nullptr;
    QDockWidget *m_topicsDock = nullptr;
    QDockWidget *m_pushesDock = nullptr;
    QDockWidget *m_schemasDock = nullptr;
    QDockWidget *m_simulatorDock = nullptr;
    QDockWidget *m_valueChartsDock = nullptr;
    QDockWidget *m_networksDock = nullptr;
    ValueChartsView *m_valueCharts = nullptr;
    SimulatorView *m_simulator = nullptr;
    NetworksView *m_networks = nullptr;
    QLabel *m_brokerLabel;
    QToolButton *m_brokerButton;
    QLabel *m_countersLabel;
    QMenu *m_fileMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_pushMenu = nullptr;
    QMenu *m_brokerMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QMenu *m_themeMenu = nullptr;
    QActionGroup *m_themeGroup = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_attachAction = nullptr;
    QAction *m_connectAction = nullptr;
    QToolBar *m_connectionBar = nullptr;
    QLabel *m_switcherLabel = nullptr;
    QComboBox *m_switcher = nullptr;
    ConnectionProfiles *m_profiles = nullptr;
    QString m_profileId;
    QAction *m_newPushAction = nullptr;
    QAction *m_pushSelectedAction = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_listenAction = nullptr;
    QAction *m_accountsAction = nullptr;
    QAction *m_resetLayoutAction = nullptr;
    QAction *m_followSystemAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QActionGroup *m_languageGroup = nullptr;
    QPointer<QMessageBox> m_startProblemBox;
    QByteArray m_defaultState;
    /// The broker text is rebuilt from this on a language change.
    enum class BrokerState { Starting, Listening, Failed, PortTaken, Stopping, Stopped } m_brokerState = BrokerState::Starting;
    QString m_linkProblem;           ///< an attached broker's lost link, while it is retried
    QList<QLabel *> m_featureNotices; ///< in place of views the engine cannot feed
    QList<ListenAddress> m_listening;
    QString m_failure;
    /// Set by the engine just before a failed start when another program holds the address.
    std::optional<ListenAddress> m_takenAddress;
    BrokerCounters m_counters;
    bool m_haveCounters = false;
    bool m_restartPending = false;
    bool m_interactive = true;
    bool m_firstShow = true;
    bool m_restoredState = false; ///< a saved layout was restored: keep its sizes
};

} // namespace hermes::ui
