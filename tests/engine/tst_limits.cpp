// Abuse limits as pure logic: the per-source connection rate limiter, the
// authentication failure back-off and their config keys. Time is an argument, so every
// boundary is checked to the millisecond; no sockets, no sleeps.
#include "../common/testmain.h"
#include "engine/security/authbackoff.h"
#include "engine/brokerconfig.h"
#include "engine/security/connectionratelimiter.h"

#include <QtTest>

using namespace hermes;
using namespace std::chrono_literals;
using mqtt::Timestamp;

namespace {

QHostAddress ip(const char *text)
{
    return QHostAddress(QString::fromLatin1(text));
}

/// One step of a scenario: at `at` ms, a connection (or attempt) and the expected answer.
struct Step {
    qint64 at;
    bool expected;
};
using Steps = QList<Step>;

QString describe(const Steps &steps)
{
    QStringList parts;
    for (const Step &step : steps)
        parts.append(QStringLiteral("%1:%2").arg(step.at).arg(step.expected ? "ok" : "refused"));
    return parts.join(QLatin1Char(' '));
}

ConnectionRateSettings rate(int perSecond, int burst, bool exemptLoopback = true, int maxSources = 65536)
{
    ConnectionRateSettings settings;
    settings.perSecond = perSecond;
    settings.burst = burst;
    settings.exemptLoopback = exemptLoopback;
    settings.maxSources = maxSources;
    return settings;
}

AuthBackoffSettings backoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum,
                            bool exemptLoopback = true, int maxEntries = 65536)
{
    AuthBackoffSettings settings;
    settings.initial = initial;
    settings.maximum = maximum;
    settings.exemptLoopback = exemptLoopback;
    settings.maxEntries = maxEntries;
    return settings;
}

} // namespace

Q_DECLARE_METATYPE(Steps)

class TestLimits : public QObject
{
    Q_OBJECT

private slots:
    // SourceKey: what counts as one source
    void sourceKey_data();
    void sourceKey();
    void loopbackSource_data();
    void loopbackSource();

    // ConnectionRateLimiter
    void tokenBucket_data();
    void tokenBucket();
    void sourcesAreIndependent();
    void ipv6SlashSixtyFourSharesOneBucket();
    void unlimitedTracksNothing();
    void loopbackExemption_data();
    void loopbackExemption();
    void clockGoingBackMintsNoTokens();
    void sweepDropsFullBuckets();
    void memoryBoundedSweepsIdleSourcesFirst();
    void memoryBoundedUnderManySources();

    // AuthBackoff
    void backoffDoublesToMaximum_data();
    void backoffDoublesToMaximum();
    void backoffSchedule();
    void successResetsBothRecords();
    void userNameHeldBackFromEverySource();
    void sourceHeldBackForEveryUserName();
    void anonymousUsesTheSourceOnly();
    void recordForgottenAfterQuietMaximum();
    void backoffOffWhenInitialIsZero();
    void backoffLoopbackExemption();
    void backoffMemoryBounded();
    void manyFailuresDoNotOverflow();

    // Config keys
    void configDefaults();
    void configKeys();
    void configErrors_data();
    void configErrors();
    void exampleConfigShowsDefaults();
};

// --- SourceKey --------------------------------------------------------------------------

void TestLimits::sourceKey_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("same IPv4") << "198.51.100.7" << "198.51.100.7" << true;
    QTest::newRow("IPv4 neighbours are separate") << "198.51.100.7" << "198.51.100.8" << false;
    QTest::newRow("IPv6 same /64, other interface id") << "2001:db8:1:2::1" << "2001:db8:1:2:ffff:ffff:ffff:ffff" << true;
    QTest::newRow("IPv6 neighbouring /64s are separate") << "2001:db8:1:2::1" << "2001:db8:1:3::1" << false;
    QTest::newRow("IPv4-mapped IPv6 is its IPv4 address") << "::ffff:198.51.100.7" << "198.51.100.7" << true;
    // Every mapped address sits in ::ffff:0:0/96, one /64: grouping them would put all IPv4
    // clients of a dual-stack listener into one bucket.
    QTest::newRow("two IPv4-mapped addresses are separate") << "::ffff:198.51.100.7" << "::ffff:198.51.100.8" << false;
    QTest::newRow("IPv4 0.0.0.1 is not IPv6 ::/64") << "0.0.0.1" << "::1:0:0:1" << false;
}

