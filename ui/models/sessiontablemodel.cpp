#include "sessiontablemodel.h"

#include <QColor>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace hermes::ui {

using mqtt::CloseReason;
using mqtt::OutboundStage;
using mqtt::ProtocolVersion;

SessionTableModel::SessionTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

QPixmap SessionTableModel::stateDot(bool online) const
{
    QPixmap &dot = online ? m_onlineDot : m_offlineDot;
    if (dot.isNull()) {
        dot = QPixmap(10, 10);
        dot.fill(Qt::transparent);
        QPainter painter(&dot);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(online ? QColor(0x2e, 0x9d, 0x4f) : QColor(0xa0, 0xa0, 0xa0));
        painter.drawEllipse(QRectF(1, 1, 8, 8));
    }
    return dot;
}

void SessionTableModel::applyBatch(const TelemetryBatch &batch)
{
    if (batch.full) {
        beginResetModel();
        m_index.clear();
        m_index.reserve(batch.changedSessions.size());
        m_online = 0;
        m_withNode = 0;
        // Shares the batch's list (10,000 sessions are not copied on the GUI thread); a full
        // batch should hold each session once, and if not, the last copy wins.
        m_rows = batch.changedSessions;
        for (qsizetype row = 0; row < m_rows.size();) {
            const auto it = m_index.constFind(m_rows.at(row).clientId);
            if (it == m_index.cend()) {
                m_index.insert(m_rows.at(row).clientId, int(row));
                m_online += int(m_rows.at(row).online);
                m_withNode += int(!m_rows.at(row).node.isEmpty());
                ++row;
                continue;
            }
            SessionInfo later = m_rows.takeAt(row);
            m_online += int(later.online) - int(m_rows.at(*it).online);
            m_withNode += int(!later.node.isEmpty()) - int(!m_rows.at(*it).node.isEmpty());
            m_rows[*it] = std::move(later);
        }
        endResetModel();
        return;
    }

    // Removals first: a session that ended and started again within one batch is in both
    // lists, and the new one must survive.
    if (!batch.removedSessions.isEmpty())
        removeSessions(batch.removedSessions);

    QList<int> changed;
    QList<SessionInfo> added;
    const int existing = int(m_rows.size());
    for (const SessionInfo &s : batch.changedSessions) {
        const auto it = m_index.constFind(s.clientId);
        if (it == m_index.cend()) {
            m_index.insert(s.clientId, existing + int(added.size()));
            m_online += int(s.online);
            m_withNode += int(!s.node.isEmpty());
            added.append(s);
            continue;
        }
        const int row = *it;
        SessionInfo &slot = row < existing ? m_rows[row] : added[row - existing];
        m_online += int(s.online) - int(slot.online);
        m_withNode += int(!s.node.isEmpty()) - int(!slot.node.isEmpty());
        slot = s;
        if (row < existing)
            changed.append(row);
    }
    emitRowsChanged(changed);

    if (!added.isEmpty()) {
        beginInsertRows({}, existing, existing + int(added.size()) - 1);
        m_rows.append(added);
        endInsertRows();
    }
}

void SessionTableModel::removeSessions(const QStringList &clientIds)
{
    QList<int> rows;
    rows.reserve(clientIds.size());
    for (const QString &id : clientIds) {
        const int row = m_index.value(id, -1);
        if (row >= 0)
            rows.append(row);
    }
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (const int row : std::as_const(rows)) {
        m_online -= int(m_rows.at(row).online);
        m_withNode -= int(!m_rows.at(row).node.isEmpty());
        m_index.remove(m_rows.at(row).clientId);
    }
    // Contiguous ranges, bottom up, so the rows above each range keep their numbers.
    qsizetype end = rows.size();
    while (end > 0) {
        qsizetype begin = end - 1;
        while (begin > 0 && rows.at(begin - 1) == rows.at(begin) - 1)
            --begin;
        const int first = rows.at(begin);
        const int last = rows.at(end - 1);
        beginRemoveRows({}, first, last);
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
        end = begin;
    }
    reindexFrom(rows.first());
}

void SessionTableModel::reindexFrom(int row)
{
    for (int r = row; r < m_rows.size(); ++r)
        m_index[m_rows.at(r).clientId] = r;
}

