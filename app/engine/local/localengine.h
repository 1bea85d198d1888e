#pragma once
/// The embedded broker on its own thread, seen through EngineMonitor.

#include "engine/api/monitor.h"
#include "engine/brokerconfig.h"

#include <QPointer>
#include <QThread>

#include <memory>

namespace hermes {

class Broker;
class PushService;

namespace sim {
class ScenarioRunner;
}

class LocalEngine : public EngineMonitor
{
    Q_OBJECT
public:
    explicit LocalEngine(BrokerConfig config, QObject *parent = nullptr);
    ~LocalEngine() override;

    void start() override;
    void stop() override;
    bool isRunning() const override { return m_running; }
    void requestSessionDetail(const QString &clientId) override;
    void watchSession(const QString &clientId) override;
    void kick(const QString &clientId) override;
    void publish(const mqtt::Publish &message) override;
    void deleteRetained(const QString &topic) override;
    void requestRetained() override;
    void sendPush(const PushRequest &request) override;
    void requestAudience(const PushTarget &target) override;
    void requestDevices() override;
    void requestAccounts() override;
    void setAccount(const QString &name, Role role, const QString &password) override;
    void removeAccount(const QString &name) override;
    void requestNetworks() override;
    bool setListenAddresses(const QList<ListenAddress> &addresses) override;
    QList<ListenAddress> configuredListenAddresses() const override { return m_config.listeners; }

    /// Changes the configuration used by the next start() (e.g. another port).
    void setConfig(BrokerConfig config) { m_config = std::move(config); }
    const BrokerConfig &config() const { return m_config; }
    /// Telemetry cadence; the default 250 ms keeps views at 4 Hz.
    void setTelemetryInterval(std::chrono::milliseconds interval) { m_interval = interval; }

    /// Simulations: the fleet runs on a thread of its own (not the broker's), connected to
    /// the first plain-TCP listener; broker events restart the real broker on its ports.
    void startSimulation(const sim::Scenario &scenario) override;
    void stopSimulation() override;
    void applySimulationEvent(const sim::ScenarioEvent &event) override;
    bool isSimulating() const override { return m_simulation != nullptr; }
    /// Progress cadence of the next simulation (real time); default 1 s.
    void setSimulationSampleInterval(std::chrono::milliseconds interval) { m_simulationInterval = interval; }

private:
    /// Runs `work` with the broker on the engine thread (no-op when stopped).
    void onEngine(std::function<void(Broker &)> work);
    /// Runs `work` with the push service on the engine thread (no-op when stopped).
    void onPushService(std::function<void(PushService &)> work);
    /// Lists the accounts on the GUI thread after `change` ran on the engine thread; a
    /// failed change (false and a reason) is reported first.
    void changeAccounts(std::function<bool(Broker &, QString *)> change);
    /// Runs `work` on the GUI thread, if `self` still exists then.
    static void toGui(const QPointer<LocalEngine> &self, std::function<void(LocalEngine &)> work);

    /// A broker event of the running simulation: stop and start on the same bound ports.
    void restartBrokerForSimulation(const QList<ListenAddress> &bound);
    /// Ends a running simulation and its thread (destructor).
    void shutdownSimulation();

    BrokerConfig m_config;
    QThread m_thread;
    Broker *m_broker = nullptr; ///< lives on m_thread; deleted there
    std::chrono::milliseconds m_interval{250};
    bool m_running = false;

    QThread m_simulationThread;
    sim::ScenarioRunner *m_simulation = nullptr; ///< lives on m_simulationThread; deleted there
    std::chrono::milliseconds m_simulationInterval{1000};
    QList<ListenAddress> m_boundAddresses; ///< from the last started()
};

} // namespace hermes
