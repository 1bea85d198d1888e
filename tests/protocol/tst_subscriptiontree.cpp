#include <QtTest>

class TestSubscriptiontree : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_APPLESS_MAIN(TestSubscriptiontree)
#include "tst_subscriptiontree.moc"
