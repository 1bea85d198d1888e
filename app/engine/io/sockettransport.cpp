#include "sockettransport.h"

#include <QTcpSocket>

namespace hermes {

SocketTransport::SocketTransport(QTcpSocket *socket)
    : m_socket(socket)
{
    m_socket->setParent(nullptr);
    // Push traffic is many small packets: Nagle would hold each for up to 40 ms.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

SocketTransport::~SocketTransport()
{
    if (m_socket) {
        // Nothing may reach the connection being deleted (abort() reports a disconnect).
        QObject::disconnect(m_socket, nullptr, m_socket, nullptr);
        m_socket->abort();
        delete m_socket;
    }
}

void SocketTransport::attach(Connection &connection)
{
    // The socket is the context: the lambdas go with it (or when it is handed off).
    QObject::connect(m_socket, &QTcpSocket::readyRead, m_socket,
                     [this, &connection] { connection.onTransportBytes(m_socket->readAll()); });
    const auto gone = [this, &connection] {
        const bool peerClosed = m_socket->error() == QAbstractSocket::RemoteHostClosedError
            || m_socket->state() == QAbstractSocket::UnconnectedState;
        connection.onTransportClosed(peerClosed ? mqtt::CloseReason::PeerClosed : mqtt::CloseReason::SocketError);
    };
    QObject::connect(m_socket, &QTcpSocket::disconnected, m_socket, gone);
    QObject::connect(m_socket, &QTcpSocket::errorOccurred, m_socket, gone);
    if (m_socket->bytesAvailable() > 0)
        connection.onTransportBytes(m_socket->readAll());
}

void SocketTransport::write(const QByteArray &bytes)
{
    if (m_socket)
        m_socket->write(bytes);
}

qsizetype SocketTransport::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void SocketTransport::closeAfterFlush()
{
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    if (!socket)
        return;
    QObject::disconnect(socket, nullptr, socket, nullptr);
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->flush();
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

PeerAddress SocketTransport::peerAddress() const
{
    return m_socket ? PeerAddress(m_socket->peerAddress(), m_socket->peerPort()) : PeerAddress();
}

} // namespace hermes
