#pragma once
/// A SchemaLibrary's topic-to-type bindings as an editable table.

#include "schemalibrary.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace hermes::ui {

/// The library's bindings as an editable table; edits go straight to the library.
class BindingTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TopicFilter, MessageType, ColumnCount };
    enum Role {
        ProblemRole = Qt::UserRole + 1, ///< QString: why the row cannot match, empty when fine
    };

    explicit BindingTableModel(SchemaLibrary *library, QObject *parent = nullptr);

    /// Appends a row (an empty filter by default) and returns its index in TopicFilter.
    QModelIndex addBinding(const SchemaBinding &binding = {});
    void removeBinding(int row);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void pullFromLibrary();
    QString problem(const SchemaBinding &binding) const;

    QPointer<SchemaLibrary> m_library;
    QList<SchemaBinding> m_bindings;
};

} // namespace hermes::ui
