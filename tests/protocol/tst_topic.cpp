#include <QtTest>

#include <QRandomGenerator>

#include "../common/testmain.h"
#include "mqtt/topic.h"

using namespace hermes::mqtt;

namespace {

// An independent, allocating reference for topicMatches: split both into levels and compare
// lists, as the specification's prose reads (4.7.1, 4.7.2).
bool referenceMatches(const QString &filter, const QString &topic)
{
    if (topic.startsWith(u'$') && (filter.startsWith(u'+') || filter.startsWith(u'#')))
        return false;
    const QStringList f = filter.split(u'/');
    const QStringList t = topic.split(u'/');
    for (qsizetype i = 0; i < f.size(); ++i) {
        if (f[i] == u"#")
            return true; // also when t has exactly i levels: the parent level
        if (i >= t.size())
            return false;
        if (f[i] != u"+" && f[i] != t[i])
            return false;
    }
    return f.size() == t.size();
}

// False for a string with an unpaired surrogate: toUtf8() would replace it by U+FFFD.
bool hasUtf8Form(const QString &text)
{
    return QString::fromUtf8(text.toUtf8()) == text;
}

} // namespace

class TestTopic : public QObject
{
    Q_OBJECT
private slots:
    void topicName_data();
    void topicName();
    void topicFilter_data();
    void topicFilter();
    void lengthLimit_data();
    void lengthLimit();
    void matches_data();
    void matches();
    void sharedFilter_data();
    void sharedFilter();
    void matchesAgreesWithReference();
};

void TestTopic::topicName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain levels") << u"sport/tennis/player1"_qs << true;
    QTest::newRow("single '/' is a name of two empty levels [4.7.3]") << u"/"_qs << true;
    QTest::newRow("leading '/' is distinct and valid [4.7.3]") << u"/finance"_qs << true;
    QTest::newRow("trailing '/' is valid [4.7.3]") << u"finance/"_qs << true;
    QTest::newRow("empty levels in the middle") << u"a//b"_qs << true;
    QTest::newRow("space allowed [4.7.3]") << u"Accounts payable"_qs << true;
    QTest::newRow("$SYS name is valid for the server to publish [4.7.2]")
        << u"$SYS/broker/load"_qs << true;
    QTest::newRow("non-ASCII levels") << u"传感器/温度"_qs << true;
    QTest::newRow("astral plane (surrogate pair)") << u"emoji/\U0001F600"_qs << true;
    QTest::newRow("empty [MQTT-4.7.3-1]") << QString() << false;
    QTest::newRow("'+' in a name v5 [MQTT-4.7.0-1] [MQTT-3.3.2-2]") << u"sport/+"_qs << false;
    QTest::newRow("'#' in a name v5 [MQTT-4.7.0-1] [MQTT-3.3.2-2]") << u"sport/#"_qs << false;
    QTest::newRow("'+' inside a level is still a wildcard char [MQTT-3.3.2-2]")
        << u"a+b"_qs << false;
    QTest::newRow("U+0000 [MQTT-4.7.3-2]") << QString(u"a\0b"_qs) << false;
    QTest::newRow("unpaired high surrogate has no UTF-8 [MQTT-1.5.4-1]")
        << QString(QChar(0xD800)) + u"x"_qs << false;
    QTest::newRow("unpaired low surrogate has no UTF-8 [MQTT-1.5.4-1]")
        << u"x"_qs + QChar(0xDC00) << false;
}

void TestTopic::topicName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(isValidTopicName(name), valid);
    // The bytes a packet carries get the same verdict (a lone surrogate has no UTF-8 form).
    if (hasUtf8Form(name))
        QCOMPARE(!topicNameFault(name.toUtf8()), valid);
}

