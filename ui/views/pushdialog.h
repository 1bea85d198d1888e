#pragma once
/// The push composer: target (device ids with completion, alias, tag expression with its
/// audience size, topic, all devices), QoS, retain, TTL, schedule, pacing, payload as text,
/// JSON, hex or a protobuf form, and a preview of the envelope the devices will get.

#include "engine/api/monitor.h"

#include <QDialog>
#include <QTimer>

class QCheckBox;
class QComboBox;
class QCompleter;
class QDateTimeEdit;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QPushButton;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QStackedWidget;
class QStringListModel;

namespace hermes::ui {

class MessageForm;
class SchemaLibrary;

class PushDialog : public QDialog
{
    Q_OBJECT
public:
    /// `schemas` (optional, must outlive the dialog) enables protobuf payloads.
    explicit PushDialog(EngineMonitor &monitor, QWidget *parent = nullptr, SchemaLibrary *schemas = nullptr);

    /// Targets one device by id.
    void setDevice(const QString &clientId);
    /// Targets these devices (the Sessions selection); one id is the same as setDevice().
    void setDevices(const QStringList &clientIds);
    /// The push the dialog would send now (nullopt with a reason when invalid).
    std::optional<PushRequest> request(QString *problem = nullptr) const;
    /// What the devices will receive, for the preview (sequence and signature are the
    /// broker's to fill in).
    QString envelopePreview() const;

    /// The default topic of device pushes.
    static QString deviceTopic(const QString &clientId);

    /// The topic saved payloads are kept under: the topic of a topic push, else the
    /// device push topic filter (devices/+/push).
    QString savedPayloadTopic() const;
    /// Names of the payloads saved for savedPayloadTopic().
    QStringList savedPayloadNames() const;
    /// Saves the payload being composed (text, JSON or hex) under `name`; false for a
    /// protobuf form or an empty name.
    bool savePayloadAs(const QString &name);
    /// Puts a saved payload (format and text) into the composer.
    bool loadSavedPayload(const QString &name);

public slots:
    /// Sends and closes once the engine accepts it, or explains and stays open.
    void send();

protected:
    void changeEvent(QEvent *event) override;

private:
    enum class TargetKind { Devices, Alias, Tag, Topic, All };
    enum class PayloadFormat { Text, Json, Hex, Protobuf };

    void retranslateUi();
    void updateWindowTitle();
    void validate();
    void updateTargetKind();
    void updateTargetPlaceholder();
    void requestAudience();
    void onAudience(const PushTarget &target, int count, const QStringList &sample, const QString &error);
    void onDevices(const QList<DeviceRecord> &devices);
    void updateCompletion();
    void refreshTypes();
    void refreshSavedPayloads();
    std::optional<PushTarget> target(QString *problem) const;
    std::optional<QByteArray> payload(QString *contentType, QString *problem) const;

    EngineMonitor &m_monitor;
    SchemaLibrary *m_schemas;
    QList<DeviceRecord> m_devices;
    QComboBox *m_targetKind;
    QLineEdit *m_targetValue;
    QCompleter *m_completer;
    QStringListModel *m_completions;
    QLabel *m_audience;
    QComboBox *m_qos;
    QCheckBox *m_retain;
    QSpinBox *m_ttl;
    QCheckBox *m_scheduled;
    QDateTimeEdit *m_sendAt;
    QDoubleSpinBox *m_rate;
    QCheckBox *m_envelope;
    QComboBox *m_format;
    QStackedWidget *m_payloadStack;
    QPlainTextEdit *m_payload;
    QComboBox *m_messageType;
    MessageForm *m_form = nullptr;
    QPlainTextEdit *m_preview;
    QLabel *m_problem;
    QGroupBox *m_targetBox;
    QGroupBox *m_optionsBox;
    QFormLayout *m_targetForm;
    QFormLayout *m_optionsForm;
    QFormLayout *m_payloadForm;
    QLabel *m_previewTitle;
    QLabel *m_schemaNote = nullptr; ///< without a schema library
    QPushButton *m_sendButton = nullptr;
    QComboBox *m_savedPayloads = nullptr;
    QPushButton *m_savePayload = nullptr;
    QPushButton *m_deleteSaved = nullptr;
    QStringList m_chosenDevices; ///< set by setDevices(), for the window title
    QTimer m_audienceDebounce;
    QString m_pendingPushId; ///< sent, waiting for the engine's answer
};

} // namespace hermes::ui
