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

namespace hermes::ui {

using schema::FieldKind;
using schema::FieldShape;
using schema::MessageShape;
using schema::WellKnownType;

namespace form {

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

namespace {

QString joinPath(const QString &prefix, const QString &name)
{
    return prefix.isEmpty() ? name : prefix + QLatin1Char('.') + name;
}

QHBoxLayout *tightRow(QWidget *owner)
{
    auto *layout = new QHBoxLayout(owner);
    layout->setContentsMargins(0, 0, 0, 0);
    return layout;
}

QString fieldToolTip(const FieldShape &field)
{
    QString kind = schema::kindName(field.kind);
    if (field.kind == FieldKind::Enum)
        kind = field.enumType;
    else if (field.kind == FieldKind::Message || field.kind == FieldKind::Group)
        kind = field.messageType;
    else if (field.kind == FieldKind::Map)
        kind = QStringLiteral("map<%1, %2>").arg(schema::kindName(field.mapKey),
                                                  field.mapValue == FieldKind::Message ? field.messageType
                                                  : field.mapValue == FieldKind::Enum  ? field.enumType
                                                                                       : schema::kindName(field.mapValue));
    return MessageForm::tr("%1 = %2 (%3%4)")
            .arg(field.name)
            .arg(field.number)
            .arg(field.repeated ? QStringLiteral("repeated ") : QString(), kind);
}

/// int, string, bool, float and bytes fields: one input each.
class ScalarEditor : public ValueEditor
{
public:
    ScalarEditor(Context *context, FieldKind kind, QWidget *parent)
        : ValueEditor(context, parent)
        , m_kind(kind)
    {
        auto *layout = tightRow(this);
        switch (kind) {
        case FieldKind::Int32:
        case FieldKind::SInt32:
        case FieldKind::SFixed32:
            m_spin = new QSpinBox(this);
            m_spin->setRange(std::numeric_limits<qint32>::min(), std::numeric_limits<qint32>::max());
            m_spin->setMinimumWidth(120);
            layout->addWidget(m_spin);
            layout->addStretch(1);
            QObject::connect(m_spin, &QSpinBox::valueChanged, this, [this] { notify(); });
            m_input = m_spin;
            return;
        case FieldKind::Bool:
            m_check = new QCheckBox(this);
            layout->addWidget(m_check);
            layout->addStretch(1);
            QObject::connect(m_check, &QCheckBox::toggled, this, [this] { notify(); });
            m_input = m_check;
            return;
        default:
            break;
        }
        m_line = new QLineEdit(this);
        m_input = m_line;
        layout->addWidget(m_line, 1);
        QString pattern;
        switch (kind) {
        case FieldKind::UInt32:
        case FieldKind::Fixed32:
        case FieldKind::UInt64:
        case FieldKind::Fixed64:
            pattern = QStringLiteral("\\d{0,20}");
            m_line->setPlaceholderText(QStringLiteral("0"));
            break;
        case FieldKind::Int64:
        case FieldKind::SInt64:
        case FieldKind::SFixed64:
            pattern = QStringLiteral("-?\\d{0,19}");
            m_line->setPlaceholderText(QStringLiteral("0"));
            break;
        case FieldKind::Double:
        case FieldKind::Float:
            pattern = QStringLiteral("[-+]?(\\d*\\.?\\d*([eE][-+]?\\d*)?|NaN|Infinity)");
            m_line->setPlaceholderText(QStringLiteral("0.0"));
            break;
        case FieldKind::Bytes:
            m_bytesFormat = new QComboBox(this);
            m_bytesFormat->addItem(MessageForm::tr("Hex"));
            m_bytesFormat->addItem(MessageForm::tr("Base64"));
            m_bytesFormat->setToolTip(MessageForm::tr("How the bytes are typed in"));
            layout->addWidget(m_bytesFormat);
            m_line->setPlaceholderText(MessageForm::tr("hex, e.g. 0a 1b ff"));
            QObject::connect(m_bytesFormat, &QComboBox::currentIndexChanged, this, [this](int format) {
                // Convert what is there, so switching never loses the value.
                const QByteArray bytes = m_lastBytes;
                const QSignalBlocker blocker(m_line);
                m_line->setText(format == 0 ? QString::fromLatin1(bytes.toHex(' ')) : QString::fromLatin1(bytes.toBase64()));
                m_line->setPlaceholderText(format == 0 ? MessageForm::tr("hex, e.g. 0a 1b ff")
                                                       : MessageForm::tr("base64, e.g. ChtI"));
                validate();
            });
            break;
        default:
            break;
        }
        if (!pattern.isEmpty())
            m_line->setValidator(new QRegularExpressionValidator(QRegularExpression(pattern), m_line));
        QObject::connect(m_line, &QLineEdit::textChanged, this, [this] {
            validate();
            notify();
        });
    }

