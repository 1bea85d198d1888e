#include "sessionsource.h"

#include "sessionjson.h"

namespace hermes {

bool ClusterSession::operator==(const ClusterSession &other) const
{
    // sameSessionRow() compares the node too.
    return connection == other.connection && info.clientId == other.info.clientId
        && info.lastInboundMs == other.info.lastInboundMs && sameSessionRow(info, other.info);
}

void SessionSource::Totals::add(const SessionInfo &info)
{
    ++sessions;
    online += info.online ? 1 : 0;
    queued += quint64(info.queued);
    inflight += quint64(info.inflight);
}

void SessionSource::Totals::subtract(const SessionInfo &info)
{
    --sessions;
    online -= info.online ? 1 : 0;
    queued -= quint64(info.queued);
    inflight -= quint64(info.inflight);
}

SessionSource::Totals SessionSource::totals() const
{
    if (m_totalsCounted && m_totalsGeneration == generation())
        return m_totals;
    Totals totals;
    for (const ClusterSession &session : sessions())
        totals.add(session.info);
    m_totals = totals;
    m_totalsGeneration = generation();
    m_totalsCounted = true;
    return totals;
}

bool SessionSource::isOnline(const QString &clientId) const
{
    const auto found = sessions().constFind(clientId);
    return found != sessions().cend() && found->info.online;
}

} // namespace hermes
