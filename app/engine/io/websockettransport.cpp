#include "websockettransport.h"

#include "engine/broker.h"

#include <QLoggingCategory>
#include <QWebSocket>
#include <QWebSocketServer>

Q_LOGGING_CATEGORY(lcWebSocket, "hermes.websocket")

namespace hermes {

namespace {

/// [MQTT-6.0.0-3]/[MQTT-6.0.0-4]: "mqtt" (MQTT 3.1.1 and 5); "mqttv3.1" is what MQTT 3.1
/// clients offer.
const QStringList &subprotocols()
{
    static const QStringList names{QStringLiteral("mqtt"), QStringLiteral("mqttv3.1")};
    return names;
}

int defaultPort(const QUrl &url)
{
    const QString scheme = url.scheme();
    return url.port(scheme == QLatin1String("https") || scheme == QLatin1String("wss") ? 443 : 80);
}

} // namespace

WebSocketTransport::WebSocketTransport(QWebSocket *socket)
    : m_socket(socket)
{
    m_socket->setParent(nullptr);
}

WebSocketTransport::~WebSocketTransport()
{
    if (m_socket) {
        // Nothing may reach the connection being deleted (abort() reports a disconnect).
        QObject::disconnect(m_socket, nullptr, m_socket, nullptr);
        m_socket->abort();
        delete m_socket;
    }
}

void WebSocketTransport::attach(Connection &connection)
{
    QObject::connect(m_socket, &QWebSocket::binaryFrameReceived, m_socket,
                     [&connection](const QByteArray &frame, bool) { connection.onTransportBytes(frame); });
    QObject::connect(m_socket, &QWebSocket::textFrameReceived, m_socket, [this, &connection] {
        qCInfo(lcWebSocket) << peerAddress().toString() << "sent a text frame; closing [MQTT-6.0.0-1]";
        connection.onTransportClosed(mqtt::CloseReason::ProtocolError);
    });
    QObject::connect(m_socket, &QWebSocket::disconnected, m_socket, [this, &connection] {
        const bool clean = m_socket->closeCode() == QWebSocketProtocol::CloseCodeNormal
            || m_socket->closeCode() == QWebSocketProtocol::CloseCodeGoingAway;
        connection.onTransportClosed(clean ? mqtt::CloseReason::PeerClosed : mqtt::CloseReason::SocketError);
    });
}

void WebSocketTransport::write(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->sendBinaryMessage(bytes);
}

qsizetype WebSocketTransport::bytesToWrite() const
{
    return m_socket ? qsizetype(m_socket->bytesToWrite()) : 0;
}

void WebSocketTransport::closeAfterFlush()
{
    QWebSocket *socket = std::exchange(m_socket, nullptr);
    if (!socket)
        return;
    QObject::disconnect(socket, nullptr, socket, nullptr);
    QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    socket->flush();
    socket->close(QWebSocketProtocol::CloseCodeNormal);
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

PeerAddress WebSocketTransport::peerAddress() const
{
    return m_socket ? PeerAddress(m_socket->peerAddress(), m_socket->peerPort()) : PeerAddress();
}

WebSocketListener::WebSocketListener(Broker &broker, WebSocketListenAddress address, QStringList allowedOrigins,
                                     QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_address(std::move(address))
    , m_allowedOrigins(std::move(allowedOrigins))
{
}

bool WebSocketListener::listen(const std::optional<QSslConfiguration> &tls, QString *error)
{
    m_server = new QWebSocketServer(QStringLiteral("hermes"),
                                    m_address.address.tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode,
                                    this);
    if (tls)
        m_server->setSslConfiguration(*tls);
    m_server->setSupportedSubprotocols(subprotocols());
    m_server->setHandshakeTimeout(std::chrono::seconds(10));
    m_server->setMaxPendingConnections(1024);
    if (!m_server->listen(m_address.address.host, m_address.address.port)) {
        *error = QStringLiteral("%1: %2").arg(m_address.toString(), m_server->errorString());
        return false;
    }
    m_address.address.port = m_server->serverPort();
    connect(m_server, &QWebSocketServer::newConnection, this, &WebSocketListener::acceptPending);
    connect(m_server, &QWebSocketServer::peerVerifyError, this,
            [](const QSslError &sslError) { qCInfo(lcWebSocket) << "TLS peer verification:" << sslError.errorString(); });
    qCInfo(lcWebSocket) << "listening on" << m_address.toString();
    return true;
}

void WebSocketListener::acceptPending()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        if (const QString why = refusal(*socket); !why.isEmpty()) {
            ++m_refused;
            qCInfo(lcWebSocket).noquote() << "refusing" << socket->peerAddress().toString() << why;
            const bool badProtocol = socket->subprotocol().isEmpty();
            // Owned by the listener until the peer has the close frame (or the broker stops
            // first); connected before close(), which may report the disconnect at once.
            socket->setParent(this);
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            socket->close(badProtocol ? QWebSocketProtocol::CloseCodeProtocolError : QWebSocketProtocol::CloseCodePolicyViolated, why);
            continue;
        }
        m_broker.acceptTransport(std::make_unique<WebSocketTransport>(socket), socket->peerAddress());
    }
}

QString WebSocketListener::refusal(const QWebSocket &socket) const
{
    if (socket.requestUrl().path() != m_address.path)
        return QStringLiteral("path %1 is not %2").arg(socket.requestUrl().path(), m_address.path);
    if (!subprotocols().contains(socket.subprotocol()))
        return QStringLiteral("no mqtt sub-protocol offered");
    if (!originAllowed(socket))
        return QStringLiteral("origin %1 is not allowed (ws_allowed_origins)").arg(socket.origin());
    return {};
}

bool WebSocketListener::originAllowed(const QWebSocket &socket) const
{
    const QString origin = socket.origin();
    // Clients that are not browsers send none (or one of their own making, which names
    // the server they connect to); a browser always sends the page's.
    if (origin.isEmpty() || m_allowedOrigins.contains(QStringLiteral("*")))
        return true;
    if (!m_allowedOrigins.isEmpty())
        return m_allowedOrigins.contains(origin, Qt::CaseInsensitive);
    const QUrl originUrl(origin);
    const QUrl requested = socket.requestUrl();
    return originUrl.host().compare(requested.host(), Qt::CaseInsensitive) == 0
        && defaultPort(originUrl) == defaultPort(requested);
}

bool installWebSocketListeners(Broker &broker, QList<WebSocketListener *> *listeners, QString *error)
{
    const WebSocketSettings &settings = broker.config().webSocket;
    std::optional<QSslConfiguration> tls;
    for (const WebSocketListenAddress &address : settings.listeners) {
        if (address.address.tls && !tls) {
            tls = broker.tlsConfiguration();
            if (!tls) {
                *error = QStringLiteral("%1: %2").arg(address.toString(), broker.errorString());
                break;
            }
        }
        auto *listener = new WebSocketListener(broker, address, settings.allowedOrigins, &broker);
        listeners->append(listener);
        if (!listener->listen(address.address.tls ? tls : std::nullopt, error))
            break;
    }
    if (error->isEmpty())
        return true;
    qDeleteAll(*listeners);
    listeners->clear();
    return false;
}

} // namespace hermes
