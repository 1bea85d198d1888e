// Schema-less protobuf wire decoding: exact byte ranges, errors with offsets, and
// no crash on any input. Wire bytes are annotated field by field; ranges print as
// [offset+length] through describe().
#include "../common/testmain.h"
#include "schema/rawdecoder.h"

#include <QRandomGenerator>
#include <QTest>

using namespace hermes::schema;

namespace {

/// Every node lies inside its parent's value, and siblings tile it without gaps when the
/// decode succeeded. Returns an explanation, or an empty string.
QString checkRanges(const DecodedNode &node, qsizetype begin, qsizetype end, bool tiled)
{
    if (node.offset < begin || node.length < 0 || node.offset + node.length > end)
        return QStringLiteral("node %1 [%2+%3] outside [%4,%5)").arg(node.name).arg(node.offset).arg(node.length).arg(begin).arg(end);
    if (node.valueOffset < node.offset || node.valueOffset > node.offset + node.length)
        return QStringLiteral("value offset of %1 outside its field").arg(node.name);
    qsizetype cursor = node.valueOffset;
    const qsizetype valueEnd = node.offset + node.length;
    for (const DecodedNode &child : node.children) {
        if (tiled && node.kind == DecodedNode::Kind::Message && child.offset != cursor)
            return QStringLiteral("gap before %1 at %2").arg(child.name).arg(cursor);
        const QString why = checkRanges(child, node.valueOffset, valueEnd, tiled);
        if (!why.isEmpty())
            return why;
        cursor = child.offset + child.length;
    }
    // A message's fields end where it ends; a group's end with its end-group tag.
    if (tiled && node.kind == DecodedNode::Kind::Message && cursor != valueEnd)
        return QStringLiteral("fields of %1 end at %2, not %3").arg(node.name).arg(cursor).arg(valueEnd);
    return {};
}

} // namespace

class TestRawDecoder : public QObject
{
    Q_OBJECT

private slots:
    void decodesAnnotatedBytes_data();
    void decodesAnnotatedBytes();
    void reportsBrokenInput_data();
    void reportsBrokenInput();
    void recognisesPrintableText_data();
    void recognisesPrintableText();
    void keepsFieldsBeforeAnError();
    void boundsNesting();
    void randomBuffersNeverCrash();
};

void TestRawDecoder::decodesAnnotatedBytes_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("tree");

    QTest::newRow("empty payload is an empty message")
            << QByteArray() << QStringLiteral(" message [0+0]\n");
    QTest::newRow("varint 150 (encoding.md example)")
            << QByteArray::fromHex("08 9601") // field 1 varint | 150 in two bytes
            << QStringLiteral(" message [0+3]\n  1 varint [0+3] = 150\n");
    QTest::newRow("printable string")
            << QByteArray::fromHex("12 07 74657374696e67") // field 2 len | 7 | "testing"
            << QStringLiteral(" message [0+9]\n  2 string [0+9] = testing\n");
    QTest::newRow("short text stays text although it parses as fields")
            << QByteArray::fromHex("0a 02 6869") // field 1 len | 2 | "hi" (= field 13 varint 105)
            << QStringLiteral(" message [0+4]\n  1 string [0+4] = hi\n");
    QTest::newRow("nested message guessed")
            << QByteArray::fromHex("1a 03 089601") // field 3 len | 3 | { field 1 varint 150 }
            << QStringLiteral(" message [0+5]\n  3 message [0+5]\n    1 varint [2+3] = 150\n");
    QTest::newRow("two levels of nesting, then a sibling")
            << QByteArray::fromHex("0a 04 12 02 0801" // field 1 len 4 { field 2 len 2 { field 1 = 1 } }
                                   "18 07")           // field 3 varint 7
            << QStringLiteral(" message [0+8]\n  1 message [0+6]\n    2 message [2+4]\n"
                              "      1 varint [4+2] = 1\n  3 varint [6+2] = 7\n");
    QTest::newRow("bytes that are neither text nor a message")
            << QByteArray::fromHex("32 02 ffff") // field 6 len | 2 | ff ff (tag field 0x...: bad)
            << QStringLiteral(" message [0+4]\n  6 bytes [0+4] = \\xff\\xff\n");
    QTest::newRow("empty length-delimited value")
            << QByteArray::fromHex("0a 00") // field 1 len | 0
            << QStringLiteral(" message [0+2]\n  1 bytes [0+2] = \n");
    QTest::newRow("fixed32 little-endian")
            << QByteArray::fromHex("25 01000080") // field 4 fixed32 | 0x80000001
            << QStringLiteral(" message [0+5]\n  4 fixed32 [0+5] = 0x80000001\n");
    QTest::newRow("fixed64 little-endian")
            << QByteArray::fromHex("29 0807060504030201") // field 5 fixed64 | 0x0102030405060708
            << QStringLiteral(" message [0+9]\n  5 fixed64 [0+9] = 0x0102030405060708\n");
    QTest::newRow("group with a field, then a sibling")
            << QByteArray::fromHex("0b 0801 0c" // field 1 start-group | field 1 varint 1 | end-group 1
                                   "10 02")     // field 2 varint 2
            << QStringLiteral(" message [0+6]\n  1 group [0+4]\n    1 varint [1+2] = 1\n"
                              "  2 varint [4+2] = 2\n");
    QTest::newRow("largest field number, 10-byte varint")
            << QByteArray::fromHex("f8ffffff0f" // field 2^29-1 varint (5-byte tag)
                                   "ffffffffffffffffff01") // 2^64-1
            << QStringLiteral(" message [0+15]\n  536870911 varint [0+15] = 18446744073709551615\n");
    QTest::newRow("repeated field kept as separate occurrences")
            << QByteArray::fromHex("08 01 08 02") // field 1 = 1, field 1 = 2
            << QStringLiteral(" message [0+4]\n  1 varint [0+2] = 1\n  1 varint [2+2] = 2\n");
}

