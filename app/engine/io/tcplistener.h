#pragma once
/// A QTcpServer that hands out accepted descriptors instead of QTcpSockets.

#include <QTcpServer>

namespace hermes {

/// QTcpServer::nextPendingConnection() wraps every client in a buffered QTcpSocket (two
/// QSocketNotifiers, a socket engine, 16 KiB read and write chunks: ~20 kB of RSS per idle
/// client). The broker's plain listeners take the descriptor and let Connection own it.
/// Whoever receives descriptorAccepted() owns the descriptor and must close it.
class TcpListener : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;

signals:
    /// A connection was accepted; the receiver owns `descriptor`.
    void descriptorAccepted(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override;
};

} // namespace hermes
