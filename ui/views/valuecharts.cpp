#include "valuecharts.h"

#include "charts.h"
#include "schemalibrary.h"

#include "mqtt/topic.h"
#include "schema/payloadinterpreter.h"

#include <QChartView>
#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QMenu>
#include <QScrollArea>
#include <QSettings>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace hermes::ui {

namespace sp = schema::sparkplug;

namespace {
const QString SettingsGroup = QStringLiteral("valueCharts");
const QLatin1StringView MetricPrefix{"metric:"};

/// A JSON leaf as a number: numbers, booleans, and numeric strings (proto3 JSON writes
/// 64-bit integers as strings).
std::optional<double> numberOf(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isBool())
        return value.toBool() ? 1.0 : 0.0;
    if (value.isString()) {
        bool ok = false;
        const double number = value.toString().toDouble(&ok);
        if (ok && std::isfinite(number))
            return number;
    }
    return std::nullopt;
}

void collectNumbers(const QJsonValue &value, const QString &path, QList<std::pair<QString, double>> &out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            collectNumbers(it.value(), path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(), out);
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            collectNumbers(array.at(i), path.isEmpty() ? QString::number(i) : path + QLatin1Char('.') + QString::number(i), out);
    } else if (const std::optional<double> number = numberOf(value)) {
        out.append({path, *number});
    }
}

QJsonValue at(const QJsonValue &root, const QString &path)
{
    QJsonValue value = root;
    for (const QString &part : path.split(QLatin1Char('.'))) {
        if (value.isObject()) {
            value = value.toObject().value(part);
        } else if (value.isArray()) {
            bool ok = false;
            const int index = part.toInt(&ok);
            value = ok ? value.toArray().at(index) : QJsonValue();
        } else {
            return {};
        }
    }
    return value;
}
} // namespace

QString ValuePin::label() const
{
    const QString shown = field.startsWith(MetricPrefix) ? field.mid(MetricPrefix.size()) : field;
    return QStringLiteral("%1 · %2").arg(topicFilter, shown);
}

// ---------------------------------------------------------------- ValueReader

ValueReader::ValueReader(SchemaLibrary *library, const sp::AliasTable *aliases)
    : m_library(library)
    , m_aliases(aliases)
{
}

std::optional<sp::Payload> ValueReader::sparkplugOf(const QString &topic, const QByteArray &payload) const
{
    if (!topic.startsWith(sp::Namespace))
        return std::nullopt;
    const std::optional<sp::Topic> parsed = sp::parseTopic(topic);
    if (!parsed || parsed->type == sp::MessageType::State)
        return std::nullopt;
    std::optional<sp::Payload> decoded = sp::decodePayload(payload);
    if (decoded && m_aliases)
        m_aliases->resolve(*parsed, *decoded);
    return decoded;
}

std::optional<QJsonValue> ValueReader::jsonOf(const QString &topic, const QByteArray &payload,
                                              const QString &contentType) const
{
    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(payload, &error);
    if (error.error != QJsonParseError::NoError && m_library) {
        const schema::InterpretedPayload read = schema::interpretPayload(
            *m_library->registry(), m_library->topicBindings(), topic, payload, contentType);
        const QString json = read.inner && !read.inner->decoded.json.isEmpty() ? read.inner->decoded.json
                                                                              : read.decoded.json;
        if (!json.isEmpty())
            document = QJsonDocument::fromJson(json.toUtf8(), &error);
    }
    if (document.isObject())
        return QJsonValue(document.object());
    if (document.isArray())
        return QJsonValue(document.array());
    bool ok = false; // a bare number ("21.5") is a payload too
    const double number = payload.trimmed().toDouble(&ok);
    if (ok && std::isfinite(number))
        return QJsonValue(number);
    return std::nullopt;
}

QList<std::pair<QString, double>> ValueReader::numericFields(const QString &topic, const QByteArray &payload,
                                                             const QString &contentType) const
{
    QList<std::pair<QString, double>> fields;
    if (const std::optional<sp::Payload> sparkplug = sparkplugOf(topic, payload)) {
        for (const sp::Metric &metric : sparkplug->metrics) {
            if (const std::optional<double> number = metric.number(); number && !metric.name.isEmpty())
                fields.append({MetricPrefix + metric.name, *number});
        }
        return fields;
    }
    if (const std::optional<QJsonValue> json = jsonOf(topic, payload, contentType)) {
        if (json->isDouble())
            fields.append({QString(), json->toDouble()});
        else
            collectNumbers(*json, QString(), fields);
    }
    return fields;
}

std::optional<double> ValueReader::read(const MessageRecord &message, const QString &field) const
{
    if (field.startsWith(MetricPrefix)) {
        const std::optional<sp::Payload> sparkplug = sparkplugOf(message.topic, message.payload);
        if (!sparkplug)
            return std::nullopt;
        const QString name = field.mid(MetricPrefix.size());
        for (const sp::Metric &metric : sparkplug->metrics) {
            if (metric.name == name)
                return metric.number();
        }
        return std::nullopt;
    }
    const std::optional<QJsonValue> json = jsonOf(message.topic, message.payload, message.contentType);
    if (!json)
        return std::nullopt;
    return field.isEmpty() ? numberOf(*json) : numberOf(at(*json, field));
}

