#include "payloadinspector.h"

#include "hexview.h"
#include "schemalibrary.h"
#include "valuecharts.h"

#include "schema/rawdecoder.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QDateTime>
#include <QTreeView>
#include <QVBoxLayout>

namespace hermes::ui {

namespace {
constexpr int MetricsTab = 3; ///< after Hex, JSON and Raw; shown for Sparkplug B only
} // namespace

using schema::DecodedNode;
using Kind = DecodedNode::Kind;


const DecodedNode &DecodedTreeModel::node(const QModelIndex &index) const
{
    if (!index.isValid())
        return m_root;
    return *static_cast<const DecodedNode *>(index.internalPointer());
}


// ---------------------------------------------------------------------------------------
// PayloadInspector

PayloadInspector::PayloadInspector(SchemaLibrary *library, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
    , m_model(new DecodedTreeModel(this))
{
    m_topicLabel = new QLabel(this);
    m_topicLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_topicLabel->setTextFormat(Qt::PlainText);
    m_typeCombo = new QComboBox(this);
    m_typeCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_typeCombo->setMinimumContentsLength(18);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_typeLabel = new QLabel(this);
    m_typeLabel->setBuddy(m_typeCombo);
    auto *header = new QHBoxLayout;
    header->addWidget(m_topicLabel, 1);
    m_chartValue = new QToolButton(this);
    m_chartValue->setObjectName(QStringLiteral("chartValue"));
    m_chartValue->setPopupMode(QToolButton::InstantPopup);
    m_chartValue->setMenu(new QMenu(m_chartValue));
    connect(m_chartValue->menu(), &QMenu::aboutToShow, this, [this] {
        QMenu *menu = m_chartValue->menu();
        menu->clear();
        const QList<std::pair<QString, double>> fields = chartableFields();
        QMenu *newChart = fields.isEmpty() ? nullptr : new QMenu(tr("In a new chart"), menu);
        for (const auto &[field, value] : fields) {
            const QString text = QStringLiteral("%1 = %2").arg(field.isEmpty() ? tr("(the whole payload)") : field).arg(value);
            menu->addAction(text, this, [this, field = field] { emit pinRequested(m_topic, field); });
            newChart->addAction(text, this, [this, field = field] { emit pinRequested(m_topic, field, true); });
        }
        if (newChart) {
            menu->addSeparator();
            menu->addMenu(newChart);
        } else {
            menu->addAction(tr("(no numbers in this payload)"))->setEnabled(false);
        }
    });
    header->addWidget(m_chartValue);
    header->addWidget(m_typeLabel);
    header->addWidget(m_typeCombo);

    m_tree = new QTreeView(this);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(DecodedTreeModel::Value, QHeaderView::Stretch);

    m_hex = new HexView(this);
    m_json = new QPlainTextEdit(this);
    m_json->setReadOnly(true);
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_copy = new QPushButton(this);
    m_copy->setEnabled(false);
    auto *jsonPage = new QWidget(this);
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    jsonLayout->setContentsMargins(0, 0, 0, 0);
    jsonLayout->addWidget(m_json, 1);
    auto *copyRow = new QHBoxLayout;
    copyRow->addStretch(1);
    copyRow->addWidget(m_copy);
    jsonLayout->addLayout(copyRow);
    m_raw = new QPlainTextEdit(this);
    m_raw->setReadOnly(true);
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(m_hex, QString()); // tab texts in retranslateUi()
    m_tabs->addTab(jsonPage, QString());
    m_tabs->addTab(m_raw, QString());
    m_metricsTable = new QTableWidget(0, 5, this);
    m_metricsTable->setObjectName(QStringLiteral("sparkplugMetrics"));
    m_metricsTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metricsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_metricsTable->verticalHeader()->hide();
    m_metricsTable->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_metricsTable->horizontalHeader()->setStretchLastSection(true);
    m_tabs->addTab(m_metricsTable, QString());
    m_tabs->setTabVisible(MetricsTab, false);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_status);
    layout->addWidget(splitter, 1);

    connect(m_copy, &QPushButton::clicked, this, &PayloadInspector::copyJson);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { showSelection(current); });
    connect(m_hex, &HexView::byteClicked, this, [this](qsizetype offset) {
        const QModelIndex index = m_model->indexAtOffset(offset);
        if (index.isValid()) {
            m_tree->scrollTo(index);
            m_tree->setCurrentIndex(index);
        }
    });
    connect(m_typeCombo, &QComboBox::currentIndexChanged, this, [this] { redecode(); });
    if (m_library) {
        connect(m_library, &SchemaLibrary::changed, this, [this] {
            refreshTypes();
            redecode();
        });
        connect(m_library, &SchemaLibrary::bindingsChanged, this, [this] { redecode(); });
    }
    refreshTypes();
    clear();
    retranslateUi();
}

