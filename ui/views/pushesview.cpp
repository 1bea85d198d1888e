#include "pushesview.h"
#include "charts.h"
#include "reportexport.h"

#include <QFileDialog>
#include <QJsonDocument>
#include <QMessageBox>
#include <QSaveFile>

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QLineSeries>
#include <QValueAxis>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace hermes::ui {


const PushReport *PushListModel::report(int row) const
{
    return row >= 0 && row < m_reports.size() ? &m_reports.at(row) : nullptr;
}

PushesView::PushesView(EngineMonitor &monitor, QWidget *parent)
    : QWidget(parent)
    , m_pushes(new PushListModel(this))
    , m_targets(new PushTargetModel(this))
    , m_pushTable(new QTableView(this))
    , m_targetTable(new QTableView(this))
    , m_summary(new QLabel(this))
    , m_chartView(new QChartView(new QChart, this)) // setChart() would orphan a default chart
    , m_arrivals(new QLineSeries(this))
    , m_timeAxis(new QValueAxis(this))
    , m_countAxis(new QValueAxis(this))
    , m_compose(new QPushButton(this))
    , m_exportReport(new QPushButton(this))
{
    m_pushTable->setObjectName(QStringLiteral("pushTable"));
    m_targetTable->setObjectName(QStringLiteral("pushTargetTable"));
    m_summary->setObjectName(QStringLiteral("pushSummary"));
    for (QTableView *table : {m_pushTable, m_targetTable}) {
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        table->setSelectionMode(QAbstractItemView::SingleSelection);
        table->verticalHeader()->hide();
        table->horizontalHeader()->setStretchLastSection(true);
        table->setAlternatingRowColors(true);
    }
    m_pushTable->setModel(m_pushes);
    m_targetTable->setModel(m_targets);
    m_pushTable->horizontalHeader()->setDefaultSectionSize(96);
    m_pushTable->setColumnWidth(PushListModel::Id, 150);
    m_pushTable->setColumnWidth(PushListModel::Target, 180);
    m_targetTable->horizontalHeader()->setDefaultSectionSize(100);
    m_summary->setWordWrap(true);

    // Cumulative arrivals: a steep line is a fast push, a long tail is devices coming back.
    QChart *chart = m_chartView->chart();
    chart->addSeries(m_arrivals);
    chart->legend()->hide();
    m_timeAxis->setLabelFormat(QStringLiteral("%.1f"));
    m_countAxis->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_countAxis, Qt::AlignLeft);
    m_arrivals->attachAxis(m_timeAxis);
    m_arrivals->attachAxis(m_countAxis);
    m_chartView->setObjectName(QStringLiteral("pushArrivalChart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumWidth(280);
    prepareChartView(m_chartView);

    m_compose->setObjectName(QStringLiteral("pushCompose"));
    connect(m_compose, &QPushButton::clicked, this, &PushesView::composeRequested);
    m_exportReport->setObjectName(QStringLiteral("exportPushReport"));
    connect(m_exportReport, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export delivery report"),
                                                          QStringLiteral("push-report.csv"),
                                                          tr("CSV files (*.csv);;JSON files (*.json)"));
        if (!path.isEmpty() && !exportSelectedReport(path))
            QMessageBox::warning(this, tr("Export delivery report"), tr("Could not write %1.").arg(path));
    });
    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_exportReport);
    top->addWidget(m_compose);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    auto *bottom = new QSplitter(Qt::Horizontal, splitter);
    bottom->addWidget(m_targetTable);
    bottom->addWidget(m_chartView);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    splitter->addWidget(m_pushTable);
    splitter->addWidget(bottom);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);

    connect(&monitor, &EngineMonitor::pushReportsChanged, this, &PushesView::onReports);
    connect(&monitor, &EngineMonitor::pushAccepted, this, [this](const PushReport &report) { onReports({report}); });
    connect(m_pushTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        const PushReport *report = m_pushes->report(current.row());
        m_selectedPushId = report ? report->pushId : QString();
        showSelected();
    });
    retranslateUi();
}

