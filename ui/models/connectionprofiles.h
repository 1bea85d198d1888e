#pragma once
/// The brokers the console knows by name (File → Connect…, the toolbar's switcher,
/// `hermes --connect NAME`). A profile holds where and as whom to connect, never the
/// password: that lives in the system keyring (PasswordVault) or is asked for each time.
/// Profiles are kept in the settings, group "connections"; "Embedded broker" is always
/// there, first, and is the profile a fresh install starts with.

#include "engine/remote/attachoptions.h"

#include <QCoreApplication>
#include <QObject>
#include <QString>

#include <optional>

namespace hermes::ui {

struct ConnectionProfile {
    Q_DECLARE_TR_FUNCTIONS(ConnectionProfile)
public:
    /// The embedded broker's profile id; user profiles get a random UUID, so a renamed
    /// profile keeps its keyring entry.
    static inline const QString EmbeddedId = QStringLiteral("embedded");

    QString id;
    QString name;
    QString host;
    quint16 port = 1883;
    bool tls = false;
    QString caFile;          ///< the broker's CA; empty: the system's CAs
    QString certificateFile; ///< a client certificate, optional
    QString keyFile;         ///< its private key, required with the certificate
    QString userName;        ///< empty: anonymous (no password asked for)

    bool isEmbedded() const { return id == EmbeddedId; }
    /// "10.0.0.5:8883", as the console names the broker ("[::1]:1883" for IPv6).
    QString address() const;
    /// Where and how to attach, with `password` for the account.
    RemoteEngineOptions toRemoteOptions(const QByteArray &password) const;
    bool operator==(const ConnectionProfile &) const = default;
};

/// What is wrong with a profile, and in which field (the editor focuses it).
struct ProfileProblem {
    enum class Field : quint8 { Name, Host, Port, CaFile, CertificateFile, KeyFile };
    Field field;
    QString message;
};

class ConnectionProfiles : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionProfiles(QObject *parent = nullptr);

    /// "Embedded broker" first, then the saved profiles in the order they were created.
    QList<ConnectionProfile> all() const;
    std::optional<ConnectionProfile> byId(const QString &id) const;
    /// By name, as `--connect NAME` names one (exact match first, then ignoring case).
    std::optional<ConnectionProfile> byName(const QString &name) const;

    /// nullopt when `profile` can be saved: a unique non-empty name, a host, a port in
    /// 1–65535, and with TLS, readable CA, certificate and key files (a key with a
    /// certificate).
    std::optional<ProfileProblem> validate(const ConnectionProfile &profile) const;
    /// Adds (empty id: a new one is made) or replaces a valid profile; returns its id, or
    /// an empty string when validate() finds a problem.
    QString save(ConnectionProfile profile);
    void remove(const QString &id);

    /// The profile the console opens at start: the last one connected, else the embedded broker.
    ConnectionProfile lastUsed() const;
    void setLastUsed(const QString &id);

signals:
    void changed();

private:
    QList<ConnectionProfile> saved() const;
    void store(const QList<ConnectionProfile> &profiles);
};

} // namespace hermes::ui