// ---------------------------------------------------------------- ValueChartsView

ValueChartsView::ValueChartsView(EngineMonitor &monitor, SchemaLibrary *library, const sp::AliasTable *aliases,
                                 QWidget *parent)
    : QWidget(parent)
    , m_reader(library, aliases)
    , m_chartsLayout(new QVBoxLayout)
    , m_pauseButton(new QToolButton(this))
    , m_resetZoomButton(new QToolButton(this))
    , m_removeButton(new QToolButton(this))
    , m_status(new QLabel(this))
    , m_redrawTimer(new QTimer(this))
{
    m_pauseButton->setObjectName(QStringLiteral("valueChartsPause"));
    m_pauseButton->setCheckable(true);
    connect(m_pauseButton, &QToolButton::toggled, this, &ValueChartsView::setPaused);
    m_resetZoomButton->setObjectName(QStringLiteral("valueChartsResetZoom"));
    connect(m_resetZoomButton, &QToolButton::clicked, this, [this] {
        for (const Chart &chart : std::as_const(m_charts))
            chart.chart->zoomReset();
        m_dirty = true;
        redraw();
    });
    m_removeButton->setObjectName(QStringLiteral("valueChartsRemove"));
    m_removeButton->setPopupMode(QToolButton::InstantPopup);
    m_removeButton->setMenu(new QMenu(m_removeButton));
    connect(m_removeButton->menu(), &QMenu::aboutToShow, this, [this] {
        QMenu *menu = m_removeButton->menu();
        menu->clear();
        for (int i = 0; i < m_fields.size(); ++i)
            menu->addAction(m_fields.at(i)->pin.label(), this, [this, i] { removePin(i); });
    });
    m_status->setObjectName(QStringLiteral("valueChartsStatus"));
    m_status->setWordWrap(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_pauseButton);
    bar->addWidget(m_resetZoomButton);
    bar->addWidget(m_removeButton);
    bar->addWidget(m_status, 1);
    auto *charts = new QWidget(this);
    charts->setLayout(m_chartsLayout);
    m_chartsLayout->setContentsMargins(0, 0, 0, 0);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(charts, 1);

    // One replace() per series per tick (STYLE.md R10), only when new points came in.
    m_redrawTimer->setInterval(500);
    connect(m_redrawTimer, &QTimer::timeout, this, &ValueChartsView::redraw);
    m_redrawTimer->start();
    connect(&monitor, &EngineMonitor::telemetry, this, &ValueChartsView::applyBatch);
    restore();
    retranslateUi();
}

ValueChartsView::~ValueChartsView()
{
    qDeleteAll(m_fields);
}

void ValueChartsView::retranslateUi()
{
    m_pauseButton->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_resetZoomButton->setText(tr("Reset zoom"));
    m_resetZoomButton->setToolTip(tr("Drag a rectangle in a chart to zoom in"));
    m_removeButton->setText(tr("Remove field"));
    for (const Chart &chart : std::as_const(m_charts))
        chart.x->setTitleText(tr("seconds before the newest value"));
    updateStatus();
    m_dirty = true;
}

void ValueChartsView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ValueChartsView::updateStatus()
{
    m_status->setText(m_fields.isEmpty()
                          ? tr("No values pinned. In Messages, select a JSON, protobuf or Sparkplug B message and "
                               "use “Chart a value” in its inspector.")
                          : tr("%n field(s) pinned", nullptr, int(m_fields.size())));
    m_removeButton->setEnabled(!m_fields.isEmpty());
}

void ValueChartsView::setPaused(bool paused)
{
    m_paused = paused;
    m_pauseButton->setChecked(paused);
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused)
        redraw();
}

QList<ValuePin> ValueChartsView::pins() const
{
    QList<ValuePin> pins;
    for (const PinnedField *field : m_fields)
        pins.append(field->pin);
    return pins;
}

int ValueChartsView::chartCount() const
{
    return int(m_charts.size());
}

QList<QPointF> ValueChartsView::points(int index) const
{
    return m_fields.at(index)->points.toList();
}

QLineSeries *ValueChartsView::series(int index) const
{
    return m_fields.at(index)->series;
}

QChartView *ValueChartsView::chartView(int chart) const
{
    return m_charts.at(chart).view;
}

ValueChartsView::Chart &ValueChartsView::chartFor(int index)
{
    while (m_charts.size() <= index) {
        Chart chart;
        chart.chart = new QChart;
        chart.chart->setAnimationOptions(QChart::NoAnimation);
        chart.chart->setMargins(QMargins(4, 4, 4, 4));
        chart.chart->legend()->setAlignment(Qt::AlignBottom);
        chart.x = new QValueAxis(chart.chart);
        chart.y = new QValueAxis(chart.chart);
        chart.x->setTitleText(tr("seconds before the newest value"));
        chart.chart->addAxis(chart.x, Qt::AlignBottom);
        chart.chart->addAxis(chart.y, Qt::AlignLeft);
        setRoundRange(chart.x, -60, 0, 6, QStringLiteral(" s"));
        setRoundRange(chart.y, 0, 10, 4);
        chart.view = new QChartView(chart.chart, this);
        chart.view->setObjectName(QStringLiteral("valueChart%1").arg(m_charts.size()));
        chart.view->setRenderHint(QPainter::Antialiasing);
        chart.view->setRubberBand(QChartView::RectangleRubberBand);
        chart.view->setMinimumHeight(160);
        prepareChartView(chart.view);
        m_chartsLayout->addWidget(chart.view, 1);
        m_charts.append(chart);
    }
    return m_charts[index];
}

