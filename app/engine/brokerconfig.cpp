#include "brokerconfig.h"

#include "analytics/networkmap.h"
#include "clienttls.h"
#include "push/pushtypes.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <functional>
#include <limits>
#include <tuple>

namespace hermes {

QString WebSocketListenAddress::toString() const
{
    ListenAddress plain = address;
    plain.tls = false;
    return QStringLiteral("%1://%2%3").arg(address.tls ? QStringLiteral("wss") : QStringLiteral("ws"), plain.toString(), path);
}

std::optional<WebSocketListenAddress> WebSocketListenAddress::parse(const QString &text, bool tls)
{
    // The path starts at the first '/' after the port ("[::1]:8083/mqtt").
    const QString trimmed = text.trimmed();
    const qsizetype slash = trimmed.indexOf(QLatin1Char('/'), std::max<qsizetype>(0, trimmed.indexOf(QLatin1Char(']'))));
    WebSocketListenAddress result;
    const auto address = ListenAddress::parse(slash < 0 ? trimmed : trimmed.left(slash));
    if (!address)
        return std::nullopt;
    result.address = *address;
    result.address.tls = tls;
    if (slash >= 0)
        result.path = trimmed.mid(slash);
    if (result.path.contains(QLatin1Char(' ')) || result.path.contains(QLatin1Char('?')))
        return std::nullopt;
    return result;
}

QString UpstreamNode::toString() const
{
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                           : QStringLiteral("%1:%2").arg(host).arg(port);
}

std::optional<UpstreamNode> UpstreamNode::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    const qsizetype colon = trimmed.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    QString host = trimmed.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    else if (host.contains(QLatin1Char(':')))
        return std::nullopt; // an IPv6 address needs its brackets
    static const QRegularExpression hostName(QStringLiteral("^[A-Za-z0-9.-]+$"));
    const bool isAddress = !QHostAddress(host).isNull();
    bool ok = false;
    const uint port = trimmed.mid(colon + 1).toUInt(&ok);
    if (!ok || port == 0 || port > 65535 || (!isAddress && !hostName.match(host).hasMatch()))
        return std::nullopt;
    return UpstreamNode{host, quint16(port)};
}

QString UpstreamSettings::toString() const
{
    QStringList list;
    for (const UpstreamNode &node : nodes)
        list.append(node.toString());
    QString text = list.join(QStringLiteral(", ")) + (userName.isEmpty() ? QString() : QStringLiteral(" as ") + userName);
    if (!management.isEmpty()) {
        QStringList urls;
        for (const QUrl &url : management)
            urls.append(url.toString());
        text += QStringLiteral("; sessions from %1").arg(urls.join(QStringLiteral(", ")));
        if (!managementUser().isEmpty())
            text += QStringLiteral(" as ") + managementUser();
    }
    if (usesTls()) {
        QStringList details{tlsFiles.caFile.isEmpty() ? QStringLiteral("the system's CAs") : QStringLiteral("CA ") + tlsFiles.caFile};
        if (!tlsFiles.certificateFile.isEmpty())
            details.append(QStringLiteral("client certificate ") + tlsFiles.certificateFile);
        if (!tlsFiles.peerName.isEmpty())
            details.append(QStringLiteral("name ") + tlsFiles.peerName);
        text += QStringLiteral("; %1 over TLS (%2)")
                    .arg(tls ? QStringLiteral("MQTT") : QStringLiteral("management"), details.join(QStringLiteral(", ")));
    }
    return text;
}

bool UpstreamSettings::usesTls() const
{
    return tls || std::any_of(management.cbegin(), management.cend(), [](const QUrl &url) {
        return url.scheme() == QLatin1String("https");
    });
}

QString ConfigError::toString() const
{
    return line > 0 ? QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(message)
                    : QStringLiteral("%1: %2").arg(file, message);
}

