#include <QtTest>

class TestSessionmachine : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_APPLESS_MAIN(TestSessionmachine)
#include "tst_sessionmachine.moc"
