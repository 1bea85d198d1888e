// Run-time protobuf schemas: loading .proto files and descriptor sets, errors with
// file:line:column, typed decoding with byte ranges, unknown fields kept, canonical JSON for
// the well-known types, and decode(encode(json)) == json.
#include "../common/testmain.h"
#include "schema/schemaregistry.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace hermes::schema;

namespace {

QString fixtureDir()
{
    return QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto");
}

QString errorText(const QList<SchemaError> &errors)
{
    QStringList lines;
    for (const SchemaError &e : errors)
        lines.append(e.toString());
    return lines.join(QLatin1Char('\n'));
}

/// A registry with telemetry.proto, wkt.proto and legacy.proto loaded from the fixtures.
void loadFixtures(SchemaRegistry &registry)
{
    registry.addImportPath(fixtureDir());
    for (const char *name : {"telemetry.proto", "wkt.proto", "legacy.proto"}) {
        const QList<SchemaError> errors = registry.loadProtoFile(QString::fromLatin1(name));
        QVERIFY2(errors.isEmpty(), qPrintable(errorText(errors)));
    }
}

const DecodedNode *child(const DecodedNode &node, const QString &name, int index = 0)
{
    for (const DecodedNode &c : node.children) {
        if (c.name == name && index-- == 0)
            return &c;
    }
    return nullptr;
}

QString range(const DecodedNode *node)
{
    return node ? QStringLiteral("%1+%2").arg(node->offset).arg(node->length) : QStringLiteral("missing");
}

/// Runs protoc; returns its stderr on failure.
QString runProtoc(const QStringList &arguments)
{
    QProcess protoc;
    protoc.start(QStandardPaths::findExecutable(QStringLiteral("protoc")), arguments);
    if (!protoc.waitForFinished(30000) || protoc.exitCode() != 0)
        return QString::fromUtf8(protoc.readAllStandardError()) + protoc.errorString();
    return {};
}

} // namespace

class TestSchemaRegistry : public QObject
{
    Q_OBJECT

private slots:
    void listsMessageTypes();
    void loadsDirectoryAndReportsBrokenFile();
    void loadsByDiskPath();
    void reportsErrors_data();
    void reportsErrors();
    void roundTripsJson_data();
    void roundTripsJson();
    void wellKnownTypesAreCanonical();
    void treeHasFieldsAndRanges();
    void keepsUnknownFields_data();
    void keepsUnknownFields();
    void fallsBackToRawDecoding_data();
    void fallsBackToRawDecoding();
    void missingRequiredIsAWarning();
    void refusesBadJson_data();
    void refusesBadJson();
    void loadsDescriptorSets_data();
    void loadsDescriptorSets();
    void reloadsFromTheSameSources();
    void typeLookedUpBeforeItsFileLoads();
    void deepNestingFallsBack_data();
    void deepNestingFallsBack();
    void fastJsonMatchesConverter();
    void randomBytesNeverCrash();
};

void TestSchemaRegistry::listsMessageTypes()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    // Only the loaded files' own types: imports (units.proto, the WKTs) are not listed,
    // map entries neither.
    QCOMPARE(registry.messageTypes(),
             (QStringList{"hermes.test.Envelope", "hermes.test.Legacy", "hermes.test.Legacy.Extra",
                          "hermes.test.Ping", "hermes.test.Reading", "hermes.test.Telemetry",
                          "hermes.test.Telemetry.Location"}));
    QCOMPARE(registry.files(), (QStringList{"telemetry.proto", "wkt.proto", "legacy.proto"}));
}

void TestSchemaRegistry::loadsDirectoryAndReportsBrokenFile()
{
    SchemaRegistry registry;
    const QList<SchemaError> errors = registry.loadProtoDirectory(fixtureDir());
    // Each broken file is reported at its place; the good files load all the same.
    QCOMPARE(errorText(errors),
             QStringLiteral("nowhere/gone.proto: File not found.\n"
                            "broken/badimport.proto:4:1: Import \"nowhere/gone.proto\" was not found or had errors.\n"
                            "broken/broken.proto:7:3: Expected \";\".\n"
                            "broken/undefined.proto:6:3: \"Missing\" is not defined."));
    QVERIFY(registry.messageTypes().contains(QStringLiteral("hermes.test.common.Tag")));
    QVERIFY(registry.messageTypes().contains(QStringLiteral("hermes.test.TreeNode")));
    QVERIFY(!registry.messageTypes().contains(QStringLiteral("hermes.test.broken.Undefined")));
    QVERIFY(registry.messageTypes().contains(QStringLiteral("hermes.test.Telemetry")));
    QVERIFY(!registry.messageTypes().contains(QStringLiteral("hermes.test.Broken")));
}

