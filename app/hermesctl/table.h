#pragma once
/// Aligned plain-text tables for hermesctl's human-readable output: column widths come
/// from the content, long cells are elided so one row stays one line.

#include <QList>
#include <QString>
#include <QStringList>

namespace hermes::cli {

class Table
{
public:
    enum class Align : quint8 { Left, Right };

    /// Column titles; every row should have as many cells.
    explicit Table(QStringList headers);

    /// Right-aligns a column (numbers).
    void setAlignment(int column, Align align);
    /// Cells longer than `width` characters are cut and end in "…" (default 48).
    void setMaximumWidth(int column, int width);
    void addRow(QStringList cells);
    qsizetype rowCount() const { return m_rows.size(); }

    /// The header, then one line per row, columns two spaces apart, no trailing blanks.
    QString toString() const;

    /// `text` cut to `width` characters, ending in "…" when cut; newlines and tabs become
    /// spaces so a cell never breaks a row.
    static QString elide(const QString &text, int width);

private:
    QStringList m_headers;
    QList<QStringList> m_rows;
    QList<Align> m_alignments;
    QList<int> m_maximumWidths;
};

/// "name: value" lines with the values aligned, for one object's details.
class Details
{
public:
    /// An empty value shows as "-".
    void add(const QString &name, const QString &value);
    QString toString() const;

private:
    QList<std::pair<QString, QString>> m_lines;
};

} // namespace hermes::cli
