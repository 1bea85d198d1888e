#pragma once
/// The console's only window onto an engine: commands in, plain-value telemetry out.
/// Implemented by LocalEngine (the embedded broker on its own thread), RemoteEngine (a
/// running hermesd over the admin API) and ClientEngine (any broker, as an MQTT client).
/// Part of hermes_engine_api, with every value it carries: the console links only that.

#include "engine/analytics/networkreport.h"
#include "engine/api/telemetry.h"
#include "engine/listenaddress.h"
#include "engine/push/devicerecord.h"
#include "engine/push/pushtypes.h"
#include "engine/security/role.h"
#include "engine/simulator/scenario.h"
#include "engine/simulator/statistics.h"

#include "mqtt/packets.h"

#include <QObject>

namespace hermes {

/// One account as the console shows it (never its password hash).
struct AccountInfo {
    QString name;
    Role role = Role::Device;
    bool fromConfig = false; ///< defined in the config file: read-only
};

/// What an engine can show and do. The embedded broker and a remote hermesd have every
/// feature; a plain MQTT client attached to another broker sees only messages, retained
/// messages and $SYS: views whose feature is missing say so instead of sitting empty.
enum class EngineFeature : quint16 {
    Messages = 0x01,   ///< captured application messages, publish, retained messages
    Statistics = 0x02, ///< broker counters for the Dashboard
    Sessions = 0x04,   ///< sessions, session detail (heartbeats, in flight, trace), kick
    Push = 0x08,       ///< the push service: pushes, reports, devices
    Accounts = 0x10,
    Simulation = 0x20,
    Listeners = 0x40,  ///< the engine's own listen addresses can be changed
    Networks = 0x80,   ///< fleet analytics: each network's NAT timeout estimate and costs
    /// A session's heartbeats, packet trace and in-flight messages (not there for the
    /// sessions of an upstream cluster, whose management API does not expose them)
    SessionInternals = 0x100,
};
Q_DECLARE_FLAGS(EngineFeatures, EngineFeature)
Q_DECLARE_OPERATORS_FOR_FLAGS(EngineFeatures)

class EngineMonitor : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual EngineFeatures features() const { return EngineFeatures(0x1FF); }
    /// The broker this engine is attached to ("10.0.0.5:1883"); empty for an engine that
    /// embeds its broker.
    virtual QString attachedTo() const { return {}; }
    /// Why an attached engine is not the one the console tried first, when that is worth
    /// saying ("/run/hermes/hermesd.sock: permission denied: only members of group hermes
    /// …" before falling back to a plain client); empty otherwise.
    QString attachNote() const { return m_attachNote; }
    void setAttachNote(const QString &note) { m_attachNote = note; }

    /// Starts the engine; answers with started() or startFailed().
    virtual void start() = 0;
    virtual void stop() = 0;
    virtual bool isRunning() const = 0;
    /// Answers with sessionDetail() (or nothing if the session is gone).
    virtual void requestSessionDetail(const QString &clientId) = 0;
    /// Answers with sessionDetail() now and again whenever that session's detail changes (a
    /// heartbeat, a packet, an in-flight message…), at most a few times a second, until
    /// another watchSession(); an empty id ends the watch. One session at a time per engine.
    /// Engines without sessions watch nothing.
    virtual void watchSession(const QString &clientId) { Q_UNUSED(clientId) }
    virtual void kick(const QString &clientId) = 0;
    virtual void publish(const mqtt::Publish &message) = 0;
    virtual void deleteRetained(const QString &topic) = 0;
    /// Answers with retainedMessages().
    virtual void requestRetained() = 0;
    /// Starts a push; answers with pushAccepted() or pushRefused(). Its report then
    /// changes through pushReportsChanged().
    virtual void sendPush(const PushRequest &request) = 0;
    /// How many devices a target reaches now; answers with audienceResolved().
    virtual void requestAudience(const PushTarget &target) = 0;
    /// Answers with devicesListed() (also emitted by itself when devices change).
    virtual void requestDevices() = 0;
    /// Answers with accountsListed(). Engines without account management answer nothing.
    virtual void requestAccounts() {}
    /// Stores an account (hashing the password), then answers with accountsListed(), or
    /// with accountChangeFailed() and the reason.
    virtual void setAccount(const QString &name, Role role, const QString &password)
    {
        Q_UNUSED(name) Q_UNUSED(role) Q_UNUSED(password)
    }
    virtual void removeAccount(const QString &name) { Q_UNUSED(name) }
    /// Answers with networksListed(). Engines without fleet analytics answer nothing.
    virtual void requestNetworks() {}
    /// Where the next start() listens; false when this engine cannot be reconfigured
    /// (a remote broker).
    virtual bool setListenAddresses(const QList<ListenAddress> &addresses) = 0;
    /// The addresses the next start() uses (or the running engine uses).
    virtual QList<ListenAddress> configuredListenAddresses() const = 0;