void TestSchemaRegistry::loadsByDiskPath()
{
    // No import path given: the file's folder becomes the root, so its import of
    // common/units.proto (a subfolder) resolves, and the WKT fallback is not needed.
    SchemaRegistry registry(QString{});
    const QList<SchemaError> errors = registry.loadProtoFile(fixtureDir() + QStringLiteral("/telemetry.proto"));
    QVERIFY2(errors.isEmpty(), qPrintable(errorText(errors)));
    QCOMPARE(registry.files(), QStringList{QStringLiteral("telemetry.proto")});
    // Without the /usr/include fallback the well-known types are not found.
    const QList<SchemaError> wkt = registry.loadProtoFile(fixtureDir() + QStringLiteral("/wkt.proto"));
    QVERIFY(errorText(wkt).contains(QStringLiteral("google/protobuf/any.proto: File not found.")));
}

void TestSchemaRegistry::reportsErrors_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("proto");      // written to a temporary folder when not empty
    QTest::addColumn<QString>("expected");

    QTest::newRow("syntax error: missing semicolon")
            << fixtureDir() + QStringLiteral("/broken/broken.proto") << QString()
            << QStringLiteral("broken.proto:7:3: Expected \";\".");
    QTest::newRow("file not found")
            << QStringLiteral("nowhere.proto") << QString()
            << QStringLiteral("nowhere.proto: File not found.");
    QTest::newRow("import not found")
            << QStringLiteral("a.proto")
            << QStringLiteral("syntax = \"proto3\";\nimport \"missing/b.proto\";\nmessage A {}\n")
            << QStringLiteral("missing/b.proto: File not found.\n"
                              "a.proto:2:1: Import \"missing/b.proto\" was not found or had errors.");
    QTest::newRow("undefined type, located by the validator")
            << QStringLiteral("c.proto")
            << QStringLiteral("syntax = \"proto3\";\nmessage C {\n  Nope n = 1;\n}\n")
            << QStringLiteral("c.proto:3:3: \"Nope\" is not defined.");
    QTest::newRow("duplicate field number")
            << QStringLiteral("d.proto")
            << QStringLiteral("syntax = \"proto3\";\nmessage D {\n  int32 a = 1;\n  int32 b = 1;\n}\n")
            << QStringLiteral("d.proto:4:13: Field number 1 has already been used in \"D\" by field \"a\".");
}

void TestSchemaRegistry::reportsErrors()
{
    QFETCH(QString, file);
    QFETCH(QString, proto);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SchemaRegistry registry;
    registry.addImportPath(dir.path());
    if (!proto.isEmpty()) {
        QFile out(dir.filePath(file));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(proto.toUtf8());
    }
    const QList<SchemaError> errors = registry.loadProtoFile(file);
    QCOMPARE(errorText(errors), expected);
}

void TestSchemaRegistry::roundTripsJson_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("json"); // canonical: lowerCamelCase, int64 as strings, defaults omitted

    QTest::newRow("telemetry: nesting, repeated, map, oneof, enum, int64, packed")
            << QStringLiteral("hermes.test.Telemetry")
            << QStringLiteral(R"({"deviceId":"d1","sequence":"9007199254740993",
                 "readings":[{"sensorId":"t","value":21.5,"unit":"UNIT_CELSIUS"},{"sensorId":"h","value":0.25,"unit":"UNIT_PERCENT"}],
                 "counters":{"a":3,"b":-4},"text":"hello","severity":"SEVERITY_ALERT","deltas":[-1,2,-3],
                 "location":{"lat":1.5,"lon":-2.5},"uptimeMs":"18446744073709551615","crc":7,
                 "tags":[{"key":"k","value":"v"}]})");
    QTest::newRow("telemetry: oneof bytes as base64")
            << QStringLiteral("hermes.test.Telemetry")
            << QStringLiteral(R"({"blob":"AAEC/w==","sequence":"-5"})");
    QTest::newRow("empty message")
            << QStringLiteral("hermes.test.Telemetry") << QStringLiteral("{}");
    QTest::newRow("well-known types")
            << QStringLiteral("hermes.test.Envelope")
            << QStringLiteral(R"({"sentAt":"2024-01-01T00:00:00Z","ttl":"1.500s",
                 "body":{"@type":"type.googleapis.com/hermes.test.Ping","note":"hi"},
                 "extras":{"a":1,"b":[true,null,"x"],"c":{"d":"e"}},
                 "priority":0,"title":"t","silent":false,"anything":"text"})");
    QTest::newRow("the other well-known types: ListValue, FieldMask, Empty, every wrapper")
            << QStringLiteral("hermes.test.Envelope")
            << QStringLiteral(R"({"list":[1,"a",[true],{}],"mask":"sentAt,extras.fooBar","nothing":{},"d":-0.5,"f":1.25,)"
                              R"("i64":"-9223372036854775808","u64":"18446744073709551615","u32":4294967295,"data":"3q2+7w=="})");
    QTest::newRow("timestamp with nanoseconds, negative duration")
            << QStringLiteral("hermes.test.Envelope")
            << QStringLiteral(R"({"sentAt":"1969-12-31T23:59:59.123456789Z","ttl":"-0.000000001s"})");
    QTest::newRow("proto2 required field")
            << QStringLiteral("hermes.test.Legacy")
            << QStringLiteral(R"({"id":3})");
}

