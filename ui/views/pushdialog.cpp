#include "pushdialog.h"

#include "messageform.h"
#include "savedpayloads.h"
#include "schemalibrary.h"

#include "mqtt/topic.h"
#include "push/envelope.h"
#include "push/tagexpression.h"
#include "schema/payloadinterpreter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStringListModel>
#include <QUuid>
#include <QVBoxLayout>

namespace hermes::ui {

using namespace std::chrono_literals;

PushDialog::PushDialog(EngineMonitor &monitor, QWidget *parent, SchemaLibrary *schemas)
    : QDialog(parent)
    , m_monitor(monitor)
    , m_schemas(schemas)
    , m_targetKind(new QComboBox(this))
    , m_targetValue(new QLineEdit(this))
    , m_completer(new QCompleter(this))
    , m_completions(new QStringListModel(this))
    , m_audience(new QLabel(this))
    , m_qos(new QComboBox(this))
    , m_retain(new QCheckBox(this))
    , m_ttl(new QSpinBox(this))
    , m_scheduled(new QCheckBox(this))
    , m_sendAt(new QDateTimeEdit(this))
    , m_rate(new QDoubleSpinBox(this))
    , m_envelope(new QCheckBox(this))
    , m_format(new QComboBox(this))
    , m_payloadStack(new QStackedWidget(this))
    , m_payload(new QPlainTextEdit(this))
    , m_messageType(new QComboBox(this))
    , m_preview(new QPlainTextEdit(this))
    , m_problem(new QLabel(this))
    , m_targetBox(new QGroupBox(this))
    , m_optionsBox(new QGroupBox(this))
    , m_targetForm(new QFormLayout(m_targetBox))
    , m_optionsForm(new QFormLayout(m_optionsBox))
    , m_payloadForm(new QFormLayout)
    , m_previewTitle(new QLabel(this))
{
    // Texts of the combo boxes, labels and buttons are set in retranslateUi().
    m_targetKind->setObjectName(QStringLiteral("pushTargetKind"));
    for (const TargetKind kind :
         {TargetKind::Devices, TargetKind::Alias, TargetKind::Tag, TargetKind::Topic, TargetKind::All})
        m_targetKind->addItem(QString(), int(kind));
    m_targetValue->setObjectName(QStringLiteral("pushTarget"));
    m_completer->setModel(m_completions);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_targetValue->setCompleter(m_completer);
    m_audience->setObjectName(QStringLiteral("pushAudience"));
    m_audience->setWordWrap(true);

    m_qos->setObjectName(QStringLiteral("pushQos"));
    for (const int qos : {0, 1, 2})
        m_qos->addItem(QString(), qos);
    m_qos->setCurrentIndex(1);
    m_ttl->setObjectName(QStringLiteral("pushTtl"));
    m_ttl->setRange(0, 30 * 24 * 3600);
    m_scheduled->setObjectName(QStringLiteral("pushScheduled"));
    m_sendAt->setObjectName(QStringLiteral("pushSendAt"));
    m_sendAt->setCalendarPopup(true);
    m_sendAt->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_sendAt->setDateTime(QDateTime::currentDateTime().addSecs(300));
    m_sendAt->setEnabled(false);
    m_rate->setObjectName(QStringLiteral("pushRate"));
    m_rate->setRange(0, 1e6);
    m_rate->setDecimals(0);
    m_envelope->setObjectName(QStringLiteral("pushEnvelope"));
    m_envelope->setChecked(true);

    m_format->setObjectName(QStringLiteral("pushFormat"));
    for (const PayloadFormat format :
         {PayloadFormat::Text, PayloadFormat::Json, PayloadFormat::Hex, PayloadFormat::Protobuf})
        m_format->addItem(QString(), int(format));
    m_payload->setObjectName(QStringLiteral("pushPayload"));
    m_messageType->setObjectName(QStringLiteral("pushMessageType"));
    auto *protobufPage = new QWidget(this);
    auto *protobufLayout = new QVBoxLayout(protobufPage);
    protobufLayout->setContentsMargins(0, 0, 0, 0);
    protobufLayout->addWidget(m_messageType);
    if (m_schemas) {
        m_form = new MessageForm(m_schemas, protobufPage);
        m_form->setObjectName(QStringLiteral("pushMessageForm"));
        protobufLayout->addWidget(m_form, 1);
        connect(m_form, &MessageForm::edited, this, &PushDialog::validate);
        connect(m_schemas, &SchemaLibrary::changed, this, &PushDialog::refreshTypes);
    } else {
        m_schemaNote = new QLabel(protobufPage);
        m_schemaNote->setWordWrap(true);
        protobufLayout->addWidget(m_schemaNote, 1);
    }
    m_payloadStack->addWidget(m_payload);
    m_payloadStack->addWidget(protobufPage);
    m_preview->setObjectName(QStringLiteral("pushPreview"));
    m_preview->setReadOnly(true);
    m_preview->setMaximumHeight(90);
    m_problem->setObjectName(QStringLiteral("pushProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->setWordWrap(true);

    m_targetForm->addRow(new QLabel(this), m_targetKind);
    m_targetForm->addRow(new QLabel(this), m_targetValue);
    m_targetForm->addRow(QString(), m_audience);
    m_optionsForm->addRow(new QLabel(this), m_qos);
    m_optionsForm->addRow(new QLabel(this), m_ttl);
    m_optionsForm->addRow(m_scheduled, m_sendAt);
    m_optionsForm->addRow(new QLabel(this), m_rate);
    m_optionsForm->addRow(QString(), m_retain);
    m_optionsForm->addRow(QString(), m_envelope);
    auto *columns = new QHBoxLayout;
    columns->addWidget(m_targetBox, 1);
    columns->addWidget(m_optionsBox, 1);
    m_payloadForm->addRow(new QLabel(this), m_format);
    m_savedPayloads = new QComboBox(this);
    m_savedPayloads->setObjectName(QStringLiteral("pushSavedPayloads"));
    m_savedPayloads->setMinimumContentsLength(16);
    m_savePayload = new QPushButton(this);
    m_savePayload->setObjectName(QStringLiteral("pushSavePayload"));
    m_deleteSaved = new QPushButton(this);
    m_deleteSaved->setObjectName(QStringLiteral("pushDeleteSaved"));
    auto *savedRow = new QHBoxLayout;
    savedRow->addWidget(m_savedPayloads, 1);
    savedRow->addWidget(m_savePayload);
    savedRow->addWidget(m_deleteSaved);
    auto *savedLabel = new QLabel(this);
    savedLabel->setObjectName(QStringLiteral("pushSavedLabel"));
    m_payloadForm->addRow(savedLabel, savedRow);
    connect(m_savedPayloads, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            loadSavedPayload(m_savedPayloads->itemText(index));
    });
    connect(m_savePayload, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save payload"),
                                                   tr("Name for this payload on %1:").arg(savedPayloadTopic()),
                                                   QLineEdit::Normal, m_savedPayloads->currentIndex() > 0
                                                       ? m_savedPayloads->currentText() : QString(), &ok);
        if (ok)
            savePayloadAs(name.trimmed());
    });
    connect(m_deleteSaved, &QPushButton::clicked, this, [this] {
        if (m_savedPayloads->currentIndex() > 0) {
            SavedPayloads::remove(savedPayloadTopic(), m_savedPayloads->currentText());
            refreshSavedPayloads();
        }
    });

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_sendButton = buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    m_sendButton->setObjectName(QStringLiteral("pushSend"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PushDialog::send);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(columns);
    layout->addLayout(m_payloadForm);
    layout->addWidget(m_payloadStack, 1);
    layout->addWidget(m_previewTitle);
    layout->addWidget(m_preview);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    m_audienceDebounce.setSingleShot(true);
    m_audienceDebounce.setInterval(250ms);
    connect(&m_audienceDebounce, &QTimer::timeout, this, &PushDialog::requestAudience);
    connect(m_targetKind, &QComboBox::currentIndexChanged, this, &PushDialog::updateTargetKind);
    connect(m_targetValue, &QLineEdit::textChanged, this, [this] {
        validate();
        m_audienceDebounce.start();
        if (TargetKind(m_targetKind->currentData().toInt()) == TargetKind::Topic)
            refreshSavedPayloads(); // saved payloads are per topic
    });
    connect(m_scheduled, &QCheckBox::toggled, m_sendAt, &QWidget::setEnabled);
    for (QCheckBox *box : {m_scheduled, m_envelope, m_retain})
        connect(box, &QCheckBox::toggled, this, &PushDialog::validate);
    connect(m_ttl, &QSpinBox::valueChanged, this, &PushDialog::validate);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &PushDialog::validate);
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        const bool protobuf = PayloadFormat(m_format->currentData().toInt()) == PayloadFormat::Protobuf;
        m_payloadStack->setCurrentIndex(protobuf ? 1 : 0);
        m_savePayload->setEnabled(!protobuf); // the form's fields are not saved
        validate();
    });
    connect(m_messageType, &QComboBox::currentTextChanged, this, [this](const QString &type) {
        if (m_form)
            m_form->setMessageType(type);
        validate();
    });
    connect(&m_monitor, &EngineMonitor::audienceResolved, this, &PushDialog::onAudience);
    connect(&m_monitor, &EngineMonitor::devicesListed, this, &PushDialog::onDevices);
    connect(&m_monitor, &EngineMonitor::pushAccepted, this, [this](const PushReport &report) {
        if (report.pushId == m_pendingPushId)
            accept();
    });
    connect(&m_monitor, &EngineMonitor::pushRefused, this, [this](const PushRequest &refused, const QString &message) {
        if (refused.pushId != m_pendingPushId)
            return;
        m_pendingPushId.clear();
        m_problem->setText(tr("Not sent: %1").arg(message));
    });
    refreshTypes();
    m_monitor.requestDevices();
    retranslateUi();
    updateTargetKind();
    resize(760, 620);
}

