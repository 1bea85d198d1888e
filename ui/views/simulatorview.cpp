#include "simulatorview.h"
#include "charts.h"


#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTime>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace hermes::ui {

using namespace std::chrono_literals;

namespace {

/// What the smart devices learned, per network, kept across console sessions.
const QString RecommendationsKey = QStringLiteral("simulator/recommendations");

QChartView *makeChartView(QChart *chart, QWidget *parent)
{
    chart->setAnimationOptions(QChart::NoAnimation); // live data: animations only lag
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(170);
    prepareChartView(view);
    return view;
}

QValueAxis *addAxis(QChart *chart, Qt::Alignment alignment)
{
    auto *axis = new QValueAxis(chart);
    axis->setLabelFormat(QStringLiteral("%.0f"));
    axis->setRange(0, 10);
    axis->setTickCount(5);
    chart->addAxis(axis, alignment);
    return axis;
}

/// A round upper bound for an axis: 10, 20, 50, 100, 200, 500…
double niceCeiling(double value)
{
    if (!(value > 10))
        return 10;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}

/// 0 … `maximum` with whole-number ticks (25 → 0, 5, … 25; 1,200 → 0, 300, … 1,200).
void setNiceRange(QValueAxis *axis, double maximum)
{
    axis->setRange(0, maximum);
    for (const int ticks : {5, 6, 4, 3}) {
        if (std::fmod(maximum, double(ticks - 1)) == 0) {
            axis->setTickCount(ticks);
            return;
        }
    }
    axis->setTickCount(5);
}

qint64 seconds(std::chrono::milliseconds duration)
{
    return qint64(std::llround(double(duration.count()) / 1000.0));
}

} // namespace

