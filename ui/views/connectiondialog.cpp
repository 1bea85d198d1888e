#include "connectiondialog.h"

#include "passwordvault.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QHeaderView>
#include <QTreeWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>

namespace hermes::ui {

namespace {
enum Column { NameColumn, BrokerColumn, UserColumn, ColumnCount };

/// Where the profile connects, and how.
QString brokerText(const ConnectionProfile &profile)
{
    if (profile.isEmbedded())
        return ConnectionDialog::tr("inside this console");
    return profile.tls ? ConnectionDialog::tr("%1 (TLS)").arg(profile.address()) : profile.address();
}
} // namespace

ProfileEditor::ProfileEditor(ConnectionProfiles &profiles, const ConnectionProfile &profile, QWidget *parent)
    : QDialog(parent)
    , m_profiles(profiles)
    , m_id(profile.id)
    , m_form(new QFormLayout)
    , m_name(new QLineEdit(profile.name, this))
    , m_host(new QLineEdit(profile.host, this))
    , m_port(new QSpinBox(this))
    , m_tls(new QCheckBox(tr("Encrypt the connection (TLS)"), this))
    , m_user(new QLineEdit(profile.userName, this))
    , m_problem(new QLabel(this))
{
    setObjectName(QStringLiteral("profileEditor"));
    setWindowTitle(profile.id.isEmpty() ? tr("New connection") : tr("Edit “%1”").arg(profile.name));
    m_name->setObjectName(QStringLiteral("profileName"));
    m_host->setObjectName(QStringLiteral("profileHost"));
    m_host->setPlaceholderText(tr("broker.example.com or 10.0.0.5"));
    m_port->setObjectName(QStringLiteral("profilePort"));
    m_port->setRange(1, 65535);
    m_port->setValue(profile.port == 0 ? 1883 : profile.port);
    m_tls->setObjectName(QStringLiteral("profileTls"));
    m_tls->setChecked(profile.tls);
    m_user->setObjectName(QStringLiteral("profileUser"));
    m_user->setPlaceholderText(tr("empty: anonymous"));
    m_problem->setObjectName(QStringLiteral("profileProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_problem->hide();

    m_form->addRow(tr("&Name:"), m_name);
    m_form->addRow(tr("&Host:"), m_host);
    m_form->addRow(tr("&Port:"), m_port);
    m_form->addRow(QString(), m_tls);
    m_caFile = fileField(QStringLiteral("profileCaFile"), m_caLabel, tr("&CA file:"));
    m_caFile->setText(profile.caFile);
    m_caFile->setPlaceholderText(tr("empty: the system's certificate authorities"));
    m_certificate = fileField(QStringLiteral("profileCertificate"), m_certificateLabel, tr("Client &certificate:"));
    m_certificate->setText(profile.certificateFile);
    m_certificate->setPlaceholderText(tr("optional"));
    m_key = fileField(QStringLiteral("profileKey"), m_keyLabel, tr("Private &key:"));
    m_key->setText(profile.keyFile);
    m_key->setPlaceholderText(tr("required with a client certificate"));
    m_form->addRow(tr("&User name:"), m_user);
    // Two short lines rather than word wrap: a wrapped label in a dialog this size gets clipped.
    auto *passwordNote = new QLabel(tr("The password is asked for when you connect and can be kept in the system "
                                       "keyring.\nIt is never written to the settings."),
                                    this);
    m_form->addRow(passwordNote);
    connect(m_tls, &QCheckBox::toggled, this, [this](bool on) {
        // The usual MQTT ports: 1883 plain, 8883 over TLS.
        if (on && m_port->value() == 1883)
            m_port->setValue(8883);
        else if (!on && m_port->value() == 8883)
            m_port->setValue(1883);
        updateTlsFields();
    });
    updateTlsFields();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("profileSave"));
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Save"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ProfileEditor::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ProfileEditor::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    setMinimumWidth(540);
    adjustSize();
}

QLineEdit *ProfileEditor::fileField(const QString &objectName, QLabel *&label, const QString &caption)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    auto *browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose a file"));
    connect(browse, &QToolButton::clicked, this, [this, edit] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose a file"), edit->text(),
                                                          tr("Certificates and keys (*.pem *.crt *.cer *.key);;All files (*)"));
        if (!path.isEmpty())
            edit->setText(path);
    });
    auto *row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    label = new QLabel(caption, this);
    label->setBuddy(edit);
    m_form->addRow(label, row);
    return edit;
}

