#include "sessionregistry.h"

namespace hermes {

using namespace mqtt;

Session *SessionRegistry::find(SubscriberId id) const
{
    const auto it = m_sessions.find(id);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

Session &SessionRegistry::create(const QString &clientId)
{
    const SubscriberId id = m_nextId++;
    auto session = std::make_unique<Session>(id, clientId);
    Session &ref = *session;
    m_sessions.emplace(id, std::move(session));
    m_byClientId.insert(clientId, &ref);
    return ref;
}

void SessionRegistry::remove(Session &session)
{
    m_deadlines.cancel(session.id);
    m_byClientId.remove(session.clientId);
    m_sessions.erase(session.id);
}

std::optional<Timestamp> SessionRegistry::nextDeadline(const Session &session)
{
    std::optional<Timestamp> next;
    const auto earlier = [&next](Timestamp at) { next = next ? std::min(*next, at) : at; };
    if (session.pendingWill)
        earlier(session.pendingWill->dueAt);
    if (!session.connection && session.expiresAt)
        earlier(*session.expiresAt);
    if (!session.connection && session.offlineState) {
        for (const QueuedMessage &message : std::as_const(session.offlineState->queued)) {
            if (message.expiresAt)
                earlier(*message.expiresAt);
        }
    }
    return next;
}

bool SessionRegistry::scheduleDeadline(const Session &session)
{
    const std::optional<Timestamp> next = nextDeadline(session);
    if (!next) {
        m_deadlines.cancel(session.id);
        return false;
    }
    m_deadlines.schedule(session.id, *next);
    return true;
}

bool SessionRegistry::dueBy(const Session &session, Timestamp at)
{
    const std::optional<Timestamp> next = m_deadlines.deadlineOf(session.id);
    if (next && *next <= at)
        return false;
    m_deadlines.schedule(session.id, at);
    return true;
}

std::pair<quint64, quint64> SessionRegistry::backlog() const
{
    quint64 inflight = 0;
    quint64 queued = 0;
    for (const auto &[id, session] : m_sessions) {
        const SessionState &state = session->state();
        inflight += quint64(state.inflight.size());
        queued += quint64(state.queued.size());
    }
    return {inflight, queued};
}

QList<SessionInfo> SessionRegistry::infos() const
{
    QList<SessionInfo> result;
    result.reserve(size());
    for (const auto &[id, session] : m_sessions)
        result.append(session->info());
    return result;
}

QList<SessionInfo> SessionRegistry::takeChanged(bool all)
{
    QList<SessionInfo> changed;
    for (const auto &[id, session] : m_sessions) {
        if (!all && !session->dirty)
            continue;
        // An online session's backlog moves inside its connection's machine unseen.
        if (session->connection)
            session->refreshBacklog();
        changed.append(session->info());
        session->dirty = false;
    }
    return changed;
}

std::optional<SessionDetail> SessionRegistry::detail(const QString &clientId, Timestamp now,
                                                     const SubscriptionTree &subscriptions) const
{
    const Session *session = find(clientId);
    if (!session)
        return std::nullopt;
    SessionDetail detail;
    detail.info = session->info();
    detail.heartbeats = session->heartbeats.toList();
    for (const TraceRecord &record : session->trace())
        detail.packetTrace.append(record.toString());
    detail.closes = session->closes.toList();
    const SessionState &state = session->state();
    for (const OutboundMessage &message : state.inflight) {
        detail.inflight.append({message.packetId, message.message.publish.topic, message.message.publish.qos,
                                message.stage, (now - message.firstSentAt).count(), message.sendCount,
                                message.message.publish.payload.size()});
    }
    constexpr qsizetype MaxQueuedShown = 200;
    for (const QueuedMessage &message : state.queued) {
        if (detail.queued.size() == MaxQueuedShown)
            break;
        detail.queued.append(message.publish);
    }
    for (const SubscriptionRecord &record : subscriptions.subscriptionsOf(session->id))
        detail.subscriptions.append({record.filter, record.options});
    return detail;
}

} // namespace hermes