SimulatorView::SimulatorView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
{
    // --- the run: scenario, overrides, buttons, progress ---------------------------------
    m_runBox = new QGroupBox(this);
    auto *form = new QFormLayout(m_runBox);
    m_scenarioBox = new QComboBox(m_runBox);
    m_scenarioBox->setObjectName(QStringLiteral("simScenario"));
    m_scenarioBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_scenarioBox->setMinimumContentsLength(24);
    m_openButton = new QPushButton(m_runBox);
    m_openButton->setObjectName(QStringLiteral("simOpen"));
    auto *scenarioRow = new QHBoxLayout;
    scenarioRow->addWidget(m_scenarioBox, 1);
    scenarioRow->addWidget(m_openButton);
    m_scenarioLabel = new QLabel(m_runBox);
    form->addRow(m_scenarioLabel, scenarioRow);
    m_summaryLabel = new QLabel(m_runBox);
    m_summaryLabel->setObjectName(QStringLiteral("simSummary"));
    m_summaryLabel->setWordWrap(true);
    form->addRow(m_summaryLabel);

    m_networkBox = new QComboBox(m_runBox);
    m_networkBox->setObjectName(QStringLiteral("simNetwork"));
    for (int i = 0; i <= int(NetworkChoice::NoNat); ++i)
        m_networkBox->addItem(QString());
    m_customNatBox = new QSpinBox(m_runBox);
    m_customNatBox->setObjectName(QStringLiteral("simCustomNat"));
    m_customNatBox->setRange(10, 24 * 3600);
    m_customNatBox->setValue(300);
    auto *networkRow = new QHBoxLayout;
    networkRow->addWidget(m_networkBox, 1);
    networkRow->addWidget(m_customNatBox);
    m_networkLabel = new QLabel(m_runBox);
    form->addRow(m_networkLabel, networkRow);

    m_heartbeatBox = new QComboBox(m_runBox);
    m_heartbeatBox->setObjectName(QStringLiteral("simHeartbeat"));
    for (int i = 0; i <= int(HeartbeatChoice::Smart); ++i)
        m_heartbeatBox->addItem(QString());
    m_fixedIntervalBox = new QSpinBox(m_runBox);
    m_fixedIntervalBox->setObjectName(QStringLiteral("simFixedInterval"));
    m_fixedIntervalBox->setRange(5, 24 * 3600);
    m_fixedIntervalBox->setValue(120);
    auto *heartbeatRow = new QHBoxLayout;
    heartbeatRow->addWidget(m_heartbeatBox, 1);
    heartbeatRow->addWidget(m_fixedIntervalBox);
    m_heartbeatLabel = new QLabel(m_runBox);
    form->addRow(m_heartbeatLabel, heartbeatRow);

    m_devicesBox = new QSpinBox(m_runBox);
    m_devicesBox->setObjectName(QStringLiteral("simDevices"));
    m_devicesBox->setRange(1, 100000);
    m_devicesBox->setGroupSeparatorShown(true);
    m_scaleButton = new QPushButton(m_runBox);
    m_scaleButton->setObjectName(QStringLiteral("simScale"));
    auto *devicesRow = new QHBoxLayout;
    devicesRow->addWidget(m_devicesBox, 1);
    devicesRow->addWidget(m_scaleButton);
    m_devicesLabel = new QLabel(m_runBox);
    form->addRow(m_devicesLabel, devicesRow);

    m_timeScaleBox = new QDoubleSpinBox(m_runBox);
    m_timeScaleBox->setObjectName(QStringLiteral("simTimeScale"));
    m_timeScaleBox->setRange(0.1, 1000);
    m_timeScaleBox->setDecimals(1);
    m_timeScaleBox->setPrefix(QStringLiteral("× "));
    m_timeScaleLabel = new QLabel(m_runBox);
    form->addRow(m_timeScaleLabel, m_timeScaleBox);

    m_startButton = new QPushButton(m_runBox);
    m_startButton->setObjectName(QStringLiteral("simStart"));
    m_stopButton = new QPushButton(m_runBox);
    m_stopButton->setObjectName(QStringLiteral("simStop"));
    m_restartButton = new QPushButton(m_runBox);
    m_restartButton->setObjectName(QStringLiteral("simRestartBroker"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_stopButton);
    buttons->addWidget(m_restartButton);
    form->addRow(buttons);
    m_progress = new QProgressBar(m_runBox);
    m_progress->setObjectName(QStringLiteral("simProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    form->addRow(m_progress);
    m_statusLabel = new QLabel(m_runBox);
    m_statusLabel->setObjectName(QStringLiteral("simStatus"));
    m_statusLabel->setWordWrap(true);
    form->addRow(m_statusLabel);

    // --- what the smart devices learned, in big letters ----------------------------------
    m_keepAliveBox = new QGroupBox(this);
    auto *keepAliveLayout = new QVBoxLayout(m_keepAliveBox);
    m_recommendedLabel = new QLabel(m_keepAliveBox);
    m_recommendedLabel->setObjectName(QStringLiteral("simRecommended"));
    QFont big = m_recommendedLabel->font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    m_recommendedLabel->setFont(big);
    m_recommendedLabel->setWordWrap(true);
    m_recommendedDetail = new QLabel(m_keepAliveBox);
    m_recommendedDetail->setObjectName(QStringLiteral("simRecommendedDetail"));
    m_recommendedDetail->setWordWrap(true);
    m_recommendationTable = new QTableWidget(0, 3, m_keepAliveBox);
    m_recommendationTable->setObjectName(QStringLiteral("simRecommendations"));
    m_recommendationTable->verticalHeader()->hide();
    m_recommendationTable->horizontalHeader()->setStretchLastSection(true);
    m_recommendationTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_recommendationTable->setMaximumHeight(110);
    keepAliveLayout->addWidget(m_recommendedLabel);
    keepAliveLayout->addWidget(m_recommendedDetail);
    keepAliveLayout->addWidget(m_recommendationTable);

    // --- counters ----------------------------------------------------------------------
    m_countersBox = new QGroupBox(this);
    auto *grid = new QGridLayout(m_countersBox);
    grid->setHorizontalSpacing(12);
    const QStringList counterNames = {
        QStringLiteral("simConnected"), QStringLiteral("simConnectAttempts"), QStringLiteral("simAllConnected"),
        QStringLiteral("simPeakConnects"), QStringLiteral("simReconnects"), QStringLiteral("simPeakReconnects"),
        QStringLiteral("simHeartbeats"), QStringLiteral("simDeadLinks"), QStringLiteral("simDetection"),
        QStringLiteral("simPushesSent"), QStringLiteral("simPushesDelivered"), QStringLiteral("simDuplicates"),
        QStringLiteral("simLost"), QStringLiteral("simArrival"),
    };
    Q_ASSERT(counterNames.size() == CounterCount);
    for (int i = 0; i < CounterCount; ++i) {
        auto *title = new QLabel(m_countersBox);
        auto *value = new QLabel(QStringLiteral("–"), m_countersBox);
        value->setObjectName(counterNames.at(i));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        QFont bold = value->font();
        bold.setBold(true);
        value->setFont(bold);
        const int row = i % 7;
        const int column = (i / 7) * 2;
        grid->addWidget(title, row, column);
        grid->addWidget(value, row, column + 1);
        m_counterTitles.append(title);
        m_counterValues.append(value);
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);

    // --- events --------------------------------------------------------------------------
    m_eventsBox = new QGroupBox(this);
    auto *eventsLayout = new QVBoxLayout(m_eventsBox);
    m_events = new QListWidget(m_eventsBox);
    m_events->setObjectName(QStringLiteral("simEvents"));
    m_events->setWordWrap(true);
    m_events->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    eventsLayout->addWidget(m_events);

    // --- charts: x is simulated minutes, so scenario event times can be read off ---------
    m_fleetChart = new QChart;
    m_fleetX = addAxis(m_fleetChart, Qt::AlignBottom);
    m_fleetY = addAxis(m_fleetChart, Qt::AlignLeft);
    m_fleetRateY = addAxis(m_fleetChart, Qt::AlignRight);
    m_fleetRateY->setGridLineVisible(false); // one grid per chart: the devices axis draws it
    m_connected = addLineSeries(m_fleetChart, m_fleetX, m_fleetY);
    m_connectsRate = addLineSeries(m_fleetChart, m_fleetX, m_fleetRateY);
    m_reconnectsRate = addLineSeries(m_fleetChart, m_fleetX, m_fleetRateY);
    m_pushChart = new QChart;
    m_pushX = addAxis(m_pushChart, Qt::AlignBottom);
    m_pushY = addAxis(m_pushChart, Qt::AlignLeft);
    m_arrivals = addLineSeries(m_pushChart, m_pushX, m_pushY);
    m_heartbeatChart = new QChart;
    m_heartbeatX = addAxis(m_heartbeatChart, Qt::AlignBottom);
    m_heartbeatY = addAxis(m_heartbeatChart, Qt::AlignLeft);
    m_interval = addLineSeries(m_heartbeatChart, m_heartbeatX, m_heartbeatY);
    m_natLine = addLineSeries(m_heartbeatChart, m_heartbeatX, m_heartbeatY);
    QPen natPen(QColor(0xd3, 0x2f, 0x2f));
    natPen.setStyle(Qt::DashLine);
    natPen.setWidth(2);
    m_natLine->setPen(natPen);
    m_natLine->setProperty(KeepPenProperty, true);
    for (QValueAxis *x : {m_fleetX, m_pushX, m_heartbeatX})
        x->setLabelFormat(QStringLiteral("%.0f"));

    auto *charts = new QWidget(this);
    auto *chartsLayout = new QGridLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->addWidget(makeChartView(m_fleetChart, charts), 0, 0, 1, 2);
    chartsLayout->addWidget(makeChartView(m_heartbeatChart, charts), 1, 0);
    chartsLayout->addWidget(makeChartView(m_pushChart, charts), 1, 1);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_runBox);
    leftLayout->addWidget(m_keepAliveBox);
    leftLayout->addWidget(m_eventsBox, 1);
    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_countersBox);
    rightLayout->addWidget(charts, 1);
    auto *splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_scenarioBox, &QComboBox::currentIndexChanged, this, &SimulatorView::scenarioPicked);
    connect(m_openButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open scenario"), scenarioDirectories().value(0),
                                                          tr("Scenarios (*.scenario);;All files (*)"));
        if (!path.isEmpty())
            openScenarioFile(path);
    });
    connect(m_networkBox, &QComboBox::currentIndexChanged, this, &SimulatorView::updateControls);
    connect(m_heartbeatBox, &QComboBox::currentIndexChanged, this, &SimulatorView::updateControls);
    connect(m_devicesBox, &QSpinBox::valueChanged, this, &SimulatorView::updateControls);
    connect(m_startButton, &QPushButton::clicked, this, &SimulatorView::start);
    connect(m_stopButton, &QPushButton::clicked, this, &SimulatorView::stop);
    connect(m_scaleButton, &QPushButton::clicked, this, &SimulatorView::scale);
    connect(m_restartButton, &QPushButton::clicked, this, &SimulatorView::restartBroker);

    connect(&m_monitor, &EngineMonitor::simulationStarted, this, &SimulatorView::onStarted);
    connect(&m_monitor, &EngineMonitor::simulationProgress, this, &SimulatorView::onProgress);
    connect(&m_monitor, &EngineMonitor::simulationEvent, this, &SimulatorView::onEvent);
    connect(&m_monitor, &EngineMonitor::simulationFinished, this, &SimulatorView::onFinished);
    connect(&m_monitor, &EngineMonitor::simulationFailed, this, &SimulatorView::onFailed);
    connect(&m_monitor, &EngineMonitor::started, this, &SimulatorView::updateControls);
    connect(&m_monitor, &EngineMonitor::stopped, this, &SimulatorView::updateControls);

    setStatus([] { return tr("Pick a scenario and press Start: the devices connect to the console's broker."); });
    refreshScenarioList();
    loadRecommendations();
    retranslateUi();
}