void TestLimits::sourceKey()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    const SourceKey keyA = SourceKey::of(QHostAddress(a));
    const SourceKey keyB = SourceKey::of(QHostAddress(b));
    QCOMPARE(keyA == keyB, same);
    if (same)
        QCOMPARE(qHash(keyA, 7), qHash(keyB, 7));
}

void TestLimits::loopbackSource_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("127.0.0.1") << "127.0.0.1" << true;
    QTest::newRow("127.45.6.7 (all of 127/8)") << "127.45.6.7" << true;
    QTest::newRow("::1") << "::1" << true;
    QTest::newRow("::ffff:127.0.0.1 (dual-stack listener)") << "::ffff:127.0.0.1" << true;
    QTest::newRow("128.0.0.1") << "128.0.0.1" << false;
    QTest::newRow("::2") << "::2" << false;
    QTest::newRow("::ffff:10.0.0.1") << "::ffff:10.0.0.1" << false;
}

void TestLimits::loopbackSource()
{
    QFETCH(QString, address);
    QFETCH(bool, loopback);
    QCOMPARE(isLoopbackSource(QHostAddress(address)), loopback);
}

// --- ConnectionRateLimiter --------------------------------------------------------------

void TestLimits::tokenBucket_data()
{
    QTest::addColumn<int>("perSecond");
    QTest::addColumn<int>("burst");
    QTest::addColumn<Steps>("steps");
    // 2/s: one token every 500 ms, at most 3 saved up.
    QTest::newRow("2/s burst 3: burst, then one per 500 ms")
        << 2 << 3
        << Steps{{0, true}, {0, true}, {0, true}, {0, false}, {499, false}, {500, true}, {500, false},
                 {999, false}, {1000, true}};
    QTest::newRow("2/s burst 3: a quiet source saves up only the burst")
        << 2 << 3
        << Steps{{0, true}, {0, true}, {0, true}, {60000, true}, {60000, true}, {60000, true}, {60000, false}};
    QTest::newRow("2/s burst 3: refusals do not use tokens")
        << 2 << 3
        << Steps{{0, true}, {0, true}, {0, true}, {100, false}, {200, false}, {300, false}, {500, true}};
    // 3/s: 333.3 ms per token; integer milli-tokens keep the thirds exact (1000 ms = 3 tokens).
    QTest::newRow("3/s burst 1: a token every 333.3 ms")
        << 3 << 1
        << Steps{{0, true}, {333, false}, {334, true}, {667, false}, {668, true}, {1000, false}, {1002, true}};
    QTest::newRow("1000/s burst 1: one per millisecond")
        << 1000 << 1 << Steps{{0, true}, {0, false}, {1, true}, {1, false}, {2, true}};
}

void TestLimits::tokenBucket()
{
    QFETCH(int, perSecond);
    QFETCH(int, burst);
    QFETCH(Steps, steps);
    ConnectionRateLimiter limiter(rate(perSecond, burst));
    const QHostAddress source = ip("203.0.113.9");
    quint64 refusals = 0;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const Step &step = steps.at(i);
        const bool admitted = limiter.admit(source, Timestamp(step.at));
        QVERIFY2(admitted == step.expected,
                 qPrintable(QStringLiteral("step %1 at %2 ms: got %3 in %4")
                                .arg(i).arg(step.at).arg(admitted).arg(describe(steps))));
        refusals += admitted ? 0 : 1;
    }
    QCOMPARE(limiter.refusedCount(), refusals);
}

