#pragma once
/// The broker's settings: defaults, the config file format, and command-line overrides.

#include "brokeraddress.h"
#include "listenaddress.h"
#include "security/accesscontrol.h"
#include "security/authbackoff.h"
#include "security/connectionratelimiter.h"

#include "mqtt/sessionmachine.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>
#include <variant>

namespace hermes {

enum class LogLevel { Error, Warning, Info, Debug };

/// Who may connect without a user name.
enum class AnonymousAccess {
    Loopback, ///< only from 127.0.0.0/8 and ::1 (the default: a console on the same machine)
    Always,
    Never,
};

/// Certificate and key for TLS listeners, PEM files.
struct TlsSettings {
    QString certificateFile;
    QString keyFile;
    QString caFile;                        ///< CA for client certificates (optional)
    bool requireClientCertificate = false;
    /// The client certificate's CN (else its first SAN) is the user name, and no password
    /// is asked for (use_identity_as_username, as in mosquitto).
    bool identityAsUserName = false;
    bool operator==(const TlsSettings &) const = default;
};

/// When a stored write counts as safe: what a publisher's acknowledgement promises.
enum class Durability {
    Process, ///< survives the broker being killed (SQLite WAL, synchronous=NORMAL)
    Power,   ///< also survives power loss: the WAL is fsynced before an ack (synchronous=FULL)
};

/// The push service's topics and signing key (push_topic, receipt_topic, register_topic,
/// push_signing_key). Topics are templates with one `{id}` level.
struct PushSettings {
    QString pushTopic = QStringLiteral("devices/{id}/push");
    QString receiptTopic = QStringLiteral("devices/{id}/receipt");
    QString registerTopic = QStringLiteral("devices/{id}/register");
    QString signingKeyId;   ///< empty: envelopes go out unsigned
    QString signingKeyFile; ///< the key: 32+ raw bytes, or 64+ hex digits
    bool operator==(const PushSettings &) const = default;
};

/// An MQTT-over-WebSocket listener: `listener_ws HOST:PORT[/PATH]`, `listener_wss …` (TLS).
struct WebSocketListenAddress {
    ListenAddress address;                 ///< address.tls: wss
    QString path = QStringLiteral("/mqtt");
    bool operator==(const WebSocketListenAddress &) const = default;
    /// "ws://127.0.0.1:8083/mqtt"
    QString toString() const;
    static std::optional<WebSocketListenAddress> parse(const QString &text, bool tls);
};

/// MQTT over WebSocket (docs/ADMIN-API.md has none of it: these are device listeners).
struct WebSocketSettings {
    QList<WebSocketListenAddress> listeners;
    /// `ws_allowed_origins`: the Origin values a browser may connect from; "*" any. Empty:
    /// only clients that send no Origin or one naming the host they connect to, so a web
    /// page elsewhere cannot use a browser on this machine to reach a loopback broker.
    QStringList allowedOrigins;
    bool operator==(const WebSocketSettings &) const = default;
};

/// The HTTP API, /metrics and the health checks (docs/HTTP-API.md).
struct HttpSettings {
    std::optional<ListenAddress> listener; ///< `http_listener` / `http_listener_tls`; none: off
    qint64 maxBodyBytes = 1024 * 1024;     ///< `http_max_body_bytes`: larger requests get 413
    int idleTimeoutSeconds = 60;           ///< `http_idle_timeout`: silent connections are closed
    bool metricsAnonymous = false;         ///< `metrics_anonymous`: /metrics without an API key
    bool operator==(const HttpSettings &) const = default;
};

/// Named networks for fleet analytics (docs/ARCHITECTURE.md "Fleet analytics"): which
/// address ranges belong to which carrier, from `network NAME CIDR [CIDR…]` lines and
/// `network_file PATH` tables (rows `CIDR,NAME`), in the order given.
struct NetworkSettings {
    struct Range {
        QString name;
        QString cidr;
        bool operator==(const Range &) const = default;
    };
    QList<Range> ranges;
    /// `network_act NAME on`: networks whose MQTT 5 devices get the recommended keep-alive
    /// as Server Keep Alive in CONNACK. Off for every network unless named here.
    QStringList acting;
    /// `network_time_scale X`: the fleet is simulated X times faster than real time (its NATs
    /// and heartbeats, as hermesctl simulate --time-scale X runs them). The analytics count
    /// every gap and age X times longer, so figures are in the fleet's own time, and the
    /// keep-alive they apply goes on the wire X times shorter. 1 for real devices.
    double timeScale = 1.0;
    bool operator==(const NetworkSettings &) const = default;
};

/// One node of an upstream cluster: `HOST:PORT` (a name or an address; `[V6]:PORT`).
struct UpstreamNode {
    QString host;
    quint16 port = 1883;
    bool operator==(const UpstreamNode &) const = default;
    QString toString() const;
    static std::optional<UpstreamNode> parse(const QString &text);
};

/// Upstream mode (docs/SCALE-OUT.md): the push service delivers through an external clustered
/// broker instead of this one, which then serves operators only. `upstream HOST:PORT[,…]`,
/// `upstream_user NAME`, `upstream_password_file PATH`, `upstream_client_id ID`; and where
/// hermesd reads the cluster's sessions: `upstream_management URL[,…]`,
/// `upstream_management_user NAME`, `upstream_management_password_file PATH`,
/// `upstream_management_interval SECONDS`, `upstream_management_timeout SECONDS`; and TLS to
/// the cluster: `upstream_tls on|off`, `upstream_tls_ca FILE`, `upstream_tls_cert FILE`,
/// `upstream_tls_key FILE`, `upstream_tls_name NAME`.
struct UpstreamSettings {
    QList<UpstreamNode> nodes; ///< tried in order, failing over to the next; empty: off
    /// `upstream_tls on`: the MQTT link speaks TLS to every node of the list (a cluster's
    /// nodes share one listener setup, so this is the cluster's, not a node's).
    bool tls = false;
    /// What the MQTT link (with `tls`) and https:// management URLs trust and present: the CA
    /// (empty: the system's), the optional client certificate and key, and the name the
    /// cluster's certificates must carry (empty: the host connected to). Paths are absolute:
    /// relative ones are taken from the config file's directory when it is loaded.
    ClientTlsSettings tlsFiles;
    QString userName;
    /// Read from upstream_password_file when the config is loaded: never written in the
    /// config itself, never logged.
    QByteArray password;
    QString clientId = QStringLiteral("hermesd-upstream");
    /// The cluster's management API (RabbitMQ's, `http://HOST:15672`), tried in order like
    /// the nodes; empty: hermesd lists no sessions of the cluster.
    QList<QUrl> management;
    QString managementUserName;    ///< empty: userName
    QByteArray managementPassword; ///< from upstream_management_password_file; empty: password
    int managementIntervalSeconds = 5; ///< upstream_management_interval: from one refresh's end to the next
    int managementTimeoutSeconds = 30; ///< upstream_management_timeout: per request
    bool enabled() const { return !nodes.isEmpty(); }
    /// The MQTT link or a management URL speaks TLS, so tlsFiles are used.
    bool usesTls() const;
    /// The account the management API is asked as: its own where given, else the MQTT link's.
    QString managementUser() const { return managementUserName.isEmpty() ? userName : managementUserName; }
    QByteArray managementSecret() const { return managementPassword.isEmpty() ? password : managementPassword; }
    /// "127.0.0.1:1883, 127.0.0.1:1884 as hermes" (never the password), "… over TLS (CA FILE)"
    QString toString() const;
    bool operator==(const UpstreamSettings &) const = default;
};

/// Everything hermesd and the console's embedded broker can be told.
struct BrokerConfig {
    QList<ListenAddress> listeners{ListenAddress{}};
    /// Unix-domain sockets for local administration (`listener unix:/ABSOLUTE/PATH`).
    QStringList localSockets;
    QString dataDir;              ///< empty = the platform's app data dir
    bool persistence = true;      ///< SQLite store in dataDir
    LogLevel logLevel = LogLevel::Info;
    int maxConnections = 0;       ///< 0 = unlimited
    int sysIntervalSeconds = 10;  ///< $SYS publish period, 0 = off
    quint32 maxSessionExpirySeconds = 0xFFFFFFFF; ///< caps what clients ask for
    mqtt::ServerLimits limits;
    Durability durability = Durability::Process;
    AnonymousAccess allowAnonymous = AnonymousAccess::Loopback;
    /// What an admitted anonymous client may do; operator only when the config says so.
    Role anonymousRole = Role::Device;
    /// Unix-socket clients running as root, as the broker's own user or in this group are
    /// operators without a password (local_admin_group).
    QString localAdminGroup = QStringLiteral("hermes");
    QList<Account> accounts;             ///< `account NAME ROLE HASH [client_id=PATTERN]` lines
    QList<AccessRule> aclRules;          ///< `acl WHO ACCESS FILTER` lines, after the defaults
    TlsSettings tls;
    /// Abuse limits. `limits_exempt_loopback` sets exemptLoopback in both.
    ConnectionRateSettings connectionRate; ///< max_connections_per_second, max_connections_burst
    AuthBackoffSettings authBackoff;       ///< auth_failure_backoff INITIAL MAXIMUM (seconds)
    int maxSubscriptionsPerClient = 1000;  ///< filters one session may hold; 0 = unlimited
    PushSettings push;
    HttpSettings http;
    WebSocketSettings webSocket;
    NetworkSettings networks;
    UpstreamSettings upstream;

