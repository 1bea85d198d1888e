#include "authenticator.h"

#include <QCryptographicHash>

#include <algorithm>

#include <unistd.h>

namespace hermes {

QString certificateIdentity(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    const QStringList commonNames = certificate.subjectInfo(QSslCertificate::CommonName);
    if (!commonNames.isEmpty() && !commonNames.constFirst().isEmpty())
        return commonNames.constFirst();
    const auto alternatives = certificate.subjectAlternativeNames();
    for (const QSsl::AlternativeNameEntryType type : {QSsl::DnsEntry, QSsl::EmailEntry}) {
        const QStringList names = alternatives.values(type);
        if (!names.isEmpty())
            return names.constFirst();
    }
    return {};
}

Authenticator::Authenticator(const AccessSettings &settings, QString localAdminGroup)
    : m_localAdminGroup(std::move(localAdminGroup))
    , m_ownUid(::getuid())
{
    configure(settings);
}

void Authenticator::configure(const AccessSettings &settings)
{
    for (const QString &name : std::as_const(m_configAccounts))
        m_accounts.remove(name);
    m_configAccounts.clear();
    m_settings = settings;
    for (const Account &account : std::as_const(m_settings.accounts)) {
        m_accounts.insert(account.userName, account);
        m_configAccounts.insert(account.userName);
    }
    // A changed hash must not be accepted through a digest of the old password.
    m_verifiedDigests.clear();
    rebuild();
}

void Authenticator::addStoredAccounts(const QList<Account> &accounts)
{
    for (const Account &account : accounts) {
        if (!m_configAccounts.contains(account.userName))
            m_accounts.insert(account.userName, account);
    }
    rebuild();
}

QList<Authenticator::AccountEntry> Authenticator::accounts() const
{
    QList<AccountEntry> entries;
    for (const Account &account : m_accounts)
        entries.append({account, m_configAccounts.contains(account.userName)});
    std::sort(entries.begin(), entries.end(),
              [](const AccountEntry &a, const AccountEntry &b) { return a.account.userName < b.account.userName; });
    return entries;
}

std::optional<Account> Authenticator::account(const QString &userName) const
{
    const auto found = m_accounts.constFind(userName);
    if (found == m_accounts.cend())
        return std::nullopt;
    return *found;
}

void Authenticator::setStoredAccount(const Account &account)
{
    m_accounts.insert(account.userName, account);
    m_verifiedDigests.remove(account.userName); // the old password must not pass any more
    rebuild();
}

bool Authenticator::removeStoredAccount(const QString &userName)
{
    if (!m_accounts.remove(userName))
        return false;
    m_verifiedDigests.remove(userName);
    rebuild();
    return true;
}

void Authenticator::rebuild()
{
    m_claimedIds.clear();
    m_claimedPatterns.clear();
    QList<int> iterations;
    for (const Account &account : std::as_const(m_accounts)) {
        iterations.append(account.password.iterations);
        if (!account.bindsClientId())
            continue;
        const QString pattern = account.effectiveClientIdPattern();
        if (pattern.contains(QLatin1Char('*')))
            m_claimedPatterns.append(pattern);
        else
            m_claimedIds.insert(pattern);
    }
    // The median: what most accounts cost, and never an outlier's ten million rounds for
    // every guessed user name.
    m_decoyIterations = PasswordHash::DefaultIterations;
    if (!iterations.isEmpty()) {
        std::nth_element(iterations.begin(), iterations.begin() + iterations.size() / 2, iterations.end());
        m_decoyIterations = iterations.at(iterations.size() / 2);
    }
}

bool Authenticator::isClaimed(const QString &clientId) const
{
    return m_claimedIds.contains(clientId)
        || std::any_of(m_claimedPatterns.cbegin(), m_claimedPatterns.cend(),
                       [&](const QString &pattern) { return clientIdMatches(pattern, clientId); });
}

bool Authenticator::verifyPassword(const Account &account, const QByteArray &password)
{
    const QByteArray digest = QCryptographicHash::hash(account.password.salt + password, QCryptographicHash::Sha256);
    const auto cached = m_verifiedDigests.constFind(account.userName);
    if (cached != m_verifiedDigests.cend() && constantTimeEquals(digest, *cached))
        return true;
    if (!account.password.verify(password))
        return false;
    m_verifiedDigests.insert(account.userName, digest);
    return true;
}

std::variant<ClientIdentity, LoginRefusal> Authenticator::login(const LoginRequest &request)
{
    ClientIdentity claimed{request.clientId, {}, m_settings.anonymousRole};
    if (!request.transport.certificateName.isEmpty()) {
        // The certificate is the credential: its name is the user, no password is asked.
        claimed.userName = request.transport.certificateName;
    } else if (request.userName) {
        const std::optional<Account> account = this->account(*request.userName);
        const QByteArray password = request.password.value_or(QByteArray());
        // An unknown user costs the same derivation as a wrong password: the time taken
        // must not tell which user names exist.
        if (!account && m_decoy.iterations != m_decoyIterations)
            m_decoy = PasswordHash::create(QByteArrayLiteral("decoy"), m_decoyIterations);
        const bool verified = account ? verifyPassword(*account, password) && request.password.has_value()
                                      : (m_decoy.verify(password), false);
        if (!verified)
            return LoginRefusal::BadCredentials;
        claimed.userName = account->userName;
    }
    return decide(claimed, request.transport, request.fromLoopback);
}

std::optional<ClientIdentity> Authenticator::recheck(const ClientIdentity &identity,
                                                     const TransportIdentity &transport, bool fromLoopback) const
{
    const auto decision = decide(identity, transport, fromLoopback);
    if (const auto *admitted = std::get_if<ClientIdentity>(&decision))
        return *admitted;
    return std::nullopt;
}

std::variant<ClientIdentity, LoginRefusal> Authenticator::decide(ClientIdentity identity,
                                                                 const TransportIdentity &transport,
                                                                 bool fromLoopback) const
{
    if (!transport.certificateName.isEmpty()) {
        // A certificate without an account line is a device that may use only its own name
        // as client ID.
        const std::optional<Account> account = this->account(identity.userName);
        identity.role = account ? account->role : Role::Device;
        const bool permitted = account ? account->permitsClientId(identity.clientId)
                                       : identity.clientId == identity.userName;
        if (!permitted)
            return LoginRefusal::ClientIdNotPermitted;
        return identity;
    }
    if (!identity.userName.isEmpty()) {
        const std::optional<Account> account = this->account(identity.userName);
        if (!account)
            return LoginRefusal::BadCredentials;
        if (!account->permitsClientId(identity.clientId))
            return LoginRefusal::ClientIdNotPermitted;
        identity.role = account->role;
        return identity;
    }
    if (transport.unixPeer && isLocalAdministrator(*transport.unixPeer, m_localAdminGroup, m_ownUid)) {
        identity.role = Role::Operator;
        return identity;
    }
    // A Unix socket is as local as loopback: the loopback rule for anonymous clients applies.
    const bool local = fromLoopback || transport.unixPeer;
    const bool allowed = m_settings.allowAnonymous == AnonymousAccess::Always
        || (m_settings.allowAnonymous == AnonymousAccess::Loopback && local);
    if (!allowed)
        return LoginRefusal::AnonymousNotAllowed;
    identity.role = m_settings.anonymousRole;
    // An anonymous client choosing a device account's ID would gain that device's
    // devices/%c/… rights: such IDs are reserved for their accounts.
    if (identity.role != Role::Operator && isClaimed(identity.clientId))
        return LoginRefusal::ClientIdNotPermitted;
    return identity;
}

} // namespace hermes
