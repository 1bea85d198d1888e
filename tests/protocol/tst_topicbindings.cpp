// Topic bindings: topic filter -> message type, the most specific matching filter
// wins (rules in topicbindings.h), and the JSON the console keeps in QSettings round-trips;
// a broken saved value is refused with a reason and loses nothing.
#include "../common/testmain.h"
#include "schema/topicbindings.h"

#include <QRegularExpression>
#include <QTest>

using namespace hermes::schema;

namespace {

/// Bindings from "filter=type" strings, in order.
TopicBindings make(const QStringList &pairs)
{
    TopicBindings bindings;
    for (const QString &pair : pairs) {
        QString error;
        const bool ok = bindings.bind(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1), &error);
        if (!ok)
            qFatal("bad fixture binding %s: %s", qPrintable(pair), qPrintable(error));
    }
    return bindings;
}

} // namespace

class TestTopicBindings : public QObject
{
    Q_OBJECT

private slots:
    void resolvesMostSpecific_data();
    void resolvesMostSpecific();
    void orderOfBindingDoesNotMatter();
    void listsMatchesMostSpecificFirst();
    void refusesBadFilters_data();
    void refusesBadFilters();
    void rebindReplacesAndUnbindRemoves();
    void roundTripsJson();
    void refusesBadJson_data();
    void refusesBadJson();
};

void TestTopicBindings::resolvesMostSpecific_data()
{
    QTest::addColumn<QStringList>("bindings");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("expected"); // winning filter, empty for none

    QTest::newRow("telemetry/+/state beats telemetry/#")
            << QStringList{"telemetry/#=T.Any", "telemetry/+/state=T.State"} << "telemetry/d1/state"
            << "telemetry/+/state";
    QTest::newRow("rule 1: more literal levels beat wildcards")
            << QStringList{"telemetry/+/+=A", "telemetry/+/state=B", "+/+/+=C"} << "telemetry/d1/state"
            << "telemetry/+/state";
    QTest::newRow("rule 1: an exact topic beats everything")
            << QStringList{"a/+/c=A", "a/b/c=B", "a/b/#=C"} << "a/b/c" << "a/b/c";
    QTest::newRow("rule 1 before rule 2: a/b/# beats +/+/c (two literals against one)")
            << QStringList{"+/+/c=A", "a/b/#=B"} << "a/b/c" << "a/b/#";
    QTest::newRow("rule 2: '+' beats '#' at equal literals")
            << QStringList{"a/#=A", "a/+=B"} << "a/b" << "a/+";
    QTest::newRow("rule 2: a/+/+ beats a/# on three levels")
            << QStringList{"a/#=A", "a/+/+=B"} << "a/b/c" << "a/+/+";
    QTest::newRow("rule 2: the parent level itself, a beats a/#")
            << QStringList{"a/#=A", "a=B"} << "a" << "a";
    QTest::newRow("rule 3: longer '#' filter wins") << QStringList{"a/#=A", "a/+/#=B"} << "a/b/c" << "a/+/#";
    QTest::newRow("rule 4: leftmost literal wins") << QStringList{"+/b=A", "a/+=B"} << "a/b" << "a/+";
    QTest::newRow("rule 3: +/# beats # (more levels)")
            << QStringList{"#=A", "+/#=B"} << "a/b" << "+/#";
    QTest::newRow("no filter matches") << QStringList{"a/+=A", "b/#=B"} << "c/d" << "";
    QTest::newRow("'+' does not match two levels") << QStringList{"a/+=A"} << "a/b/c" << "";
    QTest::newRow("$SYS topics are not matched by a leading wildcard [MQTT-4.7.2-1]")
            << QStringList{"#=A", "+/broker/load=B"} << "$SYS/broker/load" << "";
    QTest::newRow("$SYS topics match an explicit $SYS filter")
            << QStringList{"#=A", "$SYS/#=B"} << "$SYS/broker/load" << "$SYS/#";
    QTest::newRow("devices/+/push for the envelope")
            << QStringList{"devices/+/push=hermes.push.v1.Envelope", "devices/#=X"} << "devices/d7/push"
            << "devices/+/push";
}

void TestTopicBindings::resolvesMostSpecific()
{
    QFETCH(QStringList, bindings);
    QFETCH(QString, topic);
    QFETCH(QString, expected);
    const TopicBindings table = make(bindings);
    const std::optional<TopicBinding> winner = table.resolve(topic);
    QCOMPARE(winner ? winner->filter : QString(), expected);
    if (winner) {
        const QString type = bindings.filter(QRegularExpression(QLatin1Char('^') + QRegularExpression::escape(expected) + QLatin1Char('='))).first().section(QLatin1Char('='), 1);
        QCOMPARE(winner->messageType, type);
    }
}

void TestTopicBindings::orderOfBindingDoesNotMatter()
{
    // Every permutation of four overlapping filters resolves the same way.
    QStringList filters{"a/#=W", "a/+/c=X", "+/b/c=Y", "a/+/+=Z"};
    std::sort(filters.begin(), filters.end());
    int permutations = 0;
    do {
        QCOMPARE(make(filters).resolve(u"a/b/c")->filter, QStringLiteral("a/+/c"));
        QCOMPARE(make(filters).resolve(u"a/x")->filter, QStringLiteral("a/#"));
        ++permutations;
    } while (std::next_permutation(filters.begin(), filters.end()));
    QCOMPARE(permutations, 24);
}

