#include "dashboardview.h"
#include "charts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace hermes::ui {

namespace {

QChartView *makeChartView(QChart *chart, QWidget *parent)
{
    chart->setAnimationOptions(QChart::NoAnimation); // live data: animations only lag
    chart->legend()->setAlignment(Qt::AlignRight); // width is cheaper than height in a dock
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(150);
    return view;
}

std::pair<QValueAxis *, QValueAxis *> addAxes(QChart *chart)
{
    auto *x = new QValueAxis(chart);
    x->setLabelFormat(QStringLiteral("%d"));
    x->setRange(-600, 0);
    x->setTickCount(5);
    auto *y = new QValueAxis(chart);
    y->setLabelFormat(QStringLiteral("%.0f"));
    y->setRange(0, 10);
    y->setTickCount(4);
    // The unit is in the chart's title. Qt Charts 6.4 sizes a rotated title with the
    // primary font's metrics and elides a Chinese one to "⋮" on charts this short; the
    // text stays set for tooltips and accessibility.
    y->setTitleVisible(false);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    return {x, y};
}

} // namespace

DashboardView::DashboardView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_histogram(LatenessBuckets, 0)
{
    auto *layout = new QVBoxLayout(this);
    auto *grid = new QGridLayout;
    int index = 0;
    m_connectedLabel = addCounter(grid, index++);
    m_sessionsLabel = addCounter(grid, index++);
    m_inLabel = addCounter(grid, index++);
    m_outLabel = addCounter(grid, index++);
    m_inflightLabel = addCounter(grid, index++);
    m_queuedLabel = addCounter(grid, index++);
    m_retainedLabel = addCounter(grid, index++);
    m_subscriptionsLabel = addCounter(grid, index++);
    m_droppedLabel = addCounter(grid, index++);
    m_errorsLabel = addCounter(grid, index++);
    m_timeoutsLabel = addCounter(grid, index++);
    m_takeOversLabel = addCounter(grid, index++);
    for (quint64 BrokerCounters::*field :
         {&BrokerCounters::connectionsRefused, &BrokerCounters::authenticationFailures, &BrokerCounters::accessDenials,
          &BrokerCounters::connectionRateRefusals, &BrokerCounters::authBackoffRefusals,
          &BrokerCounters::subscriptionQuotaRefusals})
        m_limitCounters.append({addCounter(grid, index++), field});
    layout->addLayout(grid);

    auto *charts = new QGridLayout;
    {
        m_connectionsChart = new QChart;
        std::tie(m_connectionsX, m_connectionsY) = addAxes(m_connectionsChart);
        m_connections = addLineSeries(m_connectionsChart, m_connectionsX, m_connectionsY);
        m_connectionsChart->legend()->hide();
        charts->addWidget(makeChartView(m_connectionsChart, this), 0, 0);
    }
    {
        m_ratesChart = new QChart;
        std::tie(m_ratesX, m_ratesY) = addAxes(m_ratesChart);
        m_inRate = addLineSeries(m_ratesChart, m_ratesX, m_ratesY);
        m_outRate = addLineSeries(m_ratesChart, m_ratesX, m_ratesY);
        charts->addWidget(makeChartView(m_ratesChart, this), 0, 1);
    }
    {
        m_backlogChart = new QChart;
        std::tie(m_backlogX, m_backlogY) = addAxes(m_backlogChart);
        m_inflight = addLineSeries(m_backlogChart, m_backlogX, m_backlogY);
        m_queued = addLineSeries(m_backlogChart, m_backlogX, m_backlogY);
        charts->addWidget(makeChartView(m_backlogChart, this), 1, 0);
    }
    {
        m_latenessChart = new QChart;
        m_latenessSet = new QBarSet(QString(), m_latenessChart);
        for (int i = 0; i < LatenessBuckets; ++i)
            *m_latenessSet << 0;
        auto *series = new QBarSeries(m_latenessChart);
        series->append(m_latenessSet);
        m_latenessChart->addSeries(series);
        m_latenessX = new QBarCategoryAxis(m_latenessChart);
        m_latenessY = new QValueAxis(m_latenessChart);
        m_latenessY->setLabelFormat(QStringLiteral("%.0f"));
        m_latenessY->setRange(0, 10);
        m_latenessY->setTickCount(4);
        m_latenessChart->addAxis(m_latenessX, Qt::AlignBottom);
        m_latenessChart->addAxis(m_latenessY, Qt::AlignLeft);
        series->attachAxis(m_latenessX);
        series->attachAxis(m_latenessY);
        m_latenessChart->legend()->hide();
        charts->addWidget(makeChartView(m_latenessChart, this), 1, 1);
    }
    layout->addLayout(charts, 1);

    for (QChartView *view : findChildren<QChartView *>())
        prepareChartView(view); // after the series exist: the theme colours them
    connect(&monitor, &EngineMonitor::telemetry, this, &DashboardView::applyBatch);
    retranslateUi();
    redraw(); // round axes before the first sample
}

