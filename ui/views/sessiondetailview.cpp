#include "sessiondetailview.h"

#include "heartbeattimeline.h"
#include "networktext.h"
#include "reportexport.h"
#include "sessiontablemodel.h"

#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace hermes::ui {

using Cell = DetailTableModel::Cell;

namespace {

QTableView *makeTable(DetailTableModel *model, int stretchColumn, QWidget *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(DetailTableModel::SortValueRole);
    auto *table = new QTableView(parent);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->sortByColumn(-1, Qt::AscendingOrder); // engine order until the user picks a column
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->horizontalHeader()->setHighlightSections(false);
    table->horizontalHeader()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
    table->setTextElideMode(Qt::ElideMiddle); // topics differ at their ends
    return table;
}

QString qosText(mqtt::QoS qos)
{
    return QString::number(int(qos));
}

} // namespace

SessionDetailView::SessionDetailView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
    , m_title(new QLabel(this))
    , m_state(new QLabel(this))
    , m_address(new QLabel(this))
    , m_keepAlive(new QLabel(this))
    , m_since(new QLabel(this))
    , m_stateCaption(new QLabel(this))
    , m_addressCaption(new QLabel(this))
    , m_keepAliveCaption(new QLabel(this))
    , m_sinceCaption(new QLabel(this))
    , m_timelineTitle(new QLabel(this))
    , m_timelineHint(new QLabel(this))
    , m_natLabel(new QLabel(this))
    , m_exportButton(new QPushButton(this))
    , m_pushButton(new QPushButton(this))
    , m_kickButton(new QPushButton(this))
    , m_timeline(new HeartbeatTimeline(this))
    , m_natPreset(new QComboBox(this))
    , m_natCustom(new QSpinBox(this))
    , m_tabs(new QTabWidget(this))
    // Column texts come from retranslateUi().
    , m_inflight(new DetailTableModel(QStringList(8), this))
    , m_queued(new DetailTableModel(QStringList(4), this))
    , m_subscriptions(new DetailTableModel(QStringList(3), this))
    , m_disconnects(new DetailTableModel(QStringList(5), this))
    , m_trace(new QPlainTextEdit(this))
    , m_traceStatus(new QLabel(this))
    , m_timelinePane(new QStackedWidget(this))
    , m_inflightPane(new QStackedWidget(this))
    , m_tracePane(new QStackedWidget(this))
{
    // Header: the client ID large, then the facts on one line each.
    m_title->setObjectName(QStringLiteral("detailClientId"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->setObjectName(QStringLiteral("detailState"));
    m_address->setObjectName(QStringLiteral("detailAddress"));
    m_keepAlive->setObjectName(QStringLiteral("detailKeepAlive"));
    m_since->setObjectName(QStringLiteral("detailSince"));
    m_pushButton->setObjectName(QStringLiteral("detailPush"));
    m_kickButton->setObjectName(QStringLiteral("detailKick"));
    connect(m_pushButton, &QPushButton::clicked, this, [this] {
        if (!m_clientId.isEmpty())
            emit pushRequested(m_clientId);
    });
    connect(m_kickButton, &QPushButton::clicked, this, &SessionDetailView::kickShown);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(m_title, 1);
    titleRow->addWidget(m_pushButton);
    titleRow->addWidget(m_kickButton);
    auto *header = new QGridLayout;
    header->addLayout(titleRow, 0, 0, 1, 8);
    const auto addFact = [&](int column, QLabel *label, QLabel *value) {
        label->setForegroundRole(QPalette::PlaceholderText);
        header->addWidget(label, 1, column);
        header->addWidget(value, 1, column + 1);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    };
    addFact(0, m_stateCaption, m_state);
    addFact(2, m_addressCaption, m_address);
    addFact(4, m_keepAliveCaption, m_keepAlive);
    addFact(6, m_sinceCaption, m_since);
    header->setColumnStretch(7, 1);

    // NAT presets: mobile carriers drop idle mappings after a few minutes, which decides
    // how long a device's keep-alive may be. What the fleet taught about the session's own
    // network is the default once the estimate is trusted (followNetworkEstimate()).
    m_natPreset->setObjectName(QStringLiteral("natPreset"));
    m_natPreset->setSizeAdjustPolicy(QComboBox::AdjustToContents); // "cmcc (285 – 300 s)"
    // Texts in retranslateUi(), in this order.
    for (const int seconds : {0, HeartbeatTimeline::ChinaMobileNatSeconds, HeartbeatTimeline::ChinaUnicomNatSeconds,
                              HeartbeatTimeline::ChinaTelecomNatSeconds, NetworkEstimatePreset, CustomPreset})
        m_natPreset->addItem(QString(), seconds);
    m_natCustom->setObjectName(QStringLiteral("natCustomSeconds"));
    m_natCustom->setRange(5, 24 * 3600);
    m_natCustom->setValue(120);
    m_natCustom->setEnabled(false);
    connect(m_natPreset, &QComboBox::currentIndexChanged, this, [this] {
        // Any choice but the view's own default sticks across sessions.
        if (!m_choosingNatDefault)
            m_natFollowsNetwork = false;
        applyNatPreset();
    });
    connect(m_natCustom, &QSpinBox::valueChanged, this, &SessionDetailView::applyNatPreset);
    auto *timelineBar = new QHBoxLayout;
    QFont bold = m_timelineTitle->font();
    bold.setBold(true);
    m_timelineTitle->setFont(bold);
    timelineBar->addWidget(m_timelineTitle);
    m_timelineHint->setForegroundRole(QPalette::PlaceholderText);
    timelineBar->addWidget(m_timelineHint);
    timelineBar->addStretch();
    timelineBar->addWidget(m_natLabel);
    timelineBar->addWidget(m_natPreset);
    timelineBar->addWidget(m_natCustom);
    m_timeline->setObjectName(QStringLiteral("heartbeatTimeline"));

    // Tabs.
    QTableView *inflightTable = makeTable(m_inflight, 1, this);
    inflightTable->setObjectName(QStringLiteral("inflightTable"));
    inflightTable->setColumnWidth(3, fontMetrics().horizontalAdvance(tr("PUBREL sent, awaiting PUBCOMP")) + 16);
    QTableView *queuedTable = makeTable(m_queued, 0, this);
    queuedTable->setObjectName(QStringLiteral("queuedTable"));
    QTableView *subscriptionsTable = makeTable(m_subscriptions, 2, this);
    subscriptionsTable->setObjectName(QStringLiteral("subscriptionsTable"));
    subscriptionsTable->setColumnWidth(0, fontMetrics().horizontalAdvance(QStringLiteral("devices/meter-sh-000123/cmd/#")) + 16);
    QTableView *disconnectsTable = makeTable(m_disconnects, 3, this);
    disconnectsTable->setObjectName(QStringLiteral("disconnectsTable"));
    disconnectsTable->setColumnWidth(0, fontMetrics().horizontalAdvance(QStringLiteral("2026-12-31 23:59:59")) + 16);
    disconnectsTable->setColumnWidth(1, fontMetrics().horizontalAdvance(tr("keep-alive timeout")) + 16);
    disconnectsTable->setColumnWidth(2, fontMetrics().horizontalAdvance(QStringLiteral("Keep Alive timeout (0x8d)")) + 16);
    disconnectsTable->setColumnWidth(3, fontMetrics().horizontalAdvance(QStringLiteral("no packet for 45 s (1.5 x 30 s)")) + 16);

    auto *tracePage = new QWidget(this);
    m_trace->setObjectName(QStringLiteral("packetTrace"));
    m_trace->setReadOnly(true);
    m_trace->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_trace->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_exportButton->setObjectName(QStringLiteral("exportTrace"));
    connect(m_exportButton, &QPushButton::clicked, this, &SessionDetailView::exportTraceInteractive);
    auto *traceBar = new QHBoxLayout;
    traceBar->addWidget(m_traceStatus, 1);
    traceBar->addWidget(m_exportButton);
    auto *traceLayout = new QVBoxLayout(tracePage);
    traceLayout->setContentsMargins(0, 4, 0, 0);
    traceLayout->addLayout(traceBar);
    traceLayout->addWidget(m_trace, 1);

    // What an engine without SessionInternals cannot show is said in place of the pane, by a
    // notice added the first time it is needed (updateInternalsNotices()).
    m_timelinePane->addWidget(m_timeline);
    m_inflightPane->addWidget(inflightTable);
    m_tracePane->addWidget(tracePage);

    m_tabs->setObjectName(QStringLiteral("sessionDetailTabs"));
    m_tabs->addTab(m_inflightPane, QString()); // tab texts in retranslateUi()
    m_tabs->addTab(queuedTable, QString());
    m_tabs->addTab(subscriptionsTable, QString());
    m_tabs->addTab(m_tracePane, QString());
    m_tabs->addTab(disconnectsTable, QString());

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(timelineBar);
    topLayout->addWidget(m_timelinePane, 1);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(header);
    layout->addWidget(splitter, 1);

    connect(&m_monitor, &EngineMonitor::sessionDetail, this, &SessionDetailView::applyDetail);
    connect(&m_monitor, &EngineMonitor::telemetry, this, &SessionDetailView::onTelemetry);
    // A restarted engine (another port, a new broker) starts without the watch.
    connect(&m_monitor, &EngineMonitor::started, this, [this] {
        m_watching.clear();
        updateWatch();
        updateInternalsNotices(); // a remote engine knows what hermesd shows once attached
    });

    retranslateUi();
    updateSessionActions();
    updateInternalsNotices();
}

void SessionDetailView::updateInternalsNotices()
{
    const bool shown = m_monitor.features().testFlag(EngineFeature::SessionInternals);
    if (!shown && m_timelinePane->count() == 1) {
        const auto addNotice = [this](QStackedWidget *pane, const QString &objectName) {
            auto *label = new QLabel(pane);
            label->setObjectName(objectName);
            label->setAlignment(Qt::AlignCenter);
            label->setWordWrap(true);
            label->setMargin(24);
            label->setForegroundRole(QPalette::PlaceholderText);
            pane->addWidget(label);
        };
        addNotice(m_timelinePane, QStringLiteral("heartbeatsUnavailable"));
        addNotice(m_inflightPane, QStringLiteral("inflightUnavailable"));
        addNotice(m_tracePane, QStringLiteral("traceUnavailable"));
        retranslateNotices();
    }
    for (QStackedWidget *pane : {m_timelinePane, m_inflightPane, m_tracePane})
        pane->setCurrentIndex(shown ? 0 : pane->count() - 1);
    m_natPreset->setEnabled(shown);
}

void SessionDetailView::retranslateNotices()
{
    if (m_timelinePane->count() == 1)
        return;
    const auto setNotice = [](QStackedWidget *pane, const QString &text) {
        static_cast<QLabel *>(pane->widget(1))->setText(text);
    };
    setNotice(m_timelinePane, tr("This cluster's management API does not expose heartbeats: the timeline needs the "
                                 "broker's own connection state, which hermesd has only for its own clients."));
    setNotice(m_inflightPane, tr("This cluster's management API does not expose the messages in flight to a device, "
                                 "only how many (the Sessions view's In-flight column)."));
    setNotice(m_tracePane, tr("This cluster's management API does not expose a packet trace: what devices and the "
                              "cluster send each other never passes through hermesd."));
}

void SessionDetailView::retranslateUi()
{
    m_stateCaption->setText(tr("State:"));
    m_addressCaption->setText(tr("Address:"));
    m_keepAliveCaption->setText(tr("Keep-alive:"));
    m_sinceCaption->setText(tr("Since:"));
    m_natPreset->setItemText(0, tr("No NAT line"));
    m_natPreset->setItemText(1, tr("China Mobile (5 min)"));
    m_natPreset->setItemText(2, tr("China Unicom (5 min)"));
    m_natPreset->setItemText(3, tr("China Telecom (28 min)"));
    updateNetworkPresetText();
    m_natPreset->setItemText(5, tr("Custom…"));
    m_natPreset->setToolTip(tr("Show where a carrier NAT would forget an idle connection"));
    m_natCustom->setSuffix(tr(" s"));
    m_timelineTitle->setText(tr("Heartbeats"));
    m_timelineHint->setText(tr("wheel: zoom · drag: pan · double-click: fit"));
    m_natLabel->setText(tr("NAT timeout:"));
    m_exportButton->setText(tr("Export…"));
    m_pushButton->setText(tr("Push…"));
    m_pushButton->setToolTip(tr("Push a message to this device"));
    m_kickButton->setText(tr("Kick"));
    m_kickButton->setToolTip(tr("Disconnect this device now; it usually reconnects on its own"));
    m_inflight->setHeaders({tr("Packet ID"), tr("Topic"), tr("QoS"), tr("State"), tr("Age"), tr("Retries"), tr("DUP"),
                            tr("Size")});
    m_queued->setHeaders({tr("Topic"), tr("QoS"), tr("Size"), tr("Retain")});
    m_subscriptions->setHeaders({tr("Filter"), tr("QoS"), tr("Options")});
    m_disconnects->setHeaders({tr("Time"), tr("Reason"), tr("Code"), tr("Detail"), tr("Will published")});
    m_tabs->setTabText(0, tr("In-flight"));
    m_tabs->setTabText(1, tr("Queued"));
    m_tabs->setTabText(2, tr("Subscriptions"));
    m_tabs->setTabText(3, tr("Packet trace"));
    m_tabs->setTabText(4, tr("Disconnects"));
    retranslateNotices();
    if (m_clientId.isEmpty())
        m_title->setText(tr("No session selected"));
    m_traceStatus->setText(tr("No packets"));
    // The shown session's texts (header, tables, counts in the tabs) in the new language.
    if (m_detail) {
        const SessionDetail detail = *m_detail; // applyDetail() replaces m_detail
        applyDetail(detail);
    }
    if (m_sessionEnded)
        m_state->setText(tr("session ended"));
}

void SessionDetailView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void SessionDetailView::showSession(const QString &clientId)
{
    if (clientId != m_clientId) {
        m_clientId = clientId;
        m_title->setText(clientId);
        for (QLabel *label : {m_state, m_address, m_keepAlive, m_since})
            label->clear();
        m_timeline->clear();
        m_timeline->fitToData();
        m_inflight->setRows({});
        m_queued->setRows({});
        m_subscriptions->setRows({});
        m_disconnects->setRows({});
        m_traceLines.clear();
        m_trace->clear();
        m_detail.reset();
        m_sessionEnded = false;
    }
    updateSessionActions();
    // Hidden, the detail is asked for once, to be there when the view shows; the watch is
    // only for what someone is looking at.
    if (!isVisible() && !m_clientId.isEmpty())
        m_monitor.requestSessionDetail(m_clientId);
    updateWatch();
}

SessionDetailView::~SessionDetailView()
{
    if (!m_watching.isEmpty())
        m_monitor.watchSession({});
}

void SessionDetailView::updateWatch()
{
    const QString wanted = isVisible() ? m_clientId : QString();
    if (wanted == m_watching)
        return;
    m_watching = wanted;
    m_monitor.watchSession(wanted);
}

void SessionDetailView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateWatch();
}

void SessionDetailView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateWatch();
}

