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

} // namespace hermes
