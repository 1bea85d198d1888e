#include "sessionsview.h"

#include "sessiontablemodel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace hermes::ui {

// ---------------------------------------------------------------- SessionFilterProxy

SessionFilterProxy::SessionFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SessionTableModel::SortValueRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(true);
    setDynamicSortFilter(true);
}

void SessionFilterProxy::setText(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateRowsFilter();
}

void SessionFilterProxy::setStateFilter(StateFilter state)
{
    if (state == m_state)
        return;
    m_state = state;
    invalidateRowsFilter();
}

void SessionFilterProxy::setBacklogOnly(bool on)
{
    if (on == m_backlogOnly)
        return;
    m_backlogOnly = on;
    invalidateRowsFilter();
}

void SessionFilterProxy::setLateOnly(bool on)
{
    if (on == m_lateOnly)
        return;
    m_lateOnly = on;
    invalidateRowsFilter();
}

bool SessionFilterProxy::isFiltering() const
{
    return !m_text.isEmpty() || m_state != StateFilter::All || m_backlogOnly || m_lateOnly;
}

bool SessionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    // The model is always a SessionTableModel (set by SessionsView); reading the struct
    // directly avoids a QVariant per role per row on every re-filter of 10,000 rows.
    const auto *model = qobject_cast<const SessionTableModel *>(sourceModel());
    if (!model)
        return true;
    const SessionInfo &s = model->session(sourceRow);
    if (m_state == StateFilter::Online && !s.online)
        return false;
    if (m_state == StateFilter::Offline && s.online)
        return false;
    if (m_backlogOnly && s.inflight + s.queued <= 0)
        return false;
    if (m_lateOnly && model->lateness(s) <= SessionTableModel::LateThreshold)
        return false;
    if (!m_text.isEmpty() && !s.clientId.contains(m_text, Qt::CaseInsensitive)
        && !s.address.contains(m_text, Qt::CaseInsensitive) && !s.userName.contains(m_text, Qt::CaseInsensitive)
        && !s.node.contains(m_text, Qt::CaseInsensitive))
        return false;
    return true;
}

