#pragma once
/// The push report stream's deltas: each message carries a report's summary and only the
/// targets that changed since the stream last told that report, at most a bounded number of
/// targets per message, so a push to 10,000 devices costs its changes, not its size, once a
/// second.

#include "pushtypes.h"

#include <QHash>
#include <QJsonObject>
#include <QList>

namespace hermes {

class ReportDeltas
{
public:
    static constexpr qsizetype MaxTargetsPerMessage = 500;

    /// The messages telling what changed in `report` since the last call for it: its
    /// summary (`toJson(false)`, whose `audience` is the number of targets) with `delta`
    /// true and the changed targets, split so that none holds more than
    /// MaxTargetsPerMessage targets. The first call for a report tells every target. No
    /// message when nothing a console shows changed.
    QList<QJsonObject> changes(const PushReport &report);
    /// Stops following pushes for which `exists` is false (evicted reports).
    template<typename Exists>
    void forgetUnless(Exists exists)
    {
        m_told.removeIf([&exists](const QHash<QString, Told>::iterator &it) { return !exists(it.key()); });
    }
    /// Nobody listens: what was told no longer matters.
    void clear() { m_told.clear(); }

private:
    struct Told {
        QJsonObject summary;
        QList<TargetReport> targets;
    };
    QHash<QString, Told> m_told;
};

/// The console's side: the whole reports a stream of deltas describes.
class PushReportMirror
{
public:
    /// At most this many reports are kept; beyond, settled ones are dropped (a later change
    /// to one of them asks for the whole report again).
    static constexpr qsizetype MaxReports = 1000;

    /// Merges one stream message (PushReport::fromJson() of it). Returns the whole report
    /// with the change applied, or nullopt when this mirror does not hold the report and the
    /// message does not carry all its targets: ask `push/report`, then hold() the answer.
    std::optional<PushReport> apply(PushReport change, qsizetype audience);
    /// The whole report as the broker answered it (push/report).
    void hold(const PushReport &report);
    void clear() { m_reports.clear(); }
    qsizetype size() const { return m_reports.size(); }

private:
    void bound();

    QHash<QString, PushReport> m_reports;
};

} // namespace hermes
