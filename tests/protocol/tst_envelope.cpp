#include <QtTest>

#include "../common/testmain.h"
#include "push/envelope.h"

using namespace hermes::push;

Q_DECLARE_METATYPE(hermes::push::PushEnvelope)
Q_DECLARE_METATYPE(hermes::push::PushReceipt)

namespace {

QDateTime utcMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

// The error text of a failed decode, for QVERIFY2 (evaluated on success too).
template<typename Result>
QByteArray errorOf(const Result &result)
{
    const auto *error = std::get_if<PushDecodeError>(&result);
    return error ? error->detail.toUtf8() : QByteArray();
}

PushEnvelope fullEnvelope()
{
    PushEnvelope e;
    e.pushId = QStringLiteral("push-0001");
    e.deviceId = QStringLiteral("device-42");
    e.sequence = 7;
    e.sentAt = utcMs(1700000000000);
    e.expiresAt = utcMs(1700000060000);
    e.contentType = QStringLiteral("application/json");
    e.payload = QByteArrayLiteral("{\"title\":\"hi\"}");
    e.keyId = QStringLiteral("k2026-11");
    e.signature = QByteArray(32, '\x5a');
    return e;
}

} // namespace

class TestEnvelope : public QObject
{
    Q_OBJECT
private slots:
    void roundTrip_data();
    void roundTrip();
    void wireBytes_data();
    void wireBytes();
    void rejectsBadBytes_data();
    void rejectsBadBytes();
    void protobufIsNotCanonical();
    void receiptRoundTrip_data();
    void receiptRoundTrip();
    void receiptRejects_data();
    void receiptRejects();
    void describeLines();
};

void TestEnvelope::roundTrip_data()
{
    QTest::addColumn<PushEnvelope>("envelope");

    QTest::newRow("all fields default") << PushEnvelope{};
    QTest::newRow("every field set") << fullEnvelope();
    PushEnvelope e = fullEnvelope();
    e.pushId = QStringLiteral("推送-1");
    e.deviceId = QStringLiteral("设备/ü/😀");
    e.contentType = QStringLiteral("text/plain; charset=utf-8");
    QTest::newRow("non-ASCII ids (UTF-8 strings)") << e;
    e = fullEnvelope();
    e.payload = QByteArray("\0\xff\0\x01", 4);
    QTest::newRow("binary payload with NUL bytes") << e;
    e = fullEnvelope();
    e.payload = QByteArray(1 << 20, 'x');
    QTest::newRow("1 MiB payload") << e;
    e = fullEnvelope();
    e.sequence = Q_UINT64_C(0x100000001);
    QTest::newRow("sequence above 2^32 (no wrap)") << e;
    e.sequence = Q_UINT64_C(0x7fffffffffffffff);
    QTest::newRow("sequence 2^63-1 (MaxSequence)") << e;
    e = fullEnvelope();
    e.sentAt = utcMs(-86400000);
    e.expiresAt = QDateTime();
    QTest::newRow("sent before 1970, never expires") << e;
    e = fullEnvelope();
    e.keyId.clear();
    e.signature.clear();
    QTest::newRow("unsigned") << e;
}

void TestEnvelope::roundTrip()
{
    QFETCH(PushEnvelope, envelope);
    const QByteArray bytes = envelope.toBytes();
    const EnvelopeResult decoded = PushEnvelope::fromBytes(bytes);
    QVERIFY2(std::holds_alternative<PushEnvelope>(decoded),
             errorOf(decoded).constData());
    const PushEnvelope &back = std::get<PushEnvelope>(decoded);
    QCOMPARE(back.pushId, envelope.pushId);
    QCOMPARE(back.deviceId, envelope.deviceId);
    QCOMPARE(back.sequence, envelope.sequence);
    QCOMPARE(back.sentAt, envelope.sentAt);
    QCOMPARE(back.expiresAt, envelope.expiresAt);
    QCOMPARE(back.contentType, envelope.contentType);
    QCOMPARE(back.payload, envelope.payload);
    QCOMPARE(back.keyId, envelope.keyId);
    QCOMPARE(back.signature, envelope.signature);
    QVERIFY(back == envelope);
    QCOMPARE(back.toBytes(), bytes);
}

