#pragma once
/// The broker's accounts: those of the config file (read-only) and those stored through the
/// engine, with add, change password and remove.

#include "engine/api/monitor.h"

#include <QDialog>

class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace hermes::ui {

class AccountsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit AccountsDialog(EngineMonitor &monitor, QWidget *parent = nullptr);

public slots:
    /// Stores the account typed into the form (or explains what is wrong).
    void saveAccount();
    /// Removes the selected stored account.
    void removeSelected();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    /// The translated cells of the table's rows.
    void setAccountTexts(int row);
    void showAccounts(const QList<hermes::AccountInfo> &accounts);
    void updateButtons();

    EngineMonitor &m_monitor;
    QTableWidget *m_table;
    QLineEdit *m_name;
    QComboBox *m_role;
    QLineEdit *m_password;
    QLineEdit *m_repeat;
    QPushButton *m_save;
    QPushButton *m_remove;
    QLabel *m_problem;
    QLabel *m_intro;
    QFormLayout *m_form;
    QList<AccountInfo> m_accounts;
};

} // namespace hermes::ui
