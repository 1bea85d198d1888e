#include "pushdialog.h"

#include "mqtt/topic.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace hermes::ui {

namespace {
enum class PayloadFormat { Text, Hex, Json };
}

PushDialog::PushDialog(EngineMonitor &monitor, QWidget *parent)
    : QDialog(parent)
    , m_monitor(monitor)
    , m_topic(new QLineEdit(this))
    , m_qos(new QComboBox(this))
    , m_retain(new QCheckBox(tr("Retain on the broker"), this))
    , m_ttl(new QSpinBox(this))
    , m_format(new QComboBox(this))
    , m_payload(new QPlainTextEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Push"));
    m_topic->setObjectName(QStringLiteral("pushTopic"));
    m_topic->setPlaceholderText(tr("devices/{id}/push"));
    m_qos->setObjectName(QStringLiteral("pushQos"));
    m_qos->addItem(tr("0 — at most once"), 0);
    m_qos->addItem(tr("1 — at least once"), 1);
    m_qos->addItem(tr("2 — exactly once"), 2);
    m_qos->setCurrentIndex(1);
    m_ttl->setObjectName(QStringLiteral("pushTtl"));
    m_ttl->setRange(0, 30 * 24 * 3600);
    m_ttl->setSuffix(tr(" s"));
    m_ttl->setSpecialValueText(tr("no expiry"));
    m_ttl->setToolTip(tr("MQTT 5 message expiry: an offline device that returns later does not get it"));
    m_format->setObjectName(QStringLiteral("pushFormat"));
    m_format->addItem(tr("Text"), int(PayloadFormat::Text));
    m_format->addItem(tr("JSON"), int(PayloadFormat::Json));
    m_format->addItem(tr("Hex bytes"), int(PayloadFormat::Hex));
    m_payload->setObjectName(QStringLiteral("pushPayload"));
    m_payload->setPlaceholderText(tr("Payload"));
    m_problem->setObjectName(QStringLiteral("pushProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Topic:"), m_topic);
    form->addRow(tr("QoS:"), m_qos);
    form->addRow(QString(), m_retain);
    form->addRow(tr("Time to live:"), m_ttl);
    form->addRow(tr("Payload as:"), m_format);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *sendButton = buttons->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    sendButton->setObjectName(QStringLiteral("pushSend"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PushDialog::send);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_payload, 1);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    connect(m_topic, &QLineEdit::textChanged, this, &PushDialog::validate);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &PushDialog::validate);
    connect(m_format, &QComboBox::currentIndexChanged, this, &PushDialog::validate);
    resize(520, 420);
}

QString PushDialog::deviceTopic(const QString &clientId)
{
    return QStringLiteral("devices/%1/push").arg(clientId);
}

void PushDialog::setDevice(const QString &clientId)
{
    m_topic->setText(deviceTopic(clientId));
    setWindowTitle(tr("Push to %1").arg(clientId));
}

std::optional<mqtt::Publish> PushDialog::message(QString *problem) const
{
    auto fail = [problem](const QString &text) -> std::optional<mqtt::Publish> {
        if (problem)
            *problem = text;
        return std::nullopt;
    };
    const QString topic = m_topic->text().trimmed();
    if (!mqtt::isValidTopicName(topic))
        return fail(tr("The topic must not be empty or contain + or #."));
    mqtt::Publish publish;
    publish.topic = topic;
    publish.qos = mqtt::QoS(m_qos->currentData().toInt());
    publish.retain = m_retain->isChecked();
    if (m_ttl->value() > 0)
        publish.properties.messageExpiryInterval = quint32(m_ttl->value());
    const QString text = m_payload->toPlainText();
    switch (PayloadFormat(m_format->currentData().toInt())) {
    case PayloadFormat::Text:
        publish.payload = text.toUtf8();
        publish.properties.payloadFormatIndicator = 1;
        break;
    case PayloadFormat::Json: {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError)
            return fail(tr("Not valid JSON at character %1: %2").arg(error.offset).arg(error.errorString()));
        publish.payload = document.toJson(QJsonDocument::Compact);
        publish.properties.payloadFormatIndicator = 1;
        publish.properties.contentType = QStringLiteral("application/json");
        break;
    }
    case PayloadFormat::Hex: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        if (digits.size() % 2 != 0 || digits.contains(QRegularExpression(QStringLiteral("[^0-9a-fA-F]"))))
            return fail(tr("Hex bytes need pairs of 0–9 and a–f, e.g. 0a 1b ff."));
        publish.payload = QByteArray::fromHex(digits.toLatin1());
        break;
    }
    }
    return publish;
}

void PushDialog::validate()
{
    QString problem;
    message(&problem);
    m_problem->setText(problem);
}

void PushDialog::send()
{
    QString problem;
    const std::optional<mqtt::Publish> publish = message(&problem);
    if (!publish) {
        m_problem->setText(problem);
        return;
    }
    m_monitor.publish(*publish);
    accept();
}

} // namespace hermes::ui
