#pragma once
/// A connection's remote endpoint in 20 bytes, formatted only when someone looks.

#include <QHostAddress>
#include <QString>

#include <array>

struct sockaddr; // <sys/socket.h>

namespace hermes {

/// Kept per connection and per session: as a "ip:port" QString it would cost ~110 bytes of
/// heap and handles for every idle client.
class PeerAddress
{
public:
    PeerAddress() = default;
    PeerAddress(const QHostAddress &host, quint16 port);
    /// From getpeername()'s result (AF_INET or AF_INET6); empty for anything else.
    static PeerAddress fromSockaddr(const sockaddr *address);

    bool isNull() const { return m_family == Family::None; }
    QHostAddress host() const;
    quint16 port() const { return m_port; }
    bool isLoopback() const { return host().isLoopback(); }
    /// "127.0.0.1:50123", "::1:50123"; empty when null.
    QString toString() const;

private:
    enum class Family : quint8 { None, IPv4, IPv6 };
    std::array<quint8, 16> m_bytes{}; ///< IPv4: the first 4, network order
    quint16 m_port = 0;
    Family m_family = Family::None;
};

} // namespace hermes