QStringList SimulatorView::scenarioDirectories()
{
    QStringList result;
    const auto add = [&result](const QString &path) {
        const QFileInfo info(path);
        if (info.isDir() && !result.contains(info.canonicalFilePath()))
            result.append(info.canonicalFilePath());
    };
    if (const QString fromEnvironment = qEnvironmentVariable("HERMES_SCENARIO_DIR"); !fromEnvironment.isEmpty())
        add(fromEnvironment);
    QDir dir(QCoreApplication::applicationDirPath());
    for (int up = 0; up <= 4; ++up) {
        add(dir.filePath(QStringLiteral("share/hermes/scenarios")));
        add(dir.filePath(QStringLiteral("scenarios")));
        if (!dir.cdUp())
            break;
    }
    return result;
}

void SimulatorView::refreshScenarioList()
{
    const QSignalBlocker blocker(m_scenarioBox);
    m_scenarioBox->clear();
    for (const QString &folder : scenarioDirectories()) {
        const QFileInfoList files = QDir(folder).entryInfoList({QStringLiteral("*.scenario")}, QDir::Files, QDir::Name);
        for (const QFileInfo &file : files)
            m_scenarioBox->addItem(file.completeBaseName(), file.absoluteFilePath());
    }
    // The measurement the Simulator exists for: China Mobile's NAT, smart heartbeat, 1,000 devices.
    const int demo = m_scenarioBox->findText(QStringLiteral("nat-mobile"));
    m_scenarioBox->setCurrentIndex(demo >= 0 ? demo : 0);
    scenarioPicked();
}

bool SimulatorView::openScenarioFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    int index = m_scenarioBox->findData(absolute);
    if (index < 0) {
        m_scenarioBox->addItem(QFileInfo(absolute).completeBaseName(), absolute);
        index = m_scenarioBox->count() - 1;
    }
    if (m_scenarioBox->currentIndex() == index)
        scenarioPicked();
    else
        m_scenarioBox->setCurrentIndex(index);
    return m_loaded.has_value();
}