void TestSchemaRegistry::roundTripsJson()
{
    QFETCH(QString, type);
    QFETCH(QString, json);
    SchemaRegistry registry;
    loadFixtures(registry);
    const EncodeResult encoded = registry.encodeJson(type, json);
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    const DecodeResult decoded = registry.decode(type, encoded.bytes);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    QVERIFY(decoded.warnings.isEmpty());
    QJsonParseError parseError;
    const QJsonDocument expected = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    const QJsonDocument actual = QJsonDocument::fromJson(decoded.json.toUtf8());
    QVERIFY2(actual == expected, qPrintable(decoded.json));
    // The tree's top-level fields tile the payload exactly.
    qsizetype cursor = 0;
    for (const DecodedNode &field : decoded.root.children) {
        QCOMPARE(field.offset, cursor);
        cursor += field.length;
    }
    QCOMPARE(cursor, encoded.bytes.size());
}

void TestSchemaRegistry::wellKnownTypesAreCanonical()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    const QByteArray wire = QByteArray::fromHex(
            "0a 06 08 8081c8ac06"   // sent_at: Timestamp { seconds = 1704067200 }
            "12 08 08 01 10 80cab5ee01" // ttl: Duration { seconds = 1, nanos = 500000000 }
            "2a 02 08 07");         // priority: Int32Value { value = 7 }
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.Envelope"), wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    QCOMPARE(decoded.json, QStringLiteral(R"({"sentAt":"2024-01-01T00:00:00Z","ttl":"1.500s","priority":7})"));
    const DecodedNode *sentAt = child(decoded.root, QStringLiteral("sent_at"));
    QVERIFY(sentAt);
    QCOMPARE(sentAt->typeName, QStringLiteral("google.protobuf.Timestamp"));
    QCOMPARE(range(child(*sentAt, QStringLiteral("seconds"))), QStringLiteral("2+6"));
    QCOMPARE(child(*sentAt, QStringLiteral("seconds"))->value.toLongLong(), 1704067200);
}

void TestSchemaRegistry::treeHasFieldsAndRanges()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    const QByteArray wire = QByteArray::fromHex(
            "0a 02 6431"         // [0+4]   device_id = "d1"
            "10 2a"              // [4+2]   sequence = 42
            "1a 05 0a 01 74 18 01" // [6+7] readings { sensor_id = "t", unit = UNIT_CELSIUS }
            "22 05 0a 01 61 10 03" // [13+7] counters { key = "a", value = 3 }
            "38 02"              // [20+2]  severity = SEVERITY_ALERT
            "42 03 01 04 05"     // [22+5]  deltas packed sint32 (zigzag): -1, 2, -3
            "5d 07000000");      // [27+5]  crc fixed32 = 7
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.Telemetry"), wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    const DecodedNode &root = decoded.root;
    QCOMPARE(root.typeName, QStringLiteral("hermes.test.Telemetry"));
    QCOMPARE(range(child(root, "device_id")), QStringLiteral("0+4"));
    QCOMPARE(child(root, "device_id")->value.toString(), QStringLiteral("d1"));
    QCOMPARE(child(root, "device_id")->valueOffset, 2);
    QCOMPARE(child(root, "sequence")->kind, DecodedNode::Kind::Integer);
    QCOMPARE(child(root, "sequence")->typeName, QStringLiteral("int64"));
    QCOMPARE(child(root, "sequence")->value.toLongLong(), 42);

    const DecodedNode *reading = child(root, "readings");
    QCOMPARE(range(reading), QStringLiteral("6+7"));
    QCOMPARE(reading->typeName, QStringLiteral("hermes.test.Reading"));
    QCOMPARE(range(child(*reading, "sensor_id")), QStringLiteral("8+3"));
    QCOMPARE(child(*reading, "unit")->kind, DecodedNode::Kind::Enum);
    QCOMPARE(child(*reading, "unit")->text, QStringLiteral("UNIT_CELSIUS"));
    QCOMPARE(child(*reading, "unit")->typeName, QStringLiteral("hermes.test.common.Unit"));
    QCOMPARE(range(child(*reading, "unit")), QStringLiteral("11+2"));

    const DecodedNode *entry = child(root, "counters");
    QCOMPARE(range(entry), QStringLiteral("13+7"));
    QCOMPARE(child(*entry, "value")->value.toLongLong(), 3);

    QCOMPARE(child(root, "severity")->text, QStringLiteral("SEVERITY_ALERT"));
    const DecodedNode *deltas = child(root, "deltas");
    QCOMPARE(deltas->kind, DecodedNode::Kind::Packed);
    QCOMPARE(range(deltas), QStringLiteral("22+5"));
    QCOMPARE(deltas->children.size(), 3);
    QCOMPARE(deltas->children[0].value.toLongLong(), -1);
    QCOMPARE(deltas->children[1].value.toLongLong(), 2);
    QCOMPARE(deltas->children[2].value.toLongLong(), -3);
    QCOMPARE(range(&deltas->children[2]), QStringLiteral("26+1"));
    QCOMPARE(child(root, "crc")->value.toULongLong(), 7u);
    QCOMPARE(range(child(root, "crc")), QStringLiteral("27+5"));
    QCOMPARE(decoded.json, QStringLiteral(R"({"deviceId":"d1","sequence":"42","readings":[{"sensorId":"t","unit":"UNIT_CELSIUS"}],)"
                                          R"("counters":{"a":3},"severity":"SEVERITY_ALERT","deltas":[-1,2,-3],"crc":7})"));
}

