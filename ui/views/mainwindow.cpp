#include "mainwindow.h"

#include "dashboardview.h"
#include "messagesview.h"
#include "networksview.h"
#include "payloadinspector.h"
#include "valuecharts.h"
#include "accountsdialog.h"
#include "connectionprofiles.h"
#include "pushdialog.h"
#include "pushesview.h"
#include "schemalibrary.h"
#include "schemamanager.h"
#include "sessiondetailview.h"
#include "sessionsview.h"
#include "simulatorview.h"
#include "topicsview.h"
#include "translations.h"

#include "engine/remote/attachoptions.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>

namespace hermes::ui {

namespace {
const QString LanguageKey = QStringLiteral("ui/language");
const QString GeometryKey = QStringLiteral("ui/geometry");
const QString StateKey = QStringLiteral("ui/state");
const QString RecentKey = QStringLiteral("ui/recentFiles");
/// Bumped when the docks change, so an old saved layout does not hide a new dock.
constexpr int LayoutVersion = 7;
} // namespace

MainWindow::MainWindow(EngineMonitor &monitor, QWidget *parent)
    : QMainWindow(parent)
    , m_monitor(monitor)
    , m_dashboard(new DashboardView(monitor, this))
    , m_messages(new MessagesView(monitor, this))
    , m_sessions(new SessionsView(monitor, this))
    , m_sessionDetail(new SessionDetailView(monitor, this))
    , m_topics(new TopicsView(monitor, this))
    , m_schemas(new SchemaLibrary(QStringLiteral("schemas"), this))
    , m_pushes(new PushesView(monitor, this))
    , m_schemaManager(new SchemaManager(m_schemas, this))
    , m_brokerLabel(new QLabel(this))
    , m_brokerButton(new QToolButton(this))
    , m_countersLabel(new QLabel(this))
{
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    setCentralWidget(m_sessions);
    // The detail takes the full height at the right (it is tall: header, timeline, tables).
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
    setCorner(Qt::TopRightCorner, Qt::RightDockWidgetArea);
    m_dashboardDock = addView(m_dashboard, QStringLiteral("dashboardDock"), Qt::BottomDockWidgetArea, true);
    m_messagesDock = addView(m_messages, QStringLiteral("messagesDock"), Qt::BottomDockWidgetArea);
    m_topicsDock = addView(m_topics, QStringLiteral("topicsDock"), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_dashboardDock, m_messagesDock);
    m_pushesDock = addView(m_pushes, QStringLiteral("pushesDock"), Qt::BottomDockWidgetArea);
    tabifyDockWidget(m_messagesDock, m_topicsDock);
    tabifyDockWidget(m_topicsDock, m_pushesDock);
    m_simulator = new SimulatorView(monitor, this);
    m_simulatorDock = addView(m_simulator, QStringLiteral("simulatorDock"), Qt::BottomDockWidgetArea, true);
    tabifyDockWidget(m_pushesDock, m_simulatorDock);
    m_networks = new NetworksView(monitor, this);
    m_networksDock = addView(m_networks, QStringLiteral("networksDock"), Qt::BottomDockWidgetArea, true);
    tabifyDockWidget(m_simulatorDock, m_networksDock);
    m_dashboardDock->raise();
    m_detailDock = addView(m_sessionDetail, QStringLiteral("sessionDetailDock"), Qt::RightDockWidgetArea);
    m_schemasDock = addView(m_schemaManager, QStringLiteral("schemasDock"), Qt::RightDockWidgetArea);
    tabifyDockWidget(m_detailDock, m_schemasDock);
    m_detailDock->raise();
    m_messages->setSchemaLibrary(m_schemas);
    m_valueCharts = new ValueChartsView(monitor, m_schemas, &m_messages->sparkplugAliases(), this);
    m_valueChartsDock = addView(m_valueCharts, QStringLiteral("valueChartsDock"), Qt::BottomDockWidgetArea, true);
    tabifyDockWidget(m_messagesDock, m_valueChartsDock);
    m_dashboardDock->raise();
    connect(m_messages->inspector(), &PayloadInspector::pinRequested, this,
            [this](const QString &topic, const QString &field, bool newChart) {
        m_valueCharts->addPin(ValuePin{topic, field, newChart ? m_valueCharts->chartCount() : 0},
                              m_messages->allMessages());
        m_valueChartsDock->show();
        m_valueChartsDock->raise();
    });
    connect(m_pushes, &PushesView::composeRequested, this, [this] { openPushDialog(QStringList()); });
    connect(m_sessions, &SessionsView::pushRequested, this,
            qOverload<const QStringList &>(&MainWindow::openPushDialog));
    connect(m_sessionDetail, &SessionDetailView::pushRequested, this,
            qOverload<const QString &>(&MainWindow::openPushDialog));
    // The detail follows the selection (click or keys), as Wireshark's packet details do;
    // activating a row also brings the detail forward.
    connect(m_sessions, &SessionsView::currentSessionChanged, m_sessionDetail, &SessionDetailView::showSession);
    connect(m_sessions, &SessionsView::sessionActivated, this, [this](const QString &clientId) {
        m_detailDock->show();
        m_detailDock->raise();
        m_sessionDetail->showSession(clientId);
    });
    connect(m_sessions, &SessionsView::selectionChanged, this, &MainWindow::updatePushSelectedAction);
    connect(m_sessionDetail, &SessionDetailView::traceExported, this, &MainWindow::addRecentFile);
    connect(m_messages, &MessagesView::exported, this, &MainWindow::addRecentFile);

    m_brokerLabel->setObjectName(QStringLiteral("brokerStatus"));
    m_brokerButton->setObjectName(QStringLiteral("brokerToggle"));
    m_brokerButton->setAutoRaise(true);
    connect(m_brokerButton, &QToolButton::clicked, this, [this] {
        if (m_monitor.isRunning()) {
            m_brokerState = BrokerState::Stopping;
            m_monitor.stop();
        } else {
            m_brokerState = BrokerState::Starting;
            m_monitor.start();
        }
        updateBrokerControls();
    });
    m_countersLabel->setObjectName(QStringLiteral("brokerCounters"));
    statusBar()->addWidget(m_brokerLabel, 1);
    statusBar()->addPermanentWidget(m_countersLabel);
    statusBar()->addPermanentWidget(m_brokerButton);

    buildMenus();
    connect(&m_monitor, &EngineMonitor::started, this, &MainWindow::onStarted);
    connect(&m_monitor, &EngineMonitor::listenAddressTaken, this,
            [this](const ListenAddress &address) { m_takenAddress = address; });
    connect(&m_monitor, &EngineMonitor::startFailed, this, &MainWindow::onStartFailed);
    connect(&m_monitor, &EngineMonitor::stopped, this, &MainWindow::onStopped);
    connect(&m_monitor, &EngineMonitor::telemetry, this, &MainWindow::onTelemetry);
    connect(&m_monitor, &EngineMonitor::linkChanged, this, [this](bool up, const QString &detail) {
        m_linkProblem = up ? QString() : detail;
        updateBrokerControls();
    });
    connect(&m_monitor, &EngineMonitor::storeError, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Database problem: %1").arg(message));
        if (m_interactive)
            QMessageBox::warning(this, tr("Database problem"),
                                 tr("The broker cannot write its database:\n%1\n\nAcknowledgements are held "
                                    "until the database accepts writes again; nothing is dropped.")
                                     .arg(message));
    });
    if (m_monitor.isRunning()) {
        m_brokerState = BrokerState::Listening;
        m_listening = m_monitor.configuredListenAddresses();
    }
    showMissingFeatures();
    retranslateUi();
    resize(1400, 900);
    m_defaultState = saveState(LayoutVersion);
    restoreLayout();
}

