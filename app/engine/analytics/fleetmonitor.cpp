#include "fleetmonitor.h"

#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>

Q_LOGGING_CATEGORY(lcFleet, "hermes.fleet", QtInfoMsg)

namespace hermes::analytics {

namespace {

NetworkMap mapOf(const NetworkSettings &settings)
{
    NetworkMap map;
    for (const NetworkSettings::Range &range : settings.ranges)
        map.add(range.name, range.cidr); // checked when the config was parsed
    return map;
}

QJsonValue seconds(std::optional<Duration> duration)
{
    return duration ? QJsonValue(double(duration->count()) / 1000.0) : QJsonValue(QJsonValue::Null);
}

} // namespace

FleetMonitor::FleetMonitor(const NetworkSettings &settings, Clock clock, FleetAnalytics::Config config)
    : m_map(mapOf(settings))
    , m_acting(settings.acting)
    , m_clock(std::move(clock))
    , m_analytics(m_map, config)
    , m_idleEvidenceGap(config.minEvidenceGap)
{
    m_flush.setInterval(60'000);
    QObject::connect(&m_flush, &QTimer::timeout, &m_flush, [this] {
        QString error;
        if (!save(&error))
            qCWarning(lcFleet) << "cannot save the fleet analytics:" << error;
    });
}

FleetMonitor::~FleetMonitor() = default;

void FleetMonitor::setAnalyticsConfig(FleetAnalytics::Config config)
{
    m_analytics = FleetAnalytics(m_map, config);
    m_idleEvidenceGap = config.minEvidenceGap;
}

bool FleetMonitor::open(const QString &path, QString *error)
{
    m_path = path;
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(path, file.errorString());
            return false;
        }
        QJsonParseError parseError;
        const QJsonDocument saved = QJsonDocument::fromJson(file.readAll(), &parseError);
        // A damaged file costs what was learned, not the broker: the fleet teaches it again.
        if (saved.isObject())
            m_analytics.restore(saved.object(), m_clock());
        else
            qCWarning(lcFleet) << path << "is not fleet analytics, starting afresh:" << parseError.errorString();
    }
    m_flush.start();
    return true;
}

bool FleetMonitor::save(QString *error) const
{
    if (m_path.isEmpty())
        return true;
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QJsonDocument(m_analytics.toJson(m_clock())).toJson(QJsonDocument::Compact)) < 0
        || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

void FleetMonitor::close()
{
    m_flush.stop();
    QString error;
    if (!save(&error))
        qCWarning(lcFleet) << "cannot save the fleet analytics:" << error;
}

bool FleetMonitor::isSilentDeath(mqtt::CloseReason reason)
{
    return reason == mqtt::CloseReason::KeepAliveTimeout || reason == mqtt::CloseReason::TakenOver;
}

void FleetMonitor::connectionAccepted(const QString &clientId, const QHostAddress &peer, Timestamp now)
{
    m_analytics.onConnected(clientId, peer, now);
}

void FleetMonitor::packetAfterIdle(const QString &clientId, const QHostAddress &peer, Duration gap, Timestamp now)
{
    m_analytics.onPacketAfterIdle(clientId, peer, gap, now);
}

void FleetMonitor::connectionEnded(const QString &clientId, const QHostAddress &peer, mqtt::CloseReason reason,
                                   Timestamp lastInbound, Timestamp now)
{
    m_analytics.onDisconnected(clientId, peer, isSilentDeath(reason), lastInbound, now);
}

std::optional<quint16> FleetMonitor::serverKeepAliveFor(const QHostAddress &peer, quint16 requestedSeconds)
{
    if (m_acting.isEmpty())
        return std::nullopt;
    const QString network = m_map.networkOf(peer);
    if (!m_acting.contains(network))
        return std::nullopt;
    const auto report = m_analytics.report(network, m_clock());
    if (!report || !report->estimate.recommendedKeepAlive)
        return std::nullopt;
    const auto recommended = quint16(std::clamp<qint64>(report->estimate.recommendedKeepAlive->count() / 1000, 1, 65535));
    if (requestedSeconds != 0 && requestedSeconds <= recommended)
        return std::nullopt;
    if (m_applied.value(network) != recommended) {
        qCInfo(lcFleet).nospace() << "network " << network << ": MQTT 5 devices now get Server Keep Alive "
                                  << recommended << " s (was " << m_applied.value(network) << " s, 0 = their own); "
                                  << "NAT timeout estimated above " << double(report->estimate.lowerBound.value_or(Duration(0)).count()) / 1000.0
                                  << " s, silent deaths " << report->silentDeathsPerDeviceHour() << " per device-hour";
        m_applied.insert(network, recommended);
    }
    return recommended;
}

QJsonObject networkReportJson(const NetworkReport &report, bool acting)
{
    const NatEstimate &e = report.estimate;
    const bool insufficient = e.strength == NatEstimate::Strength::None || !e.recommendedKeepAlive;
    return QJsonObject{
        {QStringLiteral("network"), report.network},
        {QStringLiteral("evidence"), e.strength == NatEstimate::Strength::Adequate ? QStringLiteral("adequate")
                                         : insufficient                            ? QStringLiteral("insufficient")
                                                                                   : QStringLiteral("thin")},
        {QStringLiteral("lowerBoundSeconds"), seconds(e.lowerBound)},
        {QStringLiteral("upperBoundSeconds"), seconds(e.upperBound)},
        {QStringLiteral("recommendedKeepAliveSeconds"), seconds(e.recommendedKeepAlive)},
        {QStringLiteral("survivingDevices"), e.survivingDevices},
        {QStringLiteral("killedDevices"), e.killedDevices},
        {QStringLiteral("observations"), e.observations},
        {QStringLiteral("contradicted"), e.contradicted},
        {QStringLiteral("liveConnections"), report.liveConnections},
        {QStringLiteral("deviceHours"), report.deviceHours},
        {QStringLiteral("connects"), qint64(report.connects)},
        {QStringLiteral("silentDeaths"), qint64(report.silentDeaths)},
        {QStringLiteral("natDeaths"), qint64(report.natDeaths)},
        {QStringLiteral("silentDeathsPerDeviceHour"), report.silentDeathsPerDeviceHour()},
        {QStringLiteral("reconnectsPerDeviceHour"), report.reconnectsPerDeviceHour()},
        {QStringLiteral("pushDelayMedianSeconds"), seconds(report.blindTimeMedian)},
        {QStringLiteral("pushDelayMaxSeconds"), seconds(report.blindTimeMax)},
        {QStringLiteral("acting"), acting},
    };
}

} // namespace hermes::analytics