std::optional<LogLevel> parseLogLevel(const QString &text)
{
    const QString lower = text.trimmed().toLower();
    if (lower == QLatin1String("error"))
        return LogLevel::Error;
    if (lower == QLatin1String("warning"))
        return LogLevel::Warning;
    if (lower == QLatin1String("info"))
        return LogLevel::Info;
    if (lower == QLatin1String("debug"))
        return LogLevel::Debug;
    return std::nullopt;
}

QString logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Error: return QStringLiteral("error");
    case LogLevel::Warning: return QStringLiteral("warning");
    case LogLevel::Info: return QStringLiteral("info");
    case LogLevel::Debug: return QStringLiteral("debug");
    }
    return {};
}

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

namespace {

std::optional<quint64> parseUnsigned(const QString &text, quint64 max)
{
    bool ok = false;
    const qulonglong value = text.toULongLong(&ok);
    if (!ok || value > max)
        return std::nullopt;
    return value;
}

std::optional<bool> parseBool(const QString &text)
{
    const QString lower = text.toLower();
    if (lower == QLatin1String("true") || lower == QLatin1String("on") || lower == QLatin1String("yes") || lower == QLatin1String("1"))
        return true;
    if (lower == QLatin1String("false") || lower == QLatin1String("off") || lower == QLatin1String("no") || lower == QLatin1String("0"))
        return false;
    return std::nullopt;
}

/// The HTTP API's and the WebSocket listeners' keys. Nullopt when `key` is none of them;
/// else an empty string, or what is wrong with `value`.
std::optional<QString> parseIntegrationSetting(const QString &key, const QString &value, BrokerConfig &config)
{
    if (key == QLatin1String("http_listener") || key == QLatin1String("http_listener_tls")) {
        auto address = ListenAddress::parse(value);
        if (!address)
            return QStringLiteral("'%1' is not HOST:PORT").arg(value);
        address->tls = key == QLatin1String("http_listener_tls");
        config.http.listener = address;
    } else if (key == QLatin1String("http_max_body_bytes")) {
        const auto bytes = parseUnsigned(value, 256 * 1024 * 1024);
        if (!bytes || *bytes < 1024)
            return QStringLiteral("'http_max_body_bytes' must be a number from 1024 to 268435456, not '%1'").arg(value);
        config.http.maxBodyBytes = qint64(*bytes);
    } else if (key == QLatin1String("http_idle_timeout")) {
        const auto seconds = parseUnsigned(value, 3600);
        if (!seconds || *seconds < 1)
            return QStringLiteral("'http_idle_timeout' must be a number of seconds from 1 to 3600, not '%1'").arg(value);
        config.http.idleTimeoutSeconds = int(*seconds);
    } else if (key == QLatin1String("metrics_anonymous")) {
        const auto flag = parseBool(value);
        if (!flag)
            return QStringLiteral("'metrics_anonymous' must be true or false, not '%1'").arg(value);
        config.http.metricsAnonymous = *flag;
    } else if (key == QLatin1String("listener_ws") || key == QLatin1String("listener_wss")) {
        const auto address = WebSocketListenAddress::parse(value, key == QLatin1String("listener_wss"));
        if (!address)
            return QStringLiteral("'%1' is not HOST:PORT or HOST:PORT/PATH").arg(value);
        config.webSocket.listeners.append(*address);
    } else if (key == QLatin1String("ws_allowed_origins")) {
        config.webSocket.allowedOrigins = value.simplified().split(QRegularExpression(QStringLiteral("[ ,]+")), Qt::SkipEmptyParts);
    } else {
        return std::nullopt;
    }
    return QString();
}

/// The fleet analytics' keys: `network`, `network_file`, `network_act`,
/// `network_time_scale`. Nullopt when `key`
/// is none of them; else an empty string, or what is wrong (a bad row of a network file
/// names that file and its line too).
std::optional<QString> parseNetworkSetting(const QString &key, const QString &value, const QString &configFile,
                                           NetworkSettings &networks)
{
    analytics::NetworkMap check;
    QString why;
    if (key == QLatin1String("network")) {
        const QStringList parts = value.simplified().split(QLatin1Char(' '));
        if (parts.size() < 2)
            return QStringLiteral("'network' is 'NAME CIDR [CIDR…]', e.g. network china-mobile 10.0.0.0/8 2409:8000::/20");
        for (const QString &cidr : parts.sliced(1)) {
            if (!check.add(parts.at(0), cidr, &why))
                return why;
            networks.ranges.append({parts.at(0), cidr});
        }
    } else if (key == QLatin1String("network_file")) {
        // A relative path is taken from the config file's directory, where it was written.
        const QString path = QDir(QFileInfo(configFile).absolutePath()).filePath(value);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            return QStringLiteral("'network_file' %1: %2").arg(path, file.errorString());
        const QByteArrayList rows = file.readAll().split('\n');
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const QByteArray row = rows.at(i).trimmed();
            if (row.isEmpty() || row.startsWith('#'))
                continue;
            if (!check.addCsv(row, &why))
                return QStringLiteral("%1:%2: %3").arg(path).arg(i + 1).arg(why.section(QStringLiteral(": "), 1));
            const qsizetype comma = row.indexOf(',');
            networks.ranges.append({QString::fromUtf8(row.mid(comma + 1)).trimmed(), QString::fromUtf8(row.left(comma)).trimmed()});
        }
    } else if (key == QLatin1String("network_act")) {
        const QStringList parts = value.simplified().split(QLatin1Char(' '));
        const auto flag = parts.size() == 2 ? parseBool(parts.at(1)) : std::nullopt;
        if (!flag)
            return QStringLiteral("'network_act' is 'NAME on|off', not '%1'").arg(value);
        networks.acting.removeAll(parts.at(0));
        if (*flag)
            networks.acting.append(parts.at(0));
    } else if (key == QLatin1String("network_time_scale")) {
        bool ok = false;
        const double scale = value.toDouble(&ok);
        if (!ok || !(scale >= 1.0) || scale > 10000.0)
            return QStringLiteral("'network_time_scale' is a number from 1 to 10000, not '%1'").arg(value);
        networks.timeScale = scale;
    } else {
        return std::nullopt;
    }
    return QString();
}