void SessionDetailView::onTelemetry(const TelemetryBatch &batch)
{
    if (batch.atMs > 0)
        m_clockSkewMs = batch.atMs - QDateTime::currentMSecsSinceEpoch();
    if (!m_clientId.isEmpty() && batch.removedSessions.contains(m_clientId)) {
        m_state->setText(tr("session ended"));
        m_state->setStyleSheet(QString());
        m_sessionEnded = true;
        updateSessionActions();
    }
}

void SessionDetailView::applyNatPreset()
{
    const int value = m_natPreset->currentData().toInt();
    m_natCustom->setEnabled(value == CustomPreset);
    if (value == CustomPreset) {
        m_timeline->setNatTimeout(m_natCustom->value());
    } else if (value == NetworkEstimatePreset) {
        const analytics::NatEstimate estimate = m_detail ? m_detail->networkEstimate : analytics::NatEstimate{};
        const QString network = m_detail ? m_detail->network : QString();
        m_timeline->setNatTimeout(NetworkText::natLineSeconds(estimate), NetworkText::natLineLabel(estimate, network));
    } else if (value > 0)
        m_timeline->setNatTimeout(value);
    else
        m_timeline->setNatTimeout(std::nullopt);
}

void SessionDetailView::followNetworkEstimate()
{
    updateNetworkPresetText();
    const bool trusted = m_detail && NetworkText::isTrusted(m_detail->networkEstimate);
    const int wanted = m_natPreset->findData(trusted ? NetworkEstimatePreset : 0);
    if (m_natFollowsNetwork && m_natPreset->currentIndex() != wanted) {
        m_choosingNatDefault = true;
        m_natPreset->setCurrentIndex(wanted);
        m_choosingNatDefault = false;
    } else if (m_natPreset->currentData().toInt() == NetworkEstimatePreset) {
        applyNatPreset(); // the estimate moves as the fleet teaches more
    }
}

