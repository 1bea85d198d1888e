#include "detailtablemodel.h"

namespace hermes::ui {

DetailTableModel::DetailTableModel(QStringList headers, QObject *parent)
    : QAbstractTableModel(parent)
    , m_headers(std::move(headers))
{
}

void DetailTableModel::setRows(QList<Row> rows)
{
    for (Row &row : rows)
        row.resize(m_headers.size());
    const int oldCount = int(m_rows.size());
    const int newCount = int(rows.size());
    const int common = std::min(oldCount, newCount);
    if (newCount < oldCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        m_rows.resize(newCount);
        endRemoveRows();
    }
    const bool changed = !std::equal(rows.cbegin(), rows.cbegin() + common, m_rows.cbegin(),
                                     [](const Row &a, const Row &b) {
                                         return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(),
                                                           [](const Cell &x, const Cell &y) {
                                                               return x.text == y.text && x.sortValue == y.sortValue;
                                                           });
                                     });
    for (int r = 0; r < common; ++r)
        m_rows[r] = rows.at(r);
    if (changed && common > 0)
        emit dataChanged(index(0, 0), index(common - 1, int(m_headers.size()) - 1));
    if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        m_rows.append(rows.mid(oldCount));
        endInsertRows();
    }
}

void DetailTableModel::setHeaders(const QStringList &headers)
{
    Q_ASSERT(headers.size() == m_headers.size());
    m_headers = headers;
    emit headerDataChanged(Qt::Horizontal, 0, int(m_headers.size()) - 1);
}

int DetailTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DetailTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_headers.size());
}

QVariant DetailTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Cell &cell = m_rows.at(index.row()).at(index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return cell.text;
    case SortValueRole:
        return cell.sortValue.isValid() ? cell.sortValue : QVariant(cell.text);
    case Qt::TextAlignmentRole: {
        // Numbers right, words (including yes/no) left.
        const int type = cell.sortValue.typeId();
        const bool word = !cell.sortValue.isValid() || type == QMetaType::QString || type == QMetaType::Bool;
        return word ? int(Qt::AlignLeft | Qt::AlignVCenter) : int(Qt::AlignRight | Qt::AlignVCenter);
    }
    default:
        return {};
    }
}

QVariant DetailTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_headers.size())
        return m_headers.at(section);
    return {};
}

} // namespace hermes::ui
