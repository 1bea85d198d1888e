#pragma once
/// Where a broker listens: a value the broker's settings, the console and hermesctl share
/// (part of hermes_engine_api).

#include <QHostAddress>
#include <QString>

#include <optional>

namespace hermes {

/// One TCP address the broker listens on.
struct ListenAddress {
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 1883; ///< 0 = any free port (tests)
    bool tls = false;    ///< MQTT over TLS (conventionally port 8883)
    bool operator==(const ListenAddress &) const = default;

    /// "127.0.0.1:1883", "[::1]:1883", "127.0.0.1:8883 (TLS)"
    QString toString() const;
    /// Parses "HOST:PORT", "[V6]:PORT", ":PORT" or "PORT" (host 0.0.0.0). Nullopt if invalid.
    static std::optional<ListenAddress> parse(const QString &text);
};

} // namespace hermes
