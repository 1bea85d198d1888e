#pragma once
/// The Simulator view: pick a scenario, start, scale and stop a simulated fleet
/// against the console's own broker, and watch its statistics live — connects, reconnect
/// storms, heartbeats against the NAT line, pushes and the keep-alive the smart devices
/// learned (docs/SIMULATOR.md, "In the console").

#include "ringbuffer.h"

#include "engine/api/monitor.h"

#include <QList>
#include <QWidget>

#include <functional>
#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineSeries;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QValueAxis;
class QChart;

namespace hermes::ui {

/// Talks to the engine only through EngineMonitor (startSimulation() and its signals).
/// Charts redraw from a ring buffer once per progress tick (STYLE.md R10).
class SimulatorView : public QWidget
{
    Q_OBJECT
public:
    /// The picker's network override (index order of the combo box).
    enum class NetworkChoice { FromScenario, ChinaMobile, ChinaUnicom, ChinaTelecom, Custom, NoNat };
    /// The picker's heartbeat override.
    enum class HeartbeatChoice { FromScenario, Fixed, Smart };

    explicit SimulatorView(EngineMonitor &monitor, QWidget *parent = nullptr);

    /// Folders searched for *.scenario: $HERMES_SCENARIO_DIR, then share/hermes/scenarios
    /// and scenarios/ in the executable's folder and up to four folders above it (an
    /// installed console, or a build tree inside the source tree).
    static QStringList scenarioDirectories();
    /// Adds a scenario file to the picker and selects it. False when it does not parse;
    /// the reason (with its line) is shown.
    bool openScenarioFile(const QString &path);
    /// The scenario Start runs: the picked file with the overrides applied; nullopt when
    /// no valid scenario is picked.
    std::optional<sim::Scenario> scenarioToRun() const;

    /// The run's totals as last reported (samples are in the charts' buffer).
    const sim::SimulationSnapshot &lastSnapshot() const { return m_last; }
    /// Points in the charts' ring buffer.
    qsizetype sampleCount() const { return m_samples.size(); }
    bool isRunning() const { return m_state != State::Idle; }
    /// What the smart devices learned, per network ("China Mobile (5m)"), newest run wins;
    /// kept in the settings when a run finishes.
    QList<std::pair<QString, sim::KeepAliveRecommendation>> recommendations() const { return m_recommendations; }

    /// The buttons' actions.
    void start();
    void stop();
    /// Runs the fleet again with the device count now in the box (a running fleet cannot
    /// be resized: it is stopped and started anew).
    void scale();
    /// Restarts the broker now, as a scenario's broker-restart event would.
    void restartBroker();

protected:
    void changeEvent(QEvent *event) override;

private:
    enum class State { Idle, Starting, Running, Stopping };

    void retranslateUi();
    void refreshScenarioList();
    void scenarioPicked();
    void onStarted(const sim::Scenario &scenario);
    void onProgress(const sim::SimulationSnapshot &snapshot);
    void onEvent(const QString &description);
    void onFinished(const sim::SimulationSnapshot &snapshot);
    void onFailed(const QString &reason);
    void showCounters();
    void showRecommendation();
    void rememberRecommendation();
    void loadRecommendations();
    void saveRecommendations() const;
    void showRecommendationTable();
    void redraw();
    void updateControls();
    void setStatus(std::function<QString()> text);
    void addEventLine(const QString &line);
    QString describeScenario(const sim::Scenario &scenario) const;

    EngineMonitor &m_monitor;

    QGroupBox *m_runBox = nullptr;
    QLabel *m_scenarioLabel = nullptr;
    QComboBox *m_scenarioBox = nullptr;
    QPushButton *m_openButton = nullptr;
    QLabel *m_summaryLabel = nullptr;
    QLabel *m_networkLabel = nullptr;
    QComboBox *m_networkBox = nullptr;
    QSpinBox *m_customNatBox = nullptr;
    QLabel *m_heartbeatLabel = nullptr;
    QComboBox *m_heartbeatBox = nullptr;
    QSpinBox *m_fixedIntervalBox = nullptr;
    QLabel *m_devicesLabel = nullptr;
    QSpinBox *m_devicesBox = nullptr;
    QLabel *m_timeScaleLabel = nullptr;
    QDoubleSpinBox *m_timeScaleBox = nullptr;
    QPushButton *m_startButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QPushButton *m_scaleButton = nullptr;
    QPushButton *m_restartButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_statusLabel = nullptr;

    QGroupBox *m_keepAliveBox = nullptr;
    QLabel *m_recommendedLabel = nullptr;
    QLabel *m_recommendedDetail = nullptr;
    QTableWidget *m_recommendationTable = nullptr;

    QGroupBox *m_countersBox = nullptr;
    enum Counter {
        Connected,
        ConnectAttempts,
        AllConnected,
        PeakConnects,
        Reconnects,
        PeakReconnects,
        Heartbeats,
        DeadLinks,
        Detection,
        PushesSent,
        PushesDelivered,
        Duplicates,
        Lost,
        Arrival,
        CounterCount
    };
    QList<QLabel *> m_counterTitles;
    QList<QLabel *> m_counterValues;

    QGroupBox *m_eventsBox = nullptr;
    QListWidget *m_events = nullptr;

    QChart *m_fleetChart = nullptr;
    QChart *m_pushChart = nullptr;
    QChart *m_heartbeatChart = nullptr;
    QLineSeries *m_connected = nullptr;
    QLineSeries *m_connectsRate = nullptr;
    QLineSeries *m_reconnectsRate = nullptr;
    QLineSeries *m_arrivals = nullptr;
    QLineSeries *m_interval = nullptr;
    QLineSeries *m_natLine = nullptr;
    QValueAxis *m_fleetX = nullptr, *m_fleetY = nullptr, *m_fleetRateY = nullptr;
    QValueAxis *m_pushX = nullptr, *m_pushY = nullptr;
    QValueAxis *m_heartbeatX = nullptr, *m_heartbeatY = nullptr;

    std::optional<sim::Scenario> m_loaded; ///< the picked file, as parsed
    QString m_loadError;
    std::optional<sim::Scenario> m_current; ///< the running scenario (overrides applied)
    sim::SimulationSnapshot m_last;
    bool m_haveSnapshot = false;
    RingBuffer<sim::StatsSample> m_samples{3600}; ///< one hour at one sample a second
    QList<std::pair<QString, sim::KeepAliveRecommendation>> m_recommendations;
    State m_state = State::Idle;
    std::optional<int> m_restartWith; ///< scale(): start again with this many devices
    std::function<QString()> m_status; ///< re-evaluated on a language change
};

} // namespace hermes::ui