    QJsonValue value() const override
    {
        if (m_spin)
            return m_spin->value();
        if (m_check)
            return m_check->isChecked();
        const QString text = m_line->text().trimmed();
        switch (m_kind) {
        case FieldKind::UInt32:
        case FieldKind::Fixed32:
            return double(text.toULongLong());
        case FieldKind::Int64:
        case FieldKind::SInt64:
        case FieldKind::SFixed64:
            return QString::number(text.toLongLong());
        case FieldKind::UInt64:
        case FieldKind::Fixed64:
            return QString::number(text.toULongLong());
        case FieldKind::Double:
        case FieldKind::Float: {
            if (text == QLatin1String("NaN") || text.endsWith(QLatin1String("Infinity")))
                return text.startsWith(QLatin1Char('+')) ? text.mid(1) : text;
            return text.isEmpty() ? 0.0 : QLocale::c().toDouble(text);
        }
        case FieldKind::Bytes:
            if (!m_bytesValid) // protobuf refuses it with a message that names the field
                return text;
            return QString::fromLatin1(m_lastBytes.toBase64());
        default:
            return m_line->text();
        }
    }

    void setValue(const QJsonValue &value) override
    {
        if (m_spin) {
            m_spin->setValue(value.isString() ? value.toString().toInt() : value.toInt());
            return;
        }
        if (m_check) {
            m_check->setChecked(value.toBool());
            return;
        }
        QString text;
        switch (m_kind) {
        case FieldKind::Double:
        case FieldKind::Float:
            if (value.isDouble())
                text = QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
            else
                text = value.toString();
            break;
        case FieldKind::UInt32:
        case FieldKind::Fixed32:
        case FieldKind::Int64:
        case FieldKind::SInt64:
        case FieldKind::SFixed64:
        case FieldKind::UInt64:
        case FieldKind::Fixed64:
            text = value.isDouble() ? QString::number(qint64(value.toDouble())) : value.toString();
            break;
        case FieldKind::Bytes: {
            m_lastBytes = QByteArray::fromBase64(value.toString().toLatin1());
            text = m_bytesFormat->currentIndex() == 0 ? QString::fromLatin1(m_lastBytes.toHex(' '))
                                                      : QString::fromLatin1(m_lastBytes.toBase64());
            break;
        }
        default:
            text = value.toString();
        }
        m_line->setText(text);
    }

    bool isDefault() const override
    {
        if (m_spin)
            return m_spin->value() == 0;
        if (m_check)
            return !m_check->isChecked();
        const QJsonValue v = value();
        if (m_kind == FieldKind::String || m_kind == FieldKind::Bytes)
            return v.toString().isEmpty();
        if (v.isString())
            return v.toString() == QLatin1String("0");
        return v.toDouble() == 0 && !std::signbit(v.toDouble());
    }

    void setPath(const QString &path) override { m_input->setObjectName(path); }

    /// For tests: the hex/base64 choice of a bytes field.
    QComboBox *bytesFormat() const { return m_bytesFormat; }

private:
    void validate()
    {
        if (m_kind != FieldKind::Bytes)
            return;
        const QString text = m_line->text().trimmed();
        bool ok = true;
        if (m_bytesFormat->currentIndex() == 0) {
            QString digits = text;
            digits.remove(QLatin1Char(' '));
            digits.remove(QLatin1Char(':'));
            static const QRegularExpression hex(QStringLiteral("^([0-9a-fA-F]{2})*$"));
            ok = hex.match(digits).hasMatch();
            if (ok)
                m_lastBytes = QByteArray::fromHex(digits.toLatin1());
        } else {
            const auto decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            ok = bool(decoded);
            if (ok)
                m_lastBytes = *decoded;
        }
        m_bytesValid = ok;
        m_line->setStyleSheet(ok ? QString() : QStringLiteral("QLineEdit { color: #c0392b; }"));
        m_line->setToolTip(ok ? MessageForm::tr("%n byte(s)", nullptr, int(m_lastBytes.size()))
                              : m_bytesFormat->currentIndex() == 0 ? MessageForm::tr("Not hex: pairs of 0-9, a-f")
                                                                   : MessageForm::tr("Not base64"));
    }