void SimulatorView::scenarioPicked()
{
    m_loaded.reset();
    m_loadError.clear();
    const QString path = m_scenarioBox->currentData().toString();
    if (path.isEmpty()) {
        m_loadError = tr("No scenario files found; open one with “Open…”.");
    } else {
        auto loaded = sim::loadScenario(path);
        if (auto *error = std::get_if<sim::ScenarioError>(&loaded))
            m_loadError = error->toString();
        else
            m_loaded = std::get<sim::Scenario>(std::move(loaded));
    }
    if (m_loaded) {
        m_devicesBox->setValue(m_loaded->devices);
        m_timeScaleBox->setValue(m_loaded->timeScale);
        m_networkBox->setCurrentIndex(int(NetworkChoice::FromScenario));
        m_heartbeatBox->setCurrentIndex(int(HeartbeatChoice::FromScenario));
        m_fixedIntervalBox->setValue(int(seconds(m_loaded->fixedInterval)));
        if (m_loaded->network == sim::Scenario::Network::Nat)
            m_customNatBox->setValue(int(seconds(m_loaded->natIdleTimeout())));
    }
    updateControls();
}

std::optional<sim::Scenario> SimulatorView::scenarioToRun() const
{
    if (!m_loaded)
        return std::nullopt;
    sim::Scenario s = *m_loaded;
    s.devices = m_devicesBox->value();
    s.timeScale = m_timeScaleBox->value();
    switch (NetworkChoice(m_networkBox->currentIndex())) {
    case NetworkChoice::FromScenario:
        break;
    case NetworkChoice::ChinaMobile:
    case NetworkChoice::ChinaUnicom:
    case NetworkChoice::ChinaTelecom: {
        constexpr sim::NatPreset presets[] = {sim::NatPreset::ChinaMobile, sim::NatPreset::ChinaUnicom,
                                              sim::NatPreset::ChinaTelecom};
        s.network = sim::Scenario::Network::Nat;
        s.nat = presets[m_networkBox->currentIndex() - int(NetworkChoice::ChinaMobile)];
        break;
    }
    case NetworkChoice::Custom:
        s.network = sim::Scenario::Network::Nat;
        s.nat = sim::NatPreset::Custom;
        s.natTimeout = std::chrono::seconds(m_customNatBox->value());
        break;
    case NetworkChoice::NoNat:
        s.network = sim::Scenario::Network::None;
        break;
    }
    switch (HeartbeatChoice(m_heartbeatBox->currentIndex())) {
    case HeartbeatChoice::FromScenario:
        break;
    case HeartbeatChoice::Fixed:
        s.heartbeat = sim::Scenario::Heartbeat::Fixed;
        s.fixedInterval = std::chrono::seconds(m_fixedIntervalBox->value());
        s.fixedIntervalLongest.reset();
        s.keepAlive.reset();
        break;
    case HeartbeatChoice::Smart: {
        // The scenario's own search if it has one, else nat-mobile's; either way widened
        // so that the path's NAT timeout lies inside the search (a Telecom line at 30 min
        // is never found by a search that stops at 10 min).
        sim::SmartHeartbeatConfig smart;
        if (s.heartbeat == sim::Scenario::Heartbeat::Smart) {
            smart = s.smart;
        } else {
            smart.min = 120s;
            smart.max = 600s;
            smart.step = 60s;
            smart.precision = 15s;
            smart.successesBeforeStepUp = 1;
        }
        if (const std::chrono::milliseconds nat = s.natIdleTimeout(); nat.count() > 0) {
            smart.min = std::min<sim::Duration>(smart.min, nat / 2);
            smart.max = std::max<sim::Duration>(smart.max, nat + smart.step);
        }
        s.heartbeat = sim::Scenario::Heartbeat::Smart;
        s.smart = smart;
        s.keepAlive.reset();
        break;
    }
    }
    return s;
}

QString SimulatorView::describeScenario(const sim::Scenario &s) const
{
    const QLocale locale;
    const QString heartbeat = s.heartbeatName();
    return tr("“%1”: %2 devices · %3 · heartbeat %4 · %5 simulated at ×%6 (%7 s real) · %n event(s)", nullptr,
              int(s.events.size()))
            .arg(s.name, locale.toString(s.devices), s.networkName(), heartbeat, sim::formatDuration(s.duration),
                 locale.toString(s.timeScale), locale.toString(double(s.realDuration().count()) / 1000.0, 'f', 1));
}

void SimulatorView::start()
{
    if (m_state != State::Idle)
        return;
    const std::optional<sim::Scenario> scenario = scenarioToRun();
    if (!scenario)
        return;
    if (!m_monitor.isRunning()) {
        setStatus([] { return tr("The broker is not running: start it first (Broker → Start)."); });
        return;
    }
    m_samples.clear();
    m_last = {};
    m_haveSnapshot = false;
    m_current = scenario;
    m_state = State::Starting;
    const int devices = scenario->devices;
    setStatus([devices] { return tr("Starting %n device(s)…", nullptr, devices); });
    redraw();
    showCounters();
    showRecommendation();
    updateControls();
    m_monitor.startSimulation(*scenario);
}

void SimulatorView::stop()
{
    if (m_state != State::Running && m_state != State::Starting)
        return;
    m_state = State::Stopping;
    setStatus([] { return tr("Stopping: the devices disconnect…"); });
    updateControls();
    m_monitor.stopSimulation();
}