QDockWidget *MainWindow::addView(QWidget *view, const QString &objectName, Qt::DockWidgetArea area, bool scrollable)
{
    auto *dock = new QDockWidget(this);
    dock->setObjectName(objectName);
    if (scrollable) {
        // Views with many parts (counters, charts, forms) scroll inside a short dock instead
        // of pushing the dock's tabs off a laptop screen.
        auto *scroll = new QScrollArea(dock);
        scroll->setObjectName(objectName + QStringLiteral("Scroll"));
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        scroll->setWidget(view);
        dock->setWidget(scroll);
    } else {
        dock->setWidget(view);
    }
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::applyDefaultSizes()
{
    // Fractions of the window, so one layout fits 1366×768 and 1920×1080: the Sessions
    // table keeps the most room, the bottom views 40 % of the height, the detail 36 % of
    // the width.
    resizeDocks({m_dashboardDock}, {int(height() * 0.40)}, Qt::Vertical);
    resizeDocks({m_detailDock}, {int(width() * 0.36)}, Qt::Horizontal);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (std::exchange(m_firstShow, false) && !m_restoredState)
        applyDefaultSizes();
}

void MainWindow::buildMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_connectAction = m_fileMenu->addAction(QString(), this, &MainWindow::connectDialogRequested);
    m_connectAction->setObjectName(QStringLiteral("connect"));
    m_connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentMenu->setObjectName(QStringLiteral("recentFilesMenu"));
    m_attachAction = m_fileMenu->addAction(QString(), this, [this] {
        bool ok = false;
        const QString address = QInputDialog::getText(
            this, tr("Attach to broker"), tr("Broker address: HOST:PORT, mqtts://HOST:PORT for TLS with the system's CAs, or unix:PATH for a hermesd's local socket:"),
            QLineEdit::Normal, QString(), &ok);
        if (ok && !address.trimmed().isEmpty())
            attachTo(address.trimmed());
    });
    m_attachAction->setObjectName(QStringLiteral("attachToBroker"));
    m_fileMenu->addSeparator();
    // Quits the console: every window, when several brokers are open.
    m_quitAction = m_fileMenu->addAction(QString(), qApp, &QApplication::closeAllWindows);
    m_quitAction->setObjectName(QStringLiteral("quit"));
    m_quitAction->setShortcut(QKeySequence::Quit);

    m_pushMenu = menuBar()->addMenu(QString());
    m_newPushAction = m_pushMenu->addAction(QString(), this, [this] { openPushDialog(QStringList()); });
    m_newPushAction->setObjectName(QStringLiteral("newPush"));
    m_newPushAction->setShortcut(QKeySequence::New);
    m_pushSelectedAction = m_pushMenu->addAction(QString(), this, [this] {
        if (const QStringList ids = m_sessions->selectedClientIds(); !ids.isEmpty())
            openPushDialog(ids);
    });
    m_pushSelectedAction->setObjectName(QStringLiteral("pushSelected"));

    m_brokerMenu = menuBar()->addMenu(QString());
    m_startAction = m_brokerMenu->addAction(QString(), this, [this] {
        m_brokerState = BrokerState::Starting;
        updateBrokerControls();
        m_monitor.start();
    });
    m_startAction->setObjectName(QStringLiteral("startBroker"));
    m_stopAction = m_brokerMenu->addAction(QString(), this, [this] {
        m_brokerState = BrokerState::Stopping;
        updateBrokerControls();
        m_monitor.stop();
    });
    m_stopAction->setObjectName(QStringLiteral("stopBroker"));
    m_brokerMenu->addSeparator();
    m_listenAction = m_brokerMenu->addAction(QString(), this, &MainWindow::askForListenAddress);
    m_accountsAction = m_brokerMenu->addAction(QString(), this, [this] {
        auto *dialog = new AccountsDialog(m_monitor, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    m_listenAction->setObjectName(QStringLiteral("listenAddress"));

    m_viewMenu = menuBar()->addMenu(QString());
    for (QDockWidget *dock : {m_dashboardDock, m_messagesDock, m_valueChartsDock, m_topicsDock, m_pushesDock,
                              m_simulatorDock, m_networksDock, m_detailDock, m_schemasDock})
        m_viewMenu->addAction(dock->toggleViewAction());
    m_viewMenu->addSeparator();
    m_themeMenu = m_viewMenu->addMenu(QString());
    m_themeMenu->setObjectName(QStringLiteral("themeMenu"));
    m_themeGroup = new QActionGroup(this);
    for (const Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        QAction *action = m_themeMenu->addAction(QString());
        action->setObjectName(QStringLiteral("theme_") + themeKey(theme));
        action->setCheckable(true);
        action->setChecked(theme == themeSetting());
        action->setData(int(theme));
        m_themeGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, theme] { chooseTheme(theme); });
    }
    m_resetLayoutAction = m_viewMenu->addAction(QString(), this, &MainWindow::resetLayout);
    m_resetLayoutAction->setObjectName(QStringLiteral("resetLayout"));

    m_languageMenu = menuBar()->addMenu(QString());
    m_languageMenu->setObjectName(QStringLiteral("languageMenu"));
    m_languageGroup = new QActionGroup(this);
    const QString current = languageSetting();
    // Language names are written in their own language so anyone can find theirs.
    const QList<std::pair<QString, QString>> choices = {
        {QString(), QString()},
        {QStringLiteral("zh_CN"), QStringLiteral("中文")},
        {QStringLiteral("en"), QStringLiteral("English")},
    };
    for (const auto &[code, name] : choices) {
        QAction *action = m_languageMenu->addAction(name);
        action->setObjectName(QStringLiteral("language_") + (code.isEmpty() ? QStringLiteral("system") : code));
        action->setCheckable(true);
        action->setChecked(code == current);
        action->setData(code);
        m_languageGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, code = code] { chooseLanguage(code); });
        if (code.isEmpty())
            m_followSystemAction = action;
    }

    m_helpMenu = menuBar()->addMenu(QString());
    m_aboutAction = m_helpMenu->addAction(QString(), this, [this] {
        QMessageBox::about(this, tr("About Hermes"),
                           tr("<b>Hermes %1</b><br>Push console and MQTT broker inspector.")
                               .arg(QApplication::applicationVersion()));
    });
    rebuildRecentMenu();

    // Which broker this window shows, and a quick way to open another one's window.
    m_connectionBar = addToolBar(QString());
    m_connectionBar->setObjectName(QStringLiteral("connectionToolBar"));
    m_connectionBar->setMovable(false);
    m_switcherLabel = new QLabel(m_connectionBar);
    m_switcherLabel->setContentsMargins(6, 0, 6, 0);
    m_connectionBar->addWidget(m_switcherLabel);
    m_switcher = new QComboBox(m_connectionBar);
    m_switcher->setObjectName(QStringLiteral("connectionSwitcher"));
    m_switcher->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_switcherLabel->setBuddy(m_switcher);
    m_connectionBar->addWidget(m_switcher);
    connect(m_switcher, &QComboBox::activated, this, [this](int index) {
        const QString chosen = m_switcher->itemData(index).toString();
        // The switcher keeps showing this window's broker; the chosen one opens in its own.
        rebuildSwitcher();
        if (!chosen.isEmpty() && chosen != m_profileId)
            emit profileRequested(chosen);
    });
}