void TestLimits::sourcesAreIndependent()
{
    ConnectionRateLimiter limiter(rate(1, 2));
    const QHostAddress a = ip("203.0.113.1");
    const QHostAddress b = ip("203.0.113.2");
    QVERIFY(limiter.admit(a, 0ms));
    QVERIFY(limiter.admit(a, 0ms));
    QVERIFY(!limiter.admit(a, 0ms));
    // b has its own full bucket though a is exhausted.
    QVERIFY(limiter.admit(b, 0ms));
    QVERIFY(limiter.admit(b, 0ms));
    QVERIFY(!limiter.admit(b, 0ms));
    QCOMPARE(limiter.trackedSources(), 2);
}

void TestLimits::ipv6SlashSixtyFourSharesOneBucket()
{
    ConnectionRateLimiter limiter(rate(1, 2));
    // A host rotating through its /64 (privacy addresses) gets no extra budget.
    QVERIFY(limiter.admit(ip("2001:db8:aa:bb::1"), 0ms));
    QVERIFY(limiter.admit(ip("2001:db8:aa:bb::2"), 0ms));
    QVERIFY(!limiter.admit(ip("2001:db8:aa:bb:1234:5678:9abc:def0"), 0ms));
    // The next /64 is another source.
    QVERIFY(limiter.admit(ip("2001:db8:aa:bc::1"), 0ms));
    QCOMPARE(limiter.trackedSources(), 2);
}

void TestLimits::unlimitedTracksNothing()
{
    ConnectionRateLimiter limiter(rate(0, 1));
    for (int i = 0; i < 1000; ++i)
        QVERIFY(limiter.admit(ip("203.0.113.1"), 0ms));
    QCOMPARE(limiter.trackedSources(), 0);
    QCOMPARE(limiter.refusedCount(), 0u);
}

void TestLimits::loopbackExemption_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("exempt");
    QTest::addColumn<bool>("limitedAfterBurst");
    QTest::newRow("127.0.0.1 exempt") << "127.0.0.1" << true << false;
    QTest::newRow("::1 exempt") << "::1" << true << false;
    QTest::newRow("::ffff:127.0.0.1 exempt") << "::ffff:127.0.0.1" << true << false;
    QTest::newRow("127.0.0.1 not exempt when off") << "127.0.0.1" << false << true;
    QTest::newRow("::1 not exempt when off") << "::1" << false << true;
    QTest::newRow("remote address never exempt") << "192.0.2.1" << true << true;
}

void TestLimits::loopbackExemption()
{
    QFETCH(QString, address);
    QFETCH(bool, exempt);
    QFETCH(bool, limitedAfterBurst);
    ConnectionRateLimiter limiter(rate(1, 1, exempt));
    QVERIFY(limiter.admit(QHostAddress(address), 0ms));
    QCOMPARE(!limiter.admit(QHostAddress(address), 0ms), limitedAfterBurst);
    QCOMPARE(limiter.trackedSources(), limitedAfterBurst ? 1 : 0);
}

void TestLimits::clockGoingBackMintsNoTokens()
{
    ConnectionRateLimiter limiter(rate(1, 1));
    const QHostAddress source = ip("203.0.113.5");
    QVERIFY(limiter.admit(source, 10000ms));
    QVERIFY(!limiter.admit(source, 5000ms));  // earlier time: no refill, no crash
    QVERIFY(!limiter.admit(source, 10999ms)); // still measured from 10000
    QVERIFY(limiter.admit(source, 11000ms));
}

void TestLimits::sweepDropsFullBuckets()
{
    ConnectionRateLimiter limiter(rate(2, 4));
    for (int i = 1; i <= 10; ++i)
        QVERIFY(limiter.admit(QHostAddress(quint32(0xC0000200 + i)), 0ms)); // 192.0.2.i
    QCOMPARE(limiter.trackedSources(), 10);
    limiter.sweep(499ms); // one token spent, 499 ms only refill 0.998 of it
    QCOMPARE(limiter.trackedSources(), 10);
    limiter.sweep(500ms); // full again: dropping them changes no answer
    QCOMPARE(limiter.trackedSources(), 0);
}

