#include "fleet.h"

#include <QMap>

#include <algorithm>
#include <cmath>

namespace hermes::sim {

namespace {

/// Pacer tick: coarse enough to be cheap, fine enough that 1,000 connects/s come in
/// batches of ten rather than of hundreds.
constexpr int PacerTickMs = 10;

} // namespace

Fleet::Fleet(FleetConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_pacer(this)
{
    m_config.deviceCount = std::max(m_config.deviceCount, 0);
    m_pacer.setInterval(PacerTickMs);
    connect(&m_pacer, &QTimer::timeout, this, &Fleet::startBatch);
}

Fleet::~Fleet()
{
    // Devices are children: their clients abort their sockets when destroyed.
    m_pacer.stop();
}

void Fleet::createDevices()
{
    if (!m_devices.isEmpty())
        return;
    const int width = int(QString::number(std::max(m_config.deviceCount - 1, 0)).size());
    m_devices.reserve(m_config.deviceCount);
    for (int i = 0; i < m_config.deviceCount; ++i) {
        DeviceConfig deviceConfig = m_config.device;
        deviceConfig.seed = m_config.device.seed + quint64(i);
        if (!m_config.brokers.isEmpty()) {
            // Round robin at the start; each device then goes round the list from its own node.
            const qsizetype n = m_config.brokers.size();
            const BrokerNode &own = m_config.brokers.at(i % n);
            deviceConfig.brokerHost = own.host;
            deviceConfig.brokerPort = own.port;
            deviceConfig.moreBrokers.clear();
            for (qsizetype k = 1; k < n; ++k)
                deviceConfig.moreBrokers.append(m_config.brokers.at((i + k) % n));
        }
        std::unique_ptr<HeartbeatStrategy> heartbeat;
        if (m_config.heartbeat)
            heartbeat = m_config.heartbeat(i);
        const QString id = m_config.idPrefix + QStringLiteral("%1").arg(i, width, 10, QLatin1Char('0'))
                + m_config.idSuffix;
        auto *device = new SimulatedDevice(id, deviceConfig, std::move(heartbeat), this);
        if (!m_config.localAddresses.isEmpty()) {
            ClientOptions options = device->client().options();
            options.localAddress = m_config.localAddresses.at(i % m_config.localAddresses.size());
            device->client().setOptions(options);
        }
        connect(device, &SimulatedDevice::connected, this, [this] {
            ++m_connected;
            emit connectedCountChanged(m_connected);
            if (m_connected == int(m_devices.size()))
                emit allConnected();
        });
        connect(device, &SimulatedDevice::reconnected, this, [this](qint64 ms) { m_reconnectMs.append(ms); });
        connect(device, &SimulatedDevice::disconnected, this,
                [this](mqtt::client::CloseReason) {
                    // Also called for attempts that never connected; only count real losses.
                    m_connected = int(std::count_if(m_devices.cbegin(), m_devices.cend(),
                                                    [](SimulatedDevice *d) { return d->isConnected(); }));
                    emit connectedCountChanged(m_connected);
                });
        m_devices.append(device);
    }
}

void Fleet::start()
{
    if (m_running)
        return;
    createDevices();
    m_running = true;
    m_started = 0;
    m_since.start();
    startBatch();
    if (m_started < int(m_devices.size()))
        m_pacer.start();
}

void Fleet::stop()
{
    m_running = false;
    m_pacer.stop();
    for (SimulatedDevice *device : std::as_const(m_devices))
        device->stop();
}

void Fleet::startBatch()
{
    const int total = int(m_devices.size());
    // Allowed so far = rate × elapsed (at least one, so the first device goes at once).
    const qint64 allowed = m_config.connectsPerSecond <= 0
            ? total
            : std::max<qint64>(1, m_since.elapsed() * m_config.connectsPerSecond / 1000);
    const int target = int(std::min<qint64>(allowed, total));
    while (m_started < target)
        m_devices.at(m_started++)->start();
    if (m_started >= total)
        m_pacer.stop();
}

FleetStats Fleet::stats() const
{
    FleetStats s;
    s.devices = int(m_devices.size());
    s.started = m_started;
    qint64 detectionTotal = 0;
    double intervalTotal = 0;
    QMap<QString, int> perBroker;
    for (const BrokerNode &node : m_config.brokers)
        perBroker.insert(node.toString(), 0);
    for (const SimulatedDevice *device : m_devices) {
        const DeviceStats &d = device->stats();
        s.connected += device->isConnected() ? 1 : 0;
        s.subscribed += device->isSubscribed() ? 1 : 0;
        if (device->isConnected())
            ++perBroker[device->currentBroker().toString()];
        s.gaveUp += d.gaveUp ? 1 : 0;
        s.converged += device->heartbeat().converged() ? 1 : 0;
        s.connectAttempts += d.connectAttempts;
        s.connects += d.connects;
        s.connectFailures += d.connectFailures;
        s.reconnectAttempts += d.reconnectAttempts;
        s.heartbeatsSent += d.heartbeatsSent;
        s.pongs += d.pongs;
        s.deadLinks += d.deadLinks;
        s.connectionsLost += d.connectionsLost;
        s.offersApplied += d.offersApplied;
        s.offersRejected += d.offersRejected;
        s.messagesReceived += d.messagesReceived;
        s.pushesRaw += d.pushesRaw;
        s.pushesReceived += d.pushesReceived;
        s.pushesDelivered += d.pushesDelivered;
        s.duplicates += d.duplicates;
        s.gaps += d.gaps;
        s.missing += d.missing;
        s.lost += d.lost;
        s.rejected += d.rejected;
        s.expired += d.expired;
        s.stale += d.stale;
        s.receiptsSent += d.receiptsSent;
        s.maxDetectionMs = std::max(s.maxDetectionMs, d.maxDetectionMs);
        detectionTotal += d.totalDetectionMs;
        intervalTotal += double(device->heartbeat().currentInterval().count());
    }
    for (auto it = perBroker.cbegin(); it != perBroker.cend(); ++it)
        s.connectedPerBroker.append({it.key(), it.value()});
    s.reconnects = quint64(m_reconnectMs.size());
    if (!m_reconnectMs.isEmpty()) {
        QList<qint64> sorted = m_reconnectMs;
        std::sort(sorted.begin(), sorted.end());
        // Nearest rank: the smallest value with at least p of them at or below it.
        const auto rank = [&sorted](double p) {
            const auto index = qsizetype(std::ceil(p * double(sorted.size()))) - 1;
            return sorted.at(std::clamp<qsizetype>(index, 0, sorted.size() - 1));
        };
        s.reconnectMinMs = sorted.first();
        s.reconnectP50Ms = rank(0.50);
        s.reconnectP99Ms = rank(0.99);
        s.reconnectMaxMs = sorted.last();
    }
    if (s.deadLinks > 0)
        s.meanDetectionMs = double(detectionTotal) / double(s.deadLinks);
    if (s.devices > 0)
        s.meanIntervalMs = intervalTotal / double(s.devices);
    return s;
}

} // namespace hermes::sim
