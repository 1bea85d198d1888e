#pragma once
/// Value charts: numeric fields pinned from decoded payloads (JSON text, protobuf by schema,
/// Sparkplug B metrics by name), plotted over time as messages arrive. Several fields share
/// a chart, several charts stack; each field keeps its newest points in a ring (bounded
/// memory); live with pause and rubber-band zoom. Pins persist per topic filter.

#include "ringbuffer.h"

#include "engine/api/monitor.h"

#include "schema/sparkplug.h"

#include <QJsonValue>
#include <QPointF>
#include <QWidget>

#include <optional>

class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QTimer;
class QToolButton;
class QValueAxis;
class QVBoxLayout;

namespace hermes::ui {

class SchemaLibrary;

/// One pinned field: the topics it is read from and where in the payload.
struct ValuePin {
    QString topicFilter;
    QString field; ///< dotted path into the payload's JSON ("power.watts", "cells.2"), or "metric:NAME"
    int chart = 0; ///< the chart (0, 1, …) it is drawn in
    QString label() const;
    bool operator==(const ValuePin &) const = default;
};

/// The numbers a payload offers for pinning and reading them back. JSON text is read as
/// it is, protobuf through the library's schemas (its canonical JSON: int64 as strings is
/// still a number), Sparkplug B by metric name (aliases resolved).
class ValueReader
{
public:
    ValueReader(SchemaLibrary *library, const schema::sparkplug::AliasTable *aliases);
    /// Numeric fields of a payload, in document order: field → value.
    QList<std::pair<QString, double>> numericFields(const QString &topic, const QByteArray &payload,
                                                    const QString &contentType) const;
    std::optional<double> read(const MessageRecord &message, const QString &field) const;

private:
    std::optional<QJsonValue> jsonOf(const QString &topic, const QByteArray &payload, const QString &contentType) const;
    std::optional<schema::sparkplug::Payload> sparkplugOf(const QString &topic, const QByteArray &payload) const;

    SchemaLibrary *m_library;
    const schema::sparkplug::AliasTable *m_aliases;
};

class ValueChartsView : public QWidget
{
    Q_OBJECT
public:
    /// Points kept per pinned field (the oldest drop out).
    static constexpr qsizetype PointsPerField = 2000;

    /// `library` and `aliases` (both optional) must outlive the view. Pins are loaded from
    /// the settings (group "valueCharts").
    ValueChartsView(EngineMonitor &monitor, SchemaLibrary *library, const schema::sparkplug::AliasTable *aliases,
                    QWidget *parent = nullptr);
    ~ValueChartsView() override;

    QList<ValuePin> pins() const;
    /// Adds a pin (saved) and fills it from `history` (the Messages ring, oldest first).
    void addPin(const ValuePin &pin, const QList<MessageRecord> &history = {});
    void removePin(int index);
    int chartCount() const;
    /// The points of pin `index`, oldest first (x: milliseconds since the epoch).
    QList<QPointF> points(int index) const;
    /// The drawn series of pin `index` (x: seconds before the newest point).
    QLineSeries *series(int index) const;
    QChartView *chartView(int chart) const;
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    /// Redraws now (normally every 500 ms while something changed).
    void redraw();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct PinnedField {
        ValuePin pin;
        RingBuffer<QPointF> points{PointsPerField};
        QLineSeries *series = nullptr;
    };
    struct Chart {
        QChart *chart = nullptr;
        QChartView *view = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
    };

    void retranslateUi();
    void applyBatch(const TelemetryBatch &batch);
    void take(const MessageRecord &message);
    Chart &chartFor(int index);
    void attach(PinnedField &field);
    void save() const;
    void restore();
    void updateStatus();

    ValueReader m_reader;
    QList<PinnedField *> m_fields; ///< owned
    QList<Chart> m_charts;
    QVBoxLayout *m_chartsLayout;
    QToolButton *m_pauseButton;
    QToolButton *m_resetZoomButton;
    QToolButton *m_removeButton;
    QLabel *m_status;
    QTimer *m_redrawTimer;
    bool m_paused = false;
    bool m_dirty = false;
};

} // namespace hermes::ui
