#pragma once
/// Deadlines keyed by what they are for, earliest first: the broker's timers (will delay,
/// session expiry, message expiry) without a walk over every session.

#include "mqtt/sessionmachine.h"

#include <QHash>

#include <algorithm>
#include <optional>
#include <vector>

namespace hermes {

/*
 * A binary min-heap of (deadline, ticket, key) with lazy removal: schedule() pushes a new
 * entry and remembers its ticket as the key's live one, cancel() forgets the ticket, and
 * entries whose ticket is no longer live are dropped when they reach the top. schedule()
 * and takeDue() cost O(log n) per entry, cancel() O(1). Stale entries are compacted away
 * once they outnumber the live ones, so memory stays proportional to the live deadlines.
 * Nothing here reads a clock: the owner passes `now` and arms one timer for earliest().
 */
template<typename Key>
class DeadlineQueue
{
public:
    /// Sets the deadline of `key`, replacing any earlier one.
    void schedule(const Key &key, mqtt::Timestamp deadline)
    {
        const quint64 ticket = m_nextTicket++;
        m_live.insert(key, Live{ticket, deadline});
        m_heap.push_back(Entry{deadline, ticket, key});
        std::push_heap(m_heap.begin(), m_heap.end(), later);
        if (m_heap.size() > 2 * size_t(m_live.size()) + 64)
            compact();
    }

    void cancel(const Key &key) { m_live.remove(key); }

    bool contains(const Key &key) const { return m_live.contains(key); }
    /// The deadline of `key`, or nullopt when it has none.
    std::optional<mqtt::Timestamp> deadlineOf(const Key &key) const
    {
        const auto it = m_live.constFind(key);
        if (it == m_live.cend())
            return std::nullopt;
        return it->deadline;
    }
    qsizetype size() const { return m_live.size(); }

    /// The earliest live deadline, or nullopt when nothing is scheduled.
    std::optional<mqtt::Timestamp> earliest()
    {
        dropStaleTop();
        if (m_heap.empty())
            return std::nullopt;
        return m_heap.front().deadline;
    }

    /// Removes and returns the keys whose deadline is at or before `now`, earliest first.
    std::vector<Key> takeDue(mqtt::Timestamp now)
    {
        std::vector<Key> due;
        for (dropStaleTop(); !m_heap.empty() && m_heap.front().deadline <= now; dropStaleTop()) {
            std::pop_heap(m_heap.begin(), m_heap.end(), later);
            Entry entry = std::move(m_heap.back());
            m_heap.pop_back();
            m_live.remove(entry.key);
            due.push_back(std::move(entry.key));
        }
        return due;
    }

private:
    struct Entry {
        mqtt::Timestamp deadline;
        quint64 ticket = 0;
        Key key;
    };

    static bool later(const Entry &a, const Entry &b) { return a.deadline > b.deadline; }

    bool isLive(const Entry &entry) const
    {
        const auto it = m_live.constFind(entry.key);
        return it != m_live.cend() && it->ticket == entry.ticket;
    }

    void dropStaleTop()
    {
        while (!m_heap.empty() && !isLive(m_heap.front())) {
            std::pop_heap(m_heap.begin(), m_heap.end(), later);
            m_heap.pop_back();
        }
    }

    void compact()
    {
        std::erase_if(m_heap, [this](const Entry &entry) { return !isLive(entry); });
        std::make_heap(m_heap.begin(), m_heap.end(), later);
    }

    struct Live {
        quint64 ticket = 0; ///< of the key's one live heap entry
        mqtt::Timestamp deadline;
    };
    std::vector<Entry> m_heap;
    QHash<Key, Live> m_live;
    quint64 m_nextTicket = 1;
};

} // namespace hermes
