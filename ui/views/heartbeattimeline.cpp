#include "heartbeattimeline.h"
#include "theme.h"

#include <QGuiApplication>

#include "sessiontablemodel.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <array>

namespace hermes::ui {

namespace {

constexpr qint64 MinSpanMs = 2'000;
constexpr qint64 MaxSpanMs = 7LL * 24 * 3600 * 1000;
constexpr int Margin = 6;

// On a dark base the bands need more opacity and the lines lighter tones to read as the
// same green T band, amber 1.5 T band, red deadline and purple NAT line.
QColor keepAliveBand(const QPalette &p) { return themed(p, QColor(0x2e, 0x9d, 0x4f, 38), QColor(0x4c, 0xc2, 0x6e, 60)); }
QColor deadlineBand(const QPalette &p) { return themed(p, QColor(0xe0, 0x9a, 0x1a, 60), QColor(0xf0, 0xa8, 0x30, 80)); }
QColor deadlineLine(const QPalette &p) { return themed(p, QColor(0xd3, 0x2f, 0x2f), QColor(0xff, 0x6b, 0x6b)); }
QColor closeColor(const QPalette &p) { return themed(p, QColor(0xc6, 0x28, 0x28), QColor(0xff, 0x5c, 0x5c)); }
QColor natColor(const QPalette &p) { return themed(p, QColor(0x7b, 0x1f, 0xa2), QColor(0xd1, 0x8c, 0xf0)); }

// Tick steps, smallest first; the first one whose labels fit is used.
constexpr std::array<qint64, 19> TickSteps = {
    1'000, 2'000, 5'000, 10'000, 15'000, 30'000, 60'000, 120'000, 300'000, 600'000, 900'000, 1'800'000,
    3'600'000, 7'200'000, 10'800'000, 21'600'000, 43'200'000, 86'400'000, 172'800'000,
};

} // namespace

HeartbeatTimeline::HeartbeatTimeline(QWidget *parent)
    : QWidget(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setToolTip(QString()); // tooltips come from event()
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_now = now;
    m_viewStart = now - 5 * 60'000;
    m_viewEnd = now + 30'000;
}

QSize HeartbeatTimeline::sizeHint() const
{
    const int fh = fontMetrics().height();
    return {720, 2 * (fh + 4) + 10 * fh + 40};
}

QSize HeartbeatTimeline::minimumSizeHint() const
{
    // Below this the five mark rows, the disconnect labels and the band labels collide:
    // two legend rows, a label row, five rows of marks, the tick labels.
    const int fh = fontMetrics().height();
    return {320, 2 * (fh + 4) + 6 * fh + 40};
}

void HeartbeatTimeline::setDetail(const SessionDetail &detail, qint64 nowMs)
{
    m_clientId = detail.info.clientId;
    m_marks = detail.heartbeats;
    m_closes = detail.closes;
    m_keepAlive = detail.info.keepAliveSeconds;
    m_online = detail.info.online;
    m_infoLastInbound = detail.info.lastInboundMs;
    m_now = nowMs;
    if (m_following)
        fitToData(); // repaints
    else
        update();
}

void HeartbeatTimeline::clear()
{
    m_clientId.clear();
    m_marks.clear();
    m_closes.clear();
    m_keepAlive = 0;
    m_online = false;
    m_infoLastInbound = 0;
    update();
}

void HeartbeatTimeline::setNatTimeout(std::optional<int> seconds, const QString &label)
{
    if (seconds && *seconds <= 0)
        seconds.reset();
    m_natSeconds = seconds;
    m_natLabel = seconds ? label : QString();
    if (m_following)
        fitToData();
    else
        update();
}

qint64 HeartbeatTimeline::lastInboundMs() const
{
    qint64 last = m_infoLastInbound;
    for (auto it = m_marks.crbegin(); it != m_marks.crend(); ++it) {
        if (it->inbound) {
            last = std::max(last, it->atMs);
            break;
        }
    }
    return last;
}

qint64 HeartbeatTimeline::lastPacketMs() const
{
    return m_marks.isEmpty() ? m_infoLastInbound : std::max(m_infoLastInbound, m_marks.constLast().atMs);
}

void HeartbeatTimeline::fitToData()
{
    m_following = true;
    qint64 first = m_now;
    qint64 last = m_now;
    if (!m_marks.isEmpty())
        first = std::min(first, m_marks.constFirst().atMs);
    for (const CloseInfo &close : std::as_const(m_closes))
        first = std::min(first, close.atMs);
    // Keep the deadline in view: it is why this widget exists. A NAT line minutes away
    // would squeeze the heartbeats; it gets an arrow at the edge instead.
    const qint64 inbound = lastInboundMs();
    if (m_keepAlive > 0 && inbound > 0)
        last = std::max(last, inbound + m_keepAlive * 1500LL);
    if (last - first < MinSpanMs * 5)
        first = last - 60'000;
    const qint64 pad = std::max<qint64>(1'000, (last - first) / 30);
    setView(first - pad, last + pad);
}

void HeartbeatTimeline::setView(qint64 start, qint64 end)
{
    qint64 span = std::clamp(end - start, MinSpanMs, MaxSpanMs);
    const qint64 centre = start + (end - start) / 2;
    m_viewStart = centre - span / 2;
    m_viewEnd = m_viewStart + span;
    update();
}

void HeartbeatTimeline::zoom(double factor, std::optional<qint64> anchorMs)
{
    if (factor <= 0)
        return;
    m_following = false;
    const qint64 anchor = anchorMs.value_or(m_viewStart + (m_viewEnd - m_viewStart) / 2);
    const double span = double(m_viewEnd - m_viewStart);
    const double newSpan = std::clamp(span / factor, double(MinSpanMs), double(MaxSpanMs));
    // The anchor keeps its place on screen.
    const double before = double(anchor - m_viewStart) / span;
    const qint64 start = anchor - qint64(before * newSpan);
    m_viewStart = start;
    m_viewEnd = start + qint64(newSpan);
    update();
}

void HeartbeatTimeline::pan(double fraction)
{
    m_following = false;
    const qint64 shift = qint64(double(m_viewEnd - m_viewStart) * fraction);
    m_viewStart += shift;
    m_viewEnd += shift;
    update();
}

// ---------------------------------------------------------------- geometry

QStringList HeartbeatTimeline::legendTexts()
{
    return {tr("CONNECT"),      tr("PINGREQ (in)"),   tr("other in"),   tr("PINGRESP (out)"), tr("other out"),
            tr("keep-alive T"), tr("1.5 T deadline"), tr("disconnect"), tr("NAT timeout")};
}

QList<QRect> HeartbeatTimeline::legendFlow(const QFontMetrics &fm, int width)
{
    // Items flow left to right and wrap; each is a 16 px symbol, its text and a gap.
    const int rowH = fm.height() + 4;
    QList<QRect> rects;
    int x = 0;
    int y = 0;
    for (const QString &text : legendTexts()) {
        const int w = 20 + fm.horizontalAdvance(text) + 18;
        if (x > 0 && x + w > width) {
            x = 0;
            y += rowH;
        }
        rects.append(QRect(x, y, w, rowH));
        x += w;
    }
    return rects;
}

int HeartbeatTimeline::legendHeight(const QFontMetrics &fm, int width) const
{
    const QList<QRect> rects = legendFlow(fm, width - 2 * Margin);
    return rects.isEmpty() ? 0 : rects.constLast().bottom() + 1;
}

HeartbeatTimeline::Layout HeartbeatTimeline::layoutFor(const QFontMetrics &fm) const
{
    Layout layout;
    const int legendH = legendHeight(fm, width());
    layout.legend = QRect(Margin, Margin, width() - 2 * Margin, legendH);
    const int laneLabelWidth =
        std::max(fm.horizontalAdvance(tr("in")), fm.horizontalAdvance(tr("out"))) + 2 * Margin;
    const int top = layout.legend.bottom() + Margin;
    const int bottom = height() - fm.height() - 2 * Margin; // tick labels below
    layout.plot = QRect(QPoint(Margin + laneLabelWidth, top), QPoint(width() - Margin - 1, bottom));
    // Disconnect labels take the top row of the plot; lanes share the rest.
    const int labelRow = fm.height() + 4;
    const int lanes = std::max(20, layout.plot.height() - labelRow);
    // Too short for a row per kind (a small dock): one row in, one row out, no band labels.
    layout.compact = lanes < 6 * fm.height();
    if (layout.compact) {
        layout.axisY = layout.plot.top() + labelRow + lanes / 2;
        layout.laneHeight = lanes / 2;
    } else {
        layout.axisY = layout.plot.top() + labelRow + lanes * 3 / 5;
        layout.laneHeight = lanes * 3 / 5;
    }
    return layout;
}

double HeartbeatTimeline::xOf(const Layout &layout, qint64 ms) const
{
    const double span = double(std::max<qint64>(1, m_viewEnd - m_viewStart));
    return layout.plot.left() + double(ms - m_viewStart) * layout.plot.width() / span;
}

qint64 HeartbeatTimeline::msAt(const Layout &layout, double x) const
{
    const double span = double(std::max<qint64>(1, m_viewEnd - m_viewStart));
    return m_viewStart + qint64((x - layout.plot.left()) * span / std::max(1, layout.plot.width()));
}

HeartbeatTimeline::MarkKind HeartbeatTimeline::kindOf(const HeartbeatMark &mark)
{
    if (mark.inbound) {
        if (mark.type == mqtt::PacketType::Connect)
            return MarkKind::Connect;
        if (mark.type == mqtt::PacketType::Pingreq)
            return MarkKind::Pingreq;
        return MarkKind::OtherIn;
    }
    return mark.type == mqtt::PacketType::Pingresp ? MarkKind::Pingresp : MarkKind::OtherOut;
}

QColor HeartbeatTimeline::colorOf(MarkKind kind)
{
    switch (kind) {
    case MarkKind::Connect: return QColor(0x1e, 0x63, 0xc6);
    case MarkKind::Pingreq: return QColor(0x2e, 0x9d, 0x4f);
    case MarkKind::OtherIn: return QColor(0x45, 0x6a, 0x7a);
    case MarkKind::Pingresp: return QColor(0x2e, 0x9d, 0x4f);
    case MarkKind::OtherOut: return QColor(0xe0, 0x7b, 0x1a);
    }
    return Qt::black;
}

QPointF HeartbeatTimeline::markPosition(const Layout &layout, const HeartbeatMark &mark) const
{
    const double x = xOf(layout, mark.atMs);
    const double lane = layout.laneHeight;
    if (layout.compact)
        return {x, layout.axisY + (mark.inbound ? -lane * 0.5 : lane * 0.5)};
    // Each kind on its own row, so marks at the same instant stay apart.
    switch (kindOf(mark)) {
    case MarkKind::Connect: return {x, layout.axisY - lane * 0.80};
    case MarkKind::Pingreq: return {x, layout.axisY - lane * 0.52};
    case MarkKind::OtherIn: return {x, layout.axisY - lane * 0.24};
    case MarkKind::Pingresp: return {x, layout.axisY + lane * 0.22};
    case MarkKind::OtherOut: return {x, layout.axisY + lane * 0.48};
    }
    return {x, double(layout.axisY)};
}

void HeartbeatTimeline::drawMark(QPainter &painter, MarkKind kind, QPointF c, qreal size)
{
    // The same hues, brighter on a dark base, outlined towards the background either way.
    const bool dark = isDark(QGuiApplication::palette()); // static: the application's theme
    const QColor color = dark ? colorOf(kind).lighter(150) : colorOf(kind);
    const qreal h = size / 2;
    painter.setPen(QPen(dark ? color.lighter(130) : color.darker(125), 1.2));
    painter.setBrush(color);
    switch (kind) {
    case MarkKind::Connect:
        painter.drawRect(QRectF(c.x() - h, c.y() - h, size, size));
        break;
    case MarkKind::Pingreq:
        painter.drawEllipse(c, h, h);
        break;
    case MarkKind::Pingresp:
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(color, 1.8));
        painter.drawEllipse(c, h - 0.5, h - 0.5);
        break;
    case MarkKind::OtherIn: {
        const QPointF points[] = {{c.x(), c.y() - h}, {c.x() + h, c.y() + h}, {c.x() - h, c.y() + h}};
        painter.drawPolygon(points, 3);
        break;
    }
    case MarkKind::OtherOut: {
        const QPointF points[] = {{c.x() - h, c.y() - h}, {c.x() + h, c.y() - h}, {c.x(), c.y() + h}};
        painter.drawPolygon(points, 3);
        break;
    }
    }
}

// ---------------------------------------------------------------- painting

void HeartbeatTimeline::drawLegend(QPainter &painter, const QRect &area) const
{
    const QFontMetrics fm = painter.fontMetrics();
    const QStringList texts = legendTexts();
    const QList<QRect> rects = legendFlow(fm, area.width());
    int index = 0;
    const auto place = [&](auto &&drawSymbol) {
        const QRect item = rects.at(index).translated(area.topLeft());
        const QRect symbol(item.left(), item.top() + 2, 16, item.height() - 4);
        painter.save();
        drawSymbol(symbol);
        painter.restore();
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(item.left() + 20, item.top(), item.width() - 20, item.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, texts.at(index));
        ++index;
    };
    painter.setRenderHint(QPainter::Antialiasing);
    const qreal size = 8;
    place([&](QRect r) { drawMark(painter, MarkKind::Connect, QRectF(r).center(), size); });
    place([&](QRect r) { drawMark(painter, MarkKind::Pingreq, QRectF(r).center(), size); });
    place([&](QRect r) { drawMark(painter, MarkKind::OtherIn, QRectF(r).center(), size); });
    place([&](QRect r) { drawMark(painter, MarkKind::Pingresp, QRectF(r).center(), size); });
    place([&](QRect r) { drawMark(painter, MarkKind::OtherOut, QRectF(r).center(), size); });
    place([&](QRect r) { painter.fillRect(r, keepAliveBand(palette()).darker(110)); });
    place([&](QRect r) { painter.fillRect(r, deadlineBand(palette())); painter.setPen(QPen(deadlineLine(palette()), 2));
                         painter.drawLine(r.topRight(), r.bottomRight()); });
    place([&](QRect r) { painter.setPen(QPen(closeColor(palette()), 2)); painter.drawLine(r.center().x(), r.top(),
                                                                               r.center().x(), r.bottom()); });
    place([&](QRect r) { painter.setPen(QPen(natColor(palette()), 2, Qt::DashLine));
                         painter.drawLine(r.center().x(), r.top(), r.center().x(), r.bottom()); });
}

void HeartbeatTimeline::drawAxis(QPainter &painter, const Layout &layout) const
{
    const QFontMetrics fm = painter.fontMetrics();
    const qint64 span = std::max<qint64>(1, m_viewEnd - m_viewStart);
    const double pxPerMs = double(layout.plot.width()) / double(span);
    const bool withDate = span > 36LL * 3600 * 1000;
    const QString sample = withDate ? QStringLiteral("00-00 00:00") : QStringLiteral("00:00:00");
    const int labelWidth = fm.horizontalAdvance(sample) + 24;
    qint64 step = TickSteps.back();
    for (const qint64 candidate : TickSteps) {
        if (double(candidate) * pxPerMs >= labelWidth) {
            step = candidate;
            break;
        }
    }
    const QString format = withDate ? QStringLiteral("MM-dd HH:mm")
                           : step < 60'000 ? QStringLiteral("HH:mm:ss")
                                           : QStringLiteral("HH:mm");
    // Ticks fall on round local times.
    const qint64 offset = qint64(QDateTime::fromMSecsSinceEpoch(m_viewStart).offsetFromUtc()) * 1000;
    qint64 tick = ((m_viewStart + offset) / step + 1) * step - offset;
    const QColor grid = palette().color(QPalette::Mid);
    const QColor text = palette().color(QPalette::Text);
    for (; tick < m_viewEnd; tick += step) {
        const double x = xOf(layout, tick);
        QColor faint = grid;
        faint.setAlpha(70);
        painter.setPen(QPen(faint, 1, Qt::DotLine));
        painter.drawLine(QPointF(x, layout.plot.top()), QPointF(x, layout.plot.bottom()));
        painter.setPen(text);
        painter.drawLine(QPointF(x, layout.plot.bottom()), QPointF(x, layout.plot.bottom() + 3));
        const QString label = QDateTime::fromMSecsSinceEpoch(tick).toString(format);
        const int w = fm.horizontalAdvance(label);
        const double left = std::clamp(x - w / 2.0, double(layout.plot.left()), double(layout.plot.right() - w));
        painter.drawText(QPointF(left, layout.plot.bottom() + 4 + fm.ascent()), label);
    }
    painter.setPen(QPen(text, 1));
    painter.drawLine(layout.plot.left(), layout.axisY, layout.plot.right(), layout.axisY);
    painter.drawLine(layout.plot.bottomLeft(), layout.plot.bottomRight());

    // Lane labels in the left margin.
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const int labelX = Margin;
    const int labelW = layout.plot.left() - 2 * Margin;
    painter.drawText(QRect(labelX, layout.axisY - fm.height() - 4, labelW, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, tr("in"));
    painter.drawText(QRect(labelX, layout.axisY + 4, labelW, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                     tr("out"));
}

void HeartbeatTimeline::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const QFontMetrics fm = painter.fontMetrics();
    const Layout layout = layoutFor(fm);
    const QRect &plot = layout.plot;

    drawLegend(painter, layout.legend);
    painter.setRenderHint(QPainter::Antialiasing, false);

    painter.save();
    painter.setClipRect(plot.adjusted(0, 0, 1, 1));

    // Keep-alive bands after the last inbound packet [MQTT-3.1.2-24]: the client must
    // send something within T; the broker closes the connection after 1.5 T of silence.
    const qint64 inbound = lastInboundMs();
    qint64 bandLimit = std::numeric_limits<qint64>::max();
    if (!m_online && !m_closes.isEmpty())
        bandLimit = m_closes.constLast().atMs; // the connection ended: nothing to wait for after
    // Earlier silences longer than T, faintly: they show what led to a keep-alive timeout.
    // A silence ends at the next inbound packet or at the close that ended the connection.
    if (m_keepAlive > 0) {
        const qint64 t = m_keepAlive * 1000LL;
        qint64 previous = -1;
        const auto shadeSilence = [&](qint64 from, qint64 to) {
            if (to - from <= t)
                return;
            QColor amber = deadlineBand(palette());
            amber.setAlpha(45);
            QColor red = deadlineLine(palette());
            red.setAlpha(28);
            const double a = xOf(layout, from + t);
            const double b = xOf(layout, std::min(to, from + t * 3 / 2));
            painter.fillRect(QRectF(a, plot.top(), b - a, plot.height()), amber);
            if (to > from + t * 3 / 2) {
                const double c = xOf(layout, to);
                painter.fillRect(QRectF(b, plot.top(), c - b, plot.height()), red);
            }
        };
        qsizetype closeIndex = 0;
        for (const HeartbeatMark &mark : std::as_const(m_marks)) {
            if (!mark.inbound)
                continue;
            if (previous >= 0) {
                while (closeIndex < m_closes.size() && m_closes.at(closeIndex).atMs <= previous)
                    ++closeIndex;
                const bool closedBetween = closeIndex < m_closes.size() && m_closes.at(closeIndex).atMs <= mark.atMs;
                shadeSilence(previous, closedBetween ? m_closes.at(closeIndex).atMs : mark.atMs);
            }
            previous = mark.atMs;
        }
    }
    const auto drawBackedText = [&](const QRectF &box, const QString &text, const QColor &color) {
        QColor backing = palette().color(QPalette::Base);
        backing.setAlpha(200);
        painter.fillRect(box, backing);
        painter.setPen(color);
        painter.drawText(box, Qt::AlignCenter, text);
    };

    if (m_keepAlive > 0 && inbound > 0) {
        const qint64 t = m_keepAlive * 1000LL;
        const double x0 = xOf(layout, inbound);
        const double x1 = xOf(layout, std::min(inbound + t, bandLimit));
        const double x2 = xOf(layout, std::min(inbound + t * 3 / 2, bandLimit));
        painter.fillRect(QRectF(x0, plot.top(), x1 - x0, plot.height()), keepAliveBand(palette()));
        painter.fillRect(QRectF(x1, plot.top(), x2 - x1, plot.height()), deadlineBand(palette()));
        const double textY = plot.bottom() - fm.height() - 2;
        const QString tText = tr("T = %1 s").arg(m_keepAlive);
        const int tWidth = fm.horizontalAdvance(tText) + 6;
        if (!layout.compact && x1 - x0 > tWidth + 4)
            drawBackedText(QRectF(x0 + 2, textY, tWidth, fm.height()), tText, palette().color(QPalette::Text));
        if (inbound + t * 3 / 2 <= bandLimit) {
            painter.setPen(QPen(deadlineLine(palette()), 2));
            painter.drawLine(QPointF(x2, plot.top()), QPointF(x2, plot.bottom()));
            const QString dText = tr("1.5 T = %1 s").arg(m_keepAlive * 1.5);
            const int dWidth = fm.horizontalAdvance(dText) + 6;
            // Right of the line; at the right edge, left of it and one row up, clear of "T = …".
            const bool flip = x2 + 3 + dWidth > plot.right();
            const double left = flip ? x2 - 3 - dWidth : x2 + 3;
            if (!layout.compact)
                drawBackedText(QRectF(left, flip ? textY - fm.height() - 2 : textY, dWidth, fm.height()), dText,
                               deadlineLine(palette()));
        }
    }

    // "Now": where the live edge is.
    const double nowX = xOf(layout, m_now);
    painter.setPen(QPen(palette().color(QPalette::Text), 1, Qt::DashLine));
    painter.drawLine(QPointF(nowX, plot.top()), QPointF(nowX, plot.bottom()));
    painter.restore();

    drawAxis(painter, layout);

    painter.save();
    painter.setClipRect(plot.adjusted(0, 0, 1, 1));
    painter.setRenderHint(QPainter::Antialiasing);
    const QString nowText = tr("now");
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QPointF(nowX + 3, layout.compact ? plot.top() + fm.ascent() + 1 : layout.axisY + fm.ascent() + 2),
                     nowText);

    // NAT idle timeout after the last packet in either direction: past it, a carrier NAT
    // forgets the mapping and the broker never hears from the device again.
    if (m_natSeconds && lastPacketMs() > 0) {
        const qint64 natAt = lastPacketMs() + *m_natSeconds * 1000LL;
        const QString time = QDateTime::fromMSecsSinceEpoch(natAt).toString(QStringLiteral("HH:mm:ss"));
        painter.setPen(natColor(palette()));
        const double labelY = layout.axisY - 6;
        if (natAt > m_viewEnd) {
            // Off to the right: say when, at the edge, rather than squeezing the heartbeats.
            const QString text = m_natLabel.isEmpty() ? tr("NAT timeout at %1 →").arg(time)
                                                      : tr("%1 at %2 →").arg(m_natLabel, time);
            painter.drawText(QPointF(plot.right() - 4 - fm.horizontalAdvance(text), labelY), text);
        } else if (natAt >= m_viewStart) {
            const double x = xOf(layout, natAt);
            painter.setPen(QPen(natColor(palette()), 2, Qt::DashLine));
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
            const QString text = m_natLabel.isEmpty() ? tr("NAT timeout (%1 s)").arg(*m_natSeconds) : m_natLabel;
            const int w = fm.horizontalAdvance(text);
            painter.setPen(natColor(palette()));
            const double left = x + 4 + w > plot.right() ? x - 4 - w : x + 4;
            painter.drawText(QPointF(left, labelY), text);
        }
    }

    // Packets: only those in view (the list is oldest first).
    const qreal markSize = layout.compact ? std::clamp(layout.laneHeight / 2.5, 5.0, 8.0)
                                          : std::clamp(layout.laneHeight / 6.0, 6.0, 10.0);
    const auto firstVisible = std::lower_bound(m_marks.cbegin(), m_marks.cend(), m_viewStart - 1000,
                                               [](const HeartbeatMark &m, qint64 t) { return m.atMs < t; });
    for (auto it = firstVisible; it != m_marks.cend() && it->atMs <= m_viewEnd + 1000; ++it)
        drawMark(painter, kindOf(*it), markPosition(layout, *it), markSize);

    // Disconnects: a red line with the reason; labels take the first free row.
    std::array<double, 3> rowRight;
    rowRight.fill(-1e9);
    for (const CloseInfo &close : std::as_const(m_closes)) {
        if (close.atMs < m_viewStart || close.atMs > m_viewEnd)
            continue;
        const double x = xOf(layout, close.atMs);
        painter.setPen(QPen(closeColor(palette()), 2));
        painter.drawLine(QPointF(x, plot.top() + 2), QPointF(x, plot.bottom()));
        painter.drawLine(QPointF(x - 4, layout.axisY - 4), QPointF(x + 4, layout.axisY + 4));
        painter.drawLine(QPointF(x - 4, layout.axisY + 4), QPointF(x + 4, layout.axisY - 4));
        QString text = SessionTableModel::closeReasonText(close.reason);
        if (close.reasonCode && mqtt::isError(*close.reasonCode))
            text += QStringLiteral(" (0x%1)").arg(quint8(*close.reasonCode), 2, 16, QLatin1Char('0'));
        const int w = fm.horizontalAdvance(text) + 8;
        double left = x + 3;
        if (left + w > plot.right())
            left = x - 3 - w;
        int row = 0;
        while (row < int(rowRight.size()) - 1 && rowRight[row] > left)
            ++row;
        rowRight[row] = left + w;
        const QRectF box(left, plot.top() + 1 + row * (fm.height() + 2), w, fm.height());
        QColor backing = palette().color(QPalette::Base);
        backing.setAlpha(220);
        painter.fillRect(box, backing);
        painter.setPen(closeColor(palette()));
        painter.drawText(box, Qt::AlignCenter, text);
    }
    painter.restore();

    // Warnings and empty state, top right of the plot.
    QString note;
    if (m_clientId.isEmpty())
        note = tr("No session selected");
    else if (m_keepAlive == 0)
        note = tr("Keep-alive is off: the broker never closes a silent connection");
    else if (m_natSeconds && m_keepAlive > *m_natSeconds)
        note = tr("Keep-alive %1 s exceeds the NAT timeout %2 s: the mapping expires between heartbeats")
                   .arg(m_keepAlive)
                   .arg(*m_natSeconds);
    if (!note.isEmpty()) {
        painter.setPen(m_clientId.isEmpty() ? palette().color(QPalette::PlaceholderText) : deadlineLine(palette()));
        painter.drawText(plot.adjusted(4, layout.axisY - plot.top() + 4, -4, 0), Qt::AlignRight | Qt::AlignTop,
                         fm.elidedText(note, Qt::ElideRight, plot.width() - 8));
    }

    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(plot);
    if (hasFocus()) {
        painter.setPen(QPen(palette().color(QPalette::Highlight), 1));
        painter.drawRect(rect().adjusted(0, 0, -1, -1));
    }
}

// ---------------------------------------------------------------- interaction

void HeartbeatTimeline::wheelEvent(QWheelEvent *event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        event->ignore();
        return;
    }
    const Layout layout = layoutFor(fontMetrics());
    zoom(std::pow(1.25, delta / 120.0), msAt(layout, event->position().x()));
    event->accept();
}

