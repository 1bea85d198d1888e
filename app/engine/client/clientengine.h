#pragma once
/// Client mode: the console attached to any MQTT broker (mosquitto, EMQX, a RabbitMQ node) as
/// an ordinary client, seen through EngineMonitor. It sees what a client may see: the
/// messages on the filters it subscribes (`#` and `$SYS/#`), retained messages, and the
/// broker's `$SYS` statistics where it publishes them. Sessions, heartbeats, pushes and
/// accounts are broker internals it cannot see: features() leaves them out.

#include "engine/linkthread.h"
#include "engine/api/monitor.h"
#include "engine/mqttclient.h"


#include <chrono>
#include <optional>

namespace hermes {

struct ClientEngineOptions {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 1883;
    std::optional<ClientOptions::Tls> tls; ///< TLS to host:port when set
    QString userName;                 ///< empty: anonymous
    QByteArray password;
    QString clientId;                 ///< empty: "hermes-console-" and a random suffix
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V3_1_1;
    QStringList filters{QStringLiteral("#"), QStringLiteral("$SYS/#")};
    int maxMessagesPerBatch = 500;    ///< beyond this, counted in messagesNotCaptured
    int maxRetained = 10000;          ///< retained messages remembered for the Topics view
    /// Reconnect back-off after a lost link: doubles from the first to the last.
    std::chrono::milliseconds firstRetry{1000}, lastRetry{30000};

    /// "host:port" or "mqtts://host:port" (brokerAddress()), as errors and the status bar
    /// name the broker.
    QString address() const;
};

class ClientEngine : public EngineMonitor
{
    Q_OBJECT
public:
    explicit ClientEngine(ClientEngineOptions options, QObject *parent = nullptr);
    ~ClientEngine() override;

    EngineFeatures features() const override { return EngineFeature::Messages | EngineFeature::Statistics; }
    QString attachedTo() const override { return m_options.address(); }
    const ClientEngineOptions &options() const { return m_options; }
    /// Telemetry cadence; the default 250 ms keeps views at 4 Hz, like the embedded broker.
    void setTelemetryInterval(std::chrono::milliseconds interval) { m_interval = interval; }

    /// Connects and subscribes; started() once the broker granted `#`, startFailed() with
    /// the broker's address and reason otherwise (no retry: the operator fixes the profile).
    /// A link lost after that is retried with back-off (linkChanged()).
    void start() override;
    void stop() override;
    bool isRunning() const override { return m_link.isRunning(); }

    void publish(const mqtt::Publish &message) override;
    /// Publishes an empty retained message to `topic` (QoS 1), which deletes it.
    void deleteRetained(const QString &topic) override;
    void requestRetained() override;

    // Broker internals a client cannot see: each answers that it is not available.
    void requestSessionDetail(const QString &clientId) override;
    void kick(const QString &clientId) override;
    void sendPush(const PushRequest &request) override;
    void requestAudience(const PushTarget &target) override;
    void requestDevices() override;
    bool setListenAddresses(const QList<ListenAddress> &addresses) override;
    QList<ListenAddress> configuredListenAddresses() const override { return {}; }

private:
    class Link;

    ClientEngineOptions m_options;
    std::chrono::milliseconds m_interval{250};
    LinkThread<Link> m_link{QStringLiteral("hermes-client")};
};

} // namespace hermes
