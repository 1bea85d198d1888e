#pragma once
/// Remote mode: the console attached to a running hermesd over the admin API v2
/// (docs/ADMIN-API.md), as an operator. Sessions come from the session stream (one paged
/// snapshot, then bounded batches of changes), counters from the v2 telemetry topic,
/// messages from a `#` subscription; everything else is a request. The views get the same
/// plain values the embedded broker hands them. Simulations and listen addresses belong to
/// the machine hermesd runs on: features() leaves them out.

#include "engine/api/monitor.h"
#include "engine/linkthread.h"
#include "engine/mqttclient.h"
#include "engine/remote/attachoptions.h"

#include <chrono>
#include <optional>

namespace hermes {

/// The MQTT 5 connection `options` describe (a clean session; the client ID, when empty,
/// random with `clientIdPrefix`).
ClientOptions clientOptionsFor(const RemoteEngineOptions &options, const QString &clientIdPrefix);

class RemoteEngine : public EngineMonitor
{
    Q_OBJECT
public:
    explicit RemoteEngine(RemoteEngineOptions options, QObject *parent = nullptr);
    ~RemoteEngine() override;

    /// Without SessionInternals once hermesd said it is in upstream mode (api/version): its
    /// devices' sessions come from the cluster's management API, which has no heartbeats,
    /// packet trace or in-flight messages. Known before started().
    EngineFeatures features() const override
    {
        const EngineFeatures features = EngineFeature::Messages | EngineFeature::Statistics | EngineFeature::Sessions
            | EngineFeature::Push | EngineFeature::Accounts;
        return m_upstream ? features : features | EngineFeature::SessionInternals;
    }
    QString attachedTo() const override { return m_options.address(); }
    const RemoteEngineOptions &options() const { return m_options; }
    /// Telemetry cadence; the default 250 ms keeps views at 4 Hz, like the embedded broker.
    void setTelemetryInterval(std::chrono::milliseconds interval) { m_interval = interval; }

    /// Connects, checks the API version and loads the sessions; started() then, or
    /// startFailed() naming the broker and the reason (wrong password, not an operator,
    /// API version mismatch, not a Hermes broker, a failed TLS handshake and why): nothing
    /// stays half-connected. A link lost after that is retried with back-off and the
    /// streams resume (linkChanged()).
    void start() override;
    void stop() override;
    bool isRunning() const override { return m_link.isRunning(); }

    void requestSessionDetail(const QString &clientId) override;
    void watchSession(const QString &clientId) override;
    void kick(const QString &clientId) override;
    void publish(const mqtt::Publish &message) override;
    void deleteRetained(const QString &topic) override;
    void requestRetained() override;
    void sendPush(const PushRequest &request) override;
    void requestAudience(const PushTarget &target) override;
    void requestDevices() override;
    void requestAccounts() override;
    void setAccount(const QString &name, Role role, const QString &password) override;
    void removeAccount(const QString &name) override;
    bool setListenAddresses(const QList<ListenAddress> &addresses) override;
    QList<ListenAddress> configuredListenAddresses() const override { return {}; }

private:
    class Link;

    RemoteEngineOptions m_options;
    std::chrono::milliseconds m_interval{250};
    bool m_upstream = false; ///< hermesd is in upstream mode (set on this thread, before started())
    LinkThread<Link> m_link{QStringLiteral("hermes-remote")};
};

} // namespace hermes
