#include "accountsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace hermes::ui {

AccountsDialog::AccountsDialog(EngineMonitor &monitor, QWidget *parent)
    : QDialog(parent)
    , m_monitor(monitor)
    , m_table(new QTableWidget(0, 3, this))
    , m_name(new QLineEdit(this))
    , m_role(new QComboBox(this))
    , m_password(new QLineEdit(this))
    , m_repeat(new QLineEdit(this))
    , m_save(new QPushButton(tr("Save account"), this))
    , m_remove(new QPushButton(tr("Remove selected"), this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Accounts"));
    m_table->setObjectName(QStringLiteral("accountsTable"));
    m_table->setHorizontalHeaderLabels({tr("User name"), tr("Role"), tr("Defined in")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_name->setObjectName(QStringLiteral("accountName"));
    m_role->setObjectName(QStringLiteral("accountRole"));
    m_role->addItem(tr("device"), QStringLiteral("device"));
    m_role->addItem(tr("operator"), QStringLiteral("operator"));
    for (QLineEdit *edit : {m_password, m_repeat})
        edit->setEchoMode(QLineEdit::Password);
    m_password->setObjectName(QStringLiteral("accountPassword"));
    m_repeat->setObjectName(QStringLiteral("accountPasswordRepeat"));
    m_save->setObjectName(QStringLiteral("accountSave"));
    m_remove->setObjectName(QStringLiteral("accountRemove"));
    m_problem->setObjectName(QStringLiteral("accountProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("User name:"), m_name);
    form->addRow(tr("Role:"), m_role);
    form->addRow(tr("Password:"), m_password);
    form->addRow(tr("Repeat:"), m_repeat);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_save);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Accounts from the config file can only be changed there. "
                                    "Stored accounts apply at the next login."), this));
    layout->addWidget(m_table, 1);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_problem);
    layout->addWidget(close);

    connect(m_save, &QPushButton::clicked, this, &AccountsDialog::saveAccount);
    connect(m_remove, &QPushButton::clicked, this, &AccountsDialog::removeSelected);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &AccountsDialog::updateButtons);
    connect(&m_monitor, &EngineMonitor::accountsListed, this, &AccountsDialog::showAccounts);
    connect(&m_monitor, &EngineMonitor::accountChangeFailed, this,
            [this](const QString &message) { m_problem->setText(message); });
    m_monitor.requestAccounts();
    updateButtons();
    resize(520, 460);
}

void AccountsDialog::showAccounts(const QList<AccountInfo> &accounts)
{
    m_accounts = accounts;
    m_table->setRowCount(int(accounts.size()));
    for (int row = 0; row < accounts.size(); ++row) {
        const AccountInfo &account = accounts.at(row);
        m_table->setItem(row, 0, new QTableWidgetItem(account.name));
        m_table->setItem(row, 1, new QTableWidgetItem(account.role == Role::Operator ? tr("operator") : tr("device")));
        m_table->setItem(row, 2, new QTableWidgetItem(account.fromConfig ? tr("config file") : tr("broker database")));
    }
    updateButtons();
}

void AccountsDialog::updateButtons()
{
    const int row = m_table->currentRow();
    m_remove->setEnabled(m_table->selectionModel()->hasSelection() && row >= 0 && row < m_accounts.size()
                         && !m_accounts.at(row).fromConfig);
}

void AccountsDialog::saveAccount()
{
    const QString name = m_name->text().trimmed();
    if (name.isEmpty() || name.contains(QLatin1Char(' '))) {
        m_problem->setText(tr("A user name is needed, without spaces."));
        return;
    }
    if (m_password->text().size() < 8) {
        m_problem->setText(tr("A password needs at least 8 characters."));
        return;
    }
    if (m_password->text() != m_repeat->text()) {
        m_problem->setText(tr("The two passwords differ."));
        return;
    }
    m_problem->clear();
    const Role role = m_role->currentData().toString() == QLatin1String("operator") ? Role::Operator : Role::Device;
    m_monitor.setAccount(name, role, m_password->text());
    m_password->clear();
    m_repeat->clear();
}

void AccountsDialog::removeSelected()
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_accounts.size() || m_accounts.at(row).fromConfig)
        return;
    m_problem->clear();
    m_monitor.removeAccount(m_accounts.at(row).name);
}

} // namespace hermes::ui
