// Message shapes (the composer's form): every field of a type described as plain
// values — kinds, repetition, maps, oneofs, enums, defaults, JSON names — and recursive types
// described lazily so walking them terminates.
#include "../common/testmain.h"
#include "schema/schemaregistry.h"

#include <QSet>
#include <QTest>

using namespace hermes::schema;

namespace {

QString fixtureDir()
{
    return QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto");
}

/// A registry with shapes.proto (which imports telemetry.proto), wkt.proto and legacy.proto.
bool loadFixtures(SchemaRegistry &registry)
{
    registry.addImportPath(fixtureDir());
    bool ok = true;
    for (const char *name : {"shapes.proto", "wkt.proto", "legacy.proto"}) {
        const QList<SchemaError> errors = registry.loadProtoFile(QString::fromLatin1(name));
        for (const SchemaError &error : errors)
            qWarning("%s", qPrintable(error.toString()));
        ok = ok && errors.isEmpty();
    }
    return ok;
}

/// One line per field, so a table row can state everything a form needs at once.
QString summary(const FieldShape &f)
{
    QStringList parts{QString::number(f.number), f.name, f.jsonName, kindName(f.kind)};
    if (f.repeated)
        parts << QStringLiteral("repeated");
    if (f.required)
        parts << QStringLiteral("required");
    if (f.hasPresence)
        parts << QStringLiteral("presence");
    if (f.packed)
        parts << QStringLiteral("packed");
    if (!f.oneof.isEmpty())
        parts << QStringLiteral("oneof=") + f.oneof;
    if (f.kind == FieldKind::Map)
        parts << QStringLiteral("map<%1,%2>").arg(kindName(f.mapKey), kindName(f.mapValue));
    if (!f.messageType.isEmpty())
        parts << QStringLiteral("type=") + f.messageType;
    if (!f.enumType.isEmpty()) {
        QStringList values;
        for (const EnumValueShape &v : f.enumValues)
            values << QStringLiteral("%1=%2").arg(v.name).arg(v.number);
        parts << QStringLiteral("enum=%1{%2}").arg(f.enumType, values.join(QLatin1Char(',')));
    }
    if (f.defaultValue.isValid()) {
        parts << QStringLiteral("default%1=%2")
                         .arg(f.explicitDefault ? QStringLiteral("!") : QString(),
                              f.defaultValue.typeId() == QMetaType::QByteArray
                                      ? QStringLiteral("bytes(%1)").arg(f.defaultValue.toByteArray().size())
                                      : f.defaultValue.toString());
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestMessageShape : public QObject
{
    Q_OBJECT

private slots:
    void describesFields_data();
    void describesFields();
    void describesMessage();
    void recursiveTypesTerminate();
    void marksWellKnownTypes_data();
    void marksWellKnownTypes();
    void unknownTypeHasNoShape();
    void suggestsCloseNames_data();
    void suggestsCloseNames();
};

void TestMessageShape::describesFields_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");

    const QString tree = QStringLiteral("hermes.test.TreeNode");
    QTest::newRow("string scalar, implicit presence, zero default")
            << tree << "label" << "1 label label string default=";
    QTest::newRow("repeated self: recursion by name")
            << tree << "children" << "2 children children message repeated type=hermes.test.TreeNode";
    QTest::newRow("singular message has presence")
            << tree << "parent" << "3 parent parent message presence type=hermes.test.TreeNode";
    QTest::newRow("map with message value: the entry type is hidden")
            << tree << "named" << "4 named named map map<string,message> type=hermes.test.TreeNode";
    QTest::newRow("map with enum value from the imported file")
            << tree << "levels"
            << "5 levels levels map map<int32,enum> enum=hermes.test.Severity{SEVERITY_UNSPECIFIED=0,SEVERITY_INFO=1,SEVERITY_ALERT=2}";
    QTest::newRow("proto3 optional: presence, synthetic oneof not shown")
            << tree << "weight" << "6 weight weight int32 presence default=0";
    QTest::newRow("oneof string member")
            << tree << "text" << "7 text text string presence oneof=choice default=";
    QTest::newRow("oneof message member from the imported file")
            << tree << "reading" << "8 reading reading message presence oneof=choice type=hermes.test.Reading";
    QTest::newRow("well-known type field")
            << tree << "at" << "9 at at message presence type=google.protobuf.Timestamp";
    QTest::newRow("repeated double is packed in proto3")
            << tree << "samples" << "10 samples samples double repeated packed default=0";
    QTest::newRow("bytes default is empty bytes") << tree << "raw" << "11 raw raw bytes default=bytes(0)";
    QTest::newRow("uint64: JSON string number") << tree << "big" << "12 big big uint64 default=0";

    const QString telemetry = QStringLiteral("hermes.test.Telemetry");
    QTest::newRow("snake_case gets a lowerCamelCase JSON name")
            << telemetry << "device_id" << "1 device_id deviceId string default=";
    QTest::newRow("lookup by JSON name")
            << telemetry << "uptimeMs" << "10 uptime_ms uptimeMs uint64 default=0";
    QTest::newRow("enum from an import two levels down")
            << QStringLiteral("hermes.test.Reading") << "unit"
            << "3 unit unit enum enum=hermes.test.common.Unit{UNIT_UNSPECIFIED=0,UNIT_CELSIUS=1,UNIT_PERCENT=2} default=UNIT_UNSPECIFIED";
    QTest::newRow("sint32 repeated") << telemetry << "deltas" << "8 deltas deltas sint32 repeated packed default=0";
    QTest::newRow("fixed32") << telemetry << "crc" << "11 crc crc fixed32 default=0";

    const QString legacy = QStringLiteral("hermes.test.Legacy");
    QTest::newRow("proto2 required") << legacy << "id" << "1 id id int32 required presence default=0";
    QTest::newRow("proto2 group") << legacy << "extra" << "2 extra extra group presence type=hermes.test.Legacy.Extra";
    QTest::newRow("proto2 explicit int default") << legacy << "retries" << "4 retries retries int32 presence default!=3";
    QTest::newRow("proto2 explicit enum default")
            << legacy << "mode" << "5 mode mode enum presence enum=hermes.test.Legacy.Mode{MODE_OFF=0,MODE_ON=1} default!=MODE_ON";
    QTest::newRow("proto2 explicit string default") << legacy << "label" << "6 label label string presence default!=none";
    QTest::newRow("proto2 packed by option") << legacy << "codes" << "7 codes codes int32 repeated packed default=0";
}

void TestMessageShape::describesFields()
{
    QFETCH(QString, type);
    QFETCH(QString, field);
    QFETCH(QString, expected);
    SchemaRegistry registry;
    QVERIFY(loadFixtures(registry));
    const std::optional<MessageShape> shape = registry.describe(type);
    QVERIFY(shape);
    const FieldShape *f = shape->field(field);
    QVERIFY2(f, qPrintable(field));
    QCOMPARE(summary(*f), expected);
}

void TestMessageShape::describesMessage()
{
    SchemaRegistry registry;
    QVERIFY(loadFixtures(registry));
    const std::optional<MessageShape> shape = registry.describe(QStringLiteral("hermes.test.TreeNode"));
    QVERIFY(shape);
    QCOMPARE(shape->fullName, QStringLiteral("hermes.test.TreeNode"));
    QCOMPARE(shape->name, QStringLiteral("TreeNode"));
    QCOMPARE(shape->file, QStringLiteral("shapes.proto"));
    QVERIFY(shape->proto3);
    QCOMPARE(shape->wellKnown, WellKnownType::None);
    // Declaration order = field number order here; the form shows them in that order.
    QStringList names;
    for (const FieldShape &f : shape->fields)
        names << f.name;
    QCOMPARE(names, (QStringList{"label", "children", "parent", "named", "levels", "weight", "text",
                                 "reading", "at", "samples", "raw", "big"}));
    QCOMPARE(shape->oneofs, QStringList{QStringLiteral("choice")}); // `optional weight`'s oneof is synthetic
    QVERIFY(!shape->field(QStringLiteral("nope")));

    const std::optional<MessageShape> legacy = registry.describe(QStringLiteral("hermes.test.Legacy"));
    QVERIFY(legacy);
    QVERIFY(!legacy->proto3);
    // A nested type is described by its full name, like any other.
    const std::optional<MessageShape> extra = registry.describe(QStringLiteral("hermes.test.Legacy.Extra"));
    QVERIFY(extra);
    QCOMPARE(extra->fields.size(), 1);
    QCOMPARE(extra->fields.first().name, QStringLiteral("note"));
}

void TestMessageShape::recursiveTypesTerminate()
{
    // A form expands message fields on demand; walking every reachable type once, as a
    // form builder with a visited set does, ends even though TreeNode contains itself.
    SchemaRegistry registry;
    QVERIFY(loadFixtures(registry));
    QSet<QString> visited;
    QStringList queue{QStringLiteral("hermes.test.TreeNode")};
    while (!queue.isEmpty()) {
        const QString name = queue.takeFirst();
        if (visited.contains(name))
            continue;
        visited.insert(name);
        const std::optional<MessageShape> shape = registry.describe(name);
        QVERIFY2(shape, qPrintable(name));
        for (const FieldShape &f : shape->fields) {
            if (!f.messageType.isEmpty())
                queue.append(f.messageType);
        }
    }
    QCOMPARE(visited, (QSet<QString>{"hermes.test.TreeNode", "hermes.test.Reading", "google.protobuf.Timestamp"}));
}

void TestMessageShape::marksWellKnownTypes_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<WellKnownType>("expected");
    QTest::newRow("Timestamp") << "google.protobuf.Timestamp" << WellKnownType::Timestamp;
    QTest::newRow("Duration") << "google.protobuf.Duration" << WellKnownType::Duration;
    QTest::newRow("Any") << "google.protobuf.Any" << WellKnownType::Any;
    QTest::newRow("Struct") << "google.protobuf.Struct" << WellKnownType::Struct;
    QTest::newRow("Value") << "google.protobuf.Value" << WellKnownType::Value;
    QTest::newRow("ListValue") << "google.protobuf.ListValue" << WellKnownType::ListValue;
    QTest::newRow("Int32Value wrapper") << "google.protobuf.Int32Value" << WellKnownType::Wrapper;
    QTest::newRow("StringValue wrapper") << "google.protobuf.StringValue" << WellKnownType::Wrapper;
    QTest::newRow("user type named like a WKT is not one") << "hermes.test.Ping" << WellKnownType::None;
}

void TestMessageShape::marksWellKnownTypes()
{
    QFETCH(QString, type);
    QFETCH(WellKnownType, expected);
    SchemaRegistry registry;
    QVERIFY(loadFixtures(registry));
    const std::optional<MessageShape> shape = registry.describe(type);
    QVERIFY2(shape, qPrintable(type));
    QCOMPARE(shape->wellKnown, expected);
}

void TestMessageShape::unknownTypeHasNoShape()
{
    SchemaRegistry registry;
    QVERIFY(loadFixtures(registry));
    QVERIFY(!registry.describe(QStringLiteral("hermes.test.Nope")));
    QVERIFY(!registry.describe(QString()));
    QVERIFY(!registry.describe(QStringLiteral("hermes.test.Severity"))); // an enum, not a message
    // Shapes are values: they outlive the registry (STYLE.md R11).
    std::optional<MessageShape> shape;
    {
        SchemaRegistry scoped;
        QVERIFY(loadFixtures(scoped));
        shape = scoped.describe(QStringLiteral("hermes.test.Telemetry"));
    }
    QVERIFY(shape);
    QCOMPARE(shape->field(QStringLiteral("severity"))->enumValues.size(), 3);
    QVERIFY(isJsonStringNumber(shape->field(QStringLiteral("sequence"))->kind));
    QVERIFY(!isJsonStringNumber(shape->field(QStringLiteral("crc"))->kind));
}

void TestMessageShape::suggestsCloseNames_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("package left out") << "Telemetry" << QStringList{"hermes.test.Telemetry"};
    QTest::newRow("typo in the last component") << "hermes.test.Telemetyr" << QStringList{"hermes.test.Telemetry"};
    QTest::newRow("wrong case") << "hermes.test.treenode" << QStringList{"hermes.test.TreeNode"};
    QTest::newRow("part of a nested name")
            << "Location" << QStringList{"hermes.test.Telemetry.Location"};
    QTest::newRow("nothing close") << "zzzzzzzz.Qqqqqq" << QStringList{};
}

void TestMessageShape::suggestsCloseNames()
{
    QFETCH(QString, typed);
    QFETCH(QStringList, expected);
    SchemaRegistry registry;
    QVERIFY(loadFixtures(registry));
    QCOMPARE(registry.similarTypes(typed, 1), expected);
}

HERMES_TEST_APPLESS_MAIN(TestMessageShape)
#include "tst_messageshape.moc"
