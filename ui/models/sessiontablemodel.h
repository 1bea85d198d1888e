#pragma once
/// The Sessions view's model: one row per broker session, fed by telemetry batches.

#include "engine/api/telemetry.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QPixmap>

namespace hermes::ui {

/// Rows are SessionInfo values in arrival order (the view sorts through a proxy). Sessions of
/// an upstream cluster (a node set) show "—" where the cluster's management API exposes
/// nothing (keep-alive, last inbound, message counts, last close), not a made-up 0. A batch
/// costs at most a handful of model signals whatever its size: removals as contiguous
/// ranges, updates as contiguous dataChanged ranges (one full-range signal when more than
/// half the rows changed), new sessions as one insert block.
class SessionTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        ClientId,
        State,
        Address,
        Node, ///< the cluster node (upstream mode); empty for the broker's own sessions
        Version,
        KeepAlive,
        Since,
        LastInbound,
        Inflight,
        Queued,
        MessagesIn,
        MessagesOut,
        Dropped,
        LastClose,
        ColumnCount
    };
    enum Role {
        /// Raw value for sorting: numbers for numeric columns, text otherwise; the
        /// LastInbound column sorts by lateness (the sessions nearest their deadline last).
        SortValueRole = Qt::UserRole + 1,
        /// LastInbound column of an online session with a keep-alive: seconds since the last
        /// inbound packet divided by the 1.5 T deadline (>= 1 means the deadline has passed)
        /// [MQTT-3.1.2-24]. Invalid otherwise.
        LatenessRole,
        /// Any column: the row's client ID, online flag, user name, and in-flight + queued.
        ClientIdRole,
        OnlineRole,
        UserNameRole,
        BacklogRole,
        /// True where the cell has no value because the session's cluster does not expose it.
        NotExposedRole,
    };

    /// More separate changed-row ranges than this in one batch become one signal over their span.
    static constexpr int MaxChangedRanges = 32;
    /// Lateness above which a heartbeat counts as late: one keep-alive period, i.e. 1 T of 1.5 T.
    static constexpr double LateThreshold = 1.0 / 1.5;

    explicit SessionTableModel(QObject *parent = nullptr);

    /// Full batches replace every row; others upsert changedSessions and drop removedSessions.
    void applyBatch(const TelemetryBatch &batch);
    /// The clock ages are measured against (the engine's wall clock, ms since the epoch).
    /// Emits one dataChanged for the age column only.
    void setNow(qint64 wallMs);
    qint64 now() const { return m_nowMs; }
    /// After a language change: headerDataChanged and one dataChanged over every row,
    /// since most columns hold translated words or units.
    void retranslate();

    const SessionInfo &session(int row) const { return m_rows.at(row); }
    /// Row of a client ID, or -1.
    int rowOf(const QString &clientId) const { return m_index.value(clientId, -1); }
    int onlineCount() const { return m_online; }
    /// Rows with a node: sessions of an upstream cluster.
    int clusterCount() const { return m_withNode; }
    /// Whether `column` of `session` is something its cluster does not expose (shown as "—").
    static bool isNotExposed(const SessionInfo &session, int column);
    /// What the cells isNotExposed() says show.
    static QString notExposedText();
    /// Fraction of the 1.5 T deadline used up, or a negative value when it does not apply
    /// (offline, keep-alive off, nothing received yet).
    double lateness(const SessionInfo &session) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// User-facing names for engine values.
    static QString closeReasonText(mqtt::CloseReason reason);
    static QString versionText(mqtt::ProtocolVersion version);
    static QString stageText(mqtt::OutboundStage stage);
    /// "12 s", "8 min", "3 h", "2 d": the coarse age of a duration in ms.
    static QString ageText(qint64 ms);
    /// Local time of a wall-clock instant: "hh:mm:ss" today, else with the date.
    static QString timeText(qint64 wallMs, qint64 nowMs);

private:
    QVariant display(const SessionInfo &s, int column) const;
    QVariant sortValue(const SessionInfo &s, int column) const;
    void removeSessions(const QStringList &clientIds);
    void reindexFrom(int row);
    void emitRowsChanged(QList<int> &rows);
    QPixmap stateDot(bool online) const;

    QList<SessionInfo> m_rows;
    QHash<QString, int> m_index;
    qint64 m_nowMs = 0;
    int m_online = 0;
    int m_withNode = 0;
    mutable QPixmap m_onlineDot;
    mutable QPixmap m_offlineDot;
};

} // namespace hermes::ui