void TestTopicBindings::listsMatchesMostSpecificFirst()
{
    const TopicBindings table = make({"#=A", "a/#=B", "a/+/c=C", "a/b/c=D", "x/#=E", "+/b/c=F"});
    QStringList order;
    for (const TopicBinding &b : table.matching(u"a/b/c"))
        order << b.filter;
    QCOMPARE(order, (QStringList{"a/b/c", "a/+/c", "+/b/c", "a/#", "#"}));
    QVERIFY(table.matching(u"q").size() == 1);
    // Specificity is antisymmetric and zero only for equal filters.
    QCOMPARE(TopicBindings::compareSpecificity(u"a/+", u"a/+"), 0);
    QVERIFY(TopicBindings::compareSpecificity(u"a/+", u"+/b") < 0);
    QVERIFY(TopicBindings::compareSpecificity(u"+/b", u"a/+") > 0);
    QVERIFY(TopicBindings::compareSpecificity(u"a/b", u"a/c") != 0); // rule 5: never a tie
}

void TestTopicBindings::refusesBadFilters_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("error");
    QTest::newRow("'#' not last [MQTT-4.7.1-2]") << "a/#/b" << "T" << "\"a/#/b\" is not a valid topic filter";
    QTest::newRow("'+' inside a level [MQTT-4.7.1-3]") << "a/b+" << "T" << "\"a/b+\" is not a valid topic filter";
    QTest::newRow("empty filter [MQTT-4.7.3-1]") << "" << "T" << "\"\" is not a valid topic filter";
    QTest::newRow("shared subscription")
            << "$share/g/a/+" << "T" << "\"$share/g/a/+\" is a shared subscription; bind the topic filter after the group";
    QTest::newRow("no type") << "a/+" << "  " << "no message type for \"a/+\"";
}

void TestTopicBindings::refusesBadFilters()
{
    QFETCH(QString, filter);
    QFETCH(QString, type);
    QFETCH(QString, error);
    TopicBindings table = make({"a/b=Kept"});
    QString why;
    QVERIFY(!table.bind(filter, type, &why));
    QCOMPARE(why, error);
    QCOMPARE(table.size(), 1);
}

void TestTopicBindings::rebindReplacesAndUnbindRemoves()
{
    TopicBindings table = make({"a/+=A", "b/#=B", "c=C"});
    QVERIFY(table.bind(QStringLiteral("b/#"), QStringLiteral(" B2 ")));
    QCOMPARE(table.bindings(), (QList<TopicBinding>{{"a/+", "A"}, {"b/#", "B2"}, {"c", "C"}}));
    QVERIFY(table.unbind(QStringLiteral("a/+")));
    QVERIFY(!table.unbind(QStringLiteral("a/+")));
    QVERIFY(!table.unbind(QStringLiteral("b/+"))); // exact filter only, not a match
    QCOMPARE(table.bindings(), (QList<TopicBinding>{{"b/#", "B2"}, {"c", "C"}}));
    QVERIFY(!table.resolve(u"a/x"));
    table.clear();
    QVERIFY(table.isEmpty());
}

void TestTopicBindings::roundTripsJson()
{
    const TopicBindings table = make({"telemetry/+/state=hermes.test.Telemetry", "devices/+/push=hermes.push.v1.Envelope",
                                      "重要/#=hermes.test.Ping"});
    const QByteArray json = table.toJson();
    QCOMPARE(json, QByteArray(R"({"bindings":[{"filter":"telemetry/+/state","type":"hermes.test.Telemetry"},)"
                              R"({"filter":"devices/+/push","type":"hermes.push.v1.Envelope"},)"
                              R"({"filter":"重要/#","type":"hermes.test.Ping"}],"version":1})"));
    QString error;
    const std::optional<TopicBindings> back = TopicBindings::fromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, table);
    const std::optional<TopicBindings> empty = TopicBindings::fromJson(TopicBindings().toJson());
    QVERIFY(empty && empty->isEmpty());
}

void TestTopicBindings::refusesBadJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("not JSON") << QByteArray("{\"version\":1,") << "topic bindings: not JSON (unterminated object at offset 13)";
    QTest::newRow("empty setting") << QByteArray() << "topic bindings: not JSON (illegal value at offset 0)";
    QTest::newRow("array at the top") << QByteArray("[]") << "topic bindings: expected a JSON object";
    QTest::newRow("no version") << QByteArray(R"({"bindings":[]})") << "topic bindings: missing or bad \"version\"";
    QTest::newRow("newer version")
            << QByteArray(R"({"version":2,"bindings":[]})") << "topic bindings: version 2 is newer than this program reads (1)";
    QTest::newRow("bindings not an array")
            << QByteArray(R"({"version":1,"bindings":{}})") << "topic bindings: \"bindings\" must be an array";
    QTest::newRow("entry without type")
            << QByteArray(R"({"version":1,"bindings":[{"filter":"a"}]})")
            << "topic bindings: binding 0 needs string \"filter\" and \"type\"";
    QTest::newRow("invalid filter names the entry")
            << QByteArray(R"({"version":1,"bindings":[{"filter":"a","type":"T"},{"filter":"a/#/b","type":"T"}]})")
            << "topic bindings: binding 1: \"a/#/b\" is not a valid topic filter";
    QTest::newRow("filter bound twice")
            << QByteArray(R"({"version":1,"bindings":[{"filter":"a","type":"T"},{"filter":"a","type":"U"}]})")
            << "topic bindings: binding 1: filter \"a\" is bound twice";
}

void TestTopicBindings::refusesBadJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    // The console keeps what it has when the saved value does not load.
    TopicBindings current = make({"a/+=A"});
    QString why;
    const std::optional<TopicBindings> loaded = TopicBindings::fromJson(json, &why);
    QVERIFY(!loaded);
    QCOMPARE(why, error);
    QCOMPARE(current.bindings(), (QList<TopicBinding>{{"a/+", "A"}}));
}

HERMES_TEST_APPLESS_MAIN(TestTopicBindings)
#include "tst_topicbindings.moc"
