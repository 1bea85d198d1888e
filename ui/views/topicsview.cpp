#include "topicsview.h"

#include "topictreemodel.h"

#include "mqtt/topic.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QTreeView>
#include <QVBoxLayout>

namespace hermes::ui {

TopicFilterProxy::TopicFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
    setSortRole(TopicTreeModel::SortValueRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void TopicFilterProxy::setTopicFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    // A reset, not invalidateRowsFilter(): with a large expanded tree the view handles
    // thousands of separate row removals far slower than one reset (1 s vs ~50 ms at
    // 50,000 topics). The view re-expands small results itself.
    beginResetModel();
    m_text = trimmed;
    m_wildcard = (m_text.contains(QLatin1Char('+')) || m_text.contains(QLatin1Char('#')))
        && mqtt::isValidTopicFilter(m_text);
    endResetModel();
}

bool TopicFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_text.isEmpty())
        return true;
    const QString topic = sourceModel()->index(sourceRow, 0, sourceParent).data(TopicTreeModel::TopicRole).toString();
    if (m_wildcard)
        return mqtt::topicMatches(m_text, topic);
    return topic.contains(m_text, Qt::CaseInsensitive);
}

TopicsView::TopicsView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
    , m_model(new TopicTreeModel(this))
    , m_proxy(new TopicFilterProxy(this))
    , m_tree(new QTreeView(this))
    , m_filter(new QLineEdit(this))
    , m_status(new QLabel(this))
    , m_deleteButton(new QPushButton(this))
    , m_refreshButton(new QPushButton(this))
    , m_progress(new QProgressBar(this))
    , m_cancelButton(new QPushButton(this))
{
    m_filter->setObjectName(QStringLiteral("topicsFilter"));
    m_filter->setClearButtonEnabled(true);
    m_deleteButton->setObjectName(QStringLiteral("deleteRetained"));
    m_deleteButton->setEnabled(false);
    m_refreshButton->setObjectName(QStringLiteral("refreshRetained"));
    m_progress->setObjectName(QStringLiteral("deleteProgress"));
    m_progress->hide();
    m_cancelButton->setObjectName(QStringLiteral("cancelDelete"));
    m_cancelButton->hide();
    m_status->setObjectName(QStringLiteral("topicsStatus"));

    m_proxy->setSourceModel(m_model);
    m_tree->setModel(m_proxy);
    m_tree->setUniformRowHeights(true); // lets the view skip measuring 50,000 rows
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(TopicTreeModel::Name, Qt::AscendingOrder);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    m_tree->setColumnWidth(TopicTreeModel::Name, 260);
    m_tree->setColumnWidth(TopicTreeModel::Messages, 90);
    m_tree->setColumnWidth(TopicTreeModel::Retained, 110);
    m_tree->setColumnWidth(TopicTreeModel::LastTime, 90);
    m_tree->header()->setStretchLastSection(true);
    connect(m_tree, &QWidget::customContextMenuRequested, this, &TopicsView::showContextMenu);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] { updateStatus(); });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_refreshButton);
    bar->addWidget(m_deleteButton);
    auto *progressBar = new QHBoxLayout;
    progressBar->addWidget(m_status, 1);
    progressBar->addWidget(m_progress);
    progressBar->addWidget(m_cancelButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_tree, 1);
    layout->addLayout(progressBar);

    // Typing refilters once the user pauses, not per key: 50,000 nodes per keystroke lag.
    m_filterTimer.setSingleShot(true);
    m_filterTimer.setInterval(200);
    connect(m_filter, &QLineEdit::textChanged, &m_filterTimer, qOverload<>(&QTimer::start));
    connect(&m_filterTimer, &QTimer::timeout, this, [this] {
        m_proxy->setTopicFilter(m_filter->text());
        if (!m_proxy->topicFilter().isEmpty())
            expandSmallResult();
    });

    m_flushTimer.setInterval(FlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &TopicsView::flushModel);
    m_flushTimer.start();
    m_deleteTimer.setInterval(DeleteTickMs);
    connect(&m_deleteTimer, &QTimer::timeout, this, &TopicsView::deleteTick);

    connect(m_refreshButton, &QPushButton::clicked, this, &TopicsView::refreshRetained);
    connect(m_deleteButton, &QPushButton::clicked, this, &TopicsView::deleteSelected);
    connect(m_cancelButton, &QPushButton::clicked, this, &TopicsView::cancelDelete);
    connect(&monitor, &EngineMonitor::telemetry, this, [this](const TelemetryBatch &batch) {
        m_model->enqueue(batch.messages);
    });
    connect(&monitor, &EngineMonitor::retainedMessages, this, [this](const QList<MessageRecord> &retained) {
        m_model->enqueueRetainedList(retained);
        confirmDelete(retained);
    });
    connect(&monitor, &EngineMonitor::started, this, &TopicsView::refreshRetained);
    if (monitor.isRunning())
        refreshRetained();
    retranslateUi();
}