    FieldKind m_kind;
    QWidget *m_input = nullptr;
    QSpinBox *m_spin = nullptr;
    QCheckBox *m_check = nullptr;
    QLineEdit *m_line = nullptr;
    QComboBox *m_bytesFormat = nullptr;
    QByteArray m_lastBytes;
    bool m_bytesValid = true;
};

/// An enum as a combo box of its value names (numbers in the tooltip).
class EnumEditor : public ValueEditor
{
public:
    EnumEditor(Context *context, const QList<schema::EnumValueShape> &values, QWidget *parent)
        : ValueEditor(context, parent)
    {
        auto *layout = tightRow(this);
        m_combo = new QComboBox(this);
        for (const schema::EnumValueShape &v : values) {
            m_combo->addItem(v.name, v.number);
            m_combo->setItemData(m_combo->count() - 1, QString::number(v.number), Qt::ToolTipRole);
        }
        layout->addWidget(m_combo);
        layout->addStretch(1);
        QObject::connect(m_combo, &QComboBox::currentIndexChanged, this, [this] { notify(); });
    }
    QJsonValue value() const override
    {
        if (m_combo->currentIndex() < 0)
            return 0;
        return m_combo->currentText();
    }
    void setValue(const QJsonValue &value) override
    {
        int index = value.isString() ? m_combo->findText(value.toString()) : m_combo->findData(value.toInt());
        if (index < 0 && value.isDouble()) {
            // A number the schema does not name (open enums): keep it selectable.
            m_combo->addItem(QString::number(value.toInt()), value.toInt());
            index = m_combo->count() - 1;
        }
        m_combo->setCurrentIndex(qMax(0, index));
    }
    bool isDefault() const override { return m_combo->currentIndex() <= 0; }
    void setPath(const QString &path) override { m_combo->setObjectName(path); }

private:
    QComboBox *m_combo = nullptr;
};

/// A well-known type edited as its JSON form: Timestamp, Duration, FieldMask as text;
/// Struct, Value, ListValue, Any as JSON.
class JsonTextEditor : public ValueEditor
{
public:
    JsonTextEditor(Context *context, WellKnownType type, QWidget *parent)
        : ValueEditor(context, parent)
        , m_type(type)
    {
        auto *layout = tightRow(this);
        if (type == WellKnownType::Timestamp || type == WellKnownType::Duration || type == WellKnownType::FieldMask) {
            m_line = new QLineEdit(this);
            m_line->setPlaceholderText(type == WellKnownType::Timestamp ? QStringLiteral("2026-01-01T08:00:00Z")
                                       : type == WellKnownType::Duration ? QStringLiteral("1.5s")
                                                                         : QStringLiteral("a.b,c"));
            layout->addWidget(m_line);
            QObject::connect(m_line, &QLineEdit::textChanged, this, [this] { notify(); });
        } else {
            m_text = new QPlainTextEdit(this);
            m_text->setPlaceholderText(type == WellKnownType::Any ? QStringLiteral("{\"@type\": \"type.googleapis.com/…\"}")
                                                                  : QStringLiteral("{\"key\": \"value\"}"));
            m_text->setFixedHeight(m_text->fontMetrics().lineSpacing() * 4 + 12);
            layout->addWidget(m_text);
            QObject::connect(m_text, &QPlainTextEdit::textChanged, this, [this] { notify(); });
        }
    }
    QJsonValue value() const override
    {
        if (m_line)
            return m_line->text().trimmed();
        const QByteArray text = m_text->toPlainText().toUtf8();
        // QJsonDocument only parses objects and arrays: wrap to accept any JSON value.
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
        if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
            return QJsonValue(QString::fromUtf8(text)); // refused by protobuf with a reason
        return doc.array().at(0);
    }
    void setValue(const QJsonValue &value) override
    {
        if (m_line) {
            m_line->setText(value.toString());
        } else if (value.isUndefined()) {
            m_text->clear();
        } else {
            const QByteArray text = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
            m_text->setPlainText(QString::fromUtf8(text.mid(1, text.size() - 2)));
        }
    }
    bool isDefault() const override
    {
        return m_line ? m_line->text().trimmed().isEmpty() : m_text->toPlainText().trimmed().isEmpty();
    }
    void setPath(const QString &path) override
    {
        if (m_line)
            m_line->setObjectName(path);
        else
            m_text->setObjectName(path);
    }

private:
    WellKnownType m_type;
    QLineEdit *m_line = nullptr;
    QPlainTextEdit *m_text = nullptr;
};

ValueEditor *createMessageValueEditor(Context *context, const QString &typeName, int depth, QWidget *parent);

/// A value of `kind` (an element of a list, a map value, a singular field).
ValueEditor *createValueEditor(Context *context, const FieldShape &field, FieldKind kind, int depth, QWidget *parent)
{
    switch (kind) {
    case FieldKind::Enum:
        return new EnumEditor(context, field.enumValues, parent);
    case FieldKind::Message:
    case FieldKind::Group:
        return createMessageValueEditor(context, field.messageType, depth + 1, parent);
    default:
        return new ScalarEditor(context, kind, parent);
    }
}

/// A scalar with presence (proto3 `optional`, proto2 optional): a "set" box in front.
class PresenceEditor : public ValueEditor
{
public:
    PresenceEditor(Context *context, ValueEditor *inner, QWidget *parent)
        : ValueEditor(context, parent)
        , m_inner(inner)
    {
        auto *layout = tightRow(this);
        m_set = new QCheckBox(this);
        m_set->setToolTip(MessageForm::tr("Set this field (it has presence: unset differs from the default)"));
        inner->setParent(this);
        inner->setEnabled(false);
        layout->addWidget(m_set);
        layout->addWidget(inner, 1);
        QObject::connect(m_set, &QCheckBox::toggled, this, [this](bool on) {
            m_inner->setEnabled(on);
            notify();
        });
    }
    QJsonValue value() const override { return m_set->isChecked() ? m_inner->value() : QJsonValue(QJsonValue::Undefined); }
    void setValue(const QJsonValue &value) override
    {
        const bool set = !value.isUndefined() && !value.isNull();
        m_set->setChecked(set);
        m_inner->setValue(set ? value : QJsonValue(QJsonValue::Undefined));
    }
    bool isDefault() const override { return !m_set->isChecked(); }
    void setPath(const QString &path) override
    {
        m_set->setObjectName(path + QStringLiteral("?"));
        m_inner->setPath(path);
    }

private:
    ValueEditor *m_inner;
    QCheckBox *m_set = nullptr;
};

/// Rows of values with add and remove: repeated fields, and maps (a key editor per row).
class ListEditor : public ValueEditor
{
public:
    ListEditor(Context *context, const FieldShape &field, int depth, QWidget *parent)
        : ValueEditor(context, parent)
        , m_field(field)
        , m_depth(depth)
    {
        auto *outer = new QVBoxLayout(this);
        outer->setContentsMargins(0, 0, 0, 0);
        m_box = new QGroupBox(this);
        m_box->setToolTip(fieldToolTip(field));
        m_rows = new QVBoxLayout(m_box);
        m_add = new QPushButton(field.kind == FieldKind::Map ? MessageForm::tr("Add entry") : MessageForm::tr("Add item"), m_box);
        auto *buttons = new QHBoxLayout;
        buttons->addWidget(m_add);
        buttons->addStretch(1);
        m_rows->addLayout(buttons);
        outer->addWidget(m_box);
        QObject::connect(m_add, &QPushButton::clicked, this, [this] {
            addRow();
            notify();
        });
        updateTitle();
    }

