#pragma once
/// File → Connect…: the connection profiles with New, Edit, Delete and Connect. Connecting
/// is ConsoleWindows' job (connectRequested); it reports progress and failures back here,
/// so an operator who picked a profile reads what went wrong where they picked it.

#include "connectionprofiles.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QTreeWidget;
class QPushButton;
class QSpinBox;

namespace hermes::ui {

class PasswordVault;

/// One profile's fields. OK saves only a valid profile; otherwise the problem is shown,
/// naming the field, and that field gets the focus.
class ProfileEditor : public QDialog
{
    Q_OBJECT
public:
    ProfileEditor(ConnectionProfiles &profiles, const ConnectionProfile &profile, QWidget *parent = nullptr);

    ConnectionProfile profile() const;
    /// The id the profile was saved under (after accept()).
    QString savedId() const { return m_savedId; }
    QString problemText() const;

public slots:
    /// Validates and saves; closes only when the profile was saved.
    void accept() override;

private:
    QLineEdit *fileField(const QString &objectName, QLabel *&label, const QString &caption);
    void updateTlsFields();

    ConnectionProfiles &m_profiles;
    QString m_id;
    QString m_savedId;
    QFormLayout *m_form;
    QLineEdit *m_name;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QCheckBox *m_tls;
    QLineEdit *m_caFile;
    QLineEdit *m_certificate;
    QLineEdit *m_key;
    QLabel *m_caLabel = nullptr;
    QLabel *m_certificateLabel = nullptr;
    QLabel *m_keyLabel = nullptr;
    QLineEdit *m_user;
    QLabel *m_problem;
};

class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectionDialog(ConnectionProfiles &profiles, PasswordVault &vault, QWidget *parent = nullptr);

    /// The id of the selected profile (empty: none).
    QString selectedId() const;
    void select(const QString &profileId);
    /// "Connecting to “Factory floor” (10.0.0.5:8883)…": Connect waits until it is answered.
    void showConnecting(const ConnectionProfile &profile);
    void showError(const QString &message);
    QString statusText() const;
    /// Opens the editor for a new profile or the selected one (New / Edit).
    ProfileEditor *editProfile(bool newProfile);
    /// Asks (not blocking) before deleting the selected profile and its remembered password.
    void deleteSelected();

signals:
    void connectRequested(const QString &profileId);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void reload();
    void updateButtons();
    void requestConnect();

    ConnectionProfiles &m_profiles;
    PasswordVault &m_vault;
    QLabel *m_intro;
    QTreeWidget *m_list;
    QPushButton *m_new;
    QPushButton *m_edit;
    QPushButton *m_delete;
    QPushButton *m_connect;
    QDialogButtonBox *m_buttons;
    QLabel *m_status;
    bool m_connecting = false;
};

/// The password for one connection, asked when the keyring holds none or there is no
/// keyring (then it says, once, that the password cannot be remembered).
class PasswordPrompt : public QDialog
{
    Q_OBJECT
public:
    PasswordPrompt(const ConnectionProfile &profile, bool keyringAvailable, QWidget *parent = nullptr);

    QByteArray password() const;
    /// Whether to keep it in the keyring once it connected.
    bool remember() const;

private:
    QLineEdit *m_password;
    QCheckBox *m_remember = nullptr;
};

} // namespace hermes::ui
