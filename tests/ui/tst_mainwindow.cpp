#include <QtTest>

class TestPlaceholder : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_MAIN(TestPlaceholder)
#include "tst_mainwindow.moc"
