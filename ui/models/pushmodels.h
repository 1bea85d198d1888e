#pragma once
/// Pushes as tables: one row per push, and the targets of one push.

#include "engine/api/monitor.h"

#include <QAbstractTableModel>

namespace hermes::ui {

/// "devices a, b", "tag vip", "all devices", ... in the console's language.
QString pushTargetText(const PushTarget &target);

/// One row per push, newest first; updated from EngineMonitor::pushReportsChanged.
class PushListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Target, Created, Audience, Receipted, Acknowledged, Pending, Failed, Rate, Latency, ColumnCount };
    /// The full report of a row, for the target table.
    static constexpr int ReportRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void apply(const QList<PushReport> &reports);
    const PushReport *report(int row) const;
    int rowOf(const QString &pushId) const;

private:
    QList<PushReport> m_reports; ///< newest first
};

/// The targets of one push.
class PushTargetModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Device, Sequence, State, Queued, Sent, Acknowledged, Receipted, Receipt, Detail, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setReport(const PushReport &report);
    void clear();
    const PushReport &report() const { return m_report; }

private:
    PushReport m_report;
};

} // namespace hermes::ui
