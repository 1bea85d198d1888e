#pragma once
/// The Pushes view: every push sent from this console or the admin API, with its delivery
/// counts, arrival rate and latency, and the per-device report of the selected one.

#include "pushmodels.h"

#include <QWidget>

class QChartView;
class QPushButton;
class QLabel;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace hermes::ui {

class PushesView : public QWidget
{
    Q_OBJECT
public:
    explicit PushesView(EngineMonitor &monitor, QWidget *parent = nullptr);
    PushListModel *pushes() const { return m_pushes; }
    PushTargetModel *targets() const { return m_targets; }
    /// Arrivals of the selected push over time: (ms after its send time, arrivals so far).
    QLineSeries *arrivals() const { return m_arrivals; }
    /// Selects a push's row (and shows its targets).
    void selectPush(const QString &pushId);
    /// Writes the selected push's delivery report: CSV (one row per target) for a .csv
    /// path, else JSON (the report with its targets). False when nothing is selected or the
    /// file cannot be written.
    bool exportSelectedReport(const QString &path) const;

signals:
    /// The operator asked for a new push.
    void composeRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void onReports(const QList<PushReport> &reports);
    void showSelected();
    void plotArrivals(const PushReport &report);

    PushListModel *m_pushes;
    PushTargetModel *m_targets;
    QTableView *m_pushTable;
    QTableView *m_targetTable;
    QLabel *m_summary;
    QChartView *m_chartView;
    QLineSeries *m_arrivals;
    QValueAxis *m_timeAxis;
    QValueAxis *m_countAxis;
    QPushButton *m_compose;
    QPushButton *m_exportReport;
    QString m_selectedPushId;
};

} // namespace hermes::ui
