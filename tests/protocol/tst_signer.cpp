#include <QtTest>

#include "../common/testmain.h"
#include "push/signer.h"

using namespace hermes::push;

Q_DECLARE_METATYPE(hermes::push::PushEnvelope)
Q_DECLARE_METATYPE(hermes::push::VerifyResult)

namespace {

const QByteArray OldKey = QByteArray::fromHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const QByteArray NewKey = QByteArray::fromHex(
        "f0e0d0c0b0a090807060504030201000f1e1d1c1b1a191817161514131211101");

QDateTime utcMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

const QDateTime Now = utcMs(1700000030000);

PushEnvelope sample()
{
    PushEnvelope e;
    e.pushId = QStringLiteral("p1");
    e.deviceId = QStringLiteral("d1");
    e.sequence = 7;
    e.sentAt = utcMs(1700000000000);
    e.expiresAt = utcMs(1700000060000);
    e.contentType = QStringLiteral("text/plain");
    e.payload = QByteArrayLiteral("hi");
    return e;
}

Verifier ringWith(std::initializer_list<std::pair<QString, QByteArray>> keys)
{
    Verifier verifier;
    for (const auto &[id, key] : keys)
        verifier.addKey(id, key);
    return verifier;
}

} // namespace

class TestSigner : public QObject
{
    Q_OBJECT
private slots:
    void rfc4231_data();
    void rfc4231();
    void canonicalInputBytes();
    void canonicalInputIsUnambiguous();
    void signsAndVerifies_data();
    void signsAndVerifies();
    void tamperedFieldFails_data();
    void tamperedFieldFails();
    void everyFlippedWireBitFails();
    void rotation();
    void unsignedRejected_data();
    void unsignedRejected();
    void expiry_data();
    void expiry();
    void keyring();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void describeResults();
};

// RFC 4231 section 4: HMAC-SHA-256 test cases (case 5 is a truncated output, not used).
void TestSigner::rfc4231_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("mac");

    QTest::newRow("RFC 4231 4.2 case 1: 20-byte key")
            << QByteArray(20, '\x0b') << QByteArray("Hi There")
            << QByteArray::fromHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    QTest::newRow("RFC 4231 4.3 case 2: key shorter than output")
            << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
            << QByteArray::fromHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    QTest::newRow("RFC 4231 4.4 case 3: 50 bytes of 0xdd")
            << QByteArray(20, '\xaa') << QByteArray(50, '\xdd')
            << QByteArray::fromHex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    QTest::newRow("RFC 4231 4.5 case 4: 25-byte key 01..19")
            << QByteArray::fromHex("0102030405060708090a0b0c0d0e0f10111213141516171819")
            << QByteArray(50, '\xcd')
            << QByteArray::fromHex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    QTest::newRow("RFC 4231 4.7 case 6: 131-byte key, hashed first")
            << QByteArray(131, '\xaa')
            << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
            << QByteArray::fromHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    QTest::newRow("RFC 4231 4.8 case 7: 131-byte key, 152-byte data")
            << QByteArray(131, '\xaa')
            << QByteArray("This is a test using a larger than block-size key and a larger than "
                          "block-size data. The key needs to be hashed before being used by the "
                          "HMAC algorithm.")
            << QByteArray::fromHex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

void TestSigner::rfc4231()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, mac);
    QCOMPARE(hmacSha256(key, data).toHex(), mac.toHex());
}

// The canonical input of signer.h, byte by byte.
void TestSigner::canonicalInputBytes()
{
    PushEnvelope e = sample();
    e.keyId = QStringLiteral("k1");
    e.expiresAt = QDateTime(); // never: 0
    e.signature = QByteArray(32, 'x'); // not part of the input
    const QByteArray expected = QByteArray::fromHex(
            "00000017"                                        // context length 23
            "6865726d65732e707573682e76312e456e76656c6f7065"  // "hermes.push.v1.Envelope"
            "00000002 6b31"                                   // keyId "k1"
            "00000002 7031"                                   // pushId "p1"
            "00000002 6431"                                   // deviceId "d1"
            "0000000000000007"                                // sequence 7, u64 BE
            "0000018bcfe56800"                                // sentAt 1700000000000 ms, i64 BE
            "0000000000000000"                                // expiresAt: never = 0
            "0000000a 746578742f706c61696e"                   // contentType "text/plain"
            "00000002 6869");                                 // payload "hi"
    QCOMPARE(canonicalSigningInput(e).toHex(' '), expected.toHex(' '));

    // Negative times are two's complement; non-ASCII strings are their UTF-8 bytes.
    PushEnvelope f;
    f.sentAt = utcMs(-1);
    f.deviceId = QStringLiteral("设");
    const QByteArray input = canonicalSigningInput(f);
    QCOMPARE(input.mid(27 + 4 + 4, 4 + 3).toHex(), QByteArray("00000003e8aebe")); // "设"
    QCOMPARE(input.mid(27 + 4 + 4 + 7 + 8, 8).toHex(), QByteArray("ffffffffffffffff"));
}

