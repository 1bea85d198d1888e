#pragma once
/// Who may connect (accounts with salted PBKDF2 password hashes) and what each client may
/// publish and subscribe to (ACL rules with %c and %u substitution).

#include "role.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace hermes {

/// "pbkdf2-sha256$ITERATIONS$SALT_BASE64$HASH_BASE64": the stored form of a password.
struct PasswordHash {
    /// Below the minimum a stolen store is cheap to crack; above the maximum one login
    /// costs the broker seconds of CPU (a denial of service by configuration).
    static constexpr int MinIterations = 10000;
    static constexpr int MaxIterations = 10000000;
    static constexpr int DefaultIterations = 100000;

    int iterations = 0;
    QByteArray salt;
    QByteArray hash;

    /// A new hash with a random 16-byte salt.
    static PasswordHash create(const QByteArray &password, int iterations = DefaultIterations);
    static std::optional<PasswordHash> parse(const QString &text);
    QString toString() const;
    /// Constant-time comparison of the derived key.
    bool verify(const QByteArray &password) const;
    bool operator==(const PasswordHash &) const = default;
};

struct Account {
    QString userName;
    Role role = Role::Device;
    PasswordHash password;
    /// The client IDs this account may use: a literal or a '*' glob ("dev-a-*"). Empty: a
    /// device may use only its user name, an operator any ID.
    QString clientIdPattern;
    bool operator==(const Account &) const = default;

    /// May a client logged in as this account use `clientId`?
    bool permitsClientId(const QString &clientId) const;
    /// Whether the account binds client IDs at all (devices always; operators when a
    /// pattern is given).
    bool bindsClientId() const { return role == Role::Device || !clientIdPattern.isEmpty(); }
    /// The effective pattern: clientIdPattern, or the user name for a device.
    QString effectiveClientIdPattern() const;
};

/// Compares every byte, so the time taken says nothing about where two secrets differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

/// Matches a client ID against a pattern in which '*' stands for any run of characters.
bool clientIdMatches(const QString &pattern, const QString &clientId);

enum class Access { Read = 1, Write = 2, ReadWrite = 3 };

/// One ACL line: who it is for (a role, or one user), what access, and a topic filter in
/// which %c stands for the client ID and %u for the user name.
struct AccessRule {
    std::optional<Role> role;     ///< for every client of this role…
    QString userName;             ///< …or, when set, for this user only
    Access access = Access::ReadWrite;
    QString filter;

    /// Parses "device readwrite devices/%c/#" or "user:alice read telemetry/#".
    static std::optional<AccessRule> parse(const QString &text, QString *problem = nullptr);
    bool operator==(const AccessRule &) const = default;
};

/// The identity a connection was admitted with. %c in ACL rules is only ever replaced by a
/// client ID the broker has vouched for: an account's own, a certificate's, or (anonymous
/// clients) one that no account claims.
struct ClientIdentity {
    QString clientId;
    QString userName; ///< empty when anonymous
    Role role = Role::Device;
};

/// Decides publish and subscribe permissions. Operators may do anything; everyone else gets
/// the default device rules plus the configured ones.
class AccessControl
{
public:
    /// The built-in device rules: subscribe to devices/%c/#, publish devices/%c/receipt,
    /// devices/%c/register and devices/%c/state.
    static QList<AccessRule> defaultDeviceRules();

    explicit AccessControl(QList<AccessRule> extraRules = {});

    /// May `client` publish to `topic`?
    bool mayPublish(const ClientIdentity &client, const QString &topic) const;
    /// May `client` subscribe to `filter`? Only when every topic the filter can match is
    /// readable, so no message ever needs a per-delivery check. A shared subscription is
    /// judged by its inner filter.
    bool maySubscribe(const ClientIdentity &client, const QString &filter) const;

    /// True when every topic matching `filter` also matches `pattern` (both valid filters).
    static bool covers(const QString &pattern, const QString &filter);

private:
    QList<AccessRule> rulesFor(const ClientIdentity &client, Access needed) const;
    static QString substitute(const QString &filter, const ClientIdentity &client);

    QList<AccessRule> m_rules;
};

} // namespace hermes