PayloadInspector::~PayloadInspector() = default;

void PayloadInspector::retranslateUi()
{
    m_typeCombo->setToolTip(tr("Message type used to decode the payload"));
    m_typeCombo->setItemText(0, tr("By topic binding"));
    m_typeLabel->setText(tr("&Decode as:"));
    m_copy->setText(tr("&Copy JSON"));
    m_tabs->setTabText(0, tr("He&x"));
    m_tabs->setTabText(1, tr("&JSON"));
    m_tabs->setTabText(2, tr("&Raw wire format"));
    m_tabs->setTabText(MetricsTab, tr("Sparkplug &metrics"));
    m_chartValue->setText(tr("Chart a value"));
    m_chartValue->setToolTip(tr("Plot a number from this payload over time, for every message on this topic"));
    m_metricsTable->setHorizontalHeaderLabels({tr("Metric"), tr("Alias"), tr("Type"), tr("Value"), tr("Timestamp")});
    emit m_model->headerDataChanged(Qt::Horizontal, 0, DecodedTreeModel::ColumnCount - 1);
    m_hex->setBytes(m_payload); // "(empty payload)", "… more bytes not shown"
    if (!m_hasPayload) {
        m_topicLabel->setText(tr("No payload selected"));
        return;
    }
    // The topic line, the status and the tree's words ("%n field(s)") in the new language.
    m_topicLabel->setText(m_topic.isEmpty() ? tr("(no topic)") : m_topic);
    m_topicLabel->setToolTip(m_contentType.isEmpty() ? QString() : tr("Content type: %1").arg(m_contentType));
    redecode();
}

void PayloadInspector::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void PayloadInspector::refreshTypes()
{
    const QString current = typeOverride();
    const QSignalBlocker blocker(m_typeCombo);
    m_typeCombo->clear();
    m_typeCombo->addItem(tr("By topic binding"), QString());
    if (m_library) {
        for (const QString &type : m_library->messageTypes())
            m_typeCombo->addItem(type, type);
    }
    const int index = m_typeCombo->findData(current);
    if (index >= 0) {
        m_typeCombo->setCurrentIndex(index);
    } else if (!current.isEmpty()) {
        // Keep an override whose type vanished on reload: it may come back on the next one.
        m_typeCombo->addItem(current, current);
        m_typeCombo->setCurrentIndex(m_typeCombo->count() - 1);
    }
}

void PayloadInspector::setTypeOverride(const QString &typeName)
{
    int index = m_typeCombo->findData(typeName);
    if (index < 0) {
        m_typeCombo->addItem(typeName, typeName);
        index = m_typeCombo->count() - 1;
    }
    if (index == m_typeCombo->currentIndex())
        redecode();
    else
        m_typeCombo->setCurrentIndex(index); // redecodes
}

QString PayloadInspector::typeOverride() const
{
    return m_typeCombo->currentData().toString();
}

void PayloadInspector::setPayload(const QString &topic, const QByteArray &payload, const QString &contentType)
{
    m_topic = topic;
    m_payload = payload;
    m_contentType = contentType;
    m_hasPayload = true;
    m_topicLabel->setText(topic.isEmpty() ? tr("(no topic)") : topic);
    m_topicLabel->setToolTip(contentType.isEmpty() ? QString() : tr("Content type: %1").arg(contentType));
    m_hex->setBytes(payload);
    redecode();
}

void PayloadInspector::clear()
{
    m_topic.clear();
    m_payload.clear();
    m_contentType.clear();
    m_hasPayload = false;
    m_decodedType.clear();
    m_result = {};
    m_model->clear();
    m_topicLabel->setText(tr("No payload selected"));
    m_hex->setBytes({});
    m_json->clear();
    m_raw->clear();
    m_copy->setEnabled(false);
    m_status->clear();
}