void TopicsView::retranslateUi()
{
    m_filter->setPlaceholderText(tr("Filter topics: text, or a filter like devices/+/state"));
    m_deleteButton->setText(tr("Delete retained…"));
    m_deleteButton->setToolTip(tr("Delete the retained messages of the selected topic and every topic below it"));
    m_refreshButton->setText(tr("Refresh retained"));
    m_refreshButton->setToolTip(tr("Ask the broker for its retained messages again"));
    m_cancelButton->setText(tr("Cancel"));
    m_progress->setFormat(tr("Deleting %v of %m"));
    emit m_model->headerDataChanged(Qt::Horizontal, 0, TopicTreeModel::ColumnCount - 1);
    updateStatus();
}

void TopicsView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void TopicsView::expandSmallResult()
{
    // Expanding is cheap for a few hundred nodes and very costly for 50,000.
    constexpr int Limit = 200;
    QList<QModelIndex> parents;
    QList<QModelIndex> queue{QModelIndex()};
    int seen = 0;
    while (!queue.isEmpty()) {
        const QModelIndex parent = queue.takeFirst();
        const int rows = m_proxy->rowCount(parent);
        seen += rows;
        if (seen > Limit)
            return;
        if (rows > 0 && parent.isValid())
            parents.append(parent);
        for (int row = 0; row < rows; ++row)
            queue.append(m_proxy->index(row, 0, parent));
    }
    for (const QModelIndex &parent : std::as_const(parents))
        m_tree->expand(parent);
}

void TopicsView::refreshRetained()
{
    m_monitor.requestRetained();
}

void TopicsView::flushModel()
{
    if (!m_model->hasPending())
        return;
    m_model->flush();
    updateStatus();
}

void TopicsView::updateStatus()
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->currentIndex());
    const int retainedBelow = current.isValid() ? current.data(TopicTreeModel::RetainedInSubtreeRole).toInt() : 0;
    m_deleteButton->setEnabled(retainedBelow > 0 && !isDeleting());
    if (isDeleting())
        return;
    QString text = tr("%1 topics · %2 retained")
                       .arg(QLocale().toString(m_model->topicCount()), QLocale().toString(m_model->retainedCount()));
    if (!m_note.isEmpty())
        text += QStringLiteral(" — ") + m_note;
    m_status->setText(text);
}

void TopicsView::deleteSelected()
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->currentIndex());
    if (!current.isValid())
        return;
    const QString topic = current.data(TopicTreeModel::TopicRole).toString();
    const int count = current.data(TopicTreeModel::RetainedInSubtreeRole).toInt();
    if (count == 0)
        return;
    if (m_confirmDeletes
        && QMessageBox::question(this, tr("Delete retained messages"),
                                 tr("Delete %n retained message(s) on “%1” and the topics below it?\n"
                                    "Subscribers will no longer receive them when they subscribe.",
                                    nullptr, count)
                                     .arg(topic))
            != QMessageBox::Yes)
        return;
    deleteRetainedUnder(current);
}