void SessionDetailView::updateNetworkPresetText()
{
    const int index = m_natPreset->findData(NetworkEstimatePreset);
    if (m_detail && NetworkText::isTrusted(m_detail->networkEstimate))
        m_natPreset->setItemText(index, tr("%1 (%2)", "network name, its NAT timeout interval")
                                            .arg(m_detail->network, NetworkText::interval(m_detail->networkEstimate)));
    else
        m_natPreset->setItemText(index, tr("This network's estimate"));
}

void SessionDetailView::setHeader(const SessionInfo &info)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch() + m_clockSkewMs;
    m_title->setText(info.userName.isEmpty() ? info.clientId : tr("%1 (user %2)").arg(info.clientId, info.userName));
    m_state->setText(info.online ? tr("online") : tr("offline"));
    m_state->setStyleSheet(info.online ? QStringLiteral("color: #2e9d4f; font-weight: bold;")
                                       : QStringLiteral("color: #808080; font-weight: bold;"));
    m_address->setText(info.node.isEmpty()
                           ? tr("%1 · MQTT %2").arg(info.address, SessionTableModel::versionText(info.version))
                           : tr("%1 · MQTT %2 · node %3").arg(info.address, SessionTableModel::versionText(info.version), info.node));
    m_keepAlive->setText(info.keepAliveSeconds == 0
                             ? tr("off")
                             : tr("%1 s (deadline %2 s)").arg(info.keepAliveSeconds).arg(info.keepAliveSeconds * 1.5));
    const qint64 since = info.online ? info.connectedSinceMs : info.offlineSinceMs;
    m_since->setText(since > 0 ? tr("%1 (%2 ago)")
                                     .arg(SessionTableModel::timeText(since, now), SessionTableModel::ageText(now - since))
                               : QString());
}

