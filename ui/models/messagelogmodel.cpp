#include "messagelogmodel.h"

#include "payloadtext.h"

#include <QDateTime>

namespace hermes::ui {

MessageLogModel::MessageLogModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_ring(capacity)
{
}

void MessageLogModel::append(const QList<MessageRecord> &messages)
{
    if (messages.isEmpty())
        return;
    // Only the newest `capacity` of this batch can survive.
    const qsizetype incoming = std::min(messages.size(), m_ring.capacity());
    const qsizetype evicted = std::max<qsizetype>(0, m_ring.size() + incoming - m_ring.capacity());
    if (evicted > 0) {
        beginRemoveRows({}, 0, int(evicted) - 1);
        m_ring.dropOldest(evicted);
        endRemoveRows();
    }
    const int first = int(m_ring.size());
    beginInsertRows({}, first, first + int(incoming) - 1);
    for (qsizetype i = messages.size() - incoming; i < messages.size(); ++i)
        m_ring.push(messages.at(i));
    endInsertRows();
}

void MessageLogModel::clear()
{
    beginResetModel();
    m_ring.clear();
    endResetModel();
}

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_ring.size());
}

int MessageLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_ring.size())
        return {};
    const MessageRecord &message = m_ring.at(index.row());
    if (role == RecordIndexRole)
        return index.row();
    if (role == Qt::TextAlignmentRole && (index.column() == QoSColumn || index.column() == Size))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(message.atMs).toString(QStringLiteral("hh:mm:ss.zzz"));
    case Topic:
        return message.topic;
    case QoSColumn:
        return int(message.qos);
    case Retain:
        return message.retain ? tr("yes") : QString();
    case Size:
        return QLocale().toString(message.payloadSize);
    case From:
        return message.fromClientId.isEmpty() ? tr("(broker)") : message.fromClientId;
    case Preview:
        return payloadPreview(message.payload);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time: return tr("Time");
    case Topic: return tr("Topic");
    case QoSColumn: return tr("QoS");
    case Retain: return tr("Retained");
    case Size: return tr("Bytes");
    case From: return tr("From");
    case Preview: return tr("Payload");
    case ColumnCount: break;
    }
    return {};
}

} // namespace hermes::ui
