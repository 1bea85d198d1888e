#pragma once
/// The Sessions view: every broker session in a filterable, sortable table.

#include "engine/api/monitor.h"

#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>
#include <QWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace hermes::ui {

class SessionTableModel;

/// Filters sessions by text (client ID, address, user, cluster node), state, backlog and late heartbeat;
/// sorts by SessionTableModel::SortValueRole.
class SessionFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    enum class StateFilter { All, Online, Offline };

    explicit SessionFilterProxy(QObject *parent = nullptr);

    void setText(const QString &text);
    void setStateFilter(StateFilter state);
    void setBacklogOnly(bool on);
    void setLateOnly(bool on);
    bool isFiltering() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
    StateFilter m_state = StateFilter::All;
    bool m_backlogOnly = false;
    bool m_lateOnly = false;
};

/// Paints the last-inbound age over a bar that fills towards the 1.5 T deadline: green
/// within T, amber up to 1.5 T, red beyond (SessionTableModel::LatenessRole).
class LatenessDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    static QColor colorFor(double lateness);
};

class SessionsView : public QWidget
{
    Q_OBJECT
public:
    /// `monitor` must outlive the view.
    explicit SessionsView(EngineMonitor &monitor, QWidget *parent = nullptr);

    SessionTableModel *model() const { return m_model; }
    SessionFilterProxy *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    /// "N sessions (M online)".
    QString countText() const;
    /// Kick asks for confirmation first; tests turn this off.
    void setConfirmKick(bool confirm) { m_confirmKick = confirm; }
    /// Client ID of the current row, or empty.
    QString currentClientId() const;
    /// Client IDs of the selected rows in view order (the current row when none is selected).
    QStringList selectedClientIds() const;
    /// Makes `clientId` the current row (if shown).
    bool selectClientId(const QString &clientId);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void changeEvent(QEvent *event) override;

signals:
    /// The user asked to push to these devices (the selection, or one row).
    void pushRequested(const QStringList &clientIds);
    /// Double-click or "Open detail": show the session and bring its detail forward.
    void sessionActivated(const QString &clientId);
    /// The current row moved (click, keys, or the program): the detail follows it.
    void currentSessionChanged(const QString &clientId);
    /// The set of selected rows changed; selectedClientIds() has the new set.
    void selectionChanged();

private:
    void retranslateUi();
    void applyBatch(const TelemetryBatch &batch);
    void updateCount();
    /// The Node column shows while some row has a node (an upstream cluster's session).
    void updateNodeColumn();
    void updateActions();
    void tick();
    void kickCurrent();

    EngineMonitor &m_monitor;
    SessionTableModel *m_model;
    SessionFilterProxy *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filterText;
    QComboBox *m_stateFilter;
    QCheckBox *m_backlogFilter;
    QCheckBox *m_lateFilter;
    QLabel *m_countLabel;
    QTimer *m_ageTimer;
    QAction *m_pushAction;
    QAction *m_kickAction;
    QAction *m_copyAction;
    QAction *m_detailAction;
    qint64 m_clockSkewMs = 0; ///< engine clock minus ours, from the latest batch
    bool m_confirmKick = true;
};

} // namespace hermes::ui