void TestSchemaRegistry::keepsUnknownFields_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("unknownRange");
    QTest::addColumn<int>("number");

    QTest::newRow("field 99 not in Reading")
            << QByteArray::fromHex("0a 01 74" // sensor_id = "t"
                                   "9806 01") // field 99 varint 1 (two-byte tag)
            << QStringLiteral("3+3") << 99;
    QTest::newRow("known number, wrong wire type")
            << QByteArray::fromHex("08 05"     // field 1 (sensor_id is a string) as varint 5
                                   "11 000000000000f03f") // value = 1.0
            << QStringLiteral("0+2") << 1;
    QTest::newRow("unknown nested message kept as a guess")
            << QByteArray::fromHex("2a 02 0801") // field 5 len 2 { field 1 varint 1 }
            << QStringLiteral("0+4") << 5;
}

void TestSchemaRegistry::keepsUnknownFields()
{
    QFETCH(QByteArray, wire);
    QFETCH(QString, unknownRange);
    QFETCH(int, number);
    SchemaRegistry registry;
    loadFixtures(registry);
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.Reading"), wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    const DecodedNode *unknown = nullptr;
    for (const DecodedNode &field : decoded.root.children) {
        if (field.unknown)
            unknown = &field;
    }
    QVERIFY(unknown);
    QCOMPARE(unknown->number, number);
    QCOMPARE(range(unknown), unknownRange);
    for (const DecodedNode &nested : unknown->children)
        QVERIFY(nested.unknown);
}

void TestSchemaRegistry::fallsBackToRawDecoding_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<QString>("error");
    QTest::addColumn<bool>("rawOk");
    QTest::addColumn<QString>("firstField"); // type of the first field as the raw decoder saw it

    QTest::newRow("no such type: still shown field by field")
            << QStringLiteral("hermes.test.Nope") << QByteArray::fromHex("08 01 12 01 61")
            << QStringLiteral("unknown message type hermes.test.Nope") << true << QStringLiteral("varint");
    QTest::newRow("truncated length")
            << QStringLiteral("hermes.test.Telemetry") << QByteArray::fromHex("08 01 0a 05 61")
            << QStringLiteral("bytes do not parse as hermes.test.Telemetry") << false << QStringLiteral("varint");
    QTest::newRow("proto3 string that is not UTF-8")
            << QStringLiteral("hermes.test.Telemetry") << QByteArray::fromHex("0a 02 fffe") // device_id = ff fe
            << QStringLiteral("bytes do not parse as hermes.test.Telemetry") << true << QStringLiteral("bytes");
    QTest::newRow("packed sint32 cut inside an element")
            << QStringLiteral("hermes.test.Telemetry") << QByteArray::fromHex("42 02 01 80") // deltas: 1, then 0x80 without an end
            << QStringLiteral("bytes do not parse as hermes.test.Telemetry") << true << QStringLiteral("bytes");
    QTest::newRow("sub-message bytes are not a Reading")
            << QStringLiteral("hermes.test.Telemetry") << QByteArray::fromHex("1a 02 ffff")
            << QStringLiteral("bytes do not parse as hermes.test.Telemetry") << true << QStringLiteral("bytes");
}

