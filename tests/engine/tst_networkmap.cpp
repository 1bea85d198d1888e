// Networks named by address ranges: longest prefix wins, IPv4 and IPv6, CSV tables with
// line-numbered errors, and the /16 (/48) groups for addresses nobody named.
#include "../common/testmain.h"
#include "engine/analytics/networkmap.h"

using hermes::analytics::NetworkMap;

class TestNetworkMap : public QObject
{
    Q_OBJECT
private slots:
    void longestPrefixWins_data();
    void longestPrefixWins();
    void unnamedAddressesGroupByPrefix_data();
    void unnamedAddressesGroupByPrefix();
    void badRangesAreRefused();
    void csvTables();
    void manyRangesStayExact();
};

namespace {
NetworkMap sampleMap()
{
    NetworkMap map;
    QString error;
    for (const auto &[name, cidr] : {std::pair{"mobile", "10.0.0.0/8"}, {"mobile-sh", "10.20.0.0/16"},
                                      {"office", "10.20.30.0/24"}, {"sim-a", "127.0.1.0/24"},
                                      {"v6-carrier", "2001:db8::/32"}, {"v6-site", "2001:db8:1:2::/64"}})
        if (!map.add(QString::fromLatin1(name), QString::fromLatin1(cidr), &error))
            qFatal("%s", qPrintable(error));
    return map;
}
} // namespace

void TestNetworkMap::longestPrefixWins_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("network");
    QTest::newRow("/8") << "10.1.2.3" << "mobile";
    QTest::newRow("/16 inside /8") << "10.20.99.1" << "mobile-sh";
    QTest::newRow("/24 inside /16") << "10.20.30.40" << "office";
    QTest::newRow("loopback range") << "127.0.1.77" << "sim-a";
    QTest::newRow("v4-mapped v6") << "::ffff:10.20.30.1" << "office";
    QTest::newRow("v6 /32") << "2001:db8:ffff::1" << "v6-carrier";
    QTest::newRow("v6 /64 inside /32") << "2001:db8:1:2::99" << "v6-site";
}

void TestNetworkMap::longestPrefixWins()
{
    QFETCH(QString, address);
    QFETCH(QString, network);
    QCOMPARE(sampleMap().networkOf(QHostAddress(address)), network);
}

void TestNetworkMap::unnamedAddressesGroupByPrefix_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("network");
    QTest::newRow("v4 /16") << "192.168.7.9" << "192.168.0.0/16";
    QTest::newRow("loopback outside the named range") << "127.0.2.5" << "127.0.0.0/16";
    QTest::newRow("v6 /48") << "2a00:1450:4001:81b::200e" << "2a00:1450:4001::/48";
}

void TestNetworkMap::unnamedAddressesGroupByPrefix()
{
    QFETCH(QString, address);
    QFETCH(QString, network);
    QCOMPARE(sampleMap().networkOf(QHostAddress(address)), network);
    QVERIFY(sampleMap().networkOf(QHostAddress()).isEmpty());
}

void TestNetworkMap::badRangesAreRefused()
{
    NetworkMap map;
    QString error;
    QVERIFY(!map.add(QStringLiteral("x"), QStringLiteral("10.0.0.0/33"), &error));
    QVERIFY2(error.contains(QLatin1String("10.0.0.0/33")), qPrintable(error));
    QVERIFY(!map.add(QStringLiteral("x"), QStringLiteral("mobile"), &error));
    QVERIFY(!map.add(QString(), QStringLiteral("10.0.0.0/8"), &error));
    QCOMPARE(map.rangeCount(), 0);
}

void TestNetworkMap::csvTables()
{
    NetworkMap map;
    QString error;
    QVERIFY2(map.addCsv("# carrier table\n10.0.0.0/8, mobile\n\n2001:db8::/32,v6\n", &error), qPrintable(error));
    QCOMPARE(map.rangeCount(), 2);
    QCOMPARE(map.namedNetworks(), (QStringList{QStringLiteral("mobile"), QStringLiteral("v6")}));
    QVERIFY(!map.addCsv("172.16.0.0/12,corp\n172.16.0.0/99,broken\n", &error));
    QCOMPARE(error, QStringLiteral("line 2: '172.16.0.0/99' is not an address range (e.g. 10.0.0.0/8, 2001:db8::/32)"));
    QVERIFY(!map.addCsv("no comma here\n", &error));
    QCOMPARE(error, QStringLiteral("line 1: expected CIDR,NAME"));
}

void TestNetworkMap::manyRangesStayExact()
{
    // A carrier table of 10,000 /24s: every one resolves to its own name.
    NetworkMap map;
    for (int i = 0; i < 10000; ++i)
        QVERIFY(map.add(QStringLiteral("n%1").arg(i), QStringLiteral("100.%1.%2.0/24").arg(64 + i / 256).arg(i % 256)));
    QCOMPARE(map.rangeCount(), 10000);
    for (int i = 0; i < 10000; i += 97)
        QCOMPARE(map.networkOf(QHostAddress(QStringLiteral("100.%1.%2.200").arg(64 + i / 256).arg(i % 256))),
                 QStringLiteral("n%1").arg(i));
}

HERMES_TEST_APPLESS_MAIN(TestNetworkMap)
#include "tst_networkmap.moc"
