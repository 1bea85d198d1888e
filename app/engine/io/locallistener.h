#pragma once
/// A Unix-domain socket listener for local administration (`listener unix:PATH`).

#include <QLocalServer>

#include <sys/types.h>

namespace hermes {

/// Hands out accepted descriptors, like TcpListener, so the broker's Connection owns them.
/// The socket file is created mode 0660 and given to the admin group when it exists: only
/// root, the broker's user and that group can connect, and the broker checks each peer's
/// credentials again (SO_PEERCRED).
class LocalListener : public QLocalServer
{
    Q_OBJECT
public:
    using QLocalServer::QLocalServer;

    /// Listens on `path`. A socket file left by a broker that died is replaced; one that
    /// still answers is an error ("in use"). `group` empty or unknown: the file keeps the
    /// process's group.
    bool listenOn(const QString &path, const QString &group);
    /// Why listenOn() failed.
    QString problem() const { return m_problem; }

signals:
    /// A connection was accepted; the receiver owns `descriptor`.
    void descriptorAccepted(qintptr descriptor);

protected:
    void incomingConnection(quintptr descriptor) override;

private:
    QString m_problem;
};

} // namespace hermes