void PushDialog::retranslateUi()
{
    updateWindowTitle();
    m_targetKind->setItemText(0, tr("Devices"));
    m_targetKind->setItemText(1, tr("Alias"));
    m_targetKind->setItemText(2, tr("Tag expression"));
    m_targetKind->setItemText(3, tr("Topic"));
    m_targetKind->setItemText(4, tr("All devices"));
    m_qos->setItemText(0, tr("0 — at most once"));
    m_qos->setItemText(1, tr("1 — at least once"));
    m_qos->setItemText(2, tr("2 — exactly once"));
    m_ttl->setSuffix(tr(" s"));
    m_ttl->setSpecialValueText(tr("no expiry"));
    m_ttl->setToolTip(tr("After this, a device that was offline does not get the push (MQTT 5 message expiry "
                         "and the envelope's expiry)"));
    m_rate->setSuffix(tr(" /s"));
    m_rate->setSpecialValueText(tr("as fast as possible"));
    m_rate->setToolTip(tr("Deliveries per second for large audiences"));
    m_retain->setText(tr("Retain on the broker"));
    m_scheduled->setText(tr("Send at"));
    m_envelope->setText(tr("Hermes envelope (sequence number, signature, receipt)"));
    m_format->setItemText(0, tr("Text"));
    m_format->setItemText(1, tr("JSON"));
    m_format->setItemText(2, tr("Hex bytes"));
    m_format->setItemText(3, tr("Protobuf"));
    m_payload->setPlaceholderText(tr("Payload"));
    if (m_schemaNote)
        m_schemaNote->setText(tr("Load .proto files in the Schemas view to compose protobuf payloads."));
    m_targetBox->setTitle(tr("Target"));
    m_optionsBox->setTitle(tr("Delivery"));
    const struct {
        QFormLayout *form;
        QWidget *field;
        QString label;
    } rows[] = {
        {m_targetForm, m_targetKind, tr("Kind:")},
        {m_targetForm, m_targetValue, tr("Who:")},
        {m_optionsForm, m_qos, tr("QoS:")},
        {m_optionsForm, m_ttl, tr("Time to live:")},
        {m_optionsForm, m_rate, tr("Pace:")},
        {m_payloadForm, m_format, tr("Payload as:")},
    };
    for (const auto &row : rows) {
        if (auto *label = qobject_cast<QLabel *>(row.form->labelForField(row.field)))
            label->setText(row.label);
    }
    m_sendButton->setText(tr("Send"));
    m_savePayload->setText(tr("Save…"));
    m_savePayload->setToolTip(tr("Keep this payload under a name, for this topic"));
    m_deleteSaved->setText(tr("Delete"));
    if (auto *label = findChild<QLabel *>(QStringLiteral("pushSavedLabel")))
        label->setText(tr("Saved:"));
    refreshSavedPayloads();
    m_previewTitle->setText(tr("What each device receives:"));
    updateTargetPlaceholder();
    // The problem, the preview and the audience are sentences: write them again.
    if (m_pendingPushId.isEmpty())
        validate();
    m_audienceDebounce.start();
}

void PushDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

QString PushDialog::deviceTopic(const QString &clientId)
{
    return QStringLiteral("devices/%1/push").arg(clientId);
}

void PushDialog::setDevice(const QString &clientId)
{
    setDevices({clientId});
}

void PushDialog::setDevices(const QStringList &clientIds)
{
    m_targetKind->setCurrentIndex(m_targetKind->findData(int(TargetKind::Devices)));
    m_targetValue->setText(clientIds.join(QStringLiteral(", ")));
    m_chosenDevices = clientIds;
    updateWindowTitle();
}

void PushDialog::updateWindowTitle()
{
    QString title;
    if (m_chosenDevices.isEmpty())
        title = tr("New push");
    else if (m_chosenDevices.size() == 1)
        title = tr("Push to %1").arg(m_chosenDevices.constFirst());
    else
        title = tr("Push to %n selected device(s)", "", int(m_chosenDevices.size()));
    // With several brokers open, a push names the one it goes to.
    const QString broker = m_monitor.attachedTo();
    setWindowTitle(broker.isEmpty() ? title : tr("%1 — via %2", "push dialog title: the push, the broker").arg(title, broker));
}

QString PushDialog::savedPayloadTopic() const
{
    if (TargetKind(m_targetKind->currentData().toInt()) == TargetKind::Topic)
        return m_targetValue->text().trimmed();
    return deviceTopic(QStringLiteral("+"));
}

