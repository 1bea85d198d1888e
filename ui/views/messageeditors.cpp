// The message editors of a MessageForm: a message's fields, optional messages, oneofs and
// wrappers.
#include "messageform_p.h"

#include "messageform.h"
#include "schemalibrary.h"

#include "schema/messageshape.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFrame>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <functional>

namespace hermes::ui::form {

using schema::FieldKind;
using schema::FieldShape;
using schema::MessageShape;
using schema::WellKnownType;

namespace {

/// A singular message field: a checkable group box; its fields are generated when it is
/// first checked (so recursive types stay finite).
class OptionalMessageEditor : public ValueEditor
{
public:
    OptionalMessageEditor(Context *context, const FieldShape &field, int depth, QWidget *parent)
        : ValueEditor(context, parent)
        , m_typeName(field.messageType)
        , m_depth(depth)
    {
        auto *outer = new QVBoxLayout(this);
        outer->setContentsMargins(0, 0, 0, 0);
        m_box = new QGroupBox(field.name, this);
        m_box->setCheckable(true);
        m_box->setChecked(false);
        m_box->setToolTip(fieldToolTip(field));
        m_layout = new QVBoxLayout(m_box);
        m_layout->setContentsMargins(6, 2, 2, 2);
        outer->addWidget(m_box);
        QObject::connect(m_box, &QGroupBox::toggled, this, [this](bool on) {
            if (on)
                ensureInner();
            if (m_inner)
                m_inner->setVisible(on);
            notify();
        });
    }
    QJsonValue value() const override
    {
        if (!m_box->isChecked() || !m_inner)
            return QJsonValue::Undefined;
        const QJsonValue inner = m_inner->value();
        return inner.isUndefined() ? QJsonValue(QJsonObject()) : inner;
    }
    void setValue(const QJsonValue &value) override
    {
        // JSON null means "not set", except for google.protobuf.Value where it is NULL_VALUE.
        const bool set = !value.isUndefined()
                && (!value.isNull() || m_typeName == QLatin1String("google.protobuf.Value"));
        if (set)
            ensureInner();
        m_box->setChecked(set);
        if (m_inner)
            m_inner->setValue(set ? value : QJsonValue(QJsonValue::Undefined));
    }
    bool isDefault() const override { return !m_box->isChecked(); }
    void setPath(const QString &path) override
    {
        m_path = path;
        m_box->setObjectName(path);
        if (m_inner)
            m_inner->setPath(path);
    }

private:
    void ensureInner()
    {
        if (m_inner)
            return;
        m_inner = createMessageValueEditor(m_context, m_typeName, m_depth + 1, m_box);
        m_layout->addWidget(m_inner);
        m_inner->show();
        m_inner->setPath(m_path);
    }

    QString m_typeName;
    int m_depth;
    QString m_path;
    QGroupBox *m_box = nullptr;
    QVBoxLayout *m_layout = nullptr;
    ValueEditor *m_inner = nullptr;
};

/// A oneof: choose the member, edit only that one.
class OneofEditor : public QGroupBox
{
public:
    OneofEditor(Context *context, const QString &name, int depth, QWidget *parent)
        : QGroupBox(MessageForm::tr("one of: %1").arg(name), parent)
        , m_context(context)
        , m_name(name)
        , m_depth(depth)
    {
        auto *layout = new QVBoxLayout(this);
        layout->setContentsMargins(6, 2, 2, 2);
        m_choice = new QComboBox(this);
        m_choice->addItem(MessageForm::tr("(none)"));
        m_stack = new QStackedWidget(this);
        m_stack->addWidget(new QWidget(m_stack));
        auto *row = new QHBoxLayout;
        row->addWidget(m_choice);
        row->addWidget(m_stack, 1);
        layout->addLayout(row);
        QObject::connect(m_choice, &QComboBox::currentIndexChanged, this, [this](int index) {
            if (index > 0)
                ensureMember(index - 1);
            m_stack->setCurrentIndex(qMax(0, index));
            if (m_context->edited)
                m_context->edited();
        });
    }