void TestLimits::memoryBoundedSweepsIdleSourcesFirst()
{
    ConnectionRateLimiter limiter(rate(1, 2, true, 10));
    // Eight sources seen once at t=0; full again from t=1000.
    for (int i = 1; i <= 8; ++i)
        QVERIFY(limiter.admit(QHostAddress(quint32(0xC6336400 + i)), 0ms)); // 198.51.100.i
    // An abuser exhausts its bucket at t=10000.
    const QHostAddress abuser = ip("203.0.113.66");
    QVERIFY(limiter.admit(abuser, 10000ms));
    QVERIFY(limiter.admit(abuser, 10000ms));
    QVERIFY(!limiter.admit(abuser, 10000ms));
    // New sources fill the table: the idle ones make room, the abuser stays throttled.
    for (int i = 1; i <= 5; ++i)
        QVERIFY(limiter.admit(QHostAddress(quint32(0xCB007100 + i)), 10000ms)); // 203.0.113.i
    QVERIFY(limiter.trackedSources() <= 10);
    QVERIFY(!limiter.admit(abuser, 10000ms));
}

void TestLimits::memoryBoundedUnderManySources()
{
    ConnectionRateLimiter limiter(rate(1, 1, true, 100));
    // 10,000 distinct /64s in one millisecond: nothing is full, so the oldest go.
    for (quint32 i = 0; i < 10000; ++i) {
        Q_IPV6ADDR bytes{};
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        bytes[4] = quint8(i >> 8);
        bytes[5] = quint8(i);
        bytes[15] = 1;
        QVERIFY(limiter.admit(QHostAddress(bytes), Timestamp(i / 100)));
        QVERIFY(limiter.trackedSources() <= 100);
    }
    QVERIFY(limiter.trackedSources() >= 80);
}

// --- AuthBackoff ------------------------------------------------------------------------

void TestLimits::backoffDoublesToMaximum_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("delayMs");
    QTest::newRow("none") << 0 << qint64(0);
    QTest::newRow("1st: initial") << 1 << qint64(1000);
    QTest::newRow("2nd: doubled") << 2 << qint64(2000);
    QTest::newRow("3rd") << 3 << qint64(4000);
    QTest::newRow("4th") << 4 << qint64(8000);
    QTest::newRow("5th: 16000 capped at 10000") << 5 << qint64(10000);
    QTest::newRow("40th: still the maximum") << 40 << qint64(10000);
}

void TestLimits::backoffDoublesToMaximum()
{
    QFETCH(int, failures);
    QFETCH(qint64, delayMs);
    const AuthBackoff backoffs(backoff(1000ms, 10000ms));
    QCOMPARE(backoffs.delayAfter(failures).count(), delayMs);
}

void TestLimits::backoffSchedule()
{
    AuthBackoff guard(backoff(1000ms, 4000ms));
    const QHostAddress source = ip("192.0.2.10");
    const QString user = QStringLiteral("alice");
    QVERIFY(guard.mayAttempt(source, user, 0ms));
    guard.recordFailure(source, user, 0ms);
    QCOMPARE(guard.retryAfter(source, user, 0ms), 1000ms);
    QCOMPARE(guard.retryAfter(source, user, 999ms), 1ms);
    QVERIFY(guard.mayAttempt(source, user, 1000ms));
    guard.recordFailure(source, user, 1000ms);     // 2nd: 2000 ms
    QVERIFY(!guard.mayAttempt(source, user, 2999ms));
    QVERIFY(guard.mayAttempt(source, user, 3000ms));
    guard.recordFailure(source, user, 3000ms);     // 3rd: 4000 ms
    QCOMPARE(guard.retryAfter(source, user, 3000ms), 4000ms);
    guard.recordFailure(source, user, 7000ms);     // 4th: 8000 capped to 4000
    QCOMPARE(guard.retryAfter(source, user, 7000ms), 4000ms);
    QVERIFY(guard.mayAttempt(source, user, 11000ms));
}

