#pragma once
/// The editors a MessageForm is built from, shared by its files: messageform.cpp (the
/// form), fieldeditors.cpp (scalars, enums, JSON text, presence, lists and maps) and
/// messageeditors.cpp (messages, optional messages, oneofs, wrappers).

#include "schema/messageshape.h"
#include "schema/schemaregistry.h"

#include <QJsonValue>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <memory>

class QHBoxLayout;

namespace hermes::ui::form {

/// What every editor of a form shares: the registry it was generated from, and whom to tell
/// about edits and about JSON keys it could not place.
struct Context {
    std::shared_ptr<const schema::SchemaRegistry> registry;
    std::function<void()> edited;
    QStringList problems;
};

/// One value of the form. value() is the canonical JSON; an undefined QJsonValue means
/// "leave the field out".
class ValueEditor : public QWidget
{
public:
    explicit ValueEditor(Context *context, QWidget *parent = nullptr)
        : QWidget(parent)
        , m_context(context)
    {
    }
    virtual QJsonValue value() const = 0;
    /// Sets the value; an undefined QJsonValue resets to the default.
    virtual void setValue(const QJsonValue &value) = 0;
    /// True when value() is the type's default (canonical JSON leaves such fields out).
    virtual bool isDefault() const = 0;
    /// Names the input widgets after `path` so tests and tools can find them.
    virtual void setPath(const QString &path) = 0;

protected:
    void notify() const
    {
        if (m_context->edited)
            m_context->edited();
    }
    Context *m_context;
};

QString joinPath(const QString &prefix, const QString &name);
/// A horizontal layout without margins on `owner`.
QHBoxLayout *tightRow(QWidget *owner);
/// "name = number (kind)", the tooltip of a field's label.
QString fieldToolTip(const schema::FieldShape &field);

/// A value of `kind` (an element of a list, a map value, a singular field).
ValueEditor *createValueEditor(Context *context, const schema::FieldShape &field, schema::FieldKind kind, int depth,
                               QWidget *parent);
/// `inner` behind a "set" box: a scalar with presence.
ValueEditor *createPresenceEditor(Context *context, ValueEditor *inner, QWidget *parent);
/// A repeated field or a map.
ValueEditor *createListEditor(Context *context, const schema::FieldShape &field, int depth, QWidget *parent);
/// Free JSON text for a well-known type (Timestamp, Struct, …) or an unknown message.
ValueEditor *createJsonEditor(Context *context, schema::WellKnownType type, QWidget *parent);
/// A message value of `typeName`: its fields, a well-known type's text, or free JSON when
/// the type is unknown or nested too deep.
ValueEditor *createMessageValueEditor(Context *context, const QString &typeName, int depth, QWidget *parent);
/// The fields of one message, in declaration order.
ValueEditor *createMessageEditor(Context *context, const schema::MessageShape &shape, int depth, QWidget *parent);

} // namespace hermes::ui::form
