#pragma once
/// One session up close: header, heartbeat timeline and its in-flight, queued,
/// subscriptions, packet trace and disconnects.

#include "detailtablemodel.h"

#include "engine/api/monitor.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTabWidget;
class QTableView;

namespace hermes::ui {

class HeartbeatTimeline;

class SessionDetailView : public QWidget
{
    Q_OBJECT
public:
    /// `monitor` must outlive the view. While visible, the view watches the shown session
    /// (EngineMonitor::watchSession): the engine sends its detail when it changes.
    explicit SessionDetailView(EngineMonitor &monitor, QWidget *parent = nullptr);
    ~SessionDetailView() override;

    QString clientId() const { return m_clientId; }
    HeartbeatTimeline *timeline() const { return m_timeline; }
    DetailTableModel *inflightModel() const { return m_inflight; }
    DetailTableModel *queuedModel() const { return m_queued; }
    DetailTableModel *subscriptionsModel() const { return m_subscriptions; }
    DetailTableModel *disconnectsModel() const { return m_disconnects; }
    QTabWidget *tabs() const { return m_tabs; }
    /// Writes the packet trace shown now: CSV (one row per packet, fields split) for a .csv
    /// path, JSON for .json, else one text line per packet; false if it cannot be written.
    bool exportTrace(const QString &path) const;
    /// Applies a detail as if the monitor had sent it (ignored unless it is the shown session).
    void applyDetail(const SessionDetail &detail);
    /// Kick asks for confirmation first; tests turn this off.
    void setConfirmKick(bool confirm) { m_confirmKick = confirm; }

public slots:
    void showSession(const QString &clientId);

signals:
    /// The user asked to push to the shown device.
    void pushRequested(const QString &clientId);
    /// The user exported the packet trace to `path` (for the recent files list).
    void traceExported(const QString &path);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    /// Watches the shown session while the view is visible, nothing otherwise.
    void updateWatch();
    void applyNatPreset();
    /// Until the operator picks a NAT line, it is the session's network estimate when that
    /// is trusted, else none.
    void followNetworkEstimate();
    void updateNetworkPresetText();
    void onTelemetry(const TelemetryBatch &batch);
    void exportTraceInteractive();
    void setHeader(const SessionInfo &info);
    void kickShown();
    void updateSessionActions();
    /// Shows the panes the engine cannot fill (an upstream cluster's sessions have no
    /// heartbeats, packets or in-flight messages to show) as a notice saying so.
    void updateInternalsNotices();
    void retranslateNotices();

    EngineMonitor &m_monitor;
    QString m_clientId;
    QString m_watching; ///< the session the engine watches for this view; empty: none
    QLabel *m_title;
    QLabel *m_state;
    QLabel *m_address;
    QLabel *m_keepAlive;
    QLabel *m_since;
    QLabel *m_stateCaption;
    QLabel *m_addressCaption;
    QLabel *m_keepAliveCaption;
    QLabel *m_sinceCaption;
    QLabel *m_timelineTitle;
    QLabel *m_timelineHint;
    QLabel *m_natLabel;
    QPushButton *m_exportButton;
    QPushButton *m_pushButton;
    QPushButton *m_kickButton;
    HeartbeatTimeline *m_timeline;
    QComboBox *m_natPreset;
    QSpinBox *m_natCustom;
    QTabWidget *m_tabs;
    DetailTableModel *m_inflight;
    DetailTableModel *m_queued;
    DetailTableModel *m_subscriptions;
    DetailTableModel *m_disconnects;
    QPlainTextEdit *m_trace;
    QLabel *m_traceStatus;
    /// Each holds a pane and, once an engine without SessionInternals showed, the notice
    /// that replaces it.
    QStackedWidget *m_timelinePane;
    QStackedWidget *m_inflightPane;
    QStackedWidget *m_tracePane;
    QStringList m_traceLines;
    /// The shown session's latest detail, rendered again on a language change.
    std::optional<SessionDetail> m_detail;
    /// Values of the NAT preset box besides seconds (0 = no line).
    static constexpr int NetworkEstimatePreset = -2;
    static constexpr int CustomPreset = -1;
    bool m_natFollowsNetwork = true;
    bool m_choosingNatDefault = false;
    bool m_sessionEnded = false;
    bool m_confirmKick = true;
    qint64 m_clockSkewMs = 0;
};

} // namespace hermes::ui