    void addMember(const FieldShape &field)
    {
        m_members.append(field);
        m_editors.append(nullptr);
        m_choice->addItem(field.name);
        m_choice->setItemData(m_choice->count() - 1, fieldToolTip(field), Qt::ToolTipRole);
        m_stack->addWidget(new QWidget(m_stack)); // placeholder until chosen
    }

    /// The chosen member's JSON name and value, or nothing.
    std::optional<std::pair<QString, QJsonValue>> chosen() const
    {
        const int member = m_choice->currentIndex() - 1;
        if (member < 0 || !m_editors.at(member))
            return std::nullopt;
        QJsonValue v = m_editors.at(member)->value();
        if (v.isUndefined())
            v = QJsonObject();
        return std::make_pair(m_members.at(member).jsonName, v);
    }

    bool owns(const QString &key) const
    {
        return std::any_of(m_members.cbegin(), m_members.cend(),
                           [&](const FieldShape &f) { return f.jsonName == key || f.name == key; });
    }

    void setValue(const QJsonObject &object)
    {
        for (int i = 0; i < m_members.size(); ++i) {
            const FieldShape &member = m_members.at(i);
            const QJsonValue v = object.contains(member.jsonName) ? object.value(member.jsonName) : object.value(member.name);
            if (!v.isUndefined()) {
                ensureMember(i);
                m_editors.at(i)->setValue(v);
                m_choice->setCurrentIndex(i + 1);
                return;
            }
        }
        m_choice->setCurrentIndex(0);
    }

    void setPath(const QString &prefix)
    {
        m_prefix = prefix;
        m_choice->setObjectName(joinPath(prefix, QStringLiteral("@") + m_name));
        for (int i = 0; i < m_members.size(); ++i) {
            if (m_editors.at(i))
                m_editors.at(i)->setPath(joinPath(prefix, m_members.at(i).jsonName));
        }
    }

private:
    void ensureMember(int member)
    {
        if (m_editors.at(member))
            return;
        const FieldShape &field = m_members.at(member);
        ValueEditor *editor = createValueEditor(m_context, field, field.kind, m_depth, m_stack);
        QWidget *old = m_stack->widget(member + 1);
        m_stack->insertWidget(member + 1, editor);
        m_stack->removeWidget(old);
        old->deleteLater();
        m_editors[member] = editor;
        editor->setPath(joinPath(m_prefix, field.jsonName));
    }

    Context *m_context;
    QString m_name;
    int m_depth;
    QString m_prefix;
    QComboBox *m_choice = nullptr;
    QStackedWidget *m_stack = nullptr;
    QList<FieldShape> m_members;
    QList<ValueEditor *> m_editors;
};

/// The fields of one message, in declaration order.
class MessageEditor : public ValueEditor
{
public:
    MessageEditor(Context *context, const MessageShape &shape, int depth, QWidget *parent)
        : ValueEditor(context, parent)
        , m_shape(shape)
    {
        auto *layout = new QFormLayout(this);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        layout->setLabelAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (shape.fields.isEmpty())
            layout->addRow(new QLabel(MessageForm::tr("(no fields)"), this));
        for (const FieldShape &field : shape.fields) {
            if (!field.oneof.isEmpty()) {
                OneofEditor *&oneof = m_oneofs[field.oneof];
                if (!oneof) {
                    oneof = new OneofEditor(context, field.oneof, depth, this);
                    layout->addRow(oneof);
                    m_oneofOrder.append(oneof);
                }
                oneof->addMember(field);
                continue;
            }
            ValueEditor *editor = nullptr;
            const bool message = field.kind == FieldKind::Message || field.kind == FieldKind::Group;
            if (field.repeated || field.kind == FieldKind::Map) {
                editor = createListEditor(context, field, depth, this);
                layout->addRow(editor);
            } else if (message) {
                editor = new OptionalMessageEditor(context, field, depth, this);
                layout->addRow(editor);
            } else {
                editor = createValueEditor(context, field, field.kind, depth, this);
                if (field.hasPresence)
                    editor = createPresenceEditor(context, editor, this);
                auto *label = new QLabel(field.required ? field.name + QStringLiteral(" *") : field.name, this);
                label->setToolTip(fieldToolTip(field));
                layout->addRow(label, editor);
            }
            m_fields.append({field, editor});
        }
    }