    bool operator==(const BrokerConfig &) const = default;
};

/// A config-file problem, with its 1-based line.
struct ConfigError {
    QString file;
    int line = 0;
    QString message;
    QString toString() const;
};

/// Parses the mosquitto-style format: one "key value" per line, '#' comments, `listener`
/// repeatable. Unknown keys and bad values are errors, never silently ignored.
std::variant<BrokerConfig, ConfigError> parseBrokerConfig(const QString &text, const QString &fileName,
                                                          BrokerConfig base = {});

/// Reads and parses a file.
std::variant<BrokerConfig, ConfigError> loadBrokerConfig(const QString &fileName, BrokerConfig base = {});

/// "error" | "warning" | "info" | "debug"
/// The settings SIGHUP reloads into a running broker: who may connect and what they may do.
struct AccessSettings {
    AnonymousAccess allowAnonymous = AnonymousAccess::Loopback;
    Role anonymousRole = Role::Device;
    QList<Account> accounts;
    QList<AccessRule> aclRules;
    bool operator==(const AccessSettings &) const = default;

    static AccessSettings from(const BrokerConfig &config)
    {
        return {config.allowAnonymous, config.anonymousRole, config.accounts, config.aclRules};
    }
};

std::optional<LogLevel> parseLogLevel(const QString &text);
QString logLevelName(LogLevel level);

/// The directory used when BrokerConfig::dataDir is empty.
QString defaultDataDir();

} // namespace hermes
