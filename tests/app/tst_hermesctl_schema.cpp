// hermesctl decode / encode as real processes: decode(encode(x)) == x,
// bytes identical to protoc --encode, text identical to protoc --decode_raw, descriptor sets,
// stdin and files, and errors with file:line:column and exit codes from commands.h.
#include "../common/testmain.h"
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

namespace {

// Exit codes (app/hermesctl/commands.h).
constexpr int kSuccess = 0;
constexpr int kDataFailed = 1; // RequestFailed: the payload or JSON is bad
constexpr int kUsageError = 2; // command line, schema or file

QString fixtureDir()
{
    return QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto");
}

struct Run {
    int exitCode = -1;
    QByteArray out;
    QString err;
};

Run run(const QString &program, const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    process.setWorkingDirectory(fixtureDir());
    process.start(program, arguments);
    Run result;
    if (!process.waitForStarted(20000)) {
        result.err = process.errorString();
        return result;
    }
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(20000) || process.exitStatus() != QProcess::NormalExit) {
        result.err = QStringLiteral("did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

Run hermesctl(const QStringList &arguments, const QByteArray &input = {})
{
    return run(QStringLiteral(HERMESCTL_BIN), arguments, input);
}

QString protoc()
{
    return QStandardPaths::findExecutable(QStringLiteral("protoc"));
}

/// The schema options every typed row uses: fixtures folder files plus the WKT root.
QStringList schemaArgs()
{
    return {QStringLiteral("-I"), fixtureDir(), QStringLiteral("--proto"), QStringLiteral("telemetry.proto"),
            QStringLiteral("--proto"), QStringLiteral("wkt.proto"), QStringLiteral("--proto"), QStringLiteral("legacy.proto"),
            QStringLiteral("--proto"), QStringLiteral("shapes.proto")};
}

bool sameJson(const QByteArray &a, const QByteArray &b)
{
    return QJsonDocument::fromJson(a) == QJsonDocument::fromJson(b) && !QJsonDocument::fromJson(a).isNull();
}

} // namespace

class TestHermesctlSchema : public QObject
{
    Q_OBJECT

private slots:
    void decodeOfEncodeIsIdentity_data();
    void decodeOfEncodeIsIdentity();
    void encodeMatchesProtoc_data();
    void encodeMatchesProtoc();
    void rawMatchesProtocDecodeRaw_data();
    void rawMatchesProtocDecodeRaw();
    void treeShowsByteRanges();
    void readsDescriptorSets_data();
    void readsDescriptorSets();
    void readsEnvelopesLikeTheConsole();
    void reportsErrors_data();
    void reportsErrors();
};

void TestHermesctlSchema::decodeOfEncodeIsIdentity_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("json"); // canonical: what decode prints back
    QTest::newRow("nesting, repeated, map, oneof, enum, int64, packed, imported types")
            << "hermes.test.Telemetry"
            << QByteArray(R"({"deviceId":"d1","sequence":"-9007199254740993","readings":[{"sensorId":"t","value":21.5,"unit":"UNIT_CELSIUS"}],)"
                          R"("counters":{"a":3,"b":-4},"blob":"AAEC/w==","severity":"SEVERITY_ALERT","deltas":[-1,2,-3],)"
                          R"("location":{"lat":1.5,"lon":-2.5},"uptimeMs":"18446744073709551615","crc":7,"tags":[{"key":"k","value":"v"}]})");
    QTest::newRow("well-known types: Timestamp, Duration, Any, Struct, wrappers, Value")
            << "hermes.test.Envelope"
            << QByteArray(R"({"sentAt":"2024-01-01T00:00:00.250Z","ttl":"90s","body":{"@type":"type.googleapis.com/hermes.test.Ping","note":"hi"},)"
                          R"("extras":{"k":[1,"x",null,{"n":true}]},"priority":0,"title":"","silent":true,"anything":2.5})");
    QTest::newRow("recursive type, map of messages, proto3 optional")
            << "hermes.test.TreeNode"
            << QByteArray(R"({"label":"root","children":[{"label":"a","children":[{"label":"a1"}]}],"named":{"x":{"label":"nx"}},)"
                          R"("levels":{"1":"SEVERITY_INFO"},"weight":0,"reading":{"sensorId":"s"},"samples":[0.5,1e+100],"raw":"/w==","big":"1"})");
    QTest::newRow("proto2 with defaults") << "hermes.test.Legacy" << QByteArray(R"({"id":5,"retries":3,"codes":[1,2,300]})");
    QTest::newRow("empty message") << "hermes.test.Telemetry" << QByteArray("{}");
    QTest::newRow("non-ASCII text") << "hermes.test.Ping" << QByteArray(R"({"note":"推送 ✓ é"})");
}

void TestHermesctlSchema::decodeOfEncodeIsIdentity()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, json);
    const QStringList typed = schemaArgs() + QStringList{QStringLiteral("--type"), type};
    // JSON on stdin, bytes on stdout...
    const Run encoded = hermesctl(QStringList{QStringLiteral("encode")} + typed, json);
    QVERIFY2(encoded.exitCode == kSuccess, qPrintable(encoded.err));
    QVERIFY(encoded.err.isEmpty());
    // ...then the bytes from a file, JSON on stdout.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("payload.bin")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(encoded.out);
    file.close();
    const Run decoded = hermesctl(QStringList{QStringLiteral("decode")} + typed + QStringList{file.fileName()});
    QVERIFY2(decoded.exitCode == kSuccess, qPrintable(decoded.err));
    QVERIFY2(sameJson(decoded.out, json), decoded.out.constData());
    QVERIFY(decoded.out.endsWith('\n'));
    // And from stdin, explicitly "-".
    const Run piped = hermesctl(QStringList{QStringLiteral("decode")} + typed + QStringList{QStringLiteral("-")}, encoded.out);
    QCOMPARE(piped.out, decoded.out);
    // --output writes the same bytes.
    const QString out = dir.filePath(QStringLiteral("o.bin"));
    QCOMPARE(hermesctl(QStringList{QStringLiteral("encode")} + typed + QStringList{QStringLiteral("-o"), out}, json).exitCode, kSuccess);
    QFile written(out);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll(), encoded.out);
}