void DashboardView::retranslateUi()
{
    // In the order of the counters built in the constructor.
    const QString captions[] = {
        tr("Connected"),
        tr("Sessions"),
        tr("Messages in/s"),
        tr("Messages out/s"),
        tr("In flight"),
        tr("Queued"),
        tr("Retained"),
        tr("Subscriptions"),
        tr("Dropped"),
        tr("Protocol errors"),
        tr("Keep-alive timeouts"),
        tr("Take-overs"),
        tr("Refused connections"),
        tr("Failed logins"),
        tr("Access denials"),
        tr("Rate-limited connects"),
        tr("Login back-off refusals"),
        tr("Subscription quota refusals"),
    };
    Q_ASSERT(std::size(captions) == size_t(m_captions.size()));
    for (qsizetype i = 0; i < m_captions.size(); ++i)
        m_captions.at(i)->setText(captions[i]);

    // The time axes keep the context they were first written with.
    for (QValueAxis *axis : {m_connectionsX, m_ratesX, m_backlogX})
        axis->setTitleText(QObject::tr("seconds ago"));
    m_connectionsChart->setTitle(tr("Connections"));
    m_connectionsY->setTitleText(tr("clients"));
    m_connections->setName(tr("Connected"));
    m_ratesChart->setTitle(tr("Messages per second"));
    m_ratesY->setTitleText(tr("msg/s"));
    m_inRate->setName(tr("In"));
    m_outRate->setName(tr("Out"));
    m_backlogChart->setTitle(tr("In flight and queued"));
    m_backlogY->setTitleText(tr("messages"));
    m_inflight->setName(tr("In flight"));
    m_queued->setName(tr("Queued"));
    m_latenessChart->setTitle(tr("Heartbeat lateness (last inbound packet vs 1.5 × keep-alive)"));
    m_latenessSet->setLabel(tr("Online sessions"));
    m_latenessX->setCategories({tr("0–25 %"), tr("25–50 %"), tr("50–67 %"), tr("67–100 %"), tr("overdue")});
}

void DashboardView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

QLabel *DashboardView::addCounter(QGridLayout *grid, int index)
{
    auto *box = new QWidget(this);
    auto *boxLayout = new QVBoxLayout(box);
    boxLayout->setContentsMargins(6, 2, 6, 2);
    auto *caption = new QLabel(box);
    caption->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_captions.append(caption);
    auto *value = new QLabel(QStringLiteral("0"), box);
    QFont font = value->font();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    font.setBold(true);
    value->setFont(font);
    boxLayout->addWidget(caption);
    boxLayout->addWidget(value);
    grid->addWidget(box, index / 6, index % 6);
    return value;
}

int DashboardView::latenessBucket(double fraction)
{
    // Fractions of the 1.5 T deadline: 1/1.5 = 0.67 is where the client should have pinged.
    if (fraction < 0.25)
        return 0;
    if (fraction < 0.5)
        return 1;
    if (fraction < 2.0 / 3.0)
        return 2;
    if (fraction < 1.0)
        return 3;
    return 4;
}

void DashboardView::applyBatch(const TelemetryBatch &batch)
{
    if (batch.full)
        m_sessions.clear();
    for (const SessionInfo &info : batch.changedSessions)
        m_sessions.insert(info.clientId, {info.lastInboundMs, info.keepAliveSeconds, info.online});
    for (const QString &removed : batch.removedSessions)
        m_sessions.remove(removed);

    std::fill(m_histogram.begin(), m_histogram.end(), 0);
    for (const Lateness &session : std::as_const(m_sessions)) {
        if (!session.online || session.keepAliveSeconds == 0)
            continue;
        const double deadlineMs = session.keepAliveSeconds * 1500.0;
        ++m_histogram[latenessBucket(double(batch.atMs - session.lastInboundMs) / deadlineMs)];
    }

    const BrokerCounters &c = batch.counters;
    const QLocale locale;
    m_connectedLabel->setText(locale.toString(c.clientsConnected));
    m_sessionsLabel->setText(locale.toString(c.clientsTotal));
    m_inflightLabel->setText(locale.toString(c.inflightTotal));
    m_queuedLabel->setText(locale.toString(c.queuedTotal));
    m_retainedLabel->setText(locale.toString(c.retainedCount));
    m_subscriptionsLabel->setText(locale.toString(c.subscriptionCount));
    m_droppedLabel->setText(locale.toString(c.publishDropped));
    m_errorsLabel->setText(locale.toString(c.protocolErrors));
    m_timeoutsLabel->setText(locale.toString(c.keepAliveTimeouts));
    m_takeOversLabel->setText(locale.toString(c.takeOvers));
    for (const auto &[label, field] : std::as_const(m_limitCounters))
        label->setText(locale.toString(c.*field));
    sample(batch);
}