/// A password from a file named by `key` (relative to the config file, like network_file),
/// trimmed: what is wrong with it, or an empty string. A file every user can read is refused.
QString readSecretFile(const QString &key, const QString &value, const QString &configFile, QByteArray &secret)
{
    const QString path = QDir(QFileInfo(configFile).absolutePath()).filePath(value);
    QFile file(path);
    if (file.permissions() & QFileDevice::ReadOther)
        return QStringLiteral("'%1' %2 is readable by every user; chmod o-r it").arg(key, path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("'%1' %2: %3").arg(key, path, file.errorString());
    const QByteArray password = file.readAll().trimmed();
    if (password.isEmpty())
        return QStringLiteral("'%1' %2 is empty").arg(key, path);
    secret = password;
    return QString();
}

/// Upstream mode's keys. Nullopt when `key` is none of them; else an empty string, or what
/// is wrong with `value`.
std::optional<QString> parseUpstreamSetting(const QString &key, const QString &value, const QString &configFile,
                                            UpstreamSettings &upstream)
{
    if (key == QLatin1String("upstream")) {
        QList<UpstreamNode> nodes;
        for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const auto node = UpstreamNode::parse(part);
            if (!node)
                return QStringLiteral("'upstream' is HOST:PORT[,HOST:PORT…] (the cluster's MQTT listeners); "
                                      "'%1' is not HOST:PORT").arg(part.trimmed());
            nodes.append(*node);
        }
        if (nodes.isEmpty())
            return QStringLiteral("'upstream' needs at least one HOST:PORT");
        upstream.nodes = nodes;
    } else if (key == QLatin1String("upstream_user")) {
        upstream.userName = value;
    } else if (key == QLatin1String("upstream_password")) {
        return QStringLiteral("'upstream_password' would keep a secret in the config file: write it to a file only "
                              "hermesd can read and name that with 'upstream_password_file PATH'");
    } else if (key == QLatin1String("upstream_password_file")) {
        return readSecretFile(key, value, configFile, upstream.password);
    } else if (key == QLatin1String("upstream_client_id")) {
        if (value.contains(QLatin1Char(' ')) || value.size() > 23 * 8)
            return QStringLiteral("'upstream_client_id' is one word, not '%1'").arg(value);
        upstream.clientId = value;
    } else if (key == QLatin1String("upstream_management")) {
        QList<QUrl> urls;
        for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QUrl url(part.trimmed(), QUrl::StrictMode);
            if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
                || url.host().isEmpty() || !url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
                return QStringLiteral("'upstream_management' is URL[, URL…] (the cluster's management API, e.g. "
                                      "http://10.0.0.11:15672, no credentials in it); '%1' is not one").arg(part.trimmed());
            urls.append(url.adjusted(QUrl::StripTrailingSlash));
        }
        if (urls.isEmpty())
            return QStringLiteral("'upstream_management' needs at least one URL");
        upstream.management = urls;
    } else if (key == QLatin1String("upstream_management_user")) {
        upstream.managementUserName = value;
    } else if (key == QLatin1String("upstream_management_password")) {
        return QStringLiteral("'upstream_management_password' would keep a secret in the config file: write it to a "
                              "file only hermesd can read and name that with 'upstream_management_password_file PATH'");
    } else if (key == QLatin1String("upstream_management_password_file")) {
        return readSecretFile(key, value, configFile, upstream.managementPassword);
    } else if (key == QLatin1String("upstream_tls")) {
        const auto flag = parseBool(value);
        if (!flag)
            return QStringLiteral("'upstream_tls' must be on or off, not '%1'").arg(value);
        upstream.tls = *flag;
    } else if (key == QLatin1String("upstream_tls_ca") || key == QLatin1String("upstream_tls_cert")
               || key == QLatin1String("upstream_tls_key")) {
        // Like the password files: relative to the config file. Whether the file is usable is
        // checked once every line is read (checkUpstreamTls()).
        const QString path = QDir(QFileInfo(configFile).absolutePath()).filePath(value);
        (key == QLatin1String("upstream_tls_ca")     ? upstream.tlsFiles.caFile
         : key == QLatin1String("upstream_tls_cert") ? upstream.tlsFiles.certificateFile
                                                     : upstream.tlsFiles.keyFile) = QDir::cleanPath(path);
    } else if (key == QLatin1String("upstream_tls_name")) {
        static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9.:-]+$"));
        if (!name.match(value).hasMatch())
            return QStringLiteral("'upstream_tls_name' is the one name the cluster's certificates carry "
                                  "(e.g. rabbit.internal), not '%1'").arg(value);
        upstream.tlsFiles.peerName = value;
    } else if (key == QLatin1String("upstream_management_interval")
               || key == QLatin1String("upstream_management_timeout")) {
        const bool interval = key == QLatin1String("upstream_management_interval");
        const int most = interval ? 3600 : 600;
        bool ok = false;
        const int seconds = value.toInt(&ok);
        if (!ok || seconds < 1 || seconds > most)
            return QStringLiteral("'%1' must be a number of seconds from 1 to %2, not '%3'").arg(key).arg(most).arg(value);
        (interval ? upstream.managementIntervalSeconds : upstream.managementTimeoutSeconds) = seconds;
    } else {
        return std::nullopt;
    }
    return QString();
}

