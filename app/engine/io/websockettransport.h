#pragma once
/// MQTT over WebSocket (MQTT 5.0 §6): a Transport over a QWebSocket, and the listener that
/// accepts them (`listener_ws`, `listener_wss`).

#include "engine/brokerconfig.h"
#include "engine/io/connection.h"

#include <QObject>
#include <QSslConfiguration>

#include <optional>

class QWebSocket;
class QWebSocketServer;

namespace hermes {

class Broker;

/// Every binary frame's bytes go to the connection as they arrive, so MQTT packets split
/// across frames, or several in one frame, need nothing special: the SessionMachine frames
/// the byte stream as it does for TCP. Each write is one binary message. A text frame
/// closes the connection [MQTT-6.0.0-1].
class WebSocketTransport final : public Transport
{
public:
    /// Takes ownership of an open socket.
    explicit WebSocketTransport(QWebSocket *socket);
    ~WebSocketTransport() override;

    void attach(Connection &connection) override;
    void write(const QByteArray &bytes) override;
    qsizetype bytesToWrite() const override;
    void closeAfterFlush() override;
    PeerAddress peerAddress() const override;

private:
    QWebSocket *m_socket; ///< owned; null once closeAfterFlush() let it go
};

/// One `listener_ws`/`listener_wss`. After the handshake a connection is refused (closed
/// with 1008 or 1002, before any MQTT byte) when its path is not the listener's, when it did
/// not offer the `mqtt` (or `mqttv3.1`) sub-protocol, or when its Origin is not allowed
/// (WebSocketSettings::allowedOrigins). Accepted ones become broker connections like TCP
/// ones: same limits, sessions, keep-alive and ACL.
class WebSocketListener : public QObject
{
    Q_OBJECT
public:
    WebSocketListener(Broker &broker, WebSocketListenAddress address, QStringList allowedOrigins,
                      QObject *parent = nullptr);

    /// False with `error` ("ws://127.0.0.1:8083/mqtt: The bound address is already in use").
    bool listen(const std::optional<QSslConfiguration> &tls, QString *error);
    /// With the port actually bound.
    WebSocketListenAddress address() const { return m_address; }
    quint64 refusedHandshakes() const { return m_refused; }

private:
    void acceptPending();
    /// Why `socket` may not speak MQTT here, or empty.
    QString refusal(const QWebSocket &socket) const;
    bool originAllowed(const QWebSocket &socket) const;

    Broker &m_broker;
    WebSocketListenAddress m_address;
    QStringList m_allowedOrigins;
    QWebSocketServer *m_server = nullptr; ///< child
    quint64 m_refused = 0;
};

/// Opens every listener in config().webSocket (children of `broker`). On failure returns
/// false with `error` and leaves none open.
bool installWebSocketListeners(Broker &broker, QList<WebSocketListener *> *listeners, QString *error);

} // namespace hermes