void TestSchemaRegistry::fallsBackToRawDecoding()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, wire);
    QFETCH(QString, error);
    QFETCH(bool, rawOk);
    QFETCH(QString, firstField);
    SchemaRegistry registry;
    loadFixtures(registry);
    const DecodeResult decoded = registry.decode(type, wire);
    QVERIFY(!decoded.ok());
    QVERIFY(decoded.rawFallback);
    QCOMPARE(decoded.error, error);
    QVERIFY(decoded.json.isEmpty());
    QCOMPARE(!decoded.rawError.has_value(), rawOk);
    QVERIFY(!decoded.root.children.isEmpty());
    QCOMPARE(decoded.root.children.first().typeName, firstField);
}

void TestSchemaRegistry::missingRequiredIsAWarning()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    const QByteArray wire = QByteArray::fromHex("13 1a 01 6e 14"); // Extra group { note = "n" }
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.Legacy"), wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    // protobuf 3.21's JSON converter works from google.protobuf.Type, which has no groups.
    QCOMPARE(decoded.warnings, (QStringList{QStringLiteral("missing required fields: id"),
                                            QStringLiteral("groups are left out of the JSON (protobuf 3.21)")}));
    QCOMPARE(decoded.json, QStringLiteral("{}"));
    QCOMPARE(child(decoded.root.children.first(), QStringLiteral("note"))->value.toString(), QStringLiteral("n"));
    QCOMPARE(decoded.root.children.first().kind, DecodedNode::Kind::Group);
    QCOMPARE(range(&decoded.root.children.first()), QStringLiteral("0+5"));

    const EncodeResult encoded = registry.encodeJson(QStringLiteral("hermes.test.Legacy"), QStringLiteral("{}"));
    // protobuf 3.21's JSON parser itself insists on required fields: a refusal, not a crash.
    QVERIFY(!encoded.ok());
    QVERIFY2(encoded.error.contains(QStringLiteral("missing field id")), qPrintable(encoded.error));
}

void TestSchemaRegistry::refusesBadJson_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("json");

    QTest::newRow("not JSON") << QStringLiteral("hermes.test.Telemetry") << QStringLiteral("{");
    QTest::newRow("unknown JSON field") << QStringLiteral("hermes.test.Telemetry") << QStringLiteral(R"({"nope":1})");
    QTest::newRow("string for an int") << QStringLiteral("hermes.test.Reading") << QStringLiteral(R"({"value":"x"})");
    QTest::newRow("bad timestamp") << QStringLiteral("hermes.test.Envelope") << QStringLiteral(R"({"sentAt":"yesterday"})");
    QTest::newRow("Any of an unknown type") << QStringLiteral("hermes.test.Envelope")
                                            << QStringLiteral(R"({"body":{"@type":"type.googleapis.com/x.Y"}})");
    QTest::newRow("unknown message type") << QStringLiteral("x.Y") << QStringLiteral("{}");
}

void TestSchemaRegistry::refusesBadJson()
{
    QFETCH(QString, type);
    QFETCH(QString, json);
    SchemaRegistry registry;
    loadFixtures(registry);
    const EncodeResult encoded = registry.encodeJson(type, json);
    QVERIFY(!encoded.ok());
    QVERIFY(encoded.bytes.isEmpty());
}

void TestSchemaRegistry::loadsDescriptorSets_data()
{
    QTest::addColumn<bool>("includeImports");
    QTest::addColumn<QString>("wellKnownRoot");
    QTest::newRow("--include_imports, no .proto on disk needed") << true << QString();
    QTest::newRow("without imports: WKTs from /usr/include") << false << QStringLiteral("/usr/include");
}

