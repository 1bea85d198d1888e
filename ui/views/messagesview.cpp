#include "messagesview.h"

#include "payloadinspector.h"
#include "payloadtext.h"
#include "schemalibrary.h"

#include "mqtt/topic.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QProgressBar>
#include <QTimer>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <QHBoxLayout>

#include <numeric>

namespace hermes::ui {

MessagesView::MessagesView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_model(new MessageLogModel(10000, this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_pauseButton(new QToolButton(this))
    , m_clearButton(new QToolButton(this))
    , m_exportButton(new QToolButton(this))
    , m_exportSelectedAction(new QAction(this))
    , m_exportAllAction(new QAction(this))
    , m_exportProgress(new QProgressBar(this))
    , m_cancelExportButton(new QToolButton(this))
    , m_exportTimer(new QTimer(this))
    , m_status(new QLabel(this))
    , m_payload(new QPlainTextEdit(this))
{
    m_filter->setObjectName(QStringLiteral("topicFilter"));
    m_filter->setClearButtonEnabled(true);
    m_pauseButton->setObjectName(QStringLiteral("pauseButton"));
    m_pauseButton->setCheckable(true);
    connect(m_pauseButton, &QToolButton::toggled, this, &MessagesView::setPaused);
    m_clearButton->setObjectName(QStringLiteral("clearMessages"));
    connect(m_clearButton, &QToolButton::clicked, m_model, &MessageLogModel::clear);
    m_exportButton->setObjectName(QStringLiteral("exportMessages"));
    m_exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(m_exportButton);
    m_exportSelectedAction->setObjectName(QStringLiteral("exportSelectedMessages"));
    m_exportAllAction->setObjectName(QStringLiteral("exportAllMessages"));
    exportMenu->addAction(m_exportSelectedAction);
    exportMenu->addAction(m_exportAllAction);
    m_exportButton->setMenu(exportMenu);
    connect(m_exportSelectedAction, &QAction::triggered, this, [this] { exportInteractive(true); });
    connect(m_exportAllAction, &QAction::triggered, this, [this] { exportInteractive(false); });
    m_exportProgress->setObjectName(QStringLiteral("exportProgress"));
    m_exportProgress->setMaximumWidth(160);
    m_exportProgress->hide();
    m_cancelExportButton->setObjectName(QStringLiteral("cancelExport"));
    m_cancelExportButton->hide();
    connect(m_cancelExportButton, &QToolButton::clicked, this, [this] {
        if (m_export)
            m_export->cancel();
    });
    // Progress is read from the job's counter a few times a second, never signalled per row.
    m_exportTimer->setInterval(100);
    connect(m_exportTimer, &QTimer::timeout, this, &MessagesView::updateExportProgress);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(MessageLogModel::Time, 100);
    m_table->setColumnWidth(MessageLogModel::Topic, 240);
    m_table->setColumnWidth(MessageLogModel::QoSColumn, 40);
    m_table->setColumnWidth(MessageLogModel::Retain, 70);
    m_table->setColumnWidth(MessageLogModel::Size, 60);
    m_table->setColumnWidth(MessageLogModel::From, 140);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MessagesView::showSelected);

    m_payload->setReadOnly(true);
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_pauseButton);
    bar->addWidget(m_clearButton);
    bar->addWidget(m_exportButton);
    bar->addWidget(m_exportProgress);
    bar->addWidget(m_cancelExportButton);
    bar->addWidget(m_status);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_splitter = splitter;
    splitter->addWidget(m_table);
    splitter->addWidget(m_payload);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(&monitor, &EngineMonitor::telemetry, this, &MessagesView::applyBatch);
    retranslateUi();
}

void MessagesView::retranslateUi()
{
    m_filter->setPlaceholderText(tr("Topic filter, e.g. devices/+/push or telemetry/#"));
    m_pauseButton->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_clearButton->setText(tr("Clear"));
    m_exportButton->setText(tr("Export"));
    m_exportButton->setToolTip(tr("Write messages to CSV, NDJSON or a capture that hermesctl replay can publish again"));
    m_exportSelectedAction->setText(tr("Export selected messages…"));
    m_exportAllAction->setText(tr("Export all messages…"));
    m_cancelExportButton->setText(tr("Cancel"));
    m_payload->setPlaceholderText(tr("Select a message to see its payload."));
    emit m_model->headerDataChanged(Qt::Horizontal, 0, MessageLogModel::ColumnCount - 1);
    // "yes" and "(broker)" are translated words.
    if (const int rows = m_model->rowCount(); rows > 0)
        emit m_model->dataChanged(m_model->index(0, 0), m_model->index(rows - 1, MessageLogModel::ColumnCount - 1));
    if (!m_status->text().isEmpty())
        updateStatus();
    if (!m_inspector) // the inspector retranslates itself
        showSelected();
}

void MessagesView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void MessagesView::setPaused(bool paused)
{
    m_paused = paused;
    m_exportStatus.clear();
    m_pauseButton->setChecked(paused);
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused)
        m_missed = 0;
    m_status->setText(paused ? tr("Paused") : QString());
}