QStringList PushDialog::savedPayloadNames() const
{
    QStringList names;
    for (const SavedPayload &payload : SavedPayloads::forTopic(savedPayloadTopic()))
        names.append(payload.name);
    return names;
}

namespace {
const std::pair<int, QLatin1StringView> SavedFormats[] = {
    {0, QLatin1StringView("text")}, {1, QLatin1StringView("json")}, {2, QLatin1StringView("hex")}};
} // namespace

bool PushDialog::savePayloadAs(const QString &name)
{
    const int format = m_format->currentIndex();
    if (name.isEmpty() || savedPayloadTopic().isEmpty() || format < 0 || format >= int(std::size(SavedFormats)))
        return false;
    SavedPayloads::save(savedPayloadTopic(), {name, SavedFormats[format].second, m_payload->toPlainText()});
    refreshSavedPayloads();
    m_savedPayloads->setCurrentIndex(m_savedPayloads->findText(name));
    return true;
}

bool PushDialog::loadSavedPayload(const QString &name)
{
    for (const SavedPayload &payload : SavedPayloads::forTopic(savedPayloadTopic())) {
        if (payload.name != name)
            continue;
        for (const auto &[index, key] : SavedFormats) {
            if (payload.format == key)
                m_format->setCurrentIndex(index);
        }
        m_payload->setPlainText(payload.text);
        m_savedPayloads->setCurrentIndex(m_savedPayloads->findText(name));
        return true;
    }
    return false;
}

void PushDialog::refreshSavedPayloads()
{
    const QString current = m_savedPayloads->currentIndex() > 0 ? m_savedPayloads->currentText() : QString();
    const QStringList names = savedPayloadNames();
    m_savedPayloads->clear();
    m_savedPayloads->addItem(names.isEmpty() ? tr("(none saved for this topic)") : tr("(choose a saved payload)"));
    m_savedPayloads->addItems(names);
    if (const int index = m_savedPayloads->findText(current); index > 0)
        m_savedPayloads->setCurrentIndex(index);
    m_deleteSaved->setEnabled(!names.isEmpty());
}

void PushDialog::updateTargetKind()
{
    const auto kind = TargetKind(m_targetKind->currentData().toInt());
    m_targetValue->setEnabled(kind != TargetKind::All);
    updateTargetPlaceholder();
    // Envelopes are addressed to one device; a topic push goes out as it is by default.
    m_envelope->setChecked(kind != TargetKind::Topic);
    updateCompletion();
    validate();
    m_audienceDebounce.start();
    if (m_savedPayloads)
        refreshSavedPayloads();
}