void MainWindow::setProfile(ConnectionProfiles *profiles, const QString &profileId)
{
    if (m_profiles)
        disconnect(m_profiles, nullptr, this, nullptr);
    m_profiles = profiles;
    m_profileId = profileId;
    if (m_profiles)
        connect(m_profiles, &ConnectionProfiles::changed, this, &MainWindow::retranslateUi);
    retranslateUi();
}

QString MainWindow::brokerName() const
{
    const std::optional<ConnectionProfile> profile = m_profiles ? m_profiles->byId(m_profileId) : std::nullopt;
    if (profile && !profile->isEmbedded())
        return tr("“%1” (%2)").arg(profile->name, m_monitor.attachedTo());
    return m_monitor.attachedTo();
}

void MainWindow::rebuildSwitcher()
{
    const QSignalBlocker quiet(m_switcher);
    m_switcher->clear();
    const QString attachedTo = m_monitor.attachedTo();
    const bool profileShown = m_profiles && m_profiles->byId(m_profileId);
    if (!profileShown)
        m_switcher->addItem(attachedTo.isEmpty() ? tr("Embedded broker") : attachedTo, QString());
    if (m_profiles) {
        for (const ConnectionProfile &profile : m_profiles->all())
            m_switcher->addItem(profile.name, profile.id);
    }
    m_switcher->setCurrentIndex(profileShown ? m_switcher->findData(m_profileId) : 0);
    m_connectionBar->setVisible(m_profiles != nullptr);
}

