#pragma once
/// API keys for the HTTP API: created, listed and revoked through the admin API
/// (apikeys/create|list|revoke, `hermesctl apikeys`), sent as `Authorization: Bearer KEY`.

#include "engine/store/store.h"

#include <QHash>
#include <QObject>

#include <optional>

namespace hermes {

class AdminApi;
class Broker;

/// A key is "hk_" + a 12-hex-digit id + "_" + 43 characters of secret (32 random bytes,
/// base64url). Only SHA-256 of the secret is kept, in the broker's store, so the key is
/// shown once, at creation. A salted slow hash (PBKDF2, as for passwords) would buy nothing:
/// the secret is 256 random bits, not something a person chose, and every HTTP request
/// checks it. Without persistence keys live until the broker stops.
/// Lives on the broker's thread.
class ApiKeyRing : public QObject
{
    Q_OBJECT
public:
    explicit ApiKeyRing(Broker &broker, QObject *parent = nullptr);

    struct Created {
        StoredApiKey record;
        QString key; ///< the whole key; never stored, never logged
    };
    Created create(const QString &name);
    /// Oldest first.
    QList<StoredApiKey> list() const;
    bool revoke(const QString &id);
    /// The id of the key `key` is, or nullopt (unknown, revoked, malformed).
    std::optional<QString> verify(QByteArrayView key) const;

    /// Answers apikeys/create, apikeys/list and apikeys/revoke (docs/ADMIN-API.md).
    void addAdminMethods(AdminApi &admin);

private:
    Broker &m_broker;
    QHash<QString, StoredApiKey> m_keys; ///< by id
};

} // namespace hermes
