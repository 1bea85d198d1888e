#pragma once
/// Whether a new connection may be accepted: max_connections over the broker, and
/// max_connections_per_second per source (IPv4 address or IPv6 /64). Nothing has been read
/// from the connection yet, so a refusal is a closed socket, not a CONNACK.

#include "../brokerconfig.h"
#include "engine/security/connectionratelimiter.h"

#include <optional>

class QHostAddress;

namespace hermes {

struct BrokerCounters;

class Admission
{
public:
    /// Refusals and acceptances are counted in `counters`.
    Admission(const BrokerConfig &config, BrokerCounters &counters);

    /// True when a connection from `peer` may be accepted; it is then counted open until
    /// closed(). Without a peer (a Unix socket) no rate applies.
    bool admit(const std::optional<QHostAddress> &peer, mqtt::Timestamp at);
    void closed() { --m_open; }
    /// Whether admit() needs the peer address (a plain descriptor's costs a syscall).
    bool limitsRate() const { return m_limitsRate; }
    /// Forgets rate records that are full again.
    void sweep(mqtt::Timestamp at) { m_rate.sweep(at); }

private:
    ConnectionRateLimiter m_rate;
    BrokerCounters &m_counters;
    const int m_maxConnections;
    const bool m_limitsRate;
    int m_open = 0;
};

} // namespace hermes