    QJsonValue value() const override
    {
        if (m_field.kind == FieldKind::Map) {
            QJsonObject object;
            for (const Row &row : m_entries)
                object.insert(keyText(row.key->value()), row.value->value());
            return object;
        }
        QJsonArray array;
        for (const Row &row : m_entries)
            array.append(row.value->value().isUndefined() ? QJsonValue(QJsonObject()) : row.value->value());
        return array;
    }
    void setValue(const QJsonValue &value) override
    {
        while (!m_entries.isEmpty())
            removeRow(m_entries.last().widget);
        if (m_field.kind == FieldKind::Map) {
            const QJsonObject object = value.toObject();
            for (auto it = object.begin(); it != object.end(); ++it) {
                Row &row = addRow();
                row.key->setValue(QJsonValue(it.key()));
                row.value->setValue(it.value());
            }
        } else {
            for (const QJsonValue &element : value.toArray())
                addRow().value->setValue(element);
        }
    }
    bool isDefault() const override { return m_entries.isEmpty(); }
    void setPath(const QString &path) override
    {
        m_path = path;
        m_add->setObjectName(path + QStringLiteral("+"));
        for (int i = 0; i < m_entries.size(); ++i) {
            const QString rowPath = joinPath(path, QString::number(i));
            m_entries[i].remove->setObjectName(rowPath + QStringLiteral("-"));
            if (m_entries[i].key) {
                m_entries[i].key->setPath(joinPath(rowPath, QStringLiteral("key")));
                m_entries[i].value->setPath(joinPath(rowPath, QStringLiteral("value")));
            } else {
                m_entries[i].value->setPath(rowPath);
            }
        }
    }

private:
    struct Row {
        QWidget *widget = nullptr;
        ValueEditor *key = nullptr;
        ValueEditor *value = nullptr;
        QToolButton *remove = nullptr;
    };

