#pragma once
/// Which engine attaches the console to a broker it does not embed: a hermesd that answers
/// the admin API v2 to this account gets a RemoteEngine (every view), any other broker,
/// or a hermesd account that is not an operator, a ClientEngine (what a client can see).

#include "engine/api/monitor.h"

#include <chrono>
#include <memory>

namespace hermes {

struct RemoteEngineOptions;

/// What one short admin API conversation found out.
enum class AdminApiProbe : quint8 {
    Operator,           ///< api/version answered: a hermesd, and this account is an operator
    CredentialsRefused, ///< the CONNECT itself was refused (wrong password, banned…)
    NoAdminApi,         ///< connected, but no v2 answer (another broker, not an operator, old hermesd)
    Unreachable,        ///< no MQTT connection at all
};

/// Connects once with `options`, asks api/version and disconnects; blocks (a local event
/// loop) for at most `timeout`.
AdminApiProbe probeAdminApi(const RemoteEngineOptions &options, std::chrono::milliseconds timeout);

/// A RemoteEngine when the probe finds an operator (or refused credentials: it then says
/// so clearly when started), else a ClientEngine for the same address and account. Not
/// started.
std::unique_ptr<EngineMonitor> attachEngine(const RemoteEngineOptions &options,
                                            std::chrono::milliseconds probeTimeout = std::chrono::seconds(3));

} // namespace hermes