bool SessionFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // The text columns, client ID first of all (the default order), are compared on the
    // structs: sorting a 10,000-session snapshot through data() costs two QVariants and a
    // QLocale per comparison, ~50 ms on the GUI thread. Same order as the base class's
    // locale-aware string comparison.
    const auto *model = qobject_cast<const SessionTableModel *>(sourceModel());
    const int column = left.column();
    if (model && !left.parent().isValid() && (column == SessionTableModel::ClientId || column == SessionTableModel::Address)) {
        const SessionInfo &a = model->session(left.row());
        const SessionInfo &b = model->session(right.row());
        return column == SessionTableModel::ClientId ? a.clientId.localeAwareCompare(b.clientId) < 0
                                                     : a.address.localeAwareCompare(b.address) < 0;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

// ---------------------------------------------------------------- LatenessDelegate

QColor LatenessDelegate::colorFor(double lateness)
{
    if (lateness < SessionTableModel::LateThreshold)
        return QColor(0x2e, 0x9d, 0x4f); // within T
    if (lateness < 1.0)
        return QColor(0xe0, 0x9a, 0x1a); // past T, before 1.5 T
    return QColor(0xd3, 0x2f, 0x2f);     // past the deadline
}

void LatenessDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QVariant lateness = index.data(SessionTableModel::LatenessRole);
    if (!lateness.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const double value = lateness.toDouble();
    const QColor color = colorFor(value);

    // Background and selection from the style, text painted by hand over the bar.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    painter->save();
    const QRect cell = option.rect.adjusted(3, 3, -3, -3);
    QColor track = color;
    track.setAlpha(40);
    painter->fillRect(cell, track);
    QRect bar = cell;
    bar.setWidth(int(cell.width() * std::clamp(value, 0.0, 1.0)));
    QColor fill = color;
    fill.setAlpha(110);
    painter->fillRect(bar, fill);
    // Ticks at T (2/3 of the way to the 1.5 T deadline), top and bottom only so they never
    // cross the text.
    const int tx = cell.left() + int(cell.width() * SessionTableModel::LateThreshold);
    painter->setPen(QPen(color.darker(140), 1));
    painter->drawLine(tx, cell.top(), tx, cell.top() + 2);
    painter->drawLine(tx, cell.bottom() - 2, tx, cell.bottom());

    QFont font = opt.font;
    if (value >= 1.0)
        font.setBold(true);
    painter->setFont(font);
    painter->setPen((option.state & QStyle::State_Selected) ? option.palette.color(QPalette::HighlightedText)
                                                             : option.palette.color(QPalette::Text));
    painter->drawText(cell.adjusted(0, 0, -2, 0), Qt::AlignRight | Qt::AlignVCenter, text);
    painter->restore();
}

// ---------------------------------------------------------------- SessionsView

SessionsView::SessionsView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
    , m_model(new SessionTableModel(this))
    , m_proxy(new SessionFilterProxy(this))
    , m_table(new QTableView(this))
    , m_filterText(new QLineEdit(this))
    , m_stateFilter(new QComboBox(this))
    , m_backlogFilter(new QCheckBox(this))
    , m_lateFilter(new QCheckBox(this))
    , m_countLabel(new QLabel(this))
    , m_ageTimer(new QTimer(this))
    , m_pushAction(new QAction(this))
    , m_kickAction(new QAction(this))
    , m_copyAction(new QAction(this))
    , m_detailAction(new QAction(this))
{
    m_filterText->setObjectName(QStringLiteral("sessionFilterText"));
    m_filterText->setClearButtonEnabled(true);
    m_stateFilter->setObjectName(QStringLiteral("sessionStateFilter"));
    // Texts in retranslateUi(), in this order.
    for (const auto state : {SessionFilterProxy::StateFilter::All, SessionFilterProxy::StateFilter::Online,
                             SessionFilterProxy::StateFilter::Offline})
        m_stateFilter->addItem(QString(), int(state));
    m_backlogFilter->setObjectName(QStringLiteral("sessionBacklogFilter"));
    m_lateFilter->setObjectName(QStringLiteral("sessionLateFilter"));
    m_countLabel->setObjectName(QStringLiteral("sessionCount"));

    auto *filterBar = new QHBoxLayout;
    filterBar->addWidget(m_filterText, 1);
    filterBar->addWidget(m_stateFilter);
    filterBar->addWidget(m_backlogFilter);
    filterBar->addWidget(m_lateFilter);
    filterBar->addStretch();
    filterBar->addWidget(m_countLabel);

    m_proxy->setSourceModel(m_model);
    m_table->setObjectName(QStringLiteral("sessionTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(SessionTableModel::ClientId, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideMiddle);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setItemDelegateForColumn(SessionTableModel::LastInbound, new LatenessDelegate(m_table));
    // Uniform row heights: a fixed section size means the view never measures 10,000 rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 8);
    rows->hide();
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    columns->setHighlightSections(false);
    columns->setStretchLastSection(true);
    const auto widthFor = [this](const QString &sample) { return fontMetrics().horizontalAdvance(sample) + 24; };
    m_table->setColumnWidth(SessionTableModel::ClientId, widthFor(QStringLiteral("sensor-shanghai-000123-ab")));
    m_table->setColumnWidth(SessionTableModel::State, widthFor(tr("offline")) + 16);
    m_table->setColumnWidth(SessionTableModel::Address, widthFor(QStringLiteral("255.255.255.255:65535")));
    m_table->setColumnWidth(SessionTableModel::Node, widthFor(QStringLiteral("rabbit@broker-node-03")));
    m_table->setColumnWidth(SessionTableModel::Version, widthFor(tr("Protocol")));
    m_table->setColumnWidth(SessionTableModel::KeepAlive, widthFor(tr("Keep-alive")));
    m_table->setColumnWidth(SessionTableModel::Since, widthFor(QStringLiteral("2026-12-31 23:59")));
    m_table->setColumnWidth(SessionTableModel::LastInbound, widthFor(tr("Last inbound")) + 16);
    m_table->setColumnWidth(SessionTableModel::Inflight, widthFor(tr("%1 (max %2)").arg(99).arg(999)));
    m_table->setColumnWidth(SessionTableModel::Queued, widthFor(tr("%1 (max %2)").arg(999).arg(9999)));
    m_table->setColumnWidth(SessionTableModel::MessagesIn, widthFor(QStringLiteral("1,000,000")));
    m_table->setColumnWidth(SessionTableModel::MessagesOut, widthFor(QStringLiteral("1,000,000")));
    m_table->setColumnWidth(SessionTableModel::Dropped, widthFor(tr("Dropped")));

    m_pushAction->setObjectName(QStringLiteral("pushToSession"));
    m_kickAction->setObjectName(QStringLiteral("kickSession"));
    m_copyAction->setObjectName(QStringLiteral("copyClientId"));
    m_detailAction->setObjectName(QStringLiteral("openSessionDetail"));
    connect(m_pushAction, &QAction::triggered, this, [this] {
        if (const QStringList ids = selectedClientIds(); !ids.isEmpty())
            emit pushRequested(ids);
    });
    connect(m_kickAction, &QAction::triggered, this, &SessionsView::kickCurrent);
    connect(m_copyAction, &QAction::triggered, this, [this] {
        if (const QString id = currentClientId(); !id.isEmpty())
            QGuiApplication::clipboard()->setText(id);
    });
    connect(m_detailAction, &QAction::triggered, this, [this] {
        if (const QString id = currentClientId(); !id.isEmpty())
            emit sessionActivated(id);
    });
    connect(m_table, &QTableView::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex index = m_table->indexAt(pos);
        if (!index.isValid())
            return;
        // A right-click inside the selection acts on all of it (push to N), elsewhere on
        // that row alone, as in file managers.
        if (!m_table->selectionModel()->isRowSelected(index.row(), {}))
            m_table->setCurrentIndex(index);
        updateActions();
        QMenu menu(this);
        menu.addAction(m_detailAction);
        menu.addAction(m_pushAction);
        menu.addAction(m_copyAction);
        menu.addSeparator();
        menu.addAction(m_kickAction);
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        if (index.isValid())
            emit sessionActivated(index.data(SessionTableModel::ClientIdRole).toString());
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                updateActions();
                if (current.isValid())
                    emit currentSessionChanged(current.data(SessionTableModel::ClientIdRole).toString());
            });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        emit selectionChanged();
    });

    connect(m_filterText, &QLineEdit::textChanged, m_proxy, &SessionFilterProxy::setText);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_proxy->setStateFilter(SessionFilterProxy::StateFilter(m_stateFilter->itemData(index).toInt()));
    });
    connect(m_backlogFilter, &QCheckBox::toggled, m_proxy, &SessionFilterProxy::setBacklogOnly);
    connect(m_lateFilter, &QCheckBox::toggled, m_proxy, &SessionFilterProxy::setLateOnly);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &SessionsView::updateCount);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &SessionsView::updateCount);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &SessionsView::updateCount);

    connect(&m_monitor, &EngineMonitor::telemetry, this, &SessionsView::applyBatch);
    // Ages advance without telemetry: one age-column refresh a second.
    m_ageTimer->setObjectName(QStringLiteral("sessionAgeTimer"));
    m_ageTimer->setInterval(1000);
    connect(m_ageTimer, &QTimer::timeout, this, &SessionsView::tick);
    tick(); // the timer runs while the view is visible

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(filterBar);
    layout->addWidget(m_table, 1);
    updateNodeColumn();
    retranslateUi();
}