void SimulatorView::scale()
{
    if (m_state != State::Running || !m_current || m_devicesBox->value() == m_current->devices)
        return;
    // A running fleet has a fixed size (Fleet creates its devices once): stop this run and
    // start the same scenario again with the new count.
    const int devices = m_devicesBox->value();
    m_restartWith = devices;
    addEventLine(tr("Scaling to %n device(s): a running fleet cannot be resized, so the run starts again.", nullptr,
                    devices));
    stop();
}

void SimulatorView::restartBroker()
{
    if (m_state != State::Running)
        return;
    sim::ScenarioEvent event;
    event.kind = sim::ScenarioEvent::Kind::BrokerRestart;
    event.at = std::chrono::milliseconds(m_last.simulatedMs);
    m_monitor.applySimulationEvent(event);
}

void SimulatorView::onStarted(const sim::Scenario &scenario)
{
    if (m_state == State::Idle)
        return; // another console's run: not ours to show
    m_current = scenario;
    m_state = m_state == State::Stopping ? State::Stopping : State::Running;
    const QString description = describeScenario(scenario);
    addEventLine(tr("Started %1").arg(description));
    if (const std::chrono::milliseconds nat = scenario.natIdleTimeout(); nat.count() > 0) {
        // The devices' heartbeats are scaled on the wire: the timeline's NAT line must be too.
        const double realSeconds = double(nat.count()) / 1000.0 / scenario.timeScale;
        addEventLine(tr("Simulated sessions are named %1…; to see their heartbeats approach the NAT line, choose NAT "
                        "timeout → Custom %2 s in Session detail (%3 at ×%4).")
                             .arg(scenario.idPrefix(), QLocale().toString(realSeconds, 'g', 3), sim::formatDuration(nat),
                                  QLocale().toString(scenario.timeScale)));
    }
    setStatus([devices = scenario.devices] { return tr("Running: %n device(s).", nullptr, devices); });
    redraw();
    updateControls();
}

void SimulatorView::onProgress(const sim::SimulationSnapshot &snapshot)
{
    if (m_state == State::Idle)
        return;
    for (const sim::StatsSample &sample : snapshot.samples)
        m_samples.push(sample);
    m_last = snapshot;
    m_last.samples.clear(); // they live in the ring buffer
    m_haveSnapshot = true;
    showCounters();
    showRecommendation();
    rememberRecommendation();
    redraw();
}

void SimulatorView::onEvent(const QString &description)
{
    if (m_state != State::Idle)
        addEventLine(description);
}

void SimulatorView::onFinished(const sim::SimulationSnapshot &snapshot)
{
    if (m_state == State::Idle)
        return;
    onProgress(snapshot);
    saveRecommendations();
    m_state = State::Idle;
    const qint64 elapsedMs = snapshot.elapsedMs;
    addEventLine(tr("Finished after %1 s").arg(QLocale().toString(double(elapsedMs) / 1000.0, 'f', 1)));
    setStatus([elapsedMs] {
        return tr("Finished after %1 s real.").arg(QLocale().toString(double(elapsedMs) / 1000.0, 'f', 1));
    });
    updateControls();
    if (const std::optional<int> devices = std::exchange(m_restartWith, std::nullopt)) {
        m_devicesBox->setValue(*devices);
        start();
    }
}

void SimulatorView::onFailed(const QString &reason)
{
    if (m_state == State::Idle)
        return;
    m_state = State::Idle;
    m_restartWith.reset();
    addEventLine(tr("Could not start: %1").arg(reason));
    setStatus([reason] { return tr("The simulation could not start: %1").arg(reason); });
    updateControls();
}

void SimulatorView::addEventLine(const QString &line)
{
    m_events->addItem(line);
    while (m_events->count() > 500)
        delete m_events->takeItem(0);
    m_events->scrollToBottom();
}

void SimulatorView::setStatus(std::function<QString()> text)
{
    m_status = std::move(text);
    m_statusLabel->setText(m_status());
}