void SessionTableModel::emitRowsChanged(QList<int> &rows)
{
    if (rows.isEmpty())
        return;
    const int lastColumn = ColumnCount - 1;
    // More than half the rows: one signal for everything is cheaper for every view and
    // proxy than thousands of small ones.
    if (rows.size() * 2 > m_rows.size()) {
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, lastColumn));
        return;
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    // Scattered rows make many one-row ranges; past a few dozen, one signal over their
    // span costs a sorting proxy far less than thousands of separate ones.
    qsizetype ranges = 1;
    for (qsizetype i = 1; i < rows.size(); ++i)
        ranges += rows.at(i) != rows.at(i - 1) + 1;
    if (ranges > MaxChangedRanges) {
        emit dataChanged(index(rows.constFirst(), 0), index(rows.constLast(), lastColumn));
        return;
    }
    qsizetype begin = 0;
    while (begin < rows.size()) {
        qsizetype end = begin + 1;
        while (end < rows.size() && rows.at(end) == rows.at(end - 1) + 1)
            ++end;
        emit dataChanged(index(rows.at(begin), 0), index(rows.at(end - 1), lastColumn));
        begin = end;
    }
}

void SessionTableModel::setNow(qint64 wallMs)
{
    if (wallMs == m_nowMs)
        return;
    m_nowMs = wallMs;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, LastInbound), index(int(m_rows.size()) - 1, LastInbound));
}

void SessionTableModel::retranslate()
{
    emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

double SessionTableModel::lateness(const SessionInfo &s) const
{
    if (!s.online || s.keepAliveSeconds == 0 || s.lastInboundMs <= 0)
        return -1.0;
    const double deadlineMs = 1500.0 * s.keepAliveSeconds; // 1.5 T [MQTT-3.1.2-24]
    return std::max<qint64>(0, m_nowMs - s.lastInboundMs) / deadlineMs;
}

int SessionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SessionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionInfo &s = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return isNotExposed(s, column) ? QVariant(notExposedText()) : display(s, column);
    case NotExposedRole:
        return isNotExposed(s, column);
    case SortValueRole:
        return sortValue(s, column);
    case ClientIdRole:
        return s.clientId;
    case OnlineRole:
        return s.online;
    case UserNameRole:
        return s.userName;
    case BacklogRole:
        return s.inflight + s.queued;
    case LatenessRole: {
        if (column != LastInbound)
            return {};
        const double value = lateness(s);
        return value < 0 ? QVariant() : QVariant(value);
    }
    case Qt::TextAlignmentRole:
        switch (column) {
        case KeepAlive: case LastInbound: case Inflight: case Queued:
        case MessagesIn: case MessagesOut: case Dropped:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::DecorationRole:
        if (column == State)
            return stateDot(s.online);
        return {};
    case Qt::ForegroundRole:
        if (isNotExposed(s, column))
            return QColor(0x80, 0x80, 0x80);
        if (column == Dropped && s.messagesDropped > 0)
            return QColor(0xc6, 0x28, 0x28);
        if (!s.online && column != ClientId && column != State)
            return QColor(0x80, 0x80, 0x80);
        return {};
    case Qt::ToolTipRole:
        if (isNotExposed(s, column))
            return tr("Not exposed by the cluster's management API");
        if (column == Node)
            return tr("Held by cluster node %1").arg(s.node);
        if (column == LastInbound) {
            if (s.lastInboundMs <= 0)
                return tr("Nothing received yet");
            if (s.keepAliveSeconds == 0)
                return tr("Last packet %1 ago; keep-alive off").arg(ageText(m_nowMs - s.lastInboundMs));
            return tr("Last packet %1 ago; keep-alive %2 s, the broker closes the connection after %3 s of "
                      "silence")
                .arg(ageText(m_nowMs - s.lastInboundMs))
                .arg(s.keepAliveSeconds)
                .arg(s.keepAliveSeconds * 3 / 2.0);
        }
        if (column == LastClose && s.lastClose) {
            return tr("%1 at %2%3")
                .arg(closeReasonText(s.lastClose->reason), timeText(s.lastClose->atMs, m_nowMs),
                     s.lastClose->detail.isEmpty() ? QString() : QStringLiteral("\n") + s.lastClose->detail);
        }
        if (column == ClientId && !s.userName.isEmpty())
            return tr("%1 (user %2)").arg(s.clientId, s.userName);
        return display(s, column);
    default:
        return {};
    }
}