void SessionDetailView::applyDetail(const SessionDetail &detail)
{
    if (detail.info.clientId != m_clientId)
        return;
    m_detail = detail;
    m_sessionEnded = false;
    updateSessionActions();
    const qint64 now = QDateTime::currentMSecsSinceEpoch() + m_clockSkewMs;
    setHeader(detail.info);
    m_timeline->setDetail(detail, now);
    followNetworkEstimate();

    QList<DetailTableModel::Row> rows;
    rows.reserve(detail.inflight.size());
    for (const InflightInfo &m : detail.inflight) {
        const quint32 retries = m.sendCount > 0 ? m.sendCount - 1 : 0;
        rows.append({Cell{QString::number(m.packetId), int(m.packetId)}, Cell{m.topic, {}},
                     Cell{qosText(m.qos), int(m.qos)}, Cell{SessionTableModel::stageText(m.stage), int(m.stage)},
                     Cell{SessionTableModel::ageText(m.ageMs), m.ageMs}, Cell{QString::number(retries), retries},
                     Cell{m.sendCount > 1 ? tr("yes") : tr("no"), m.sendCount > 1},
                     Cell{QLocale().formattedDataSize(m.payloadSize), m.payloadSize}});
    }
    m_inflight->setRows(std::move(rows));

    rows = {};
    for (const mqtt::Publish &p : detail.queued)
        rows.append({Cell{p.topic, {}}, Cell{qosText(p.qos), int(p.qos)},
                     Cell{QLocale().formattedDataSize(p.payload.size()), p.payload.size()},
                     Cell{p.retain ? tr("yes") : QString(), p.retain}});
    m_queued->setRows(std::move(rows));

    rows = {};
    const bool v5 = detail.info.version == mqtt::ProtocolVersion::V5;
    for (const mqtt::TopicSubscription &s : detail.subscriptions) {
        QStringList options;
        if (v5) {
            if (s.options.noLocal)
                options << tr("no local");
            if (s.options.retainAsPublished)
                options << tr("retain as published");
            switch (s.options.retainHandling) {
            case mqtt::RetainHandling::SendOnSubscribe: break;
            case mqtt::RetainHandling::SendOnNewSubscribe: options << tr("retained on new subscription only"); break;
            case mqtt::RetainHandling::DoNotSend: options << tr("no retained"); break;
            }
        }
        rows.append({Cell{s.filter, {}}, Cell{qosText(s.options.maximumQoS), int(s.options.maximumQoS)},
                     Cell{options.join(QStringLiteral(", ")), {}}});
    }
    m_subscriptions->setRows(std::move(rows));

    rows = {};
    for (auto it = detail.closes.crbegin(); it != detail.closes.crend(); ++it) { // newest first
        const CloseInfo &c = *it;
        const QString code = c.reasonCode ? QStringLiteral("%1 (0x%2)")
                                                .arg(mqtt::reasonCodeName(*c.reasonCode, mqtt::PacketType::Disconnect))
                                                .arg(quint8(*c.reasonCode), 2, 16, QLatin1Char('0'))
                                          : QString();
        rows.append({Cell{QDateTime::fromMSecsSinceEpoch(c.atMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), c.atMs},
                     Cell{SessionTableModel::closeReasonText(c.reason), {}}, Cell{code, {}}, Cell{c.detail, {}},
                     Cell{c.willPublished ? tr("yes") : tr("no"), c.willPublished}});
    }
    m_disconnects->setRows(std::move(rows));

    if (detail.packetTrace != m_traceLines) {
        QScrollBar *bar = m_trace->verticalScrollBar();
        const bool atBottom = bar->value() >= bar->maximum() - 2;
        m_traceLines = detail.packetTrace;
        m_trace->setPlainText(m_traceLines.join(QLatin1Char('\n')));
        if (atBottom)
            bar->setValue(bar->maximum());
    }
    m_traceStatus->setText(tr("Packets shown: %1 (newest last)").arg(m_traceLines.size()));
    m_tabs->setTabText(0, tr("In-flight (%1)").arg(detail.inflight.size()));
    m_tabs->setTabText(1, tr("Queued (%1)").arg(detail.queued.size()));
    m_tabs->setTabText(2, tr("Subscriptions (%1)").arg(detail.subscriptions.size()));
    m_tabs->setTabText(4, tr("Disconnects (%1)").arg(detail.closes.size()));
}