void TestEnvelope::wireBytes_data()
{
    QTest::addColumn<PushEnvelope>("envelope");
    QTest::addColumn<QByteArray>("wire");

    QTest::newRow("defaults encode to nothing (proto3)") << PushEnvelope{} << QByteArray();
    PushEnvelope e;
    e.pushId = QStringLiteral("p1");
    e.deviceId = QStringLiteral("d");
    e.sequence = 300;
    e.sentAt = utcMs(1);
    e.expiresAt = utcMs(-1);
    e.contentType = QStringLiteral("t");
    e.payload = QByteArray("\x00", 1);
    e.keyId = QStringLiteral("k");
    e.signature = QByteArray("\xAB", 1);
    QTest::newRow("one of each field, in field order")
            << e
            << QByteArray::fromHex("0a 02 7031"           // 1 push_id, LEN 2, "p1"
                                   "12 01 64"             // 2 device_id, LEN 1, "d"
                                   "18 ac02"              // 3 sequence, varint 300
                                   "20 01"                // 4 sent_at_ms, varint 1
                                   "28 ffffffffffffffffff01" // 5 expires_at_ms, -1 (10-byte varint)
                                   "32 01 74"             // 6 content_type, "t"
                                   "3a 01 00"             // 7 payload, 1 byte 00
                                   "42 01 6b"             // 8 key_id, "k"
                                   "4a 01 ab");           // 9 signature, 1 byte ab
}

void TestEnvelope::wireBytes()
{
    QFETCH(PushEnvelope, envelope);
    QFETCH(QByteArray, wire);
    QCOMPARE(envelope.toBytes().toHex(' '), wire.toHex(' '));
}

void TestEnvelope::rejectsBadBytes_data()
{
    QTest::addColumn<QByteArray>("wire");

    QTest::newRow("truncated: push_id LEN 5 but 2 bytes")
            << QByteArray::fromHex("0a 05 7031");
    QTest::newRow("truncated varint: sequence continuation bit, then end")
            << QByteArray::fromHex("18 ff");
    QTest::newRow("tag only, no value") << QByteArray::fromHex("18");
    QTest::newRow("field number 0") << QByteArray::fromHex("00 01");
    QTest::newRow("stray end-group (wire type 4)") << QByteArray::fromHex("0c");
    QTest::newRow("push_id not UTF-8 (proto3 string)") << QByteArray::fromHex("0a 02 c328");
    QTest::newRow("device_id lone surrogate in UTF-8") << QByteArray::fromHex("12 03 eda080");
    QTest::newRow("plain text, not protobuf") << QByteArray("hello world, raw payload");
}

void TestEnvelope::rejectsBadBytes()
{
    QFETCH(QByteArray, wire);
    const EnvelopeResult decoded = PushEnvelope::fromBytes(wire);
    QVERIFY(std::holds_alternative<PushDecodeError>(decoded));
    QVERIFY(!std::get<PushDecodeError>(decoded).detail.isEmpty());
}

// Why signer.h signs a canonical form and not these bytes: different wire bytes parse to
// the same values, and unknown fields vanish on re-serialization.
void TestEnvelope::protobufIsNotCanonical()
{
    const QByteArray reordered = QByteArray::fromHex("12 01 64"  // device_id "d" first
                                                     "0a 01 70"); // then push_id "p"
    const QByteArray repeated = QByteArray::fromHex("0a 01 78"   // push_id "x"
                                                    "0a 01 70"   // push_id "p": last wins
                                                    "12 01 64"
                                                    "b8 06 01"); // unknown field 103 = 1
    const auto a = PushEnvelope::fromBytes(reordered);
    const auto b = PushEnvelope::fromBytes(repeated);
    QVERIFY(std::holds_alternative<PushEnvelope>(a));
    QVERIFY(std::holds_alternative<PushEnvelope>(b));
    QCOMPARE(std::get<PushEnvelope>(a).pushId, QStringLiteral("p"));
    QVERIFY(std::get<PushEnvelope>(a) == std::get<PushEnvelope>(b));
    QVERIFY(reordered != repeated);
    QCOMPARE(std::get<PushEnvelope>(b).toBytes(), QByteArray::fromHex("0a 01 70 12 01 64"));
}