void TestHermesctlSchema::encodeMatchesProtoc_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("text"); // the same message in protoc's text format
    QTest::newRow("scalars, nested, repeated, enum, one map entry")
            << "hermes.test.Telemetry"
            << QByteArray(R"({"deviceId":"d1","sequence":"42","readings":[{"sensorId":"t","value":21.5,"unit":"UNIT_CELSIUS"},{"sensorId":"h"}],)"
                          R"("counters":{"a":3},"text":"hi","deltas":[-1,2],"crc":7})")
            << QByteArray("device_id: \"d1\" sequence: 42 readings { sensor_id: \"t\" value: 21.5 unit: UNIT_CELSIUS } "
                          "readings { sensor_id: \"h\" } counters { key: \"a\" value: 3 } text: \"hi\" deltas: -1 deltas: 2 crc: 7");
    QTest::newRow("well-known types as messages")
            << "hermes.test.Envelope" << QByteArray(R"({"sentAt":"2024-01-01T00:00:00Z","ttl":"1.500s","priority":7})")
            << QByteArray("sent_at { seconds: 1704067200 } ttl { seconds: 1 nanos: 500000000 } priority { value: 7 }");
    QTest::newRow("proto2 group and packed") << "hermes.test.Legacy" << QByteArray(R"({"id":1,"codes":[5,6]})")
                                             << QByteArray("id: 1 codes: 5 codes: 6");
}

void TestHermesctlSchema::encodeMatchesProtoc()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, text);
    if (protoc().isEmpty())
        HERMES_SKIP("protoc not installed (package protobuf-compiler)");
    const Run ours = hermesctl(QStringList{QStringLiteral("encode")} + schemaArgs() + QStringList{QStringLiteral("--type"), type}, json);
    QVERIFY2(ours.exitCode == kSuccess, qPrintable(ours.err));
    const Run theirs = run(protoc(), {QStringLiteral("-I") + fixtureDir(), QStringLiteral("-I/usr/include"),
                                      QStringLiteral("--encode=") + type, QStringLiteral("telemetry.proto"),
                                      QStringLiteral("wkt.proto"), QStringLiteral("legacy.proto")},
                           text);
    QVERIFY2(theirs.exitCode == 0, qPrintable(theirs.err));
    QCOMPARE(ours.out.toHex(' '), theirs.out.toHex(' '));
}