void ProfileEditor::updateTlsFields()
{
    for (QWidget *widget : {static_cast<QWidget *>(m_caFile), static_cast<QWidget *>(m_certificate),
                            static_cast<QWidget *>(m_key), static_cast<QWidget *>(m_caLabel),
                            static_cast<QWidget *>(m_certificateLabel), static_cast<QWidget *>(m_keyLabel)})
        widget->setEnabled(m_tls->isChecked());
}

ConnectionProfile ProfileEditor::profile() const
{
    ConnectionProfile profile;
    profile.id = m_id;
    profile.name = m_name->text().trimmed();
    profile.host = m_host->text().trimmed();
    profile.port = quint16(m_port->value());
    profile.tls = m_tls->isChecked();
    profile.caFile = m_caFile->text().trimmed();
    profile.certificateFile = m_certificate->text().trimmed();
    profile.keyFile = m_key->text().trimmed();
    profile.userName = m_user->text().trimmed();
    return profile;
}

QString ProfileEditor::problemText() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

void ProfileEditor::accept()
{
    const ConnectionProfile edited = profile();
    if (const std::optional<ProfileProblem> problem = m_profiles.validate(edited)) {
        m_problem->setText(problem->message);
        m_problem->show();
        using Field = ProfileProblem::Field;
        QWidget *field = nullptr;
        switch (problem->field) {
        case Field::Name: field = m_name; break;
        case Field::Host: field = m_host; break;
        case Field::Port: field = m_port; break;
        case Field::CaFile: field = m_caFile; break;
        case Field::CertificateFile: field = m_certificate; break;
        case Field::KeyFile: field = m_key; break;
        }
        field->setFocus();
        return;
    }
    m_savedId = m_profiles.save(edited);
    QDialog::accept();
}

ConnectionDialog::ConnectionDialog(ConnectionProfiles &profiles, PasswordVault &vault, QWidget *parent)
    : QDialog(parent)
    , m_profiles(profiles)
    , m_vault(vault)
    , m_intro(new QLabel(this))
    , m_list(new QTreeWidget(this))
    , m_new(new QPushButton(this))
    , m_edit(new QPushButton(this))
    , m_delete(new QPushButton(this))
    , m_connect(new QPushButton(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Close, this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("connectionDialog"));
    m_intro->setWordWrap(true);
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setAlternatingRowColors(true);
    m_list->setRootIsDecorated(false);
    m_list->setColumnCount(ColumnCount);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_new->setObjectName(QStringLiteral("newProfile"));
    m_edit->setObjectName(QStringLiteral("editProfile"));
    m_delete->setObjectName(QStringLiteral("deleteProfile"));
    m_connect->setObjectName(QStringLiteral("connectProfile"));
    m_connect->setDefault(true);
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *side = new QVBoxLayout;
    for (QPushButton *button : {m_connect, m_new, m_edit, m_delete})
        side->addWidget(button);
    side->addStretch(1);
    auto *middle = new QHBoxLayout;
    middle->addWidget(m_list, 1);
    middle->addLayout(side);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(middle, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_buttons);

    connect(m_new, &QPushButton::clicked, this, [this] { editProfile(true); });
    connect(m_edit, &QPushButton::clicked, this, [this] { editProfile(false); });
    connect(m_delete, &QPushButton::clicked, this, &ConnectionDialog::deleteSelected);
    connect(m_connect, &QPushButton::clicked, this, &ConnectionDialog::requestConnect);
    connect(m_list, &QTreeWidget::itemActivated, this, &ConnectionDialog::requestConnect);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &ConnectionDialog::updateButtons);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &ConnectionDialog::reject);
    connect(&m_profiles, &ConnectionProfiles::changed, this, &ConnectionDialog::reload);
    retranslateUi();
    select(m_profiles.lastUsed().id);
    resize(620, 400);
}

QString ConnectionDialog::selectedId() const
{
    const QTreeWidgetItem *item = m_list->currentItem();
    return item ? item->data(NameColumn, Qt::UserRole).toString() : QString();
}

void ConnectionDialog::select(const QString &profileId)
{
    for (int row = 0; row < m_list->topLevelItemCount(); ++row) {
        if (QTreeWidgetItem *item = m_list->topLevelItem(row); item->data(NameColumn, Qt::UserRole).toString() == profileId)
            m_list->setCurrentItem(item);
    }
    updateButtons();
}