void PushDialog::updateTargetPlaceholder()
{
    switch (TargetKind(m_targetKind->currentData().toInt())) {
    case TargetKind::Devices: m_targetValue->setPlaceholderText(tr("device ids, separated by commas")); break;
    case TargetKind::Alias: m_targetValue->setPlaceholderText(tr("an alias, e.g. kitchen-lamp")); break;
    case TargetKind::Tag: m_targetValue->setPlaceholderText(tr("e.g. vip && !beta")); break;
    case TargetKind::Topic: m_targetValue->setPlaceholderText(tr("a topic, e.g. news/today")); break;
    case TargetKind::All: m_targetValue->setPlaceholderText(tr("every known device")); break;
    }
}

void PushDialog::onDevices(const QList<DeviceRecord> &devices)
{
    m_devices = devices;
    updateCompletion();
}

void PushDialog::updateCompletion()
{
    QStringList words;
    for (const DeviceRecord &device : std::as_const(m_devices)) {
        switch (TargetKind(m_targetKind->currentData().toInt())) {
        case TargetKind::Devices: words.append(device.id); break;
        case TargetKind::Alias:
            if (!device.alias.isEmpty())
                words.append(device.alias);
            break;
        case TargetKind::Tag: words.append(device.tags); break;
        default: break;
        }
    }
    words.removeDuplicates();
    words.sort();
    m_completions->setStringList(words);
}

void PushDialog::refreshTypes()
{
    const QString current = m_messageType->currentText();
    m_messageType->clear();
    if (m_schemas)
        m_messageType->addItems(m_schemas->messageTypes());
    if (const int index = m_messageType->findText(current); index >= 0)
        m_messageType->setCurrentIndex(index);
}

std::optional<PushTarget> PushDialog::target(QString *problem) const
{
    const QString text = m_targetValue->text().trimmed();
    const auto kind = TargetKind(m_targetKind->currentData().toInt());
    if (kind != TargetKind::All && text.isEmpty()) {
        *problem = tr("Say who the push is for.");
        return std::nullopt;
    }
    switch (kind) {
    case TargetKind::Devices: {
        QStringList ids;
        for (const QString &id : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
            ids.append(id.trimmed());
        ids.removeAll(QString());
        return PushTarget::toDevices(ids);
    }
    case TargetKind::Alias: return PushTarget::toAlias(text);
    case TargetKind::Tag: {
        const auto parsed = push::TagExpression::parse(text);
        if (const auto *error = std::get_if<push::TagExpressionError>(&parsed)) {
            *problem = tr("Tag expression: %1").arg(error->toString());
            return std::nullopt;
        }
        return PushTarget::toTag(text);
    }
    case TargetKind::Topic:
        if (!mqtt::isValidTopicName(text)) {
            *problem = tr("The topic must not be empty or contain + or #.");
            return std::nullopt;
        }
        return PushTarget::toTopic(text);
    case TargetKind::All: return PushTarget::toAll();
    }
    return std::nullopt;
}

std::optional<QByteArray> PushDialog::payload(QString *contentType, QString *problem) const
{
    const QString text = m_payload->toPlainText();
    switch (PayloadFormat(m_format->currentData().toInt())) {
    case PayloadFormat::Text:
        *contentType = QStringLiteral("text/plain; charset=utf-8");
        return text.toUtf8();
    case PayloadFormat::Json: {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError) {
            *problem = tr("Not valid JSON at character %1: %2").arg(error.offset).arg(error.errorString());
            return std::nullopt;
        }
        *contentType = QStringLiteral("application/json");
        return document.toJson(QJsonDocument::Compact);
    }
    case PayloadFormat::Hex: {
        QString digits = text;
        digits.remove(QRegularExpression(QStringLiteral("\\s")));
        if (digits.size() % 2 != 0 || digits.contains(QRegularExpression(QStringLiteral("[^0-9a-fA-F]")))) {
            *problem = tr("Hex bytes need pairs of 0–9 and a–f, e.g. 0a 1b ff.");
            return std::nullopt;
        }
        *contentType = QStringLiteral("application/octet-stream");
        return QByteArray::fromHex(digits.toLatin1());
    }
    case PayloadFormat::Protobuf: {
        if (!m_form || m_form->messageType().isEmpty()) {
            *problem = tr("Choose a message type (load .proto files in the Schemas view).");
            return std::nullopt;
        }
        const schema::EncodeResult encoded = m_form->encode();
        if (!encoded.ok()) {
            *problem = tr("Protobuf: %1").arg(encoded.error);
            return std::nullopt;
        }
        *contentType = schema::protobufContentType(m_form->messageType());
        return encoded.bytes;
    }
    }
    return std::nullopt;
}