void TestRawDecoder::decodesAnnotatedBytes()
{
    QFETCH(QByteArray, wire);
    QFETCH(QString, tree);
    const RawDecodeResult result = decodeRaw(wire);
    QVERIFY2(result.ok(), qPrintable(result.error ? result.error->message : QString()));
    QCOMPARE(describe(result.root), tree);
    QCOMPARE(checkRanges(result.root, 0, wire.size(), true), QString());
}

void TestRawDecoder::reportsBrokenInput_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<qsizetype>("offset");
    QTest::addColumn<QString>("message");

    QTest::newRow("truncated varint value")
            << QByteArray::fromHex("08 96") << qsizetype(1) << QStringLiteral("truncated varint");
    QTest::newRow("truncated tag")
            << QByteArray::fromHex("08 01 80") << qsizetype(2) << QStringLiteral("field tag");
    QTest::newRow("length beyond the payload")
            << QByteArray::fromHex("12 05 6162") << qsizetype(1) << QStringLiteral("declares 5 bytes, 2 left");
    QTest::newRow("truncated fixed32")
            << QByteArray::fromHex("25 0100") << qsizetype(1) << QStringLiteral("truncated fixed32");
    QTest::newRow("truncated fixed64")
            << QByteArray::fromHex("29 01020304050607") << qsizetype(1) << QStringLiteral("truncated fixed64");
    QTest::newRow("field number 0")
            << QByteArray::fromHex("00 01") << qsizetype(0) << QStringLiteral("invalid field number 0");
    QTest::newRow("wire type 6")
            << QByteArray::fromHex("0e") << qsizetype(0) << QStringLiteral("invalid wire type 6");
    QTest::newRow("wire type 7 after a good field")
            << QByteArray::fromHex("08 01 0f") << qsizetype(2) << QStringLiteral("invalid wire type 7");
    QTest::newRow("field number above 2^29-1")
            << QByteArray::fromHex("8080808010") << qsizetype(0) << QStringLiteral("invalid field number");
    QTest::newRow("end-group without start")
            << QByteArray::fromHex("0c") << qsizetype(0) << QStringLiteral("without its start");
    QTest::newRow("group closed by another field's end tag")
            << QByteArray::fromHex("0b 14") << qsizetype(1) << QStringLiteral("end-group tag for field 2");
    QTest::newRow("group never closed")
            << QByteArray::fromHex("0b 0801") << qsizetype(3) << QStringLiteral("group 1 not closed");
    QTest::newRow("varint of 11 bytes")
            << QByteArray::fromHex("08 ffffffffffffffffffff01") << qsizetype(1) << QStringLiteral("truncated varint");
}

void TestRawDecoder::reportsBrokenInput()
{
    QFETCH(QByteArray, wire);
    QFETCH(qsizetype, offset);
    QFETCH(QString, message);
    const RawDecodeResult result = decodeRaw(wire);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->offset, offset);
    QVERIFY2(result.error->message.contains(message), qPrintable(result.error->message));
}

