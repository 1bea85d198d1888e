#pragma once
/// Runs a Scenario against a broker: a NAT relay, a fleet, a push sender and the events at
/// their times, sampling statistics as it goes. Used by hermesctl simulate, the console and
/// the tests.

#include "engine/simulator/fleet.h"
#include "engine/simulator/natrelay.h"
#include "engine/simulator/scenario.h"
#include "engine/simulator/statistics.h"
#include "push/sequence.h"
#include "push/signer.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace hermes {
class MqttClient;
}

namespace hermes::sim {

/// What the command line (or the console) overrides in a scenario.
struct RunOptions {
    QString brokerHost;      ///< empty: the scenario's, else 127.0.0.1
    quint16 brokerPort = 0;  ///< 0: the scenario's, else 1883
    /// With brokerHost set: the cluster's other nodes (replacing the scenario's list).
    QList<BrokerNode> moreBrokers;
    /// MQTT login of every device (empty: none).
    QString userName;
    QByteArray password;
    std::optional<int> devices;
    std::optional<double> timeScale;
    /// Source addresses for the devices (see FleetConfig::localAddresses).
    QList<QHostAddress> localAddresses;
    /// The relay reaches the broker from each device's own address (a real NAT would not),
    /// so that a broker sees which simulated network a device is on.
    bool keepSourceAddress = false;
    std::chrono::milliseconds sampleInterval = std::chrono::seconds(1); ///< real
    quint64 seed = 1;
};

/// Owns the relay, the fleet and the sender for one run. start() begins; finished() comes
/// once the scenario's duration (divided by its time scale) has passed, or after stop().
///
/// Broker events: with a broker control (an in-process broker, the console's engine) the
/// control performs them; otherwise the relay ends every connection at once (FIN for a
/// restart, RST for a kill), which is what devices see of a broker restart. Pushes go
/// through the publisher when one is set, else through an MqttClient of the runner's own.
class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    /// Performs a broker event; false = not handled (the relay does it instead).
    using BrokerControl = std::function<bool(ScenarioEvent::Kind kind)>;
    using Publisher = std::function<void(const mqtt::Publish &publish)>;

    ScenarioRunner(Scenario scenario, RunOptions options, QObject *parent = nullptr);
    ~ScenarioRunner() override;

    void setBrokerControl(BrokerControl control) { m_brokerControl = std::move(control); }
    void setPublisher(Publisher publisher) { m_publisher = std::move(publisher); }

    /// The scenario with the overrides applied.
    const Scenario &scenario() const { return m_scenario; }
    QString brokerHost() const { return m_brokerHost; }
    quint16 brokerPort() const { return m_brokerPort; }
    /// Every address devices are spread over: brokerHost():brokerPort() first.
    QList<BrokerNode> brokers() const;

    /// Starts the relay, the sender, the fleet and the clock. False (errorString()) when
    /// the relay cannot listen.
    bool start();
    /// Ends the run now: finished() follows.
    void stop();
    bool isRunning() const { return m_running; }
    QString errorString() const { return m_error; }

    /// Everything measured so far; after finished(), what was measured at the end (before
    /// the fleet disconnected).
    SimulationSnapshot snapshot() const;
    Fleet *fleet() const { return m_fleet; }
    NatRelay *relay() const { return m_relay; }
    /// Envelopes sent per device (the sender's allocator).
    const push::SequenceAllocator &allocator() const { return m_allocator; }

    /// Performs one event now (also used by the timers). Returns what was done.
    QString apply(const ScenarioEvent &event);

signals:
    /// Every sample interval.
    void progress(const hermes::sim::SimulationSnapshot &snapshot);
    /// An event was performed: "at 10m broker-restart: 1000 connections reset".
    void eventApplied(const QString &description);
    void finished(const hermes::sim::SimulationSnapshot &snapshot);

private:
    void sample();
    void finish();
    void publish(const mqtt::Publish &message);
    int pushBurst(const ScenarioEvent &event, int index);
    /// Device `index`'s strategy (of scenario().devices).
    std::unique_ptr<HeartbeatStrategy> makeHeartbeat(int index) const;
    /// How the fleet heartbeats, for the statistics.
    QString heartbeatName() const;
    qint64 simulatedNow() const;

    Scenario m_scenario;
    RunOptions m_options;
    QString m_brokerHost;
    quint16 m_brokerPort = 1883;
    QList<BrokerNode> m_moreBrokers;
    BrokerControl m_brokerControl;
    Publisher m_publisher;
    NatRelay *m_relay = nullptr;    ///< child; null for "nat direct"
    Fleet *m_fleet = nullptr;       ///< child
    MqttClient *m_sender = nullptr; ///< child, when no publisher is set
    std::optional<push::Signer> m_signer;
    push::SequenceAllocator m_allocator;
    quint64 m_pushesSent = 0;
    QTimer m_sampler;
    QList<QTimer *> m_eventTimers; ///< children
    QTimer m_end;
    QElapsedTimer m_clock;
    QList<StatsSample> m_samples;
    QStringList m_events;
    std::optional<SimulationSnapshot> m_final; ///< taken when the run ended, before stopping
    double m_peakConnects = 0;
    double m_peakReconnects = 0;
    qint64 m_allConnectedMs = -1;
    qint64 m_finishedMs = -1;
    int m_eventIndex = 0;
    bool m_running = false;
    QString m_error;
};

} // namespace hermes::sim
