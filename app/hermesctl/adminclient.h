#pragma once
/// The admin API's client side (docs/ADMIN-API.md) for a command-line tool: one MQTT 5
/// connection, requests through the console's AdminChannel, and blocking calls that run a
/// local event loop until the answer, an error or the deadline.

#include "commands.h"

#include "engine/mqttclient.h"
#include "engine/remote/adminchannel.h"

#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <optional>

class QEventLoop;

namespace hermes::cli {

/// Where and as whom to connect.
struct ConnectionSettings {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 1883;
    /// When set, the broker's Unix-domain socket (host and port unused).
    QString localPath;
    /// TLS to host:port when set: the CA, an optional client certificate and key.
    std::optional<ClientOptions::Tls> tls;
    QString userName;   ///< empty = anonymous
    QByteArray password;
    bool hasPassword = false;
    /// Bounds the connection (TCP, CONNACK, SUBACK) and, separately, each request.
    std::chrono::milliseconds timeout = std::chrono::seconds(10);

    /// "127.0.0.1:1883" ("[::1]:1883" for IPv6, "mqtts://…" over TLS,
    /// "unix:/run/hermes/hermesd.sock").
    QString brokerAddress() const;
    /// An MQTT 5 clean-start connection as `clientId` with these settings; the TCP connect,
    /// TLS handshake and CONNACK are each bounded by `timeout`.
    ClientOptions clientOptions(const QString &clientId) const;
};

/// The outcome of connecting or of one request.
struct AdminResult {
    ExitCode exitCode = Success;
    QJsonObject result;  ///< the method's result object when exitCode is Success
    QString errorCode;   ///< the API's error code ("not-found"), when the broker refused
    QString message;     ///< human-readable, for stderr
    bool ok() const { return exitCode == Success; }
};

class AdminClient : public QObject
{
    Q_OBJECT
public:
    static constexpr int ApiVersion = 1;

    explicit AdminClient(ConnectionSettings settings, QObject *parent = nullptr);
    ~AdminClient() override;

    /// Connects (MQTT 5, clean start) and subscribes to the reply topic; blocks.
    AdminResult open();
    /// Calls `method` ("sessions/list") and waits for its answer; blocks. open() first.
    AdminResult call(const QString &method, const QJsonObject &arguments = {});
    /// DISCONNECT and close.
    void close();

    QString clientId() const { return m_clientId; }
    QString replyTopic() const { return AdminChannel::replyTopicFor(ApiVersion, m_clientId); }

private:
    /// What the event loop is waiting for.
    enum class Waiting : quint8 { Nothing, Connack, Suback, Response };

    AdminResult wait(Waiting what);
    void finish(AdminResult result);
    /// "user \"dev\"" or "an anonymous client", for refusals.
    QString callerName() const;
    void onConnected();
    void onDisconnected(mqtt::client::CloseReason reason, mqtt::ReasonCode reasonCode, const QString &detail);
    void onSubscribed(quint16 packetId, const QList<mqtt::ReasonCode> &reasonCodes);
    void onPublished(quint16 packetId, mqtt::ReasonCode reasonCode);
    void onMessage(const mqtt::Publish &publish);
    /// The channel's answer to the request in progress as a result with an exit code.
    AdminResult resultOf(const AdminAnswer &answer) const;

    ConnectionSettings m_settings;
    QString m_clientId;
    MqttClient m_client;
    AdminChannel m_channel;
    QEventLoop *m_loop = nullptr; ///< the loop of the blocking call in progress, if any
    Waiting m_waiting = Waiting::Nothing;
    AdminResult m_outcome;
    QString m_method;             ///< the request in progress, for messages
    int m_subscribePacketId = -1;
    bool m_connected = false;
};

} // namespace hermes::cli
