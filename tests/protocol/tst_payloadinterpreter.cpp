// Reading a payload seen on a topic: Hermes's own envelope recognised by itself with
// its inner payload decoded by the envelope's content type, content types naming message
// types, topic bindings, receipts, text, and the raw wire format as the last word. The rules
// are numbered in payloadinterpreter.h; rows name the rule they exercise.
#include "../common/testmain.h"
#include "push/envelope.h"
#include "schema/payloadinterpreter.h"

#include <QRandomGenerator>
#include <QTest>

using namespace hermes::schema;
using hermes::push::PushEnvelope;
using hermes::push::PushReceipt;

namespace {

QString fixtureDir()
{
    return QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto");
}

void loadFixtures(SchemaRegistry &registry)
{
    registry.addImportPath(fixtureDir());
    for (const char *name : {"telemetry.proto", "wkt.proto"})
        QVERIFY(registry.loadProtoFile(QString::fromLatin1(name)).isEmpty());
}

/// hermes.test.Telemetry { device_id = "d1", sequence = 42 }
QByteArray telemetryBytes()
{
    return QByteArray::fromHex("0a 02 6431" // device_id = "d1"
                               "10 2a");    // sequence = 42
}

QByteArray envelope(const QString &contentType, const QByteArray &payload, const QString &deviceId = QStringLiteral("d1"))
{
    PushEnvelope e;
    e.pushId = QStringLiteral("p1");
    e.deviceId = deviceId;
    e.sequence = 7;
    e.contentType = contentType;
    e.payload = payload;
    return e.toBytes();
}

TopicBindings bindings()
{
    TopicBindings table;
    table.bind(QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry"));
    table.bind(QStringLiteral("telemetry/#"), QStringLiteral("hermes.test.Reading"));
    table.bind(QStringLiteral("pings/+"), QStringLiteral("hermes.test.Ping"));
    return table;
}

const DecodedNode *field(const DecodedNode &node, const QString &name)
{
    for (const DecodedNode &c : node.children) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

} // namespace

class TestPayloadInterpreter : public QObject
{
    Q_OBJECT

private slots:
    void parsesContentTypes_data();
    void parsesContentTypes();
    void interprets_data();
    void interprets();
    void innerTreeHasOuterOffsets();
    void innerJsonAndText_data();
    void innerJsonAndText();
    void randomBytesNeverCrash();
};

void TestPayloadInterpreter::parsesContentTypes_data()
{
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<ContentType::Format>("format");
    QTest::addColumn<QString>("mediaType");
    QTest::addColumn<QString>("messageType");
    using F = ContentType::Format;
    QTest::newRow("empty") << "" << F::Unspecified << "" << "";
    QTest::newRow("the envelope's own") << "application/vnd.hermes.push.v1+protobuf" << F::Envelope
                                        << "application/vnd.hermes.push.v1+protobuf" << "";
    QTest::newRow("convention: x-protobuf with messageType")
            << "application/x-protobuf; messageType=hermes.test.Ping" << F::Protobuf << "application/x-protobuf"
            << "hermes.test.Ping";
    QTest::newRow("quoted, spaced, any case")
            << " Application/X-Protobuf ;  MessageType = \"hermes.test.Ping\" " << F::Protobuf
            << "application/x-protobuf" << "hermes.test.Ping";
    QTest::newRow("proto= parameter (vnd.google.protobuf style)")
            << "application/vnd.google.protobuf; proto=io.Metric; encoding=delimited" << F::Protobuf
            << "application/vnd.google.protobuf" << "io.Metric";
    QTest::newRow("octet-stream with a messageType is protobuf")
            << "application/octet-stream; messageType=a.B" << F::Protobuf << "application/octet-stream" << "a.B";
    QTest::newRow("protobuf without a type") << "application/protobuf" << F::Protobuf << "application/protobuf" << "";
    QTest::newRow("json") << "application/json; charset=utf-8" << F::Json << "application/json" << "";
    QTest::newRow("+json suffix") << "application/cloudevents+json" << F::Json << "application/cloudevents+json" << "";
    QTest::newRow("text") << "text/plain" << F::Text << "text/plain" << "";
    QTest::newRow("binary") << "image/png" << F::Binary << "image/png" << "";
}

void TestPayloadInterpreter::parsesContentTypes()
{
    QFETCH(QString, contentType);
    QFETCH(ContentType::Format, format);
    QFETCH(QString, mediaType);
    QFETCH(QString, messageType);
    const ContentType parsed = parseContentType(contentType);
    QCOMPARE(parsed.format, format);
    QCOMPARE(parsed.mediaType, mediaType);
    QCOMPARE(parsed.messageType, messageType);
    if (!messageType.isEmpty() && format == ContentType::Format::Protobuf)
        QCOMPARE(parseContentType(protobufContentType(messageType)).messageType, messageType);
}

void TestPayloadInterpreter::interprets_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<Interpretation>("expected");
    QTest::addColumn<QString>("messageType");
    QTest::addColumn<QString>("inner"); // inner interpretation, "" when not an envelope
    QTest::addColumn<QString>("note");  // a substring of the notes, "" for no notes

    const QString envelopeType = QString(hermes::push::EnvelopeContentType);
    const QString telemetryCt = protobufContentType(QStringLiteral("hermes.test.Telemetry"));
    using I = Interpretation;

    QTest::newRow("rule 1: declared envelope, inner typed by messageType")
            << "devices/d1/push" << envelopeType << envelope(telemetryCt, telemetryBytes()) << I::Envelope
            << "hermes.push.v1.Envelope" << "typed" << "";
    QTest::newRow("rule 1: declared envelope on any topic")
            << "anything/else" << envelopeType << envelope(telemetryCt, telemetryBytes()) << I::Envelope
            << "hermes.push.v1.Envelope" << "typed" << "";
    QTest::newRow("rule 1: recognised on devices/+/push without a content type (MQTT 3.1.1)")
            << "devices/d1/push" << "" << envelope(telemetryCt, telemetryBytes()) << I::Envelope
            << "hermes.push.v1.Envelope" << "typed" << "";
    QTest::newRow("rule 1: not recognised off its topic without a content type")
            << "other/d1/push" << "" << envelope(telemetryCt, telemetryBytes()) << I::Raw << "" << "" << "";
    QTest::newRow("rule 1: inner protobuf without a messageType is raw")
            << "devices/d1/push" << envelopeType << envelope(QStringLiteral("application/x-protobuf"), telemetryBytes())
            << I::Envelope << "hermes.push.v1.Envelope" << "raw" << "inner payload: content type application/x-protobuf names no messageType";
    QTest::newRow("rule 1: inner type unknown: raw with the reason")
            << "devices/d1/push" << envelopeType
            << envelope(protobufContentType(QStringLiteral("x.Nope")), telemetryBytes()) << I::Envelope
            << "hermes.push.v1.Envelope" << "typed" << "inner payload: unknown message type x.Nope";
    QTest::newRow("rule 1: envelope for another device is noted")
            << "devices/d2/push" << envelopeType << envelope(telemetryCt, telemetryBytes()) << I::Envelope
            << "hermes.push.v1.Envelope" << "typed" << "envelope is addressed to d1 but was published for d2";
    QTest::newRow("rule 1: a raw text push is not taken for an envelope")
            << "devices/d1/push" << "" << QByteArray("hello device") << I::Text << "" << "" << "";
    QTest::newRow("rule 1: declared envelope that is not one")
            << "devices/d1/push" << envelopeType << QByteArray::fromHex("0a 05 61") << I::Raw << "" << ""
            << "content type says push envelope, but the bytes are not one";
    QTest::newRow("rule 2: content type's messageType beats the binding")
            << "telemetry/d1/state" << protobufContentType(QStringLiteral("hermes.test.Ping"))
            << QByteArray::fromHex("0a 02 6869") << I::Typed << "hermes.test.Ping" << "" << "";
    QTest::newRow("rule 2 fails, rule 3 decides")
            << "telemetry/d1/state" << protobufContentType(QStringLiteral("x.Nope")) << telemetryBytes() << I::Bound
            << "hermes.test.Telemetry" << "" << "content type names x.Nope: unknown message type x.Nope";
    QTest::newRow("rule 3: binding telemetry/+/state")
            << "telemetry/d1/state" << "" << telemetryBytes() << I::Bound << "hermes.test.Telemetry" << "" << "";
    QTest::newRow("rule 3: the wider binding elsewhere")
            << "telemetry/d1/other" << "" << QByteArray::fromHex("0a 01 74") << I::Bound << "hermes.test.Reading" << "" << "";
    QTest::newRow("rule 3: bound type fails: raw and why")
            << "telemetry/d1/state" << "" << QByteArray::fromHex("1a 02 ffff") << I::Raw << "" << ""
            << "bound to hermes.test.Telemetry by telemetry/+/state: bytes do not parse as hermes.test.Telemetry";
    QTest::newRow("rule 3: bound type fails on JSON: text")
            << "pings/a" << "" << QByteArray(R"({"note":"x"})") << I::Text << "" << "" << "bound to hermes.test.Ping";
    QTest::newRow("rule 4: receipt on devices/+/receipt")
            << "devices/d1/receipt" << "" << [] {
                   PushReceipt r;
                   r.pushId = QStringLiteral("p1");
                   r.sequence = 7;
                   r.status = hermes::push::ReceiptStatus::Delivered;
                   return r.toBytes();
               }() << I::Receipt << "hermes.push.v1.Receipt" << "" << "";
    QTest::newRow("rule 5: JSON by content type") << "x/y" << "application/json" << QByteArray(R"({"a":1})") << I::Text << "" << "" << "";
    QTest::newRow("rule 5: bad JSON by content type is still text, with why")
            << "x/y" << "application/json" << QByteArray("{\"a\":") << I::Text << "" << ""
            << "content type says JSON, but it does not parse";
    QTest::newRow("rule 5: printable bytes that are not protobuf") << "x/y" << "" << QByteArray("21.5 C") << I::Text << "" << "" << "";
    QTest::newRow("rule 6: unbound protobuf is raw") << "x/y" << "" << telemetryBytes() << I::Raw << "" << "" << "";
    QTest::newRow("rule 6: binary content type is raw") << "x/y" << "image/png" << QByteArray("\x89PNG\r\n", 6) << I::Raw << "" << "" << "";
    QTest::newRow("rule 6: empty payload") << "x/y" << "" << QByteArray() << I::Raw << "" << "" << "";
}

void TestPayloadInterpreter::interprets()
{
    QFETCH(QString, topic);
    QFETCH(QString, contentType);
    QFETCH(QByteArray, payload);
    QFETCH(Interpretation, expected);
    QFETCH(QString, messageType);
    QFETCH(QString, inner);
    QFETCH(QString, note);
    SchemaRegistry registry;
    loadFixtures(registry);
    const InterpretedPayload result = interpretPayload(registry, bindings(), topic, payload, contentType);
    QCOMPARE(interpretationName(result.interpretation), interpretationName(expected));
    QCOMPARE(result.messageType, messageType);
    QCOMPARE(result.inner ? interpretationName(result.inner->interpretation) : QString(), inner);
    const QString notes = result.notes.join(QLatin1Char('\n'));
    if (note.isEmpty())
        QVERIFY2(notes.isEmpty(), qPrintable(notes));
    else
        QVERIFY2(notes.contains(note), qPrintable(notes));
    // Whatever the reading, the tree covers the whole payload.
    QCOMPARE(result.decoded.root.length, payload.size());
    if (expected == Interpretation::Bound || expected == Interpretation::Typed || expected == Interpretation::Receipt
        || expected == Interpretation::Envelope) {
        QVERIFY(result.decoded.ok());
        QVERIFY(!result.decoded.json.isEmpty());
    }
    if (expected == Interpretation::Text)
        QCOMPARE(result.text, QString::fromUtf8(payload));
}

void TestPayloadInterpreter::innerTreeHasOuterOffsets()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    const QByteArray inner = telemetryBytes();
    const QByteArray outer = envelope(protobufContentType(QStringLiteral("hermes.test.Telemetry")), inner);
    const InterpretedPayload result = interpretPayload(registry, {}, u"devices/d1/push", outer);
    QCOMPARE(result.interpretation, Interpretation::Envelope);
    QVERIFY(result.inner);
    QCOMPARE(outer.mid(result.inner->offset, result.inner->length), inner);
    QCOMPARE(result.inner->contentType.messageType, QStringLiteral("hermes.test.Telemetry"));
    QCOMPARE(result.inner->decoded.json, QStringLiteral(R"({"deviceId":"d1","sequence":"42"})"));

