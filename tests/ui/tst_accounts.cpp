// The Accounts dialog, driven as an operator would: a stored account is added, logs in over
// MQTT, and is removed; the config file's account is shown but cannot be removed.
#include "../common/testmain.h"
#include "accountsdialog.h"

#include "engine/local/localengine.h"
#include "../common/mqttlogin.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;

class TestAccounts : public QObject
{
    Q_OBJECT
private slots:
    void addLoginAndRemove();

};

void TestAccounts::addLoginAndRemove()
{
    QTemporaryDir data;
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.dataDir = data.path();
    config.sysIntervalSeconds = 0;
    config.accounts = {Account{QStringLiteral("ops"), Role::Operator, PasswordHash::create("operator-pass", 1000)}};
    LocalEngine engine(config);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().constFirst().port;

    ui::AccountsDialog dialog(engine);
    dialog.show();
    auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("accountsTable"));
    auto *name = dialog.findChild<QLineEdit *>(QStringLiteral("accountName"));
    auto *role = dialog.findChild<QComboBox *>(QStringLiteral("accountRole"));
    auto *password = dialog.findChild<QLineEdit *>(QStringLiteral("accountPassword"));
    auto *repeat = dialog.findChild<QLineEdit *>(QStringLiteral("accountPasswordRepeat"));
    auto *save = dialog.findChild<QPushButton *>(QStringLiteral("accountSave"));
    auto *remove = dialog.findChild<QPushButton *>(QStringLiteral("accountRemove"));
    auto *problem = dialog.findChild<QLabel *>(QStringLiteral("accountProblem"));
    QVERIFY(table && name && role && password && repeat && save && remove && problem);

    // The config file's account is listed and cannot be removed from here.
    QTRY_COMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("ops"));
    table->selectRow(0);
    QVERIFY(!remove->isEnabled());

    QTest::keyClicks(name, QStringLiteral("dev-5"));
    QTest::keyClicks(password, QStringLiteral("device-pass-5"));
    QTest::keyClicks(repeat, QStringLiteral("device-pass-6"));
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(problem->text(), QStringLiteral("The two passwords differ."));
    repeat->clear();
    QTest::keyClicks(repeat, QStringLiteral("device-pass-5"));
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_COMPARE(table->rowCount(), 2);
    QVERIFY(problem->text().isEmpty());
    QCOMPARE(test::loginResult(port, QStringLiteral("dev-5"), "device-pass-5"), mqtt::ReasonCode::Success);

    // Changing the config file's account is the engine's to refuse, and the dialog says why.
    name->setText(QStringLiteral("ops"));
    password->setText(QStringLiteral("another-pass"));
    repeat->setText(QStringLiteral("another-pass"));
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_VERIFY(problem->text().contains(QLatin1String("config file")));

    const int row = table->item(0, 0)->text() == QLatin1String("dev-5") ? 0 : 1;
    table->selectRow(row);
    QVERIFY(remove->isEnabled());
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_COMPARE(table->rowCount(), 1);
    QCOMPARE(test::loginResult(port, QStringLiteral("dev-5"), "device-pass-5"), mqtt::ReasonCode::BadUserNameOrPassword);
}

HERMES_TEST_MAIN(TestAccounts)
#include "tst_accounts.moc"
