#include "hexview.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTextBlock>

namespace hermes::ui {

namespace {

// "00000010  0a 05 68 65 6c 6c 6f 10  96 01 1a 00 00 00 00 00  ..hello........."
constexpr int kOffsetWidth = 10;                                   // 8 hex digits, 2 spaces
constexpr int kAsciiColumn = kOffsetWidth + HexView::kBytesPerLine * 3 + 2; // after the gap
constexpr int kLineLength = kAsciiColumn + HexView::kBytesPerLine + 1; // with the newline
// Beyond this many lines a highlight is one block (per-line selections get slow).
constexpr qsizetype kMaxSelectionLines = 2048;

} // namespace

HexView::HexView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setUndoRedoEnabled(false);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    // Wide enough for a whole line: a clipped ASCII column hides what a highlight means.
    const int text = fontMetrics().horizontalAdvance(QString(kLineLength, QLatin1Char('0')));
    setMinimumWidth(text + 2 * frameWidth() + int(2 * document()->documentMargin())
                    + verticalScrollBar()->sizeHint().width());
}

void HexView::setBytes(const QByteArray &bytes)
{
    m_bytes = bytes;
    m_highlightOffset = 0;
    m_highlightLength = 0;
    const qsizetype shown = shownBytes();
    QString text;
    text.reserve((shown / kBytesPerLine + 2) * kLineLength);
    static constexpr char digits[] = "0123456789abcdef";
    for (qsizetype line = 0; line * kBytesPerLine < shown; ++line) {
        const qsizetype first = line * kBytesPerLine;
        QString row(kLineLength - 1, QLatin1Char(' '));
        const QString offset = QStringLiteral("%1").arg(first, 8, 16, QLatin1Char('0'));
        row.replace(0, 8, offset);
        for (int i = 0; i < kBytesPerLine && first + i < shown; ++i) {
            const auto byte = quint8(m_bytes.at(first + i));
            const int at = kOffsetWidth + i * 3 + (i >= kBytesPerLine / 2 ? 1 : 0);
            row[at] = QLatin1Char(digits[byte >> 4]);
            row[at + 1] = QLatin1Char(digits[byte & 0xf]);
            row[kAsciiColumn + i] = byte >= 0x20 && byte < 0x7f ? QLatin1Char(char(byte)) : QLatin1Char('.');
        }
        if (first + kBytesPerLine > shown) // last line: no trailing padding
            row.truncate(kAsciiColumn + int(shown - first));
        text += row;
        text += QLatin1Char('\n');
    }
    if (bytes.size() > shown)
        text += tr("… %n more byte(s) not shown", nullptr, int(qMin<qsizetype>(bytes.size() - shown, INT_MAX)));
    else if (!text.isEmpty())
        text.chop(1);
    if (bytes.isEmpty())
        text = tr("(empty payload)");
    setPlainText(text);
    setExtraSelections({});
}

int HexView::hexPosition(qsizetype offset) const
{
    const auto line = int(offset / kBytesPerLine);
    const int column = int(offset % kBytesPerLine);
    return line * kLineLength + kOffsetWidth + column * 3 + (column >= kBytesPerLine / 2 ? 1 : 0);
}

int HexView::asciiPosition(qsizetype offset) const
{
    const auto line = int(offset / kBytesPerLine);
    return line * kLineLength + kAsciiColumn + int(offset % kBytesPerLine);
}

void HexView::setHighlight(qsizetype offset, qsizetype length)
{
    const qsizetype shown = shownBytes();
    offset = qBound<qsizetype>(0, offset, shown);
    length = qBound<qsizetype>(0, length, shown - offset);
    m_highlightOffset = offset;
    m_highlightLength = length;
    QList<QTextEdit::ExtraSelection> selections;
    if (length > 0) {
        QTextCharFormat format;
        format.setBackground(palette().highlight());
        format.setForeground(palette().highlightedText());
        const auto add = [&](int from, int to) {
            QTextEdit::ExtraSelection selection;
            selection.format = format;
            selection.cursor = QTextCursor(document());
            selection.cursor.setPosition(from);
            selection.cursor.setPosition(to, QTextCursor::KeepAnchor);
            selections.append(selection);
        };
        const qsizetype last = offset + length - 1;
        const qsizetype firstLine = offset / kBytesPerLine;
        const qsizetype lastLine = last / kBytesPerLine;
        if (lastLine - firstLine > kMaxSelectionLines) {
            add(hexPosition(offset), asciiPosition(last) + 1);
        } else {
            for (qsizetype line = firstLine; line <= lastLine; ++line) {
                const qsizetype from = qMax(offset, line * kBytesPerLine);
                const qsizetype to = qMin(last, line * kBytesPerLine + kBytesPerLine - 1);
                add(hexPosition(from), hexPosition(to) + 2);
                add(asciiPosition(from), asciiPosition(to) + 1);
            }
        }
        // Scroll so the start of the range is visible without moving the text cursor's anchor.
        QTextCursor cursor(document());
        cursor.setPosition(hexPosition(offset));
        setTextCursor(cursor);
        ensureCursorVisible();
    }
    setExtraSelections(selections);
}

qsizetype HexView::offsetAt(int position) const
{
    const int line = position / kLineLength;
    const int column = position % kLineLength;
    qsizetype offset = -1;
    if (column >= kAsciiColumn && column < kAsciiColumn + kBytesPerLine) {
        offset = qsizetype(line) * kBytesPerLine + (column - kAsciiColumn);
    } else if (column >= kOffsetWidth && column < kAsciiColumn - 2) {
        int inHex = column - kOffsetWidth;
        if (inHex >= kBytesPerLine / 2 * 3) // the gap in the middle
            --inHex;
        if (inHex >= 0 && inHex % 3 != 2)
            offset = qsizetype(line) * kBytesPerLine + inHex / 3;
    }
    return offset >= 0 && offset < shownBytes() ? offset : -1;
}

void HexView::mouseReleaseEvent(QMouseEvent *event)
{
    QPlainTextEdit::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || textCursor().hasSelection())
        return;
    const qsizetype offset = offsetAt(cursorForPosition(event->position().toPoint()).position());
    if (offset >= 0)
        emit byteClicked(offset);
}

} // namespace hermes::ui