void TestTopic::topicFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("valid");

    // Spec IDs in row names are MQTT 5.0's. MQTT 3.1.1 numbers the same rules
    // [MQTT-4.7.1-2] ('#') and [MQTT-4.7.1-3] ('+'). MQTT 5.0 / 3.1.1 4.7.1.2 examples:
    QTest::newRow("'#' alone [MQTT-4.7.1-1]") << u"#"_qs << true;
    QTest::newRow("sport/tennis/# [MQTT-4.7.1-1]") << u"sport/tennis/#"_qs << true;
    QTest::newRow("sport/tennis/player1/# [MQTT-4.7.1-1]") << u"sport/tennis/player1/#"_qs << true;
    QTest::newRow("sport/tennis# : '#' not after '/' [MQTT-4.7.1-1]")
        << u"sport/tennis#"_qs << false;
    QTest::newRow("sport/tennis/#/ranking : '#' not last [MQTT-4.7.1-1]")
        << u"sport/tennis/#/ranking"_qs << false;
    QTest::newRow("'##' [MQTT-4.7.1-1]") << u"##"_qs << false;
    QTest::newRow("'#/' : '#' not last character [MQTT-4.7.1-1]") << u"#/"_qs << false;
    QTest::newRow("'/#' [MQTT-4.7.1-1]") << u"/#"_qs << true;
    // MQTT 5.0 4.7.1.3 examples ([MQTT-4.7.1-3] in 3.1.1).
    QTest::newRow("'+' alone [MQTT-4.7.1-2]") << u"+"_qs << true;
    QTest::newRow("+/tennis/# [MQTT-4.7.1-2]") << u"+/tennis/#"_qs << true;
    QTest::newRow("sport+ : '+' not a whole level [MQTT-4.7.1-2]") << u"sport+"_qs << false;
    QTest::newRow("+sport [MQTT-4.7.1-2]") << u"+sport"_qs << false;
    QTest::newRow("sport/+/player1 [MQTT-4.7.1-2]") << u"sport/+/player1"_qs << true;
    QTest::newRow("+/+ [MQTT-4.7.1-2]") << u"+/+"_qs << true;
    QTest::newRow("/+ [MQTT-4.7.1-2]") << u"/+"_qs << true;
    QTest::newRow("'++' [MQTT-4.7.1-2]") << u"++"_qs << false;
    QTest::newRow("'+#' [MQTT-4.7.1-1] [MQTT-4.7.1-2]") << u"+#"_qs << false;
    QTest::newRow("'+/#' [MQTT-4.7.1-1] [MQTT-4.7.1-2]") << u"+/#"_qs << true;
    QTest::newRow("$SYS/# [4.7.2]") << u"$SYS/#"_qs << true;
    QTest::newRow("'/' [4.7.3]") << u"/"_qs << true;
    QTest::newRow("empty [MQTT-4.7.3-1]") << QString() << false;
    QTest::newRow("U+0000 [MQTT-4.7.3-2]") << QString(u"a/\0/b"_qs) << false;
    QTest::newRow("unpaired surrogate [MQTT-1.5.4-1]") << u"a/"_qs + QChar(0xDFFF) << false;
    // Shared subscriptions, MQTT 5.0 4.8.2.
    QTest::newRow("$share/consumer1/sport/tennis/+ [MQTT-4.8.2-1]")
        << u"$share/consumer1/sport/tennis/+"_qs << true;
    QTest::newRow("$share/g/# [MQTT-4.8.2-1]") << u"$share/g/#"_qs << true;
    QTest::newRow("$share/g// : filter '/' [MQTT-4.8.2-2]") << u"$share/g//"_qs << true;
    QTest::newRow("$share//a : empty ShareName [MQTT-4.8.2-1]") << u"$share//a"_qs << false;
    QTest::newRow("$share/g : no filter [MQTT-4.8.2-2]") << u"$share/g"_qs << false;
    QTest::newRow("$share/g/ : empty filter [MQTT-4.8.2-2] [MQTT-4.7.3-1]")
        << u"$share/g/"_qs << false;
    QTest::newRow("$share/ : no ShareName [MQTT-4.8.2-1]") << u"$share/"_qs << false;
    QTest::newRow("$share/+/a : '+' in ShareName [MQTT-4.8.2-2]") << u"$share/+/a"_qs << false;
    QTest::newRow("$share/g#/a : '#' in ShareName [MQTT-4.8.2-2]") << u"$share/g#/a"_qs << false;
    QTest::newRow("$share/g+h/a : '+' in ShareName [MQTT-4.8.2-2]") << u"$share/g+h/a"_qs << false;
    QTest::newRow("$share/g/sport+ : invalid filter part [MQTT-4.7.1-2]")
        << u"$share/g/sport+"_qs << false;
    QTest::newRow("$share/g/a/#/b : invalid filter part [MQTT-4.7.1-1]")
        << u"$share/g/a/#/b"_qs << false;
    QTest::newRow("bare $share is an ordinary filter [4.8.2]") << u"$share"_qs << true;
    QTest::newRow("$shared/x is an ordinary filter (prefix is \"$share/\") [4.8.2]")
        << u"$shared/x"_qs << true;
    QTest::newRow("$SHARE/g/a is ordinary: the prefix is case-sensitive [4.8.2]")
        << u"$SHARE/g/a"_qs << true;
}

