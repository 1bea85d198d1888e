#pragma once
/// A session's packets on a time axis, with the keep-alive bands that decide when the
/// broker gives up on it.

#include "engine/api/telemetry.h"

#include <QWidget>

#include <optional>

namespace hermes::ui {

/// Inbound packets above the axis, outbound below; after the last inbound packet the
/// keep-alive T and the 1.5 T deadline [MQTT-3.1.2-24] as shaded bands; disconnects as
/// red lines with their reason; optionally the carrier NAT timeout after the last packet.
/// Wheel or +/- zoom, drag or arrow keys pan, double-click or Home fits (and follows the
/// live edge again).
class HeartbeatTimeline : public QWidget
{
    Q_OBJECT
public:
    /// Common carrier NAT idle timeouts for mobile data in China, in seconds.
    static constexpr int ChinaMobileNatSeconds = 5 * 60;
    static constexpr int ChinaUnicomNatSeconds = 5 * 60;
    static constexpr int ChinaTelecomNatSeconds = 28 * 60;

    explicit HeartbeatTimeline(QWidget *parent = nullptr);

    /// `nowMs` is the engine's wall clock; while following, the view refits to the data.
    void setDetail(const SessionDetail &detail, qint64 nowMs);
    void clear();
    /// Draws a line where an idle NAT mapping would expire after the last packet. `label`
    /// says where the value comes from ("NAT ≈ 285–300 s (network cmcc)"); empty: the
    /// plain "NAT timeout (300 s)".
    void setNatTimeout(std::optional<int> seconds, const QString &label = {});
    std::optional<int> natTimeout() const { return m_natSeconds; }
    QString natLabel() const { return m_natLabel; }

    qint64 viewStartMs() const { return m_viewStart; }
    qint64 viewEndMs() const { return m_viewEnd; }
    /// True until the user zooms or pans; fitToData() turns it back on.
    bool isFollowing() const { return m_following; }
    void fitToData();
    /// factor > 1 zooms in around `anchorMs` (the centre when absent).
    void zoom(double factor, std::optional<qint64> anchorMs = std::nullopt);
    /// Shifts the view by a fraction of its width (negative: into the past).
    void pan(double fraction);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    enum class MarkKind { Connect, Pingreq, OtherIn, Pingresp, OtherOut };
    struct Layout {
        QRect legend;
        QRect plot;
        int axisY = 0;
        int laneHeight = 0;
        bool compact = false; ///< one row per direction
    };

    static MarkKind kindOf(const HeartbeatMark &mark);
    static QColor colorOf(MarkKind kind);
    static void drawMark(QPainter &painter, MarkKind kind, QPointF center, qreal size);
    Layout layoutFor(const QFontMetrics &fm) const;
    static QStringList legendTexts();
    /// Where each legend item goes, relative to the legend's top left.
    static QList<QRect> legendFlow(const QFontMetrics &fm, int width);
    int legendHeight(const QFontMetrics &fm, int width) const;
    void drawLegend(QPainter &painter, const QRect &area) const;
    void drawAxis(QPainter &painter, const Layout &layout) const;
    QPointF markPosition(const Layout &layout, const HeartbeatMark &mark) const;
    double xOf(const Layout &layout, qint64 ms) const;
    qint64 msAt(const Layout &layout, double x) const;
    void setView(qint64 start, qint64 end);
    qint64 lastInboundMs() const;
    qint64 lastPacketMs() const;

    QString m_clientId;
    QList<HeartbeatMark> m_marks;
    QList<CloseInfo> m_closes;
    quint16 m_keepAlive = 0;
    bool m_online = false;
    qint64 m_infoLastInbound = 0;
    qint64 m_now = 0;
    std::optional<int> m_natSeconds;
    QString m_natLabel;
    qint64 m_viewStart = 0;
    qint64 m_viewEnd = 1;
    bool m_following = true;
    bool m_dragging = false;
    QPoint m_dragOrigin;
    qint64 m_dragStart = 0;
};

} // namespace hermes::ui