void MainWindow::retranslateUi()
{
    const QString broker = brokerName();
    setWindowTitle(broker.isEmpty() ? tr("Hermes Push Console") : tr("Hermes Push Console — %1").arg(broker));
    retranslateFeatureNotices();
    m_connectAction->setText(tr("&Connect…"));
    m_connectionBar->setWindowTitle(tr("Connection"));
    m_switcherLabel->setText(tr("Broker:"));
    m_switcher->setToolTip(tr("The broker this window shows; choose another to open its window"));
    rebuildSwitcher();
    m_dashboardDock->setWindowTitle(tr("Dashboard"));
    m_messagesDock->setWindowTitle(tr("Messages"));
    m_topicsDock->setWindowTitle(tr("Topics"));
    m_pushesDock->setWindowTitle(tr("Pushes"));
    m_simulatorDock->setWindowTitle(tr("Simulator"));
    m_networksDock->setWindowTitle(tr("Networks"));
    m_valueChartsDock->setWindowTitle(tr("Value charts"));
    m_schemasDock->setWindowTitle(tr("Schemas"));
    m_detailDock->setWindowTitle(tr("Session detail"));
    m_fileMenu->setTitle(tr("&File"));
    m_recentMenu->setTitle(tr("Recent &files"));
    m_quitAction->setText(tr("&Quit"));
    m_attachAction->setText(tr("&Attach to broker…"));
    m_pushMenu->setTitle(tr("&Push"));
    m_newPushAction->setText(tr("&New push…"));
    updatePushSelectedAction();
    m_brokerMenu->setTitle(tr("&Broker"));
    m_accountsAction->setText(tr("&Accounts…"));
    m_startAction->setText(tr("&Start"));
    m_stopAction->setText(tr("S&top"));
    m_listenAction->setText(tr("&Listen address…"));
    m_viewMenu->setTitle(tr("&View"));
    m_resetLayoutAction->setText(tr("&Reset layout"));
    m_themeMenu->setTitle(tr("&Theme"));
    for (QAction *action : m_themeGroup->actions()) {
        switch (Theme(action->data().toInt())) {
        case Theme::System: action->setText(tr("Follow the system")); break;
        case Theme::Light: action->setText(tr("Light")); break;
        case Theme::Dark: action->setText(tr("Dark")); break;
        }
    }
    m_languageMenu->setTitle(tr("&Language"));
    m_followSystemAction->setText(tr("Follow the system"));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About Hermes"));
    rebuildRecentMenu();
    updateBrokerControls();
    if (m_haveCounters) {
        TelemetryBatch batch;
        batch.counters = m_counters;
        onTelemetry(batch);
    }
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMainWindow::changeEvent(event);
}