QVariant SessionTableModel::display(const SessionInfo &s, int column) const
{
    const QLocale locale;
    switch (Column(column)) {
    case ClientId:
        return s.clientId;
    case State:
        return s.online ? tr("online") : tr("offline");
    case Address:
        return s.address;
    case Node:
        return s.node;
    case Version:
        return versionText(s.version);
    case KeepAlive:
        return s.keepAliveSeconds == 0 ? tr("off") : tr("%1 s").arg(s.keepAliveSeconds);
    case Since: {
        const qint64 since = s.online ? s.connectedSinceMs : s.offlineSinceMs;
        return since > 0 ? timeText(since, m_nowMs) : QString();
    }
    case LastInbound:
        return s.lastInboundMs > 0 ? ageText(m_nowMs - s.lastInboundMs) : QString();
    case Inflight:
        return s.inflightHighWater > s.inflight ? tr("%1 (max %2)").arg(s.inflight).arg(s.inflightHighWater)
                                                : QString::number(s.inflight);
    case Queued:
        return s.queuedHighWater > s.queued ? tr("%1 (max %2)").arg(s.queued).arg(s.queuedHighWater)
                                            : QString::number(s.queued);
    case MessagesIn:
        return locale.toString(s.messagesIn);
    case MessagesOut:
        return locale.toString(s.messagesOut);
    case Dropped:
        return locale.toString(s.messagesDropped);
    case LastClose:
        if (!s.lastClose)
            return QString();
        // The code adds something only where the reason alone is vague.
        if (s.lastClose->reasonCode && mqtt::isError(*s.lastClose->reasonCode)
            && (s.lastClose->reason == CloseReason::ProtocolError || s.lastClose->reason == CloseReason::ConnectRejected
                || s.lastClose->reason == CloseReason::ClientDisconnect))
            return tr("%1 (0x%2)")
                .arg(closeReasonText(s.lastClose->reason))
                .arg(quint8(*s.lastClose->reasonCode), 2, 16, QLatin1Char('0'));
        return closeReasonText(s.lastClose->reason);
    case ColumnCount:
        break;
    }
    return {};
}

bool SessionTableModel::isNotExposed(const SessionInfo &s, int column)
{
    if (s.node.isEmpty())
        return false; // the broker's own session: every column is known
    switch (Column(column)) {
    case KeepAlive:
    case LastInbound:
    case MessagesIn:
    case MessagesOut:
    case Dropped:
    case LastClose:
        // RabbitMQ's management API lists connections and queue depths, nothing of the
        // client's packets: these would read 0, "off" or "never" and mean nothing.
        return true;
    case Address:
    case Version:
        // An offline session first seen offline: no connection was ever read for it.
        return !s.online && s.address.isEmpty();
    case Since:
        // The cluster says when a connection opened, not when a client went away; a session
        // first seen offline has no time.
        return (s.online ? s.connectedSinceMs : s.offlineSinceMs) <= 0;
    case ClientId:
    case State:
    case Node:
    case Inflight:
    case Queued:
    case ColumnCount:
        break;
    }
    return false;
}

QString SessionTableModel::notExposedText()
{
    return tr("—", "a cell whose value the cluster's management API does not expose");
}

