#include "peercredentials.h"

#include <QByteArray>
#include <QList>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hermes {

std::optional<PeerCredentials> PeerCredentials::of(int descriptor)
{
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(descriptor, reinterpret_cast<sockaddr *>(&local), &length) != 0 || local.ss_family != AF_UNIX)
        return std::nullopt;
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (::getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0)
        return std::nullopt;
    return PeerCredentials{credentials.pid, credentials.uid, credentials.gid};
}

namespace {

QByteArray userNameOf(uid_t uid)
{
    passwd entry{};
    passwd *found = nullptr;
    QByteArray buffer(16384, Qt::Uninitialized);
    if (::getpwuid_r(uid, &entry, buffer.data(), size_t(buffer.size()), &found) != 0 || !found)
        return {};
    return QByteArray(found->pw_name);
}

} // namespace

QString PeerCredentials::toString() const
{
    const QByteArray name = userNameOf(uid);
    return name.isEmpty() ? QStringLiteral("uid %1").arg(uid)
                          : QStringLiteral("uid %1 (%2)").arg(uid).arg(QString::fromLocal8Bit(name));
}

bool isLocalAdministrator(const PeerCredentials &peer, const QString &adminGroup, uid_t brokerUid)
{
    if (peer.uid == 0 || peer.uid == brokerUid)
        return true;
    if (adminGroup.isEmpty())
        return false;
    group entry{};
    group *found = nullptr;
    QByteArray buffer(16384, Qt::Uninitialized);
    if (::getgrnam_r(adminGroup.toLocal8Bit().constData(), &entry, buffer.data(), size_t(buffer.size()), &found) != 0
        || !found)
        return false;
    const gid_t adminGid = found->gr_gid;
    if (peer.gid == adminGid)
        return true;
    // Supplementary groups: the peer's user as the group database lists it. SO_PEERCRED
    // carries only the primary group.
    const QByteArray user = userNameOf(peer.uid);
    if (user.isEmpty())
        return false;
    int count = 64;
    QList<gid_t> groups(count);
    if (::getgrouplist(user.constData(), peer.gid, groups.data(), &count) < 0) {
        groups.resize(count);
        if (::getgrouplist(user.constData(), peer.gid, groups.data(), &count) < 0)
            return false;
    }
    groups.resize(count);
    return groups.contains(adminGid);
}

} // namespace hermes
