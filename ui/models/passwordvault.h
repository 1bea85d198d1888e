#pragma once
/// Connection passwords in the system keyring (Secret Service, KWallet, the macOS keychain,
/// the Windows credential store, through QtKeychain), one entry per connection profile id.
/// Every call is asynchronous and answers through a callback on the GUI thread. Without a
/// working keyring nothing is written anywhere: there is no plain-text fallback.

#include <QObject>
#include <QString>

#include <functional>

namespace hermes::ui {

class PasswordVault : public QObject
{
    Q_OBJECT
public:
    enum class Status : quint8 {
        Found,       ///< the keyring answered with the password
        NotStored,   ///< the keyring works and holds nothing for this profile
        Unavailable, ///< no keyring, or it refused: ask for the password each time
    };
    struct Lookup {
        Status status = Status::Unavailable;
        QByteArray password;
        QString detail; ///< the keyring's own words when Unavailable
    };

    /// `service` names the entries in the keyring ("Hermes console").
    explicit PasswordVault(QString service = QStringLiteral("Hermes console"), QObject *parent = nullptr);

    /// `done` is called once (not at all if `context` is destroyed first).
    void read(const QString &profileId, QObject *context, std::function<void(const Lookup &)> done);
    /// `done(stored, detail)`: false with the keyring's words when it could not be kept.
    void write(const QString &profileId, const QByteArray &password, QObject *context,
               std::function<void(bool, const QString &)> done = {});
    /// Forgets the profile's password (nothing happens when none is stored).
    void remove(const QString &profileId, QObject *context = nullptr, std::function<void()> done = {});

    /// What the last answer said about the keyring: false once a job found none working.
    bool seemsAvailable() const { return m_available; }

private:
    QString m_service;
    bool m_available = true;
};

} // namespace hermes::ui