void SimulatorView::showCounters()
{
    const QLocale locale;
    const sim::SimulationSnapshot &s = m_last;
    QStringList values(CounterCount, QStringLiteral("–"));
    if (m_haveSnapshot) {
        const auto ms = [&locale](double value) { return tr("%1 ms").arg(locale.toString(value, 'f', 0)); };
        const auto perSecond = [&locale](double value) { return tr("%1/s").arg(locale.toString(value, 'f', 0)); };
        values[Connected] = tr("%1 of %2").arg(locale.toString(s.fleet.connected), locale.toString(s.fleet.devices));
        values[ConnectAttempts] = tr("%1 (%2 failed)")
                                          .arg(locale.toString(s.fleet.connectAttempts), locale.toString(s.fleet.connectFailures));
        values[AllConnected] = s.allConnectedMs < 0 ? tr("not yet") : ms(double(s.allConnectedMs));
        values[PeakConnects] = perSecond(s.peakConnectsPerSecond);
        values[Reconnects] = tr("%1 (%2 gave up)").arg(locale.toString(s.fleet.reconnectAttempts), locale.toString(s.fleet.gaveUp));
        values[PeakReconnects] = perSecond(s.peakReconnectsPerSecond);
        values[Heartbeats] = tr("%1 sent, %2 answered").arg(locale.toString(s.heartbeats.sent), locale.toString(s.heartbeats.answered));
        values[DeadLinks] = tr("%1 (NAT dropped %2)").arg(locale.toString(s.heartbeats.deadLinks), locale.toString(s.heartbeats.natDropped));
        values[Detection] = s.heartbeats.deadLinks == 0
                ? tr("none yet")
                : tr("mean %1, max %2").arg(ms(s.heartbeats.meanDetectionMs), ms(double(s.heartbeats.maxDetectionMs)));
        values[PushesSent] = locale.toString(s.pushesSent);
        values[PushesDelivered] = locale.toString(s.pushesDelivered);
        values[Duplicates] = locale.toString(s.duplicates);
        values[Lost] = tr("%1 (missing %2)").arg(locale.toString(s.lost), locale.toString(s.missing));
        values[Arrival] = s.pushesSent == 0 ? tr("no pushes yet") : locale.toString(s.arrivalRate * 100.0, 'f', 2) + QStringLiteral(" %");
    }
    for (int i = 0; i < CounterCount; ++i)
        m_counterValues.at(i)->setText(values.at(i));

    if (m_current && m_haveSnapshot && m_current->duration.count() > 0) {
        const double fraction = std::clamp(double(s.simulatedMs) / double(m_current->duration.count()), 0.0, 1.0);
        m_progress->setValue(int(std::lround(fraction * 1000)));
        m_progress->setFormat(tr("%1 of %2 simulated · %3 s real")
                                      .arg(sim::formatDuration(std::chrono::milliseconds((s.simulatedMs / 1000) * 1000)),
                                           sim::formatDuration(m_current->duration),
                                           locale.toString(double(s.elapsedMs) / 1000.0, 'f', 0)));
    } else {
        m_progress->setValue(0);
        m_progress->setFormat(QString());
    }
}

void SimulatorView::showRecommendation()
{
    const QLocale locale;
    const sim::KeepAliveRecommendation &k = m_last.keepAlive;
    const auto secondsText = [&locale](std::chrono::milliseconds duration) {
        const qint64 total = seconds(duration);
        if (total < 60)
            return tr("%1 s").arg(locale.toString(total));
        return tr("%1 s (%2 min %3 s)").arg(locale.toString(total), locale.toString(total / 60), locale.toString(total % 60));
    };
    if (!m_haveSnapshot) {
        m_recommendedLabel->setText(tr("Recommended keep-alive: –"));
        m_recommendedDetail->setText(tr("Smart devices probe for the longest heartbeat the NAT allows; what they learn appears here."));
    } else if (k.available()) {
        m_recommendedLabel->setText(tr("Recommended keep-alive: %1").arg(secondsText(k.recommended)));
        QString detail = tr("%1: %2 of %3 smart devices converged · lowest %4 · median %5 · highest %6")
                                 .arg(m_last.network, locale.toString(k.convergedDevices), locale.toString(k.smartDevices),
                                      secondsText(k.lowest), secondsText(k.median), secondsText(k.highest));
        if (k.natTimeout.count() > 0)
            detail += tr(" · NAT timeout %1").arg(secondsText(k.natTimeout));
        m_recommendedDetail->setText(detail);
    } else if (k.smartDevices > 0) {
        m_recommendedLabel->setText(tr("Recommended keep-alive: learning…"));
        m_recommendedDetail->setText(tr("%1: %2 of %3 smart devices converged so far.")
                                             .arg(m_last.network, locale.toString(k.convergedDevices),
                                                  locale.toString(k.smartDevices)));
    } else {
        m_recommendedLabel->setText(tr("Recommended keep-alive: –"));
        m_recommendedDetail->setText(tr("Only smart heartbeats learn a keep-alive: choose Heartbeat → Smart."));
    }
}

void SimulatorView::rememberRecommendation()
{
    const sim::KeepAliveRecommendation &k = m_last.keepAlive;
    if (!k.available() || m_last.network.isEmpty())
        return;
    const auto found = std::find_if(m_recommendations.begin(), m_recommendations.end(),
                                    [this](const auto &entry) { return entry.first == m_last.network; });
    if (found != m_recommendations.end())
        found->second = k;
    else
        m_recommendations.append({m_last.network, k});
    showRecommendationTable();
}

void SimulatorView::loadRecommendations()
{
    const QSettings settings;
    for (const QVariant &entry : settings.value(RecommendationsKey).toList()) {
        const QVariantMap map = entry.toMap();
        sim::KeepAliveRecommendation k;
        k.recommended = std::chrono::milliseconds(map.value(QStringLiteral("recommendedMs")).toLongLong());
        k.lowest = std::chrono::milliseconds(map.value(QStringLiteral("lowestMs")).toLongLong());
        k.median = std::chrono::milliseconds(map.value(QStringLiteral("medianMs")).toLongLong());
        k.highest = std::chrono::milliseconds(map.value(QStringLiteral("highestMs")).toLongLong());
        k.natTimeout = std::chrono::milliseconds(map.value(QStringLiteral("natMs")).toLongLong());
        k.convergedDevices = map.value(QStringLiteral("converged")).toInt();
        k.smartDevices = map.value(QStringLiteral("smart")).toInt();
        const QString network = map.value(QStringLiteral("network")).toString();
        if (k.available() && !network.isEmpty())
            m_recommendations.append({network, k});
    }
    showRecommendationTable();
}

