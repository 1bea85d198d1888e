#pragma once
/// A read-only hex dump (offset, 16 bytes in hex, the same bytes as ASCII) with one
/// highlighted byte range, used by the payload inspector.

#include <QByteArray>
#include <QPlainTextEdit>

namespace hermes::ui {

class HexView : public QPlainTextEdit
{
    Q_OBJECT
public:
    /// Payloads longer than this are shown up to this many bytes (the rest is summarised).
    static constexpr qsizetype kMaxShownBytes = 256 * 1024;
    static constexpr int kBytesPerLine = 16;

    explicit HexView(QWidget *parent = nullptr);

    void setBytes(const QByteArray &bytes);
    QByteArray bytes() const { return m_bytes; }

    /// Highlights [offset, offset + length) in the hex and ASCII columns and scrolls to it;
    /// a zero length clears the highlight. Clipped to the bytes shown.
    void setHighlight(qsizetype offset, qsizetype length);
    qsizetype highlightOffset() const { return m_highlightOffset; }
    qsizetype highlightLength() const { return m_highlightLength; }

    /// The payload offset under text position `position`, or -1 (gaps, offsets column).
    qsizetype offsetAt(int position) const;

signals:
    /// The operator clicked a byte.
    void byteClicked(qsizetype offset);

protected:
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    int hexPosition(qsizetype offset) const;
    int asciiPosition(qsizetype offset) const;
    qsizetype shownBytes() const { return qMin(m_bytes.size(), kMaxShownBytes); }

    QByteArray m_bytes;
    qsizetype m_highlightOffset = 0;
    qsizetype m_highlightLength = 0;
};

} // namespace hermes::ui