void TestLimits::successResetsBothRecords()
{
    AuthBackoff guard(backoff(1000ms, 60000ms));
    const QHostAddress source = ip("192.0.2.10");
    const QString user = QStringLiteral("alice");
    for (qint64 t : {0, 1000, 3000, 7000})
        guard.recordFailure(source, user, Timestamp(t));
    QCOMPARE(guard.retryAfter(source, user, 7000ms), 8000ms);
    guard.recordSuccess(source, user);
    QVERIFY(guard.mayAttempt(source, user, 7000ms));
    QCOMPARE(guard.trackedSources(), 0);
    QCOMPARE(guard.trackedUserNames(), 0);
    // The next failure starts from the initial wait again.
    guard.recordFailure(source, user, 20000ms);
    QCOMPARE(guard.retryAfter(source, user, 20000ms), 1000ms);
}

void TestLimits::userNameHeldBackFromEverySource()
{
    AuthBackoff guard(backoff(1000ms, 60000ms));
    const QString alice = QStringLiteral("alice");
    // A distributed guess at one account: each source fails once, the name piles up.
    guard.recordFailure(ip("192.0.2.1"), alice, 0ms);
    guard.recordFailure(ip("192.0.2.2"), alice, 1000ms);
    guard.recordFailure(ip("192.0.2.3"), alice, 3000ms);
    QCOMPARE(guard.retryAfter(ip("198.51.100.99"), alice, 3000ms), 4000ms);
    // Another name from a fresh source is not affected; "Alice" is another name.
    QVERIFY(guard.mayAttempt(ip("198.51.100.99"), QStringLiteral("bob"), 3000ms));
    QVERIFY(guard.mayAttempt(ip("198.51.100.99"), QStringLiteral("Alice"), 3000ms));
}

void TestLimits::sourceHeldBackForEveryUserName()
{
    AuthBackoff guard(backoff(1000ms, 60000ms));
    const QHostAddress sprayer = ip("2001:db8:5:6::10");
    // One password tried against many names from one /64.
    guard.recordFailure(sprayer, QStringLiteral("u1"), 0ms);
    guard.recordFailure(ip("2001:db8:5:6::11"), QStringLiteral("u2"), 1000ms);
    QCOMPARE(guard.retryAfter(ip("2001:db8:5:6::12"), QStringLiteral("u3"), 1000ms), 2000ms);
    QVERIFY(guard.mayAttempt(ip("2001:db8:5:7::12"), QStringLiteral("u3"), 1000ms));
}

void TestLimits::anonymousUsesTheSourceOnly()
{
    AuthBackoff guard(backoff(1000ms, 60000ms));
    guard.recordFailure(ip("192.0.2.1"), QString(), 0ms);
    QCOMPARE(guard.trackedUserNames(), 0);
    QCOMPARE(guard.retryAfter(ip("192.0.2.1"), QString(), 0ms), 1000ms);
    QVERIFY(guard.mayAttempt(ip("192.0.2.2"), QString(), 0ms));
}

