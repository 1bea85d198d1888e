#pragma once
/// A form generated from a protobuf message type (SchemaRegistry::describe): scalars with
/// their own editors, enums as combo boxes, nested messages as group boxes, repeated fields
/// and maps as rows with add/remove, oneofs with one member at a time, bytes as hex or
/// base64. It produces the message's canonical JSON and its encoded bytes.

#include "schema/schemaregistry.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <memory>

class QLabel;
class QScrollArea;

namespace hermes::ui {

class SchemaLibrary;

namespace form {
class ValueEditor;
struct Context;
} // namespace form

class MessageForm : public QWidget
{
    Q_OBJECT
public:
    /// Nested message editors deeper than this are not generated (recursive types).
    static constexpr int kMaxDepth = 24;

    /// `library` supplies describe() and encodeJson(); it must outlive the form.
    explicit MessageForm(SchemaLibrary *library, QWidget *parent = nullptr);
    ~MessageForm() override;

    /// Rebuilds the form for `typeName` (empty clears it). Returns false for an unknown type.
    bool setMessageType(const QString &typeName);
    QString messageType() const { return m_type; }

    /// The form's values as canonical proto3 JSON (fields at their default value left out,
    /// as protobuf prints them, unless they have presence).
    QJsonObject jsonObject() const;
    QString json() const;
    /// The message's bytes (or why the values were refused).
    schema::EncodeResult encode() const;

    /// Fills the form from canonical JSON (what the inspector shows, or what encode() made).
    /// Unknown keys are reported in `error` and skipped; returns false when `json` is not an object.
    bool setJson(const QString &json, QString *error = nullptr);
    /// Fills the form from encoded bytes of messageType().
    bool setBytes(const QByteArray &bytes, QString *error = nullptr);

    /// The editor widget for a field path such as "deviceId", "readings.0.value",
    /// "counters.0.key", "location.lat" (JSON names, row numbers for lists and maps), or null.
    QWidget *editor(const QString &path) const;

signals:
    /// Any value changed (debounce before encoding for a live preview).
    void edited();

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();

    QPointer<SchemaLibrary> m_library;
    QString m_type;
    QScrollArea *m_scroll = nullptr;
    QLabel *m_placeholder = nullptr;
    std::unique_ptr<form::Context> m_context;
    form::ValueEditor *m_root = nullptr;
};

} // namespace hermes::ui
