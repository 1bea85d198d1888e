#include "networkmap.h"

#include <QByteArrayList>
#include <QSet>

#include <algorithm>

namespace hermes::analytics {

namespace {

constexpr int DefaultIPv4Prefix = 16;
constexpr int DefaultIPv6Prefix = 48;

/// The address in network byte order: 4 bytes for IPv4 (mapped IPv6 included), else 16.
QByteArray addressBytes(const QHostAddress &address, bool *ipv6)
{
    bool isIPv4 = false;
    const quint32 v4 = address.toIPv4Address(&isIPv4);
    if (isIPv4) {
        *ipv6 = false;
        const char bytes[4] = {char(v4 >> 24), char(v4 >> 16), char(v4 >> 8), char(v4)};
        return QByteArray(bytes, 4);
    }
    *ipv6 = true;
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
}

QByteArray masked(QByteArray bytes, int prefixLength)
{
    for (int i = 0; i < bytes.size(); ++i) {
        const int bitsKept = std::clamp(prefixLength - i * 8, 0, 8);
        bytes[i] = char(quint8(bytes[i]) & quint8(0xFF00 >> bitsKept));
    }
    return bytes;
}

QString prefixName(const QByteArray &maskedBytes, bool ipv6, int prefixLength)
{
    const QHostAddress base = ipv6 ? QHostAddress(reinterpret_cast<const quint8 *>(maskedBytes.constData()))
                                   : QHostAddress(quint32(quint8(maskedBytes[0])) << 24 | quint32(quint8(maskedBytes[1])) << 16
                                                  | quint32(quint8(maskedBytes[2])) << 8 | quint8(maskedBytes[3]));
    return QStringLiteral("%1/%2").arg(base.toString()).arg(prefixLength);
}

} // namespace

bool NetworkMap::add(const QString &name, const QString &cidr, QString *error)
{
    const auto [base, length] = QHostAddress::parseSubnet(cidr.trimmed());
    if (base.isNull() || length < 0 || name.trimmed().isEmpty()) {
        if (error)
            *error = name.trimmed().isEmpty() ? QStringLiteral("a network needs a name")
                                              : QStringLiteral("'%1' is not an address range (e.g. 10.0.0.0/8, 2001:db8::/32)").arg(cidr);
        return false;
    }
    bool ipv6 = false;
    const QByteArray bytes = addressBytes(base, &ipv6);
    // A mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
    const int prefix = (!ipv6 && base.protocol() == QAbstractSocket::IPv6Protocol) ? std::max(0, length - 96) : length;
    auto table = std::find_if(m_tables.begin(), m_tables.end(),
                              [&](const PrefixTable &t) { return t.length == prefix && t.ipv6 == ipv6; });
    if (table == m_tables.end()) {
        m_tables.append(PrefixTable{prefix, ipv6, {}});
        std::sort(m_tables.begin(), m_tables.end(),
                  [](const PrefixTable &a, const PrefixTable &b) { return a.length > b.length; });
        table = std::find_if(m_tables.begin(), m_tables.end(),
                             [&](const PrefixTable &t) { return t.length == prefix && t.ipv6 == ipv6; });
    }
    const QByteArray key = masked(bytes, prefix);
    if (!table->names.contains(key))
        ++m_rangeCount;
    table->names.insert(key, name.trimmed());
    return true;
}

bool NetworkMap::addCsv(const QByteArray &csv, QString *error)
{
    const QByteArrayList lines = csv.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype comma = line.indexOf(',');
        QString why;
        if (comma < 0) {
            why = QStringLiteral("expected CIDR,NAME");
        } else if (add(QString::fromUtf8(line.mid(comma + 1)).trimmed(), QString::fromUtf8(line.left(comma)), &why)) {
            continue;
        }
        if (error)
            *error = QStringLiteral("line %1: %2").arg(i + 1).arg(why);
        return false;
    }
    return true;
}

std::optional<QString> NetworkMap::lookup(const QByteArray &bytes, bool ipv6) const
{
    for (const PrefixTable &table : m_tables) {
        if (table.ipv6 != ipv6)
            continue;
        const auto found = table.names.constFind(masked(bytes, table.length));
        if (found != table.names.cend())
            return *found;
    }
    return std::nullopt;
}

QString NetworkMap::networkOf(const QHostAddress &address) const
{
    if (address.isNull())
        return {};
    bool ipv6 = false;
    const QByteArray bytes = addressBytes(address, &ipv6);
    if (const auto named = lookup(bytes, ipv6))
        return *named;
    const int prefix = ipv6 ? DefaultIPv6Prefix : DefaultIPv4Prefix;
    return prefixName(masked(bytes, prefix), ipv6, prefix);
}

QStringList NetworkMap::namedNetworks() const
{
    QSet<QString> names;
    for (const PrefixTable &table : m_tables)
        for (const QString &name : table.names)
            names.insert(name);
    QStringList sorted(names.cbegin(), names.cend());
    sorted.sort();
    return sorted;
}

} // namespace hermes::analytics