QVariant SessionTableModel::sortValue(const SessionInfo &s, int column) const
{
    if (isNotExposed(s, column)) {
        // Below every real value of the column, of the same type, so these rows sort
        // together at one end instead of among the real zeros.
        switch (Column(column)) {
        case LastInbound: return -2.0; // below "never heard" (-1)
        case Since: case MessagesIn: case MessagesOut: case Dropped: return qint64(-1);
        case KeepAlive: case Version: return -1;
        default: return QString();
        }
    }
    switch (Column(column)) {
    case State:
        return int(s.online);
    case Version:
        return int(s.version);
    case KeepAlive:
        return int(s.keepAliveSeconds);
    case Since:
        return s.online ? s.connectedSinceMs : s.offlineSinceMs;
    case LastInbound: {
        // By lateness, so "descending" puts the sessions closest to their deadline on top;
        // sessions without a deadline follow, the longest silent first, then the never heard.
        const double late = lateness(s);
        if (late >= 0)
            return late;
        if (s.lastInboundMs <= 0)
            return -1.0;
        return -1.0 / (1.0 + double(std::max<qint64>(0, m_nowMs - s.lastInboundMs)) / 1000.0);
    }
    case Inflight:
        return s.inflight;
    case Queued:
        return s.queued;
    // Signed, like the "not exposed" value (counts stay far below 2^63).
    case MessagesIn:
        return qint64(s.messagesIn);
    case MessagesOut:
        return qint64(s.messagesOut);
    case Dropped:
        return qint64(s.messagesDropped);
    case LastClose:
        return s.lastClose ? closeReasonText(s.lastClose->reason) : QString();
    case ClientId:
    case Address:
    case Node:
    case ColumnCount:
        break;
    }
    return display(s, column);
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case Node: return tr("The cluster node that holds the connection, or for an offline session its queue");
        case Since: return tr("Connected since (online) or offline since (offline)");
        case LastInbound:
            return tr("Time since the last packet from the client. Green: within the keep-alive T; "
                      "amber: past T; red: past the 1.5 T deadline. Sorts by how close the deadline is");
        case Inflight: return tr("Outbound QoS 1/2 messages awaiting acknowledgement (high-water mark)");
        case Queued: return tr("Messages waiting for a window slot or for the client (high-water mark)");
        case Dropped: return tr("Messages dropped: queue full, expired or too large");
        default: break;
        }
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case ClientId: return tr("Client ID");
    case State: return tr("State");
    case Address: return tr("Address");
    case Node: return tr("Node");
    case Version: return tr("Protocol");
    case KeepAlive: return tr("Keep-alive");
    case Since: return tr("Since");
    case LastInbound: return tr("Last inbound");
    case Inflight: return tr("In-flight");
    case Queued: return tr("Queued");
    case MessagesIn: return tr("In");
    case MessagesOut: return tr("Out");
    case Dropped: return tr("Dropped");
    case LastClose: return tr("Last close");
    case ColumnCount: break;
    }
    return {};
}

QString SessionTableModel::closeReasonText(CloseReason reason)
{
    switch (reason) {
    case CloseReason::ClientDisconnect: return tr("client disconnect");
    case CloseReason::KeepAliveTimeout: return tr("keep-alive timeout");
    case CloseReason::TakenOver: return tr("taken over");
    case CloseReason::ProtocolError: return tr("protocol error");
    case CloseReason::ConnectRejected: return tr("connect rejected");
    case CloseReason::ConnectTimeout: return tr("connect timeout");
    case CloseReason::SocketError: return tr("socket error");
    case CloseReason::PeerClosed: return tr("peer closed");
    case CloseReason::Kicked: return tr("kicked");
    case CloseReason::ServerShutdown: return tr("server shutdown");
    }
    return {};
}

QString SessionTableModel::versionText(ProtocolVersion version)
{
    switch (version) {
    case ProtocolVersion::V3_1: return QStringLiteral("3.1");
    case ProtocolVersion::V3_1_1: return QStringLiteral("3.1.1");
    case ProtocolVersion::V5: return QStringLiteral("5.0");
    }
    return QString::number(int(version));
}

QString SessionTableModel::stageText(OutboundStage stage)
{
    // The QoS 2 flow is PUBLISH → PUBREC → PUBREL → PUBCOMP; the stage says what was sent
    // last and what the broker waits for.
    switch (stage) {
    case OutboundStage::AwaitingPuback: return tr("PUBLISH sent, awaiting PUBACK");
    case OutboundStage::AwaitingPubrec: return tr("PUBLISH sent, awaiting PUBREC");
    case OutboundStage::AwaitingPubcomp: return tr("PUBREL sent, awaiting PUBCOMP");
    }
    return {};
}

QString SessionTableModel::ageText(qint64 ms)
{
    const qint64 seconds = std::max<qint64>(0, ms) / 1000;
    if (seconds < 600)
        return tr("%1 s").arg(seconds);
    if (seconds < 2 * 3600)
        return tr("%1 min").arg(seconds / 60);
    if (seconds < 2 * 86400)
        return tr("%1 h").arg(seconds / 3600);
    return tr("%1 d").arg(seconds / 86400);
}

QString SessionTableModel::timeText(qint64 wallMs, qint64 nowMs)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(wallMs);
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs);
    if (at.date() == now.date())
        return at.toString(QStringLiteral("HH:mm:ss"));
    return at.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace hermes::ui
