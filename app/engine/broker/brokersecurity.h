#pragma once
/// Who may connect and what they may do: the accounts (config file and stored), the ACL
/// rules, the login back-off and what each transport proved before CONNECT. Decides every
/// CONNECT's identity, and re-checks connected sessions when accounts or rules change.

#include "engine/security/accesscontrol.h"
#include "engine/security/authbackoff.h"
#include "engine/security/authenticator.h"
#include "../brokerconfig.h"

#include "mqtt/packets.h"

#include <QHash>
#include <QStringList>

#include <optional>
#include <variant>

namespace hermes {

class Connection;
class DurabilityGate;
class Router;
class Session;
class SessionRegistry;
struct BrokerCounters;

class BrokerSecurity
{
public:
    /// The gate stores accounts and subscription changes; the counters count refusals.
    BrokerSecurity(const BrokerConfig &config, DurabilityGate &gate, BrokerCounters &counters);

    /// The identity `connect` logs in as under `clientId`, or the CONNACK code refusing it
    /// (counted). A source or user name still backing off is refused before any password
    /// work; a Will needs the same permission as a publish.
    std::variant<ClientIdentity, mqtt::ReasonCode> login(const mqtt::Connect &connect, const QString &clientId,
                                                         const Connection &connection, mqtt::Timestamp at);
    bool mayPublish(const ClientIdentity &client, const QString &topic) const
    {
        return m_access.mayPublish(client, topic);
    }
    bool maySubscribe(const ClientIdentity &client, const QString &filter) const
    {
        return m_access.maySubscribe(client, filter);
    }
    /// The updated identity of `session`'s connection, or nullopt when it may not stay.
    std::optional<ClientIdentity> recheck(const Session &session) const;

    /// What a Unix-socket peer or a client certificate proved for `connection`.
    void setTransportIdentity(const Connection *connection, TransportIdentity identity);
    void forget(const Connection *connection) { m_transportIdentities.remove(connection); }
    /// Forgets back-off records that have run out.
    void sweep(mqtt::Timestamp at) { m_backoff.sweep(at); }

    QList<Authenticator::AccountEntry> accounts() const { return m_authenticator.accounts(); }
    /// Adds accounts loaded from the store (a config-file account of the same name wins).
    void addStoredAccounts(const QList<Account> &accounts) { m_authenticator.addStoredAccounts(accounts); }
    /// Adds or replaces a stored account; false with `error` for a config-file account or
    /// without a store.
    bool setAccount(const Account &account, QString *error);
    /// Removes a stored account; false with `error` when unknown or from the config file.
    bool removeAccount(const QString &userName, QString *error);
    /// New accounts, ACL rules and anonymous settings (stored accounts stay).
    void reload(const AccessSettings &settings);

    /// Re-checks the connected sessions (only `userName`'s when given) against the current
    /// accounts and rules. A session that may stay takes its new role; every reviewed
    /// session loses the subscriptions its role may no longer hold. Returns the client IDs
    /// that may not stay: closing them is the caller's, on a later turn.
    QStringList review(SessionRegistry &sessions, Router &router, const std::optional<QString> &userName);
    /// Drops the subscriptions `session`'s identity may no longer hold.
    void dropForbiddenSubscriptions(Session &session, Router &router);

private:
    AccessControl m_access;
    AuthBackoff m_backoff;
    Authenticator m_authenticator;
    /// What Unix-socket and certificate-identity connections proved before CONNECT.
    QHash<const Connection *, TransportIdentity> m_transportIdentities;
    DurabilityGate &m_gate;
    BrokerCounters &m_counters;
};

} // namespace hermes
