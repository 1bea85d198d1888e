#pragma once
/// A fleet of simulated devices: created together, connected at a bounded rate, summed.

#include "engine/simulator/simulateddevice.h"

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
    /// Connects started per second; ≤ 0 = all at once (a reconnect storm).
    int connectsPerSecond = 500;
    /// Shared by every device; each gets seed + index for its reconnect policy.
    DeviceConfig device;
    /// Makes the heartbeat strategy of device `index`; null = fixed 120 s.
    std::function<std::unique_ptr<HeartbeatStrategy>(int index)> heartbeat;
};

/// Sums of DeviceStats over the fleet, plus how many are in each state.
struct FleetStats {
    int devices = 0;
    int started = 0;
    int connected = 0;
    int gaveUp = 0;
    int converged = 0; ///< heartbeat strategy settled
    quint64 connectAttempts = 0;
    quint64 connects = 0;
    quint64 connectFailures = 0;
    quint64 reconnectAttempts = 0;
    quint64 heartbeatsSent = 0;
    quint64 pongs = 0;
    quint64 deadLinks = 0;
    quint64 connectionsLost = 0;
    quint64 messagesReceived = 0;
    quint64 pushesRaw = 0;
    quint64 pushesReceived = 0; ///< envelopes
    quint64 pushesDelivered = 0;
    quint64 duplicates = 0;
    quint64 gaps = 0;
    quint64 missing = 0; ///< still missing below each device's highest, summed
    quint64 lost = 0;
    quint64 rejected = 0;
    quint64 expired = 0;
    quint64 stale = 0;
    quint64 receiptsSent = 0;
    quint64 offersApplied = 0;  ///< verified keep-alive offers taken
    quint64 offersRejected = 0; ///< keep-alive offers that did not verify
    qint64 maxDetectionMs = 0;
    double meanDetectionMs = 0; ///< over every dead link noticed
    double meanIntervalMs = 0;  ///< current heartbeat interval, simulated
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

signals:
    /// Every device is connected at the same time (emitted each time that becomes true).
    void allConnected();
    void connectedCountChanged(int connected);

private:
    void createDevices();
    void startBatch();

    FleetConfig m_config;
    QList<SimulatedDevice *> m_devices; ///< children of this
    QTimer m_pacer;
    QElapsedTimer m_since;
    int m_started = 0;
    int m_connected = 0;
    bool m_running = false;
};

} // namespace hermes::sim
