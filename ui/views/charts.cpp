#include "charts.h"
#include "theme.h"

#include <QAbstractAxis>
#include <QAction>
#include <QCoreApplication>
#include <QFileDialog>
#include <QMessageBox>
#include <QChartView>
#include <QEvent>
#include <QXYSeries>
#include <QApplication>
#include <QPalette>

#include <cmath>

namespace hermes::ui {

double niceStep(double span, int maxIntervals)
{
    if (!(span > 0) || maxIntervals < 1)
        return 1;
    const double raw = span / maxIntervals;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
        // A hair of tolerance so 20 / 4 is a step of 5, not 10.
        if (factor * magnitude >= raw * (1 - 1e-9))
            return factor * magnitude;
    }
    return 10 * magnitude;
}

double setRoundRange(QValueAxis *axis, double minimum, double maximum, int maxIntervals, const QString &unit)
{
    if (maximum <= minimum)
        maximum = minimum + 1;
    const double step = niceStep(maximum - minimum, maxIntervals);
    const double low = std::floor(minimum / step + 1e-9) * step;
    const double high = std::ceil(maximum / step - 1e-9) * step;
    // Dynamic ticks lay out (high - low) / interval items on every change: with the old
    // interval and the new range (or the reverse) that can be tens of thousands of items.
    // Fixed ticks (a handful) while range and interval change keep it to the final count.
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setRange(low, high);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setTickType(QValueAxis::TicksDynamic);
    const int decimals = step >= 1 ? 0 : int(std::ceil(-std::log10(step) - 1e-9));
    // A literal % in the unit would be read as a conversion by Qt Charts' printf.
    QString escaped = unit;
    escaped.replace(QLatin1Char('%'), QLatin1String("%%"));
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals) + escaped);
    return step;
}

void applyPalette(QChart *chart)
{
    const QPalette palette = QApplication::palette();
    const bool dark = isDark(palette);
    // The built-in themes give series colours with contrast on each background; the
    // background itself matches the widgets around the chart.
    const QFont titleFont = chart->titleFont();
    QList<std::pair<QXYSeries *, QPen>> keptPens;
    for (QAbstractSeries *series : chart->series()) {
        if (auto *xy = qobject_cast<QXYSeries *>(series); xy && xy->property(KeepPenProperty).toBool())
            keptPens.append({xy, xy->pen()});
    }
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setTitleFont(titleFont);
    for (const auto &[series, pen] : std::as_const(keptPens))
        series->setPen(pen);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setTitleBrush(palette.color(QPalette::Text));
    chart->legend()->setLabelColor(palette.color(QPalette::Text));
    QColor grid = palette.color(QPalette::Mid);
    grid.setAlpha(dark ? 140 : 110);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsColor(palette.color(QPalette::Text));
        axis->setTitleBrush(palette.color(QPalette::Text));
        axis->setGridLineColor(grid);
    }
}

namespace {
/// Re-applies the palette to a chart view's chart when the application palette changes.
class PaletteFollower : public QObject
{
public:
    using QObject::QObject;
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::LanguageChange) {
            if (auto *save = watched->findChild<QAction *>(QStringLiteral("saveChartPng")))
                save->setText(QCoreApplication::translate("Charts", "Save as PNG…"));
        }
        if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
            if (auto *view = qobject_cast<QChartView *>(watched); view && view->chart())
                applyPalette(view->chart());
        }
        return false;
    }
};
} // namespace

void prepareChartView(QChartView *view)
{
    applyPalette(view->chart());
    view->installEventFilter(new PaletteFollower(view));
    auto *save = new QAction(view);
    save->setObjectName(QStringLiteral("saveChartPng"));
    save->setText(QCoreApplication::translate("Charts", "Save as PNG…"));
    QObject::connect(save, &QAction::triggered, view, [view] {
        const QString title = view->chart()->title().isEmpty() ? QStringLiteral("chart") : view->chart()->title();
        const QString path = QFileDialog::getSaveFileName(view, QCoreApplication::translate("Charts", "Save chart"),
                                                          title + QStringLiteral(".png"),
                                                          QCoreApplication::translate("Charts", "PNG images (*.png)"));
        if (!path.isEmpty() && !saveChartPng(view, path))
            QMessageBox::warning(view, QCoreApplication::translate("Charts", "Save chart"),
                                 QCoreApplication::translate("Charts", "Could not write %1.").arg(path));
    });
    view->addAction(save);
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
}

bool saveChartPng(QChartView *view, const QString &path)
{
    return view->grab().save(path, "PNG");
}

} // namespace hermes::ui
