#pragma once
/// Which engine attaches the console to a broker it does not embed: a hermesd that answers
/// the admin API v2 to this account gets a RemoteEngine (every view), any other broker,
/// or a hermesd account that is not an operator, a ClientEngine (what a client can see).

#include "engine/api/enginefactories.h"
#include "engine/api/monitor.h"
#include "engine/remote/remoteengine.h"

#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>

namespace hermes {

/// What one short admin API conversation found out.
enum class AdminApiProbe : quint8 {
    Operator,           ///< api/version answered: a hermesd, and this account is an operator
    CredentialsRefused, ///< the CONNECT itself was refused (wrong password, banned…)
    NoAdminApi,         ///< connected, but no v2 answer (another broker, not an operator, old hermesd)
    Unreachable,        ///< no MQTT connection at all
    TlsFailed,          ///< the TLS files or handshake failed (untrusted certificate, wrong name…)
};

struct AdminApiProbeResult {
    AdminApiProbe outcome = AdminApiProbe::Unreachable;
    /// With Operator: where that hermesd listens ("127.0.0.1:1883", "unix:/run/…").
    QStringList listeners;
    /// With TlsFailed: what was wrong, naming the file or the certificate problem; with
    /// Unreachable: why there was no connection ("PATH: permission denied: …").
    QString message;
};

/// Connects once with `options`, asks api/version and disconnects; blocks (a local event
/// loop) for at most `timeout`.
AdminApiProbeResult probeAdminApi(const RemoteEngineOptions &options, std::chrono::milliseconds timeout);

/// A RemoteEngine when the probe finds an operator (or refused credentials or a failed TLS
/// handshake: it then says so clearly when started), else a ClientEngine for the same
/// address, TLS settings and account. Not started.
std::unique_ptr<EngineMonitor> attachEngine(const RemoteEngineOptions &options,
                                            std::chrono::milliseconds probeTimeout = std::chrono::seconds(3));

/// The broker holding `address` on this machine (the console's "Attach to it"): over the
/// Unix socket `localSocket` when a hermesd there takes this user as an operator and
/// listens on `address` (the packaged service); otherwise attachEngine() on the address
/// itself with the account in `account`, whose attachNote() then says why the socket was
/// not used when it could not be reached. Not started.
std::unique_ptr<EngineMonitor> attachToLocalBroker(const ListenAddress &address, const RemoteEngineOptions &account,
                                                   const QString &localSocket,
                                                   std::chrono::milliseconds probeTimeout = std::chrono::seconds(3));

/// The console's attaching factories (EngineFactories): attachEngine() and
/// attachToLocalBroker() with their default probe timeout. `embedded` is left to the caller
/// (app/hermes makes a LocalEngine on its configuration).
EngineFactories attachFactories();

} // namespace hermes