    /// Runs a simulated fleet (docs/SIMULATOR.md) against this engine's broker: answers
    /// with simulationStarted() or simulationFailed(), then simulationProgress() every
    /// sample interval, simulationEvent() per event and simulationFinished() at the end.
    /// Engines that cannot simulate answer simulationFailed().
    virtual void startSimulation(const sim::Scenario &scenario)
    {
        Q_UNUSED(scenario)
        emit simulationFailed(QStringLiteral("this engine cannot run simulations"));
    }
    /// Ends the running simulation early: simulationFinished() follows.
    virtual void stopSimulation() {}
    /// Performs a broker event (restart, kill, network drop, push burst) in the running
    /// simulation now, as if the scenario said so; reported through simulationEvent().
    virtual void applySimulationEvent(const sim::ScenarioEvent &event) { Q_UNUSED(event) }
    virtual bool isSimulating() const { return false; }

signals:
    void started(const QList<hermes::ListenAddress> &addresses);
    void startFailed(const QString &reason);
    /// Emitted just before startFailed() when the reason is that another program already
    /// listens on `address` (typically the hermesd service on 1883).
    void listenAddressTaken(const hermes::ListenAddress &address);
    /// The broker refused this engine's credentials (wrong password, unknown user, banned);
    /// startFailed() or linkChanged() follows with the words. Only engines that log in emit it.
    void credentialsRefused();
    void stopped();
    void telemetry(const hermes::TelemetryBatch &batch);
    void sessionDetail(const hermes::SessionDetail &detail);
    void retainedMessages(const QList<hermes::MessageRecord> &messages);
    void storeError(const QString &message);
    /// The link to a broker this engine is attached to went down (`detail` says why; it
    /// retries by itself) or came back. Engines that embed their broker never emit it.
    void linkChanged(bool up, const QString &detail);
    void pushAccepted(const hermes::PushReport &report);
    void pushRefused(const hermes::PushRequest &request, const QString &message);
    /// `error` is empty when the target is valid; `sample` holds the first few device ids.
    void audienceResolved(const hermes::PushTarget &target, int count, const QStringList &sample,
                          const QString &error);
    void devicesListed(const QList<hermes::DeviceRecord> &devices);
    /// Reports that changed since the previous tick, newest state (at most a few per second).
    void pushReportsChanged(const QList<hermes::PushReport> &reports);
    void accountsListed(const QList<hermes::AccountInfo> &accounts);
    void accountChangeFailed(const QString &message);
    /// Every network the broker has seen or was told about, sorted by name.
    void networksListed(const QList<hermes::analytics::NetworkReport> &networks);
    /// The scenario as it runs (overrides applied).
    void simulationStarted(const hermes::sim::Scenario &scenario);
    /// Carries only the samples taken since the previous progress (a view appends them);
    /// every other field is the run's total so far.
    void simulationProgress(const hermes::sim::SimulationSnapshot &snapshot);
    /// "12.0s  at 30m broker-restart: broker restarted"
    void simulationEvent(const QString &description);
    /// The final statistics, with the samples not yet sent by simulationProgress().
    void simulationFinished(const hermes::sim::SimulationSnapshot &snapshot);
    void simulationFailed(const QString &reason);

private:
    QString m_attachNote;
};

} // namespace hermes

Q_DECLARE_METATYPE(hermes::analytics::NetworkReport)
Q_DECLARE_METATYPE(hermes::sim::Scenario)
Q_DECLARE_METATYPE(hermes::sim::ScenarioEvent)
Q_DECLARE_METATYPE(hermes::sim::SimulationSnapshot)

