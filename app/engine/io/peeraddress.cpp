#include "peeraddress.h"

#include <QtEndian>

#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>

namespace hermes {

PeerAddress::PeerAddress(const QHostAddress &host, quint16 port)
    : m_port(port)
{
    bool isIPv4 = false;
    const quint32 ipv4 = host.toIPv4Address(&isIPv4);
    if (isIPv4 && host.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 networkOrder = qToBigEndian(ipv4);
        std::memcpy(m_bytes.data(), &networkOrder, sizeof networkOrder);
        m_family = Family::IPv4;
    } else if (host.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR ipv6 = host.toIPv6Address();
        std::memcpy(m_bytes.data(), ipv6.c, m_bytes.size());
        m_family = Family::IPv6;
    }
}

PeerAddress PeerAddress::fromSockaddr(const sockaddr *address)
{
    PeerAddress peer;
    if (address->sa_family == AF_INET) {
        const auto *ipv4 = reinterpret_cast<const sockaddr_in *>(address);
        std::memcpy(peer.m_bytes.data(), &ipv4->sin_addr, 4);
        peer.m_port = ntohs(ipv4->sin_port);
        peer.m_family = Family::IPv4;
    } else if (address->sa_family == AF_INET6) {
        const auto *ipv6 = reinterpret_cast<const sockaddr_in6 *>(address);
        std::memcpy(peer.m_bytes.data(), &ipv6->sin6_addr, 16);
        peer.m_port = ntohs(ipv6->sin6_port);
        peer.m_family = Family::IPv6;
    }
    return peer;
}

QHostAddress PeerAddress::host() const
{
    switch (m_family) {
    case Family::IPv4: {
        quint32 networkOrder = 0;
        std::memcpy(&networkOrder, m_bytes.data(), sizeof networkOrder);
        return QHostAddress(qFromBigEndian(networkOrder));
    }
    case Family::IPv6:
        return QHostAddress(m_bytes.data());
    case Family::None:
        break;
    }
    return {};
}

QString PeerAddress::toString() const
{
    if (isNull())
        return {};
    return QStringLiteral("%1:%2").arg(host().toString()).arg(m_port);
}

} // namespace hermes