void PushesView::retranslateUi()
{
    m_chartView->chart()->setTitle(tr("Arrivals"));
    m_timeAxis->setTitleText(tr("seconds after send"));
    m_countAxis->setTitleText(tr("devices"));
    m_compose->setText(tr("New push…"));
    m_exportReport->setText(tr("Export report…"));
    m_exportReport->setToolTip(tr("Write the selected push's delivery report to CSV or JSON"));
    // Headers, target descriptions and state names are translated words.
    const QList<QAbstractItemModel *> models{m_pushes, m_targets};
    for (QAbstractItemModel *model : models) {
        emit model->headerDataChanged(Qt::Horizontal, 0, model->columnCount() - 1);
        if (model->rowCount() > 0)
            emit model->dataChanged(model->index(0, 0), model->index(model->rowCount() - 1, model->columnCount() - 1));
    }
    showSelected(); // the summary
}

void PushesView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void PushesView::onReports(const QList<PushReport> &reports)
{
    m_pushes->apply(reports);
    if (m_selectedPushId.isEmpty() && m_pushes->rowCount() > 0)
        m_pushTable->selectRow(0);
    showSelected();
}

void PushesView::selectPush(const QString &pushId)
{
    const int row = m_pushes->rowOf(pushId);
    if (row >= 0)
        m_pushTable->selectRow(row);
}

bool PushesView::exportSelectedReport(const QString &path) const
{
    const PushReport *report = m_pushes->report(m_pushes->rowOf(m_selectedPushId));
    if (!report)
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    if (tableFormatFor(path) == TableFormat::Csv)
        file.write(toCsv(pushReportColumns(), pushReportRows(*report)));
    else
        file.write(QJsonDocument(report->toJson(true)).toJson(QJsonDocument::Indented));
    return file.commit();
}

void PushesView::showSelected()
{
    const int row = m_pushes->rowOf(m_selectedPushId);
    const PushReport *report = m_pushes->report(row);
    if (!report) {
        m_targets->clear();
        m_arrivals->clear();
        m_summary->setText(m_pushes->rowCount() ? tr("Select a push to see each device.") : tr("No pushes yet."));
        return;
    }
    m_targets->setReport(*report);
    plotArrivals(*report);
    const PushReport::Counts counts = report->counts();
    const QList<qint64> latencies = report->latenciesMs();
    const auto percentile = [&latencies](double p) {
        return latencies.isEmpty() ? 0 : latencies.at(std::min<qsizetype>(latencies.size() - 1, qsizetype(p * double(latencies.size()))));
    };
    m_summary->setText(tr("%1 — %2: %3 receipted, %4 acknowledged, %5 waiting, %6 failed, %7 expired; "
                          "%8 arrivals/s; latency p50 %9 ms, p99 %10 ms; %11 duplicate(s), %12 missing")
                           .arg(report->pushId, pushTargetText(report->target))
                           .arg(counts.receipted)
                           .arg(counts.acknowledged + counts.sent)
                           .arg(counts.pending + counts.queued)
                           .arg(counts.failed)
                           .arg(counts.expired)
                           .arg(report->arrivalRatePerSecond(), 0, 'f', 1)
                           .arg(percentile(0.5))
                           .arg(percentile(0.99))
                           .arg(report->duplicates)
                           .arg(report->missing()));
}

void PushesView::plotArrivals(const PushReport &report)
{
    const QList<qint64> latencies = report.latenciesMs();
    QList<QPointF> points{{0, 0}};
    points.reserve(latencies.size() + 1);
    for (qsizetype i = 0; i < latencies.size(); ++i)
        points.append({double(latencies.at(i)) / 1000.0, double(i + 1)});
    m_arrivals->replace(points);
    const double lastSecond = latencies.isEmpty() ? 1.0 : std::max(0.1, double(latencies.constLast()) / 1000.0);
    m_timeAxis->setRange(0, lastSecond * 1.05);
    m_timeAxis->setLabelFormat(lastSecond < 1 ? QStringLiteral("%.2f") : QStringLiteral("%.1f"));
    const qsizetype audience = std::max<qsizetype>(1, report.targets.size());
    m_countAxis->setRange(0, double(audience));
    // Whole devices only: no more ticks than there are devices.
    m_countAxis->setTickCount(int(std::min<qsizetype>(audience + 1, 6)));
    if (audience > 5)
        m_countAxis->applyNiceNumbers();
}

} // namespace hermes::ui