void MessagesView::updateStatus()
{
    if (!m_exportStatus.isEmpty()) {
        m_status->setText(m_exportStatus);
        return;
    }
    if (m_paused) {
        m_status->setText(m_missed == 0 ? tr("Paused")
                                        : tr("Paused — %n message(s) not shown", nullptr,
                                             int(std::min<quint64>(m_missed, INT_MAX))));
    } else {
        m_status->setText(m_notCaptured == 0 ? QString()
                                             : tr("%n message(s) too fast to show", nullptr,
                                                  int(std::min<quint64>(m_notCaptured, INT_MAX))));
    }
}

void MessagesView::applyBatch(const TelemetryBatch &batch)
{
    m_notCaptured += batch.messagesNotCaptured;
    if (batch.messages.isEmpty())
        return;
    learnSparkplugAliases(batch.messages); // also while paused or filtered: later DATA needs them
    if (m_paused) {
        m_missed += quint64(batch.messages.size());
        m_status->setText(tr("Paused — %n message(s) not shown", nullptr, int(std::min<quint64>(m_missed, INT_MAX))));
        return;
    }
    const QString filter = m_filter->text().trimmed();
    if (filter.isEmpty() || !mqtt::isValidTopicFilter(filter)) {
        appendToRing(batch.messages);
    } else {
        QList<MessageRecord> matching;
        for (const MessageRecord &message : batch.messages) {
            if (mqtt::topicMatches(filter, message.topic))
                matching.append(message);
        }
        appendToRing(matching);
    }
    if (m_notCaptured > 0)
        m_status->setText(tr("%n message(s) too fast to show", nullptr, int(std::min<quint64>(m_notCaptured, INT_MAX))));
}

void MessagesView::setSchemaLibrary(SchemaLibrary *library)
{
    if (m_inspector || !library)
        return;
    m_schemas = library;
    m_inspector = new PayloadInspector(library, this);
    m_inspector->setObjectName(QStringLiteral("messageInspector"));
    m_inspector->setSparkplugAliases(&m_sparkplugAliases);
    // replaceWidget() leaves the old widget without a parent: keep owning it.
    m_splitter->replaceWidget(1, m_inspector);
    m_payload->setParent(this);
    m_payload->hide();
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    showSelected();
}

void MessagesView::showSelected()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_payload->clear();
        if (m_inspector)
            m_inspector->clear();
        return;
    }
    const MessageRecord &message = m_model->record(current.row());
    if (m_inspector) {
        m_inspector->setPayload(message.topic, message.payload, message.contentType);
        return;
    }
    m_payload->setPlainText(tr("Topic: %1\nQoS: %2   Retained: %3   Bytes: %4\n\n")
                                .arg(message.topic)
                                .arg(int(message.qos))
                                .arg(message.retain ? tr("yes") : tr("no"))
                                .arg(message.payloadSize)
                            + hexDump(message.payload));
}

} // namespace hermes::ui