void TestTopic::topicFilter()
{
    QFETCH(QString, filter);
    QFETCH(bool, valid);
    QCOMPARE(isValidTopicFilter(filter), valid);
    if (hasUtf8Form(filter))
        QCOMPARE(!topicFilterFault(filter.toUtf8()), valid);
}

void TestTopic::lengthLimit_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("65535 ASCII bytes [MQTT-4.7.3-3]") << QString(65535, u'a') << true;
    QTest::newRow("65536 ASCII bytes [MQTT-4.7.3-3]") << QString(65536, u'a') << false;
    // U+20AC is three UTF-8 bytes (E2 82 AC): 21845 of them are exactly 65535 bytes.
    QTest::newRow("21845 x U+20AC = 65535 bytes [MQTT-4.7.3-3]")
        << QString(21845, QChar(0x20AC)) << true;
    QTest::newRow("21845 x U+20AC + 'a' = 65536 bytes [MQTT-4.7.3-3]")
        << QString(21845, QChar(0x20AC)) + u'a' << false;
    // U+00E9 is two bytes (C3 A9): 32767 of them plus one ASCII byte is 65535.
    QTest::newRow("32767 x U+00E9 + 'a' = 65535 bytes [MQTT-4.7.3-3]")
        << QString(32767, QChar(0xE9)) + u'a' << true;
    QTest::newRow("32768 x U+00E9 = 65536 bytes [MQTT-4.7.3-3]")
        << QString(32768, QChar(0xE9)) << false;
    // U+1F600 is four bytes (F0 9F 98 80) in two UTF-16 units.
    QString astral;
    for (int i = 0; i < 16383; ++i)
        astral += u"\U0001F600"_qs;
    QTest::newRow("16383 x U+1F600 + 3 ASCII = 65535 bytes [MQTT-4.7.3-3]")
        << astral + u"abc"_qs << true;
    QTest::newRow("16383 x U+1F600 + 4 ASCII = 65536 bytes [MQTT-4.7.3-3]")
        << astral + u"abcd"_qs << false;
}

void TestTopic::lengthLimit()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QCOMPARE(text.toUtf8().size() <= 65535, valid); // the row's own arithmetic is right
    QCOMPARE(isValidTopicName(text), valid);
    QCOMPARE(isValidTopicFilter(text), valid);
    QCOMPARE(!topicNameFault(text.toUtf8()), valid);
    QCOMPARE(topicFilterFault(text.toUtf8()) == TopicFault::TooLong, !valid);
    // The limit covers a shared filter as a whole, prefix and group included: replace the
    // first nine ASCII characters by the nine bytes of "$share/g/".
    if (text.startsWith(u"aaaaaaaaa")) {
        const QString shared = u"$share/g/"_qs + text.sliced(9);
        QCOMPARE(isValidTopicFilter(shared), valid);
    }
}

