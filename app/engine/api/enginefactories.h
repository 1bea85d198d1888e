#pragma once
/// How the console gets its engines without linking them: the program that builds the
/// console (app/hermes, a test) fills these with LocalEngine, attachEngine() and
/// attachToLocalBroker() from hermes_engine (attachFactories() in engine/remote/attach.h
/// gives the last two). Part of hermes_engine_api.

#include "engine/api/monitor.h"
#include "engine/listenaddress.h"
#include "engine/remote/attachoptions.h"

#include <QString>

#include <functional>
#include <memory>

namespace hermes {

struct EngineFactories {
    /// The embedded broker, not started; empty: the console has none ("Embedded broker"
    /// does nothing).
    std::function<std::unique_ptr<EngineMonitor>()> embedded;
    /// The broker `options` name: a RemoteEngine for a hermesd that takes the account as an
    /// operator, else a ClientEngine. Not started; may block for a short probe.
    std::function<std::unique_ptr<EngineMonitor>(const RemoteEngineOptions &options)> attach;
    /// The broker holding `address` on this machine (the console's "Attach to it"): over
    /// the admin socket `localSocket` when a hermesd there takes this user as an operator,
    /// else attach() to the address with `account`. Not started; may block for a short probe.
    std::function<std::unique_ptr<EngineMonitor>(const ListenAddress &address, const RemoteEngineOptions &account,
                                                 const QString &localSocket)>
        attachToLocal;
};

} // namespace hermes
