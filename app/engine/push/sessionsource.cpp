#include "sessionsource.h"

#include "sessionjson.h"

namespace hermes {

bool ClusterSession::operator==(const ClusterSession &other) const
{
    return node == other.node && connection == other.connection && info.clientId == other.info.clientId
        && info.lastInboundMs == other.info.lastInboundMs && sameSessionRow(info, other.info);
}

SessionSource::Totals SessionSource::totals() const
{
    Totals totals;
    for (const ClusterSession &session : sessions()) {
        ++totals.sessions;
        totals.online += session.info.online ? 1 : 0;
        totals.queued += quint64(session.info.queued);
        totals.inflight += quint64(session.info.inflight);
    }
    return totals;
}

bool SessionSource::isOnline(const QString &clientId) const
{
    const auto found = sessions().constFind(clientId);
    return found != sessions().cend() && found->info.online;
}

} // namespace hermes
