#pragma once
/// Sessions that hermesd reports but does not hold: in upstream mode, the devices connected to
/// the cluster, as its management API lists them (docs/SCALE-OUT.md, "Session source"). The
/// admin API lists them beside the broker's own sessions (operators), streams their changes and
/// kicks them through the source; the console and hermesctl see one list.

#include "engine/api/telemetry.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>

namespace hermes {

/// One session of a cluster: the row every session has, its node (info.node) included, plus
/// how to close it. What a management API does not expose (keep-alive, last inbound packet,
/// message counts) stays at its default.
struct ClusterSession {
    SessionInfo info;
    QString connection; ///< the management API's name of its connection (what a kick closes); empty offline
    bool operator==(const ClusterSession &other) const;
};

class SessionSource : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// The sessions as of the last complete look, by client ID.
    virtual const QHash<QString, ClusterSession> &sessions() const = 0;
    /// Moves whenever sessions() changes: a reader that saw this number has seen them all.
    virtual quint64 generation() const = 0;
    /// Where the sessions come from, for messages ("the management API at http://…").
    virtual QString origin() const = 0;

    /// Closes `clientId`'s connection on the cluster; `done` runs on this thread with an empty
    /// string once the cluster closed it, else why not (`notFound` when it is not connected).
    using KickDone = std::function<void(bool notFound, const QString &error)>;
    virtual void kick(const QString &clientId, KickDone done) = 0;

    /// What the source has done lately, for `upstream/status` ("management").
    virtual QJsonObject status() const = 0;

    /// Counts over sessions(), for the Dashboard's totals, $SYS and /metrics.
    struct Totals {
        quint64 online = 0, sessions = 0, queued = 0, inflight = 0;
        void add(const SessionInfo &info);
        void subtract(const SessionInfo &info);
    };
    /// One pass over sessions() per generation: $SYS, every scrape and every telemetry tick
    /// ask, the cluster changes once per refresh.
    Totals totals() const;
    bool isOnline(const QString &clientId) const;

signals:
    /// sessions() changed (generation() moved).
    void sessionsChanged();

private:
    mutable Totals m_totals;
    mutable quint64 m_totalsGeneration = 0;
    mutable bool m_totalsCounted = false;
};

} // namespace hermes
