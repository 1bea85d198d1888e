#include <QtTest>

class TestCodec : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_APPLESS_MAIN(TestCodec)
#include "tst_codec.moc"
