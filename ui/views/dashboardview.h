#pragma once
/// Live charts and counters of the whole broker.

#include "ringbuffer.h"

#include "engine/api/monitor.h"

#include <QHash>
#include <QPointF>
#include <QWidget>

class QBarSet;
class QChart;
class QLabel;
class QLineSeries;
class QValueAxis;
class QBarCategoryAxis;
class QGridLayout;

namespace hermes::ui {

/// Connections, messages in/out per second, in-flight and queued totals, and how late
/// each session's last inbound packet is against its 1.5 T deadline. Charts redraw from
/// ring buffers once per second at most (STYLE.md R10).
class DashboardView : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardView(EngineMonitor &monitor, QWidget *parent = nullptr);

    /// Lateness buckets (fraction of 1.5 T) — exposed for tests.
    static int latenessBucket(double fraction);
    static constexpr int LatenessBuckets = 5;
    /// The number of online sessions per lateness bucket in the last batch.
    QList<int> latenessHistogram() const { return m_histogram; }
    /// Points in the charts' ring buffers.
    qsizetype sampleCount() const { return m_samples.size(); }

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void applyBatch(const TelemetryBatch &batch);
    void sample(const TelemetryBatch &batch);
    void redraw();
    QLabel *addCounter(QGridLayout *grid, int index);

    struct Sample {
        qint64 atMs = 0;
        double connections = 0;
        double inRate = 0;
        double outRate = 0;
        double inflight = 0;
        double queued = 0;
    };
    struct Lateness {
        qint64 lastInboundMs = 0;
        quint16 keepAliveSeconds = 0;
        bool online = false;
    };

    RingBuffer<Sample> m_samples{600};
    QHash<QString, Lateness> m_sessions;
    QList<int> m_histogram;
    std::optional<BrokerCounters> m_previousCounters;
    qint64 m_previousSampleMs = 0;

    QChart *m_connectionsChart = nullptr;
    QChart *m_ratesChart = nullptr;
    QChart *m_backlogChart = nullptr;
    QChart *m_latenessChart = nullptr;
    QBarCategoryAxis *m_latenessX = nullptr;
    QLineSeries *m_connections = nullptr;
    QLineSeries *m_inRate = nullptr;
    QLineSeries *m_outRate = nullptr;
    QLineSeries *m_inflight = nullptr;
    QLineSeries *m_queued = nullptr;
    QBarSet *m_latenessSet = nullptr;
    QValueAxis *m_connectionsX = nullptr, *m_connectionsY = nullptr;
    QValueAxis *m_ratesX = nullptr, *m_ratesY = nullptr;
    QValueAxis *m_backlogX = nullptr, *m_backlogY = nullptr;
    QValueAxis *m_latenessY = nullptr;

    /// The counters' captions, in the order retranslateUi() names them.
    QList<QLabel *> m_captions;
    QLabel *m_connectedLabel = nullptr;
    QLabel *m_sessionsLabel = nullptr;
    QLabel *m_inLabel = nullptr;
    QLabel *m_outLabel = nullptr;
    QLabel *m_inflightLabel = nullptr;
    QLabel *m_queuedLabel = nullptr;
    QLabel *m_retainedLabel = nullptr;
    QLabel *m_subscriptionsLabel = nullptr;
    QLabel *m_droppedLabel = nullptr;
    QLabel *m_errorsLabel = nullptr;
    QLabel *m_timeoutsLabel = nullptr;
    QLabel *m_takeOversLabel = nullptr;
    /// Security and abuse-limit counters: each label shows one BrokerCounters field.
    QList<std::pair<QLabel *, quint64 BrokerCounters::*>> m_limitCounters;
};

} // namespace hermes::ui