void TestHermesctlSchema::rawMatchesProtocDecodeRaw_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<int>("exitCode");

    QTest::newRow("varint, string, nested message")
            << QByteArray::fromHex("08 96 01"    // 1: 150
                                   "12 02 6869"  // 2: "hi" -- protoc sees { 13: 105 }: a message first
                                   "1a 03 08 01 10") // 3: 3 bytes that are not a message -> string "\010\001\020"
            << kSuccess;
    QTest::newRow("fixed32, fixed64, max varint")
            << QByteArray::fromHex("1d 01000000"               // 3: 0x00000001
                                   "21 0100000000000080"       // 4: 0x8000000000000001
                                   "28 ffffffffffffffffff01")  // 5: 18446744073709551615
            << kSuccess;
    QTest::newRow("group with fields")
            << QByteArray::fromHex("2b 08 01 12 01 41 2c") // 5 { 1: 1 2: "A" }
            << kSuccess;
    QTest::newRow("escapes: quotes, backslash, newline, tab, high bytes")
            << QByteArray::fromHex("0a 08 22 27 5c 0a 09 0d ff 80") << kSuccess;
    QTest::newRow("empty length-delimited and empty payload field") << QByteArray::fromHex("0a 00 10 00") << kSuccess;
    QTest::newRow("empty input prints nothing") << QByteArray() << kSuccess;
    QTest::newRow("two-byte tag (field 99)") << QByteArray::fromHex("9806 05") << kSuccess;
    {
        // Twelve nested messages: protoc prints ten levels, then the rest as a string.
        QByteArray wire = QByteArray::fromHex("08 01");
        for (int i = 0; i < 12; ++i)
            wire = QByteArray(1, '\x0a') + char(wire.size()) + wire;
        QTest::newRow("nesting beyond protoc's budget of 10") << wire << kSuccess;
    }
    QTest::newRow("truncated: both fail") << QByteArray::fromHex("08 01 0a 05 61") << kDataFailed;
    QTest::newRow("field number 0: both fail") << QByteArray::fromHex("00 01") << kDataFailed;
    QTest::newRow("stray end-group: both fail") << QByteArray::fromHex("08 01 0c") << kDataFailed;
}

void TestHermesctlSchema::rawMatchesProtocDecodeRaw()
{
    QFETCH(QByteArray, wire);
    QFETCH(int, exitCode);
    if (protoc().isEmpty())
        HERMES_SKIP("protoc not installed (package protobuf-compiler)");
    const Run ours = hermesctl({QStringLiteral("decode"), QStringLiteral("--raw")}, wire);
    const Run theirs = run(protoc(), {QStringLiteral("--decode_raw")}, wire);
    QCOMPARE(ours.exitCode, exitCode);
    QCOMPARE(theirs.exitCode == 0, exitCode == kSuccess);
    if (exitCode == kSuccess)
        QCOMPARE(QString::fromLatin1(ours.out), QString::fromLatin1(theirs.out));
    else
        QVERIFY2(ours.err.contains(QStringLiteral("not protobuf wire format")), qPrintable(ours.err));
}

void TestHermesctlSchema::treeShowsByteRanges()
{
    const QByteArray wire = QByteArray::fromHex("0a 02 6431" // [0+4] device_id = "d1"
                                                "10 2a"      // [4+2] sequence = 42
                                                "f8 06 01"); // [6+3] field 111: unknown, kept
    const Run typed = hermesctl(QStringList{QStringLiteral("decode"), QStringLiteral("--tree")} + schemaArgs()
                                        + QStringList{QStringLiteral("--type"), QStringLiteral("hermes.test.Telemetry")},
                                wire);
    QVERIFY2(typed.exitCode == kSuccess, qPrintable(typed.err));
    QCOMPARE(QString::fromUtf8(typed.out), QStringLiteral(" hermes.test.Telemetry [0+9]\n"
                                                          "  device_id string [0+4] = d1\n"
                                                          "  sequence int64 [4+2] = 42\n"
                                                          "  111 varint [6+3] unknown = 1\n"));
    const Run raw = hermesctl({QStringLiteral("decode"), QStringLiteral("--raw"), QStringLiteral("--tree")}, wire);
    QCOMPARE(raw.exitCode, kSuccess);
    QVERIFY2(raw.out.contains("  1 string [0+4] = d1\n"), raw.out.constData());
}

