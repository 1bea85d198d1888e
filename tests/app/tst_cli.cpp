// The three programs answer --version and --help without a display (a server has none).
#include "../common/testmain.h"
#include <QProcess>
#include <QtTest>

class TestCli : public QObject
{
    Q_OBJECT
private slots:
    void answersWithoutDisplay_data();
    void answersWithoutDisplay();
};

void TestCli::answersWithoutDisplay_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QString>("expected");
    const QList<std::pair<QString, QString>> programs = {
        {QStringLiteral(HERMES_BIN), QStringLiteral("hermes")},
        {QStringLiteral(HERMESD_BIN), QStringLiteral("hermesd")},
        {QStringLiteral(HERMESCTL_BIN), QStringLiteral("hermesctl")},
    };
    for (const auto &[path, name] : programs) {
        QTest::addRow("%s --version", qPrintable(name)) << path << QStringLiteral("--version")
                                                       << name + QStringLiteral(" 0.");
        QTest::addRow("%s --help", qPrintable(name)) << path << QStringLiteral("--help")
                                                    << QStringLiteral("--version");
    }
}

void TestCli::answersWithoutDisplay()
{
    QFETCH(QString, program);
    QFETCH(QString, flag);
    QFETCH(QString, expected);

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, {flag});
    QVERIFY2(process.waitForFinished(20000), qPrintable(process.errorString()));
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(out.contains(expected), qPrintable(out));
}

HERMES_TEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
