#include "networktablemodel.h"

#include "networktext.h"

#include <QLocale>
#include <QSet>

#include <algorithm>

namespace hermes::ui {

using analytics::NetworkReport;

NetworkTableModel::NetworkTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int NetworkTableModel::rowOf(const QString &network) const
{
    const auto found = std::find_if(m_rows.cbegin(), m_rows.cend(),
                                    [&](const NetworkReport &r) { return r.network == network; });
    return found == m_rows.cend() ? -1 : int(found - m_rows.cbegin());
}

void NetworkTableModel::setReports(const QList<NetworkReport> &reports)
{
    QList<NetworkReport> incoming = reports;
    std::sort(incoming.begin(), incoming.end(),
              [](const NetworkReport &a, const NetworkReport &b) { return a.network < b.network; });
    QSet<QString> names;
    for (const NetworkReport &report : std::as_const(incoming))
        names.insert(report.network);
    // Gone: removed from the bottom up, so the rows above keep their numbers.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        if (names.contains(m_rows.at(row).network))
            continue;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    }
    // New: inserted where the name sorts; the rest take their new figures in place.
    for (int row = 0; row < int(incoming.size()); ++row) {
        if (row < int(m_rows.size()) && m_rows.at(row).network == incoming.at(row).network) {
            m_rows[row] = incoming.at(row);
            continue;
        }
        beginInsertRows({}, row, row);
        m_rows.insert(row, incoming.at(row));
        endInsertRows();
    }
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

void NetworkTableModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

int NetworkTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int NetworkTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant NetworkTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const NetworkReport &r = m_rows.at(index.row());
    const analytics::NatEstimate &e = r.estimate;
    if (role == NetworkRole)
        return r.network;
    if (role == TrustedRole)
        return NetworkText::isTrusted(e);
    if (role == Qt::TextAlignmentRole)
        return index.column() == Network ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    if (role == Qt::ToolTipRole) {
        if (index.column() == NatTimeout)
            return NetworkText::tentativeInterval(e) + QLatin1Char('\n') + NetworkText::evidenceToolTip(e);
        if (index.column() == Evidence)
            return NetworkText::evidenceToolTip(e);
        if (index.column() == Applied)
            return NetworkText::appliedToolTip(r.applied);
        return {};
    }
    if (role == SortValueRole) {
        const auto ms = [](const std::optional<analytics::Duration> &d) { return d ? qint64(d->count()) : qint64(-1); };
        switch (Column(index.column())) {
        case Network: return r.network;
        case Live: return r.liveConnections;
        case NatTimeout: return NetworkText::isTrusted(e) ? ms(e.lowerBound ? e.lowerBound : e.upperBound) : -1;
        case Evidence: return e.survivingDevices + e.killedDevices;
        case KeepAlive: return ms(e.recommendedKeepAlive);
        case Applied: return int(r.applied.keepAliveSeconds);
        case SilentDeaths: return r.silentDeathsPerDeviceHour();
        case Reconnects: return r.reconnectsPerDeviceHour();
        case BlindTime: return qint64(r.blindTimeMedian.count());
        case ColumnCount: break;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Network: return r.network;
    case Live: return QLocale().toString(r.liveConnections);
    case NatTimeout: return NetworkText::interval(e);
    case Evidence: return NetworkText::evidence(e);
    case KeepAlive: return NetworkText::keepAlive(e);
    case Applied: return NetworkText::applied(r.applied);
    case SilentDeaths: return NetworkText::perDeviceHour(r.silentDeathsPerDeviceHour());
    case Reconnects: return NetworkText::perDeviceHour(r.reconnectsPerDeviceHour());
    case BlindTime: return NetworkText::blindTime(r);
    case ColumnCount: break;
    }
    return {};
}

QVariant NetworkTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case NatTimeout:
            return tr("The interval the carrier NAT's idle timeout lies in: idle gaps below it survived, "
                      "gaps above it killed connections");
        case Evidence: return tr("Devices that survived an idle gap / devices that lost their NAT mapping");
        case KeepAlive: return tr("The keep-alive to give devices on this network: under the timeout by a margin");
        case Applied:
            return tr("The keep-alive the broker gives this network's devices now (Server Keep Alive to MQTT 5 "
                      "devices, signed offers to smart-heartbeat devices); the tooltip of a cell lists each change "
                      "with the silent-death rate before and since");
        case SilentDeaths: return tr("Connections that died without a FIN or DISCONNECT, per device-hour connected");
        case Reconnects: return tr("Connects per device-hour connected");
        case BlindTime:
            return tr("How long the broker kept sending into a connection that had silently died, before it noticed: "
                      "pushes in that time were late (median / max)");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Network: return tr("Network");
    case Live: return tr("Live");
    case NatTimeout: return tr("NAT timeout");
    case Evidence: return tr("Evidence");
    // Two lines for the long ones: the table fits a bottom dock on a laptop.
    case KeepAlive: return tr("Keep-alive\nadvice");
    case Applied: return tr("Keep-alive\napplied");
    case SilentDeaths: return tr("Silent deaths\nper device-hour");
    case Reconnects: return tr("Reconnects\nper device-hour");
    case BlindTime: return tr("Push delay\nmedian / max");
    case ColumnCount: break;
    }
    return {};
}

} // namespace hermes::ui