void TestHermesctlSchema::readsDescriptorSets_data()
{
    QTest::addColumn<bool>("includeImports");
    QTest::newRow("protoc -o --include_imports") << true;
    QTest::newRow("protoc -o, imports from -I") << false;
}

void TestHermesctlSchema::readsDescriptorSets()
{
    QFETCH(bool, includeImports);
    if (protoc().isEmpty())
        HERMES_SKIP("protoc not installed (package protobuf-compiler)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString set = dir.filePath(QStringLiteral("set.pb"));
    QStringList arguments{QStringLiteral("-I") + fixtureDir(), QStringLiteral("-I/usr/include"), QStringLiteral("-o") + set,
                          QStringLiteral("telemetry.proto")};
    if (includeImports)
        arguments.prepend(QStringLiteral("--include_imports"));
    const Run compiled = run(protoc(), arguments);
    QVERIFY2(compiled.exitCode == 0, qPrintable(compiled.err));

    QStringList schema{QStringLiteral("--descriptor-set"), set, QStringLiteral("--type"), QStringLiteral("hermes.test.Reading")};
    if (!includeImports)
        schema += QStringList{QStringLiteral("-I"), fixtureDir()};
    const QByteArray json(R"({"sensorId":"t","unit":"UNIT_PERCENT"})");
    const Run encoded = hermesctl(QStringList{QStringLiteral("encode")} + schema, json);
    QVERIFY2(encoded.exitCode == kSuccess, qPrintable(encoded.err));
    const Run decoded = hermesctl(QStringList{QStringLiteral("decode")} + schema, encoded.out);
    QVERIFY2(decoded.exitCode == kSuccess, qPrintable(decoded.err));
    QCOMPARE(decoded.out, json + '\n');
}

void TestHermesctlSchema::readsEnvelopesLikeTheConsole()
{
    // Inner Telemetry in an envelope built with hermesctl itself (the envelope type is
    // compiled in: no --proto needed for it).
    const QStringList telemetry = schemaArgs() + QStringList{QStringLiteral("--type"), QStringLiteral("hermes.test.Telemetry")};
    const Run inner = hermesctl(QStringList{QStringLiteral("encode")} + telemetry, R"({"deviceId":"d1","sequence":"42"})");
    QCOMPARE(inner.exitCode, kSuccess);
    const QByteArray envelopeJson = R"({"pushId":"p1","deviceId":"d1","contentType":"application/x-protobuf; messageType=hermes.test.Telemetry","payload":")"
            + inner.out.toBase64() + R"("})";
    const Run envelope = hermesctl({QStringLiteral("encode"), QStringLiteral("--type"), QStringLiteral("hermes.push.v1.Envelope")}, envelopeJson);
    QVERIFY2(envelope.exitCode == kSuccess, qPrintable(envelope.err));

    const Run read = hermesctl(QStringList{QStringLiteral("decode"), QStringLiteral("--json"), QStringLiteral("--topic"),
                                           QStringLiteral("devices/d1/push")} + schemaArgs(),
                               envelope.out);
    QVERIFY2(read.exitCode == kSuccess, qPrintable(read.err));
    const QJsonObject object = QJsonDocument::fromJson(read.out).object();
    QCOMPARE(object.value(QStringLiteral("interpretation")).toString(), QStringLiteral("envelope"));
    QCOMPARE(object.value(QStringLiteral("payload")).toObject().value(QStringLiteral("interpretation")).toString(), QStringLiteral("typed"));
    QCOMPARE(object.value(QStringLiteral("payload")).toObject().value(QStringLiteral("message")).toObject().value(QStringLiteral("sequence")).toString(),
             QStringLiteral("42"));

    // A binding decides on another topic.
    const Run bound = hermesctl(QStringList{QStringLiteral("decode"), QStringLiteral("--topic"), QStringLiteral("telemetry/d1/state"),
                                            QStringLiteral("--bind"), QStringLiteral("telemetry/+/state=hermes.test.Telemetry")} + schemaArgs(),
                                inner.out);
    QCOMPARE(bound.exitCode, kSuccess);
    QVERIFY2(bound.out.startsWith("# bound hermes.test.Telemetry\n"), bound.out.constData());
}