void TestLimits::recordForgottenAfterQuietMaximum()
{
    AuthBackoff guard(backoff(1000ms, 4000ms));
    const QHostAddress source = ip("192.0.2.10");
    const QString user = QStringLiteral("alice");
    guard.recordFailure(source, user, 0ms);    // wait to 1000
    guard.recordFailure(source, user, 1000ms); // 2nd: wait to 3000
    // Quiet for less than the maximum after the wait: the count goes on (3rd: 4000).
    guard.recordFailure(source, user, 6999ms);
    QCOMPARE(guard.retryAfter(source, user, 6999ms), 4000ms);
    // Quiet for the maximum after the wait (10999 + 4000 = 14999): a new failure starts over.
    guard.sweep(14998ms);
    QCOMPARE(guard.trackedSources(), 1);
    QCOMPARE(guard.trackedUserNames(), 1);
    guard.recordFailure(source, user, 14999ms);
    QCOMPARE(guard.retryAfter(source, user, 14999ms), 1000ms);
    // Swept once forgotten: wait until 15999, then another 4000 ms of quiet.
    guard.sweep(19998ms);
    QCOMPARE(guard.trackedSources(), 1);
    guard.sweep(19999ms);
    QCOMPARE(guard.trackedSources(), 0);
    QCOMPARE(guard.trackedUserNames(), 0);
}

void TestLimits::backoffOffWhenInitialIsZero()
{
    AuthBackoff guard(backoff(0ms, 0ms));
    for (int i = 0; i < 100; ++i)
        guard.recordFailure(ip("192.0.2.10"), QStringLiteral("alice"), 0ms);
    QVERIFY(guard.mayAttempt(ip("192.0.2.10"), QStringLiteral("alice"), 0ms));
    QCOMPARE(guard.trackedSources(), 0);
}

void TestLimits::backoffLoopbackExemption()
{
    AuthBackoff exempt(backoff(1000ms, 60000ms, true));
    exempt.recordFailure(ip("127.0.0.1"), QStringLiteral("alice"), 0ms);
    QVERIFY(exempt.mayAttempt(ip("127.0.0.1"), QStringLiteral("alice"), 0ms));
    QCOMPARE(exempt.trackedUserNames(), 0); // not even counted against the name

    AuthBackoff strict(backoff(1000ms, 60000ms, false));
    strict.recordFailure(ip("::1"), QStringLiteral("alice"), 0ms);
    QVERIFY(!strict.mayAttempt(ip("::1"), QStringLiteral("alice"), 0ms));
}

void TestLimits::backoffMemoryBounded()
{
    AuthBackoff guard(backoff(1000ms, 60000ms, true, 50));
    for (quint32 i = 0; i < 1000; ++i) {
        guard.recordFailure(QHostAddress(0x0A000000 + i), QStringLiteral("user%1").arg(i), Timestamp(i));
        QVERIFY(guard.trackedSources() <= 50);
        QVERIFY(guard.trackedUserNames() <= 50);
    }
    // The most recent failure survived the evictions.
    QVERIFY(!guard.mayAttempt(QHostAddress(0x0A000000 + 999), QString(), 999ms));
}

void TestLimits::manyFailuresDoNotOverflow()
{
    AuthBackoff guard(backoff(1ms, 86400000ms));
    const QHostAddress source = ip("192.0.2.10");
    Timestamp at{};
    for (int i = 0; i < 200; ++i) {
        at += guard.retryAfter(source, QString(), at);
        guard.recordFailure(source, QString(), at);
    }
    QCOMPARE(guard.retryAfter(source, QString(), at), 86400000ms);
}

// --- config keys ------------------------------------------------------------------------

void TestLimits::configDefaults()
{
    const BrokerConfig config;
    QCOMPARE(config.connectionRate.perSecond, 0); // off: thousands of devices may share a carrier NAT address
    QCOMPARE(config.connectionRate.burst, 20);
    QVERIFY(config.connectionRate.exemptLoopback);
    QCOMPARE(config.authBackoff.initial, 1000ms);
    QCOMPARE(config.authBackoff.maximum, 60000ms);
    QVERIFY(config.authBackoff.exemptLoopback);
    QCOMPARE(config.maxSubscriptionsPerClient, 1000);
}

