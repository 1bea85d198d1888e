#include "authbackoff.h"

#include <algorithm>
#include <vector>

namespace hermes {

using std::chrono::milliseconds;

AuthBackoff::AuthBackoff(AuthBackoffSettings settings)
    : m_settings(settings)
{
    m_settings.maximum = std::max(m_settings.maximum, m_settings.initial);
    m_settings.maxEntries = std::max(m_settings.maxEntries, 1);
}

milliseconds AuthBackoff::delayAfter(int failures) const
{
    if (failures <= 0 || !enabled())
        return milliseconds::zero();
    // Double without overflowing: stop as soon as the maximum is reached.
    milliseconds delay = m_settings.initial;
    for (int i = 1; i < failures && delay < m_settings.maximum; ++i)
        delay *= 2;
    return std::min(delay, m_settings.maximum);
}

bool AuthBackoff::exempt(const QHostAddress &address) const
{
    return m_settings.exemptLoopback && isLoopbackSource(address);
}

bool AuthBackoff::forgotten(const Record &record, mqtt::Timestamp now) const
{
    return now >= record.blockedUntil + m_settings.maximum;
}

template<typename Key>
milliseconds AuthBackoff::waitIn(const QHash<Key, Record> &table, const Key &key, mqtt::Timestamp now) const
{
    const auto it = table.constFind(key);
    if (it == table.cend() || now >= it->blockedUntil)
        return milliseconds::zero();
    return it->blockedUntil - now;
}

milliseconds AuthBackoff::retryAfter(const QHostAddress &address, const QString &userName,
                                     mqtt::Timestamp now) const
{
    if (!enabled() || exempt(address))
        return milliseconds::zero();
    milliseconds wait = waitIn(m_sources, SourceKey::of(address), now);
    if (!userName.isEmpty())
        wait = std::max(wait, waitIn(m_userNames, userName, now));
    return wait;
}

template<typename Key>
void AuthBackoff::fail(QHash<Key, Record> &table, const Key &key, mqtt::Timestamp now)
{
    auto it = table.find(key);
    if (it == table.end()) {
        if (table.size() >= m_settings.maxEntries) {
            table.removeIf([&](const typename QHash<Key, Record>::iterator entry) {
                return forgotten(entry.value(), now);
            });
        }
        if (table.size() >= m_settings.maxEntries) {
            // Full of live records (guessing from many places or at many names): drop the
            // eighth whose waits end first, so this O(n) pass runs once per n/8 new keys.
            std::vector<mqtt::Timestamp> ends;
            ends.reserve(size_t(table.size()));
            for (const Record &record : std::as_const(table))
                ends.push_back(record.blockedUntil);
            const size_t drop = std::max<size_t>(1, ends.size() / 8);
            std::nth_element(ends.begin(), ends.begin() + qsizetype(drop - 1), ends.end());
            const mqtt::Timestamp cutoff = ends[drop - 1];
            size_t dropped = 0;
            table.removeIf([&](const typename QHash<Key, Record>::iterator entry) {
                if (dropped < drop && entry.value().blockedUntil <= cutoff) {
                    ++dropped;
                    return true;
                }
                return false;
            });
        }
        it = table.insert(key, Record{});
    } else if (forgotten(*it, now)) {
        *it = Record{};
    }
    Record &record = it.value();
    record.failures = std::min(record.failures + 1, 1 << 20);
    // Never shorten a wait already running (a failure the caller let through early).
    record.blockedUntil = std::max(record.blockedUntil, now + delayAfter(record.failures));
}

void AuthBackoff::recordFailure(const QHostAddress &address, const QString &userName, mqtt::Timestamp now)
{
    if (!enabled() || exempt(address))
        return;
    fail(m_sources, SourceKey::of(address), now);
    if (!userName.isEmpty())
        fail(m_userNames, userName, now);
}

void AuthBackoff::recordSuccess(const QHostAddress &address, const QString &userName)
{
    m_sources.remove(SourceKey::of(address));
    if (!userName.isEmpty())
        m_userNames.remove(userName);
}

void AuthBackoff::sweep(mqtt::Timestamp now)
{
    auto isForgotten = [&](const auto it) { return forgotten(it.value(), now); };
    m_sources.removeIf(isForgotten);
    m_userNames.removeIf(isForgotten);
}

} // namespace hermes
