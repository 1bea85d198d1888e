// Tag expressions choose push audiences: parsing, precedence, evaluation and errors.
#include "../common/testmain.h"
#include "push/tagexpression.h"

#include <QtTest>

using hermes::push::TagExpression;
using hermes::push::TagExpressionError;

class TestTagExpression : public QObject
{
    Q_OBJECT
private slots:
    void evaluates_data();
    void evaluates();
    void canonicalText_data();
    void canonicalText();
    void rejects_data();
    void rejects();
    void deepNestingIsAnErrorNotACrash();
    void namesItsTags();
};

void TestTagExpression::evaluates_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QStringList>("tags");
    QTest::addColumn<bool>("matches");
    const QStringList vip{QStringLiteral("vip")};
    const QStringList vipBeta{QStringLiteral("beta"), QStringLiteral("vip")};
    QTest::newRow("single tag present") << "vip" << vip << true;
    QTest::newRow("single tag absent") << "vip" << QStringList{} << false;
    QTest::newRow("and not: vip without beta") << "vip && !beta" << vip << true;
    QTest::newRow("and not: vip with beta") << "vip && !beta" << vipBeta << false;
    QTest::newRow("keywords, any case") << "vip AND not Beta" << QStringList{"vip", "Beta"} << false;
    QTest::newRow("single & and |") << "a & b | c" << QStringList{"c"} << true;
    QTest::newRow("and binds tighter than or") << "a || b && c" << QStringList{"a"} << true;
    QTest::newRow("parentheses override") << "(a || b) && c" << QStringList{"a"} << false;
    QTest::newRow("not binds tightest") << "!a && b" << QStringList{"b"} << true;
    QTest::newRow("double negation") << "!!a" << QStringList{"a"} << true;
    QTest::newRow("tags with punctuation") << "region:cn-north && fw/2.1" << QStringList{"fw/2.1", "region:cn-north"} << true;
    QTest::newRow("tags are case-sensitive") << "VIP" << vip << false;
}

void TestTagExpression::evaluates()
{
    QFETCH(QString, expression);
    QFETCH(QStringList, tags);
    QFETCH(bool, matches);
    const auto parsed = TagExpression::parse(expression);
    if (const auto *error = std::get_if<TagExpressionError>(&parsed))
        QFAIL(qPrintable(error->toString()));
    QCOMPARE(std::get<TagExpression>(parsed).matches(tags), matches);
}

void TestTagExpression::canonicalText_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("keywords become symbols") << "vip and not beta" << "vip && !beta";
    QTest::newRow("redundant parentheses go") << "((a)) || (b && c)" << "a || b && c";
    QTest::newRow("needed parentheses stay") << "(a || b) && c" << "(a || b) && c";
    QTest::newRow("right-nested or keeps its group") << "a || (b || c)" << "a || (b || c)";
    QTest::newRow("not of a group") << "!(a && b)" << "!(a && b)";
}

void TestTagExpression::canonicalText()
{
    QFETCH(QString, expression);
    QFETCH(QString, canonical);
    const auto parsed = TagExpression::parse(expression);
    QVERIFY(std::holds_alternative<TagExpression>(parsed));
    QCOMPARE(std::get<TagExpression>(parsed).toString(), canonical);
    // The canonical text means the same thing.
    const auto again = TagExpression::parse(canonical);
    QVERIFY(std::holds_alternative<TagExpression>(again));
    QCOMPARE(std::get<TagExpression>(again).toString(), canonical);
}

void TestTagExpression::rejects_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << "   " << "empty tag expression at column 1";
    QTest::newRow("dangling and") << "vip &&" << "expected a tag at column 7";
    QTest::newRow("leading or") << "|| vip" << "expected a tag before '||' at column 1";
    QTest::newRow("unclosed parenthesis") << "(a || b" << "unclosed '(' at column 1";
    QTest::newRow("stray close") << "a)" << "unexpected ')' at column 2";
    QTest::newRow("two tags in a row") << "a b" << "unexpected 'b' at column 3";
    QTest::newRow("bad character") << "vip && b@d" << "unexpected '@' at column 9";
    QTest::newRow("bad first character") << "#vip" << "'#' cannot be part of a tag at column 1";
}

void TestTagExpression::rejects()
{
    QFETCH(QString, expression);
    QFETCH(QString, message);
    const auto parsed = TagExpression::parse(expression);
    QVERIFY(std::holds_alternative<TagExpressionError>(parsed));
    QCOMPARE(std::get<TagExpressionError>(parsed).toString(), message);
}

void TestTagExpression::deepNestingIsAnErrorNotACrash()
{
    const QString deep = QString(100000, QLatin1Char('(')) + QStringLiteral("a") + QString(100000, QLatin1Char(')'));
    const auto parsed = TagExpression::parse(deep);
    QVERIFY(std::holds_alternative<TagExpressionError>(parsed));
    QVERIFY(std::get<TagExpressionError>(parsed).message.contains(QLatin1String("nested")));
    const auto nots = TagExpression::parse(QString(100000, QLatin1Char('!')) + QStringLiteral("a"));
    QVERIFY(std::holds_alternative<TagExpressionError>(nots));
    // 60 levels is fine.
    const auto ok = TagExpression::parse(QString(60, QLatin1Char('(')) + QStringLiteral("a") + QString(60, QLatin1Char(')')));
    QVERIFY(std::holds_alternative<TagExpression>(ok));
}

void TestTagExpression::namesItsTags()
{
    const auto parsed = TagExpression::parse(u"vip && !(beta || vip) || cn");
    QVERIFY(std::holds_alternative<TagExpression>(parsed));
    QCOMPARE(std::get<TagExpression>(parsed).tags(), (QStringList{"beta", "cn", "vip"}));
    QVERIFY(TagExpression::isValidTag(u"fw/2.1"));
    QVERIFY(!TagExpression::isValidTag(u"and"));
    QVERIFY(!TagExpression::isValidTag(u"a b"));
    QVERIFY(!TagExpression::isValidTag(u""));
}

HERMES_TEST_APPLESS_MAIN(TestTagExpression)
#include "tst_tagexpression.moc"
