#include "connectionprofiles.h"

#include <QFileInfo>
#include <QSettings>
#include <QUuid>

namespace hermes::ui {

namespace {
const QString ProfilesKey = QStringLiteral("connections/profiles");
const QString LastUsedKey = QStringLiteral("connections/lastUsed");

ConnectionProfile embeddedProfile()
{
    ConnectionProfile profile;
    profile.id = ConnectionProfile::EmbeddedId;
    profile.name = ConnectionProfile::tr("Embedded broker");
    return profile;
}

/// nullopt when `path` is a file this user can read.
std::optional<QString> unreadable(const QString &path)
{
    const QFileInfo file(path);
    if (!file.exists())
        return ConnectionProfile::tr("does not exist");
    if (!file.isFile())
        return ConnectionProfile::tr("is not a file");
    if (!file.isReadable())
        return ConnectionProfile::tr("cannot be read");
    return std::nullopt;
}
} // namespace

QString ConnectionProfile::address() const
{
    const QString shownHost = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]").arg(host) : host;
    return QStringLiteral("%1:%2").arg(shownHost).arg(port);
}

RemoteEngineOptions ConnectionProfile::toRemoteOptions(const QByteArray &password) const
{
    RemoteEngineOptions options;
    options.host = host;
    options.port = port;
    options.userName = userName;
    options.password = userName.isEmpty() ? QByteArray() : password;
    if (tls)
        options.tls = ClientTlsSettings{caFile, certificateFile, keyFile, {}};
    return options;
}

ConnectionProfiles::ConnectionProfiles(QObject *parent)
    : QObject(parent)
{
}

QList<ConnectionProfile> ConnectionProfiles::all() const
{
    QList<ConnectionProfile> profiles{embeddedProfile()};
    profiles.append(saved());
    return profiles;
}

std::optional<ConnectionProfile> ConnectionProfiles::byId(const QString &id) const
{
    for (const ConnectionProfile &profile : all()) {
        if (profile.id == id)
            return profile;
    }
    return std::nullopt;
}

std::optional<ConnectionProfile> ConnectionProfiles::byName(const QString &name) const
{
    const QList<ConnectionProfile> profiles = all();
    for (const Qt::CaseSensitivity sensitivity : {Qt::CaseSensitive, Qt::CaseInsensitive}) {
        for (const ConnectionProfile &profile : profiles) {
            if (profile.name.compare(name, sensitivity) == 0)
                return profile;
        }
    }
    return std::nullopt;
}

std::optional<ProfileProblem> ConnectionProfiles::validate(const ConnectionProfile &profile) const
{
    using Field = ProfileProblem::Field;
    const QString name = profile.name.trimmed();
    if (name.isEmpty())
        return ProfileProblem{Field::Name, ConnectionProfile::tr("Name: give the profile a name.")};
    for (const ConnectionProfile &other : all()) {
        // The embedded broker's name is taken in every language, so --connect stays unambiguous.
        const bool sameName = other.name.compare(name, Qt::CaseInsensitive) == 0
            || (other.isEmbedded() && name.compare(QLatin1String("Embedded broker"), Qt::CaseInsensitive) == 0);
        if (other.id != profile.id && sameName)
            return ProfileProblem{Field::Name, ConnectionProfile::tr("Name: a profile named “%1” exists already.").arg(name)};
    }
    const QString host = profile.host.trimmed();
    if (host.isEmpty() || std::any_of(host.cbegin(), host.cend(), [](QChar c) { return c.isSpace(); }))
        return ProfileProblem{Field::Host, ConnectionProfile::tr("Host: enter the broker's host name or IP address.")};
    if (profile.port == 0)
        return ProfileProblem{Field::Port, ConnectionProfile::tr("Port: choose a port from 1 to 65535.")};
    if (!profile.tls)
        return std::nullopt;
    if (!profile.caFile.isEmpty()) {
        if (const auto why = unreadable(profile.caFile))
            return ProfileProblem{Field::CaFile, ConnectionProfile::tr("CA file: “%1” %2.").arg(profile.caFile, *why)};
    }
    if (!profile.certificateFile.isEmpty()) {
        if (const auto why = unreadable(profile.certificateFile))
            return ProfileProblem{Field::CertificateFile,
                                  ConnectionProfile::tr("Client certificate: “%1” %2.").arg(profile.certificateFile, *why)};
        if (profile.keyFile.isEmpty())
            return ProfileProblem{Field::KeyFile,
                                  ConnectionProfile::tr("Private key: a client certificate needs its private key file.")};
    }
    if (!profile.keyFile.isEmpty()) {
        if (profile.certificateFile.isEmpty())
            return ProfileProblem{Field::CertificateFile,
                                  ConnectionProfile::tr("Client certificate: a private key needs its certificate file.")};
        if (const auto why = unreadable(profile.keyFile))
            return ProfileProblem{Field::KeyFile, ConnectionProfile::tr("Private key: “%1” %2.").arg(profile.keyFile, *why)};
    }
    return std::nullopt;
}

