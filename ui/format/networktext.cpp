#include "networktext.h"

#include <QDateTime>

#include <QLocale>

#include <algorithm>

namespace hermes::ui {

using analytics::Duration;
using analytics::NatEstimate;

namespace {

QString number(Duration duration)
{
    const double s = double(duration.count()) / 1000.0;
    return QLocale().toString(s, 'f', s < 10 && duration.count() % 1000 != 0 ? 1 : 0);
}

} // namespace

bool NetworkText::isTrusted(const NatEstimate &estimate)
{
    return estimate.strength == NatEstimate::Strength::Adequate && (estimate.lowerBound || estimate.upperBound);
}

QString NetworkText::seconds(Duration duration)
{
    return tr("%1 s").arg(number(duration));
}

QString NetworkText::bounds(const NatEstimate &estimate)
{
    if (estimate.lowerBound && estimate.upperBound)
        return tr("%1 – %2 s").arg(number(*estimate.lowerBound), number(*estimate.upperBound));
    if (estimate.lowerBound)
        return tr("> %1 s").arg(number(*estimate.lowerBound));
    if (estimate.upperBound)
        return tr("≤ %1 s").arg(number(*estimate.upperBound));
    return {};
}

QString NetworkText::interval(const NatEstimate &estimate)
{
    return isTrusted(estimate) ? bounds(estimate) : tr("not enough evidence");
}

QString NetworkText::tentativeInterval(const NatEstimate &estimate)
{
    const QString soFar = bounds(estimate);
    if (isTrusted(estimate) || soFar.isEmpty())
        return interval(estimate);
    return tr("not enough evidence (%1 so far)").arg(soFar);
}

QString NetworkText::evidence(const NatEstimate &estimate)
{
    return tr("%1 / %2 devices · %3 observations")
        .arg(estimate.survivingDevices)
        .arg(estimate.killedDevices)
        .arg(QLocale().toString(estimate.observations));
}

QString NetworkText::evidenceToolTip(const NatEstimate &estimate)
{
    return tr("%1 devices survived an idle gap and %2 lost their NAT mapping; %3 observations in the window, "
              "%4 of them contradict the interval (devices that went away, misfiled devices, older evidence).")
        .arg(estimate.survivingDevices)
        .arg(estimate.killedDevices)
        .arg(estimate.observations)
        .arg(estimate.contradicted);
}

QString NetworkText::keepAlive(const NatEstimate &estimate)
{
    return estimate.recommendedKeepAlive ? seconds(*estimate.recommendedKeepAlive) : QStringLiteral("—");
}

QString NetworkText::applied(const analytics::AppliedAdvice &applied)
{
    return applied.keepAliveSeconds ? seconds(std::chrono::seconds(applied.keepAliveSeconds)) : QStringLiteral("—");
}

QString NetworkText::appliedToolTip(const analytics::AppliedAdvice &applied)
{
    if (applied.changes.isEmpty())
        return tr("Nothing applied: the broker acts on a network only with \"network_act NAME on\" in its "
                  "configuration, and only once the estimate is adequate");
    const auto value = [](quint16 keepAliveSeconds) {
        return keepAliveSeconds ? seconds(std::chrono::seconds(keepAliveSeconds)) : tr("devices' own");
    };
    QStringList lines;
    for (const analytics::AdviceChange &change : applied.changes) {
        lines.append(tr("%1: %2 → %3; silent deaths per device-hour %4 before (%5 device-hours), %6 since (%7 device-hours)")
                         .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(change.atMs), QLocale::ShortFormat),
                              value(change.fromSeconds), value(change.toSeconds),
                              perDeviceHour(change.deathsPerDeviceHourBefore),
                              QLocale().toString(change.deviceHoursBefore, 'f', 1),
                              perDeviceHour(change.deathsPerDeviceHourSince),
                              QLocale().toString(change.deviceHoursSince, 'f', 1)));
    }
    lines.append(tr("Keep-alive offers sent to smart-heartbeat devices: %1").arg(QLocale().toString(applied.offersSent)));
    return lines.join(QLatin1Char('\n'));
}

QString NetworkText::perDeviceHour(double rate)
{
    return QLocale().toString(rate, 'f', 2);
}

QString NetworkText::blindTime(const analytics::NetworkReport &report)
{
    if (report.silentDeaths == 0)
        return QStringLiteral("—");
    return tr("%1 / %2").arg(seconds(report.blindTimeMedian), seconds(report.blindTimeMax));
}

std::optional<int> NetworkText::natLineSeconds(const NatEstimate &estimate)
{
    if (!isTrusted(estimate))
        return std::nullopt;
    const Duration at = estimate.lowerBound ? *estimate.lowerBound : *estimate.upperBound;
    return std::max(1, int(at.count() / 1000));
}

QString NetworkText::natLineLabel(const NatEstimate &estimate, const QString &network)
{
    if (estimate.lowerBound && estimate.upperBound)
        return tr("NAT ≈ %1–%2 s (network %3)")
            .arg(number(*estimate.lowerBound), number(*estimate.upperBound), network);
    if (estimate.lowerBound)
        return tr("NAT > %1 s (network %2)").arg(number(*estimate.lowerBound), network);
    if (estimate.upperBound)
        return tr("NAT ≤ %1 s (network %2)").arg(number(*estimate.upperBound), network);
    return tr("NAT (network %1)").arg(network);
}

} // namespace hermes::ui
