#include "listenaddress.h"

namespace hermes {

QString ListenAddress::toString() const
{
    const QString hostText = host.protocol() == QAbstractSocket::IPv6Protocol
        ? QStringLiteral("[%1]").arg(host.toString())
        : host.toString();
    return QStringLiteral("%1:%2%3").arg(hostText).arg(port).arg(tls ? QStringLiteral(" (TLS)") : QString());
}

std::optional<ListenAddress> ListenAddress::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    QString hostPart;
    QString portPart;
    if (trimmed.startsWith(QLatin1Char('['))) {
        const qsizetype close = trimmed.indexOf(QStringLiteral("]:"));
        if (close < 0)
            return std::nullopt;
        hostPart = trimmed.mid(1, close - 1);
        portPart = trimmed.mid(close + 2);
    } else if (const qsizetype colon = trimmed.lastIndexOf(QLatin1Char(':')); colon >= 0) {
        hostPart = trimmed.left(colon);
        portPart = trimmed.mid(colon + 1);
    } else {
        portPart = trimmed;
    }
    bool ok = false;
    const uint port = portPart.toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    ListenAddress address;
    address.port = quint16(port);
    if (hostPart.isEmpty() || hostPart == QLatin1String("*")) {
        address.host = QHostAddress::AnyIPv4;
    } else if (hostPart == QLatin1String("localhost")) {
        address.host = QHostAddress::LocalHost;
    } else if (!address.host.setAddress(hostPart)) {
        return std::nullopt;
    }
    return address;
}

} // namespace hermes
