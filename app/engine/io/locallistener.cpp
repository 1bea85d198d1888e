#include "locallistener.h"

#include <QFileInfo>
#include <QMetaMethod>

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace hermes {

namespace {

/// True when something accepts connections on the socket file at `path`.
bool isAnswering(const QByteArray &path)
{
    const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.constData(), sizeof address.sun_path - 1);
    const bool answering = ::connect(probe, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0;
    ::close(probe);
    return answering;
}

} // namespace

bool LocalListener::listenOn(const QString &path, const QString &group)
{
    const QByteArray native = QFileInfo(path).absoluteFilePath().toLocal8Bit();
    if (native.size() >= qsizetype(sizeof(sockaddr_un::sun_path))) {
        m_problem = QStringLiteral("the path is longer than a Unix socket allows");
        return false;
    }
    if (QFileInfo::exists(path)) {
        if (isAnswering(native)) {
            m_problem = QStringLiteral("another process is listening there");
            return false;
        }
        removeServer(path);
    }
    // Qt binds in a private directory and moves the socket into place with owner and group
    // access only, so the file is never reachable with looser permissions.
    setSocketOptions(QLocalServer::UserAccessOption | QLocalServer::GroupAccessOption);
    if (!listen(path)) {
        m_problem = errorString();
        return false;
    }
    // Qt leaves it 0770; execute means nothing on a socket.
    (void)::chmod(native.constData(), 0660);
    if (!group.isEmpty()) {
        if (const ::group *entry = ::getgrnam(group.toLocal8Bit().constData()))
            (void)::chown(native.constData(), uid_t(-1), entry->gr_gid); // only root or a member may
    }
    return true;
}

void LocalListener::incomingConnection(quintptr descriptor)
{
    if (!isSignalConnected(QMetaMethod::fromSignal(&LocalListener::descriptorAccepted))) {
        ::close(int(descriptor)); // nobody to own it
        return;
    }
    emit descriptorAccepted(qintptr(descriptor));
}

} // namespace hermes
