#include "reportdeltas.h"

#include <QJsonArray>

namespace hermes {

QList<QJsonObject> ReportDeltas::changes(const PushReport &report)
{
    QJsonObject summary = report.toJson(false);
    summary.insert(QStringLiteral("delta"), true);
    Told &told = m_told[report.pushId];
    QList<qsizetype> changed;
    for (qsizetype i = 0; i < report.targets.size(); ++i) {
        if (i >= told.targets.size() || !(told.targets.at(i) == report.targets.at(i)))
            changed.append(i);
    }
    if (changed.isEmpty() && summary == told.summary)
        return {};
    told.summary = summary;
    told.targets = report.targets; // shares the service's list until either changes

    QList<QJsonObject> messages;
    qsizetype next = 0;
    do {
        QJsonArray targets;
        for (; next < changed.size() && targets.size() < MaxTargetsPerMessage; ++next)
            targets.append(report.targets.at(changed.at(next)).toJson());
        QJsonObject message = summary;
        message.insert(QStringLiteral("targets"), targets);
        messages.append(message);
    } while (next < changed.size());
    return messages;
}

std::optional<PushReport> PushReportMirror::apply(PushReport change, qsizetype audience)
{
    const auto held = m_reports.find(change.pushId);
    if (held == m_reports.end()) {
        if (change.targets.size() < audience)
            return std::nullopt;
        hold(change);
        return change;
    }
    QList<TargetReport> targets = std::move(held->targets);
    QHash<QString, qsizetype> indexOf;
    indexOf.reserve(targets.size());
    for (qsizetype i = 0; i < targets.size(); ++i)
        indexOf.insert(targets.at(i).device, i);
    for (TargetReport &target : change.targets) {
        const auto at = indexOf.constFind(target.device);
        if (at != indexOf.cend())
            targets[*at] = std::move(target);
        else
            targets.append(std::move(target));
    }
    change.targets = std::move(targets);
    *held = change;
    return change;
}

void PushReportMirror::hold(const PushReport &report)
{
    m_reports.insert(report.pushId, report);
    bound();
}

void PushReportMirror::bound()
{
    if (m_reports.size() <= MaxReports)
        return;
    m_reports.removeIf([](const QHash<QString, PushReport>::iterator &it) { return it.value().isSettled(); });
}

} // namespace hermes