PushDialog *MainWindow::openPushDialog(const QString &clientId)
{
    return openPushDialog(clientId.isEmpty() ? QStringList() : QStringList{clientId});
}

PushDialog *MainWindow::openPushDialog(const QStringList &clientIds)
{
    auto *dialog = new PushDialog(m_monitor, this, m_schemas);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!clientIds.isEmpty())
        dialog->setDevices(clientIds);
    dialog->show();
    return dialog;
}

void MainWindow::updatePushSelectedAction()
{
    const qsizetype count = m_sessions->selectedClientIds().size();
    m_pushSelectedAction->setEnabled(count > 0);
    m_pushSelectedAction->setText(count > 0 ? tr("Push to &selected (%1)…").arg(count) : tr("Push to &selected…"));
}

QString MainWindow::languageSetting()
{
    return QSettings().value(LanguageKey).toString();
}

QLocale MainWindow::localeFor(const QString &code)
{
    return code.isEmpty() ? QLocale::system() : QLocale(code);
}

void MainWindow::chooseLanguage(const QString &code)
{
    QSettings().setValue(LanguageKey, code);
    for (QAction *action : m_languageGroup->actions())
        action->setChecked(action->data().toString() == code);
    const QLocale locale = localeFor(code);
    QLocale::setDefault(locale);
    // Replacing the translators sends QEvent::LanguageChange to every widget; each view
    // retranslates itself (tst_retranslate).
    installTranslations(locale);
}

void MainWindow::chooseTheme(Theme theme)
{
    saveThemeSetting(theme);
    for (QAction *action : m_themeGroup->actions())
        action->setChecked(Theme(action->data().toInt()) == theme);
    applyTheme(theme); // every widget gets QEvent::PaletteChange and repaints
}

QStringList MainWindow::recentFiles()
{
    return QSettings().value(RecentKey).toStringList();
}