void TestSchemaRegistry::loadsDescriptorSets()
{
    QFETCH(bool, includeImports);
    QFETCH(QString, wellKnownRoot);
    if (QStandardPaths::findExecutable(QStringLiteral("protoc")).isEmpty())
        HERMES_SKIP("protoc not installed (package protobuf-compiler)");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString set = dir.filePath(QStringLiteral("fixtures.pb"));
    QStringList arguments{QStringLiteral("-I") + fixtureDir(), QStringLiteral("-I/usr/include"),
                          QStringLiteral("-o") + set, QStringLiteral("telemetry.proto"), QStringLiteral("wkt.proto")};
    if (includeImports)
        arguments.prepend(QStringLiteral("--include_imports"));
    const QString protocError = runProtoc(arguments);
    QVERIFY2(protocError.isEmpty(), qPrintable(protocError));

    SchemaRegistry registry(wellKnownRoot);
    QList<SchemaError> errors = registry.loadDescriptorSet(set);
    if (!includeImports) {
        // telemetry.proto imports common/units.proto, which is not in the set.
        QVERIFY(errorText(errors).contains(QStringLiteral("common/units.proto: File not found.")));
        registry.addImportPath(fixtureDir());
        errors = registry.loadDescriptorSet(set);
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errorText(errors)));
    QVERIFY(registry.messageTypes().contains(QStringLiteral("hermes.test.Telemetry")));
    QVERIFY(registry.messageTypes().contains(QStringLiteral("hermes.test.Envelope")));
    QCOMPARE(registry.messageTypes().contains(QStringLiteral("google.protobuf.Timestamp")), includeImports);

    const QString json = QStringLiteral(R"({"sentAt":"2024-01-01T00:00:00Z","ttl":"1.500s","body":{"@type":"type.googleapis.com/hermes.test.Ping","note":"n"}})");
    const EncodeResult encoded = registry.encodeJson(QStringLiteral("hermes.test.Envelope"), json);
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.Envelope"), encoded.bytes);
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    QCOMPARE(decoded.json, json);

    // Loading the same set again changes nothing and reports nothing.
    QVERIFY(registry.loadDescriptorSet(set).isEmpty());
    QVERIFY(!registry.loadDescriptorSet(dir.filePath(QStringLiteral("missing.pb"))).isEmpty());
}

namespace {

bool writeFile(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

} // namespace

void TestSchemaRegistry::reloadsFromTheSameSources()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString root = QFileInfo(dir.path()).canonicalFilePath();
    QVERIFY(writeFile(root + "/app/a.proto",
                      "syntax = \"proto3\";\npackage r;\nimport \"lib/b.proto\";\n"
                      "import \"google/protobuf/timestamp.proto\";\nmessage A { B b = 1; }\n"));
    QVERIFY(writeFile(root + "/inc/lib/b.proto", "syntax = \"proto3\";\npackage r;\nmessage B { int32 x = 1; }\n"));
    QVERIFY(writeFile(root + "/broken.proto", "syntax = \"proto3\";\nmessage C { int32 y = 1 }\n"));

    SchemaRegistry registry;
    registry.addImportPath(root + "/inc");
    QVERIFY(registry.loadProtoFile(root + "/app/a.proto").isEmpty());
    QVERIFY(!registry.loadProtoFile(root + "/broken.proto").isEmpty());
    QVERIFY(registry.loadProtoDirectory(root + "/inc").isEmpty());
    using K = SchemaSource::Kind;
    // Only the calls made from outside: the directory's own import path and files are not listed.
    QCOMPARE(registry.sources(), (QList<SchemaSource>{{K::ImportPath, root + "/inc"},
                                                       {K::ProtoFile, root + "/app/a.proto"},
                                                       {K::ProtoFile, root + "/broken.proto"},
                                                       {K::ProtoDirectory, root + "/inc"}}));
    // The import and the failed file are watched, the well-known types are not.
    QCOMPARE(registry.watchedPaths(), (QStringList{root + "/app/a.proto", root + "/broken.proto", root + "/inc",
                                                   root + "/inc/lib/b.proto"}));

    // The files change: one gains a field, the broken one is fixed.
    QVERIFY(writeFile(root + "/inc/lib/b.proto", "syntax = \"proto3\";\npackage r;\nmessage B { int32 x = 1; string z = 2; }\n"));
    QVERIFY(writeFile(root + "/broken.proto", "syntax = \"proto3\";\nmessage C { int32 y = 1; }\n"));
    QList<SchemaError> errors{SchemaError{"stale", 0, 0, "stale"}};
    const std::unique_ptr<SchemaRegistry> fresh = registry.reload(&errors);
    QVERIFY2(errors.isEmpty(), qPrintable(errorText(errors)));
    QCOMPARE(fresh->sources(), registry.sources());
    QCOMPARE(fresh->wellKnownTypesRoot(), registry.wellKnownTypesRoot());
    QVERIFY(fresh->describe(QStringLiteral("r.B"))->field(QStringLiteral("z")));
    QVERIFY(fresh->describe(QStringLiteral("C")));
    // The old registry is unchanged: what is on screen stays valid until it is swapped.
    QVERIFY(!registry.describe(QStringLiteral("r.B"))->field(QStringLiteral("z")));
    QVERIFY(!registry.describe(QStringLiteral("C")));

    // A file that breaks makes the reload report it, and its types go.
    QVERIFY(writeFile(root + "/inc/lib/b.proto", "syntax = \"proto3\";\npackage r;\nmessage B { int32 x = 1 }\n"));
    const std::unique_ptr<SchemaRegistry> broken = fresh->reload(&errors);
    QVERIFY2(errorText(errors).contains(QStringLiteral("lib/b.proto:3:25: Expected \";\".")), qPrintable(errorText(errors)));
    QVERIFY(!broken->describe(QStringLiteral("r.A")));