void PayloadInspector::redecode()
{
    using schema::Interpretation;
    const QString previousType = m_decodedType;
    const QString override = typeOverride();

    m_result = {};
    m_decodedType.clear();
    m_interpretation = Interpretation::Raw;
    QString text;
    QString innerJson;
    QStringList status;
    const bool tooLarge = m_payload.size() > kMaxDecodedBytes;
    if (tooLarge) {
        status << tr("%n byte(s): too large to decode here; the hex view shows the start.", nullptr,
                     int(qMin<qsizetype>(m_payload.size(), INT_MAX)));
    } else if (!m_library) {
        const schema::RawDecodeResult raw = schema::decodeRaw(m_payload);
        m_result.root = raw.root;
        m_result.rawFallback = true;
        m_result.rawError = raw.error;
    } else if (!override.isEmpty()) {
        m_result = m_library->registry()->decode(override, m_payload);
        if (m_result.ok()) {
            m_interpretation = Interpretation::Typed;
            m_decodedType = override;
            status << tr("Decoded as %1 (chosen), %n byte(s).", nullptr, int(m_payload.size())).arg(override);
        } else {
            status << tr("Not a valid %1 (%2): showing the wire format.").arg(override, m_result.error);
        }
    } else {
        schema::InterpretedPayload read = schema::interpretPayload(*m_library->registry(), m_library->topicBindings(),
                                                                   m_topic, m_payload, m_contentType);
        m_interpretation = read.interpretation;
        m_result = std::move(read.decoded);
        m_decodedType = read.messageType;
        text = read.text;
        const int size = int(m_payload.size());
        switch (read.interpretation) {
        case Interpretation::Envelope:
            status << tr("Hermes push envelope, %n byte(s).", nullptr, size);
            if (read.inner) {
                if (!read.inner->decoded.json.isEmpty())
                    innerJson = read.inner->decoded.json;
                status << tr("Inner payload: %1 (%2), %n byte(s).", nullptr, int(read.inner->length))
                                  .arg(schema::interpretationName(read.inner->interpretation),
                                       read.inner->contentType.mediaType.isEmpty() ? tr("no content type")
                                                                                   : read.inner->contentType.mediaType);
            }
            break;
        case Interpretation::Receipt:
            status << tr("Device receipt (%1), %n byte(s).", nullptr, size).arg(read.messageType);
            break;
        case Interpretation::Typed:
            status << tr("Decoded as %1 (named by the content type), %n byte(s).", nullptr, size).arg(read.messageType);
            break;
        case Interpretation::Bound:
            status << tr("Decoded as %1 (bound by %2), %n byte(s).", nullptr, size).arg(read.messageType, read.boundFilter);
            break;
        case Interpretation::Text:
            status << (m_result.json.isEmpty() ? tr("Text, %n byte(s).", nullptr, size)
                                               : tr("JSON text, %n byte(s).", nullptr, size));
            break;
        case Interpretation::Raw:
            if (m_payload.isEmpty())
                status << tr("Empty payload.");
            else if (m_topic.isEmpty())
                status << tr("No message type chosen: showing the wire format.");
            else
                status << tr("No message type for %1: showing the wire format.").arg(m_topic);
            break;
        }
        status << read.notes;
    }
    if (!tooLarge && m_result.rawFallback && m_result.rawError) {
        status << tr("The wire format breaks at byte %1: %2.").arg(m_result.rawError->offset).arg(m_result.rawError->message);
    }
    status << m_result.warnings;

    // Text payloads are one node: give it a parent so the tree has a row to show.
    DecodedNode root = m_result.root;
    if (root.kind != Kind::Message && root.kind != Kind::Group) {
        DecodedNode wrapper;
        wrapper.length = root.length;
        root.name = root.typeName;
        wrapper.children.append(root);
        root = wrapper;
    }
    m_model->setRoot(std::move(root));
    m_tree->expandToDepth(m_interpretation == Interpretation::Envelope ? 2 : 1);
    for (int column = 0; column < DecodedTreeModel::Value; ++column)
        m_tree->resizeColumnToContents(column);

    // JSON: an envelope's inner payload when it has JSON, else the canonical mapping of
    // the typed message, else the payload itself when it is JSON text.
    QString json = !innerJson.isEmpty() ? innerJson : m_result.json;
    if (json.isEmpty() && !tooLarge && !m_payload.isEmpty() && m_interpretation == Interpretation::Raw) {
        QJsonParseError error;
        QJsonDocument::fromJson(m_payload, &error);
        if (error.error == QJsonParseError::NoError)
            json = QString::fromUtf8(m_payload);
    }
    if (!json.isEmpty())
        json = indentJson(json);
    m_json->setPlainText(json);
    m_json->setPlaceholderText(m_payload.isEmpty() ? QString() : tr("No JSON: the payload was not decoded with a message type."));
    m_copy->setEnabled(!json.isEmpty());

    // Raw: always the wire format, whatever the type says (like protoc --decode_raw).
    if (tooLarge) {
        m_raw->clear();
    } else {
        const schema::RawDecodeResult raw = schema::decodeRaw(m_payload);
        QString rawText = formatRawTree(raw.root);
        if (raw.error)
            rawText += tr("# broken at byte %1: %2").arg(raw.error->offset).arg(raw.error->message) + QLatin1Char('\n');
        m_raw->setPlainText(rawText);
    }
    if (const QString sparkplug = showSparkplugMetrics(); !sparkplug.isEmpty())
        status << sparkplug;
    m_status->setText(status.join(QLatin1Char(' ')));
    m_hex->setHighlight(0, 0);
    if (m_decodedType != previousType)
        emit decoded(m_decodedType);
}

