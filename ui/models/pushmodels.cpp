#include "pushmodels.h"

#include <QColor>
#include <QDateTime>

namespace hermes::ui {

namespace {

QString timeText(qint64 ms)
{
    return ms ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz")) : QString();
}

} // namespace

QString pushTargetText(const PushTarget &target)
{
    switch (target.kind) {
    case PushTarget::Kind::Devices: return PushListModel::tr("devices %1").arg(target.devices.join(QLatin1String(", ")));
    case PushTarget::Kind::Alias: return PushListModel::tr("alias %1").arg(target.value);
    case PushTarget::Kind::Tag: return PushListModel::tr("tag %1").arg(target.value);
    case PushTarget::Kind::Topic: return PushListModel::tr("topic %1").arg(target.value);
    case PushTarget::Kind::All: return PushListModel::tr("all devices");
    }
    return {};
}

namespace {

QString stateText(TargetState state)
{
    switch (state) {
    case TargetState::Pending: return PushListModel::tr("pending");
    case TargetState::Queued: return PushListModel::tr("queued");
    case TargetState::Sent: return PushListModel::tr("sent");
    case TargetState::Acknowledged: return PushListModel::tr("acknowledged");
    case TargetState::Receipted: return PushListModel::tr("receipted");
    case TargetState::Expired: return PushListModel::tr("expired");
    case TargetState::Failed: return PushListModel::tr("failed");
    }
    return {};
}

QColor stateColor(TargetState state)
{
    switch (state) {
    case TargetState::Receipted: return QColor(0x1b, 0x7f, 0x3b);
    case TargetState::Acknowledged: return QColor(0x2e, 0x7d, 0x32).lighter(120);
    case TargetState::Expired:
    case TargetState::Failed: return QColor(0xb3, 0x26, 0x1e);
    default: return {};
    }
}

} // namespace

int PushListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_reports.size());
}

int PushListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PushListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_reports.size())
        return {};
    const PushReport &report = m_reports.at(index.row());
    if (role == ReportRole)
        return QVariant::fromValue(report);
    if (role == Qt::TextAlignmentRole && index.column() >= Audience)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const PushReport::Counts counts = report.counts();
    switch (Column(index.column())) {
    case Id: return report.pushId;
    case Target: return pushTargetText(report.target);
    case Created: return timeText(report.createdAtMs);
    case Audience: return int(report.targets.size());
    case Receipted: return counts.receipted;
    case Acknowledged: return counts.acknowledged + counts.sent;
    case Pending: return counts.pending + counts.queued;
    case Failed: return counts.failed + counts.expired;
    case Rate: return QString::number(report.arrivalRatePerSecond(), 'f', 1);
    case Latency: {
        const QList<qint64> latencies = report.latenciesMs();
        return latencies.isEmpty() ? QString() : tr("%1 ms").arg(latencies.at(latencies.size() / 2));
    }
    case ColumnCount: break;
    }
    return {};
}

QVariant PushListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Id: return tr("Push");
    case Target: return tr("Target");
    case Created: return tr("Created");
    case Audience: return tr("Audience");
    case Receipted: return tr("Receipted");
    case Acknowledged: return tr("Acked / sent");
    case Pending: return tr("Waiting");
    case Failed: return tr("Failed / expired");
    case Rate: return tr("Arrivals/s");
    case Latency: return tr("Median latency");
    case ColumnCount: break;
    }
    return {};
}

void PushListModel::apply(const QList<PushReport> &reports)
{
    for (const PushReport &report : reports) {
        const int row = rowOf(report.pushId);
        if (row >= 0) {
            m_reports[row] = report;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            continue;
        }
        // New pushes are the newest: they go on top.
        beginInsertRows({}, 0, 0);
        m_reports.prepend(report);
        endInsertRows();
    }
}

int PushListModel::rowOf(const QString &pushId) const
{
    for (int row = 0; row < m_reports.size(); ++row) {
        if (m_reports.at(row).pushId == pushId)
            return row;
    }
    return -1;
}

int PushTargetModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_report.targets.size());
}

int PushTargetModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PushTargetModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_report.targets.size())
        return {};
    const TargetReport &target = m_report.targets.at(index.row());
    if (role == Qt::ForegroundRole && index.column() == State) {
        const QColor color = stateColor(target.state);
        return color.isValid() ? QVariant(color) : QVariant();
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Device: return target.device;
    case Sequence: return target.sequence ? QVariant(qulonglong(target.sequence)) : QVariant();
    case State: return stateText(target.state);
    case Queued: return timeText(target.queuedAtMs);
    case Sent: return target.sendCount > 1 ? tr("%1 (×%2)").arg(timeText(target.sentAtMs)).arg(target.sendCount) : timeText(target.sentAtMs);
    case Acknowledged: return timeText(target.acknowledgedAtMs);
    case Receipted: return timeText(target.receiptedAtMs);
    case Receipt: return target.missing ? tr("%1, %n missing", "", int(target.missing)).arg(target.receiptStatus) : target.receiptStatus;
    case Detail: return target.detail;
    case ColumnCount: break;
    }
    return {};
}

QVariant PushTargetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Device: return tr("Device");
    case Sequence: return tr("Seq");
    case State: return tr("State");
    case Queued: return tr("Queued");
    case Sent: return tr("Sent");
    case Acknowledged: return tr("Acked");
    case Receipted: return tr("Receipt");
    case Receipt: return tr("Device says");
    case Detail: return tr("Detail");
    case ColumnCount: break;
    }
    return {};
}

void PushTargetModel::setReport(const PushReport &report)
{
    if (report.pushId == m_report.pushId && report.targets.size() == m_report.targets.size()) {
        m_report = report;
        if (!m_report.targets.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_report = report;
    endResetModel();
}

void PushTargetModel::clear()
{
    beginResetModel();
    m_report = {};
    endResetModel();
}

} // namespace hermes::ui
