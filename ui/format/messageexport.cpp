#include "messageexport.h"
#include "reportexport.h"

#include "schema/payloadinterpreter.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStringDecoder>
#include <QThread>

namespace hermes::ui {

namespace {

constexpr qsizetype FlushBytes = 1 << 20;

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

/// The payload as text when it is valid UTF-8, else nothing.
std::optional<QString> utf8Text(const QByteArray &payload)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(payload);
    if (decoder.hasError())
        return std::nullopt;
    return text;
}

/// The decoded JSON a schema gives the payload (typed, bound, envelope or receipt), if any.
std::optional<QJsonValue> decodedJson(const PayloadDecoding &decoding, const MessageRecord &message)
{
    if (!decoding.registry)
        return std::nullopt;
    const schema::InterpretedPayload interpreted = schema::interpretPayload(
        *decoding.registry, decoding.bindings, message.topic, message.payload, message.contentType);
    using I = schema::Interpretation;
    if (interpreted.interpretation == I::Text || interpreted.interpretation == I::Raw || !interpreted.decoded.ok())
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(interpreted.decoded.json.toUtf8());
    if (document.isNull())
        return std::nullopt;
    return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
}

QJsonObject jsonLine(const MessageRecord &message, MessageExportFormat format, const PayloadDecoding &decoding)
{
    QJsonObject line;
    line.insert(QStringLiteral("time"), isoTime(message.atMs));
    line.insert(QStringLiteral("time_ms"), message.atMs);
    line.insert(QStringLiteral("topic"), message.topic);
    line.insert(QStringLiteral("qos"), int(message.qos));
    line.insert(QStringLiteral("retain"), message.retain);
    if (!message.fromClientId.isEmpty())
        line.insert(QStringLiteral("from"), message.fromClientId);
    if (!message.contentType.isEmpty())
        line.insert(QStringLiteral("content_type"), message.contentType);
    line.insert(QStringLiteral("size"), message.payloadSize);
    if (message.payloadSize > message.payload.size())
        line.insert(QStringLiteral("truncated"), true); // the console keeps the first 64 KiB
    const std::optional<QString> text = format == MessageExportFormat::NdjsonText ? utf8Text(message.payload)
                                                                                  : std::nullopt;
    if (text)
        line.insert(QStringLiteral("payload"), *text);
    else
        line.insert(QStringLiteral("payload_base64"), QString::fromLatin1(message.payload.toBase64()));
    if (format != MessageExportFormat::Capture) {
        if (std::optional<QJsonValue> decoded = decodedJson(decoding, message))
            line.insert(QStringLiteral("decoded"), *decoded);
    }
    return line;
}

} // namespace

QStringList messageCsvColumns()
{
    return {QStringLiteral("time"),   QStringLiteral("topic"),        QStringLiteral("qos"),
            QStringLiteral("retain"), QStringLiteral("from"),         QStringLiteral("content_type"),
            QStringLiteral("size"),   QStringLiteral("payload_text"), QStringLiteral("payload_base64")};
}

QString writeMessages(QIODevice &device, const QList<MessageRecord> &messages, MessageExportFormat format,
                      const PayloadDecoding &decoding, const std::atomic_bool &cancel,
                      std::atomic<qsizetype> &written)
{
    QByteArray buffer;
    buffer.reserve(FlushBytes + 64 * 1024);
    const auto flush = [&] {
        const bool ok = device.write(buffer) == buffer.size();
        buffer.clear();
        return ok;
    };
    if (format == MessageExportFormat::Csv) {
        appendCsvRow(buffer, messageCsvColumns());
    } else if (format == MessageExportFormat::Capture) {
        QJsonObject header;
        header.insert(QStringLiteral("format"), QLatin1String(CaptureFormatName));
        header.insert(QStringLiteral("version"), CaptureFormatVersion);
        header.insert(QStringLiteral("messages"), messages.size());
        buffer += QJsonDocument(header).toJson(QJsonDocument::Compact);
        buffer += '\n';
    }
    for (const MessageRecord &message : messages) {
        if (cancel.load(std::memory_order_relaxed))
            return QString();
        if (format == MessageExportFormat::Csv) {
            appendCsvRow(buffer, {isoTime(message.atMs), message.topic, QString::number(int(message.qos)),
                                  message.retain ? QStringLiteral("1") : QStringLiteral("0"), message.fromClientId,
                                  message.contentType, QString::number(message.payloadSize),
                                  utf8Text(message.payload).value_or(QString()),
                                  QString::fromLatin1(message.payload.toBase64())});
        } else {
            buffer += QJsonDocument(jsonLine(message, format, decoding)).toJson(QJsonDocument::Compact);
            buffer += '\n';
        }
        if (buffer.size() >= FlushBytes && !flush())
            return device.errorString();
        written.fetch_add(1, std::memory_order_relaxed);
    }
    if (!flush())
        return device.errorString();
    return QString();
}

// ---------------------------------------------------------------- ExportJob

ExportJob::ExportJob(QList<MessageRecord> messages, QString path, MessageExportFormat format, PayloadDecoding decoding,
                     QObject *parent)
    : ExportJob(messages.size(), [messages] { return messages; }, std::move(path), format, std::move(decoding), parent)
{
}

ExportJob::ExportJob(qsizetype total, Snapshot snapshot, QString path, MessageExportFormat format,
                     PayloadDecoding decoding, QObject *parent)
    : QObject(parent)
    , m_total(total)
    , m_snapshot(std::move(snapshot))
    , m_path(std::move(path))
    , m_format(format)
    , m_decoding(std::move(decoding))
{
}

ExportJob::~ExportJob()
{
    if (m_thread) {
        m_cancel = true;
        m_thread->wait();
    }
}

bool ExportJob::isRunning() const
{
    return m_thread && m_thread->isRunning();
}

void ExportJob::start()
{
    Q_ASSERT(!m_thread);
    m_thread = QThread::create([this] {
        // The copy is made here, not on the GUI thread: 100,000 records cost up to a tenth
        // of a second when they are cold in the cache.
        const QList<MessageRecord> messages = m_snapshot();
        m_snapshot = nullptr; // drops what the snapshot function captured, on this thread
        QMetaObject::invokeMethod(this, [this] { emit snapshotTaken(); }, Qt::QueuedConnection);
        QSaveFile file(m_path);
        if (!file.open(QIODevice::WriteOnly)) {
            m_error = file.errorString();
            return;
        }
        m_error = writeMessages(file, messages, m_format, m_decoding, m_cancel, m_written);
        if (!m_error.isEmpty() || m_cancel)
            file.cancelWriting();
        else if (!file.commit())
            m_error = file.errorString();
    });
    m_thread->setParent(this);
    m_thread->setObjectName(QStringLiteral("hermes-export"));
    connect(m_thread, &QThread::finished, this, [this] { emit finished(m_cancel.load(), m_error); });
    // Below the GUI's priority: the console stays smooth while the file is written.
    m_thread->start(QThread::LowPriority);
}

} // namespace hermes::ui
