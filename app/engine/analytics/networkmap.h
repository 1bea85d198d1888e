#pragma once
/// Which network a device's address belongs to, so that what one connection proves about
/// its carrier's NAT counts for every device behind the same carrier.

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace hermes::analytics {

/// Operators name networks by address ranges (`network NAME CIDR [CIDR…]` in hermesd.conf,
/// or a CSV file of `CIDR,NAME` rows for large carrier tables). The longest matching prefix
/// wins. An address no range covers falls into the group of its /16 (IPv6: /48), named by
/// that prefix ("10.20.0.0/16"), so evidence is never pooled across the whole internet.
/// IPv4-mapped IPv6 addresses count as IPv4.
class NetworkMap
{
public:
    /// Adds one range; false with `error` for a malformed CIDR ("10.0.0.0/33").
    bool add(const QString &name, const QString &cidr, QString *error = nullptr);
    /// Reads `CIDR,NAME` rows (blank lines and `#` comments skipped). On the first bad row
    /// returns false with `error` naming its line; rows before it stay added.
    bool addCsv(const QByteArray &csv, QString *error = nullptr);

    /// The network `address` belongs to; empty for a null address.
    QString networkOf(const QHostAddress &address) const;
    /// Names given by the operator, sorted.
    QStringList namedNetworks() const;
    qsizetype rangeCount() const { return m_rangeCount; }

private:
    /// One table per prefix length and family: the masked address → name. A lookup costs
    /// one hash probe per prefix length in use, however many ranges there are.
    struct PrefixTable {
        int length = 0;
        bool ipv6 = false;
        QHash<QByteArray, QString> names;
    };
    std::optional<QString> lookup(const QByteArray &bytes, bool ipv6) const;

    QList<PrefixTable> m_tables; ///< longest prefix first
    qsizetype m_rangeCount = 0;
};

} // namespace hermes::analytics
