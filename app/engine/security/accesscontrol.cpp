#include "accesscontrol.h"

#include "mqtt/topic.h"

#include <QPasswordDigestor>
#include <QRandomGenerator>
#include <QStringList>

namespace hermes {

namespace {
const QString HashScheme = QStringLiteral("pbkdf2-sha256");
constexpr int DerivedKeyLength = 32;

QByteArray derive(const QByteArray &password, const QByteArray &salt, int iterations)
{
    return QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password, salt, iterations,
                                              DerivedKeyLength);
}
} // namespace

PasswordHash PasswordHash::create(const QByteArray &password, int iterations)
{
    PasswordHash result;
    result.iterations = iterations;
    result.salt.resize(16);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(result.salt.data()), 4);
    result.hash = derive(password, result.salt, iterations);
    return result;
}

std::optional<PasswordHash> PasswordHash::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('$'));
    if (parts.size() != 4 || parts.at(0) != HashScheme)
        return std::nullopt;
    bool ok = false;
    PasswordHash result;
    result.iterations = parts.at(1).toInt(&ok);
    if (!ok || result.iterations < 1)
        return std::nullopt;
    const auto salt = QByteArray::fromBase64Encoding(parts.at(2).toLatin1());
    const auto hash = QByteArray::fromBase64Encoding(parts.at(3).toLatin1());
    if (!salt || !hash || salt.decoded.isEmpty() || hash.decoded.size() != DerivedKeyLength)
        return std::nullopt;
    result.salt = salt.decoded;
    result.hash = hash.decoded;
    return result;
}

QString PasswordHash::toString() const
{
    return QStringLiteral("%1$%2$%3$%4")
        .arg(HashScheme)
        .arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(hash.toBase64()));
}