    // Descriptor sets are sources too.
    SchemaRegistry fromSet;
    fromSet.loadDescriptorSet(root + "/missing.pb");
    QCOMPARE(fromSet.sources(), (QList<SchemaSource>{{K::DescriptorSet, root + "/missing.pb"}}));
    QVERIFY(fromSet.watchedPaths().isEmpty()); // nothing there yet to watch
}

void TestSchemaRegistry::typeLookedUpBeforeItsFileLoads()
{
    // The schema manager may decode with a bound type before the user loads its file.
    SchemaRegistry registry;
    registry.addImportPath(fixtureDir());
    QVERIFY(registry.decode(QStringLiteral("hermes.test.Ping"), QByteArray::fromHex("0a 01 78")).rawFallback);
    QVERIFY(!registry.describe(QStringLiteral("hermes.test.Ping")));
    QVERIFY(registry.loadProtoFile(QStringLiteral("wkt.proto")).isEmpty());
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.Ping"), QByteArray::fromHex("0a 01 78"));
    QVERIFY2(decoded.ok(), qPrintable(decoded.error));
    QCOMPARE(decoded.json, QStringLiteral(R"({"note":"x"})"));
}

void TestSchemaRegistry::deepNestingFallsBack_data()
{
    QTest::addColumn<int>("depth");
    QTest::addColumn<bool>("typed");
    QTest::addColumn<bool>("json");
    QTest::newRow("60 levels: tree and JSON") << 60 << true << true;
    QTest::newRow("99 levels: tree within protobuf's recursion limit of 100, JSON beyond the converter's 64")
            << 99 << true << false;
    QTest::newRow("101 levels: beyond protobuf's limit, shown raw") << 101 << false << false;
    QTest::newRow("5000 levels: no stack overflow") << 5000 << false << false;
}

