#pragma once
/// The admin API's client side (docs/ADMIN-API.md) for a command-line tool: one MQTT 5
/// connection, requests with Response Topic and Correlation Data, and blocking calls that
/// run a local event loop until the answer, an error or the deadline.

#include "commands.h"

#include "engine/mqttclient.h"

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
    static constexpr QLatin1StringView MethodPrefix{"$hermes/admin/v1/"};
    static constexpr QLatin1StringView ReplyPrefix{"$hermes/admin/v1/replies/"};

    explicit AdminClient(ConnectionSettings settings, QObject *parent = nullptr);
    ~AdminClient() override;

    /// Connects (MQTT 5, clean start) and subscribes to the reply topic; blocks.
    AdminResult open();
    /// Calls `method` ("sessions/list") and waits for its answer; blocks. open() first.
    AdminResult call(const QString &method, const QJsonObject &arguments = {});
    /// DISCONNECT and close.
    void close();

    QString clientId() const { return m_clientId; }
    QString replyTopic() const { return QString(ReplyPrefix) + m_clientId; }

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

    ConnectionSettings m_settings;
    QString m_clientId;
    MqttClient m_client;
    QEventLoop *m_loop = nullptr; ///< the loop of the blocking call in progress, if any
    Waiting m_waiting = Waiting::Nothing;
    AdminResult m_outcome;
    QString m_method;             ///< the request in progress, for messages
    int m_packetId = -1;          ///< of the SUBSCRIBE or the request in progress
    QByteArray m_correlation;     ///< of the request in progress
    quint64 m_requests = 0;
    bool m_connected = false;
};

} // namespace hermes::cli