namespace hermes::ui {

void MessagesView::appendToRing(const QList<MessageRecord> &messages)
{
    if (!m_ringFrozen) {
        m_model->append(messages);
        return;
    }
    // Bounded like the ring: only its capacity of the newest can survive anyway.
    m_heldMessages.append(messages);
    const qsizetype capacity = m_model->capacity();
    if (m_heldMessages.size() > capacity)
        m_heldMessages.remove(0, m_heldMessages.size() - capacity);
}

void MessagesView::learnSparkplugAliases(const QList<MessageRecord> &messages)
{
    namespace sp = schema::sparkplug;
    for (const MessageRecord &message : messages) {
        if (!message.topic.startsWith(sp::Namespace))
            continue;
        const std::optional<sp::Topic> topic = sp::parseTopic(message.topic);
        if (!topic || (topic->type != sp::MessageType::NBirth && topic->type != sp::MessageType::DBirth))
            continue;
        if (const std::optional<sp::Payload> payload = sp::decodePayload(message.payload))
            m_sparkplugAliases.learn(*topic, *payload);
    }
}

QList<MessageRecord> MessagesView::allMessages() const
{
    QList<MessageRecord> messages;
    const int rows = m_model->rowCount();
    messages.reserve(rows);
    for (int row = 0; row < rows; ++row)
        messages.append(m_model->record(row)); // implicitly shared strings: no payload copies
    return messages;
}

ExportJob *MessagesView::exportMessages(const QString &path, MessageExportFormat format, bool selectedOnly)
{
    if (m_export)
        return nullptr;
    PayloadDecoding decoding;
    if (m_schemas) {
        decoding.registry = m_schemas->registry();
        decoding.bindings = m_schemas->topicBindings();
    }
    // The worker copies the rows; until it has, the ring stays as it is (appendToRing holds
    // new messages) and Clear waits.
    QList<int> rows;
    if (selectedOnly) {
        for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
            rows.append(index.row());
        std::sort(rows.begin(), rows.end());
    } else {
        rows.resize(m_model->rowCount());
        std::iota(rows.begin(), rows.end(), 0);
    }
    const MessageLogModel *model = m_model;
    m_export = new ExportJob(
        rows.size(),
        [model, rows] {
            QList<MessageRecord> messages;
            messages.reserve(rows.size());
            for (const int row : rows)
                messages.append(model->record(row));
            return messages;
        },
        path, format, std::move(decoding), this);
    m_ringFrozen = true;
    m_clearButton->setEnabled(false);
    connect(m_export, &ExportJob::snapshotTaken, this, &MessagesView::releaseRing);
    connect(m_export, &ExportJob::finished, this, &MessagesView::exportFinished);
    m_exportProgress->setRange(0, int(std::max<qsizetype>(1, m_export->total())));
    m_exportProgress->setValue(0);
    m_exportProgress->show();
    m_cancelExportButton->show();
    m_exportButton->setEnabled(false);
    m_exportStatus = tr("Exporting %n message(s)…", nullptr, int(m_export->total()));
    updateStatus();
    m_exportTimer->start();
    m_export->start();
    return m_export;
}

void MessagesView::updateExportProgress()
{
    if (m_export)
        m_exportProgress->setValue(int(m_export->written()));
}

void MessagesView::releaseRing()
{
    if (!m_ringFrozen)
        return;
    m_ringFrozen = false;
    m_clearButton->setEnabled(true);
    m_model->append(std::exchange(m_heldMessages, {}));
}

void MessagesView::exportFinished(bool cancelled, const QString &error)
{
    releaseRing(); // also when the worker failed before its snapshot signal arrived
    ExportJob *job = std::exchange(m_export, nullptr);
    m_exportTimer->stop();
    m_exportProgress->hide();
    m_cancelExportButton->hide();
    m_exportButton->setEnabled(true);
    const QString path = QDir::toNativeSeparators(job->path());
    if (cancelled)
        m_exportStatus = tr("Export cancelled; nothing was written");
    else if (!error.isEmpty())
        m_exportStatus = tr("Could not write %1: %2").arg(path, error);
    else
        m_exportStatus = tr("Exported %n message(s) to %1", nullptr, int(job->total())).arg(path);
    updateStatus();
    if (!cancelled && error.isEmpty())
        emit exported(job->path());
    job->deleteLater();
}

void MessagesView::exportInteractive(bool selectedOnly)
{
    // Filters in a fixed order: the chosen one decides the format.
    const QStringList filters = {tr("CSV (*.csv)"), tr("NDJSON, payload as text (*.ndjson)"),
                                 tr("NDJSON, payload as base64 (*.ndjson)"),
                                 tr("Hermes capture for hermesctl replay (*.hcap)")};
    const MessageExportFormat formats[] = {MessageExportFormat::Csv, MessageExportFormat::NdjsonText,
                                           MessageExportFormat::NdjsonBase64, MessageExportFormat::Capture};
    QString chosen = filters.first();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export messages"), QStringLiteral("messages.csv"),
                                                      filters.join(QStringLiteral(";;")), &chosen);
    if (path.isEmpty())
        return;
    exportMessages(path, formats[std::max<qsizetype>(0, filters.indexOf(chosen))], selectedOnly);
}

} // namespace hermes::ui