void TestSchemaRegistry::deepNestingFallsBack()
{
    QFETCH(int, depth);
    QFETCH(bool, typed);
    QFETCH(bool, json);
    SchemaRegistry registry;
    registry.addImportPath(fixtureDir());
    QVERIFY(registry.loadProtoFile(QStringLiteral("shapes.proto")).isEmpty());
    // TreeNode { parent { parent { ... { label = "x" } } } }: field 3, length-delimited.
    QByteArray wire = QByteArray::fromHex("0a 01 78");
    for (int i = 0; i < depth; ++i) {
        QByteArray length;
        for (quint64 n = quint64(wire.size()); ; n >>= 7) {
            length += char((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
            if (n <= 0x7f)
                break;
        }
        wire = QByteArray(1, '\x1a') + length + wire;
    }
    const DecodeResult decoded = registry.decode(QStringLiteral("hermes.test.TreeNode"), wire);
    QCOMPARE(decoded.ok(), typed);
    QCOMPARE(decoded.root.length, wire.size());
    if (json) {
        QVERIFY(decoded.json.startsWith(QStringLiteral(R"({"parent":{"parent":)")));
        QVERIFY(decoded.warnings.isEmpty());
    } else if (typed) {
        QVERIFY(decoded.json.isEmpty());
        QCOMPARE(decoded.warnings.size(), 1);
        QVERIFY2(decoded.warnings.first().startsWith(QStringLiteral("no JSON: ")), qPrintable(decoded.warnings.first()));
        QCOMPARE(decoded.root.children.first().name, QStringLiteral("parent"));
    } else {
        QCOMPARE(decoded.error, QStringLiteral("bytes do not parse as hermes.test.TreeNode"));
    }
}

void TestSchemaRegistry::fastJsonMatchesConverter()
{
    // decode() writes common JSON itself (fastjson.cpp); it must say exactly what protobuf's
    // converter says, and fail and warn exactly when the converter's path does. Samples: the
    // round-trip fixtures, then thousands of mutations of them (flipped, cut, grown).
    SchemaRegistry fast;
    SchemaRegistry slow;
    for (SchemaRegistry *registry : {&fast, &slow}) {
        loadFixtures(*registry);
        QVERIFY(registry->loadProtoFile(QStringLiteral("shapes.proto")).isEmpty());
    }
    slow.setFastJsonEnabled(false);
    const QList<std::pair<QString, QString>> samples = {
        {"hermes.test.Telemetry", R"({"deviceId":"d1","sequence":"-42","readings":[{"sensorId":"t<\"\\\n\u0001","value":21.5,"unit":"UNIT_CELSIUS"},{"value":1e-300}],"counters":{"a":3},"blob":"AAEC/w==","severity":"SEVERITY_ALERT","deltas":[-1,2,-3],"location":{"lat":1.1,"lon":-2.5},"uptimeMs":"18446744073709551615","crc":4294967295,"tags":[{"key":"k","value":"v"}]})"},
        {"hermes.test.Telemetry", R"({"text":"","severity":"SEVERITY_UNSPECIFIED","location":{}})"},
        {"hermes.test.Telemetry", R"({"counters":{"x":1,"y":2,"z":-3}})"},
        {"hermes.test.Envelope", R"({"sentAt":"1969-12-31T23:59:59.123456789Z","ttl":"-0.000000001s","priority":0,"title":"t","silent":false,"d":0.1,"f":0.1,"i64":"-1","u64":"1","u32":7,"data":"3q2+7w=="})"},
        {"hermes.test.Envelope", R"({"sentAt":"0001-01-01T00:00:00Z","ttl":"315576000000s"})"},
        {"hermes.test.Envelope", R"({"sentAt":"9999-12-31T23:59:59.999Z","ttl":"-12.000500s","body":{"@type":"type.googleapis.com/hermes.test.Ping","note":"hi"}})"},
        {"hermes.test.TreeNode", R"({"label":"root","children":[{"label":"a","children":[{"label":"b"}]}],"parent":{},"named":{"n":{"label":"x"}},"levels":{"-1":"SEVERITY_INFO","7":"SEVERITY_ALERT"},"weight":0,"reading":{"sensorId":"s"},"samples":[0.5,3.25],"raw":"/w==","big":"1"})"},
        {"hermes.test.TreeNode", R"({"label":"é","text":"x"})"},
    };
    QRandomGenerator random(6);
    int compared = 0;
    int typed = 0;
    for (const auto &[type, json] : samples) {
        const EncodeResult encoded = fast.encodeJson(type, json);
        QVERIFY2(encoded.ok(), qPrintable(encoded.error + QLatin1Char(' ') + json));
        for (int i = 0; i < 1500; ++i) {
            QByteArray wire = encoded.bytes;
            if (i > 0) {
                const int mutations = 1 + int(random.bounded(3));
                for (int m = 0; m < mutations && !wire.isEmpty(); ++m) {
                    const qsizetype at = random.bounded(wire.size());
                    switch (random.bounded(4)) {
                    case 0: wire[at] = char(random.bounded(256)); break;
                    case 1: wire.truncate(at); break;
                    case 2: wire.insert(at, char(random.bounded(256))); break;
                    default: wire += encoded.bytes.mid(at); break; // fields again: last wins, merges
                    }
                }
            }
            const DecodeResult a = fast.decode(type, wire);
            const DecodeResult b = slow.decode(type, wire);
            const QString context = QStringLiteral("%1 %2").arg(type, QString::fromLatin1(wire.toHex()));
            QVERIFY2(a.ok() == b.ok(), qPrintable(context));
            QVERIFY2(a.error == b.error, qPrintable(context + QLatin1Char(' ') + a.error + QLatin1String(" | ") + b.error));
            QVERIFY2(a.warnings == b.warnings, qPrintable(context + QLatin1Char(' ') + a.warnings.join(',') + QLatin1String(" | ") + b.warnings.join(',')));
            QVERIFY2(a.root == b.root, qPrintable(context));
            if (a.json != b.json) {
                // Maps with several entries: the converter prints them in hash order.
                QVERIFY2(QJsonDocument::fromJson(a.json.toUtf8()) == QJsonDocument::fromJson(b.json.toUtf8())
                                 && (a.json.contains(QLatin1String("\"counters\"")) || a.json.contains(QLatin1String("\"levels\""))),
                         qPrintable(context + QLatin1Char('\n') + a.json + QLatin1Char('\n') + b.json));
            }
            ++compared;
            typed += a.ok();
        }
    }
    qInfo("%d of %d samples decoded typed", typed, compared);
    QVERIFY(typed > compared / 10);
}

void TestSchemaRegistry::randomBytesNeverCrash()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    QRandomGenerator random(6); // fixed seed: a failure reproduces
    int typed = 0;
    for (int i = 0; i < 300; ++i) {
        QByteArray wire(random.bounded(0, 64), Qt::Uninitialized);
        for (char &c : wire)
            c = char(random.bounded(256));
        for (const char *type : {"hermes.test.Telemetry", "hermes.test.Envelope", "hermes.test.Legacy"}) {
            const DecodeResult decoded = registry.decode(QString::fromLatin1(type), wire);
            QCOMPARE(decoded.rawFallback, decoded.json.isEmpty() && !decoded.error.isEmpty());
            QCOMPARE(decoded.root.length, wire.size());
            if (decoded.ok())
                ++typed;
        }
    }
    QVERIFY(typed > 0);
}

HERMES_TEST_APPLESS_MAIN(TestSchemaRegistry)
#include "tst_schemaregistry.moc"
