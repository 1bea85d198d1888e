#pragma once
/// Abuse limit on password guessing: exponential back-off after failed authentications, per
/// source address and per user name. Time is passed in by the caller.

#include "connectionratelimiter.h"

#include "mqtt/sessionmachine.h"

#include <QHash>
#include <QHostAddress>
#include <QString>

#include <chrono>

namespace hermes {

/// `auth_failure_backoff INITIAL MAXIMUM` and `limits_exempt_loopback`.
struct AuthBackoffSettings {
    std::chrono::milliseconds initial{1000};  ///< wait after the first failure; 0 = back-off off
    std::chrono::milliseconds maximum{60000}; ///< the wait doubles per failure up to this
    bool exemptLoopback = true;               ///< loopback clients are neither counted nor held back
    int maxEntries = 65536;                   ///< per table (sources, user names)
    bool operator==(const AuthBackoffSettings &) const = default;
};

/// Decides whether a CONNECT with credentials may be checked now. After the n-th failed
/// authentication in a row, its source (SourceKey: an IPv4 address or an IPv6 /64) and its
/// user name must each wait min(initial × 2^(n-1), maximum) before the next attempt is even
/// verified; a CONNECT that comes earlier is refused by the broker without looking at the
/// password (so it learns nothing and costs no PBKDF2 derivation) and does not count as a
/// failure. The per-name record bounds guesses at one account from many addresses; the
/// per-source record bounds guesses at many accounts from one place.
///
/// A success resets both records of that attempt. A record is forgotten once `maximum` has
/// passed after its wait ended with no new failure, so an old typo is not held against a
/// client for ever. Both tables are bounded by `maxEntries`: records forgotten by that rule go
/// first, then the least recently failed.
class AuthBackoff
{
public:
    explicit AuthBackoff(AuthBackoffSettings settings = {});

    /// Zero when a CONNECT from `address` for `userName` (empty = anonymous: the source alone)
    /// may be verified at `now`; otherwise how long until it may.
    std::chrono::milliseconds retryAfter(const QHostAddress &address, const QString &userName,
                                         mqtt::Timestamp now) const;
    bool mayAttempt(const QHostAddress &address, const QString &userName, mqtt::Timestamp now) const
    {
        return retryAfter(address, userName, now) == std::chrono::milliseconds::zero();
    }

    /// The credentials were checked and were wrong (unknown user or bad password).
    void recordFailure(const QHostAddress &address, const QString &userName, mqtt::Timestamp now);
    /// The credentials were right: both records of this attempt start over.
    void recordSuccess(const QHostAddress &address, const QString &userName);

    /// Drops the records forgotten at `now`. The broker may call it from its housekeeping
    /// timer; recordFailure() also calls it when a table is full.
    void sweep(mqtt::Timestamp now);

    qsizetype trackedSources() const { return m_sources.size(); }
    qsizetype trackedUserNames() const { return m_userNames.size(); }
    const AuthBackoffSettings &settings() const { return m_settings; }

    /// The wait after `failures` failures in a row (0 for none).
    std::chrono::milliseconds delayAfter(int failures) const;

private:
    struct Record {
        int failures = 0;
        mqtt::Timestamp blockedUntil{};
    };

    bool enabled() const { return m_settings.initial > std::chrono::milliseconds::zero(); }
    bool exempt(const QHostAddress &address) const;
    bool forgotten(const Record &record, mqtt::Timestamp now) const;
    template<typename Key>
    void fail(QHash<Key, Record> &table, const Key &key, mqtt::Timestamp now);
    template<typename Key>
    std::chrono::milliseconds waitIn(const QHash<Key, Record> &table, const Key &key, mqtt::Timestamp now) const;

    AuthBackoffSettings m_settings;
    QHash<SourceKey, Record> m_sources;
    QHash<QString, Record> m_userNames;
};

} // namespace hermes
