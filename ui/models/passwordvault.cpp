#include "passwordvault.h"

#include <qt6keychain/keychain.h>

#include <QLoggingCategory>

namespace hermes::ui {

namespace {
Q_LOGGING_CATEGORY(lcVault, "hermes.ui.keyring")

/// Errors that mean "there is no keyring to use" rather than "this entry is missing".
bool keyringUnusable(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
    case QKeychain::EntryNotFound:
        return false;
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        break;
    }
    return true;
}
} // namespace

PasswordVault::PasswordVault(QString service, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
{
}

void PasswordVault::read(const QString &profileId, QObject *context, std::function<void(const Lookup &)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(profileId);
    connect(job, &QKeychain::Job::finished, context ? context : this, [this, done = std::move(done)](QKeychain::Job *finished) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(finished);
        Lookup lookup;
        if (read->error() == QKeychain::NoError) {
            lookup.status = Status::Found;
            lookup.password = read->textData().toUtf8();
        } else if (!keyringUnusable(read->error())) {
            lookup.status = Status::NotStored;
        } else {
            lookup.detail = read->errorString();
            // The reason only: the entry's key is a profile id, the password never reaches a log.
            qCInfo(lcVault) << "no usable keyring:" << lookup.detail;
        }
        m_available = lookup.status != Status::Unavailable;
        done(lookup);
    });
    job->start();
}

void PasswordVault::write(const QString &profileId, const QByteArray &password, QObject *context,
                          std::function<void(bool, const QString &)> done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(profileId);
    job->setTextData(QString::fromUtf8(password));
    connect(job, &QKeychain::Job::finished, context ? context : this, [this, done = std::move(done)](QKeychain::Job *finished) {
        const bool stored = finished->error() == QKeychain::NoError;
        if (!stored)
            qCInfo(lcVault) << "the keyring did not keep a password:" << finished->errorString();
        m_available = stored || !keyringUnusable(finished->error());
        if (done)
            done(stored, stored ? QString() : finished->errorString());
    });
    job->start();
}

void PasswordVault::remove(const QString &profileId, QObject *context, std::function<void()> done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(profileId);
    connect(job, &QKeychain::Job::finished, context ? context : this, [done = std::move(done)](QKeychain::Job *) {
        if (done)
            done();
    });
    job->start();
}

} // namespace hermes::ui