void TestTopic::matches_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("expected");

    // MQTT 5.0 / 3.1.1 section 4.7.1.2, multi-level wildcard.
    QTest::newRow("sport/tennis/player1/# ~ sport/tennis/player1 (parent) [4.7.1.2]")
        << u"sport/tennis/player1/#"_qs << u"sport/tennis/player1"_qs << true;
    QTest::newRow("sport/tennis/player1/# ~ .../ranking [4.7.1.2]")
        << u"sport/tennis/player1/#"_qs << u"sport/tennis/player1/ranking"_qs << true;
    QTest::newRow("sport/tennis/player1/# ~ .../score/wimbledon [4.7.1.2]")
        << u"sport/tennis/player1/#"_qs << u"sport/tennis/player1/score/wimbledon"_qs << true;
    QTest::newRow("sport/tennis/player1/# !~ sport/tennis/player2 [4.7.1.2]")
        << u"sport/tennis/player1/#"_qs << u"sport/tennis/player2"_qs << false;
    QTest::newRow("sport/tennis/player1/# !~ sport/tennis [4.7.1.2]")
        << u"sport/tennis/player1/#"_qs << u"sport/tennis"_qs << false;
    QTest::newRow("sport/# ~ sport (parent level) [4.7.1.2]")
        << u"sport/#"_qs << u"sport"_qs << true;
    QTest::newRow("sport/# ~ sport/ [4.7.1.2]") << u"sport/#"_qs << u"sport/"_qs << true;
    QTest::newRow("sport/# !~ sports [4.7.1.2]") << u"sport/#"_qs << u"sports"_qs << false;
    QTest::newRow("# ~ any topic [4.7.1.2]") << u"#"_qs << u"a/b/c"_qs << true;
    QTest::newRow("# ~ / [4.7.1.2]") << u"#"_qs << u"/"_qs << true;
    QTest::newRow("+/tennis/# ~ sport/tennis [4.7.1.2]")
        << u"+/tennis/#"_qs << u"sport/tennis"_qs << true;
    QTest::newRow("+/tennis/# ~ sport/tennis/player1/x [4.7.1.2]")
        << u"+/tennis/#"_qs << u"sport/tennis/player1/x"_qs << true;
    QTest::newRow("+/tennis/# !~ sport/golf [4.7.1.2]")
        << u"+/tennis/#"_qs << u"sport/golf"_qs << false;
    // 4.7.1.3, single-level wildcard.
    QTest::newRow("sport/tennis/+ ~ sport/tennis/player1 [4.7.1.3]")
        << u"sport/tennis/+"_qs << u"sport/tennis/player1"_qs << true;
    QTest::newRow("sport/tennis/+ ~ sport/tennis/player2 [4.7.1.3]")
        << u"sport/tennis/+"_qs << u"sport/tennis/player2"_qs << true;
    QTest::newRow("sport/tennis/+ !~ sport/tennis/player1/ranking [4.7.1.3]")
        << u"sport/tennis/+"_qs << u"sport/tennis/player1/ranking"_qs << false;
    QTest::newRow("sport/+ !~ sport [4.7.1.3]") << u"sport/+"_qs << u"sport"_qs << false;
    QTest::newRow("sport/+ ~ sport/ (empty level) [4.7.1.3]")
        << u"sport/+"_qs << u"sport/"_qs << true;
    QTest::newRow("+/+ ~ /finance [4.7.1.3]") << u"+/+"_qs << u"/finance"_qs << true;
    QTest::newRow("/+ ~ /finance [4.7.1.3]") << u"/+"_qs << u"/finance"_qs << true;
    QTest::newRow("+ !~ /finance [4.7.1.3]") << u"+"_qs << u"/finance"_qs << false;
    QTest::newRow("+ ~ finance [4.7.1.3]") << u"+"_qs << u"finance"_qs << true;
    QTest::newRow("+/+ ~ / (two empty levels) [4.7.1.3]") << u"+/+"_qs << u"/"_qs << true;
    QTest::newRow("sport/+/player1 ~ sport/tennis/player1 [4.7.1.3]")
        << u"sport/+/player1"_qs << u"sport/tennis/player1"_qs << true;
    QTest::newRow("sport/+/player1 !~ sport/tennis/player2 [4.7.1.3]")
        << u"sport/+/player1"_qs << u"sport/tennis/player2"_qs << false;
    // 4.7.2, topics beginning with '$'.
    QTest::newRow("# !~ $SYS/x [MQTT-4.7.2-1]") << u"#"_qs << u"$SYS/x"_qs << false;
    QTest::newRow("# !~ $SYS [MQTT-4.7.2-1]") << u"#"_qs << u"$SYS"_qs << false;
    QTest::newRow("+/monitor/Clients !~ $SYS/monitor/Clients [MQTT-4.7.2-1]")
        << u"+/monitor/Clients"_qs << u"$SYS/monitor/Clients"_qs << false;
    QTest::newRow("+/# !~ $SYS [MQTT-4.7.2-1]") << u"+/#"_qs << u"$SYS"_qs << false;
    QTest::newRow("$SYS/# ~ $SYS/monitor/Clients [4.7.2]")
        << u"$SYS/#"_qs << u"$SYS/monitor/Clients"_qs << true;
    QTest::newRow("$SYS/# ~ $SYS/x [4.7.2]") << u"$SYS/#"_qs << u"$SYS/x"_qs << true;
    QTest::newRow("$SYS/# ~ $SYS (parent level) [4.7.2]") << u"$SYS/#"_qs << u"$SYS"_qs << true;
    QTest::newRow("$SYS/monitor/+ ~ $SYS/monitor/Clients [4.7.2]")
        << u"$SYS/monitor/+"_qs << u"$SYS/monitor/Clients"_qs << true;
    QTest::newRow("a/+ ~ a/$b ('$' only matters at level one) [4.7.2]")
        << u"a/+"_qs << u"a/$b"_qs << true;
    QTest::newRow("# ~ a/$b [4.7.2]") << u"#"_qs << u"a/$b"_qs << true;
    // 4.7.3, no normalisation and case sensitivity.
    QTest::newRow("ACCOUNTS !~ Accounts [MQTT-4.7.3-4]")
        << u"ACCOUNTS"_qs << u"Accounts"_qs << false;
    QTest::newRow("/finance !~ finance [4.7.3]") << u"/finance"_qs << u"finance"_qs << false;
    QTest::newRow("finance !~ finance/ [4.7.3]") << u"finance"_qs << u"finance/"_qs << false;
    QTest::newRow("e + U+0301 !~ U+00E9 (no normalisation) [MQTT-4.7.3-4]")
        << u"caf\u00e9"_qs << u"cafe\u0301"_qs << false;
    QTest::newRow("exact equality") << u"a/b/c"_qs << u"a/b/c"_qs << true;
    QTest::newRow("filter longer than topic") << u"a/b/c"_qs << u"a/b"_qs << false;
    QTest::newRow("topic longer than filter") << u"a/b"_qs << u"a/b/c"_qs << false;
    QTest::newRow("prefix of a level is no match") << u"a/b"_qs << u"a/bc"_qs << false;
}