/// What is wrong with the upstream TLS keys once every line is read, with the line to blame
/// (`lines`: each upstream key's last line); nullopt when nothing is. The files are read
/// here, as a connection would read them, so a missing CA or an unreadable key stops
/// hermesd at startup instead of failing every connection later.
std::optional<std::pair<int, QString>> checkUpstreamTls(const UpstreamSettings &upstream, const QHash<QString, int> &lines)
{
    static const QStringList fileKeys{QStringLiteral("upstream_tls_ca"), QStringLiteral("upstream_tls_cert"),
                                      QStringLiteral("upstream_tls_key"), QStringLiteral("upstream_tls_name")};
    int firstTlsLine = 0;
    QString firstTlsKey;
    int firstFileLine = 0;
    QString firstFileKey;
    for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
        if (!it.key().startsWith(QLatin1String("upstream_tls")))
            continue;
        if (firstTlsLine == 0 || it.value() < firstTlsLine)
            std::tie(firstTlsLine, firstTlsKey) = std::pair(it.value(), it.key());
        if (fileKeys.contains(it.key()) && (firstFileLine == 0 || it.value() < firstFileLine))
            std::tie(firstFileLine, firstFileKey) = std::pair(it.value(), it.key());
    }
    if (firstTlsLine == 0)
        return std::nullopt;
    if (!upstream.enabled())
        return std::pair(firstTlsLine, QStringLiteral("'%1' is for TLS to an upstream cluster: it needs "
                                                      "'upstream HOST:PORT[,…]' too").arg(firstTlsKey));
    if (!upstream.usesTls()) {
        if (firstFileLine == 0)
            return std::nullopt; // "upstream_tls off" alone
        return std::pair(firstFileLine, QStringLiteral("'%1' is for 'upstream_tls on' and https:// management URLs, "
                                                       "and neither is configured").arg(firstFileKey));
    }
    const ClientTlsSettings &files = upstream.tlsFiles;
    QString problem;
    if (!files.caFile.isEmpty() && !ClientTls::configuration(ClientTlsSettings{files.caFile, {}, {}, {}}, &problem))
        return std::pair(lines.value(QStringLiteral("upstream_tls_ca")), QStringLiteral("'upstream_tls_ca': %1").arg(problem));
    if (files.certificateFile.isEmpty() && files.keyFile.isEmpty())
        return std::nullopt;
    // The key is a secret, kept like the password files.
    if (!files.keyFile.isEmpty() && (QFile(files.keyFile).permissions() & QFileDevice::ReadOther))
        return std::pair(lines.value(QStringLiteral("upstream_tls_key")),
                         QStringLiteral("'upstream_tls_key' %1 is readable by every user; chmod o-r it").arg(files.keyFile));
    if (!ClientTls::configuration(ClientTlsSettings{{}, files.certificateFile, files.keyFile, {}}, &problem)) {
        // The message names the file it could not use: blame that one's line.
        const bool blameKey = files.certificateFile.isEmpty()
            || (!files.keyFile.isEmpty() && problem.contains(files.keyFile) && !problem.contains(files.certificateFile));
        const QString key = blameKey ? QStringLiteral("upstream_tls_key") : QStringLiteral("upstream_tls_cert");
        return std::pair(lines.value(key), QStringLiteral("'%1': %2").arg(key, problem));
    }
    return std::nullopt;
}

} // namespace

