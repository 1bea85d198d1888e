#include "networksview.h"

#include "charts.h"
#include "networktablemodel.h"
#include "networktext.h"
#include "theme.h"

#include <QAreaSeries>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QLineSeries>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace hermes::ui {

using analytics::NetworkReport;

namespace {

/// At most this many labels under the bars, so the seconds stay readable in a narrow dock.
constexpr int MaxGapLabels = 8;

QColor survivedColor(const QPalette &p) { return themed(p, QColor(0x2e, 0x9d, 0x4f), QColor(0x66, 0xcc, 0x80)); }
QColor killedColor(const QPalette &p) { return themed(p, QColor(0xd3, 0x2f, 0x2f), QColor(0xff, 0x6b, 0x6b)); }
/// The heartbeat timeline's NAT colour: the same timeout drawn the same way in both places.
QColor natColor(const QPalette &p) { return themed(p, QColor(0x7b, 0x1f, 0xa2), QColor(0xd1, 0x8c, 0xf0)); }

} // namespace

NetworksView::NetworksView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_monitor(monitor)
    , m_model(new NetworkTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_status(new QLabel(this))
    , m_refresh(new QTimer(this))
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_bars(new QBarSeries(m_chart))
    , m_survived(new QBarSet(QString(), m_chart))
    , m_killed(new QBarSet(QString(), m_chart))
    , m_bandTop(new QLineSeries(m_chart))
    , m_bandBottom(new QLineSeries(m_chart))
    , m_band(new QAreaSeries(m_bandTop, m_bandBottom))
    , m_gapAxis(new QCategoryAxis(m_chart))
    , m_countAxis(new QValueAxis(m_chart))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(NetworkTableModel::SortValueRole);
    m_table->setObjectName(QStringLiteral("networksTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(NetworkTableModel::Network, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &NetworksView::onCurrentRowChanged);
    m_status->setObjectName(QStringLiteral("networksStatus"));
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);

    // The evidence: one bar pair per gap bucket on an axis counted in buckets (bucket i is
    // centred on i), labelled in seconds at the bucket edges; the interval the timeout lies
    // in is a band over the bars, in the same coordinates.
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_bars->append(m_survived);
    m_bars->append(m_killed);
    m_bars->setBarWidth(0.9);
    m_chart->addSeries(m_bars);
    m_chart->addSeries(m_band);
    m_gapAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_countAxis->setLabelFormat(QStringLiteral("%.0f"));
    m_countAxis->setTitleVisible(false); // see DashboardView: Qt 6.4 elides a rotated Chinese title
    m_chart->addAxis(m_gapAxis, Qt::AlignBottom);
    m_chart->addAxis(m_countAxis, Qt::AlignLeft);
    for (QAbstractSeries *series : {static_cast<QAbstractSeries *>(m_bars), static_cast<QAbstractSeries *>(m_band)}) {
        series->attachAxis(m_gapAxis);
        series->attachAxis(m_countAxis);
    }
    m_chartView->setObjectName(QStringLiteral("networkGapsChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(240);
    prepareChartView(m_chartView);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_table, 1);
    topLayout->addWidget(m_status);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(m_chartView);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({1, 2}); // scaled to the height: a fleet has a handful of networks
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(splitter);

    m_refresh->setObjectName(QStringLiteral("networksRefreshTimer"));
    m_refresh->setInterval(RefreshIntervalMs);
    connect(m_refresh, &QTimer::timeout, &m_monitor, &EngineMonitor::requestNetworks);
    connect(&m_monitor, &EngineMonitor::networksListed, this, &NetworksView::applyReports);
    // A started broker has networks to show at once, not a refresh later.
    connect(&m_monitor, &EngineMonitor::started, this, [this] {
        if (isVisible())
            m_monitor.requestNetworks();
    });

    retranslateUi();
}

bool NetworksView::isRefreshing() const
{
    return m_refresh->isActive();
}

void NetworksView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_monitor.requestNetworks();
    m_refresh->start();
}

void NetworksView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_refresh->stop();
}

void NetworksView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    if (event->type() == QEvent::PaletteChange)
        // After the chart view's own palette handling, which resets series colours.
        QTimer::singleShot(0, this, &NetworksView::applyColors);
    QWidget::changeEvent(event);
}