void ValueChartsView::attach(PinnedField &field)
{
    Chart &chart = chartFor(std::max(0, field.pin.chart));
    field.series = addLineSeries(chart.chart, chart.x, chart.y);
    field.series->setName(field.pin.label());
    applyPalette(chart.chart); // the theme colours the new series too
}

void ValueChartsView::addPin(const ValuePin &pin, const QList<MessageRecord> &history)
{
    if (pins().contains(pin))
        return;
    auto *field = new PinnedField{pin};
    m_fields.append(field);
    attach(*field);
    for (const MessageRecord &message : history) {
        if (mqtt::topicMatches(pin.topicFilter, message.topic)) {
            if (const std::optional<double> value = m_reader.read(message, pin.field))
                field->points.push(QPointF(double(message.atMs), *value));
        }
    }
    save();
    updateStatus();
    m_dirty = true;
    redraw();
}

void ValueChartsView::removePin(int index)
{
    if (index < 0 || index >= m_fields.size())
        return;
    PinnedField *field = m_fields.takeAt(index);
    if (field->series) {
        field->series->chart()->removeSeries(field->series);
        delete field->series;
    }
    delete field;
    save();
    updateStatus();
    m_dirty = true;
    redraw();
}

void ValueChartsView::applyBatch(const TelemetryBatch &batch)
{
    if (m_fields.isEmpty())
        return;
    for (const MessageRecord &message : batch.messages)
        take(message);
}

void ValueChartsView::take(const MessageRecord &message)
{
    for (PinnedField *field : std::as_const(m_fields)) {
        if (!mqtt::topicMatches(field->pin.topicFilter, message.topic))
            continue;
        if (const std::optional<double> value = m_reader.read(message, field->pin.field)) {
            field->points.push(QPointF(double(message.atMs), *value));
            m_dirty = true;
        }
    }
}

void ValueChartsView::redraw()
{
    if (m_paused || !m_dirty)
        return;
    m_dirty = false;
    for (int c = 0; c < m_charts.size(); ++c) {
        Chart &chart = m_charts[c];
        double newest = 0;
        for (const PinnedField *field : std::as_const(m_fields)) {
            if (field->pin.chart == c && !field->points.isEmpty())
                newest = std::max(newest, field->points.newest().x());
        }
        double oldest = 0, low = 0, high = 0;
        bool any = false;
        for (PinnedField *field : std::as_const(m_fields)) {
            if (field->pin.chart != c)
                continue;
            QList<QPointF> shown;
            shown.reserve(field->points.size());
            for (qsizetype i = 0; i < field->points.size(); ++i) {
                const QPointF &p = field->points.at(i);
                const QPointF point((p.x() - newest) / 1000.0, p.y());
                shown.append(point);
                low = any ? std::min(low, point.y()) : point.y();
                high = any ? std::max(high, point.y()) : point.y();
                oldest = std::min(oldest, point.x());
                any = true;
            }
            field->series->replace(shown);
        }
        if (chart.chart->isZoomed())
            continue; // the operator's zoom stays until Reset zoom
        setRoundRange(chart.x, std::min(-10.0, oldest), 0, 6, QStringLiteral(" s"));
        if (any) {
            const double margin = high > low ? (high - low) * 0.05 : std::max(1.0, std::abs(high) * 0.1);
            setRoundRange(chart.y, low - margin, high + margin, 4);
        }
    }
}

void ValueChartsView::save() const
{
    QSettings settings;
    settings.beginGroup(SettingsGroup);
    settings.remove(QString());
    settings.beginWriteArray(QStringLiteral("pins"), int(m_fields.size()));
    for (int i = 0; i < m_fields.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("filter"), m_fields.at(i)->pin.topicFilter);
        settings.setValue(QStringLiteral("field"), m_fields.at(i)->pin.field);
        settings.setValue(QStringLiteral("chart"), m_fields.at(i)->pin.chart);
    }
    settings.endArray();
}

void ValueChartsView::restore()
{
    QSettings settings;
    settings.beginGroup(SettingsGroup);
    const int count = settings.beginReadArray(QStringLiteral("pins"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        ValuePin pin{settings.value(QStringLiteral("filter")).toString(), settings.value(QStringLiteral("field")).toString(),
                     std::clamp(settings.value(QStringLiteral("chart")).toInt(), 0, 7)};
        if (!mqtt::isValidTopicFilter(pin.topicFilter))
            continue;
        auto *field = new PinnedField{pin};
        m_fields.append(field);
        attach(*field);
    }
    settings.endArray();
}

} // namespace hermes::ui
