#pragma once
/// Hermes's own MQTT client: a QTcpSocket, a ClientMachine and one QTimer, on the thread the
/// object lives in. Light enough for the simulator to run 10,000 of them in one process.

#include "engine/brokeraddress.h"

#include "mqtt/clientmachine.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <array>
#include <optional>

class QSslError;
class QTcpSocket;

namespace hermes {

/// Everything needed to open one MQTT connection.
struct ClientOptions {
    /// How bytes travel: plain TCP, or TLS (a QSslSocket, which is a QTcpSocket, so nothing
    /// past MqttClient::createSocket() changes).
    enum class Transport : quint8 { Tcp, Tls };

    /// What TLS trusts and presents, PEM files. Empty caFile: the system's CAs.
    using Tls = ClientTlsSettings;

    QString host = QStringLiteral("127.0.0.1"); ///< the broker
    quint16 port = 1883;
    /// When set, the broker's Unix-domain socket at this path instead of host and port.
    QString localPath;
    /// When set, the TCP connection goes here instead (the simulator's NAT relay), which
    /// forwards to the broker. The broker address above stays for display.
    QString relayHost;
    quint16 relayPort = 0;
    /// Local address to bind before connecting (null = any): more source addresses give
    /// more ephemeral ports when thousands of clients target one broker port.
    QHostAddress localAddress;
    Transport transport = Transport::Tcp; ///< ignored with localPath
    Tls tls; ///< with Transport::Tls
    /// Bounds the TCP connect and the TLS handshake; the CONNACK has its own timeout in `machine`.
    std::chrono::milliseconds tcpConnectTimeout = std::chrono::seconds(10);

    /// version, clientId, cleanStart, keepAliveSeconds, credentials, will, properties.
    mqtt::Connect connect;
    /// CONNACK/PINGRESP timeouts, automatic pinging, local queue bounds.
    mqtt::client::ClientConfig machine;

    /// The broker as brokerAddress() names it.
    QString address() const;
    /// Transport::Tls with `settings` when set, else Transport::Tcp.
    void setTls(const std::optional<Tls> &settings);
};

/// Connects to a broker and speaks MQTT 3.1, 3.1.1 or 5.0 through a ClientMachine. Every
/// socket and timer callback ends in apply(actions) (STYLE.md R7). Do not delete it from
/// one of its own signals; use deleteLater().
class MqttClient : public QObject
{
    Q_OBJECT
public:
    enum class State : quint8 {
        Disconnected,
        Connecting, ///< TCP connect or CONNECT sent, CONNACK awaited
        Connected,
    };
    Q_ENUM(State)

    explicit MqttClient(QObject *parent = nullptr);
    explicit MqttClient(ClientOptions options, QObject *parent = nullptr);
    ~MqttClient() override;

    const ClientOptions &options() const { return m_options; }
    /// Takes effect at the next connectToBroker().
    void setOptions(const ClientOptions &options) { m_options = options; }
    void setHost(const QString &host) { m_options.host = host; }
    void setPort(quint16 port) { m_options.port = port; }
    /// Connect through host:port (the NAT relay) instead of the broker itself; empty host
    /// or port 0 connects directly.
    void setRelay(const QString &host, quint16 port);
    void setClientId(const QString &clientId) { m_options.connect.clientId = clientId; }
    void setProtocolVersion(mqtt::ProtocolVersion version) { m_options.connect.version = version; }
    void setKeepAlive(quint16 seconds) { m_options.connect.keepAliveSeconds = seconds; }
    void setCleanStart(bool cleanStart) { m_options.connect.cleanStart = cleanStart; }
    void setCredentials(const QString &userName, const QByteArray &password);
    void setWill(const std::optional<mqtt::Will> &will) { m_options.connect.will = will; }
    void setConnectProperties(const mqtt::Properties &properties);
    /// Automatic PINGREQ after keep-alive T of send silence; also applies to a live connection.
    void setAutoPing(bool enabled);

    State state() const { return m_state; }
    /// The live connection's machine (null while disconnected): keep-alive, capabilities…
    const mqtt::ClientMachine *machine() const;
    /// Client session kept between connections (in flight, queued, QoS 2 awaiting PUBREL).
    const mqtt::client::SessionState &session() const;

    /// Opens the TCP connection (to the relay when set), with Transport::Tls the TLS
    /// handshake on it, then sends CONNECT. A connection still open is dropped first. TLS
    /// files that cannot be read, and a handshake that fails, end it with
    /// CloseReason::TlsFailed and a message naming the file or the certificate problem;
    /// certificate errors are never ignored.
    void connectToBroker();
    /// DISCONNECT with `reason` (v5; 0x04 asks the broker to publish the Will), then close.
    void disconnectFromBroker(mqtt::ReasonCode reason = mqtt::ReasonCode::NormalDisconnection,
                              const mqtt::Properties &properties = {});
    /// Drops the TCP connection without DISCONNECT, as a crashing device would (the broker
    /// publishes the Will).
    void abort();

