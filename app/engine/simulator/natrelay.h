#pragma once
/// A loopback TCP relay that behaves like a carrier NAT: idle mappings die silently.

#include "engine/simulator/natrelayvalues.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QTimer>

#include <chrono>

class QTcpSocket;

namespace hermes::sim {

/// Listens on 127.0.0.1:<any> and forwards each accepted device connection to the broker.
/// Each accepted connection is one NAT mapping. When no byte has crossed a mapping in
/// either direction for the idle timeout, the mapping is dropped the way a carrier drops
/// it: no FIN and no RST to either side. Both sockets stay open, and bytes that still
/// arrive are discarded, so each peer has to notice on its own (pong timeout on the device,
/// 1.5 T keep-alive on the broker). A dropped side is closed only when its own peer closes
/// it, or after `blackHoleGrace`.
///
/// Timeouts are given in simulated time and divided by `timeScale`: with scale 60, China
/// Mobile's 300 s passes in 5 s. One sweep timer serves every mapping.
class NatRelay : public QObject
{
    Q_OBJECT
public:
    using Preset = NatPreset;

    struct Config {
        QString targetHost = QStringLiteral("127.0.0.1"); ///< the broker
        quint16 targetPort = 1883;
        Preset preset = Preset::ChinaMobile;
        std::chrono::milliseconds customTimeout = std::chrono::seconds(300); ///< simulated
        /// Simulated seconds per real second (> 0).
        double timeScale = 1.0;
        /// Simulated time a dropped mapping's sockets stay open when nobody closes them.
        std::chrono::milliseconds blackHoleGrace = std::chrono::hours(1);
        /// Connect to the broker from the device's own address (on a new port), so that
        /// the broker tells simulated networks apart by address, as it tells carriers apart
        /// by their NAT pools. Off: from the relay's address.
        bool keepDeviceAddress = false;
    };

    using Counters = NatRelayCounters;

    explicit NatRelay(Config config, QObject *parent = nullptr);
    ~NatRelay() override;

    /// Starts listening on 127.0.0.1 with a free port; false (errorString()) on failure.
    bool start();
    /// Stops listening and aborts every mapping.
    void stop();
    quint16 port() const { return m_server.serverPort(); }
    QString errorString() const { return m_server.errorString(); }

    const Config &config() const { return m_config; }
    /// The idle timeout in simulated time.
    std::chrono::milliseconds simulatedTimeout() const;
    /// The idle timeout in real time (simulated / timeScale).
    std::chrono::milliseconds idleTimeout() const { return m_idleTimeout; }
    const Counters &counters() const { return m_counters; }
    /// Mappings still forwarding.
    int liveMappings() const;
    /// All mappings with a socket still open (live and black-holed).
    int openMappings() const { return int(m_mappings.size()); }

    /// The network goes away under `share` (0–1) of the live mappings, picked at random
    /// with `seed`: they are black-holed now, silently, as if their idle timeout had
    /// passed (a train enters a tunnel). Returns how many were dropped.
    int dropMappings(double share, quint64 seed);
    /// Ends every mapping on both sides at once, as a broker restart looks from the
    /// devices (and a restart of the devices from the broker): FIN, or RST when `abortive`.
    /// Devices reconnect through the relay as usual. Returns how many were open.
    int resetAll(bool abortive);

signals:
    void mappingCreated(quint64 id);
    /// Dropped after `idleMs` real milliseconds of silence.
    void mappingDropped(quint64 id, qint64 idleMs);

private:
    struct Mapping {
        QTcpSocket *device = nullptr;   ///< accepted from the device
        QTcpSocket *upstream = nullptr; ///< to the broker
        QByteArray pendingUpstream;     ///< device bytes before the upstream connect completes
        qint64 lastActivityUs = 0;      ///< µs: a heartbeat exactly at the timeout must not pass by rounding
        qint64 droppedAtMs = -1;        ///< -1 while forwarding
        bool upstreamConnected = false;
        bool deviceOpen = true;
        bool upstreamOpen = true;
        bool dropped() const { return droppedAtMs >= 0; }
    };

    void accept();
    void onDeviceBytes(quint64 id);
    void onUpstreamBytes(quint64 id);
    void onDeviceClosed(quint64 id);
    void onUpstreamClosed(quint64 id);
    void sweep();
    /// Drops the mapping if it has been idle too long; true when it is (now) dropped.
    bool expireIfIdle(quint64 id, Mapping &mapping, qint64 nowUs);
    void removeIfDone(quint64 id);
    void destroy(Mapping &mapping);
    qint64 nowMs() const { return m_clock.elapsed(); }
    qint64 nowUs() const { return m_clock.nsecsElapsed() / 1000; }

    Config m_config;
    std::chrono::milliseconds m_idleTimeout;
    std::chrono::milliseconds m_grace;
    QTcpServer m_server;
    QTimer m_sweep;
    QElapsedTimer m_clock;
    QHash<quint64, Mapping> m_mappings;
    quint64 m_nextId = 1;
    Counters m_counters;
};

} // namespace hermes::sim
