#pragma once
/// Where and as whom the console attaches to a broker it does not embed: what a connection
/// profile, --connect and "Attach to it" hand to the attaching factories (part of
/// hermes_engine_api; attach.h picks the engine).

#include "engine/brokeraddress.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <optional>

namespace hermes {

/// The packaged hermesd's local administration socket (installer/hermesd.conf): its admin
/// group are operators there without a password.
inline constexpr QLatin1StringView DefaultLocalSocket{"/run/hermes/hermesd.sock"};

/// Where and as whom to attach: a RemoteEngine's settings, and a ClientEngine's when the
/// broker is not a hermesd that takes this account as an operator.
struct RemoteEngineOptions {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 1883;
    /// When set, the broker's Unix-domain socket instead of host and port (the packaged
    /// service's local administration socket: no password for its admin group).
    QString localPath;
    /// TLS to host:port when set (ignored with localPath).
    std::optional<ClientTlsSettings> tls;
    QString userName;                 ///< an operator account; empty: anonymous
    QByteArray password;
    QString clientId;                 ///< empty: "hermes-console-" and a random suffix
    int maxMessagesPerBatch = 500;    ///< beyond this, counted in messagesNotCaptured
    std::chrono::milliseconds requestTimeout{10000};
    /// Reconnect back-off after a lost link: doubles from the first to the last.
    std::chrono::milliseconds firstRetry{1000}, lastRetry{30000};

    /// "host:port", "mqtts://host:port" or "unix:PATH" (brokerAddress()), as errors and the
    /// status bar name the broker.
    QString address() const;
};

/// Parses "HOST:PORT", "[V6]:PORT", "HOST" (port 1883), ":PORT" (127.0.0.1), each also as
/// "mqtt://…", "mqtts://…" (TLS with the system's CAs and no client certificate; port
/// 8883) or "unix:PATH" into where to attach — the console's --connect and hermesctl's
/// --broker; nullopt if invalid.
std::optional<RemoteEngineOptions> parseAttachAddress(const QString &text);

} // namespace hermes