void TestLimits::configKeys()
{
    const auto parsed = parseBrokerConfig(QStringLiteral("max_connections_per_second 5\n"
                                                         "# comments are whole lines only\n"
                                                         "max_connections_burst 50\n"
                                                         "auth_failure_backoff 2 300\n"
                                                         "max_subscriptions_per_client 0\n"
                                                         "limits_exempt_loopback false\n"),
                                          QStringLiteral("t.conf"));
    QVERIFY2(std::holds_alternative<BrokerConfig>(parsed),
             qPrintable(std::get_if<ConfigError>(&parsed) ? std::get<ConfigError>(parsed).toString() : QString()));
    const auto &config = std::get<BrokerConfig>(parsed);
    QCOMPARE(config.connectionRate.perSecond, 5);
    QCOMPARE(config.connectionRate.burst, 50);
    QCOMPARE(config.authBackoff.initial, 2000ms);
    QCOMPARE(config.authBackoff.maximum, 300000ms);
    QCOMPARE(config.maxSubscriptionsPerClient, 0);
    QVERIFY(!config.connectionRate.exemptLoopback);
    QVERIFY(!config.authBackoff.exemptLoopback);

    const auto off = parseBrokerConfig(QStringLiteral("auth_failure_backoff 0 0"), QStringLiteral("t.conf"));
    QVERIFY(std::holds_alternative<BrokerConfig>(off));
    QCOMPARE(std::get<BrokerConfig>(off).authBackoff.initial, 0ms);
}

void TestLimits::configErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("rate negative") << "# limits\nmax_connections_per_second -1" << 2 << "from 0 to 1000000";
    QTest::newRow("rate not a number") << "max_connections_per_second ten" << 1 << "max_connections_per_second";
    QTest::newRow("burst zero") << "\n\nmax_connections_burst 0" << 3 << "from 1 to 1000000";
    QTest::newRow("backoff one value") << "auth_failure_backoff 5" << 1 << "INITIAL MAXIMUM";
    QTest::newRow("backoff three values") << "auth_failure_backoff 1 2 3" << 1 << "INITIAL MAXIMUM";
    QTest::newRow("backoff above a day") << "auth_failure_backoff 1 86401" << 1 << "0 to 86400";
    QTest::newRow("backoff maximum below initial") << "log_level info\nauth_failure_backoff 10 5" << 2
                                                   << "maximum (5) is below its initial wait (10)";
    QTest::newRow("subscriptions negative") << "max_subscriptions_per_client -5" << 1 << "from 0 to 100000000";
    QTest::newRow("exempt not a bool") << "limits_exempt_loopback maybe" << 1 << "true or false";
    QTest::newRow("key without value") << "max_connections_burst" << 1 << "needs a value";
}

void TestLimits::configErrors()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, mentions);
    const auto parsed = parseBrokerConfig(text, QStringLiteral("bad.conf"));
    const auto *error = std::get_if<ConfigError>(&parsed);
    QVERIFY(error);
    QCOMPARE(error->line, line);
    QVERIFY2(error->message.contains(mentions), qPrintable(error->toString()));
    QVERIFY(error->toString().startsWith(QStringLiteral("bad.conf:%1: ").arg(line)));
}

void TestLimits::exampleConfigShowsDefaults()
{
    // installer/hermesd.conf promises to show each built-in default.
    const auto parsed = loadBrokerConfig(QStringLiteral(HERMES_SOURCE_DIR "/installer/hermesd.conf"));
    QVERIFY2(std::holds_alternative<BrokerConfig>(parsed),
             qPrintable(std::get_if<ConfigError>(&parsed) ? std::get<ConfigError>(parsed).toString() : QString()));
    const auto &config = std::get<BrokerConfig>(parsed);
    const BrokerConfig defaults;
    QCOMPARE(config.connectionRate, defaults.connectionRate);
    QCOMPARE(config.authBackoff, defaults.authBackoff);
    QCOMPARE(config.maxSubscriptionsPerClient, defaults.maxSubscriptionsPerClient);
}

HERMES_TEST_APPLESS_MAIN(TestLimits)
#include "tst_limits.moc"