// Moving bytes between adjacent fields changes the input (length prefixes).
void TestSigner::canonicalInputIsUnambiguous()
{
    PushEnvelope a;
    a.pushId = QStringLiteral("ab");
    a.deviceId = QStringLiteral("c");
    PushEnvelope b;
    b.pushId = QStringLiteral("a");
    b.deviceId = QStringLiteral("bc");
    QVERIFY(canonicalSigningInput(a) != canonicalSigningInput(b));
    PushEnvelope c;
    c.contentType = QStringLiteral("x");
    PushEnvelope d;
    d.payload = QByteArrayLiteral("x");
    QVERIFY(canonicalSigningInput(c) != canonicalSigningInput(d));
}

void TestSigner::signsAndVerifies_data()
{
    QTest::addColumn<PushEnvelope>("envelope");

    QTest::newRow("sample") << sample();
    QTest::newRow("all fields empty") << PushEnvelope{};
    PushEnvelope e = sample();
    e.payload = QByteArray(70000, '\0');
    e.deviceId = QStringLiteral("设备-ü");
    QTest::newRow("large NUL payload, non-ASCII device") << e;
}

void TestSigner::signsAndVerifies()
{
    QFETCH(PushEnvelope, envelope);
    const Signer signer(QStringLiteral("k1"), OldKey);
    const PushEnvelope signedEnvelope = signer.sign(envelope);
    QCOMPARE(signedEnvelope.keyId, QStringLiteral("k1"));
    QCOMPARE(signedEnvelope.signature.size(), 32);
    QCOMPARE(signedEnvelope.signature, hmacSha256(OldKey, canonicalSigningInput(signedEnvelope)));
    const Verifier verifier = ringWith({{QStringLiteral("k1"), OldKey}});
    QCOMPARE(verifier.verify(signedEnvelope, Now), VerifyResult::Verified);
    // Through the wire and back: what the device actually checks.
    const auto decoded = PushEnvelope::fromBytes(signedEnvelope.toBytes());
    QVERIFY(std::holds_alternative<PushEnvelope>(decoded));
    QCOMPARE(verifier.verify(std::get<PushEnvelope>(decoded), Now), VerifyResult::Verified);
}

void TestSigner::tamperedFieldFails_data()
{
    QTest::addColumn<PushEnvelope>("tampered");

    const PushEnvelope good = Signer(QStringLiteral("k1"), OldKey).sign(sample());
    PushEnvelope e = good;
    e.pushId = QStringLiteral("p2");
    QTest::newRow("pushId changed (anti-forgery)") << e;
    e = good;
    e.deviceId = QStringLiteral("d2");
    QTest::newRow("deviceId changed: replay to another device") << e;
    e = good;
    e.sequence = 8;
    QTest::newRow("sequence changed") << e;
    e = good;
    e.sequence = good.sequence + (Q_UINT64_C(1) << 32);
    QTest::newRow("sequence changed above 2^32 only") << e;
    e = good;
    e.sentAt = good.sentAt.addMSecs(1);
    QTest::newRow("sentAt +1 ms") << e;
    e = good;
    e.expiresAt = good.expiresAt.addDays(365);
    QTest::newRow("expiresAt extended") << e;
    e = good;
    e.expiresAt = QDateTime();
    QTest::newRow("expiresAt removed") << e;
    e = good;
    e.contentType = QStringLiteral("application/json");
    QTest::newRow("contentType changed") << e;
    e = good;
    e.payload[0] = 'H';
    QTest::newRow("payload byte changed") << e;
    e = good;
    e.payload.append('\0');
    QTest::newRow("payload extended by NUL") << e;
    e = good;
    e.keyId = QStringLiteral("k2");
    QTest::newRow("keyId swapped to another known key") << e;
    e = good;
    e.signature[31] = char(e.signature.at(31) ^ 0x01);
    QTest::newRow("signature last bit flipped") << e;
    e = good;
    e.signature[0] = char(e.signature.at(0) ^ 0x80);
    QTest::newRow("signature first bit flipped") << e;
    e = good;
    e.signature.chop(1);
    QTest::newRow("signature truncated to 31 bytes") << e;
    e = good;
    e.signature.append('\0');
    QTest::newRow("signature extended to 33 bytes") << e;
    e = good;
    e.signature = QByteArray(32, '\0');
    QTest::newRow("signature all zero") << e;
    e = Signer(QStringLiteral("k1"), NewKey).sign(sample());
    QTest::newRow("signed with another key under the same id") << e;
}