    // The envelope's own fields, and its payload node carrying the inner fields.
    const DecodedNode &root = result.decoded.root;
    QCOMPARE(field(root, QStringLiteral("push_id"))->value.toString(), QStringLiteral("p1"));
    QCOMPARE(field(root, QStringLiteral("sequence"))->value.toULongLong(), 7u);
    const DecodedNode *payloadNode = field(root, QStringLiteral("payload"));
    QVERIFY(payloadNode);
    QCOMPARE(payloadNode->valueOffset, result.inner->offset);
    QCOMPARE(payloadNode->children, result.inner->decoded.root.children);
    const DecodedNode *deviceId = field(*payloadNode, QStringLiteral("device_id"));
    QVERIFY(deviceId);
    // Selecting device_id in the tree highlights exactly its bytes in the whole message.
    QCOMPARE(outer.mid(deviceId->offset, deviceId->length), QByteArray::fromHex("0a 02 6431"));
    QCOMPARE(outer.mid(deviceId->valueOffset, 2), QByteArray("d1"));
    QVERIFY(result.decoded.json.contains(QStringLiteral(R"("pushId":"p1")")));
}

void TestPayloadInterpreter::innerJsonAndText_data()
{
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("inner");
    QTest::addColumn<QString>("json");
    QTest::newRow("JSON inner payload") << "application/json" << QByteArray(R"({"alert":"hi"})") << "text"
                                        << R"({"alert":"hi"})";
    QTest::newRow("text inner payload") << "text/plain; charset=utf-8" << QByteArray("héllo") << "text" << "";
    QTest::newRow("no inner content type, printable") << "" << QByteArray("hello") << "text" << "";
    QTest::newRow("inner envelope content type decodes one level") << QString(hermes::push::EnvelopeContentType)
                                                                   << envelope(QString(), QByteArray("x")) << "typed"
                                                                   << R"({"pushId":"p1","deviceId":"d1","sequence":"7","payload":"eA=="})";
}

