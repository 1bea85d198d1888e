#pragma once
/// A fleet of simulated devices: created together, connected at a bounded rate, summed.

#include "engine/simulator/simulateddevice.h"
#include "engine/simulator/statistics.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace hermes::sim {

/// What the fleet is and how fast it comes online.
struct FleetConfig {
    int deviceCount = 100;
    /// Device ids are idPrefix + zero-padded index + idSuffix: "sim-00042".
    QString idPrefix = QStringLiteral("sim-");
    QString idSuffix;
    /// Source addresses devices bind to, round robin (empty = the system's choice). Each
    /// 127.0.0.x has its own ~28,000 ephemeral ports.
    QList<QHostAddress> localAddresses;
    /// A cluster's nodes: device i starts on brokers[i % n] and has the others, in list
    /// order after its own, as DeviceConfig::moreBrokers. Empty: every device uses
    /// device.brokerHost:brokerPort (and device.moreBrokers) as given.
    QList<BrokerNode> brokers;
    /// Connects started per second; ≤ 0 = all at once (a reconnect storm).
    int connectsPerSecond = 500;
    /// Shared by every device; each gets seed + index for its reconnect policy.
    DeviceConfig device;
    /// Makes the heartbeat strategy of device `index`; null = fixed 120 s.
    std::function<std::unique_ptr<HeartbeatStrategy>(int index)> heartbeat;
};

/// Owns N SimulatedDevices. start() creates them (if needed) and starts them in batches so
/// that no more than connectsPerSecond begin connecting per second; one timer paces them.
class Fleet : public QObject
{
    Q_OBJECT
public:
    explicit Fleet(FleetConfig config, QObject *parent = nullptr);
    ~Fleet() override;

    const FleetConfig &config() const { return m_config; }
    const QList<SimulatedDevice *> &devices() const { return m_devices; }
    /// Starts connecting (staggered). Idempotent while running.
    void start();
    /// Stops pacing and every device (DISCONNECT when connected).
    void stop();
    bool isRunning() const { return m_running; }
    int connectedCount() const { return m_connected; }
    FleetStats stats() const;
    /// Every reconnect so far (real ms from a device's loss to its push subscription granted again), in the
    /// order they happened.
    const QList<qint64> &reconnectTimes() const { return m_reconnectMs; }

signals:
    /// Every device is connected at the same time (emitted each time that becomes true).
    void allConnected();
    void connectedCountChanged(int connected);

private:
    void createDevices();
    void startBatch();

    FleetConfig m_config;
    QList<SimulatedDevice *> m_devices; ///< children of this
    QList<qint64> m_reconnectMs;
    QTimer m_pacer;
    QElapsedTimer m_since;
    int m_started = 0;
    int m_connected = 0;
    bool m_running = false;
};

} // namespace hermes::sim
