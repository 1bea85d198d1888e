#include "accountsdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
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
    , m_save(new QPushButton(this))
    , m_remove(new QPushButton(this))
    , m_problem(new QLabel(this))
    , m_intro(new QLabel(this))
    , m_form(new QFormLayout)
{
    m_table->setObjectName(QStringLiteral("accountsTable"));
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_name->setObjectName(QStringLiteral("accountName"));
    m_role->setObjectName(QStringLiteral("accountRole"));
    m_role->addItem(QString(), QStringLiteral("device")); // texts in retranslateUi()
    m_role->addItem(QString(), QStringLiteral("operator"));
    for (QLineEdit *edit : {m_password, m_repeat})
        edit->setEchoMode(QLineEdit::Password);
    m_password->setObjectName(QStringLiteral("accountPassword"));
    m_repeat->setObjectName(QStringLiteral("accountPasswordRepeat"));
    m_save->setObjectName(QStringLiteral("accountSave"));
    m_remove->setObjectName(QStringLiteral("accountRemove"));
    m_problem->setObjectName(QStringLiteral("accountProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->setWordWrap(true);

    // Row labels are named in retranslateUi().
    m_form->addRow(new QLabel(this), m_name);
    m_form->addRow(new QLabel(this), m_role);
    m_form->addRow(new QLabel(this), m_password);
    m_form->addRow(new QLabel(this), m_repeat);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_save);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addWidget(m_table, 1);
    layout->addLayout(m_form);
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
    retranslateUi();
    updateButtons();
    resize(520, 460);
}

void AccountsDialog::retranslateUi()
{
    setWindowTitle(tr("Accounts"));
    m_table->setHorizontalHeaderLabels({tr("User name"), tr("Role"), tr("Defined in")});
    m_role->setItemText(0, tr("device"));
    m_role->setItemText(1, tr("operator"));
    m_save->setText(tr("Save account"));
    m_remove->setText(tr("Remove selected"));
    m_intro->setText(tr("Accounts from the config file can only be changed there. "
                        "Stored accounts apply at the next login."));
    const std::pair<QWidget *, QString> labels[] = {
        {m_name, tr("User name:")},
        {m_role, tr("Role:")},
        {m_password, tr("Password:")},
        {m_repeat, tr("Repeat:")},
    };
    for (const auto &[field, text] : labels) {
        if (auto *label = qobject_cast<QLabel *>(m_form->labelForField(field)))
            label->setText(text);
    }
    for (int row = 0; row < m_table->rowCount(); ++row)
        setAccountTexts(row);
}

void AccountsDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void AccountsDialog::setAccountTexts(int row)
{
    const AccountInfo &account = m_accounts.at(row);
    m_table->item(row, 1)->setText(account.role == Role::Operator ? tr("operator") : tr("device"));
    m_table->item(row, 2)->setText(account.fromConfig ? tr("config file") : tr("broker database"));
}

void AccountsDialog::showAccounts(const QList<AccountInfo> &accounts)
{
    m_accounts = accounts;
    m_table->setRowCount(int(accounts.size()));
    for (int row = 0; row < accounts.size(); ++row) {
        const AccountInfo &account = accounts.at(row);
        m_table->setItem(row, 0, new QTableWidgetItem(account.name));
        m_table->setItem(row, 1, new QTableWidgetItem);
        m_table->setItem(row, 2, new QTableWidgetItem);
        setAccountTexts(row);
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
