#include "connectionratelimiter.h"

#include <QHashFunctions>

#include <algorithm>
#include <vector>

namespace hermes {

SourceKey SourceKey::of(const QHostAddress &address)
{
    bool isIPv4 = false;
    // Also true for ::ffff:a.b.c.d, so a dual-stack listener does not put every IPv4 client
    // into the one /64 that holds the mapped range.
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    if (isIPv4)
        return SourceKey{Family::IPv4, ipv4};
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        quint64 prefix = 0;
        for (int i = 0; i < 8; ++i)
            prefix = (prefix << 8) | bytes[i];
        return SourceKey{Family::IPv6, prefix};
    }
    return SourceKey{}; // not an IP peer (null address): all such share one key
}

size_t qHash(const SourceKey &key, size_t seed) noexcept
{
    return qHashMulti(seed, quint8(key.family), key.prefix);
}

bool isLoopbackSource(const QHostAddress &address)
{
    bool isIPv4 = false;
    const quint32 ipv4 = address.toIPv4Address(&isIPv4);
    if (isIPv4)
        return (ipv4 >> 24) == 127;
    return address.isLoopback();
}

ConnectionRateLimiter::ConnectionRateLimiter(ConnectionRateSettings settings)
    : m_settings(settings)
{
    m_settings.burst = std::max(m_settings.burst, 1);
    m_settings.maxSources = std::max(m_settings.maxSources, 1);
}

qint64 ConnectionRateLimiter::levelAt(const Bucket &bucket, mqtt::Timestamp now) const
{
    const qint64 elapsed = std::max<qint64>(0, (now - bucket.updatedAt).count());
    // Clamp before multiplying: a bucket untouched for years must not overflow.
    const qint64 missing = capacity() - bucket.milliTokens;
    const qint64 refillPerMs = m_settings.perSecond; // perSecond tokens/s = perSecond milli-tokens/ms
    if (elapsed >= missing / refillPerMs + 1)
        return capacity();
    return std::min(capacity(), bucket.milliTokens + elapsed * refillPerMs);
}

bool ConnectionRateLimiter::admit(const QHostAddress &address, mqtt::Timestamp now)
{
    if (m_settings.perSecond <= 0)
        return true;
    if (m_settings.exemptLoopback && isLoopbackSource(address))
        return true;
    const SourceKey key = SourceKey::of(address);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_settings.maxSources)
            makeRoom(now);
        // An unknown source has a full bucket.
        it = m_buckets.insert(key, Bucket{capacity(), now});
    }
    Bucket &bucket = it.value();
    const qint64 level = levelAt(bucket, now);
    // Keep the later of the two times, so a clock step back neither refills nor drains.
    bucket.updatedAt = std::max(bucket.updatedAt, now);
    if (level < 1000) {
        bucket.milliTokens = level;
        ++m_refused;
        return false;
    }
    bucket.milliTokens = level - 1000;
    return true;
}

void ConnectionRateLimiter::sweep(mqtt::Timestamp now)
{
    m_buckets.removeIf([&](const QHash<SourceKey, Bucket>::iterator it) {
        return levelAt(it.value(), now) >= capacity();
    });
}

void ConnectionRateLimiter::makeRoom(mqtt::Timestamp now)
{
    sweep(now);
    if (m_buckets.size() < m_settings.maxSources)
        return;
    // Still full of active sources (an attack from many addresses): forget the least
    // recently seen eighth at once, so this O(n) pass runs once per n/8 new sources.
    std::vector<mqtt::Timestamp> times;
    times.reserve(size_t(m_buckets.size()));
    for (const Bucket &bucket : std::as_const(m_buckets))
        times.push_back(bucket.updatedAt);
    const size_t drop = std::max<size_t>(1, times.size() / 8);
    std::nth_element(times.begin(), times.begin() + qsizetype(drop - 1), times.end());
    const mqtt::Timestamp cutoff = times[drop - 1];
    size_t dropped = 0;
    m_buckets.removeIf([&](const QHash<SourceKey, Bucket>::iterator it) {
        if (dropped < drop && it.value().updatedAt <= cutoff) {
            ++dropped;
            return true;
        }
        return false;
    });
}

} // namespace hermes