void TestEnvelope::receiptRoundTrip_data()
{
    QTest::addColumn<PushReceipt>("receipt");

    QTest::newRow("defaults") << PushReceipt{};
    PushReceipt r;
    r.pushId = QStringLiteral("push-0001");
    r.sequence = 12;
    r.receivedAt = utcMs(1700000000123);
    r.status = ReceiptStatus::Delivered;
    QTest::newRow("delivered in order") << r;
    r.status = ReceiptStatus::Gap;
    r.missing = {SequenceRange{3, 5}, SequenceRange{9, 9}};
    QTest::newRow("gap with two missing ranges") << r;
    r.status = ReceiptStatus::Duplicate;
    QTest::newRow("duplicate") << r;
    r.status = ReceiptStatus::RejectedSignature;
    r.missing.clear();
    QTest::newRow("rejected signature") << r;
    r.status = ReceiptStatus::Expired;
    QTest::newRow("expired") << r;
    r.status = ReceiptStatus::Stale;
    r.missing = {SequenceRange{Q_UINT64_C(0xfffffffe), Q_UINT64_C(0x100000002)}};
    QTest::newRow("stale, range across 2^32") << r;
}

void TestEnvelope::receiptRoundTrip()
{
    QFETCH(PushReceipt, receipt);
    const ReceiptResult decoded = PushReceipt::fromBytes(receipt.toBytes());
    QVERIFY2(std::holds_alternative<PushReceipt>(decoded),
             errorOf(decoded).constData());
    const PushReceipt &back = std::get<PushReceipt>(decoded);
    QCOMPARE(describe(back), describe(receipt));
    QCOMPARE(back.receivedAt, receipt.receivedAt);
    QVERIFY(back == receipt);
}

void TestEnvelope::receiptRejects_data()
{
    QTest::addColumn<QByteArray>("wire");

    QTest::newRow("unknown status 7") << QByteArray::fromHex("20 07");
    QTest::newRow("negative status") << QByteArray::fromHex("20 ffffffffffffffffff01");
    QTest::newRow("missing range first > last")
            << QByteArray::fromHex("2a 04 0805 1003"); // missing {first 5, last 3}
    QTest::newRow("missing range starting at 0 (unsequenced)")
            << QByteArray::fromHex("2a 04 0800 1003"); // missing {first 0, last 3}
    QTest::newRow("truncated missing range") << QByteArray::fromHex("2a 04 0805");
    QTest::newRow("push_id not UTF-8") << QByteArray::fromHex("0a 01 ff");
}

void TestEnvelope::receiptRejects()
{
    QFETCH(QByteArray, wire);
    QVERIFY(std::holds_alternative<PushDecodeError>(PushReceipt::fromBytes(wire)));
}

void TestEnvelope::describeLines()
{
    QCOMPARE(describe(fullEnvelope()),
             QStringLiteral("ENVELOPE push=push-0001 device=device-42 seq=7 key=k2026-11 "
                            "type=application/json len=14 signed"));
    QCOMPARE(describe(PushEnvelope{}),
             QStringLiteral("ENVELOPE push= device= seq=0 key=- type=- len=0 unsigned"));
    PushReceipt r;
    r.pushId = QStringLiteral("p1");
    r.sequence = 10;
    r.status = ReceiptStatus::Gap;
    r.missing = {SequenceRange{3, 5}, SequenceRange{9, 9}};
    QCOMPARE(describe(r), QStringLiteral("RECEIPT push=p1 seq=10 status=gap missing=3-5,9"));
    QCOMPARE(describe(ReceiptStatus::RejectedSignature), QStringLiteral("rejected-signature"));
}

HERMES_TEST_APPLESS_MAIN(TestEnvelope)
#include "tst_envelope.moc"