std::variant<BrokerConfig, ConfigError> parseBrokerConfig(const QString &text, const QString &fileName,
                                                          BrokerConfig base)
{
    BrokerConfig config = std::move(base);
    bool listenersFromFile = false;
    QHash<QString, int> upstreamLines; ///< each upstream key's last line, for the checks at the end
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int index = 0; index < lines.size(); ++index) {
        const int lineNumber = index + 1;
        // As in mosquitto, only whole lines are comments: '#' is the multi-level wildcard in
        // ACL filters and a character of password hashes.
        const QString line = lines.at(index).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype space = line.indexOf(QRegularExpression(QStringLiteral("\\s")));
        const QString key = space < 0 ? line : line.left(space);
        const QString value = space < 0 ? QString() : line.mid(space + 1).trimmed();
        auto fail = [&](const QString &message) {
            return ConfigError{fileName, lineNumber, message};
        };
        if (value.isEmpty())
            return fail(QStringLiteral("'%1' needs a value").arg(key));

        // Numeric settings share one shape: a name, a target field and a range.
        auto setNumber = [&](auto &field, quint64 min, quint64 max) -> std::optional<ConfigError> {
            const auto number = parseUnsigned(value, max);
            if (!number || *number < min)
                return fail(QStringLiteral("'%1' must be a number from %2 to %3, not '%4'")
                                .arg(key).arg(min).arg(max).arg(value));
            field = std::remove_reference_t<decltype(field)>(*number);
            return std::nullopt;
        };
        std::optional<ConfigError> error;
        if (key == QLatin1String("listener") && value.startsWith(QLatin1String("unix:"))) {
            const QString path = value.mid(5);
            if (!path.startsWith(QLatin1Char('/')) || path.endsWith(QLatin1Char('/')))
                return fail(QStringLiteral("'%1' is not unix:/ABSOLUTE/PATH").arg(value));
            if (!listenersFromFile)
                config.listeners.clear();
            listenersFromFile = true;
            config.localSockets.append(path);
        } else if (key == QLatin1String("listener")) {
            const auto address = ListenAddress::parse(value);
            if (!address)
                return fail(QStringLiteral("'%1' is not HOST:PORT or unix:/ABSOLUTE/PATH").arg(value));
            if (!listenersFromFile)
                config.listeners.clear();
            listenersFromFile = true;
            config.listeners.append(*address);
        } else if (key == QLatin1String("listener_tls")) {
            auto address = ListenAddress::parse(value);
            if (!address)
                return fail(QStringLiteral("'%1' is not HOST:PORT").arg(value));
            if (!listenersFromFile)
                config.listeners.clear();
            listenersFromFile = true;
            address->tls = true;
            config.listeners.append(*address);
        } else if (key == QLatin1String("tls_certificate")) {
            config.tls.certificateFile = value;
        } else if (key == QLatin1String("tls_key")) {
            config.tls.keyFile = value;
        } else if (key == QLatin1String("tls_ca")) {
            config.tls.caFile = value;
        } else if (key == QLatin1String("tls_require_client_certificate")) {
            const auto flag = parseBool(value);
            if (!flag)
                return fail(QStringLiteral("'tls_require_client_certificate' must be true or false"));
            config.tls.requireClientCertificate = *flag;
        } else if (key == QLatin1String("use_identity_as_username")) {
            const auto flag = parseBool(value);
            if (!flag)
                return fail(QStringLiteral("'use_identity_as_username' must be true or false"));
            config.tls.identityAsUserName = *flag;
        } else if (key == QLatin1String("local_admin_group")) {
            config.localAdminGroup = value;
        } else if (key == QLatin1String("durability")) {
            if (value == QLatin1String("process"))
                config.durability = Durability::Process;
            else if (value == QLatin1String("power"))
                config.durability = Durability::Power;
            else
                return fail(QStringLiteral("'durability' must be process or power, not '%1'").arg(value));
        } else if (key == QLatin1String("data_dir")) {
            config.dataDir = value;
        } else if (key == QLatin1String("persistence")) {
            const auto flag = parseBool(value);
            if (!flag)
                return fail(QStringLiteral("'persistence' must be true or false, not '%1'").arg(value));
            config.persistence = *flag;
        } else if (key == QLatin1String("log_level")) {
            const auto level = parseLogLevel(value);
            if (!level)
                return fail(QStringLiteral("'log_level' must be error, warning, info or debug, not '%1'").arg(value));
            config.logLevel = *level;
        } else if (key == QLatin1String("max_connections")) {
            error = setNumber(config.maxConnections, 0, std::numeric_limits<int>::max());
        } else if (key == QLatin1String("sys_interval")) {
            error = setNumber(config.sysIntervalSeconds, 0, 86400);
        } else if (key == QLatin1String("max_session_expiry")) {
            error = setNumber(config.maxSessionExpirySeconds, 0, 0xFFFFFFFF);
        } else if (key == QLatin1String("max_packet_size")) {
            error = setNumber(config.limits.maximumPacketSize, 16, 268435460);
        } else if (key == QLatin1String("receive_maximum")) {
            error = setNumber(config.limits.receiveMaximum, 1, 65535);
        } else if (key == QLatin1String("max_inflight_messages")) {
            error = setNumber(config.limits.maxInflightOutbound, 1, 65535);
        } else if (key == QLatin1String("max_queued_messages")) {
            error = setNumber(config.limits.maxQueuedMessages, 0, 100000000);
        } else if (key == QLatin1String("topic_alias_maximum")) {
            error = setNumber(config.limits.topicAliasMaximum, 0, 65535);
        } else if (key == QLatin1String("server_keepalive")) {
            quint16 seconds = 0;
            error = setNumber(seconds, 0, 65535);
            config.limits.serverKeepAlive = seconds;
        } else if (key == QLatin1String("connect_timeout")) {
            quint64 seconds = 0;
            error = setNumber(seconds, 1, 3600);
            config.limits.connectTimeout = std::chrono::seconds(seconds);
        } else if (key == QLatin1String("max_connections_per_second")) {
            error = setNumber(config.connectionRate.perSecond, 0, 1000000);
        } else if (key == QLatin1String("max_connections_burst")) {
            error = setNumber(config.connectionRate.burst, 1, 1000000);
        } else if (key == QLatin1String("max_subscriptions_per_client")) {
            error = setNumber(config.maxSubscriptionsPerClient, 0, 100000000);
        } else if (key == QLatin1String("auth_failure_backoff")) {
            // Two whole numbers of seconds: the first wait and the cap; "0 0" turns it off.
            const QStringList parts = value.simplified().split(QLatin1Char(' '));
            const auto initial = parts.size() == 2 ? parseUnsigned(parts.at(0), 86400) : std::nullopt;
            const auto maximum = parts.size() == 2 ? parseUnsigned(parts.at(1), 86400) : std::nullopt;
            if (!initial || !maximum)
                return fail(QStringLiteral("'auth_failure_backoff' is 'INITIAL MAXIMUM', two numbers of "
                                           "seconds from 0 to 86400, not '%1'").arg(value));
            if (*maximum < *initial)
                return fail(QStringLiteral("'auth_failure_backoff' maximum (%1) is below its initial wait (%2)")
                                .arg(*maximum).arg(*initial));
            config.authBackoff.initial = std::chrono::seconds(*initial);
            config.authBackoff.maximum = std::chrono::seconds(*maximum);
        } else if (key == QLatin1String("limits_exempt_loopback")) {
            const auto flag = parseBool(value);
            if (!flag)
                return fail(QStringLiteral("'limits_exempt_loopback' must be true or false, not '%1'").arg(value));
            config.connectionRate.exemptLoopback = *flag;
            config.authBackoff.exemptLoopback = *flag;
        } else if (key == QLatin1String("allow_anonymous")) {
            if (value == QLatin1String("loopback"))
                config.allowAnonymous = AnonymousAccess::Loopback;
            else if (const auto flag = parseBool(value))
                config.allowAnonymous = *flag ? AnonymousAccess::Always : AnonymousAccess::Never;
            else
                return fail(QStringLiteral("'allow_anonymous' must be loopback, true or false, not '%1'").arg(value));
        } else if (key == QLatin1String("anonymous_role")) {
            const auto role = parseRole(value);
            if (!role)
                return fail(QStringLiteral("'anonymous_role' must be device or operator, not '%1'").arg(value));
            config.anonymousRole = *role;
        } else if (key == QLatin1String("account")) {
            QStringList parts = value.simplified().split(QLatin1Char(' '));
            QString clientIdPattern;
            if (parts.size() == 4 && parts.at(3).startsWith(QLatin1String("client_id="))) {
                clientIdPattern = parts.takeLast().mid(10);
                if (clientIdPattern.isEmpty())
                    return fail(QStringLiteral("'client_id=' needs a client ID or a pattern such as dev-a-*"));
            }
            const auto role = parts.size() == 3 ? parseRole(parts.at(1)) : std::nullopt;
            const auto hash = parts.size() == 3 ? PasswordHash::parse(parts.at(2)) : std::nullopt;
            if (!role || !hash)
                return fail(QStringLiteral("'account' is 'NAME device|operator HASH [client_id=PATTERN]' with a "
                                           "hash from 'hermesd --hash-password'"));
            if (hash->iterations < PasswordHash::MinIterations || hash->iterations > PasswordHash::MaxIterations)
                return fail(QStringLiteral("account '%1': %2 PBKDF2 iterations is outside %3 to %4")
                                .arg(parts.at(0)).arg(hash->iterations)
                                .arg(PasswordHash::MinIterations).arg(PasswordHash::MaxIterations));
            if (std::any_of(config.accounts.cbegin(), config.accounts.cend(),
                            [&](const Account &a) { return a.userName == parts.at(0); }))
                return fail(QStringLiteral("account '%1' is defined twice").arg(parts.at(0)));
            config.accounts.append(Account{parts.at(0), *role, *hash, clientIdPattern});
        } else if (key == QLatin1String("push_topic") || key == QLatin1String("receipt_topic")
                   || key == QLatin1String("register_topic")) {
            if (!TopicTemplate(value).isValid())
                return fail(QStringLiteral("'%1' must be a topic with exactly one {id} level and no wildcards, e.g. devices/{id}/push").arg(key));
            QString &field = key == QLatin1String("push_topic") ? config.push.pushTopic
                : key == QLatin1String("receipt_topic")         ? config.push.receiptTopic
                                                                : config.push.registerTopic;
            field = value;
        } else if (key == QLatin1String("push_signing_key")) {
            const QStringList parts = value.simplified().split(QLatin1Char(' '));
            if (parts.size() != 2)
                return fail(QStringLiteral("'push_signing_key' is 'KEY_ID FILE' (the file holds 32+ random bytes or 64+ hex digits)"));
            config.push.signingKeyId = parts.at(0);
            config.push.signingKeyFile = parts.at(1);
        } else if (key == QLatin1String("acl")) {
            QString problem;
            const auto rule = AccessRule::parse(value, &problem);
            if (!rule)
                return fail(problem);
            config.aclRules.append(*rule);
        } else if (const auto problem = parseIntegrationSetting(key, value, config)) {
            if (!problem->isEmpty())
                return fail(*problem);
        } else if (const auto problem = parseNetworkSetting(key, value, fileName, config.networks)) {
            if (!problem->isEmpty())
                return fail(*problem);
        } else if (const auto problem = parseUpstreamSetting(key, value, fileName, config.upstream)) {
            if (!problem->isEmpty())
                return fail(*problem);
        } else {
            return fail(QStringLiteral("unknown setting '%1'").arg(key));
        }
        if (error)
            return *error;
        if (key.startsWith(QLatin1String("upstream")))
            upstreamLines.insert(key, lineNumber);
    }
    if (!config.upstream.management.isEmpty() && !config.upstream.enabled())
        return ConfigError{fileName, upstreamLines.value(QStringLiteral("upstream_management")),
                           QStringLiteral("'upstream_management' reads an upstream cluster's sessions: it needs "
                                          "'upstream HOST:PORT[,…]' too")};
    if (const auto problem = checkUpstreamTls(config.upstream, upstreamLines))
        return ConfigError{fileName, problem->first, problem->second};
    return config;
}

std::variant<BrokerConfig, ConfigError> loadBrokerConfig(const QString &fileName, BrokerConfig base)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return ConfigError{fileName, 0, file.errorString()};
    return parseBrokerConfig(QString::fromUtf8(file.readAll()), fileName, std::move(base));
}

} // namespace hermes
