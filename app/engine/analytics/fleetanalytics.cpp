#include "fleetanalytics.h"

#include <QJsonArray>

#include <algorithm>

namespace hermes::analytics {

FleetAnalytics::FleetAnalytics(NetworkMap networks) : FleetAnalytics(std::move(networks), Config{}) {}

FleetAnalytics::FleetAnalytics(NetworkMap networks, Config config)
    : m_networks(std::move(networks)), m_config(config)
{
    for (const QString &name : m_networks.namedNetworks())
        network(name);
}

FleetAnalytics::Network &FleetAnalytics::network(const QString &name)
{
    auto found = m_byName.find(name);
    if (found == m_byName.end()) {
        found = m_byName.insert(name, Network{});
        found->estimator = NatTimeoutEstimator(m_config.estimator);
    }
    return *found;
}

void FleetAnalytics::changeLive(Network &network, int delta, Timestamp now)
{
    if (now > network.liveSince)
        network.connectedMs += double(network.live) * double((now - network.liveSince).count());
    network.liveSince = std::max(now, network.liveSince);
    network.live = std::max(0, network.live + delta);
}

void FleetAnalytics::expirePendingDeaths(Timestamp now)
{
    for (auto it = m_pendingDeaths.begin(); it != m_pendingDeaths.end();)
        it = now - it->diedAt > m_config.returnWindow ? m_pendingDeaths.erase(it) : std::next(it);
}

void FleetAnalytics::onConnected(const QString &clientId, const QHostAddress &peer, Timestamp now)
{
    const QString name = networkOf(peer);
    Network &net = network(name);
    ++net.connects;
    changeLive(net, +1, now);

    const auto death = m_pendingDeaths.constFind(clientId);
    if (death != m_pendingDeaths.cend()) {
        // Back soon, from the same network: the device found its path dead and redialled.
        // From another network (Wi-Fi to mobile) it proves nothing about the old NAT.
        const Duration gap = now - death->lastInbound;
        if (death->network == name && now - death->diedAt <= m_config.returnWindow && gap >= m_config.minEvidenceGap) {
            ++net.natDeaths;
            net.estimator.add(PathObservation{PathObservation::Kind::Killed, gap, now, clientId});
        }
        m_pendingDeaths.erase(death);
    }
    expirePendingDeaths(now);
}

void FleetAnalytics::onPacketAfterIdle(const QString &clientId, const QHostAddress &peer, Duration gap, Timestamp now)
{
    if (gap < m_config.minEvidenceGap)
        return;
    Network &net = network(networkOf(peer));
    const auto known = net.lastSurvived.constFind(clientId);
    if (known != net.lastSurvived.cend() && gap <= known->first && now - known->second < m_config.refreshInterval)
        return;
    if (net.lastSurvived.size() >= m_config.maxTrackedDevices)
        net.lastSurvived.clear();
    net.lastSurvived.insert(clientId, {gap, now});
    net.estimator.add(PathObservation{PathObservation::Kind::Survived, gap, now, clientId});
}

void FleetAnalytics::onDisconnected(const QString &clientId, const QHostAddress &peer, bool silent,
                                    Timestamp lastInbound, Timestamp now)
{
    const QString name = networkOf(peer);
    Network &net = network(name);
    changeLive(net, -1, now);
    if (!silent)
        return;
    ++net.silentDeaths;
    net.blindTimes.append(now - lastInbound);
    if (net.blindTimes.size() > m_config.maxBlindTimeSamples)
        net.blindTimes.removeFirst();
    m_pendingDeaths.insert(clientId, PendingDeath{name, lastInbound, now});
}

NetworkReport FleetAnalytics::reportOf(const QString &name, const Network &network, Timestamp now) const
{
    NetworkReport report;
    report.network = name;
    report.estimate = network.estimator.estimate();
    report.gaps = network.estimator.gapHistogram(m_config.gapHistogramBuckets);
    report.liveConnections = network.live;
    const double pendingMs = now > network.liveSince ? double(network.live) * double((now - network.liveSince).count()) : 0;
    report.deviceHours = (network.connectedMs + pendingMs) / 3'600'000.0;
    report.connects = network.connects;
    report.silentDeaths = network.silentDeaths;
    report.natDeaths = network.natDeaths;
    if (!network.blindTimes.isEmpty()) {
        QList<Duration> sorted = network.blindTimes;
        std::sort(sorted.begin(), sorted.end());
        report.blindTimeMedian = sorted.at(sorted.size() / 2);
        report.blindTimeMax = sorted.constLast();
    }
    return report;
}

QList<NetworkReport> FleetAnalytics::reports(Timestamp now) const
{
    QStringList names = m_byName.keys();
    names.sort();
    QList<NetworkReport> result;
    result.reserve(names.size());
    for (const QString &name : names)
        result.append(reportOf(name, *m_byName.constFind(name), now));
    return result;
}

std::optional<NetworkReport> FleetAnalytics::report(const QString &network, Timestamp now) const
{
    const auto found = m_byName.constFind(network);
    if (found == m_byName.cend())
        return std::nullopt;
    return reportOf(network, *found, now);
}

NatEstimate FleetAnalytics::estimate(const QString &network) const
{
    const auto found = m_byName.constFind(network);
    return found == m_byName.cend() ? NatEstimate{} : found->estimator.estimate();
}

QJsonObject FleetAnalytics::toJson(Timestamp now) const
{
    QJsonArray networks;
    for (auto it = m_byName.cbegin(); it != m_byName.cend(); ++it) {
        const Network &net = *it;
        QJsonArray observations;
        for (const PathObservation &o : net.estimator.observations())
            observations.append(QJsonArray{o.kind == PathObservation::Kind::Killed ? 1 : 0, qint64(o.gap.count()),
                                           qint64((now - o.at).count()), o.device});
        QJsonArray blindTimes;
        for (const Duration blind : net.blindTimes)
            blindTimes.append(qint64(blind.count()));
        const double pendingMs = now > net.liveSince ? double(net.live) * double((now - net.liveSince).count()) : 0;
        networks.append(QJsonObject{{QStringLiteral("name"), it.key()},
                                    {QStringLiteral("connects"), qint64(net.connects)},
                                    {QStringLiteral("silentDeaths"), qint64(net.silentDeaths)},
                                    {QStringLiteral("natDeaths"), qint64(net.natDeaths)},
                                    {QStringLiteral("connectedMs"), net.connectedMs + pendingMs},
                                    {QStringLiteral("blindMs"), blindTimes},
                                    {QStringLiteral("observations"), observations}});
    }
    return QJsonObject{{QStringLiteral("networks"), networks}};
}

void FleetAnalytics::restore(const QJsonObject &saved, Timestamp now)
{
    for (const QJsonValue &value : saved.value(QStringLiteral("networks")).toArray()) {
        const QJsonObject object = value.toObject();
        const QString name = object.value(QStringLiteral("name")).toString();
        if (name.isEmpty())
            continue;
        Network &net = network(name);
        net.connects += quint64(object.value(QStringLiteral("connects")).toInteger());
        net.silentDeaths += quint64(object.value(QStringLiteral("silentDeaths")).toInteger());
        net.natDeaths += quint64(object.value(QStringLiteral("natDeaths")).toInteger());
        net.connectedMs += object.value(QStringLiteral("connectedMs")).toDouble();
        for (const QJsonValue &blind : object.value(QStringLiteral("blindMs")).toArray())
            net.blindTimes.append(Duration(blind.toInteger()));
        while (net.blindTimes.size() > m_config.maxBlindTimeSamples)
            net.blindTimes.removeFirst();
        for (const QJsonValue &row : object.value(QStringLiteral("observations")).toArray()) {
            const QJsonArray o = row.toArray();
            net.estimator.add(PathObservation{o.at(0).toInt() == 1 ? PathObservation::Kind::Killed
                                                                     : PathObservation::Kind::Survived,
                                              Duration(o.at(1).toInteger()), now - Duration(o.at(2).toInteger()),
                                              o.at(3).toString()});
        }
    }
}

} // namespace hermes::analytics
