// The value editors of a MessageForm: scalars, enums, JSON text, presence, lists and maps.
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

namespace {

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

} // namespace

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

ValueEditor *createPresenceEditor(Context *context, ValueEditor *inner, QWidget *parent)
{
    return new PresenceEditor(context, inner, parent);
}

ValueEditor *createListEditor(Context *context, const FieldShape &field, int depth, QWidget *parent)
{
    return new ListEditor(context, field, depth, parent);
}

ValueEditor *createJsonEditor(Context *context, WellKnownType type, QWidget *parent)
{
    return new JsonTextEditor(context, type, parent);
}

} // namespace hermes::ui::form