    static QString keyText(const QJsonValue &key)
    {
        if (key.isBool())
            return key.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        if (key.isDouble())
            return QString::number(qint64(key.toDouble()));
        return key.toString();
    }

    Row &addRow()
    {
        Row row;
        const FieldKind valueKind = m_field.kind == FieldKind::Map ? m_field.mapValue : m_field.kind;
        const bool message = valueKind == FieldKind::Message || valueKind == FieldKind::Group;
        auto *frame = new QFrame(m_box);
        if (message) // a frame per element, or consecutive messages read as one
            frame->setFrameShape(QFrame::StyledPanel);
        row.widget = frame;
        auto *layout = tightRow(row.widget);
        if (message)
            layout->setContentsMargins(4, 4, 4, 4);
        if (m_field.kind == FieldKind::Map) {
            row.key = new ScalarEditor(m_context, m_field.mapKey, row.widget);
            row.key->setMinimumWidth(140);
            layout->addWidget(row.key, 2);
            layout->addWidget(new QLabel(QStringLiteral("→"), row.widget));
        }
        row.value = createValueEditor(m_context, m_field, valueKind, m_depth, row.widget);
        layout->addWidget(row.value, 3);
        row.remove = new QToolButton(row.widget);
        row.remove->setIcon(style()->standardIcon(QStyle::SP_DialogDiscardButton));
        row.remove->setToolTip(MessageForm::tr("Remove this row"));
        layout->addWidget(row.remove, 0, message ? Qt::AlignTop : Qt::AlignVCenter);
        QWidget *widget = row.widget;
        QObject::connect(row.remove, &QToolButton::clicked, this, [this, widget] {
            removeRow(widget);
            notify();
        });
        m_rows->insertWidget(m_rows->count() - 1, row.widget);
        row.widget->show(); // a layout shows late-added children only on a queued event
        m_entries.append(row);
        updateTitle();
        setPath(m_path);
        return m_entries.last();
    }

    void removeRow(QWidget *widget)
    {
        for (int i = 0; i < m_entries.size(); ++i) {
            if (m_entries.at(i).widget == widget) {
                m_entries.removeAt(i);
                // Out of the tree at once (its names must not shadow the renumbered rows);
                // deleted later because its own remove button may be what called us.
                widget->hide();
                widget->setParent(nullptr);
                widget->deleteLater();
                break;
            }
        }
        updateTitle();
        setPath(m_path);
    }

    void updateTitle()
    {
        m_box->setTitle(MessageForm::tr("%1 (%n)", nullptr, int(m_entries.size())).arg(m_field.name));
    }

