#include "messageform.h"

#include "messageform_p.h"
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

using schema::MessageShape;

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
    m_root = form::createMessageEditor(m_context.get(), *shape, 0, page);
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
