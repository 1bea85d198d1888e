#pragma once
/// Where a simulated fleet connects: one broker, or the nodes of a cluster (part of
/// hermes_engine_api: scenarios name them).

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace hermes::sim {

/// One broker address, or one node of a cluster.
struct BrokerNode {
    QString host;
    quint16 port = 0;

    /// "127.0.0.1:1883", "[::1]:1883"
    QString toString() const
    {
        return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                               : QStringLiteral("%1:%2").arg(host).arg(port);
    }
    bool operator==(const BrokerNode &) const = default;
};

/// "HOST:PORT" or "[IPv6]:PORT"; nullopt when malformed.
inline std::optional<BrokerNode> parseBrokerNode(const QString &text)
{
    const QString trimmed = text.trimmed();
    const qsizetype colon = trimmed.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint port = colon > 0 ? trimmed.mid(colon + 1).toUInt(&ok) : 0;
    if (!ok || port == 0 || port > 65535)
        return std::nullopt;
    QString host = trimmed.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host.contains(QLatin1Char(' ')))
        return std::nullopt;
    return BrokerNode{host, quint16(port)};
}

/// "A:1883, B:1883" (commas, spaces around them optional): every address in order, at least
/// one. nullopt when one is malformed; `bad` then holds that one as written.
inline std::optional<QList<BrokerNode>> parseBrokerList(const QString &text, QString *bad = nullptr)
{
    QList<BrokerNode> nodes;
    const QStringList parts = text.split(QLatin1Char(','));
    for (const QString &part : parts) {
        const std::optional<BrokerNode> node = parseBrokerNode(part);
        if (!node) {
            if (bad)
                *bad = part.trimmed();
            return std::nullopt;
        }
        nodes.append(*node);
    }
    return nodes;
}

} // namespace hermes::sim