void TestTopic::matches()
{
    QFETCH(QString, filter);
    QFETCH(QString, topic);
    QFETCH(bool, expected);
    QVERIFY(isValidTopicFilter(filter));
    QVERIFY(isValidTopicName(topic));
    QCOMPARE(topicMatches(filter, topic), expected);
    QCOMPARE(referenceMatches(filter, topic), expected);
}

void TestTopic::sharedFilter_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("isShared");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("inner");

    QTest::newRow("$share/consumer1/sport/tennis/+ [MQTT-4.8.2-1]")
        << u"$share/consumer1/sport/tennis/+"_qs << true << u"consumer1"_qs << u"sport/tennis/+"_qs;
    QTest::newRow("$share/consumer2/sport/tennis/+ [MQTT-4.8.2-1]")
        << u"$share/consumer2/sport/tennis/+"_qs << true << u"consumer2"_qs << u"sport/tennis/+"_qs;
    QTest::newRow("$share/g/# [MQTT-4.8.2-1]") << u"$share/g/#"_qs << true << u"g"_qs << u"#"_qs;
    QTest::newRow("$share/g/$SYS/# keeps the $ filter [MQTT-4.8.2-2]")
        << u"$share/g/$SYS/#"_qs << true << u"g"_qs << u"$SYS/#"_qs;
    QTest::newRow("$share/g// : filter is '/' [MQTT-4.8.2-2]")
        << u"$share/g//"_qs << true << u"g"_qs << u"/"_qs;
    QTest::newRow("ordinary filter") << u"sport/tennis"_qs << false << QString() << QString();
    QTest::newRow("bare $share is ordinary") << u"$share"_qs << false << QString() << QString();
    QTest::newRow("$share/g without filter [MQTT-4.8.2-2]")
        << u"$share/g"_qs << false << QString() << QString();
    QTest::newRow("$share/g/ empty filter [MQTT-4.8.2-2]")
        << u"$share/g/"_qs << false << QString() << QString();
    QTest::newRow("$share//a empty group [MQTT-4.8.2-1]")
        << u"$share//a"_qs << false << QString() << QString();
    QTest::newRow("$share/a+/b '+' in group [MQTT-4.8.2-2]")
        << u"$share/a+/b"_qs << false << QString() << QString();
    QTest::newRow("$share/#/b '#' in group [MQTT-4.8.2-2]")
        << u"$share/#/b"_qs << false << QString() << QString();
    QTest::newRow("$share/g/a# invalid filter [MQTT-4.7.1-1]")
        << u"$share/g/a#"_qs << false << QString() << QString();
}

