#include "decodedtreemodel.h"

#include <QApplication>
#include <QFont>
#include <QPalette>

namespace hermes::ui {

using schema::DecodedNode;
using Kind = DecodedNode::Kind;

namespace {

/// A float as few digits as read back to the same float ("39.9", not 39.900001525878906).
QString shortestFloat(float value)
{
    for (int precision = 6; precision <= 9; ++precision) {
        const QString text = QString::number(double(value), 'g', precision);
        if (text.toFloat() == value)
            return text;
    }
    return QString::number(double(value), 'g', 9);
}

} // namespace

DecodedTreeModel::DecodedTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

void DecodedTreeModel::setRoot(DecodedNode root)
{
    beginResetModel();
    m_root = std::move(root);
    m_places.clear();
    indexPlaces(m_root);
    endResetModel();
}

void DecodedTreeModel::indexPlaces(const DecodedNode &node)
{
    // Iterative: a payload of 64 nested levels is fine recursively, but the parent table is
    // built for every node, so keep the stack on the heap.
    QList<const DecodedNode *> pending{&node};
    while (!pending.isEmpty()) {
        const DecodedNode *current = pending.takeLast();
        for (int row = 0; row < current->children.size(); ++row) {
            const DecodedNode *child = &current->children.at(row);
            m_places.insert(child, Place{current, row});
            if (!child->children.isEmpty())
                pending.append(child);
        }
    }
}

QModelIndex DecodedTreeModel::indexOf(const DecodedNode *node, int column) const
{
    const auto place = m_places.constFind(node);
    if (place == m_places.cend())
        return {};
    return createIndex(place->row, column, const_cast<DecodedNode *>(node));
}

QModelIndex DecodedTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const DecodedNode &owner = node(parent);
    if (row >= owner.children.size())
        return {};
    return createIndex(row, column, const_cast<DecodedNode *>(&owner.children.at(row)));
}

QModelIndex DecodedTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const auto place = m_places.constFind(static_cast<const DecodedNode *>(child.internalPointer()));
    if (place == m_places.cend() || place->parent == &m_root)
        return {};
    return indexOf(place->parent);
}

int DecodedTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(node(parent).children.size());
}

int DecodedTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant DecodedTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const DecodedNode &n = node(index);
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Field:
            return n.name;
        case Number:
            return n.number > 0 ? QVariant(n.number) : QVariant();
        case Type:
            return n.typeName;
        case Value:
            if (n.kind == Kind::Packed)
                return tr("%n item(s), packed", nullptr, int(n.children.size()));
            if (n.kind == Kind::Message || n.kind == Kind::Group)
                return tr("%n field(s)", nullptr, int(n.children.size()));
            if (n.kind == Kind::Float)
                return shortestFloat(n.value.toFloat());
            if (n.kind == Kind::String)
                return QStringLiteral("\"%1\"").arg(n.text.left(512));
            return n.text.left(512);
        case Bytes:
            return tr("%1 +%2").arg(n.offset).arg(n.length);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (n.unknown)
            return tr("Not in the schema (or another wire type than declared): kept as found on the wire");
        if (index.column() == Value && n.text.size() > 80)
            return n.text.left(4096);
        return {};
    case Qt::ForegroundRole:
        if (n.unknown)
            return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (n.unknown) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Number || index.column() == Bytes)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case OffsetRole:
        return qlonglong(n.offset);
    case LengthRole:
        return qlonglong(n.length);
    case ValueOffsetRole:
        return qlonglong(n.valueOffset);
    case UnknownRole:
        return n.unknown;
    case RawValueRole:
        return n.value;
    default:
        return {};
    }
}

QVariant DecodedTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Field: return tr("Field");
    case Number: return tr("No.");
    case Type: return tr("Type");
    case Value: return tr("Value");
    case Bytes: return tr("Bytes");
    case ColumnCount: break;
    }
    return {};
}

QModelIndex DecodedTreeModel::indexAtOffset(qsizetype offset) const
{
    const DecodedNode *current = &m_root;
    const DecodedNode *found = nullptr;
    // Children are in payload order with disjoint ranges; descend into the one that holds it.
    for (;;) {
        const DecodedNode *next = nullptr;
        for (const DecodedNode &child : current->children) {
            if (offset >= child.offset && offset < child.offset + child.length) {
                next = &child;
                break;
            }
        }
        if (!next)
            break;
        found = next;
        current = next;
    }
    return found ? indexOf(found) : QModelIndex();
}

QModelIndex DecodedTreeModel::findChild(const QString &name, const QModelIndex &parent) const
{
    const DecodedNode &owner = node(parent);
    for (int row = 0; row < owner.children.size(); ++row) {
        if (owner.children.at(row).name == name)
            return index(row, 0, parent);
    }
    return {};
}

} // namespace hermes::ui
