#include <QtTest>

class TestTopic : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_APPLESS_MAIN(TestTopic)
#include "tst_topic.moc"
