#pragma once
/// The live log of application messages, held in a bounded ring, with a topic filter
/// and pause.

#include "messageexport.h"
#include "messagelogmodel.h"

#include "engine/api/monitor.h"

#include "schema/sparkplug.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPlainTextEdit;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;

namespace hermes::ui {

class PayloadInspector;
class SchemaLibrary;

class MessagesView : public QWidget
{
    Q_OBJECT
public:
    explicit MessagesView(EngineMonitor &monitor, QWidget *parent = nullptr);

    MessageLogModel *model() const { return m_model; }
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    /// Messages received while paused: counted and dropped, not shown on resume.
    quint64 missedWhilePaused() const { return m_missed; }
    /// Selecting a message then opens it in a PayloadInspector decoding with `library`'s
    /// schemas (instead of the plain hex dump). `library` must outlive the view.
    void setSchemaLibrary(SchemaLibrary *library);
    PayloadInspector *inspector() const { return m_inspector; }
    QTableView *table() const { return m_table; }

    /// Every message in the ring (what the topic filter let in), oldest first.
    QList<MessageRecord> allMessages() const;
    /// Starts writing a snapshot of the selected (or all) messages to `path` on a worker
    /// thread, which also takes the snapshot (new messages wait meanwhile); progress and
    /// Cancel show in the view's bar. Null while another export runs.
    ExportJob *exportMessages(const QString &path, MessageExportFormat format, bool selectedOnly);
    /// Sparkplug B alias names learned from every NBIRTH and DBIRTH the broker routed.
    const schema::sparkplug::AliasTable &sparkplugAliases() const { return m_sparkplugAliases; }

signals:
    /// An export finished and its file is complete (for the recent files list).
    void exported(const QString &path);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    /// The status text again from the paused and dropped counts (after a language change).
    void updateStatus();
    void applyBatch(const TelemetryBatch &batch);
    void learnSparkplugAliases(const QList<MessageRecord> &messages);
    void appendToRing(const QList<MessageRecord> &messages);
    void showSelected();
    void exportInteractive(bool selectedOnly);
    void updateExportProgress();
    void exportFinished(bool cancelled, const QString &error);
    void releaseRing();

    MessageLogModel *m_model;
    QTableView *m_table;
    QLineEdit *m_filter;
    QToolButton *m_pauseButton;
    QToolButton *m_clearButton;
    QToolButton *m_exportButton;
    QAction *m_exportSelectedAction;
    QAction *m_exportAllAction;
    QProgressBar *m_exportProgress;
    QToolButton *m_cancelExportButton;
    QTimer *m_exportTimer;
    ExportJob *m_export = nullptr;
    QString m_exportStatus; ///< the last export's outcome, shown in the status text
    /// While an export's worker copies the ring, the ring does not change: batches wait here.
    bool m_ringFrozen = false;
    QList<MessageRecord> m_heldMessages;
    QLabel *m_status;
    QPlainTextEdit *m_payload;
    PayloadInspector *m_inspector = nullptr;
    SchemaLibrary *m_schemas = nullptr;
    schema::sparkplug::AliasTable m_sparkplugAliases;
    QSplitter *m_splitter = nullptr;
    bool m_paused = false;
    quint64 m_missed = 0;
    quint64 m_notCaptured = 0;
};

} // namespace hermes::ui
