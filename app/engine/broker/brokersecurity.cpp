#include "brokersecurity.h"

#include "durabilitygate.h"
#include "router.h"
#include "sessionregistry.h"

#include "engine/io/connection.h"
#include "engine/store/store.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcBroker)

namespace hermes {

using namespace mqtt;

BrokerSecurity::BrokerSecurity(const BrokerConfig &config, DurabilityGate &gate, BrokerCounters &counters)
    : m_access(config.aclRules)
    , m_backoff(config.authBackoff)
    , m_authenticator(AccessSettings::from(config), config.localAdminGroup)
    , m_gate(gate)
    , m_counters(counters)
{
}

std::variant<ClientIdentity, ReasonCode> BrokerSecurity::login(const Connect &connect, const QString &clientId,
                                                               const Connection &connection, Timestamp at)
{
    // A user name must come with its password; without one, anonymous access depends on
    // where the client connects from.
    const TransportIdentity transport = m_transportIdentities.value(&connection);
    const bool checksPassword = connect.userName && transport.certificateName.isEmpty();
    const QHostAddress source = connection.peerAddress().host();
    // Guessing costs the guesser time, not the broker PBKDF2 rounds. v5: 0x9F; v3.x:
    // 3 Server unavailable.
    if (checksPassword && !m_backoff.mayAttempt(source, *connect.userName, at)) {
        ++m_counters.connectionsRefused;
        ++m_counters.authBackoffRefusals;
        return ReasonCode::ConnectionRateExceeded;
    }
    const auto login = m_authenticator.login(
        LoginRequest{clientId, connect.userName, connect.password, connection.isFromLoopback(), transport});
    if (const auto *refusal = std::get_if<LoginRefusal>(&login)) {
        ++m_counters.connectionsRefused;
        if (*refusal == LoginRefusal::BadCredentials) {
            m_backoff.recordFailure(source, *connect.userName, at);
            ++m_counters.authenticationFailures;
            qCInfo(lcBroker) << "authentication failed for user" << *connect.userName << "from"
                             << connection.peerAddress().toString();
            return ReasonCode::BadUserNameOrPassword;
        }
        if (*refusal == LoginRefusal::ClientIdNotPermitted) {
            // v5 0x85; 3.1.1 return code 2 Identifier rejected.
            ++m_counters.clientIdRefusals;
            qCWarning(lcBroker) << "refused client ID" << clientId << "for"
                                << (connect.userName ? *connect.userName : QStringLiteral("an anonymous client"))
                                << "from" << connection.peerAddress().toString();
            return ReasonCode::ClientIdentifierNotValid;
        }
        return ReasonCode::NotAuthorized;
    }
    if (checksPassword)
        m_backoff.recordSuccess(source, *connect.userName);
    const ClientIdentity identity = std::get<ClientIdentity>(login);
    // A Will is a publish made later on the client's behalf: it needs the same permission,
    // or a device could forge another device's push by disconnecting.
    if (connect.will && !m_access.mayPublish(identity, connect.will->topic)) {
        ++m_counters.accessDenials;
        ++m_counters.connectionsRefused;
        return ReasonCode::NotAuthorized;
    }
    return identity;
}

std::optional<ClientIdentity> BrokerSecurity::recheck(const Session &session) const
{
    const Connection *connection = session.connection;
    if (!connection)
        return std::nullopt;
    return m_authenticator.recheck(session.identity(), m_transportIdentities.value(connection),
                                   connection->isFromLoopback());
}

void BrokerSecurity::setTransportIdentity(const Connection *connection, TransportIdentity identity)
{
    m_transportIdentities.insert(connection, std::move(identity));
}

bool BrokerSecurity::setAccount(const Account &account, QString *error)
{
    if (m_authenticator.isFromConfig(account.userName)) {
        *error = QStringLiteral("account \"%1\" is defined in the config file; change it there").arg(account.userName);
        return false;
    }
    Store *store = m_gate.store();
    if (!store) {
        *error = QStringLiteral("persistence is off: accounts cannot be stored");
        return false;
    }
    m_authenticator.setStoredAccount(account);
    store->saveAccount(account);
    m_gate.scheduleCommit();
    return true;
}

bool BrokerSecurity::removeAccount(const QString &userName, QString *error)
{
    if (m_authenticator.isFromConfig(userName)) {
        *error = QStringLiteral("account \"%1\" is defined in the config file; remove it there").arg(userName);
        return false;
    }
    if (!m_authenticator.removeStoredAccount(userName)) {
        *error = QStringLiteral("no account \"%1\"").arg(userName);
        return false;
    }
    if (Store *store = m_gate.store()) {
        store->deleteAccount(userName);
        m_gate.scheduleCommit();
    }
    return true;
}

void BrokerSecurity::reload(const AccessSettings &settings)
{
    m_access = AccessControl(settings.aclRules);
    m_authenticator.configure(settings);
    if (Store *store = m_gate.store())
        m_authenticator.addStoredAccounts(store->loadAccounts());
}

QStringList BrokerSecurity::review(SessionRegistry &sessions, Router &router, const std::optional<QString> &userName)
{
    QStringList revoked;
    for (const auto &[id, session] : sessions.all()) {
        if (!session->connection || (userName && session->userName != *userName))
            continue;
        const std::optional<ClientIdentity> identity = recheck(*session);
        // A revoked client keeps nothing beyond a device's rights from here on; its
        // connection closes on a later turn, because this may run inside one of its own
        // requests (an operator removing its own account), whose handler still uses it.
        session->role = identity ? identity->role : Role::Device;
        session->dirty = true;
        dropForbiddenSubscriptions(*session, router);
        if (!identity)
            revoked.append(session->clientId);
    }
    return revoked;
}

void BrokerSecurity::dropForbiddenSubscriptions(Session &session, Router &router)
{
    // MQTT has no unsubscribe from the server side: a subscription the identity may no
    // longer hold just stops delivering.
    SubscriptionTree &subscriptions = router.subscriptions();
    Store *store = session.isPersistent() ? m_gate.store() : nullptr;
    const ClientIdentity identity = session.identity();
    bool dropped = false;
    for (const SubscriptionRecord &record : subscriptions.subscriptionsOf(session.id)) {
        if (m_access.maySubscribe(identity, record.filter))
            continue;
        subscriptions.unsubscribe(session.id, record.filter);
        if (store)
            store->deleteSubscription(session.clientId, record.filter);
        qCInfo(lcBroker) << "dropped" << session.clientId << "subscription" << record.filter << ": no longer permitted";
        dropped = true;
    }
    if (!dropped)
        return;
    m_counters.subscriptionCount = quint64(subscriptions.size());
    session.activity.subscriptions = int(subscriptions.subscriptionsOf(session.id).size());
    session.dirty = true;
    if (store)
        m_gate.scheduleCommit();
}

} // namespace hermes