std::optional<PushRequest> PushDialog::request(QString *problem) const
{
    QString reason;
    PushRequest request;
    const std::optional<PushTarget> chosen = target(&reason);
    QString contentType;
    const std::optional<QByteArray> bytes = chosen ? payload(&contentType, &reason) : std::nullopt;
    if (!chosen || !bytes) {
        if (problem)
            *problem = reason;
        return std::nullopt;
    }
    request.target = *chosen;
    request.payload = *bytes;
    request.contentType = contentType;
    request.qos = mqtt::QoS(m_qos->currentData().toInt());
    request.retain = m_retain->isChecked();
    request.ttlSeconds = quint32(m_ttl->value());
    if (m_scheduled->isChecked())
        request.sendAtMs = m_sendAt->dateTime().toMSecsSinceEpoch();
    request.ratePerSecond = m_rate->value();
    request.envelope = m_envelope->isChecked();
    return request;
}

QString PushDialog::envelopePreview() const
{
    QString problem;
    const std::optional<PushRequest> pending = request(&problem);
    if (!pending)
        return tr("(nothing to send yet)");
    if (!pending->usesEnvelope()) {
        return tr("Raw payload, %n byte(s), content type %1; no sequence number, no signature, no receipt.", "",
                  int(pending->payload.size())).arg(pending->contentType);
    }
    push::PushEnvelope envelope;
    envelope.pushId = tr("(assigned)");
    envelope.deviceId = pending->target.kind == PushTarget::Kind::Devices && pending->target.devices.size() == 1
        ? pending->target.devices.constFirst()
        : tr("(each device)");
    envelope.contentType = pending->contentType;
    envelope.payload = pending->payload;
    return tr("%1\nSequence number: the device's next; signed with the broker's key when one is configured.\n"
              "Serialized envelope: about %n byte(s).", "", int(envelope.toBytes().size() + 60))
        .arg(push::describe(envelope));
}

void PushDialog::validate()
{
    QString problem;
    request(&problem);
    m_problem->setText(problem);
    m_preview->setPlainText(envelopePreview());
}

void PushDialog::requestAudience()
{
    QString problem;
    const std::optional<PushTarget> chosen = target(&problem);
    if (!chosen) {
        m_audience->clear();
        return;
    }
    if (chosen->kind == PushTarget::Kind::Topic) {
        m_audience->setText(tr("Every subscriber of this topic."));
        return;
    }
    m_monitor.requestAudience(*chosen);
}

void PushDialog::onAudience(const PushTarget &answered, int count, const QStringList &sample, const QString &error)
{
    QString problem;
    const std::optional<PushTarget> current = target(&problem);
    if (!current || !(*current == answered))
        return; // an answer to an older question
    if (!error.isEmpty()) {
        m_audience->setText(error);
        return;
    }
    QString text = tr("Reaches %n device(s)", "", count);
    if (!sample.isEmpty())
        text += QStringLiteral(": ") + sample.join(QLatin1String(", ")) + (count > sample.size() ? QStringLiteral(" …") : QString());
    m_audience->setText(text);
}

void PushDialog::send()
{
    QString problem;
    std::optional<PushRequest> pending = request(&problem);
    if (!pending) {
        m_problem->setText(problem);
        return;
    }
    if (!m_monitor.isRunning()) {
        m_problem->setText(tr("The broker is not running."));
        return;
    }
    pending->pushId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_pendingPushId = pending->pushId;
    m_problem->setText(tr("Sending…"));
    m_monitor.sendPush(*pending);
}

} // namespace hermes::ui
