#include "fleetmonitor.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QtNumeric>

#include <cstdlib>

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

QJsonObject appliedAdviceJson(const AppliedAdvice &applied)
{
    QJsonArray changes;
    for (const AdviceChange &change : applied.changes)
        changes.append(QJsonObject{
                {QStringLiteral("at"), QDateTime::fromMSecsSinceEpoch(change.atMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                {QStringLiteral("fromSeconds"), change.fromSeconds},
                {QStringLiteral("toSeconds"), change.toSeconds},
                {QStringLiteral("silentDeathsPerDeviceHourBefore"), change.deathsPerDeviceHourBefore},
                {QStringLiteral("deviceHoursBefore"), change.deviceHoursBefore},
                {QStringLiteral("silentDeathsPerDeviceHourSince"), change.deathsPerDeviceHourSince},
                {QStringLiteral("deviceHoursSince"), change.deviceHoursSince},
        });
    return QJsonObject{
            {QStringLiteral("keepAliveSeconds"), applied.keepAliveSeconds ? QJsonValue(applied.keepAliveSeconds) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("offersSent"), qint64(applied.offersSent)},
            {QStringLiteral("changes"), changes},
    };
}

} // namespace

FleetMonitor::FleetMonitor(const NetworkSettings &settings, Clock clock, FleetAnalytics::Config config)
    : m_map(mapOf(settings))
    , m_acting(settings.acting)
    , m_clock(std::move(clock))
    , m_timeScale(settings.timeScale >= 1.0 ? settings.timeScale : 1.0)
    , m_analytics(m_map, config)
    , m_idleEvidenceGap(real(config.minEvidenceGap))
{
    m_flush.setInterval(60'000);
    QObject::connect(&m_flush, &QTimer::timeout, &m_flush, [this] {
        QString error;
        if (!save(&error))
            qCWarning(lcFleet) << "cannot save the fleet analytics:" << error;
    });
    m_adviceTimer.setInterval(10'000);
    QObject::connect(&m_adviceTimer, &QTimer::timeout, &m_adviceTimer, [this] { refreshAdvice(); });
    if (!m_acting.isEmpty())
        m_adviceTimer.start();
}

FleetMonitor::~FleetMonitor() = default;

void FleetMonitor::setAnalyticsConfig(FleetAnalytics::Config config)
{
    m_analytics = FleetAnalytics(m_map, config);
    m_idleEvidenceGap = real(config.minEvidenceGap);
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
            m_analytics.restore(saved.object(), now());
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
        || file.write(QJsonDocument(m_analytics.toJson(now())).toJson(QJsonDocument::Compact)) < 0
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
    m_adviceTimer.stop();
    QString error;
    if (!save(&error))
        qCWarning(lcFleet) << "cannot save the fleet analytics:" << error;
}

bool FleetMonitor::isSilentDeath(mqtt::CloseReason reason)
{
    return reason == mqtt::CloseReason::KeepAliveTimeout || reason == mqtt::CloseReason::TakenOver;
}

// A client on the Unix socket (local administration, hermesctl) has no address and is on
// no carrier's network: it is left out.

void FleetMonitor::connectionAccepted(const QString &clientId, const QHostAddress &peer, Timestamp now)
{
    if (peer.isNull())
        return;
    m_analytics.onConnected(clientId, peer, simulated(now));
}

void FleetMonitor::packetAfterIdle(const QString &clientId, const QHostAddress &peer, Duration gap, Timestamp now)
{
    if (peer.isNull())
        return;
    m_analytics.onPacketAfterIdle(clientId, peer, simulated(gap), simulated(now));
}

void FleetMonitor::connectionEnded(const QString &clientId, const QHostAddress &peer, mqtt::CloseReason reason,
                                   Timestamp lastInbound, Timestamp now)
{
    if (peer.isNull())
        return;
    m_analytics.onDisconnected(clientId, peer, isSilentDeath(reason), simulated(lastInbound), simulated(now));
}

quint16 FleetMonitor::appliedKeepAliveOnWire(const QString &network) const
{
    const quint16 applied = appliedKeepAlive(network);
    if (applied == 0 || m_timeScale == 1.0)
        return applied;
    return quint16(std::max(1.0, std::floor(double(applied) / m_timeScale)));
}

std::optional<quint16> FleetMonitor::serverKeepAliveFor(const QHostAddress &peer, quint16 requestedSeconds)
{
    if (m_acting.isEmpty())
        return std::nullopt;
    const QString network = m_map.networkOf(peer);
    if (!m_acting.contains(network))
        return std::nullopt;
    refreshAdvice(network, now());
    const quint16 applied = appliedKeepAliveOnWire(network);
    if (applied == 0 || (requestedSeconds != 0 && requestedSeconds <= applied))
        return std::nullopt;
    return applied;
}

void FleetMonitor::refreshAdvice()
{
    const Timestamp time = now();
    for (const QString &network : std::as_const(m_acting))
        refreshAdvice(network, time);
}

void FleetMonitor::refreshAdvice(const QString &network, Timestamp now)
{
    // Thin evidence is shown, not acted on: a lower bound from a few devices may sit far
    // under the real timeout, and devices would pay for it in traffic and battery.
    const auto report = m_analytics.report(network, now);
    if (!report || report->estimate.strength != NatEstimate::Strength::Adequate || !report->estimate.recommendedKeepAlive)
        return;
    const auto recommended = quint16(std::clamp<qint64>(report->estimate.recommendedKeepAlive->count() / 1000, 1, 65535));
    const quint16 from = appliedKeepAlive(network);
    if (from != 0 && std::abs(int(recommended) - int(from)) * 10 < int(from))
        return;
    applyAdvice(network, recommended, *report);
}

void FleetMonitor::applyAdvice(const QString &network, quint16 seconds, const NetworkReport &report)
{
    Advice &advice = m_advice[network];
    RecordedChange recorded{AdviceChange{}, report.silentDeaths, report.deviceHours};
    AdviceChange &change = recorded.change;
    change.atMs = QDateTime::currentMSecsSinceEpoch();
    change.fromSeconds = advice.applied;
    change.toSeconds = seconds;
    const quint64 deathsBefore = advice.changes.isEmpty() ? 0 : advice.changes.constLast().silentDeaths;
    const double hoursBefore = advice.changes.isEmpty() ? 0 : advice.changes.constLast().deviceHours;
    change.deviceHoursBefore = report.deviceHours - hoursBefore;
    change.deathsPerDeviceHourBefore =
            change.deviceHoursBefore > 0 ? double(report.silentDeaths - deathsBefore) / change.deviceHoursBefore : 0;
    advice.changes.append(recorded);
    if (advice.changes.size() > MaxAdviceChanges)
        advice.changes.removeFirst();
    advice.applied = seconds;

    const NatEstimate &e = report.estimate;
    qCInfo(lcFleet).nospace() << "network " << network << ": keep-alive " << change.fromSeconds << " s -> " << seconds
                              << " s (0 = the devices' own); NAT timeout estimated in ("
                              << double(e.lowerBound.value_or(Duration(0)).count()) / 1000.0 << " s, "
                              << (e.upperBound ? double(e.upperBound->count()) / 1000.0 : qInf())
                              << " s]; silent deaths before: " << change.deathsPerDeviceHourBefore
                              << " per device-hour over " << change.deviceHoursBefore << " device-hours";
    if (m_adviceListener && seconds != 0)
        m_adviceListener(network, seconds);
}

void FleetMonitor::setActing(const QString &network, bool on)
{
    if (on == isActing(network))
        return;
    const Timestamp time = now();
    if (on) {
        m_acting.append(network);
        if (!m_adviceTimer.isActive())
            m_adviceTimer.start();
        refreshAdvice(network, time);
        return;
    }
    m_acting.removeAll(network);
    if (appliedKeepAlive(network) != 0)
        applyAdvice(network, 0, m_analytics.report(network, time).value_or(NetworkReport{}));
}

QList<NetworkReport> FleetMonitor::reports() const
{
    QList<NetworkReport> reports = m_analytics.reports(now());
    for (NetworkReport &report : reports) {
        const auto advice = m_advice.constFind(report.network);
        if (advice == m_advice.cend())
            continue;
        report.applied.keepAliveSeconds = advice->applied;
        report.applied.offersSent = advice->offersSent;
        for (qsizetype i = 0; i < advice->changes.size(); ++i) {
            const RecordedChange &recorded = advice->changes.at(i);
            const bool newest = i + 1 == advice->changes.size();
            const quint64 deathsEnd = newest ? report.silentDeaths : advice->changes.at(i + 1).silentDeaths;
            const double hoursEnd = newest ? report.deviceHours : advice->changes.at(i + 1).deviceHours;
            AdviceChange change = recorded.change;
            change.deviceHoursSince = hoursEnd - recorded.deviceHours;
            change.deathsPerDeviceHourSince =
                    change.deviceHoursSince > 0 ? double(deathsEnd - recorded.silentDeaths) / change.deviceHoursSince : 0;
            report.applied.changes.append(change);
        }
    }
    return reports;
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
        {QStringLiteral("applied"), appliedAdviceJson(report.applied)},
    };
}

} // namespace hermes::analytics