void ConnectionDialog::reload()
{
    const QString selected = selectedId();
    m_list->clear();
    for (const ConnectionProfile &profile : m_profiles.all()) {
        auto *item = new QTreeWidgetItem(m_list, {profile.name, brokerText(profile), profile.userName});
        item->setData(NameColumn, Qt::UserRole, profile.id);
    }
    select(selected.isEmpty() ? m_profiles.lastUsed().id : selected);
    if (!m_list->currentItem())
        m_list->setCurrentItem(m_list->topLevelItem(0));
}

void ConnectionDialog::updateButtons()
{
    const QString id = selectedId();
    const bool user = !id.isEmpty() && id != ConnectionProfile::EmbeddedId;
    m_edit->setEnabled(user && !m_connecting);
    m_delete->setEnabled(user && !m_connecting);
    m_connect->setEnabled(!id.isEmpty() && !m_connecting);
}

void ConnectionDialog::requestConnect()
{
    const QString id = selectedId();
    if (id.isEmpty() || m_connecting)
        return;
    emit connectRequested(id);
}

void ConnectionDialog::showConnecting(const ConnectionProfile &profile)
{
    m_connecting = true;
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Connecting to “%1” (%2)…").arg(profile.name, profile.address()));
    updateButtons();
}

void ConnectionDialog::showError(const QString &message)
{
    m_connecting = false;
    m_status->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_status->setText(message);
    updateButtons();
}

QString ConnectionDialog::statusText() const
{
    return m_status->text();
}

ProfileEditor *ConnectionDialog::editProfile(bool newProfile)
{
    std::optional<ConnectionProfile> profile = newProfile ? ConnectionProfile{} : m_profiles.byId(selectedId());
    if (!profile || profile->isEmbedded())
        return nullptr;
    auto *editor = new ProfileEditor(m_profiles, *profile, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(editor, &ProfileEditor::accepted, this, [this, editor, before = *profile] {
        // A password belongs to one account: another user name must not inherit it.
        if (!before.id.isEmpty() && editor->profile().userName != before.userName)
            m_vault.remove(before.id);
        select(editor->savedId());
    });
    editor->open();
    return editor;
}

void ConnectionDialog::deleteSelected()
{
    const std::optional<ConnectionProfile> profile = m_profiles.byId(selectedId());
    if (!profile || profile->isEmbedded())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete connection"),
                                tr("Delete the connection “%1” and its remembered password?").arg(profile->name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDelete"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box->button(QMessageBox::Yes), &QAbstractButton::clicked, this, [this, id = profile->id] {
        m_profiles.remove(id);
        m_vault.remove(id);
    });
    box->open();
}

void ConnectionDialog::retranslateUi()
{
    setWindowTitle(tr("Connect"));
    m_intro->setText(tr("Choose the broker this console shows. Each connection opens in a window of its own."));
    m_new->setText(tr("&New…"));
    m_edit->setText(tr("&Edit…"));
    m_delete->setText(tr("&Delete"));
    m_connect->setText(tr("&Connect"));
    m_list->setHeaderLabels({tr("Name"), tr("Broker"), tr("User")});
    reload();
}

void ConnectionDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

PasswordPrompt::PasswordPrompt(const ConnectionProfile &profile, bool keyringAvailable, QWidget *parent)
    : QDialog(parent)
    , m_password(new QLineEdit(this))
{
    setObjectName(QStringLiteral("passwordPrompt"));
    setWindowTitle(tr("Password for “%1”").arg(profile.name));
    auto *layout = new QVBoxLayout(this);
    auto *question = new QLabel(tr("Password of %1 for “%2” (%3):").arg(profile.userName, profile.name, profile.address()), this);
    question->setWordWrap(true);
    layout->addWidget(question);
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    layout->addWidget(m_password);
    if (keyringAvailable) {
        m_remember = new QCheckBox(tr("&Remember it in the system keyring"), this);
        m_remember->setObjectName(QStringLiteral("rememberPassword"));
        m_remember->setChecked(true);
        layout->addWidget(m_remember);
    } else {
        auto *note = new QLabel(tr("There is no system keyring to keep it in, so this password cannot be remembered: "
                                   "the console asks for it each time it connects."),
                                this);
        note->setObjectName(QStringLiteral("keyringUnavailable"));
        note->setWordWrap(true);
        layout->addWidget(note);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &PasswordPrompt::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &PasswordPrompt::reject);
    layout->addWidget(buttons);
    setMinimumWidth(440);
    adjustSize();
}

QByteArray PasswordPrompt::password() const
{
    return m_password->text().toUtf8();
}

bool PasswordPrompt::remember() const
{
    return m_remember && m_remember->isChecked();
}

} // namespace hermes::ui