void MainWindow::addRecentFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = recentFiles();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    QSettings().setValue(RecentKey, files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (const QString &path : files) {
        QAction *action = m_recentMenu->addAction(QDir::toNativeSeparators(path), this, [path] {
            QDesktopServices::openUrl(QUrl::fromLocalFile(path));
        });
        action->setEnabled(QFileInfo::exists(path));
    }
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("(none yet: exported traces appear here)"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    m_recentMenu->addAction(tr("Clear list"), this, [this] {
        QSettings().remove(RecentKey);
        rebuildRecentMenu();
    });
}

QString MainWindow::brokerStatusText() const
{
    return m_brokerLabel->text();
}

bool MainWindow::attachTo(const QString &address)
{
    if (!parseAttachAddress(address)) {
        if (m_interactive)
            QMessageBox::warning(this, tr("Attach to broker"), tr("“%1” is not HOST:PORT, mqtts://HOST:PORT or unix:PATH.").arg(address));
        return false;
    }
    emit attachToAddressRequested(address);
    return true;
}

void MainWindow::updateBrokerControls()
{
    const bool running = m_monitor.isRunning();
    const bool busy = m_brokerState == BrokerState::Starting || m_brokerState == BrokerState::Stopping;
    m_startAction->setEnabled(!running && !busy);
    m_stopAction->setEnabled(running && !busy);
    m_brokerButton->setEnabled(!busy);
    const QString attachedTo = m_monitor.attachedTo();
    if (!attachedTo.isEmpty()) {
        updateAttachedControls(attachedTo, running);
        return;
    }
    m_brokerButton->setText(running ? tr("Stop broker") : tr("Start broker"));
    QStringList addresses;
    for (const ListenAddress &address : std::as_const(m_listening))
        addresses.append(address.toString());
    const QString configured = [this] {
        QStringList texts;
        for (const ListenAddress &address : m_monitor.configuredListenAddresses())
            texts.append(address.toString());
        return texts.join(QStringLiteral(", "));
    }();
    switch (m_brokerState) {
    case BrokerState::Starting:
        m_brokerLabel->setText(tr("Broker starting…"));
        break;
    case BrokerState::Listening:
        m_brokerLabel->setText(tr("Listening on %1").arg(addresses.join(QStringLiteral(", "))));
        break;
    case BrokerState::PortTaken:
        m_brokerLabel->setText(tr("Broker not running: port %1 is taken by another program").arg(configured));
        break;
    case BrokerState::Failed:
        m_brokerLabel->setText(tr("Broker not running: %1").arg(m_failure));
        break;
    case BrokerState::Stopping:
        m_brokerLabel->setText(tr("Broker stopping…"));
        break;
    case BrokerState::Stopped:
        m_brokerLabel->setText(tr("Broker stopped (%1)").arg(configured));
        break;
    }
}

void MainWindow::updateAttachedControls(const QString &broker, bool running)
{
    m_brokerButton->setText(running ? tr("Detach") : tr("Attach"));
    switch (m_brokerState) {
    case BrokerState::Starting:
        m_brokerLabel->setText(tr("Attaching to %1…").arg(broker));
        break;
    case BrokerState::Listening:
        // Sessions are what only the admin API shows: an engine with them is attached as an operator.
        if (!m_linkProblem.isEmpty())
            m_brokerLabel->setText(tr("Reconnecting: %1").arg(m_linkProblem));
        else if (m_monitor.features().testFlag(EngineFeature::Sessions))
            m_brokerLabel->setText(tr("Attached to hermesd at %1 as an operator").arg(broker));
        else
            m_brokerLabel->setText(tr("Attached to %1 as an MQTT client").arg(broker)
                                   + (m_monitor.attachNote().isEmpty() ? QString() : tr(" (the administration socket was not usable)")));
        break;
    case BrokerState::PortTaken:
    case BrokerState::Failed:
        m_brokerLabel->setText(tr("Not attached: %1").arg(m_failure)
                               + (m_monitor.attachNote().isEmpty() ? QString() : tr(" (the administration socket was not usable)")));
        break;
    case BrokerState::Stopping:
        m_brokerLabel->setText(tr("Detaching from %1…").arg(broker));
        break;
    case BrokerState::Stopped:
        m_brokerLabel->setText(tr("Detached from %1").arg(broker));
        break;
    }
}

QString MainWindow::attachNoteText() const
{
    const QString note = m_monitor.attachNote();
    return note.isEmpty() ? QString()
                          : tr("Operator rights through the local administration socket were not available: %1").arg(note);
}

/// Views whose engine feature is missing (a plain MQTT client sees no sessions, pushes or
/// simulations) are replaced by a notice saying so, instead of sitting empty.
void MainWindow::showMissingFeatures()
{
    const EngineFeatures features = m_monitor.features();
    const auto notice = [this](const QString &objectName) {
        auto *label = new QLabel(this);
        label->setObjectName(objectName);
        label->setAlignment(Qt::AlignCenter);
        label->setWordWrap(true);
        label->setMargin(24);
        m_featureNotices.append(label);
        return label;
    };
    if (!(features & EngineFeature::Sessions)) {
        // The view stays a hidden child of the window (takeCentralWidget() would leave it
        // without an owner): the other views' connections to it keep working.
        takeCentralWidget();
        m_sessions->setParent(this);
        m_sessions->hide();
        setCentralWidget(notice(QStringLiteral("sessionsUnavailable")));
        m_detailDock->setWidget(notice(QStringLiteral("sessionDetailUnavailable")));
    }
    if (!(features & EngineFeature::Push))
        m_pushesDock->setWidget(notice(QStringLiteral("pushesUnavailable")));
    if (!(features & EngineFeature::Simulation))
        m_simulatorDock->setWidget(notice(QStringLiteral("simulatorUnavailable")));
    if (!(features & EngineFeature::Networks))
        m_networksDock->setWidget(notice(QStringLiteral("networksUnavailable")));
}

void MainWindow::retranslateFeatureNotices()
{
    const QString broker = m_monitor.attachedTo();
    for (QLabel *label : std::as_const(m_featureNotices)) {
        const QString name = label->objectName();
        if (name == QLatin1String("sessionsUnavailable") || name == QLatin1String("sessionDetailUnavailable")) {
            QString text = tr("%1 does not show its sessions to an MQTT client: sessions, heartbeat timelines, "
                              "in-flight and queued messages need a Hermes broker. Messages, Topics, retained "
                              "messages and the Dashboard work.").arg(broker);
            if (const QString note = attachNoteText(); !note.isEmpty())
                text += QStringLiteral("\n\n") + note;
            label->setText(text);
        }
        else if (name == QLatin1String("pushesUnavailable"))
            label->setText(tr("Pushes need the push service of a Hermes broker; %1 is attached as a plain MQTT "
                              "client. Publish to a device's topic from the Messages view instead.").arg(broker));
        else if (name == QLatin1String("networksUnavailable"))
            label->setText(tr("%1 does not show its networks to an MQTT client: NAT timeout estimates come from the "
                              "fleet analytics of a Hermes broker.").arg(broker));
        else if (name == QLatin1String("simulatorUnavailable"))
            label->setText(tr("Simulations run against the embedded broker; %1 is attached as a plain MQTT client.")
                               .arg(broker));
    }
}

void MainWindow::onStarted(const QList<ListenAddress> &addresses)
{
    m_listening = addresses;
    m_brokerState = BrokerState::Listening;
    if (m_startProblemBox)
        m_startProblemBox->close();
    updateBrokerControls();
}

void MainWindow::onStartFailed(const QString &reason)
{
    m_failure = reason;
    if (!m_monitor.attachedTo().isEmpty()) {
        m_brokerState = BrokerState::Failed;
        updateBrokerControls();
        if (m_startProblemBox)
            m_startProblemBox->close();
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Could not attach"),
                                    tr("The console could not attach to %1.").arg(brokerName()),
                                    QMessageBox::Close, this);
        box->setObjectName(QStringLiteral("startProblemBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        const QString note = attachNoteText();
        box->setInformativeText(note.isEmpty() ? reason : reason + QStringLiteral("\n\n") + note);
        m_startProblemBox = box;
        box->open();
        return;
    }
    const std::optional<ListenAddress> holder = std::exchange(m_takenAddress, std::nullopt);
    const bool taken = holder.has_value();
    m_brokerState = taken ? BrokerState::PortTaken : BrokerState::Failed;
    updateBrokerControls();

    // Never a blocking dialog: the window stays usable (and testable) while it is open.
    if (m_startProblemBox)
        m_startProblemBox->close();
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("startProblemBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(tr("Broker could not start"));
    QPushButton *attach = nullptr;
    if (taken) {
        // The usual cause: the packaged hermesd service, or another broker, already on 1883.
        box->setText(tr("Another program is already listening on %1, so the embedded broker cannot start there.")
                         .arg(holder->toString()));
        box->setInformativeText(tr("If it is the broker your devices use (such as the hermesd service), attach "
                                   "to it and watch it here. Or let the embedded broker listen on another port."));
        attach = box->addButton(tr("Attach to it"), QMessageBox::AcceptRole);
        attach->setObjectName(QStringLiteral("attachToIt"));
        box->setDefaultButton(attach);
        // Queued: the probe runs an event loop, which must not happen inside this box's click.
        connect(attach, &QPushButton::clicked, this, [this, address = *holder] {
            QMetaObject::invokeMethod(this, [this, address] { emit attachRequested(address); }, Qt::QueuedConnection);
        });
    } else {
        box->setText(tr("The embedded broker could not start."));
        box->setInformativeText(reason);
    }
    QPushButton *other = box->addButton(tr("Use another port…"), QMessageBox::AcceptRole);
    other->setObjectName(QStringLiteral("useAnotherPort"));
    box->addButton(QMessageBox::Close);
    connect(box, &QMessageBox::buttonClicked, this, [this, other](QAbstractButton *button) {
        if (button == other)
            askForAnotherPort();
    });
    m_startProblemBox = box;
    box->open();
}

void MainWindow::askForAnotherPort()
{
    QList<ListenAddress> addresses = m_monitor.configuredListenAddresses();
    if (addresses.isEmpty())
        return;
    bool ok = false;
    const quint16 current = addresses.first().port;
    const int port = QInputDialog::getInt(this, tr("Listen on another port"), tr("Port for MQTT clients:"),
                                          current == 65535 ? 1884 : current + 1, 1, 65535, 1, &ok);
    if (!ok)
        return;
    addresses.first().port = quint16(port);
    if (m_monitor.setListenAddresses(addresses)) {
        m_brokerState = BrokerState::Starting;
        updateBrokerControls();
        m_monitor.start();
    }
}

void MainWindow::askForListenAddress()
{
    const QList<ListenAddress> current = m_monitor.configuredListenAddresses();
    bool ok = false;
    const QString text = QInputDialog::getText(
        this, tr("Listen address"),
        tr("Address and port for MQTT clients, e.g. 127.0.0.1:1883 or 0.0.0.0:1883 (all interfaces):"),
        QLineEdit::Normal, current.isEmpty() ? QString() : current.first().toString(), &ok);
    if (!ok)
        return;
    const std::optional<ListenAddress> parsed = ListenAddress::parse(text.trimmed());
    if (!parsed) {
        QMessageBox::warning(this, tr("Listen address"), tr("“%1” is not an address and port.").arg(text));
        return;
    }
    QList<ListenAddress> addresses = current;
    if (addresses.isEmpty())
        addresses.append(*parsed);
    else
        addresses.first() = *parsed;
    if (!m_monitor.setListenAddresses(addresses)) {
        QMessageBox::information(this, tr("Listen address"), tr("This broker cannot be reconfigured from here."));
        return;
    }
    if (m_monitor.isRunning()) {
        // Restart on the new address once the old listeners are closed.
        m_restartPending = true;
        m_brokerState = BrokerState::Stopping;
        updateBrokerControls();
        m_monitor.stop();
    } else {
        m_brokerState = BrokerState::Starting;
        updateBrokerControls();
        m_monitor.start();
    }
}

void MainWindow::onStopped()
{
    m_listening.clear();
    m_brokerState = BrokerState::Stopped;
    updateBrokerControls();
    if (std::exchange(m_restartPending, false)) {
        m_brokerState = BrokerState::Starting;
        updateBrokerControls();
        m_monitor.start();
    }
}

void MainWindow::onTelemetry(const TelemetryBatch &batch)
{
    m_counters = batch.counters;
    m_haveCounters = true;
    const QLocale locale;
    m_countersLabel->setText(tr("%1 connected · %2 sessions · %3 in · %4 out")
                                 .arg(locale.toString(batch.counters.clientsConnected),
                                      locale.toString(batch.counters.clientsTotal),
                                      locale.toString(batch.counters.publishReceived),
                                      locale.toString(batch.counters.publishSent)));
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    restoreGeometry(settings.value(GeometryKey).toByteArray());
    m_restoredState = restoreState(settings.value(StateKey).toByteArray(), LayoutVersion);
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultState, LayoutVersion);
    for (QDockWidget *dock : {m_dashboardDock, m_messagesDock, m_valueChartsDock, m_topicsDock, m_pushesDock,
                              m_simulatorDock, m_networksDock, m_detailDock, m_schemasDock}) {
        dock->setFloating(false);
        dock->show();
    }
    m_dashboardDock->raise();
    m_detailDock->raise();
    applyDefaultSizes();
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState(LayoutVersion));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

} // namespace hermes::ui