QList<std::pair<QString, double>> PayloadInspector::chartableFields() const
{
    if (!m_hasPayload)
        return {};
    return ValueReader(m_library, m_aliases).numericFields(m_topic, m_payload, m_contentType);
}

QString PayloadInspector::showSparkplugMetrics()
{
    namespace sp = schema::sparkplug;
    const bool wasShown = m_tabs->isTabVisible(MetricsTab);
    m_sparkplugMetrics.clear();
    m_metricsTable->setRowCount(0);
    const std::optional<sp::Topic> topic = sp::parseTopic(m_topic);
    std::optional<sp::Payload> payload = (topic && m_decodedType == sp::PayloadType) ? sp::decodePayload(m_payload)
                                                                                   : std::nullopt;
    m_tabs->setTabVisible(MetricsTab, payload.has_value());
    if (!payload)
        return {};
    if (m_aliases)
        m_aliases->resolve(*topic, *payload);
    m_sparkplugMetrics = payload->metrics;
    int named = 0;
    m_metricsTable->setRowCount(int(m_sparkplugMetrics.size()));
    for (int row = 0; row < m_sparkplugMetrics.size(); ++row) {
        const sp::Metric &metric = m_sparkplugMetrics.at(row);
        named += metric.nameFromAlias ? 1 : 0;
        const QString name = metric.name.isEmpty() ? tr("(unknown alias)") : metric.name;
        const QString timestamp = metric.timestamp
            ? QDateTime::fromMSecsSinceEpoch(qint64(*metric.timestamp)).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
            : QString();
        const QStringList cells = {name, metric.alias ? QString::number(*metric.alias) : QString(),
                                   sp::dataTypeName(metric.datatype), metric.valueText, timestamp};
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells.at(column));
            if (column == 0 && metric.nameFromAlias)
                item->setToolTip(tr("Named by the alias in the last BIRTH"));
            m_metricsTable->setItem(row, column, item);
        }
    }
    m_metricsTable->resizeColumnsToContents();
    if (!wasShown)
        m_tabs->setCurrentIndex(MetricsTab);
    return tr("Sparkplug B %1 from %2: %n metric(s)", nullptr, int(m_sparkplugMetrics.size()))
               .arg(sp::messageTypeName(topic->type),
                    topic->device.isEmpty() ? topic->edgeNode : topic->edgeNode + QLatin1Char('/') + topic->device)
        + (named > 0 ? QStringLiteral(", ") + tr("%n named from the BIRTH's aliases", nullptr, named) : QString())
        + QLatin1Char('.');
}

void PayloadInspector::showSelection(const QModelIndex &current)
{
    if (!current.isValid()) {
        m_hex->setHighlight(0, 0);
        return;
    }
    const QModelIndex first = current.siblingAtColumn(0);
    m_hex->setHighlight(qsizetype(first.data(DecodedTreeModel::OffsetRole).toLongLong()),
                        qsizetype(first.data(DecodedTreeModel::LengthRole).toLongLong()));
}

QString PayloadInspector::statusText() const
{
    return m_status->text();
}

QString PayloadInspector::jsonText() const
{
    return m_json->toPlainText();
}

QString PayloadInspector::rawText() const
{
    return m_raw->toPlainText();
}

void PayloadInspector::copyJson()
{
    if (auto *clipboard = QGuiApplication::clipboard())
        clipboard->setText(m_json->toPlainText());
}

} // namespace hermes::ui
