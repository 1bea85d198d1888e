#pragma once
/// The Networks view's model: one row per network the fleet analytics know, with its NAT
/// timeout estimate and what silent deaths cost there.

#include "engine/analytics/networkreport.h"

#include <QAbstractTableModel>
#include <QList>

namespace hermes::ui {

/// Rows are NetworkReport values sorted by network name, as the engine lists them; the view
/// sorts through a proxy. An update removes the networks that went, inserts the new ones
/// where they belong and emits one dataChanged over every row: a fleet has a handful of
/// networks, refreshed every few seconds, and most figures (device-hours) move each time.
class NetworkTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Network,
        Live,
        NatTimeout,
        Evidence,
        KeepAlive,
        Applied,
        SilentDeaths,
        Reconnects,
        BlindTime,
        ColumnCount
    };
    enum Role {
        SortValueRole = Qt::UserRole + 1, ///< numbers for numeric columns, text otherwise
        NetworkRole,                      ///< any column: the row's network name
        TrustedRole,                      ///< any column: the estimate is adequate
    };

    explicit NetworkTableModel(QObject *parent = nullptr);

    void setReports(const QList<analytics::NetworkReport> &reports);
    const analytics::NetworkReport &report(int row) const { return m_rows.at(row); }
    /// The row of `network`, or -1.
    int rowOf(const QString &network) const;
    /// After a language change: headerDataChanged and one dataChanged over every row.
    void retranslate();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<analytics::NetworkReport> m_rows;
};

} // namespace hermes::ui