void SimulatorView::saveRecommendations() const
{
    QVariantList list;
    for (const auto &[network, k] : m_recommendations) {
        list.append(QVariantMap{
                {QStringLiteral("network"), network},
                {QStringLiteral("recommendedMs"), qint64(k.recommended.count())},
                {QStringLiteral("lowestMs"), qint64(k.lowest.count())},
                {QStringLiteral("medianMs"), qint64(k.median.count())},
                {QStringLiteral("highestMs"), qint64(k.highest.count())},
                {QStringLiteral("natMs"), qint64(k.natTimeout.count())},
                {QStringLiteral("converged"), k.convergedDevices},
                {QStringLiteral("smart"), k.smartDevices},
        });
    }
    QSettings().setValue(RecommendationsKey, list);
}

void SimulatorView::showRecommendationTable()
{
    const QLocale locale;
    m_recommendationTable->setRowCount(int(m_recommendations.size()));
    for (int row = 0; row < m_recommendations.size(); ++row) {
        const auto &[network, r] = m_recommendations.at(row);
        const QStringList cells = {
            network,
            tr("%1 s").arg(locale.toString(seconds(r.recommended))),
            tr("%1 of %2 (%3–%4 s)")
                    .arg(locale.toString(r.convergedDevices), locale.toString(r.smartDevices),
                         locale.toString(seconds(r.lowest)), locale.toString(seconds(r.highest))),
        };
        for (int column = 0; column < cells.size(); ++column) {
            QTableWidgetItem *item = m_recommendationTable->item(row, column);
            if (!item) {
                item = new QTableWidgetItem;
                m_recommendationTable->setItem(row, column, item);
            }
            item->setText(cells.at(column));
        }
    }
}

void SimulatorView::redraw()
{
    // One replace() per series per tick (STYLE.md R10).
    QList<QPointF> connected, connects, reconnects, arrivals, interval;
    connected.reserve(m_samples.size());
    connects.reserve(m_samples.size());
    reconnects.reserve(m_samples.size());
    arrivals.reserve(m_samples.size());
    interval.reserve(m_samples.size());
    double maxDevices = m_current ? m_current->devices : 10;
    double maxRate = 10, maxArrivals = 10, maxInterval = 10;
    for (qsizetype i = 0; i < m_samples.size(); ++i) {
        const sim::StatsSample &p = m_samples.at(i);
        const double minutes = double(p.simulatedMs) / 60000.0;
        connected.append({minutes, double(p.connected)});
        connects.append({minutes, p.connectsPerSecond});
        reconnects.append({minutes, p.reconnectsPerSecond});
        arrivals.append({minutes, p.arrivalsPerSecond});
        interval.append({minutes, p.meanIntervalSeconds});
        maxDevices = std::max(maxDevices, double(p.connected));
        maxRate = std::max({maxRate, p.connectsPerSecond, p.reconnectsPerSecond});
        maxArrivals = std::max(maxArrivals, p.arrivalsPerSecond);
        maxInterval = std::max(maxInterval, p.meanIntervalSeconds);
    }
    m_connected->replace(connected);
    m_connectsRate->replace(connects);
    m_reconnectsRate->replace(reconnects);
    m_arrivals->replace(arrivals);
    m_interval->replace(interval);

    // From the start of the run until the buffer wraps, then its oldest sample.
    const bool wrapped = m_samples.size() == m_samples.capacity();
    const double firstMinute = wrapped ? double(m_samples.at(0).simulatedMs) / 60000.0 : 0.0;
    const double lastMinute = m_samples.isEmpty() ? 0 : double(m_samples.newest().simulatedMs) / 60000.0;
    // The last sample lands a few ms past the end: it does not earn another minute.
    const double endMinute = std::max(m_current ? double(m_current->duration.count()) / 60000.0 : 10.0,
                                      std::floor(lastMinute));
    for (QValueAxis *x : {m_fleetX, m_pushX, m_heartbeatX})
        x->setRange(std::floor(firstMinute), std::max(std::ceil(endMinute), std::floor(firstMinute) + 1));

    const double natSeconds = m_current ? double(m_current->natIdleTimeout().count()) / 1000.0 : 0;
    if (natSeconds > 0)
        m_natLine->replace({QPointF(std::floor(firstMinute), natSeconds), QPointF(std::ceil(endMinute), natSeconds)});
    else
        m_natLine->clear();
    setNiceRange(m_fleetY, niceCeiling(maxDevices * 1.05)); // the full fleet stays below the frame
    setNiceRange(m_fleetRateY, niceCeiling(maxRate * 1.05));
    setNiceRange(m_pushY, niceCeiling(maxArrivals * 1.05));
    setNiceRange(m_heartbeatY, niceCeiling(std::max(maxInterval, natSeconds) * 1.1));
}

