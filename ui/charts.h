#pragma once
/// Small Qt Charts helpers shared by the views that chart ring buffers.

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

namespace hermes::ui {

/// A line series owned by `chart`, attached to its x and y axes.
inline QLineSeries *addLineSeries(QChart *chart, QValueAxis *x, QValueAxis *y)
{
    auto *series = new QLineSeries(chart);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    return series;
}

} // namespace hermes::ui
