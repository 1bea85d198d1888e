#pragma once
/// The payload inspector: one MQTT payload decoded by the schemas of a SchemaLibrary, as a
/// tree (field, number, type, value, bytes), a hex dump that highlights the selected node's
/// bytes, canonical JSON with a copy button, and the raw wire format (protoc --decode_raw).

#include "decodedtext.h"
#include "decodedtreemodel.h"

#include "schema/decodednode.h"
#include "schema/payloadinterpreter.h"
#include "schema/schemaregistry.h"
#include "schema/sparkplug.h"

#include <QByteArray>
#include <QHash>
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QToolButton;
class QTreeView;

namespace hermes::ui {

class HexView;
class SchemaLibrary;

class PayloadInspector : public QWidget
{
    Q_OBJECT
public:
    /// Payloads above this size are shown in the hex view only (decoding would stall the UI).
    static constexpr qsizetype kMaxDecodedBytes = 16 * 1024 * 1024;

    /// `library` supplies the schemas and bindings (it must outlive the inspector, or be a
    /// QObject parent of it). Re-decodes when the library reloads or its bindings change.
    explicit PayloadInspector(SchemaLibrary *library, QWidget *parent = nullptr);
    ~PayloadInspector() override;

    /// Shows one payload. With typeOverride() set it is decoded as that type; otherwise
    /// schema::interpretPayload() decides (Hermes envelope, content type, the most specific
    /// binding for `topic`, text, else the wire format field by field). `contentType` is the
    /// MQTT 5 content type when the PUBLISH carried one.
    void setPayload(const QString &topic, const QByteArray &payload, const QString &contentType = {});
    void clear();

    /// Decodes as `typeName` regardless of bindings; empty = by binding (the default).
    void setTypeOverride(const QString &typeName);
    QString typeOverride() const;

    QString topic() const { return m_topic; }
    QByteArray payload() const { return m_payload; }
    /// The type the payload was decoded as, or empty when only the wire format is shown.
    QString decodedType() const { return m_decodedType; }
    /// Result of the last decode (its root is what the tree shows).
    const schema::DecodeResult &result() const { return m_result; }
    /// How the payload was read (envelope, typed by content type, bound, text, raw); an
    /// override counts as Typed.
    schema::Interpretation interpretation() const { return m_interpretation; }
    /// One-line summary: what it was decoded as, or why not.
    QString statusText() const;
    QString jsonText() const;
    QString rawText() const;

    /// Names Sparkplug B metrics that DATA and CMD messages send by alias (the Messages view
    /// learns them from BIRTH messages). `aliases` must outlive the inspector; null: none.
    void setSparkplugAliases(const schema::sparkplug::AliasTable *aliases) { m_aliases = aliases; }
    /// The shown payload's Sparkplug B metrics with names resolved; empty for other payloads.
    const QList<schema::sparkplug::Metric> &sparkplugMetrics() const { return m_sparkplugMetrics; }
    QTableWidget *sparkplugTable() const { return m_metricsTable; }

    DecodedTreeModel *treeModel() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    HexView *hexView() const { return m_hex; }
    QTabWidget *tabs() const { return m_tabs; }

public slots:
    /// Copies the JSON view's text to the clipboard.
    void copyJson();

    /// Numeric fields of the shown payload that can be charted: field → value.
    QList<std::pair<QString, double>> chartableFields() const;

signals:
    /// The operator chose "Chart a value" → `field` of this payload on `topic`, in the first
    /// chart or in a new one.
    void pinRequested(const QString &topic, const QString &field, bool newChart = false);
    /// The decoded type changed (another payload, binding or override).
    void decoded(const QString &typeName);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void redecode();
    void refreshTypes();
    void showSelection(const QModelIndex &current);
    /// Fills the Metrics tab when the payload is Sparkplug B; returns a status sentence.
    QString showSparkplugMetrics();

    QPointer<SchemaLibrary> m_library;
    QString m_topic;
    QByteArray m_payload;
    QString m_contentType;
    bool m_hasPayload = false; ///< setPayload() since the last clear()
    QString m_decodedType;
    schema::DecodeResult m_result;
    schema::Interpretation m_interpretation = schema::Interpretation::Raw;

    DecodedTreeModel *m_model = nullptr;
    QLabel *m_topicLabel = nullptr;
    QComboBox *m_typeCombo = nullptr;
    QLabel *m_typeLabel = nullptr;
    QLabel *m_status = nullptr;
    QTreeView *m_tree = nullptr;
    QTabWidget *m_tabs = nullptr;
    HexView *m_hex = nullptr;
    QPlainTextEdit *m_json = nullptr;
    QPushButton *m_copy = nullptr;
    QPlainTextEdit *m_raw = nullptr;
    QTableWidget *m_metricsTable = nullptr;
    QToolButton *m_chartValue = nullptr;
    const schema::sparkplug::AliasTable *m_aliases = nullptr;
    QList<schema::sparkplug::Metric> m_sparkplugMetrics;
};

} // namespace hermes::ui
