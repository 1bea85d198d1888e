#pragma once
/// A decoded payload (field, number, type, value, bytes) as a tree model.

#include "schema/decodednode.h"

#include <QAbstractItemModel>
#include <QHash>

namespace hermes::ui {

/// A DecodedNode tree as an item model. The root's children are the top-level rows.
class DecodedTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Field, Number, Type, Value, Bytes, ColumnCount };
    enum Role {
        OffsetRole = Qt::UserRole + 1, ///< qlonglong: first byte of the field (its tag)
        LengthRole,                    ///< qlonglong: bytes of the field
        ValueOffsetRole,               ///< qlonglong: first byte of the value
        UnknownRole,                   ///< bool: not in the schema
        RawValueRole,                  ///< the node's QVariant value
    };

    explicit DecodedTreeModel(QObject *parent = nullptr);

    void setRoot(schema::DecodedNode root);
    const schema::DecodedNode &root() const { return m_root; }
    void clear() { setRoot({}); }

    /// The node at `index` (the root for an invalid index).
    const schema::DecodedNode &node(const QModelIndex &index) const;
    /// The deepest node whose bytes contain `offset`, or an invalid index.
    QModelIndex indexAtOffset(qsizetype offset) const;
    /// First row named `name` below `parent` (tests, keyboard navigation).
    QModelIndex findChild(const QString &name, const QModelIndex &parent = {}) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Place {
        const schema::DecodedNode *parent = nullptr;
        int row = 0;
    };
    void indexPlaces(const schema::DecodedNode &node);
    QModelIndex indexOf(const schema::DecodedNode *node, int column = 0) const;

    schema::DecodedNode m_root;
    QHash<const schema::DecodedNode *, Place> m_places;
};

} // namespace hermes::ui
