#pragma once
/// Who a connecting client is: accounts (config file and stored), passwords, the client IDs
/// an account may use, anonymous clients, and identities proven by the transport (a Unix
/// socket's peer credentials, a TLS client certificate).

#include "accesscontrol.h"
#include "engine/brokerconfig.h"
#include "engine/io/peercredentials.h"

#include <QHash>
#include <QSslCertificate>
#include <QSet>
#include <QStringList>

#include <optional>
#include <variant>

namespace hermes {

/// What the transport proved about a client before its CONNECT.
struct TransportIdentity {
    std::optional<PeerCredentials> unixPeer; ///< connected through a Unix-socket listener
    QString certificateName;                 ///< TLS client certificate's CN or SAN (use_identity_as_username)
    bool operator==(const TransportIdentity &) const = default;
};

/// The name a verified client certificate stands for: its subject CN, else its first DNS
/// or e-mail SAN; empty when it has none.
QString certificateIdentity(const QSslCertificate &certificate);

/// One CONNECT's claims.
struct LoginRequest {
    QString clientId;
    std::optional<QString> userName;
    std::optional<QByteArray> password;
    bool fromLoopback = false;
    TransportIdentity transport;
};

enum class LoginRefusal {
    BadCredentials,       ///< unknown user or wrong password (indistinguishable, also in time)
    ClientIdNotPermitted, ///< the account (or an anonymous client) may not use this client ID
    AnonymousNotAllowed,  ///< no user name, and allow_anonymous does not admit this client
};

class Authenticator
{
public:
    struct AccountEntry {
        Account account;
        bool fromConfig = false; ///< defined in the config file: read-only through the API
    };

    Authenticator(const AccessSettings &settings, QString localAdminGroup);

    /// Replaces the config file's accounts and the anonymous policy (SIGHUP). Stored
    /// accounts stay, except where the file now defines the same name.
    void configure(const AccessSettings &settings);
    /// Adds accounts loaded from the store (a config-file account of the same name wins).
    void addStoredAccounts(const QList<Account> &accounts);

    QList<AccountEntry> accounts() const;
    std::optional<Account> account(const QString &userName) const;
    bool isFromConfig(const QString &userName) const { return m_configAccounts.contains(userName); }
    /// Adds or replaces a stored account (the caller checked it is not a config account).
    void setStoredAccount(const Account &account);
    /// False when there was no such account.
    bool removeStoredAccount(const QString &userName);

    /// Decides a CONNECT. Costs one PBKDF2 derivation whenever a password is checked, for
    /// an unknown user as much as for a known one, unless that user's password was verified
    /// before (a reconnect storm must not cost a derivation per device).
    std::variant<ClientIdentity, LoginRefusal> login(const LoginRequest &request);
    /// Is `identity` (admitted earlier) still valid with the current accounts? The updated
    /// identity (a changed role), or nullopt when its account is gone or no longer permits
    /// its client ID.
    std::optional<ClientIdentity> recheck(const ClientIdentity &identity, const TransportIdentity &transport,
                                          bool fromLoopback) const;

private:
    /// The identity's role, or why it may not connect: everything but the password.
    std::variant<ClientIdentity, LoginRefusal> decide(ClientIdentity identity, const TransportIdentity &transport,
                                                      bool fromLoopback) const;
    bool verifyPassword(const Account &account, const QByteArray &password);
    /// Client IDs claimed by accounts, which anonymous clients may not use.
    bool isClaimed(const QString &clientId) const;
    void rebuild();

    AccessSettings m_settings;
    QString m_localAdminGroup;
    uid_t m_ownUid;
    QHash<QString, Account> m_accounts;
    QSet<QString> m_configAccounts;
    QHash<QString, QByteArray> m_verifiedDigests; ///< user → SHA-256(salt + password)
    QSet<QString> m_claimedIds;                   ///< literal client IDs bound to accounts
    QStringList m_claimedPatterns;                ///< wildcard patterns bound to accounts
    /// Verified instead when the user is unknown, with the accounts' typical iteration
    /// count, so that the answer takes as long as for a wrong password. Made for the first
    /// unknown user, not at configuration: one derivation takes 0.1-0.3 s, and a broker
    /// (re)start must not wait for it.
    PasswordHash m_decoy;
    int m_decoyIterations = PasswordHash::DefaultIterations;
};

} // namespace hermes