void DashboardView::sample(const TelemetryBatch &batch)
{
    const BrokerCounters &c = batch.counters;
    if (!m_previousCounters) {
        m_previousCounters = c;
        m_previousSampleMs = batch.atMs;
        return;
    }
    const qint64 elapsedMs = batch.atMs - m_previousSampleMs;
    if (elapsedMs < 1000)
        return; // one point per second, whatever the batch rate
    const double seconds = elapsedMs / 1000.0;
    Sample point;
    point.atMs = batch.atMs;
    point.connections = double(c.clientsConnected);
    point.inRate = double(c.publishReceived - m_previousCounters->publishReceived) / seconds;
    point.outRate = double(c.publishSent - m_previousCounters->publishSent) / seconds;
    point.inflight = double(c.inflightTotal);
    point.queued = double(c.queuedTotal);
    m_samples.push(point);
    m_previousCounters = c;
    m_previousSampleMs = batch.atMs;
    m_inLabel->setText(QLocale().toString(point.inRate, 'f', 0));
    m_outLabel->setText(QLocale().toString(point.outRate, 'f', 0));
    redraw();
}

void DashboardView::redraw()
{
    QList<QPointF> connections, inRate, outRate, inflight, queued;
    double maxConnections = 1, maxRate = 1, maxBacklog = 1;
    const qint64 newest = m_samples.isEmpty() ? 0 : m_samples.newest().atMs;
    for (qsizetype i = 0; i < m_samples.size(); ++i) {
        const Sample &s = m_samples.at(i);
        const double x = double(s.atMs - newest) / 1000.0;
        connections.append({x, s.connections});
        inRate.append({x, s.inRate});
        outRate.append({x, s.outRate});
        inflight.append({x, s.inflight});
        queued.append({x, s.queued});
        maxConnections = std::max(maxConnections, s.connections);
        maxRate = std::max({maxRate, s.inRate, s.outRate});
        maxBacklog = std::max({maxBacklog, s.inflight, s.queued});
    }
    // One replace() per series per tick, never append() per message (STYLE.md R10).
    m_connections->replace(connections);
    m_inRate->replace(inRate);
    m_outRate->replace(outRate);
    m_inflight->replace(inflight);
    m_queued->replace(queued);
    // The time axis grows with the history, up to the ring's 600 s; ticks stay on round
    // seconds (−60, −40, −20, 0) and counts on whole numbers.
    const double oldest = connections.isEmpty() ? 0 : connections.first().x();
    // SI symbols, the same in every language: Qt Charts 6.4 prints label formats through
    // Latin-1, so a translated unit such as 秒 would show as "?".
    const QString secondsUnit = QStringLiteral(" s");
    for (QValueAxis *axis : {m_connectionsX, m_ratesX, m_backlogX})
        setRoundRange(axis, std::min(-60.0, oldest), 0, 5, secondsUnit);
    const auto setCountRange = [](QValueAxis *axis, double maximum, const QString &unit = {}) {
        // Counts are whole: never a step below 1 (0, 1, 2, 3, 4 rather than 0, 0.5, …).
        setRoundRange(axis, 0, std::max(4.0, maximum * 1.1), 4, unit);
        if (axis->tickInterval() < 1) {
            axis->setTickInterval(1);
            axis->setLabelFormat(QStringLiteral("%.0f") + unit);
        }
    };
    setCountRange(m_connectionsY, maxConnections);
    setCountRange(m_ratesY, maxRate, QStringLiteral("/s"));
    setCountRange(m_backlogY, maxBacklog);
    int maxBucket = 1;
    for (int i = 0; i < LatenessBuckets; ++i) {
        m_latenessSet->replace(i, m_histogram.at(i));
        maxBucket = std::max(maxBucket, m_histogram.at(i));
    }
    setCountRange(m_latenessY, maxBucket);
}

} // namespace hermes::ui