void SimulatorView::updateControls()
{
    const bool idle = m_state == State::Idle;
    const bool running = m_state == State::Running;
    m_scenarioBox->setEnabled(idle);
    m_openButton->setEnabled(idle);
    m_networkBox->setEnabled(idle);
    m_heartbeatBox->setEnabled(idle);
    m_timeScaleBox->setEnabled(idle);
    m_customNatBox->setVisible(NetworkChoice(m_networkBox->currentIndex()) == NetworkChoice::Custom);
    m_customNatBox->setEnabled(idle);
    m_fixedIntervalBox->setVisible(HeartbeatChoice(m_heartbeatBox->currentIndex()) == HeartbeatChoice::Fixed);
    m_fixedIntervalBox->setEnabled(idle);
    m_devicesBox->setEnabled(idle || running);
    m_startButton->setEnabled(idle && m_loaded.has_value() && m_monitor.isRunning());
    m_stopButton->setEnabled(running || m_state == State::Starting);
    m_scaleButton->setEnabled(running && m_current && m_devicesBox->value() != m_current->devices);
    m_restartButton->setEnabled(running && m_monitor.isRunning());
    if (!m_loaded)
        m_summaryLabel->setText(m_loadError);
    else if (const std::optional<sim::Scenario> s = scenarioToRun())
        m_summaryLabel->setText(describeScenario(*s));
}

void SimulatorView::retranslateUi()
{
    m_runBox->setTitle(tr("Run"));
    m_scenarioLabel->setText(tr("Scenario"));
    m_openButton->setText(tr("Open…"));
    m_openButton->setToolTip(tr("Open a scenario file (docs/SIMULATOR.md describes the format)"));
    m_networkLabel->setText(tr("Network"));
    m_networkBox->setItemText(int(NetworkChoice::FromScenario), tr("As in the scenario"));
    m_networkBox->setItemText(int(NetworkChoice::ChinaMobile), tr("China Mobile (NAT 5 min)"));
    m_networkBox->setItemText(int(NetworkChoice::ChinaUnicom), tr("China Unicom (NAT 5 min)"));
    m_networkBox->setItemText(int(NetworkChoice::ChinaTelecom), tr("China Telecom (NAT 30 min)"));
    m_networkBox->setItemText(int(NetworkChoice::Custom), tr("Custom NAT timeout"));
    m_networkBox->setItemText(int(NetworkChoice::NoNat), tr("No NAT"));
    m_customNatBox->setSuffix(tr(" s"));
    m_heartbeatLabel->setText(tr("Heartbeat"));
    m_heartbeatBox->setItemText(int(HeartbeatChoice::FromScenario), tr("As in the scenario"));
    m_heartbeatBox->setItemText(int(HeartbeatChoice::Fixed), tr("Fixed interval"));
    m_heartbeatBox->setItemText(int(HeartbeatChoice::Smart), tr("Smart (learns the NAT timeout)"));
    m_fixedIntervalBox->setSuffix(tr(" s"));
    m_devicesLabel->setText(tr("Devices"));
    m_scaleButton->setText(tr("Scale"));
    m_scaleButton->setToolTip(tr("Run again with this many devices (a running fleet cannot be resized)"));
    m_timeScaleLabel->setText(tr("Time scale"));
    m_timeScaleBox->setToolTip(tr("Simulated seconds per real second: at ×60 a 5-minute NAT timeout passes in 5 s"));
    m_startButton->setText(tr("Start"));
    m_stopButton->setText(tr("Stop"));
    m_restartButton->setText(tr("Restart broker"));
    m_restartButton->setToolTip(tr("Restart the broker now: every device loses its connection and reconnects "
                                   "after its random delay (the reconnect storm)"));
    m_keepAliveBox->setTitle(tr("What the smart devices learned"));
    m_recommendationTable->setHorizontalHeaderLabels({tr("Network"), tr("Keep-alive"), tr("Converged")});
    showRecommendationTable();
    m_countersBox->setTitle(tr("Statistics"));
    const QStringList titles = {
        tr("Connected"),         tr("Connect attempts"), tr("All connected after"), tr("Peak connects"),
        tr("Reconnect attempts"), tr("Peak reconnects"),  tr("Heartbeats"),          tr("Dead links"),
        tr("Detection time"),    tr("Pushes sent"),      tr("Pushes delivered"),    tr("Duplicates dropped"),
        tr("Lost"),              tr("Arrival rate"),
    };
    for (int i = 0; i < CounterCount; ++i)
        m_counterTitles.at(i)->setText(titles.at(i));
    m_eventsBox->setTitle(tr("Events"));

    m_fleetChart->setTitle(tr("Fleet: connected devices and connects per second"));
    m_connected->setName(tr("Connected"));
    m_connectsRate->setName(tr("Connects/s"));
    m_reconnectsRate->setName(tr("Reconnect attempts/s"));
    m_fleetY->setTitleText(tr("devices"));
    m_fleetRateY->setTitleText(tr("per second"));
    m_pushChart->setTitle(tr("Pushes delivered per second"));
    m_arrivals->setName(tr("Delivered/s"));
    m_pushY->setTitleText(tr("per second"));
    m_heartbeatChart->setTitle(tr("Mean heartbeat interval against the NAT timeout"));
    m_interval->setName(tr("Mean interval"));
    m_natLine->setName(tr("NAT timeout"));
    m_heartbeatY->setTitleText(tr("simulated s"));
    for (QValueAxis *x : {m_fleetX, m_pushX, m_heartbeatX})
        x->setTitleText(tr("simulated minutes"));
    if (m_status)
        m_statusLabel->setText(m_status());
    showCounters();
    showRecommendation();
    updateControls();
}

void SimulatorView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

} // namespace hermes::ui
