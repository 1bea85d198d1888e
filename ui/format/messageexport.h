#pragma once
/// Writing captured messages to a file on a worker thread: CSV, NDJSON and the replayable
/// Hermes capture that `hermesctl replay` publishes again. The job works on a snapshot of
/// plain values, so the console keeps running while a big file is written.

#include "engine/api/telemetry.h"

#include "schema/schemaregistry.h"
#include "schema/topicbindings.h"

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QIODevice;
class QThread;

namespace hermes::ui {

enum class MessageExportFormat : quint8 {
    Csv,          ///< RFC 4180; payload as text when it is UTF-8, always as base64 too
    NdjsonText,   ///< one JSON object per line, payload as UTF-8 text (base64 when it is not)
    NdjsonBase64, ///< one JSON object per line, payload always as base64
    Capture,      ///< NDJSON with a header line: what `hermesctl replay` reads
};

/// What the schemas say about payloads, copied for the worker (the registry is immutable
/// and shared; decoding is const).
struct PayloadDecoding {
    std::shared_ptr<const schema::SchemaRegistry> registry;
    schema::TopicBindings bindings;
};

/// The first line of a capture file; replay refuses other files.
inline constexpr char CaptureFormatName[] = "hermes-capture";
inline constexpr int CaptureFormatVersion = 1;

/// Writes `messages` in `format` to `device` (open for writing). `cancel` is polled between
/// messages; `written` counts what is done. Returns an empty string or the reason it failed.
/// Thread-safe: touches nothing but its arguments.
QString writeMessages(QIODevice &device, const QList<MessageRecord> &messages, MessageExportFormat format,
                      const PayloadDecoding &decoding, const std::atomic_bool &cancel,
                      std::atomic<qsizetype> &written);

/// The CSV header row written by writeMessages(), for readers and tests.
QStringList messageCsvColumns();

/// One export in flight: the file is written to a temporary name next to `path` and renamed
/// when complete (QSaveFile), so a cancelled or failed export leaves no half file.
class ExportJob : public QObject
{
    Q_OBJECT
public:
    /// Copies the messages to write; runs on the worker thread, first. The caller keeps
    /// what it reads unchanged until snapshotTaken() (reading from two threads is safe:
    /// the records are implicitly shared values).
    using Snapshot = std::function<QList<MessageRecord>()>;

    ExportJob(QList<MessageRecord> messages, QString path, MessageExportFormat format, PayloadDecoding decoding,
              QObject *parent = nullptr);
    /// `total`: how many messages `snapshot` will return (for progress before it ran).
    ExportJob(qsizetype total, Snapshot snapshot, QString path, MessageExportFormat format, PayloadDecoding decoding,
              QObject *parent = nullptr);
    ~ExportJob() override;

    void start();
    void cancel() { m_cancel = true; }
    bool isRunning() const;
    qsizetype total() const { return m_total; }
    qsizetype written() const { return m_written.load(); }
    QString path() const { return m_path; }

signals:
    /// On the GUI thread, once the worker holds its copy: the source may change again.
    void snapshotTaken();
    /// Once, on the GUI thread: `error` is empty on success; `cancelled` when asked to stop.
    void finished(bool cancelled, const QString &error);

private:
    const qsizetype m_total;
    Snapshot m_snapshot;
    const QString m_path;
    const MessageExportFormat m_format;
    const PayloadDecoding m_decoding;
    std::atomic_bool m_cancel = false;
    std::atomic<qsizetype> m_written = 0;
    QString m_error; ///< written by the worker, read after it finished
    QThread *m_thread = nullptr;
};

} // namespace hermes::ui
