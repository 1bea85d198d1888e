#pragma once
/// Every session the broker keeps, by client ID and by subscriber id, with each session's
/// next deadline (a delayed will, its expiry while offline, the first expiry among the
/// messages queued while it is offline). Time is an argument: tests set it.

#include "../deadlinequeue.h"
#include "../session.h"
#include "engine/api/telemetry.h"

#include <QHash>

#include <memory>
#include <unordered_map>

namespace hermes {

class SessionRegistry
{
public:
    using Table = std::unordered_map<mqtt::SubscriberId, std::unique_ptr<Session>>;

    Session *find(const QString &clientId) const { return m_byClientId.value(clientId, nullptr); }
    Session *find(mqtt::SubscriberId id) const;
    /// A new session with the next subscriber id.
    Session &create(const QString &clientId);
    /// Deletes an ended session and forgets its deadline.
    void remove(Session &session);
    const Table &all() const { return m_sessions; }
    qsizetype size() const { return qsizetype(m_sessions.size()); }

    /// The earliest of `session`'s deadlines now (none: nothing is due for it).
    static std::optional<mqtt::Timestamp> nextDeadline(const Session &session);
    /// Schedules nextDeadline(); false when it has none (then any old one is forgotten).
    bool scheduleDeadline(const Session &session);
    /// A message with this expiry joined the offline queue: the session is due by then.
    /// True when that moved its deadline earlier.
    bool dueBy(const Session &session, mqtt::Timestamp at);
    void cancelDeadline(const Session &session) { m_deadlines.cancel(session.id); }
    /// Sessions whose deadline is at or before `at`, earliest first; they are forgotten
    /// until scheduled again.
    std::vector<mqtt::SubscriberId> takeDue(mqtt::Timestamp at) { return m_deadlines.takeDue(at); }
    std::optional<mqtt::Timestamp> earliestDeadline() { return m_deadlines.earliest(); }

    /// Messages in flight and queued over every session (one pass).
    std::pair<quint64, quint64> backlog() const;

    /// Every session's telemetry row.
    QList<SessionInfo> infos() const;
    /// The rows of the sessions changed since the last call (every row when `all`); marks
    /// them unchanged.
    QList<SessionInfo> takeChanged(bool all);
    /// What the console's session detail shows of `clientId` at `now`, with its
    /// subscriptions from `subscriptions`; nullopt for an unknown client.
    std::optional<SessionDetail> detail(const QString &clientId, mqtt::Timestamp now,
                                        const mqtt::SubscriptionTree &subscriptions) const;

private:
    Table m_sessions;
    QHash<QString, Session *> m_byClientId;
    DeadlineQueue<mqtt::SubscriberId> m_deadlines;
    mqtt::SubscriberId m_nextId = 1;
};

} // namespace hermes
