#pragma once
/// A Transport over a connected QTcpSocket: the TLS listeners' QSslSockets.

#include "engine/connection.h"

class QTcpSocket;

namespace hermes {

class SocketTransport final : public Transport
{
public:
    /// Takes ownership of a connected socket.
    explicit SocketTransport(QTcpSocket *socket);
    ~SocketTransport() override;

    void attach(Connection &connection) override;
    void write(const QByteArray &bytes) override;
    qsizetype bytesToWrite() const override;
    void closeAfterFlush() override;
    PeerAddress peerAddress() const override;

private:
    QTcpSocket *m_socket; ///< owned; null once closeAfterFlush() let it go
};

} // namespace hermes
