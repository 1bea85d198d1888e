#pragma once
/// The captured application messages as a table, held in a bounded ring.

#include "ringbuffer.h"

#include "engine/api/monitor.h"

#include <QAbstractTableModel>

namespace hermes::ui {

/// Rows are the ring's messages, oldest first. Applying a batch removes the evicted rows
/// from the top and inserts the new ones at the bottom: two model signals per batch.
class MessageLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Topic, QoSColumn, Retain, Size, From, Preview, ColumnCount };
    enum Role { RecordIndexRole = Qt::UserRole + 1 };

    explicit MessageLogModel(qsizetype capacity, QObject *parent = nullptr);

    void append(const QList<MessageRecord> &messages);
    void clear();
    const MessageRecord &record(int row) const { return m_ring.at(row); }
    qsizetype capacity() const { return m_ring.capacity(); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    RingBuffer<MessageRecord> m_ring;
};

} // namespace hermes::ui