void TestSigner::tamperedFieldFails()
{
    QFETCH(PushEnvelope, tampered);
    const Verifier verifier =
            ringWith({{QStringLiteral("k1"), OldKey}, {QStringLiteral("k2"), NewKey}});
    QCOMPARE(verifier.verify(tampered, Now), VerifyResult::BadSignature);
}

// Every single-bit change of the serialized envelope either fails to parse or fails to
// verify: nothing on the wire escapes the MAC.
void TestSigner::everyFlippedWireBitFails()
{
    const Verifier verifier = ringWith({{QStringLiteral("k1"), OldKey}});
    const QByteArray wire = Signer(QStringLiteral("k1"), OldKey).sign(sample()).toBytes();
    int parsed = 0;
    for (qsizetype i = 0; i < wire.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            QByteArray flipped = wire;
            flipped[i] = char(flipped.at(i) ^ (1 << bit));
            const auto decoded = PushEnvelope::fromBytes(flipped);
            const auto *envelope = std::get_if<PushEnvelope>(&decoded);
            if (!envelope)
                continue;
            ++parsed;
            const VerifyResult result = verifier.verify(*envelope, Now);
            QVERIFY2(result != VerifyResult::Verified,
                     qPrintable(QStringLiteral("byte %1 bit %2 verified").arg(i).arg(bit)));
        }
    }
    QVERIFY(parsed > wire.size()); // most flips still parse: the MAC is what caught them
}

// Key rotation without losing in-flight messages: old and new keys both in the
// ring while messages signed with the old one can still arrive.
void TestSigner::rotation()
{
    Verifier device = ringWith({{QStringLiteral("2026-10"), OldKey}});
    const Signer oldSigner(QStringLiteral("2026-10"), OldKey);
    const PushEnvelope inFlight = oldSigner.sign(sample());
    QCOMPARE(device.verify(inFlight, Now), VerifyResult::Verified);

    // Step 1: devices learn the new key. Step 2: the sender switches.
    QVERIFY(device.addKey(QStringLiteral("2026-11"), NewKey));
    const Signer newSigner(QStringLiteral("2026-11"), NewKey);
    PushEnvelope next = sample();
    next.sequence = 8;
    const PushEnvelope fresh = newSigner.sign(next);
    QCOMPARE(fresh.keyId, QStringLiteral("2026-11"));
    QCOMPARE(device.verify(inFlight, Now), VerifyResult::Verified); // old message still good
    QCOMPARE(device.verify(fresh, Now), VerifyResult::Verified);

    // Step 3: the old key is retired; what it signed is no longer accepted.
    QVERIFY(device.removeKey(QStringLiteral("2026-10")));
    QVERIFY(!device.removeKey(QStringLiteral("2026-10")));
    QCOMPARE(device.verify(inFlight, Now), VerifyResult::UnknownKey);
    QCOMPARE(device.verify(fresh, Now), VerifyResult::Verified);

    // A device that never learned the new key.
    const Verifier stale = ringWith({{QStringLiteral("2026-10"), OldKey}});
    QCOMPARE(stale.verify(fresh, Now), VerifyResult::UnknownKey);
}

void TestSigner::unsignedRejected_data()
{
    QTest::addColumn<PushEnvelope>("envelope");

    QTest::newRow("no key id, no signature (raw send)") << sample();
    PushEnvelope e = Signer(QStringLiteral("k1"), OldKey).sign(sample());
    e.signature.clear();
    QTest::newRow("signature stripped") << e;
    e = Signer(QStringLiteral("k1"), OldKey).sign(sample());
    e.keyId.clear();
    QTest::newRow("key id stripped") << e;
    QTest::newRow("signer without key id signs nothing")
            << Signer(QString(), OldKey).sign(sample());
    QTest::newRow("signer without key signs nothing")
            << Signer(QStringLiteral("k1"), QByteArray()).sign(sample());
}

