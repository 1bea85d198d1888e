#pragma once
/// A quick push to one device or topic: target, QoS, retain, TTL and a text payload.
/// (The full composer with tags, schedules and protobuf forms builds on this.)

#include "engine/monitor.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace hermes::ui {

class PushDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PushDialog(EngineMonitor &monitor, QWidget *parent = nullptr);

    /// Targets one device: the topic becomes the device's push topic.
    void setDevice(const QString &clientId);
    /// The message the dialog would send now (nullopt with a reason when invalid).
    std::optional<mqtt::Publish> message(QString *problem = nullptr) const;

    /// The default topic template for device pushes.
    static QString deviceTopic(const QString &clientId);

public slots:
    /// Sends and closes, or explains what is wrong and stays open.
    void send();

private:
    void validate();

    EngineMonitor &m_monitor;
    QLineEdit *m_topic;
    QComboBox *m_qos;
    QCheckBox *m_retain;
    QSpinBox *m_ttl;
    QComboBox *m_format;
    QPlainTextEdit *m_payload;
    QLabel *m_problem;
};

} // namespace hermes::ui