void NetworksView::retranslateUi()
{
    m_model->retranslate();
    // Four networks in view, under headers of two lines in either language, above the
    // scroll bar a narrow dock needs.
    m_table->setMinimumHeight(m_table->verticalHeader()->defaultSectionSize() * 4
                              + m_table->horizontalHeader()->sizeHint().height()
                              + m_table->horizontalScrollBar()->sizeHint().height() + 2 * m_table->frameWidth());
    m_survived->setLabel(tr("survived"));
    m_killed->setLabel(tr("killed the connection"));
    m_gapAxis->setTitleText(tr("idle gap (s)"));
    m_countAxis->setTitleText(tr("observations"));
    updateStatus();
    updateChart();
}

void NetworksView::updateStatus()
{
    if (m_haveList && m_model->rowCount() == 0)
        m_status->setText(tr("No networks yet. Name them with `network NAME CIDR` in the broker's configuration; "
                             "until then each /16 (IPv6 /48) counts as one."));
    else
        m_status->setText(tr("Evidence: idle gaps of at least 30 s that connections survived, and gaps after which "
                             "a device redialled from the same network because its NAT mapping had died."));
}

void NetworksView::applyReports(const QList<NetworkReport> &reports)
{
    m_haveList = true;
    m_model->setReports(reports);
    updateStatus();
    if ((m_selected.isEmpty() || m_model->rowOf(m_selected) < 0) && m_proxy->rowCount() > 0)
        m_table->selectRow(0);
    updateChart();
}

void NetworksView::selectNetwork(const QString &network)
{
    const int row = m_model->rowOf(network);
    if (row < 0)
        return;
    m_table->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
}

void NetworksView::onCurrentRowChanged()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    m_selected = current.isValid() ? current.data(NetworkTableModel::NetworkRole).toString() : QString();
    updateChart();
}

void NetworksView::updateChart()
{
    const int row = m_model->rowOf(m_selected);
    const analytics::GapHistogram gaps = row < 0 ? analytics::GapHistogram{} : m_model->report(row).gaps;
    const qsizetype buckets = gaps.survived.size();
    m_survived->remove(0, m_survived->count());
    m_killed->remove(0, m_killed->count());
    int highest = 0;
    for (qsizetype i = 0; i < buckets; ++i) {
        m_survived->append(gaps.survived.at(i));
        m_killed->append(gaps.killed.at(i));
        highest = std::max({highest, gaps.survived.at(i), gaps.killed.at(i)});
    }

    // Bucket i spans [i − ½, i + ½] on the axis; an edge label every `every` buckets.
    for (const QString &label : m_gapAxis->categoriesLabels())
        m_gapAxis->remove(label);
    const int every = std::max(1, int((buckets + MaxGapLabels - 1) / MaxGapLabels));
    m_gapAxis->setStartValue(-1);
    for (qsizetype edge = 0; edge <= buckets; edge += every)
        m_gapAxis->append(QString::number(gaps.bucketStart(edge).count() / 1000), double(edge) - 0.5);
    m_gapAxis->setRange(-1, std::max<double>(1, double(buckets)));
    setRoundRange(m_countAxis, 0, std::max(highest, 1), 4);

    // The interval, in bucket coordinates; a bound the evidence lacks runs to the edge.
    m_bandTop->clear();
    m_bandBottom->clear();
    if (row >= 0 && buckets > 0) {
        const analytics::NatEstimate &e = m_model->report(row).estimate;
        const auto x = [&](analytics::Duration d) {
            return double((d - gaps.start).count()) / double(gaps.bucketWidth.count()) - 0.5;
        };
        if (e.lowerBound || e.upperBound) {
            const double from = e.lowerBound ? x(*e.lowerBound) : -1;
            const double to = e.upperBound ? x(*e.upperBound) : double(buckets);
            const double top = m_countAxis->max();
            m_bandTop->append({QPointF(from, top), QPointF(to, top)});
            m_bandBottom->append({QPointF(from, 0), QPointF(to, 0)});
        }
        m_band->setName(tr("NAT timeout: %1").arg(NetworkText::tentativeInterval(e)));
    }
    m_band->setVisible(m_bandTop->count() > 0);
    if (row < 0)
        m_chart->setTitle(m_haveList && m_model->rowCount() == 0 ? QString() : tr("Select a network"));
    else
        m_chart->setTitle(tr("Idle gaps on %1: survived and fatal").arg(m_selected));
    applyColors();
}

void NetworksView::applyColors()
{
    const QPalette p = palette();
    m_survived->setColor(survivedColor(p));
    m_survived->setBorderColor(survivedColor(p));
    m_killed->setColor(killedColor(p));
    m_killed->setBorderColor(killedColor(p));
    QColor fill = natColor(p);
    fill.setAlpha(50);
    m_band->setBrush(fill);
    m_band->setPen(QPen(natColor(p), 2, Qt::DashLine));
}

} // namespace hermes::ui