void TestHermesctlSchema::reportsErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("error"); // a line of stderr

    const QString broken = fixtureDir() + QStringLiteral("/broken/broken.proto");
    QTest::newRow("syntax error as file:line:column: message")
            << QStringList{"decode", "--proto", broken, "--type", "hermes.test.Broken"} << QByteArray() << kUsageError
            << "broken.proto:7:3: Expected \";\".";
    QTest::newRow("undefined type in a .proto")
            << QStringList{"decode", "--proto", fixtureDir() + "/broken/undefined.proto", "--type", "x"} << QByteArray()
            << kUsageError << "undefined.proto:6:3: \"Missing\" is not defined.";
    QTest::newRow("missing import")
            << QStringList{"encode", "--proto", fixtureDir() + "/broken/badimport.proto", "--type", "x"} << QByteArray()
            << kUsageError << "badimport.proto:4:1: Import \"nowhere/gone.proto\" was not found or had errors.";
    QTest::newRow("unknown type lists close names")
            << (QStringList{"decode"} + schemaArgs() + QStringList{"--type", "Telemetri"}) << QByteArray() << kUsageError
            << "hermesctl decode: unknown message type \"Telemetri\"; did you mean: hermes.test.Telemetry";
    QTest::newRow("no schema at all")
            << QStringList{"decode", "--type", "a.B"} << QByteArray() << kUsageError
            << "hermesctl decode: unknown message type \"a.B\" (no schema loaded: use --proto or --descriptor-set)";
    QTest::newRow("no --type") << (QStringList{"encode"} + schemaArgs()) << QByteArray() << kUsageError
                               << "hermesctl encode: --type NAME is required (or --raw)";
    QTest::newRow("bytes that are not the type")
            << (QStringList{"decode"} + schemaArgs() + QStringList{"--type", "hermes.test.Telemetry"})
            << QByteArray::fromHex("08 01 0a 05 61") << kDataFailed
            << "hermesctl decode: bytes do not parse as hermes.test.Telemetry (field 1 declares 5 bytes, 1 left at offset 3)";
    QTest::newRow("JSON with an unknown field")
            << (QStringList{"encode"} + schemaArgs() + QStringList{"--type", "hermes.test.Ping"}) << QByteArray(R"({"nope":1})")
            << kDataFailed << "hermesctl encode: INVALID_ARGUMENT:nope: Cannot find field.";
    QTest::newRow("input file missing")
            << (QStringList{"decode", "--raw", "/nonexistent/x.bin"}) << QByteArray() << kUsageError
            << "hermesctl decode: cannot read /nonexistent/x.bin: No such file or directory";
    QTest::newRow("--json with --tree") << QStringList{"decode", "--raw", "--json", "--tree"} << QByteArray() << kUsageError
                                        << "hermesctl decode: --json and --tree exclude each other";
    QTest::newRow("two input files") << QStringList{"decode", "--raw", "a", "b"} << QByteArray() << kUsageError
                                     << "hermesctl decode: one input file at most (or none: stdin)";
    QTest::newRow("bad --bind") << (QStringList{"decode", "--topic", "a/b", "--bind", "a/#/b=T"}) << QByteArray("x") << kUsageError
                                << "hermesctl decode: --bind a/#/b=T: \"a/#/b\" is not a valid topic filter (expected FILTER=TYPE)";
    QTest::newRow("missing required field is a warning, bytes still come")
            << (QStringList{"decode"} + schemaArgs() + QStringList{"--type", "hermes.test.Legacy"}) << QByteArray::fromHex("20 05")
            << kSuccess << "hermesctl decode: warning: missing required fields: id";
}

void TestHermesctlSchema::reportsErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(int, exitCode);
    QFETCH(QString, error);
    const Run result = hermesctl(arguments, input);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.split(QLatin1Char('\n')).contains(error), qPrintable(result.err));
}

HERMES_TEST_GUILESS_MAIN(TestHermesctlSchema)
#include "tst_hermesctl_schema.moc"
