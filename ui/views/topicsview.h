#pragma once
/// The Topics view: a tree of every topic seen with its last message and retained marker,
/// a filter, and deletion of a subtree's retained messages in gentle batches.

#include "engine/api/monitor.h"

#include <QSortFilterProxyModel>
#include <QTimer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTreeView;

namespace hermes::ui {

class TopicTreeModel;

/// Keeps a node when its full topic contains the filter text (case-insensitive), or, for
/// a valid MQTT filter with wildcards, when the topic matches it; ancestors of kept nodes
/// stay (recursive filtering).
class TopicFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TopicFilterProxy(QObject *parent = nullptr);
    void setTopicFilter(const QString &text);
    QString topicFilter() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_wildcard = false;
};

class TopicsView : public QWidget
{
    Q_OBJECT
public:
    /// Retained deletes sent to the engine per tick, and the tick: at most 8,000 a second,
    /// so deleting a large subtree never floods the broker's queue.
    static constexpr int DeleteBatchSize = 200;
    static constexpr int DeleteTickMs = 25;
    /// Model updates (R8): queued records are applied at most this often.
    static constexpr int FlushIntervalMs = 200;

    explicit TopicsView(EngineMonitor &monitor, QWidget *parent = nullptr);

    TopicTreeModel *model() const { return m_model; }
    TopicFilterProxy *proxy() const { return m_proxy; }
    QTreeView *tree() const { return m_tree; }
    /// Asks before deleting; tests turn this off.
    void setConfirmDeletes(bool confirm) { m_confirmDeletes = confirm; }

    /// Deletes the retained messages in the subtree of `sourceIndex` (a model index), in
    /// batches. Returns how many are queued (0 when none or a deletion is running).
    int deleteRetainedUnder(const QModelIndex &sourceIndex);
    void cancelDelete();
    bool isDeleting() const { return m_deleteTimer.isActive(); }
    /// Sends requestRetained(); the answer refreshes the retained markers.
    void refreshRetained();

signals:
    /// A deletion finished (cancelled or not) after sending `sent` of `total` deletes.
    void deleteFinished(int sent, int total, bool cancelled);
    /// The engine's retained list, asked for after a deletion, shows `deleted` of the sent
    /// deletes done and `stillRetained` topics retained again (published since).
    void deleteConfirmed(int deleted, int stillRetained);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void flushModel();
    void expandSmallResult();
    void deleteSelected();
    void deleteTick();
    void finishDelete(bool cancelled);
    void confirmDelete(const QList<MessageRecord> &retained);
    void showContextMenu(const QPoint &pos);
    void updateStatus();

    EngineMonitor &m_monitor;
    TopicTreeModel *m_model;
    TopicFilterProxy *m_proxy;
    QTreeView *m_tree;
    QLineEdit *m_filter;
    QLabel *m_status;
    QPushButton *m_deleteButton;
    QPushButton *m_refreshButton;
    QProgressBar *m_progress;
    QPushButton *m_cancelButton;
    QTimer m_flushTimer;
    QTimer m_filterTimer;
    QTimer m_deleteTimer;
    QStringList m_deleteQueue;
    int m_deleteSent = 0;
    QString m_note; ///< the last deletion's outcome, shown after the counts
    /// Deletes are not acknowledged: the topics of the last deletion, until the engine's
    /// next retained list shows which of them are gone.
    QStringList m_unconfirmed;
    int m_unconfirmedTotal = 0;
    bool m_unconfirmedCancelled = false;
    bool m_confirmDeletes = true;
};

} // namespace hermes::ui
