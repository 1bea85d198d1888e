#pragma once
/// Who is at the other end of a Unix-domain socket, and whether that makes them a local
/// administrator.

#include <QString>

#include <optional>

#include <sys/types.h>

namespace hermes {

/// The peer's credentials as the kernel recorded them at connect() (SO_PEERCRED): they
/// cannot be forged by the client.
struct PeerCredentials {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;

    /// SO_PEERCRED of a connected Unix-domain socket; nullopt for any other socket.
    static std::optional<PeerCredentials> of(int descriptor);
    /// "uid 1000 (alice)"
    QString toString() const;

    bool operator==(const PeerCredentials &) const = default;
};

/// True when `peer` may administer the broker without a password: root, the broker's own
/// user (`brokerUid`), or a member of `adminGroup` (primary or supplementary group). An
/// empty or unknown group grants nothing beyond root and the broker's user.
bool isLocalAdministrator(const PeerCredentials &peer, const QString &adminGroup, uid_t brokerUid);

} // namespace hermes