void TestPayloadInterpreter::innerJsonAndText()
{
    QFETCH(QString, contentType);
    QFETCH(QByteArray, payload);
    QFETCH(QString, inner);
    QFETCH(QString, json);
    SchemaRegistry registry;
    const InterpretedPayload result =
            interpretPayload(registry, {}, u"devices/d1/push", envelope(contentType, payload), QString(hermes::push::EnvelopeContentType));
    QCOMPARE(result.interpretation, Interpretation::Envelope);
    QVERIFY(result.inner);
    QCOMPARE(interpretationName(result.inner->interpretation), inner);
    QCOMPARE(result.inner->decoded.json, json);
    if (inner == QLatin1String("text"))
        QCOMPARE(result.inner->text, QString::fromUtf8(payload));
    QVERIFY2(result.notes.isEmpty(), qPrintable(result.notes.join(QLatin1Char('\n'))));
}

void TestPayloadInterpreter::randomBytesNeverCrash()
{
    SchemaRegistry registry;
    loadFixtures(registry);
    const TopicBindings table = bindings();
    QRandomGenerator random(6);
    const QString envelopeType = QString(hermes::push::EnvelopeContentType);
    for (int i = 0; i < 300; ++i) {
        QByteArray bytes(random.bounded(0, 48), Qt::Uninitialized);
        for (char &c : bytes)
            c = char(random.bounded(256));
        // Half of them wrapped in an envelope so the inner reading is fuzzed as well.
        if (i % 2)
            bytes = envelope(i % 4 == 1 ? protobufContentType(QStringLiteral("hermes.test.Telemetry")) : QString(), bytes);
        for (const char *topic : {"devices/d1/push", "telemetry/a/state", "devices/d1/receipt", "x"}) {
            for (const QString &ct : {QString(), envelopeType, QStringLiteral("application/json")}) {
                const InterpretedPayload result = interpretPayload(registry, table, QString::fromLatin1(topic), bytes, ct);
                QCOMPARE(result.decoded.root.length, bytes.size());
                if (result.inner)
                    QVERIFY(result.inner->offset + result.inner->length <= bytes.size());
            }
        }
    }
}

HERMES_TEST_APPLESS_MAIN(TestPayloadInterpreter)
#include "tst_payloadinterpreter.moc"
