#include "natrelay.h"

#include <QLoggingCategory>
#include <QTcpSocket>

#include <algorithm>
#include <cmath>
#include <random>

Q_LOGGING_CATEGORY(lcRelay, "hermes.sim.relay", QtInfoMsg)

namespace hermes::sim {

using namespace std::chrono_literals;

namespace {

/// How long a closing socket may take to flush before it is aborted.
constexpr int FlushGraceMs = 5000;

std::chrono::milliseconds scaled(std::chrono::milliseconds simulated, double scale)
{
    return std::chrono::milliseconds(
            std::max<qint64>(1, qint64(std::llround(double(simulated.count()) / scale))));
}

} // namespace

NatRelay::NatRelay(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_server(this)
    , m_sweep(this)
{
    if (!(m_config.timeScale > 0.0))
        m_config.timeScale = 1.0;
    // No timeout = no NAT: a century is "never" for any run and keeps the arithmetic plain.
    m_idleTimeout = simulatedTimeout().count() > 0 ? scaled(simulatedTimeout(), m_config.timeScale)
                                                   : std::chrono::milliseconds(std::chrono::hours(24 * 365 * 100));
    m_grace = scaled(m_config.blackHoleGrace, m_config.timeScale);
    // Twenty sweeps per timeout bound how late a drop is noticed by the sweep; a byte that
    // arrives in between is checked against the clock first (expireIfIdle), so forwarding
    // never outlives the timeout however coarse the sweep is.
    m_sweep.setInterval(int(std::clamp<qint64>(m_idleTimeout.count() / 20, 10, 1000)));
    connect(&m_sweep, &QTimer::timeout, this, &NatRelay::sweep);
    connect(&m_server, &QTcpServer::newConnection, this, &NatRelay::accept);
    m_clock.start();
}

NatRelay::~NatRelay()
{
    stop();
}

std::chrono::milliseconds NatRelay::simulatedTimeout() const
{
    return m_config.preset == Preset::Custom ? m_config.customTimeout
                                             : natPresetTimeout(m_config.preset);
}

bool NatRelay::start()
{
    if (m_server.isListening())
        return true;
    // A device fleet connects in bursts; a short backlog would refuse some of them.
    m_server.setMaxPendingConnections(4096);
    m_server.setListenBacklogSize(4096); // the kernel's SYN queue; Qt's default is 50
    if (!m_server.listen(QHostAddress::LocalHost, 0))
        return false;
    m_sweep.start();
    return true;
}

void NatRelay::stop()
{
    m_sweep.stop();
    m_server.close();
    for (Mapping &mapping : m_mappings)
        destroy(mapping);
    m_mappings.clear();
}

int NatRelay::liveMappings() const
{
    return int(std::count_if(m_mappings.cbegin(), m_mappings.cend(),
                             [](const Mapping &m) { return !m.dropped(); }));
}

int NatRelay::dropMappings(double share, quint64 seed)
{
    QList<quint64> live;
    for (auto it = m_mappings.cbegin(); it != m_mappings.cend(); ++it) {
        if (!it->dropped())
            live.append(it.key());
    }
    std::sort(live.begin(), live.end()); // hash order is not reproducible; the seed should be
    std::mt19937_64 rng(seed);
    std::shuffle(live.begin(), live.end(), rng);
    const int count = int(std::llround(std::clamp(share, 0.0, 1.0) * double(live.size())));
    const qint64 now = nowMs();
    const qint64 nowMicros = nowUs();
    int dropped = 0;
    for (int i = 0; i < count; ++i) {
        auto it = m_mappings.find(live.at(i));
        if (it == m_mappings.end() || it->dropped())
            continue;
        it->droppedAtMs = now;
        it->pendingUpstream.clear();
        ++m_counters.mappingsDropped;
        ++dropped;
        emit mappingDropped(live.at(i), (nowMicros - it->lastActivityUs) / 1000);
    }
    return dropped;
}

int NatRelay::resetAll(bool abortive)
{
    const QList<quint64> ids = m_mappings.keys();
    for (const quint64 id : ids) {
        auto it = m_mappings.find(id);
        if (it == m_mappings.end())
            continue;
        QTcpSocket *device = it->device;
        QTcpSocket *upstream = it->upstream;
        it->deviceOpen = false;
        it->upstreamOpen = false;
        device->disconnect(this);
        upstream->disconnect(this);
        if (abortive) {
            device->abort();
            upstream->abort();
        } else {
            device->disconnectFromHost();
            upstream->disconnectFromHost();
        }
        removeIfDone(id);
    }
    return int(ids.size());
}

void NatRelay::accept()
{
    while (QTcpSocket *device = m_server.nextPendingConnection()) {
        const quint64 id = m_nextId++;
        Mapping mapping;
        mapping.device = device;
        mapping.upstream = new QTcpSocket(this);
        mapping.lastActivityUs = nowUs();
        device->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        QTcpSocket *upstream = mapping.upstream;
        m_mappings.insert(id, mapping);
        ++m_counters.mappingsCreated;

        connect(device, &QIODevice::readyRead, this, [this, id] { onDeviceBytes(id); });
        connect(device, &QAbstractSocket::disconnected, this, [this, id] { onDeviceClosed(id); });
        connect(upstream, &QIODevice::readyRead, this, [this, id] { onUpstreamBytes(id); });
        connect(upstream, &QAbstractSocket::disconnected, this, [this, id] { onUpstreamClosed(id); });
        connect(upstream, &QAbstractSocket::errorOccurred, this, [this, id] {
            auto it = m_mappings.find(id);
            if (it == m_mappings.end() || it->upstreamConnected)
                return; // errors on an established socket end in disconnected()
            // The broker refused: a real NAT passes the RST back to the device.
            QTcpSocket *device = it->device;
            it->upstreamOpen = false;
            it->deviceOpen = false;
            device->abort();
            removeIfDone(id);
        });
        connect(upstream, &QAbstractSocket::connected, this, [this, id] {
            auto it = m_mappings.find(id);
            if (it == m_mappings.end())
                return;
            it->upstreamConnected = true;
            it->upstream->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            if (!it->pendingUpstream.isEmpty() && !it->dropped()) {
                m_counters.bytesFromDevices += quint64(it->pendingUpstream.size());
                it->upstream->write(std::exchange(it->pendingUpstream, {}));
            }
        });
        if (m_config.keepDeviceAddress)
            upstream->bind(device->peerAddress(), 0);
        upstream->connectToHost(m_config.targetHost, m_config.targetPort);
        emit mappingCreated(id);
    }
}

bool NatRelay::expireIfIdle(quint64 id, Mapping &mapping, qint64 now)
{
    if (mapping.dropped())
        return true;
    const qint64 idle = now - mapping.lastActivityUs;
    if (idle < m_idleTimeout.count() * 1000)
        return false;
    // Silently: the mapping is forgotten, nothing is sent to either side.
    mapping.droppedAtMs = now / 1000;
    mapping.pendingUpstream.clear();
    ++m_counters.mappingsDropped;
    qCDebug(lcRelay) << "mapping" << id << "dropped after" << idle / 1000 << "ms idle";
    emit mappingDropped(id, idle / 1000);
    return true;
}

void NatRelay::onDeviceBytes(quint64 id)
{
    auto it = m_mappings.find(id);
    if (it == m_mappings.end())
        return;
    const QByteArray bytes = it->device->readAll();
    const qint64 now = nowUs();
    if (expireIfIdle(id, *it, now)) {
        m_counters.bytesDiscarded += quint64(bytes.size());
        return;
    }
    it->lastActivityUs = now;
    if (!it->upstreamConnected) {
        it->pendingUpstream += bytes;
        return;
    }
    m_counters.bytesFromDevices += quint64(bytes.size());
    it->upstream->write(bytes);
}

void NatRelay::onUpstreamBytes(quint64 id)
{
    auto it = m_mappings.find(id);
    if (it == m_mappings.end())
        return;
    const QByteArray bytes = it->upstream->readAll();
    const qint64 now = nowUs();
    if (expireIfIdle(id, *it, now)) {
        m_counters.bytesDiscarded += quint64(bytes.size());
        return;
    }
    it->lastActivityUs = now;
    m_counters.bytesToDevices += quint64(bytes.size());
    it->device->write(bytes);
}

// Socket calls below may emit synchronously (disconnectFromHost() on an idle socket emits
// disconnected() at once), re-entering these handlers and erasing the mapping; so flags are
// set first, sockets are touched through local pointers, and the mapping is looked up again.

void NatRelay::onDeviceClosed(quint64 id)
{
    auto it = m_mappings.find(id);
    if (it == m_mappings.end() || !it->deviceOpen)
        return;
    it->deviceOpen = false;
    // Through a live mapping the FIN travels on; a dropped mapping swallows it, so the
    // broker has to find out by its keep-alive.
    if (!expireIfIdle(id, *it, nowUs()) && it->upstreamOpen) {
        QTcpSocket *upstream = it->upstream;
        const bool connected = it->upstreamConnected;
        const QByteArray pending = std::exchange(it->pendingUpstream, {});
        it->upstreamOpen = false;
        if (connected) {
            m_counters.bytesFromDevices += quint64(pending.size());
            upstream->write(pending);
            upstream->disconnectFromHost(); // after the buffered bytes (a DISCONNECT)
        } else {
            upstream->abort();
        }
    }
    removeIfDone(id);
}

void NatRelay::onUpstreamClosed(quint64 id)
{
    auto it = m_mappings.find(id);
    if (it == m_mappings.end() || !it->upstreamOpen)
        return;
    it->upstreamOpen = false;
    if (!expireIfIdle(id, *it, nowUs()) && it->deviceOpen) {
        QTcpSocket *device = it->device;
        it->deviceOpen = false;
        device->disconnectFromHost();
    }
    removeIfDone(id);
}

/*
 * One timer for the whole relay: O(mappings) per sweep, twenty sweeps per idle timeout
 * (at most one per 10 ms). Cheaper than a QTimer per mapping, whose start/stop cost grows
 * with the number of timers in the thread.
 */
void NatRelay::sweep()
{
    const qint64 now = nowMs();
    const qint64 nowMicros = nowUs();
    // Collect first, act second: mappingDropped() handlers may touch the relay.
    QList<quint64> idle;
    QList<quint64> expired;
    for (auto it = m_mappings.cbegin(); it != m_mappings.cend(); ++it) {
        if (!it->dropped()) {
            if (nowMicros - it->lastActivityUs >= m_idleTimeout.count() * 1000)
                idle.append(it.key());
        } else if (now - it->droppedAtMs >= m_grace.count()) {
            expired.append(it.key());
        }
    }
    for (const quint64 id : std::as_const(idle)) {
        auto it = m_mappings.find(id);
        if (it != m_mappings.end())
            expireIfIdle(id, *it, nowMicros);
    }
    for (const quint64 id : std::as_const(expired)) {
        auto it = m_mappings.find(id);
        if (it == m_mappings.end())
            continue;
        destroy(*it);
        m_mappings.erase(it);
        ++m_counters.mappingsClosed;
    }
}

void NatRelay::removeIfDone(quint64 id)
{
    auto it = m_mappings.find(id);
    if (it == m_mappings.end() || it->deviceOpen || it->upstreamOpen)
        return;
    destroy(*it);
    m_mappings.erase(it);
    ++m_counters.mappingsClosed;
}

void NatRelay::destroy(Mapping &mapping)
{
    for (QTcpSocket *socket : {mapping.device, mapping.upstream}) {
        if (!socket)
            continue;
        socket->disconnect(this);
        if (socket->state() == QAbstractSocket::ClosingState) {
            // Still flushing what a peer sent before its FIN: let it finish, within bounds.
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            QTimer::singleShot(FlushGraceMs, socket, [socket] {
                socket->abort();
                socket->deleteLater();
            });
        } else {
            socket->abort();
            socket->deleteLater();
        }
    }
    mapping.device = nullptr;
    mapping.upstream = nullptr;
}

} // namespace hermes::sim