void SessionsView::updateNodeColumn()
{
    // Shown while some session lives on a cluster node (upstream mode), hidden otherwise:
    // a standalone broker's operator never sees a column that is always empty, and an
    // upstream console needs no setting to see where each device is.
    const bool hidden = m_model->clusterCount() == 0;
    if (m_table->isColumnHidden(SessionTableModel::Node) != hidden)
        m_table->setColumnHidden(SessionTableModel::Node, hidden);
}

void SessionsView::retranslateUi()
{
    m_filterText->setPlaceholderText(tr("Filter by client ID, address or user"));
    m_stateFilter->setItemText(0, tr("All"));
    m_stateFilter->setItemText(1, tr("Online"));
    m_stateFilter->setItemText(2, tr("Offline"));
    m_backlogFilter->setText(tr("Backlog > 0"));
    m_backlogFilter->setToolTip(tr("Only sessions with messages in flight or queued"));
    m_lateFilter->setText(tr("Late heartbeat"));
    m_lateFilter->setToolTip(tr("Only online sessions silent for longer than their keep-alive"));
    m_kickAction->setText(tr("Kick"));
    m_copyAction->setText(tr("Copy client ID"));
    m_detailAction->setText(tr("Open detail"));
    m_model->retranslate();
    updateCount();
    updateActions(); // the push action's text counts the selection
}

