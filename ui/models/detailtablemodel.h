#pragma once
/// A read-only table of display strings, for the session detail's tabs.

#include <QAbstractTableModel>
#include <QStringList>
#include <QVariant>

namespace hermes::ui {

/// A read-only table of display strings with raw values for sorting, replaced wholesale
/// on every refresh: rows that stay are updated in place (one dataChanged), the tail is
/// inserted or removed, so selection and scroll position survive the 500 ms refresh.
class DetailTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role { SortValueRole = Qt::UserRole + 1 };
    struct Cell {
        QString text;
        QVariant sortValue; ///< invalid: sort by text
    };
    using Row = QList<Cell>;

    explicit DetailTableModel(QStringList headers, QObject *parent = nullptr);
    /// New texts for the same columns (a language change): emits headerDataChanged.
    void setHeaders(const QStringList &headers);

    void setRows(QList<Row> rows);
    const QList<Row> &rows() const { return m_rows; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QStringList m_headers;
    QList<Row> m_rows;
};

} // namespace hermes::ui