bool PasswordHash::verify(const QByteArray &password) const
{
    return constantTimeEquals(derive(password, salt, iterations), hash);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

bool clientIdMatches(const QString &pattern, const QString &clientId)
{
    if (!pattern.contains(QLatin1Char('*')))
        return pattern == clientId;
    // Greedy glob with backtracking to the last '*': linear in practice, and patterns come
    // from the operator, not from clients.
    qsizetype p = 0, c = 0, star = -1, resume = 0;
    while (c < clientId.size()) {
        if (p < pattern.size() && pattern.at(p) == QLatin1Char('*')) {
            star = p++;
            resume = c;
        } else if (p < pattern.size() && pattern.at(p) == clientId.at(c)) {
            ++p;
            ++c;
        } else if (star >= 0) {
            p = star + 1;
            c = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern.at(p) == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

QString Account::effectiveClientIdPattern() const
{
    return clientIdPattern.isEmpty() && role == Role::Device ? userName : clientIdPattern;
}

bool Account::permitsClientId(const QString &clientId) const
{
    return !bindsClientId() || clientIdMatches(effectiveClientIdPattern(), clientId);
}

std::optional<AccessRule> AccessRule::parse(const QString &text, QString *problem)
{
    auto fail = [problem](const QString &message) -> std::optional<AccessRule> {
        if (problem)
            *problem = message;
        return std::nullopt;
    };
    const QStringList parts = text.simplified().split(QLatin1Char(' '));
    if (parts.size() != 3)
        return fail(QStringLiteral("an ACL rule is 'WHO ACCESS FILTER', e.g. 'device read devices/%c/#'"));
    AccessRule rule;
    if (parts.at(0).startsWith(QLatin1String("user:"))) {
        rule.userName = parts.at(0).mid(5);
        if (rule.userName.isEmpty())
            return fail(QStringLiteral("'user:' needs a user name"));
    } else if (const auto role = parseRole(parts.at(0))) {
        rule.role = role;
    } else {
        return fail(QStringLiteral("'%1' is not device, operator or user:NAME").arg(parts.at(0)));
    }
    if (parts.at(1) == QLatin1String("read"))
        rule.access = Access::Read;
    else if (parts.at(1) == QLatin1String("write"))
        rule.access = Access::Write;
    else if (parts.at(1) == QLatin1String("readwrite"))
        rule.access = Access::ReadWrite;
    else
        return fail(QStringLiteral("'%1' is not read, write or readwrite").arg(parts.at(1)));
    rule.filter = parts.at(2);
    if (!mqtt::isValidTopicFilter(QString(rule.filter).replace(QLatin1String("%c"), QLatin1String("c"))
                                      .replace(QLatin1String("%u"), QLatin1String("u"))))
        return fail(QStringLiteral("'%1' is not a valid topic filter").arg(rule.filter));
    return rule;
}

QList<AccessRule> AccessControl::defaultDeviceRules()
{
    QList<AccessRule> rules;
    rules.append(AccessRule{Role::Device, {}, Access::Read, QStringLiteral("devices/%c/#")});
    for (const char *topic : {"devices/%c/receipt", "devices/%c/register", "devices/%c/state"})
        rules.append(AccessRule{Role::Device, {}, Access::Write, QString::fromLatin1(topic)});
    return rules;
}

AccessControl::AccessControl(QList<AccessRule> extraRules)
    : m_rules(defaultDeviceRules() + extraRules)
{
}

QString AccessControl::substitute(const QString &filter, const ClientIdentity &client)
{
    // An ID containing '/', '+' or '#' would widen the pattern into other devices' topics:
    // such a client gets no %c/%u rule at all (mosquitto refuses these substitutions too).
    auto unsafe = [](const QString &text) {
        return text.contains(QLatin1Char('/')) || text.contains(QLatin1Char('+')) || text.contains(QLatin1Char('#'));
    };
    QString result = filter;
    if (result.contains(QLatin1String("%c"))) {
        if (client.clientId.isEmpty() || unsafe(client.clientId))
            return {};
        result.replace(QLatin1String("%c"), client.clientId);
    }
    if (result.contains(QLatin1String("%u"))) {
        if (client.userName.isEmpty() || unsafe(client.userName))
            return {};
        result.replace(QLatin1String("%u"), client.userName);
    }
    return result;
}

QList<AccessRule> AccessControl::rulesFor(const ClientIdentity &client, Access needed) const
{
    QList<AccessRule> result;
    for (const AccessRule &rule : m_rules) {
        if ((int(rule.access) & int(needed)) == 0)
            continue;
        const bool applies = rule.userName.isEmpty() ? rule.role == client.role : rule.userName == client.userName;
        if (!applies)
            continue;
        AccessRule concrete = rule;
        concrete.filter = substitute(rule.filter, client);
        if (!concrete.filter.isEmpty())
            result.append(concrete);
    }
    return result;
}

bool AccessControl::mayPublish(const ClientIdentity &client, const QString &topic) const
{
    if (client.role == Role::Operator)
        return true;
    for (const AccessRule &rule : rulesFor(client, Access::Write)) {
        if (mqtt::topicMatches(rule.filter, topic))
            return true;
    }
    return false;
}

bool AccessControl::maySubscribe(const ClientIdentity &client, const QString &filter) const
{
    if (client.role == Role::Operator)
        return true;
    const auto shared = mqtt::parseSharedFilter(filter);
    const QString inner = shared ? shared->filter : filter;
    for (const AccessRule &rule : rulesFor(client, Access::Read)) {
        if (covers(rule.filter, inner))
            return true;
    }
    return false;
}

bool AccessControl::covers(const QString &pattern, const QString &filter)
{
    // Level by level: '#' in the pattern covers whatever remains; '+' covers any single
    // level, '+' included, but not '#'; a literal covers only itself. A '$' first level is
    // never covered by a wildcard [MQTT-4.7.2-1].
    const QStringList patternLevels = pattern.split(QLatin1Char('/'));
    const QStringList filterLevels = filter.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < patternLevels.size(); ++i) {
        const QString &p = patternLevels.at(i);
        if (p == QLatin1String("#"))
            return !(i == 0 && filterLevels.first().startsWith(QLatin1Char('$')));
        if (i >= filterLevels.size())
            return false;
        const QString &f = filterLevels.at(i);
        if (p == QLatin1String("+")) {
            if (f == QLatin1String("#") || (i == 0 && f.startsWith(QLatin1Char('$'))))
                return false;
            continue;
        }
        if (p != f)
            return false;
    }
    return patternLevels.size() == filterLevels.size();
}

} // namespace hermes
