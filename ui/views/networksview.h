#pragma once
/// What the live fleet teaches about each network's NAT: the estimate per network and the
/// evidence behind the selected one.

#include "engine/api/monitor.h"

#include <QWidget>

class QAreaSeries;
class QBarSeries;
class QBarSet;
class QCategoryAxis;
class QChart;
class QChartView;
class QLabel;
class QLineSeries;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QValueAxis;

namespace hermes::ui {

class NetworkTableModel;

/// A table of networks (live connections, NAT timeout interval, evidence, keep-alive
/// advice, silent deaths and reconnects per device-hour, push delay) and, for the selected
/// network, a chart of the idle gaps its connections survived against those that killed
/// them, with the estimated timeout marked. Asks the engine every RefreshIntervalMs while
/// it is visible, never while hidden.
class NetworksView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int RefreshIntervalMs = 3000;

    /// `monitor` must outlive the view.
    explicit NetworksView(EngineMonitor &monitor, QWidget *parent = nullptr);

    NetworkTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QChartView *chartView() const { return m_chartView; }
    /// The network the chart shows; empty when there is none.
    QString selectedNetwork() const { return m_selected; }
    void selectNetwork(const QString &network);
    /// Whether the view is asking the engine periodically (only while visible).
    bool isRefreshing() const;
    /// The chart's series, for tests: counts per gap bucket and the estimated interval.
    QBarSet *survivedBars() const { return m_survived; }
    QBarSet *killedBars() const { return m_killed; }
    QAreaSeries *timeoutBand() const { return m_band; }

    /// Applies a list as if the engine had sent it.
    void applyReports(const QList<analytics::NetworkReport> &reports);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    /// The line under the table: what counts as evidence, or how to name networks.
    void updateStatus();
    void updateChart();
    void applyColors();
    void onCurrentRowChanged();

    EngineMonitor &m_monitor;
    NetworkTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLabel *m_status;
    QTimer *m_refresh;
    QChart *m_chart;
    QChartView *m_chartView;
    QBarSeries *m_bars;
    QBarSet *m_survived;
    QBarSet *m_killed;
    QLineSeries *m_bandTop;
    QLineSeries *m_bandBottom;
    QAreaSeries *m_band;
    QCategoryAxis *m_gapAxis;
    QValueAxis *m_countAxis;
    QString m_selected;
    bool m_haveList = false;
};

} // namespace hermes::ui