    FieldShape m_field;
    int m_depth;
    QString m_path;
    QGroupBox *m_box = nullptr;
    QVBoxLayout *m_rows = nullptr;
    QPushButton *m_add = nullptr;
    QList<Row> m_entries;
};

class MessageEditorImpl;

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

} // namespace

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
                editor = new ListEditor(context, field, depth, this);
                layout->addRow(editor);
            } else if (message) {
                editor = new OptionalMessageEditor(context, field, depth, this);
                layout->addRow(editor);
            } else {
                editor = createValueEditor(context, field, field.kind, depth, this);
                if (field.hasPresence)
                    editor = new PresenceEditor(context, editor, this);
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

namespace {

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

ValueEditor *createMessageValueEditor(Context *context, const QString &typeName, int depth, QWidget *parent)
{
    const std::optional<MessageShape> shape = context->registry->describe(typeName);
    if (!shape || depth > MessageForm::kMaxDepth) {
        // Unknown type or absurd depth: free JSON for it, so the form still produces a value.
        auto *editor = new JsonTextEditor(context, WellKnownType::Struct, parent);
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
        return new JsonTextEditor(context, shape->wellKnown, parent);
    case WellKnownType::Wrapper:
        if (const FieldShape *inner = shape->field(QStringLiteral("value")))
            return new WrapperEditor(context, createValueEditor(context, *inner, inner->kind, depth, parent), parent);
        break;
    default:
        break;
    }
    return new MessageEditor(context, *shape, depth, parent);
}

} // namespace

} // namespace form

// ---------------------------------------------------------------------------------------
// MessageForm

MessageForm::MessageForm(SchemaLibrary *library, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
{
    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_placeholder = new QLabel(tr("Choose a message type to compose it field by field."), this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_placeholder);
    layout->addWidget(m_scroll, 1);
    m_scroll->hide();
    if (m_library) {
        connect(m_library, &SchemaLibrary::changed, this, [this] {
            // A reload may change the type: rebuild, keeping what can be kept.
            if (m_type.isEmpty())
                return;
            const QString values = json();
            rebuild();
            setJson(values);
        });
    }
}

MessageForm::~MessageForm()
{
    // The editors point at m_context: they go first.
    delete m_scroll->takeWidget();
}

void MessageForm::changeEvent(QEvent *event)
{
    // The editors' texts are written when they are built: build them again in the new
    // language, keeping the values (as a schema reload does).
    if (event->type() == QEvent::LanguageChange) {
        const QString values = m_type.isEmpty() ? QString() : json();
        rebuild();
        if (!values.isEmpty())
            setJson(values);
    }
    QWidget::changeEvent(event);
}

bool MessageForm::setMessageType(const QString &typeName)
{
    m_type = typeName;
    rebuild();
    return m_root != nullptr || typeName.isEmpty();
}

void MessageForm::rebuild()
{
    delete m_scroll->takeWidget();
    m_root = nullptr;
    const bool known = m_library && !m_type.isEmpty() && m_library->registry()->describe(m_type).has_value();
    m_scroll->setVisible(known);
    m_placeholder->setVisible(!known);
    if (!known) {
        m_placeholder->setText(m_type.isEmpty() ? tr("Choose a message type to compose it field by field.")
                                                : tr("%1 is not in the loaded schemas.").arg(m_type));
        return;
    }
    // A fresh context per build; the old editors (deleted above) were its only users.
    m_context = std::make_unique<form::Context>();
    m_context->registry = m_library->registry();
    m_context->edited = [this] { emit edited(); };
    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    auto *title = new QLabel(QStringLiteral("<b>%1</b>").arg(m_type.toHtmlEscaped()), page);
    layout->addWidget(title);
    const auto shape = m_context->registry->describe(m_type);
    m_root = new form::MessageEditor(m_context.get(), *shape, 0, page);
    m_root->setPath(QString());
    layout->addWidget(m_root);
    layout->addStretch(1);
    m_scroll->setWidget(page);
}

QJsonObject MessageForm::jsonObject() const
{
    return m_root ? m_root->value().toObject() : QJsonObject();
}

QString MessageForm::json() const
{
    return QString::fromUtf8(QJsonDocument(jsonObject()).toJson(QJsonDocument::Compact));
}

schema::EncodeResult MessageForm::encode() const
{
    if (!m_library || !m_root) {
        schema::EncodeResult result;
        result.error = tr("No message type chosen");
        return result;
    }
    return m_library->registry()->encodeJson(m_type, json());
}

bool MessageForm::setJson(const QString &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    if (!doc.isObject()) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError ? parseError.errorString() : tr("not a JSON object");
        return false;
    }
    if (!m_root) {
        if (error)
            *error = tr("No message type chosen");
        return false;
    }
    m_context->problems.clear();
    {
        // One edited() for the whole fill, not one per field.
        const QSignalBlocker blocker(this);
        m_root->setValue(doc.object());
    }
    if (error)
        *error = m_context->problems.join(QLatin1Char('\n'));
    emit edited();
    return true;
}

bool MessageForm::setBytes(const QByteArray &bytes, QString *error)
{
    if (!m_library || m_type.isEmpty()) {
        if (error)
            *error = tr("No message type chosen");
        return false;
    }
    const schema::DecodeResult decoded = m_library->registry()->decode(m_type, bytes);
    if (!decoded.ok() || decoded.json.isEmpty()) {
        if (error)
            *error = decoded.error.isEmpty() ? decoded.warnings.join(QLatin1Char('\n')) : decoded.error;
        return false;
    }
    return setJson(decoded.json, error);
}

QWidget *MessageForm::editor(const QString &path) const
{
    if (!m_root || path.isEmpty())
        return nullptr;
    return m_root->findChild<QWidget *>(path);
}

} // namespace hermes::ui