void HeartbeatTimeline::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = true;
        m_dragOrigin = event->position().toPoint();
        m_dragStart = m_viewStart;
        setCursor(Qt::ClosedHandCursor);
    }
    QWidget::mousePressEvent(event);
}

void HeartbeatTimeline::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    const Layout layout = layoutFor(fontMetrics());
    const qint64 span = m_viewEnd - m_viewStart;
    const double dx = event->position().x() - m_dragOrigin.x();
    const qint64 shift = qint64(dx * double(span) / std::max(1, layout.plot.width()));
    if (shift == 0)
        return;
    m_following = false;
    m_viewStart = m_dragStart - shift;
    m_viewEnd = m_viewStart + span;
    update();
}

void HeartbeatTimeline::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragging = false;
        unsetCursor();
    }
    QWidget::mouseReleaseEvent(event);
}

void HeartbeatTimeline::mouseDoubleClickEvent(QMouseEvent *event)
{
    fitToData();
    event->accept();
}

void HeartbeatTimeline::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoom(1.5);
        break;
    case Qt::Key_Minus:
        zoom(1 / 1.5);
        break;
    case Qt::Key_Left:
        pan(-0.1);
        break;
    case Qt::Key_Right:
        pan(0.1);
        break;
    case Qt::Key_Home:
        fitToData();
        break;
    default:
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool HeartbeatTimeline::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    const auto *help = static_cast<QHelpEvent *>(event);
    const Layout layout = layoutFor(fontMetrics());
    const QPointF at = help->pos();
    const HeartbeatMark *nearest = nullptr;
    double best = 8.0; // px
    for (const HeartbeatMark &mark : std::as_const(m_marks)) {
        const QPointF p = markPosition(layout, mark);
        const double d = std::hypot(p.x() - at.x(), p.y() - at.y());
        if (d < best) {
            best = d;
            nearest = &mark;
        }
    }
    if (!nearest) {
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    const QString time = QDateTime::fromMSecsSinceEpoch(nearest->atMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    QToolTip::showText(help->globalPos(),
                       (nearest->inbound ? tr("%1 from the client at %2, %3 bytes")
                                         : tr("%1 to the client at %2, %3 bytes"))
                           .arg(mqtt::packetTypeName(nearest->type), time)
                           .arg(nearest->wireSize),
                       this);
    return true;
}

} // namespace hermes::ui
