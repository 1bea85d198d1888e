#include <QtTest>

class TestClientMachine : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_APPLESS_MAIN(TestClientMachine)
#include "tst_clientmachine.moc"
