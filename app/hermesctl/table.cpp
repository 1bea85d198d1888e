#include "table.h"

#include <algorithm>

namespace hermes::cli {

namespace {
constexpr int DefaultMaximumWidth = 48;
constexpr QChar Ellipsis(0x2026);
} // namespace

Table::Table(QStringList headers)
    : m_headers(std::move(headers)),
      m_alignments(m_headers.size(), Align::Left),
      m_maximumWidths(m_headers.size(), DefaultMaximumWidth)
{
}

void Table::setAlignment(int column, Align align)
{
    if (column >= 0 && column < m_alignments.size())
        m_alignments[column] = align;
}

void Table::setMaximumWidth(int column, int width)
{
    if (column >= 0 && column < m_maximumWidths.size())
        m_maximumWidths[column] = std::max(1, width);
}

void Table::addRow(QStringList cells)
{
    cells.resize(m_headers.size());
    for (qsizetype column = 0; column < cells.size(); ++column)
        cells[column] = elide(cells.at(column), m_maximumWidths.at(column));
    m_rows.append(std::move(cells));
}

QString Table::elide(const QString &text, int width)
{
    QString flat = text;
    for (QChar &c : flat) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            c = QLatin1Char(' ');
    }
    if (flat.size() <= width)
        return flat;
    return flat.left(width - 1) + Ellipsis;
}

QString Table::toString() const
{
    QList<qsizetype> widths(m_headers.size());
    for (qsizetype column = 0; column < m_headers.size(); ++column) {
        widths[column] = m_headers.at(column).size();
        for (const QStringList &row : m_rows)
            widths[column] = std::max(widths.at(column), row.at(column).size());
    }
    QString text;
    const auto appendLine = [&](const QStringList &cells) {
        QString line;
        for (qsizetype column = 0; column < cells.size(); ++column) {
            if (column > 0)
                line += QLatin1String("  ");
            const bool last = column == cells.size() - 1;
            if (m_alignments.at(column) == Align::Right)
                line += cells.at(column).rightJustified(widths.at(column));
            else
                line += last ? cells.at(column) : cells.at(column).leftJustified(widths.at(column));
        }
        // Right-aligned or empty last cells can leave blanks at the end.
        while (line.endsWith(QLatin1Char(' ')))
            line.chop(1);
        text += line + QLatin1Char('\n');
    };
    appendLine(m_headers);
    for (const QStringList &row : m_rows)
        appendLine(row);
    return text;
}

void Details::add(const QString &name, const QString &value)
{
    m_lines.append({name, value.isEmpty() ? QStringLiteral("-") : value});
}

QString Details::toString() const
{
    qsizetype width = 0;
    for (const auto &[name, value] : m_lines)
        width = std::max(width, name.size() + 1);
    QString text;
    for (const auto &[name, value] : m_lines)
        text += (name + QLatin1Char(':')).leftJustified(width + 1) + value + QLatin1Char('\n');
    return text;
}

} // namespace hermes::cli
