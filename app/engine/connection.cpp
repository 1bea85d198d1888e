#include "connection.h"

#include "broker.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcConnection, "hermes.connection")

namespace hermes {

using namespace mqtt;

Connection::Connection(QTcpSocket *socket, Broker &broker, const ServerLimits &limits, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_socket(socket)
    , m_machine(limits)
{
    m_socket->setParent(this);
    // Push traffic is many small packets: Nagle would hold each for up to 40 ms.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_peerAddress = QStringLiteral("%1:%2").arg(m_socket->peerAddress().toString()).arg(m_socket->peerPort());
    m_fromLoopback = m_socket->peerAddress().isLoopback();
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer); // keep-alive closes at 1.5 T, not 1.5 T + 5 %
    connect(&m_timer, &QTimer::timeout, this, &Connection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &Connection::onSocketGone);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &Connection::onSocketGone);
}

Connection::~Connection()
{
    if (m_socket)
        m_socket->abort();
}

void Connection::start()
{
    apply(m_machine.start(m_broker.now()));
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void Connection::onReadyRead()
{
    if (m_closed)
        return;
    const QByteArray bytes = m_socket->readAll();
    m_broker.countBytesReceived(bytes.size());
    apply(m_machine.onBytes(bytes, m_broker.now()));
}

void Connection::onTimeout()
{
    if (!m_closed)
        apply(m_machine.onTimerFired(m_timerKind, m_broker.now()));
}

void Connection::onSocketGone()
{
    if (m_closed)
        return;
    const CloseReason why = m_socket->error() == QAbstractSocket::RemoteHostClosedError
            || m_socket->state() == QAbstractSocket::UnconnectedState
        ? CloseReason::PeerClosed
        : CloseReason::SocketError;
    apply(m_machine.socketClosed(why, m_broker.now()));
}

void Connection::releaseHeldOutput()
{
    if (m_socket && !m_heldOutput.isEmpty())
        m_socket->write(m_heldOutput);
    m_heldOutput.clear();
}

void Connection::apply(Actions actions)
{
    ++m_applyDepth;
    for (Action &action : actions) {
        if (m_closed)
            break;
        std::visit(
            [this](auto &&a) {
                using T = std::decay_t<decltype(a)>;
                if constexpr (std::is_same_v<T, SendPacket>) {
                    execute(a);
                } else if constexpr (std::is_same_v<T, ArmTimer>) {
                    m_timerKind = a.kind;
                    m_timer.start(std::chrono::milliseconds(std::max<qint64>(0, a.after.count())));
                } else if constexpr (std::is_same_v<T, CancelTimer>) {
                    if (m_timerKind == a.kind)
                        m_timer.stop();
                } else if constexpr (std::is_same_v<T, PacketReceived>) {
                    m_broker.onPacketReceived(*this, a);
                } else if constexpr (std::is_same_v<T, ConnectRequested>) {
                    m_broker.onConnectRequested(*this, a.connect);
                } else if constexpr (std::is_same_v<T, SubscribeRequested>) {
                    m_broker.onSubscribeRequested(*this, a.subscribe);
                } else if constexpr (std::is_same_v<T, UnsubscribeRequested>) {
                    m_broker.onUnsubscribeRequested(*this, a.unsubscribe);
                } else if constexpr (std::is_same_v<T, DeliverMessage>) {
                    m_broker.onMessageFromClient(*this, std::move(a.publish));
                } else if constexpr (std::is_same_v<T, MessageCompleted>) {
                    m_broker.onMessageCompleted(*this, a);
                } else if constexpr (std::is_same_v<T, MessageDropped>) {
                    m_broker.onMessageDropped(*this, a);
                } else if constexpr (std::is_same_v<T, AuthReceived>) {
                    // Enhanced authentication is not offered (no method is advertised), so
                    // an AUTH packet is a protocol error [MQTT-4.12.0-1].
                    apply(m_machine.disconnect(ReasonCode::ProtocolError, CloseReason::ProtocolError,
                                               m_broker.now()));
                } else if constexpr (std::is_same_v<T, CloseConnection>) {
                    close(a);
                }
            },
            action);
    }
    --m_applyDepth;
}

void Connection::execute(const SendPacket &send)
{
    if (!m_socket)
        return;
    // The broker records what this packet changes first (e.g. a PUBREL's stage); then the
    // output gate: while the store holds uncommitted writes, nothing leaves that could
    // promise more than the disk holds — an ack, a PUBREL, a PUBCOMP, a persistent
    // session's PUBLISH. Later packets queue behind held ones, so order is kept.
    m_broker.onPacketSent(*this, send);
    if (m_broker.mustHoldOutput() || !m_heldOutput.isEmpty()) {
        if (m_heldOutput.isEmpty())
            m_broker.holdUntilCommit(*this);
        m_heldOutput += send.bytes;
        return;
    }
    m_socket->write(send.bytes);
}

void Connection::close(const CloseConnection &close)
{
    m_closed = true;
    m_timer.stop();
    // What was held (a DISCONNECT with its reason, acks) goes out once it is safe: commit
    // now rather than close with it unsent.
    if (!m_heldOutput.isEmpty())
        m_broker.commitNow();
    m_heldOutput.clear();
    qCDebug(lcConnection) << m_peerAddress << "closing:" << int(close.reason) << close.detail;
    // Flush what is queued (a CONNACK or DISCONNECT explaining the close), then close. The
    // socket leaves this object so that deleting the connection cannot cut the flush short.
    disconnect(m_socket, nullptr, this, nullptr);
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->setParent(nullptr);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // Hand the last bytes to the kernel now: a broker shutting down may not run its event
    // loop again.
    socket->flush();
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
    m_broker.onConnectionClosed(*this, close);
}

} // namespace hermes