QString ConnectionProfiles::save(ConnectionProfile profile)
{
    if (profile.isEmbedded() || validate(profile))
        return {};
    profile.name = profile.name.trimmed();
    profile.host = profile.host.trimmed();
    if (!profile.tls) {
        profile.caFile.clear();
        profile.certificateFile.clear();
        profile.keyFile.clear();
    }
    QList<ConnectionProfile> profiles = saved();
    const auto existing = std::find_if(profiles.begin(), profiles.end(),
                                       [&profile](const ConnectionProfile &p) { return p.id == profile.id; });
    if (profile.id.isEmpty() || existing == profiles.end()) {
        if (profile.id.isEmpty())
            profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        profiles.append(profile);
    } else {
        *existing = profile;
    }
    store(profiles);
    return profile.id;
}

void ConnectionProfiles::remove(const QString &id)
{
    QList<ConnectionProfile> profiles = saved();
    if (profiles.removeIf([&id](const ConnectionProfile &p) { return p.id == id; }) == 0)
        return;
    store(profiles);
    if (QSettings().value(LastUsedKey).toString() == id)
        QSettings().remove(LastUsedKey);
}

ConnectionProfile ConnectionProfiles::lastUsed() const
{
    return byId(QSettings().value(LastUsedKey).toString()).value_or(embeddedProfile());
}

void ConnectionProfiles::setLastUsed(const QString &id)
{
    QSettings().setValue(LastUsedKey, id);
}

QList<ConnectionProfile> ConnectionProfiles::saved() const
{
    QSettings settings;
    QList<ConnectionProfile> profiles;
    const int count = settings.beginReadArray(ProfilesKey);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile profile;
        profile.id = settings.value(QStringLiteral("id")).toString();
        profile.name = settings.value(QStringLiteral("name")).toString();
        profile.host = settings.value(QStringLiteral("host")).toString();
        profile.port = quint16(settings.value(QStringLiteral("port"), 1883).toUInt());
        profile.tls = settings.value(QStringLiteral("tls")).toBool();
        profile.caFile = settings.value(QStringLiteral("caFile")).toString();
        profile.certificateFile = settings.value(QStringLiteral("certificateFile")).toString();
        profile.keyFile = settings.value(QStringLiteral("keyFile")).toString();
        profile.userName = settings.value(QStringLiteral("userName")).toString();
        if (!profile.id.isEmpty() && !profile.isEmbedded())
            profiles.append(profile);
    }
    settings.endArray();
    return profiles;
}

void ConnectionProfiles::store(const QList<ConnectionProfile> &profiles)
{
    QSettings settings;
    settings.remove(ProfilesKey);
    settings.beginWriteArray(ProfilesKey, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ConnectionProfile &profile = profiles.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("id"), profile.id);
        settings.setValue(QStringLiteral("name"), profile.name);
        settings.setValue(QStringLiteral("host"), profile.host);
        settings.setValue(QStringLiteral("port"), profile.port);
        settings.setValue(QStringLiteral("tls"), profile.tls);
        settings.setValue(QStringLiteral("caFile"), profile.caFile);
        settings.setValue(QStringLiteral("certificateFile"), profile.certificateFile);
        settings.setValue(QStringLiteral("keyFile"), profile.keyFile);
        settings.setValue(QStringLiteral("userName"), profile.userName);
    }
    settings.endArray();
    emit changed();
}

} // namespace hermes::ui