void SessionDetailView::updateSessionActions()
{
    m_pushButton->setEnabled(!m_clientId.isEmpty());
    m_kickButton->setEnabled(!m_sessionEnded && m_detail && m_detail->info.online);
}

void SessionDetailView::kickShown()
{
    if (m_clientId.isEmpty())
        return;
    if (m_confirmKick
        && QMessageBox::question(this, tr("Kick session"),
                                 tr("Disconnect “%1” now? The device will usually reconnect on its own.").arg(m_clientId),
                                 QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
               != QMessageBox::Yes)
        return;
    m_monitor.kick(m_clientId);
}

bool SessionDetailView::exportTrace(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray bytes;
    if (path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)) {
        bytes = toCsv(packetTraceColumns(), packetTraceRows(m_traceLines));
    } else if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)) {
        const QJsonObject document{{QStringLiteral("client_id"), m_clientId},
                                   {QStringLiteral("packets"), toJsonRows(packetTraceColumns(), packetTraceRows(m_traceLines))}};
        bytes = QJsonDocument(document).toJson(QJsonDocument::Indented);
    } else {
        bytes = m_traceLines.join(QLatin1Char('\n')).toUtf8();
        if (!bytes.isEmpty())
            bytes.append('\n');
    }
    file.write(bytes);
    return file.commit();
}

void SessionDetailView::exportTraceInteractive()
{
    QString name = m_clientId.isEmpty() ? QStringLiteral("session") : m_clientId;
    // Client IDs may hold any character; keep the suggested file name portable.
    for (QChar &c : name)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('_'))
            c = QLatin1Char('_');
    const QString suggested = name + QStringLiteral("-trace.txt");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export packet trace"), suggested,
        tr("Text files (*.txt);;CSV files (*.csv);;JSON files (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    if (!exportTrace(path))
        m_traceStatus->setText(tr("Could not write %1").arg(QDir::toNativeSeparators(path)));
    else {
        m_traceStatus->setText(
            tr("Exported %1 lines to %2").arg(m_traceLines.size()).arg(QDir::toNativeSeparators(path)));
        emit traceExported(path);
    }
}

} // namespace hermes::ui