void TestSigner::unsignedRejected()
{
    QFETCH(PushEnvelope, envelope);
    const Verifier verifier = ringWith({{QStringLiteral("k1"), OldKey}});
    QCOMPARE(verifier.verify(envelope, Now), VerifyResult::Unsigned);
}

void TestSigner::expiry_data()
{
    QTest::addColumn<QDateTime>("expiresAt");
    QTest::addColumn<QDateTime>("now");
    QTest::addColumn<bool>("forged");
    QTest::addColumn<VerifyResult>("result");

    const QDateTime at = utcMs(1700000060000);
    QTest::newRow("1 ms before expiry") << at << at.addMSecs(-1) << false << VerifyResult::Verified;
    QTest::newRow("at expiry: expired") << at << at << false << VerifyResult::Expired;
    QTest::newRow("after expiry") << at << at.addSecs(3600) << false << VerifyResult::Expired;
    QTest::newRow("never expires, far future") << QDateTime() << utcMs(4102444800000) << false
                                               << VerifyResult::Verified;
    QTest::newRow("no clock: expiry not checked") << at << QDateTime() << false
                                                  << VerifyResult::Verified;
    QTest::newRow("now in another time zone, same instant")
            << at << at.toOffsetFromUtc(8 * 3600) << false << VerifyResult::Expired;
    QTest::newRow("forged past expiry: bad signature, not expired")
            << utcMs(1) << at << true << VerifyResult::BadSignature;
}

void TestSigner::expiry()
{
    QFETCH(QDateTime, expiresAt);
    QFETCH(QDateTime, now);
    QFETCH(bool, forged);
    QFETCH(VerifyResult, result);
    PushEnvelope e = sample();
    e.expiresAt = forged ? utcMs(1700000060000) : expiresAt;
    e = Signer(QStringLiteral("k1"), OldKey).sign(e);
    if (forged)
        e.expiresAt = expiresAt;
    const Verifier verifier = ringWith({{QStringLiteral("k1"), OldKey}});
    QCOMPARE(verifier.verify(e, now), result);
}

void TestSigner::keyring()
{
    Verifier verifier;
    QVERIFY(!verifier.addKey(QString(), OldKey));
    QVERIFY(!verifier.addKey(QStringLiteral("k"), QByteArray()));
    QVERIFY(verifier.keyIds().isEmpty());
    QVERIFY(verifier.addKey(QStringLiteral("b"), OldKey));
    QVERIFY(verifier.addKey(QStringLiteral("a"), NewKey));
    QCOMPARE(verifier.keyIds(), QStringList({QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(verifier.hasKey(QStringLiteral("a")));

    // Replacing the key under an id: old signatures under that id stop verifying.
    const PushEnvelope e = Signer(QStringLiteral("b"), OldKey).sign(sample());
    QCOMPARE(verifier.verify(e, Now), VerifyResult::Verified);
    QVERIFY(verifier.addKey(QStringLiteral("b"), NewKey));
    QCOMPARE(verifier.verify(e, Now), VerifyResult::BadSignature);
    QCOMPARE(Verifier().verify(e, Now), VerifyResult::UnknownKey);
    QVERIFY(Signer(QStringLiteral("b"), NewKey).isValid());
    QVERIFY(!Signer(QStringLiteral("b"), QByteArray()).isValid());
}

void TestSigner::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    const QByteArray mac(32, '\x11');
    QByteArray last = mac;
    last[31] = '\x10';
    QByteArray first = mac;
    first[0] = '\x91';
    QTest::newRow("equal") << mac << mac << true;
    QTest::newRow("last byte differs by one bit") << mac << last << false;
    QTest::newRow("first byte differs by the top bit") << mac << first << false;
    QTest::newRow("prefix is not equal") << mac << mac.left(31) << false;
    QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::newRow("empty vs mac") << QByteArray() << mac << false;
}

void TestSigner::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(hermes::push::constantTimeEquals(a, b), equal);
    QCOMPARE(hermes::push::constantTimeEquals(b, a), equal);
}

void TestSigner::describeResults()
{
    QCOMPARE(describe(VerifyResult::Verified), QStringLiteral("verified"));
    QCOMPARE(describe(VerifyResult::Unsigned), QStringLiteral("unsigned"));
    QCOMPARE(describe(VerifyResult::UnknownKey), QStringLiteral("unknown key"));
    QCOMPARE(describe(VerifyResult::BadSignature), QStringLiteral("bad signature"));
    QCOMPARE(describe(VerifyResult::Expired), QStringLiteral("expired"));
}

HERMES_TEST_APPLESS_MAIN(TestSigner)
#include "tst_signer.moc"