void SessionsView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void SessionsView::applyBatch(const TelemetryBatch &batch)
{
    // Ages are measured on the engine's clock, which may not be ours (a remote broker).
    if (batch.atMs > 0)
        m_clockSkewMs = batch.atMs - QDateTime::currentMSecsSinceEpoch();
    if (batch.full || !batch.changedSessions.isEmpty() || !batch.removedSessions.isEmpty()) {
        m_model->applyBatch(batch);
        updateNodeColumn();
        updateCount();
        updateActions();
    }
}

void SessionsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    tick();
    m_ageTimer->start();
}

void SessionsView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_ageTimer->stop(); // nobody sees the ages; the next show refreshes them at once
}

void SessionsView::tick()
{
    m_model->setNow(QDateTime::currentMSecsSinceEpoch() + m_clockSkewMs);
}

void SessionsView::updateCount()
{
    m_countLabel->setText(countText());
}

QString SessionsView::countText() const
{
    const int total = m_model->rowCount();
    QString text = total == 1 ? tr("1 session (%1 online)").arg(m_model->onlineCount())
                              : tr("%1 sessions (%2 online)").arg(total).arg(m_model->onlineCount());
    if (m_proxy->isFiltering())
        text += QStringLiteral(" · ") + tr("%1 shown").arg(m_proxy->rowCount());
    return text;
}

QString SessionsView::currentClientId() const
{
    const QModelIndex index = m_table->currentIndex();
    return index.isValid() ? index.data(SessionTableModel::ClientIdRole).toString() : QString();
}

QStringList SessionsView::selectedClientIds() const
{
    QModelIndexList rows = m_table->selectionModel()->selectedRows(SessionTableModel::ClientId);
    if (rows.isEmpty()) {
        const QString current = currentClientId();
        return current.isEmpty() ? QStringList() : QStringList{current};
    }
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList ids;
    ids.reserve(rows.size());
    for (const QModelIndex &index : std::as_const(rows))
        ids.append(index.data(SessionTableModel::ClientIdRole).toString());
    return ids;
}

bool SessionsView::selectClientId(const QString &clientId)
{
    const int row = m_model->rowOf(clientId);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!index.isValid())
        return false;
    m_table->setCurrentIndex(index);
    m_table->scrollTo(index);
    return true;
}

void SessionsView::updateActions()
{
    const QModelIndex index = m_table->currentIndex();
    const bool has = index.isValid();
    const qsizetype selected = selectedClientIds().size();
    m_pushAction->setEnabled(selected > 0);
    m_pushAction->setText(selected > 1 ? tr("Push to selected (%1)…").arg(selected) : tr("Push to this device…"));
    m_copyAction->setEnabled(has);
    m_detailAction->setEnabled(has);
    m_kickAction->setEnabled(has && index.data(SessionTableModel::OnlineRole).toBool());
}

void SessionsView::kickCurrent()
{
    const QString id = currentClientId();
    if (id.isEmpty())
        return;
    if (m_confirmKick
        && QMessageBox::question(this, tr("Kick session"),
                                 tr("Disconnect “%1” now? The device will usually reconnect on its own.").arg(id),
                                 QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
               != QMessageBox::Yes)
        return;
    m_monitor.kick(id);
}

} // namespace hermes::ui
