#include "mainwindow.h"

#include "dashboardview.h"
#include "messagesview.h"
#include "pushdialog.h"
#include "sessiondetailview.h"
#include "sessionsview.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

namespace hermes::ui {

namespace {
const QString LanguageKey = QStringLiteral("ui/language");
}

MainWindow::MainWindow(EngineMonitor &monitor, QWidget *parent)
    : QMainWindow(parent)
    , m_monitor(monitor)
    , m_dashboard(new DashboardView(monitor, this))
    , m_messages(new MessagesView(monitor, this))
    , m_sessions(new SessionsView(monitor, this))
    , m_sessionDetail(new SessionDetailView(monitor, this))
    , m_brokerLabel(new QLabel(this))
    , m_countersLabel(new QLabel(this))
{
    setWindowTitle(tr("Hermes Push Console"));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    setCentralWidget(m_sessions);
    QDockWidget *dashboardDock = addView(m_dashboard, tr("Dashboard"), QStringLiteral("dashboardDock"),
                                         Qt::BottomDockWidgetArea);
    QDockWidget *messagesDock = addView(m_messages, tr("Messages"), QStringLiteral("messagesDock"),
                                        Qt::BottomDockWidgetArea);
    tabifyDockWidget(dashboardDock, messagesDock);
    dashboardDock->raise();
    m_detailDock = addView(m_sessionDetail, tr("Session detail"), QStringLiteral("sessionDetailDock"),
                           Qt::RightDockWidgetArea);
    connect(m_sessions, &SessionsView::pushRequested, this, &MainWindow::openPushDialog);
    connect(m_sessions, &SessionsView::sessionActivated, this, [this](const QString &clientId) {
        m_detailDock->show();
        m_detailDock->raise();
        m_sessionDetail->showSession(clientId);
    });

    m_brokerLabel->setObjectName(QStringLiteral("brokerStatus"));
    statusBar()->addWidget(m_brokerLabel, 1);
    statusBar()->addPermanentWidget(m_countersLabel);
    m_brokerLabel->setText(tr("Broker starting…"));

    buildMenus();
    connect(&m_monitor, &EngineMonitor::started, this, &MainWindow::onStarted);
    connect(&m_monitor, &EngineMonitor::startFailed, this, &MainWindow::onStartFailed);
    connect(&m_monitor, &EngineMonitor::stopped, this, &MainWindow::onStopped);
    connect(&m_monitor, &EngineMonitor::telemetry, this, &MainWindow::onTelemetry);
    connect(&m_monitor, &EngineMonitor::storeError, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Database problem: %1").arg(message));
        if (m_interactive)
            QMessageBox::warning(this, tr("Database problem"),
                                 tr("The broker cannot write its database:\n%1\n\nAcknowledgements are held "
                                    "until the database accepts writes again; nothing is dropped.")
                                     .arg(message));
    });
    resize(1400, 900);
    restoreLayout();
}

QDockWidget *MainWindow::addView(QWidget *view, const QString &title, const QString &objectName,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(view);
    addDockWidget(area, dock);
    return dock;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *push = menuBar()->addMenu(tr("&Push"));
    QAction *newPush = push->addAction(tr("&New push…"), this, [this] { openPushDialog(QString()); });
    newPush->setObjectName(QStringLiteral("newPush"));
    newPush->setShortcut(QKeySequence::New);

    QMenu *broker = menuBar()->addMenu(tr("&Broker"));
    m_startAction = broker->addAction(tr("&Start"), &m_monitor, &EngineMonitor::start);
    m_startAction->setObjectName(QStringLiteral("startBroker"));
    m_stopAction = broker->addAction(tr("S&top"), &m_monitor, &EngineMonitor::stop);
    m_stopAction->setObjectName(QStringLiteral("stopBroker"));
    m_startAction->setEnabled(false);
    m_stopAction->setEnabled(false);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        m_viewMenu->addAction(dock->toggleViewAction());

    QMenu *language = menuBar()->addMenu(tr("&Language"));
    auto *group = new QActionGroup(this);
    const QString current = languageSetting();
    const QList<std::pair<QString, QString>> choices = {
        {QString(), tr("Follow the system")},
        {QStringLiteral("zh_CN"), QStringLiteral("中文")},
        {QStringLiteral("en"), QStringLiteral("English")},
    };
    for (const auto &[code, name] : choices) {
        QAction *action = language->addAction(name);
        action->setCheckable(true);
        action->setChecked(code == current);
        action->setData(code);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [this, code] { chooseLanguage(code); });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Hermes"), this, [this] {
        QMessageBox::about(this, tr("About Hermes"),
                           tr("<b>Hermes %1</b><br>Push console and MQTT broker inspector.")
                               .arg(QApplication::applicationVersion()));
    });
}

PushDialog *MainWindow::openPushDialog(const QString &clientId)
{
    auto *dialog = new PushDialog(m_monitor, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!clientId.isEmpty())
        dialog->setDevice(clientId);
    dialog->show();
    return dialog;
}

QString MainWindow::languageSetting()
{
    return QSettings().value(LanguageKey).toString();
}

void MainWindow::chooseLanguage(const QString &code)
{
    QSettings().setValue(LanguageKey, code);
    if (m_interactive)
        QMessageBox::information(this, tr("Language"), tr("The language changes the next time Hermes starts."));
}

QString MainWindow::brokerStatusText() const
{
    return m_brokerLabel->text();
}

void MainWindow::onStarted(const QList<ListenAddress> &addresses)
{
    QStringList texts;
    for (const ListenAddress &address : addresses)
        texts.append(address.toString());
    m_brokerLabel->setText(tr("Listening on %1").arg(texts.join(QStringLiteral(", "))));
    m_startAction->setEnabled(false);
    m_stopAction->setEnabled(true);
}

void MainWindow::onStartFailed(const QString &reason)
{
    m_brokerLabel->setText(tr("Broker not running: %1").arg(reason));
    m_startAction->setEnabled(true);
    m_stopAction->setEnabled(false);
    if (!m_interactive)
        return;
    // The usual cause is a taken port (another broker on 1883): offer another one.
    QList<ListenAddress> addresses = m_monitor.configuredListenAddresses();
    if (addresses.isEmpty())
        return;
    bool ok = false;
    const int port = QInputDialog::getInt(this, tr("Broker could not start"),
                                          tr("%1\n\nListen on another port instead:").arg(reason),
                                          addresses.first().port == 65535 ? 1884 : addresses.first().port + 1,
                                          1, 65535, 1, &ok);
    if (!ok)
        return;
    addresses.first().port = quint16(port);
    if (m_monitor.setListenAddresses(addresses))
        m_monitor.start();
}

void MainWindow::onStopped()
{
    m_brokerLabel->setText(tr("Broker stopped"));
    m_startAction->setEnabled(true);
    m_stopAction->setEnabled(false);
}

void MainWindow::onTelemetry(const TelemetryBatch &batch)
{
    m_countersLabel->setText(tr("%1 connected · %2 sessions · %3 in · %4 out")
                                 .arg(batch.counters.clientsConnected)
                                 .arg(batch.counters.clientsTotal)
                                 .arg(batch.counters.publishReceived)
                                 .arg(batch.counters.publishSent));
}

void MainWindow::restoreLayout()
{
    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("ui/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("ui/state")).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("ui/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("ui/state"), saveState());
    QMainWindow::closeEvent(event);
}

} // namespace hermes::ui
