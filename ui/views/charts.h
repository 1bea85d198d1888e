#pragma once
/// Small Qt Charts helpers shared by the views that chart ring buffers: series on axes,
/// axes that tick at round values, and colours that follow the console's theme.

#include <QChart>
#include <QChartView>
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

/// The smallest step of 1, 2 or 5 × 10^k that cuts `span` into at most `maxIntervals`.
double niceStep(double span, int maxIntervals);

/// Sets `axis` to cover [minimum, maximum] widened to multiples of a round step, with a tick
/// on every multiple (…, −60, −40, −20, 0 rather than −68, −51, −34, −17), and a label
/// format with as many decimals as the step needs followed by `unit` (e.g. " s"; ASCII
/// only: Qt Charts 6.4 formats labels through Latin-1).
/// Returns the step.
double setRoundRange(QValueAxis *axis, double minimum, double maximum, int maxIntervals = 5,
                     const QString &unit = {});

/// The chart's theme, background, text and grid colours from the application palette, so
/// charts read the same in a light and a dark theme. Call again after a palette change
/// (it resets series colours to the theme's, in the order the series were added).
void applyPalette(QChart *chart);
/// A series with this property set keeps its own pen across palette changes.
inline constexpr char KeepPenProperty[] = "hermesKeepPen";
/// applyPalette() now and after every application palette change, and a context menu
/// with "Save as PNG…".
void prepareChartView(QChartView *view);
/// Writes what `view` shows to a PNG file; false when it cannot be written.
bool saveChartPng(QChartView *view, const QString &path);

} // namespace hermes::ui
