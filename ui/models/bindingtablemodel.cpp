#include "bindingtablemodel.h"

#include "mqtt/topic.h"

#include <QApplication>
#include <QStyle>

namespace hermes::ui {

BindingTableModel::BindingTableModel(SchemaLibrary *library, QObject *parent)
    : QAbstractTableModel(parent)
    , m_library(library)
{
    if (m_library) {
        m_bindings = m_library->bindings();
        connect(m_library, &SchemaLibrary::bindingsChanged, this, &BindingTableModel::pullFromLibrary);
        // Problems depend on the loaded types.
        connect(m_library, &SchemaLibrary::changed, this, [this] {
            if (!m_bindings.isEmpty())
                emit dataChanged(index(0, 0), index(int(m_bindings.size()) - 1, ColumnCount - 1));
        });
    }
}

void BindingTableModel::pullFromLibrary()
{
    // Our own edits come back through bindingsChanged(): only reset for outside changes.
    if (!m_library || m_library->bindings() == m_bindings)
        return;
    beginResetModel();
    m_bindings = m_library->bindings();
    endResetModel();
}

QModelIndex BindingTableModel::addBinding(const SchemaBinding &binding)
{
    const int row = int(m_bindings.size());
    beginInsertRows({}, row, row);
    m_bindings.append(binding);
    endInsertRows();
    if (m_library)
        m_library->setBindings(m_bindings);
    return index(row, TopicFilter);
}

void BindingTableModel::removeBinding(int row)
{
    if (row < 0 || row >= m_bindings.size())
        return;
    beginRemoveRows({}, row, row);
    m_bindings.removeAt(row);
    endRemoveRows();
    if (m_library)
        m_library->setBindings(m_bindings);
}

int BindingTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_bindings.size());
}

int BindingTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString BindingTableModel::problem(const SchemaBinding &binding) const
{
    if (binding.topicFilter.isEmpty())
        return tr("Enter a topic filter, e.g. telemetry/+/state");
    if (!mqtt::isValidTopicFilter(binding.topicFilter) || mqtt::parseSharedFilter(binding.topicFilter))
        return tr("Not a valid topic filter: '+' and '#' must fill a whole level, '#' only at the end");
    if (binding.typeName.isEmpty())
        return tr("Choose a message type");
    if (m_library && !m_library->messageTypes().contains(binding.typeName))
        return tr("%1 is not in the loaded schemas").arg(binding.typeName);
    return {};
}

QVariant BindingTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SchemaBinding &binding = m_bindings.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return index.column() == TopicFilter ? binding.topicFilter : binding.typeName;
    case ProblemRole:
        return problem(binding);
    case Qt::ToolTipRole:
        return problem(binding);
    case Qt::DecorationRole:
        if (index.column() == TopicFilter && !problem(binding).isEmpty())
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return {};
    default:
        return {};
    }
}

bool BindingTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    SchemaBinding &binding = m_bindings[index.row()];
    const QString text = value.toString().trimmed();
    QString &field = index.column() == TopicFilter ? binding.topicFilter : binding.typeName;
    if (field == text)
        return true;
    field = text;
    emit dataChanged(this->index(index.row(), 0), this->index(index.row(), ColumnCount - 1));
    if (m_library)
        m_library->setBindings(m_bindings);
    return true;
}

Qt::ItemFlags BindingTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemIsEditable;
}

QVariant BindingTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case TopicFilter: return tr("Topic filter");
    case MessageType: return tr("Message type");
    case ColumnCount: break;
    }
    return {};
}

} // namespace hermes::ui