void TestTopic::sharedFilter()
{
    QFETCH(QString, filter);
    QFETCH(bool, isShared);
    QFETCH(QString, group);
    QFETCH(QString, inner);
    const std::optional<SharedFilter> parsed = parseSharedFilter(filter);
    QCOMPARE(parsed.has_value(), isShared);
    if (parsed) {
        QCOMPARE(parsed->group, group);
        QCOMPARE(parsed->filter, inner);
        QVERIFY(isValidTopicFilter(filter));
        QVERIFY(isValidTopicFilter(parsed->filter));
    }
}

// Property: topicMatches agrees with the split-and-compare reference on random filters and
// topics drawn from a small alphabet (so that matches are frequent). Fixed seed.
void TestTopic::matchesAgreesWithReference()
{
    QRandomGenerator rng(20261122);
    const QStringList words{u"a"_qs, u"b"_qs, u""_qs, u"a"_qs, u"$SYS"_qs};
    const auto randomLevels = [&](bool wildcards) {
        const int levels = 1 + int(rng.bounded(4));
        QStringList out;
        for (int i = 0; i < levels; ++i) {
            const quint32 roll = rng.bounded(6);
            if (wildcards && roll == 0)
                out << u"+"_qs;
            else if (wildcards && roll == 1 && i == levels - 1)
                out << u"#"_qs;
            else
                out << words[rng.bounded(int(words.size()))];
        }
        const QString joined = out.join(u'/');
        return joined.isEmpty() ? u"a"_qs : joined; // [MQTT-4.7.3-1] at least one character
    };
    int positives = 0;
    for (int i = 0; i < 20000; ++i) {
        const QString filter = randomLevels(true);
        const QString topic = randomLevels(false);
        QVERIFY2(isValidTopicFilter(filter), qPrintable(filter));
        const bool expected = referenceMatches(filter, topic);
        if (topicMatches(filter, topic) != expected)
            QFAIL(qPrintable(
                u"filter '%1' topic '%2' expected %3"_qs.arg(filter, topic).arg(expected)));
        positives += expected;
    }
    qDebug("%d of 20000 pairs match", positives);
    QVERIFY2(positives > 1000, "the generator should produce plenty of matches");
}

HERMES_TEST_APPLESS_MAIN(TestTopic)
#include "tst_topic.moc"