int TopicsView::deleteRetainedUnder(const QModelIndex &sourceIndex)
{
    if (isDeleting())
        return 0;
    m_model->flush(); // the markers must be current before collecting
    m_deleteQueue = m_model->retainedTopicsUnder(sourceIndex);
    if (m_deleteQueue.isEmpty())
        return 0;
    m_deleteSent = 0;
    m_progress->setRange(0, int(m_deleteQueue.size()));
    m_progress->setValue(0);
    m_progress->show();
    m_cancelButton->show();
    m_deleteButton->setEnabled(false);
    m_status->setText(tr("Deleting retained messages…"));
    const int queued = int(m_deleteQueue.size());
    m_deleteTimer.start();
    deleteTick(); // the first batch goes at once (and may be the last)
    return queued;
}

void TopicsView::deleteTick()
{
    if (!m_monitor.isRunning()) {
        finishDelete(true);
        return;
    }
    const int end = std::min<int>(m_deleteSent + DeleteBatchSize, int(m_deleteQueue.size()));
    const QStringList batch = m_deleteQueue.mid(m_deleteSent, end - m_deleteSent);
    for (const QString &topic : batch)
        m_monitor.deleteRetained(topic);
    m_model->enqueueRetainedDeleted(batch);
    m_deleteSent = end;
    m_progress->setValue(m_deleteSent);
    if (m_deleteSent >= m_deleteQueue.size())
        finishDelete(false);
}

void TopicsView::cancelDelete()
{
    if (isDeleting())
        finishDelete(true);
}

void TopicsView::finishDelete(bool cancelled)
{
    m_deleteTimer.stop();
    m_progress->hide();
    m_cancelButton->hide();
    const int sent = m_deleteSent;
    const int total = int(m_deleteQueue.size());
    m_unconfirmed = m_deleteQueue.mid(0, sent);
    m_unconfirmedTotal = total;
    m_unconfirmedCancelled = cancelled;
    m_deleteQueue.clear();
    m_model->flush();
    m_note = cancelled ? tr("cancelled: %1 of %2 retained messages deleted").arg(sent).arg(total)
                       : tr("%n retained message(s) deleted", nullptr, sent);
    updateStatus();
    // The engine's own list settles what is still retained (deletes are not acknowledged).
    refreshRetained();
    emit deleteFinished(sent, total, cancelled);
}

void TopicsView::confirmDelete(const QList<MessageRecord> &retained)
{
    if (m_unconfirmed.isEmpty() || isDeleting())
        return;
    // The engine runs commands in order, so this list was made after every sent delete:
    // a topic of the deletion still in it was retained again by a publisher since.
    QSet<QString> stillThere;
    stillThere.reserve(retained.size());
    for (const MessageRecord &record : retained)
        stillThere.insert(record.topic);
    int still = 0;
    for (const QString &topic : std::as_const(m_unconfirmed))
        still += stillThere.contains(topic) ? 1 : 0;
    const int deleted = int(m_unconfirmed.size()) - still;
    m_unconfirmed.clear();
    m_note = m_unconfirmedCancelled
        ? tr("cancelled: %1 of %2 retained messages deleted").arg(deleted).arg(m_unconfirmedTotal)
        : tr("%n retained message(s) deleted", nullptr, deleted);
    if (still > 0)
        m_note += QStringLiteral("; ") + tr("%n retained again since", nullptr, still);
    updateStatus();
    emit deleteConfirmed(deleted, still);
}

void TopicsView::showContextMenu(const QPoint &pos)
{
    const QModelIndex current = m_proxy->mapToSource(m_tree->indexAt(pos));
    if (!current.isValid())
        return;
    QMenu menu(this);
    const QString topic = current.data(TopicTreeModel::TopicRole).toString();
    m_tree->setCurrentIndex(m_tree->indexAt(pos));
    menu.addAction(tr("Copy topic"), this, [topic] { QApplication::clipboard()->setText(topic); });
    menu.addAction(tr("Copy filter for this subtree"), this, [topic] {
        QApplication::clipboard()->setText(topic + QStringLiteral("/#"));
    });
    QAction *del = menu.addAction(tr("Delete retained…"), this, &TopicsView::deleteSelected);
    del->setEnabled(current.data(TopicTreeModel::RetainedInSubtreeRole).toInt() > 0 && !isDeleting());
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

} // namespace hermes::ui