    /// Publishes; returns the packet id (0 for QoS 0) or -1 when refused (errorOccurred
    /// says why). Before the CONNACK, or beyond the server's Receive Maximum, the message
    /// waits locally.
    int publish(const QString &topic, const QByteArray &payload,
                mqtt::QoS qos = mqtt::QoS::AtMostOnce, bool retain = false,
                const mqtt::Properties &properties = {});
    int publish(const mqtt::Publish &publish);
    /// SUBSCRIBE; returns the packet id or -1. subscribed() answers.
    int subscribe(const QString &filter, mqtt::QoS qos = mqtt::QoS::AtMostOnce);
    int subscribe(const QList<mqtt::TopicSubscription> &subscriptions,
                  const mqtt::Properties &properties = {});
    /// UNSUBSCRIBE; returns the packet id or -1. unsubscribed() answers.
    int unsubscribe(const QStringList &filters, const mqtt::Properties &properties = {});
    /// Manual heartbeat: PINGREQ now; pong() answers. False when not connected or a
    /// PINGREQ is still outstanding.
    bool ping();
    /// AUTH (v5 enhanced authentication).
    void sendAuth(const mqtt::Auth &auth);

signals:
    void stateChanged(hermes::MqttClient::State state);
    void connected(bool sessionPresent, const hermes::mqtt::Connack &connack);
    /// Every end of a connection, including a refused CONNECT, a failed TCP connect or TLS handshake.
    void disconnected(hermes::mqtt::client::CloseReason reason, hermes::mqtt::ReasonCode reasonCode,
                      const QString &detail);
    void messageReceived(const hermes::mqtt::Publish &publish);
    /// A QoS 1/2 message finished (PUBACK, PUBCOMP, failed PUBREC, or discarded).
    void published(quint16 packetId, hermes::mqtt::ReasonCode reasonCode);
    void subscribed(quint16 packetId, const QList<hermes::mqtt::ReasonCode> &reasonCodes);
    void unsubscribed(quint16 packetId, const QList<hermes::mqtt::ReasonCode> &reasonCodes);
    void pong(qint64 rttMs);
    void authReceived(const hermes::mqtt::Auth &auth);
    /// Socket errors, refused CONNECTs, refused requests; human-readable.
    void errorOccurred(const QString &message);
    /// Every packet in and out, only while packet tracing (ClientConfig::reportPackets) is on.
    void packetReceived(const hermes::mqtt::Packet &packet);
    void packetSent(const hermes::mqtt::Packet &packet);

private:
    void apply(mqtt::client::Actions actions);
    void onSocketConnected();
    void onTlsErrors(const QList<QSslError> &errors);
    void onReadyRead();
    void onSocketError();
    void onSocketDisconnected();
    void onTimeout();
    /// errorOccurred(message), then the connection ends with `reason` and `message`.
    void fail(mqtt::client::CloseReason reason, const QString &message);
    /// The TLS failure a socket error before the CONNACK means; empty for other errors.
    QString tlsFailure() const;
    /// The name the broker's certificate must carry.
    QString tlsPeerName() const;
    void closed(const mqtt::client::Closed &closed);
    void retireSocket(bool flush);
    void reschedule();
    int submitted(mqtt::client::Submission submission, const char *what);
    void setState(State state);
    /// A QTcpSocket, or a QSslSocket with Transport::Tls; null with `problem` when the
    /// TLS files cannot be read.
    QTcpSocket *createSocket(QString *problem);
    /// Connects m_socket to m_options.localPath; false with errorOccurred() on failure.
    bool connectLocal();
    static mqtt::Timestamp now();

    /// The machine's three timers plus the TCP connect deadline, multiplexed on one QTimer.
    static constexpr int TcpConnectSlot = mqtt::client::TimerKindCount;
    using Deadlines = std::array<std::optional<mqtt::Timestamp>, TcpConnectSlot + 1>;

    ClientOptions m_options;
    std::optional<mqtt::ClientMachine> m_machine;
    mqtt::client::SessionState m_session; ///< between connections
    QTcpSocket *m_socket = nullptr;       ///< child of this, one per connection
    QTimer m_timer;
    Deadlines m_deadlines;
    std::optional<mqtt::Timestamp> m_timerDue; ///< when m_timer fires, while active
    State m_state = State::Disconnected;
    quint64 m_generation = 0; ///< bumped per connection; stale actions stop applying
    /// TLS: TCP is up, the handshake is not finished.
    bool m_handshaking = false;
    /// TLS: why the broker's certificate was refused, or the fatal alert the broker sent,
    /// for the socket error that follows.
    QString m_certificateProblem;
    QString m_brokerAlert;
};

} // namespace hermes
