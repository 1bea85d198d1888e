#pragma once
/// Abuse limit on new connections: a token bucket per source address. Time is passed in by
/// the caller, never read here, so the arithmetic is exact and testable.

#include "mqtt/sessionmachine.h"

#include <QHash>
#include <QHostAddress>

namespace hermes {

/// Where a connection comes from, as far as abuse limits care: one IPv4 address, or one
/// IPv6 /64. A single IPv6 host usually holds a whole /64 (SLAAC, privacy addresses), so a
/// per-address limit on full IPv6 addresses would cost an attacker nothing to dodge. An
/// IPv4-mapped IPv6 address (what a dual-stack listener reports) counts as its IPv4 address.
struct SourceKey {
    enum class Family : quint8 { Other, IPv4, IPv6 };
    Family family = Family::Other;
    quint64 prefix = 0; ///< the IPv4 address, or the upper 64 bits of the IPv6 address

    static SourceKey of(const QHostAddress &address);
    bool operator==(const SourceKey &) const = default;
};
size_t qHash(const SourceKey &key, size_t seed = 0) noexcept;

/// True for 127.0.0.0/8, ::1 and their IPv4-mapped forms (::ffff:127.x.y.z).
bool isLoopbackSource(const QHostAddress &address);

/// `max_connections_per_second`, `max_connections_burst`, `limits_exempt_loopback`.
struct ConnectionRateSettings {
    int perSecond = 0;          ///< sustained new connections per second per source; 0 = unlimited
    int burst = 20;             ///< connections a source that has been quiet may open at once
    bool exemptLoopback = true; ///< a console or local proxy on the same machine is not limited
    int maxSources = 65536;     ///< tracked sources; beyond that the least recently seen go
    bool operator==(const ConnectionRateSettings &) const = default;
};

/// A token bucket per SourceKey, in integer milli-tokens: a bucket holds `burst` tokens, a
/// connection takes one, and `perSecond` tokens come back per second. A source absent from
/// the table has a full bucket, so a full bucket is dropped (sweep) without changing any
/// answer; memory stays below `maxSources` entries.
class ConnectionRateLimiter
{
public:
    explicit ConnectionRateLimiter(ConnectionRateSettings settings = {});

    /// A new connection from `address` at `now`: true = accept it (and count it), false = the
    /// source is over its rate and the connection should be refused.
    bool admit(const QHostAddress &address, mqtt::Timestamp now);

    /// Drops the buckets that are full again at `now` (equivalent to not tracking them).
    /// The broker may call it from its housekeeping timer; admit() also calls it at the cap.
    void sweep(mqtt::Timestamp now);

    /// Sources currently tracked (memory use is proportional).
    qsizetype trackedSources() const { return m_buckets.size(); }
    /// Connections refused since construction.
    quint64 refusedCount() const { return m_refused; }
    const ConnectionRateSettings &settings() const { return m_settings; }

private:
    struct Bucket {
        qint64 milliTokens = 0;
        mqtt::Timestamp updatedAt{};
    };

    qint64 capacity() const { return qint64(m_settings.burst) * 1000; }
    /// The bucket's level at `now` (never above capacity; a clock going back adds nothing).
    qint64 levelAt(const Bucket &bucket, mqtt::Timestamp now) const;
    void makeRoom(mqtt::Timestamp now);

    ConnectionRateSettings m_settings;
    QHash<SourceKey, Bucket> m_buckets;
    quint64 m_refused = 0;
};

} // namespace hermes
