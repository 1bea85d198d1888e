#include "apikeyring.h"

#include "engine/broker.h"
#include "engine/push/adminapi.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <algorithm>

Q_LOGGING_CATEGORY(lcApiKeys, "hermes.apikeys")

namespace hermes {

namespace {

constexpr QLatin1StringView KeyPrefix{"hk_"};
constexpr qsizetype IdLength = 12;

QByteArray randomBytes(qsizetype count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), count / 4);
    return bytes;
}

QByteArray digestOf(QByteArrayView secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}

/// Compares without an early exit, so the time taken says nothing about the digest.
bool sameDigest(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

QJsonObject keyJson(const StoredApiKey &key)
{
    return {{QStringLiteral("id"), key.id},
            {QStringLiteral("name"), key.name},
            {QStringLiteral("createdAtMs"), double(key.createdAtMs)}};
}

} // namespace

ApiKeyRing::ApiKeyRing(Broker &broker, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
{
    if (Store *store = m_broker.store()) {
        for (const StoredApiKey &key : store->loadApiKeys())
            m_keys.insert(key.id, key);
    }
}

ApiKeyRing::Created ApiKeyRing::create(const QString &name)
{
    QString id;
    do {
        id = QString::fromLatin1(randomBytes(IdLength / 2 + 2).toHex().left(IdLength));
    } while (m_keys.contains(id));
    const QByteArray secret = randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    StoredApiKey record{id, name, digestOf(secret), QDateTime::currentMSecsSinceEpoch()};
    m_keys.insert(id, record);
    if (Store *store = m_broker.store()) {
        store->saveApiKey(record);
        m_broker.scheduleCommit();
    }
    qCInfo(lcApiKeys).noquote() << "created API key" << id << "named" << name;
    return {record, KeyPrefix + id + QLatin1Char('_') + QString::fromLatin1(secret)};
}

QList<StoredApiKey> ApiKeyRing::list() const
{
    QList<StoredApiKey> keys = m_keys.values();
    std::sort(keys.begin(), keys.end(), [](const StoredApiKey &a, const StoredApiKey &b) {
        return std::tie(a.createdAtMs, a.id) < std::tie(b.createdAtMs, b.id);
    });
    return keys;
}

bool ApiKeyRing::revoke(const QString &id)
{
    if (!m_keys.remove(id))
        return false;
    if (Store *store = m_broker.store()) {
        store->deleteApiKey(id);
        m_broker.scheduleCommit();
    }
    qCInfo(lcApiKeys).noquote() << "revoked API key" << id;
    return true;
}

std::optional<QString> ApiKeyRing::verify(QByteArrayView key) const
{
    if (!key.startsWith(QByteArrayView(KeyPrefix.data(), KeyPrefix.size()))
        || key.size() <= KeyPrefix.size() + IdLength + 1 || key.at(KeyPrefix.size() + IdLength) != '_')
        return std::nullopt;
    const QString id = QString::fromLatin1(key.sliced(KeyPrefix.size(), IdLength));
    const auto found = m_keys.constFind(id);
    if (found == m_keys.cend() || !sameDigest(found->digest, digestOf(key.sliced(KeyPrefix.size() + IdLength + 1))))
        return std::nullopt;
    return id;
}

void ApiKeyRing::addAdminMethods(AdminApi &admin)
{
    using Answer = AdminApi::Answer;
    admin.addMethod(QStringLiteral("apikeys/create"), [this](const QJsonObject &arguments) {
        const QString name = arguments.value(QLatin1String("name")).toString().trimmed();
        if (name.isEmpty() || name.size() > 100)
            return Answer::error(QStringLiteral("bad-request"), QStringLiteral("name is required (at most 100 characters)"));
        const Created created = create(name);
        QJsonObject json = keyJson(created.record);
        json.insert(QStringLiteral("key"), created.key);
        return Answer{json, {}, {}};
    });
    admin.addMethod(QStringLiteral("apikeys/list"), [this](const QJsonObject &) {
        QJsonArray keys;
        for (const StoredApiKey &key : list())
            keys.append(keyJson(key));
        return Answer{{{QStringLiteral("keys"), keys}}, {}, {}};
    });
    admin.addMethod(QStringLiteral("apikeys/revoke"), [this](const QJsonObject &arguments) {
        const QString id = arguments.value(QLatin1String("id")).toString();
        if (!revoke(id))
            return Answer::error(QStringLiteral("not-found"), QStringLiteral("no API key \"%1\"").arg(id));
        return Answer{{{QStringLiteral("revoked"), true}}, {}, {}};
    });
}

} // namespace hermes