void TestRawDecoder::recognisesPrintableText_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("printable");

    QTest::newRow("ASCII with tab, CR, LF") << QByteArray("a\tb\r\nc") << true;
    QTest::newRow("two-byte UTF-8") << QByteArray::fromHex("68c3a96c6c6f") << true;      // "héllo"
    QTest::newRow("three-byte UTF-8") << QByteArray::fromHex("e68ea8e98081") << true;    // "推送"
    QTest::newRow("four-byte UTF-8") << QByteArray::fromHex("f09f9880") << true;         // U+1F600
    QTest::newRow("empty is not text") << QByteArray() << false;
    QTest::newRow("C0 control") << QByteArray::fromHex("6101") << false;
    QTest::newRow("DEL") << QByteArray::fromHex("7f") << false;
    QTest::newRow("C1 control U+0080") << QByteArray::fromHex("c280") << false;
    QTest::newRow("overlong NUL") << QByteArray::fromHex("c080") << false;
    QTest::newRow("overlong three-byte") << QByteArray::fromHex("e080af") << false;
    QTest::newRow("UTF-16 surrogate") << QByteArray::fromHex("eda080") << false;
    QTest::newRow("above U+10FFFF") << QByteArray::fromHex("f4908080") << false;
    QTest::newRow("byte order mark") << QByteArray::fromHex("efbbbf61") << false;
    QTest::newRow("truncated sequence") << QByteArray::fromHex("61e68e") << false;
    QTest::newRow("lone continuation byte") << QByteArray::fromHex("6180") << false;
    QTest::newRow("unassigned U+0378") << QByteArray::fromHex("cdb8") << false;
}

void TestRawDecoder::recognisesPrintableText()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, printable);
    QCOMPARE(isPrintableUtf8(bytes), printable);
}

void TestRawDecoder::keepsFieldsBeforeAnError()
{
    // field 1 varint 1 | field 2 varint 300 | field 3 len 9 but only 1 byte left
    const QByteArray wire = QByteArray::fromHex("08 01 10 ac02 1a 09 61");
    const RawDecodeResult result = decodeRaw(wire);
    QVERIFY(!result.ok());
    QCOMPARE(result.error->offset, 6);
    QCOMPARE(describe(result.root), QStringLiteral(" message [0+8]\n  1 varint [0+2] = 1\n  2 varint [2+3] = 300\n"));
}

void TestRawDecoder::boundsNesting()
{
    // 200 messages nested in field 1, each "0a <len>": beyond the limit the rest is bytes.
    // Built from the inside out with real varint lengths.
    QByteArray built = QByteArray::fromHex("08 01");
    for (int i = 0; i < 200; ++i) {
        QByteArray length;
        quint64 n = quint64(built.size());
        do {
            length.append(char((n & 0x7F) | (n > 0x7F ? 0x80 : 0)));
            n >>= 7;
        } while (n);
        built = QByteArray::fromHex("0a") + length + built;
    }
    const RawDecodeResult deep = decodeRaw(built);
    QVERIFY(deep.ok());
    int depth = 0;
    const DecodedNode *node = &deep.root;
    while (!node->children.isEmpty() && node->kind == DecodedNode::Kind::Message) {
        node = &node->children.first();
        ++depth;
    }
    QCOMPARE(depth, kMaxRawDepth + 1);
    QCOMPARE(node->kind, DecodedNode::Kind::Bytes);

    // Groups cannot be shown as bytes: too deep is an error at the first group too deep.
    const QByteArray groups = QByteArray(200, char(0x0b)) + QByteArray(200, char(0x0c));
    const RawDecodeResult tooDeep = decodeRaw(groups);
    QVERIFY(!tooDeep.ok());
    QVERIFY(tooDeep.error->message.contains(QStringLiteral("nested deeper")));
    QCOMPARE(tooDeep.error->offset, kMaxRawDepth);
}

void TestRawDecoder::randomBuffersNeverCrash()
{
    QRandomGenerator random(6); // fixed seed: a failure reproduces
    int ok = 0;
    for (int i = 0; i < 1000; ++i) {
        QByteArray wire(random.bounded(0, 257), Qt::Uninitialized);
        for (char &c : wire)
            c = char(random.bounded(256));
        // Half of the buffers start with a valid tag so decoding gets past the first byte.
        if (i % 2 && !wire.isEmpty())
            wire[0] = char(0x0a);
        const RawDecodeResult result = decodeRaw(wire);
        if (result.ok())
            ++ok;
        else
            QVERIFY(result.error->offset >= 0 && result.error->offset <= wire.size());
        const QString why = checkRanges(result.root, 0, wire.size(), result.ok());
        QVERIFY2(why.isEmpty(), qPrintable(why + QStringLiteral(" in ") + QString::fromLatin1(wire.toHex())));
    }
    QVERIFY(ok > 0); // the empty buffer at least, and short lucky ones
}

HERMES_TEST_APPLESS_MAIN(TestRawDecoder)
#include "tst_rawdecoder.moc"