    QJsonValue value() const override
    {
        QJsonObject object;
        for (const Field &f : m_fields) {
            // Canonical JSON leaves out defaults; fields with presence say "unset" by isDefault().
            if (f.editor->isDefault())
                continue;
            const QJsonValue v = f.editor->value();
            if (!v.isUndefined())
                object.insert(f.shape.jsonName, v);
        }
        for (const OneofEditor *oneof : m_oneofOrder) {
            if (const auto chosen = oneof->chosen())
                object.insert(chosen->first, chosen->second);
        }
        return object;
    }

    void setValue(const QJsonValue &value) override
    {
        const QJsonObject object = value.toObject();
        for (const Field &f : m_fields) {
            const QJsonValue v = object.contains(f.shape.jsonName) ? object.value(f.shape.jsonName)
                                                                   : object.value(f.shape.name);
            f.editor->setValue(v); // null handled by each editor (it is a value for google.protobuf.Value)
        }
        for (OneofEditor *oneof : std::as_const(m_oneofOrder))
            oneof->setValue(object);
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!m_shape.field(it.key()))
                m_context->problems.append(MessageForm::tr("%1 has no field %2").arg(m_shape.fullName, it.key()));
        }
    }

    bool isDefault() const override { return value().toObject().isEmpty(); }

    void setPath(const QString &path) override
    {
        for (const Field &f : std::as_const(m_fields))
            f.editor->setPath(joinPath(path, f.shape.jsonName));
        for (OneofEditor *oneof : std::as_const(m_oneofOrder))
            oneof->setPath(path);
    }

private:
    struct Field {
        FieldShape shape;
        ValueEditor *editor = nullptr;
    };
    MessageShape m_shape;
    QList<Field> m_fields;
    QHash<QString, OneofEditor *> m_oneofs;
    QList<OneofEditor *> m_oneofOrder;
};

/// A wrapper (Int32Value...) edited as its bare value.
class WrapperEditor : public ValueEditor
{
public:
    WrapperEditor(Context *context, ValueEditor *inner, QWidget *parent)
        : ValueEditor(context, parent)
        , m_inner(inner)
    {
        tightRow(this)->addWidget(inner);
        inner->setParent(this);
    }
    QJsonValue value() const override { return m_inner->value(); }
    void setValue(const QJsonValue &value) override { m_inner->setValue(value); }
    bool isDefault() const override { return false; } // set means set, even to 0
    void setPath(const QString &path) override { m_inner->setPath(path); }

private:
    ValueEditor *m_inner;
};

} // namespace

ValueEditor *createMessageValueEditor(Context *context, const QString &typeName, int depth, QWidget *parent)
{
    const std::optional<MessageShape> shape = context->registry->describe(typeName);
    if (!shape || depth > MessageForm::kMaxDepth) {
        // Unknown type or absurd depth: free JSON for it, so the form still produces a value.
        auto *editor = createJsonEditor(context, WellKnownType::Struct, parent);
        editor->setToolTip(shape ? MessageForm::tr("Nested too deep for a form: type JSON")
                                 : MessageForm::tr("%1 is not loaded: type its JSON").arg(typeName));
        return editor;
    }
    switch (shape->wellKnown) {
    case WellKnownType::Timestamp:
    case WellKnownType::Duration:
    case WellKnownType::FieldMask:
    case WellKnownType::Struct:
    case WellKnownType::Value:
    case WellKnownType::ListValue:
    case WellKnownType::Any:
        return createJsonEditor(context, shape->wellKnown, parent);
    case WellKnownType::Wrapper:
        if (const FieldShape *inner = shape->field(QStringLiteral("value")))
            return new WrapperEditor(context, createValueEditor(context, *inner, inner->kind, depth, parent), parent);
        break;
    default:
        break;
    }
    return new MessageEditor(context, *shape, depth, parent);
}

ValueEditor *createMessageEditor(Context *context, const MessageShape &shape, int depth, QWidget *parent)
{
    return new MessageEditor(context, shape, depth, parent);
}

} // namespace hermes::ui::form
