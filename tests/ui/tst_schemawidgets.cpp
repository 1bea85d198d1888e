// The schema widgets as an operator uses them: load a folder of .proto files, bind
// telemetry/+/state to a type, inspect a binary payload as a tree, JSON, hex and raw wire
// format; see a broken .proto's file and line; edit a watched file and watch it reload.
#include "../common/testmain.h"
#include "hexview.h"
#include "messageform.h"
#include "payloadinspector.h"
#include "schemalibrary.h"
#include "schemamanager.h"
#include "translations.h"

#include "push/envelope.h"
#include "schema/payloadinterpreter.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QGroupBox>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QSpinBox>
#include <QApplication>
#include <QClipboard>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QTimeZone>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace hermes;
using namespace hermes::ui;

namespace {

const QString kFixtures = QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto");

/// A hermes.test.Telemetry (tests/protocol/fixtures/proto/telemetry.proto), field by field.
QByteArray telemetryBytes()
{
    return QByteArray::fromHex(
            "0a06"             // [0]  field 1 device_id, LEN 6
            "70756d702d37"     //      "pump-7"
            "102a"             // [8]  field 2 sequence, varint 42
            "1a0f"             // [10] field 3 readings (Reading), LEN 15
            "0a027431"         //      [12] field 1 sensor_id, LEN 2 "t1"
            "110000000000803540" //    [16] field 2 value, I64 double 21.5
            "1801"             //      [25] field 3 unit, varint 1 = UNIT_CELSIUS
            "2a0568656c6c6f"   // [27] field 5 text (oneof payload), LEN 5 "hello"
            "3802");           // [34] field 7 severity, varint 2 = SEVERITY_ALERT
}

/// Copies the fixture folder so the watcher test may edit it.
bool copyFixtures(const QString &to)
{
    QDirIterator it(kFixtures, {QStringLiteral("*.proto")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString from = it.next();
        const QString target = to + QLatin1Char('/') + QDir(kFixtures).relativeFilePath(from);
        if (!QDir().mkpath(QFileInfo(target).absolutePath()) || !QFile::copy(from, target))
            return false;
    }
    return true;
}

bool anyItemContains(const QListWidget *list, const QString &text)
{
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->text().contains(text))
            return true;
    }
    return false;
}

} // namespace

class TestSchemaWidgets : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();

    void specificity_data();
    void specificity();
    void libraryLoadsBindsAndPersists();
    void inspectorShowsTreeJsonHexAndRaw();
    void inspectorSurvivesGarbage_data();
    void inspectorSurvivesGarbage();
    void inspectorFollowsBindingsAndReloads();
    void inspectorOpensAPushEnvelope();
    void formComposesTelemetry();
    void formRoundTrips_data();
    void formRoundTrips();
    void managerShowsTypesErrorsAndBindings();
    void managerReloadsAWatchedFile();
    void screenshots_data();
    void screenshots();

private:
    QString screenshotPath(const QString &name) const;
    QTemporaryDir m_settingsDir;
    QTemporaryDir m_protoDir;
};

void TestSchemaWidgets::initTestCase()
{
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_schemawidgets"));
    QVERIFY(QDir().mkpath(QFileInfo(screenshotPath(QStringLiteral("x"))).absolutePath()));
    QVERIFY(copyFixtures(m_protoDir.path()));
}

void TestSchemaWidgets::init()
{
    QSettings().clear();
}

QString TestSchemaWidgets::screenshotPath(const QString &name) const
{
    QString base = qEnvironmentVariable("HERMES_TEST_OUTPUT");
    if (base.isEmpty())
        base = QDir::tempPath() + QStringLiteral("/hermes-test-output");
    return base + QStringLiteral("/screenshots/") + name;
}

void TestSchemaWidgets::specificity_data()
{
    QTest::addColumn<QString>("moreSpecific");
    QTest::addColumn<QString>("lessSpecific");
    QTest::addColumn<QString>("topic");
    QTest::newRow("literal beats +") << "telemetry/pump/state" << "telemetry/+/state" << "telemetry/pump/state";
    QTest::newRow("+ at fixed depth beats #") << "telemetry/+/state" << "telemetry/#" << "telemetry/x/state";
    QTest::newRow("longer literal prefix beats shorter") << "telemetry/pump/#" << "telemetry/#" << "telemetry/pump/x";
    QTest::newRow("one literal level beats many +") << "a/+/+/+" << "+/+/+/+" << "a/b/c/d";
    QTest::newRow("exact beats # matching the parent") << "telemetry" << "telemetry/#" << "telemetry";
}

void TestSchemaWidgets::specificity()
{
    QFETCH(QString, moreSpecific);
    QFETCH(QString, lessSpecific);
    QFETCH(QString, topic);
    // Either table order: the winner is the more specific filter, not the first row.
    for (const bool specificFirst : {true, false}) {
        SchemaLibrary library(QString{});
        const SchemaBinding specific{moreSpecific, QStringLiteral("pkg.Specific")};
        const SchemaBinding general{lessSpecific, QStringLiteral("pkg.General")};
        library.setBindings(specificFirst ? QList<SchemaBinding>{specific, general} : QList<SchemaBinding>{general, specific});
        QCOMPARE(library.typeForTopic(topic), QStringLiteral("pkg.Specific"));
    }
}

void TestSchemaWidgets::libraryLoadsBindsAndPersists()
{
    {
        SchemaLibrary library;
        QSignalSpy changed(&library, &SchemaLibrary::changed);
        QVERIFY(library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()}));
        QVERIFY(!library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()})); // once only
        QCOMPARE(changed.size(), 1);
        QVERIFY(library.messageTypes().contains(QStringLiteral("hermes.test.Telemetry")));
        QVERIFY(library.messageTypes().contains(QStringLiteral("hermes.test.common.Tag"))); // via the subfolder
        QVERIFY(library.messageTypes().contains(QStringLiteral("hermes.test.Envelope")));  // well-known imports
        const QStringList errors = [&] {
            QStringList out;
            for (const auto &e : library.errors())
                out << e.toString();
            return out;
        }();
        QVERIFY2(errors.join(u'\n').contains(QStringLiteral("broken/broken.proto:7:3:")), qPrintable(errors.join(u'\n')));

        library.setBindings({{QStringLiteral("telemetry/#"), QStringLiteral("hermes.test.Reading")},
                             {QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry")},
                             {QStringLiteral("telemetry/pump-9/state"), QStringLiteral("hermes.test.Legacy")}});
        QCOMPARE(library.typeForTopic(QStringLiteral("telemetry/pump-7/state")), QStringLiteral("hermes.test.Telemetry"));
        QCOMPARE(library.typeForTopic(QStringLiteral("telemetry/pump-9/state")), QStringLiteral("hermes.test.Legacy"));
        QCOMPARE(library.typeForTopic(QStringLiteral("telemetry/pump-7/log")), QStringLiteral("hermes.test.Reading"));
        QCOMPARE(library.typeForTopic(QStringLiteral("telemetry")), QStringLiteral("hermes.test.Reading"));
        QCOMPARE(library.typeForTopic(QStringLiteral("devices/x/push")), QString());
        QCOMPARE(library.typeForTopic(QStringLiteral("bad/+/topic")), QString()); // not a topic name
    }
    // A new library (the next start of the console) restores sources and bindings.
    SchemaLibrary restored;
    QSignalSpy changed(&restored, &SchemaLibrary::changed);
    restored.restore();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(restored.sources().size(), 1);
    QCOMPARE(restored.sources().first().kind, SchemaSource::Kind::ProtoDirectory);
    QCOMPARE(restored.bindings().size(), 3);
    QCOMPARE(restored.typeForTopic(QStringLiteral("telemetry/pump-7/state")), QStringLiteral("hermes.test.Telemetry"));
    QVERIFY(restored.messageTypes().contains(QStringLiteral("hermes.test.Telemetry")));

    // An in-memory library touches no settings.
    SchemaLibrary scratch(QString{});
    scratch.setBindings({{QStringLiteral("x"), QStringLiteral("y")}});
    SchemaLibrary again;
    again.restore();
    QCOMPARE(again.bindings().size(), 3);
}

void TestSchemaWidgets::inspectorShowsTreeJsonHexAndRaw()
{
    SchemaLibrary library(QString{});
    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    library.setBindings({{QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry")}});
    PayloadInspector inspector(&library);
    QAbstractItemModelTester tester(inspector.treeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    inspector.resize(1100, 600);
    inspector.show();
    QSignalSpy decoded(&inspector, &PayloadInspector::decoded);

    inspector.setPayload(QStringLiteral("telemetry/pump-7/state"), telemetryBytes());
    QCOMPARE(inspector.decodedType(), QStringLiteral("hermes.test.Telemetry"));
    QCOMPARE(decoded.size(), 1);
    QVERIFY2(inspector.statusText().contains(QStringLiteral("hermes.test.Telemetry")), qPrintable(inspector.statusText()));

    // Tree: one row per field in payload order; the nested reading has its own rows.
    DecodedTreeModel *model = inspector.treeModel();
    QCOMPARE(model->rowCount(), 5);
    const auto cell = [&](int row, int column, const QModelIndex &parent = {}) {
        return model->index(row, column, parent).data().toString();
    };
    QCOMPARE(cell(0, DecodedTreeModel::Field), QStringLiteral("device_id"));
    QCOMPARE(cell(0, DecodedTreeModel::Number), QStringLiteral("1"));
    QCOMPARE(cell(0, DecodedTreeModel::Type), QStringLiteral("string"));
    QCOMPARE(cell(0, DecodedTreeModel::Value), QStringLiteral("\"pump-7\""));
    QCOMPARE(cell(1, DecodedTreeModel::Value), QStringLiteral("42"));
    QCOMPARE(cell(2, DecodedTreeModel::Type), QStringLiteral("hermes.test.Reading"));
    const QModelIndex reading = model->index(2, 0);
    QCOMPARE(model->rowCount(reading), 3);
    QCOMPARE(cell(1, DecodedTreeModel::Value, reading), QStringLiteral("21.5"));
    QCOMPARE(cell(2, DecodedTreeModel::Value, reading), QStringLiteral("UNIT_CELSIUS"));
    QCOMPARE(cell(4, DecodedTreeModel::Value), QStringLiteral("SEVERITY_ALERT"));
    QCOMPARE(model->parent(model->index(1, 0, reading)), reading);

    // Selecting a node highlights exactly its bytes: the reading's value is [16, 25).
    const QModelIndex value = model->index(1, DecodedTreeModel::Value, reading);
    inspector.treeView()->setCurrentIndex(value);
    QCOMPARE(inspector.hexView()->highlightOffset(), qsizetype(16));
    QCOMPARE(inspector.hexView()->highlightLength(), qsizetype(9));
    inspector.treeView()->setCurrentIndex(reading);
    QCOMPARE(inspector.hexView()->highlightOffset(), qsizetype(10));
    QCOMPARE(inspector.hexView()->highlightLength(), qsizetype(17));
    QCOMPARE(inspector.hexView()->extraSelections().size(), 4); // two lines, hex and ASCII each

    // Clicking a byte in the hex view selects the deepest field holding it (byte 26: unit).
    inspector.tabs()->setCurrentWidget(inspector.hexView());
    HexView *hex = inspector.hexView();
    QTextCursor at(hex->document());
    at.setPosition(1 * 77 + 10 + 10 * 3 + 1); // line 1 (bytes 16..31), byte 10 of it = 26
    QCOMPARE(hex->offsetAt(at.position()), qsizetype(26));
    const QRect rect = hex->cursorRect(at);
    QTest::mouseClick(hex->viewport(), Qt::LeftButton, {}, QPoint(rect.left() + 2, rect.center().y()));
    QCOMPARE(inspector.treeView()->currentIndex().siblingAtColumn(0), model->index(2, 0, reading));
    QCOMPARE(hex->highlightOffset(), qsizetype(25));

    // JSON: the canonical mapping, indented, with the copy button.
    const QJsonObject json = QJsonDocument::fromJson(inspector.jsonText().toUtf8()).object();
    QCOMPARE(json.value(QStringLiteral("deviceId")).toString(), QStringLiteral("pump-7"));
    QCOMPARE(json.value(QStringLiteral("sequence")).toString(), QStringLiteral("42")); // int64 as a string
    QCOMPARE(json.value(QStringLiteral("readings")).toArray().at(0).toObject().value(QStringLiteral("unit")).toString(),
             QStringLiteral("UNIT_CELSIUS"));
    QVERIFY(inspector.jsonText().contains(QStringLiteral("\n  \"deviceId\": \"pump-7\",\n")));
    QVERIFY(inspector.jsonText().indexOf(QStringLiteral("deviceId")) < inspector.jsonText().indexOf(QStringLiteral("readings")));
    const QList<QPushButton *> buttons = inspector.findChildren<QPushButton *>();
    QPushButton *copy = *std::find_if(buttons.cbegin(), buttons.cend(), [](QPushButton *b) { return b->text().contains(u"JSON"); });
    QVERIFY(copy->isEnabled());
    QApplication::clipboard()->clear();
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QApplication::clipboard()->text(), inspector.jsonText());

    // Raw: field numbers only, like protoc --decode_raw.
    QVERIFY2(inspector.rawText().startsWith(QStringLiteral("1: \"pump-7\"\n2: 42\n3 {\n  1: \"t1\"\n  2: 0x4035800000000000\n  3: 1\n}\n5: \"hello\"\n7: 2\n")),
             qPrintable(inspector.rawText()));

    // An override decodes as another type; unknown fields are kept and marked.
    inspector.setTypeOverride(QStringLiteral("hermes.test.Reading"));
    QCOMPARE(inspector.decodedType(), QStringLiteral("hermes.test.Reading"));
    QCOMPARE(model->index(1, 0).data(DecodedTreeModel::UnknownRole).toBool(), true); // field 2 is a double there
    inspector.setTypeOverride({});
    QCOMPARE(inspector.decodedType(), QStringLiteral("hermes.test.Telemetry"));
}

void TestSchemaWidgets::inspectorSurvivesGarbage_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("decodesTyped");

    QRandomGenerator random(6); // fixed seed: the same garbage every run
    QByteArray noise(64 * 1024, Qt::Uninitialized);
    random.fillRange(reinterpret_cast<quint32 *>(noise.data()), noise.size() / 4);
    QByteArray deep;
    for (int i = 0; i < 5000; ++i)
        deep += QByteArray::fromHex("4a"); // field 9 location, LEN ... never closed
    deep += QByteArray(5000, '\x01');

    QTest::newRow("empty, bound") << QByteArray() << "telemetry/a/state" << true;
    QTest::newRow("truncated varint, bound") << QByteArray::fromHex("10ff") << "telemetry/a/state" << false;
    QTest::newRow("length past the end, bound") << QByteArray::fromHex("0a7f41") << "telemetry/a/state" << false;
    QTest::newRow("field number 0, unbound") << QByteArray::fromHex("0001") << "other" << false;
    QTest::newRow("wire type 7, unbound") << QByteArray::fromHex("0f") << "other" << false;
    QTest::newRow("stray end-group, bound") << QByteArray::fromHex("0c") << "telemetry/a/state" << false;
    QTest::newRow("5000 open nested messages, bound") << deep << "telemetry/a/state" << false;
    QTest::newRow("64 KiB of noise, bound") << noise << "telemetry/a/state" << false;
    QTest::newRow("64 KiB of noise, unbound") << noise << "other" << false;
    QTest::newRow("JSON text, unbound") << QByteArray("{\"battery\": 90, \"rssi\": -60}") << "other" << false;
}

void TestSchemaWidgets::inspectorSurvivesGarbage()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, topic);
    QFETCH(bool, decodesTyped);
    SchemaLibrary library(QString{});
    library.addSource({SchemaSource::Kind::ProtoFile, m_protoDir.path() + QStringLiteral("/telemetry.proto")});
    library.setBindings({{QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry")}});
    PayloadInspector inspector(&library);
    QAbstractItemModelTester tester(inspector.treeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    inspector.resize(900, 500);
    inspector.show();

    QElapsedTimer timer;
    timer.start();
    inspector.setPayload(topic, payload);
    QVERIFY2(timer.elapsed() < 3000, "decoding garbage must not stall the UI");
    QCOMPARE(!inspector.decodedType().isEmpty(), decodesTyped);
    if (!decodesTyped && !payload.isEmpty() && !payload.startsWith('{'))
        QVERIFY2(inspector.statusText().contains(QStringLiteral("wire format")), qPrintable(inspector.statusText()));
    QCOMPARE(inspector.hexView()->bytes(), payload);
    // Every node's range lies inside the payload, so highlighting any of them is safe.
    QList<QModelIndex> pending{QModelIndex()};
    int visited = 0;
    while (!pending.isEmpty() && visited < 2000) {
        const QModelIndex parent = pending.takeLast();
        for (int row = 0; row < inspector.treeModel()->rowCount(parent); ++row) {
            const QModelIndex child = inspector.treeModel()->index(row, 0, parent);
            const qlonglong offset = child.data(DecodedTreeModel::OffsetRole).toLongLong();
            const qlonglong length = child.data(DecodedTreeModel::LengthRole).toLongLong();
            QVERIFY(offset >= 0 && length >= 0 && offset + length <= payload.size());
            pending.append(child);
            ++visited;
        }
    }
    if (topic == QLatin1String("other") && payload.startsWith('{'))
        QCOMPARE(QJsonDocument::fromJson(inspector.jsonText().toUtf8()).object().value(QStringLiteral("rssi")).toInt(), -60);
}

void TestSchemaWidgets::inspectorFollowsBindingsAndReloads()
{
    SchemaLibrary library(QString{});
    PayloadInspector inspector(&library);
    inspector.setPayload(QStringLiteral("telemetry/pump-7/state"), telemetryBytes());
    QCOMPARE(inspector.decodedType(), QString()); // nothing loaded: wire format
    QCOMPARE(inspector.treeModel()->rowCount(), 5);
    QCOMPARE(inspector.treeModel()->index(0, DecodedTreeModel::Type).data().toString(), QStringLiteral("string")); // printable: a guess
    QVERIFY(inspector.jsonText().isEmpty());

    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    QCOMPARE(inspector.decodedType(), QString()); // loaded, but not bound yet
    library.setBindings({{QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry")}});
    QCOMPARE(inspector.decodedType(), QStringLiteral("hermes.test.Telemetry")); // the binding applies at once
    QVERIFY(!inspector.jsonText().isEmpty());
}

void TestSchemaWidgets::inspectorOpensAPushEnvelope()
{
    SchemaLibrary library(QString{});
    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    push::PushEnvelope envelope;
    envelope.pushId = QStringLiteral("push-1");
    envelope.deviceId = QStringLiteral("pump-7");
    envelope.sequence = 3;
    envelope.contentType = schema::protobufContentType(QStringLiteral("hermes.test.Telemetry"));
    envelope.payload = telemetryBytes();
    const QByteArray bytes = envelope.toBytes();

    PayloadInspector inspector(&library);
    QAbstractItemModelTester tester(inspector.treeModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    inspector.setPayload(QStringLiteral("devices/pump-7/push"), bytes, QString(push::EnvelopeContentType));
    QCOMPARE(inspector.interpretation(), schema::Interpretation::Envelope);
    QVERIFY2(inspector.statusText().contains(QStringLiteral("envelope")), qPrintable(inspector.statusText()));
    // JSON shows what the operator pushed: the inner Telemetry.
    QCOMPARE(QJsonDocument::fromJson(inspector.jsonText().toUtf8()).object().value(QStringLiteral("deviceId")).toString(),
             QStringLiteral("pump-7"));
    // The envelope's payload field holds the inner tree; its ranges are in the outer bytes.
    const QModelIndex payload = inspector.treeModel()->findChild(QStringLiteral("payload"));
    QVERIFY(payload.isValid());
    const QModelIndex inner = inspector.treeModel()->findChild(QStringLiteral("device_id"), payload);
    QVERIFY(inner.isValid());
    const qsizetype innerStart = bytes.indexOf(telemetryBytes());
    QCOMPARE(inner.data(DecodedTreeModel::OffsetRole).toLongLong(), qlonglong(innerStart));
    inspector.treeView()->setCurrentIndex(inner);
    QCOMPARE(inspector.hexView()->highlightOffset(), innerStart);
    QCOMPARE(inspector.hexView()->highlightLength(), qsizetype(8));

    // The same bytes with no content type on the push topic are recognised too.
    inspector.setPayload(QStringLiteral("devices/pump-7/push"), bytes);
    QCOMPARE(inspector.interpretation(), schema::Interpretation::Envelope);
}

void TestSchemaWidgets::formComposesTelemetry()
{
    SchemaLibrary library(QString{});
    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    MessageForm form(&library);
    form.resize(700, 900);
    form.show();
    QVERIFY(!form.setMessageType(QStringLiteral("no.such.Type")));
    QVERIFY(form.setMessageType(QStringLiteral("hermes.test.Telemetry")));
    QCOMPARE(form.json(), QStringLiteral("{}")); // nothing set: everything at its default
    QSignalSpy edited(&form, &MessageForm::edited);

    const auto line = [&](const QString &path) { return qobject_cast<QLineEdit *>(form.editor(path)); };
    const auto click = [&](const QString &path) {
        auto *button = qobject_cast<QAbstractButton *>(form.editor(path));
        QVERIFY2(button, qPrintable(path));
        button->click();
    };
    QVERIFY(line(QStringLiteral("deviceId")));
    QTest::keyClicks(line(QStringLiteral("deviceId")), QStringLiteral("pump-7"));
    QVERIFY(!edited.isEmpty());
    QTest::keyClicks(line(QStringLiteral("sequence")), QStringLiteral("9007199254740993")); // > 2^53: kept exact
    QTest::keyClicks(line(QStringLiteral("sequence")), QStringLiteral("x")); // refused by the validator

    // Repeated message: add two readings, fill them, remove the first.
    click(QStringLiteral("readings+"));
    click(QStringLiteral("readings+"));
    QTest::keyClicks(line(QStringLiteral("readings.0.sensorId")), QStringLiteral("gone"));
    QTest::keyClicks(line(QStringLiteral("readings.1.sensorId")), QStringLiteral("t1"));
    QTest::keyClicks(line(QStringLiteral("readings.1.value")), QStringLiteral("21.5"));
    qobject_cast<QComboBox *>(form.editor(QStringLiteral("readings.1.unit")))->setCurrentText(QStringLiteral("UNIT_CELSIUS"));
    click(QStringLiteral("readings.0-"));
    QCOMPARE(line(QStringLiteral("readings.0.sensorId"))->text(), QStringLiteral("t1")); // renumbered
    QVERIFY(!form.editor(QStringLiteral("readings.1.sensorId")));

    // Map: key and value per row.
    click(QStringLiteral("counters+"));
    QTest::keyClicks(line(QStringLiteral("counters.0.key")), QStringLiteral("restarts"));
    qobject_cast<QSpinBox *>(form.editor(QStringLiteral("counters.0.value")))->setValue(3);

    // Oneof: choosing blob, then text, keeps only text.
    auto *payloadChoice = qobject_cast<QComboBox *>(form.editor(QStringLiteral("@payload")));
    QVERIFY(payloadChoice);
    payloadChoice->setCurrentText(QStringLiteral("blob"));
    QTest::keyClicks(line(QStringLiteral("blob")), QStringLiteral("de ad be ef"));
    QCOMPARE(form.jsonObject().value(QStringLiteral("blob")).toString(), QStringLiteral("3q2+7w=="));
    // Bytes as base64: the text converts, the value stays.
    auto *blobFormat = line(QStringLiteral("blob"))->parentWidget()->findChild<QComboBox *>();
    blobFormat->setCurrentIndex(1);
    QCOMPARE(line(QStringLiteral("blob"))->text(), QStringLiteral("3q2+7w=="));
    QCOMPARE(form.jsonObject().value(QStringLiteral("blob")).toString(), QStringLiteral("3q2+7w=="));
    payloadChoice->setCurrentText(QStringLiteral("text"));
    line(QStringLiteral("text"))->insert(QStringLiteral("压力过高")); // keyClicks is ASCII only
    QVERIFY(!form.jsonObject().contains(QStringLiteral("blob")));

    qobject_cast<QComboBox *>(form.editor(QStringLiteral("severity")))->setCurrentText(QStringLiteral("SEVERITY_ALERT"));
    click(QStringLiteral("deltas+"));
    click(QStringLiteral("deltas+"));
    qobject_cast<QSpinBox *>(form.editor(QStringLiteral("deltas.0")))->setValue(-2);
    qobject_cast<QSpinBox *>(form.editor(QStringLiteral("deltas.1")))->setValue(5);
    auto *location = qobject_cast<QGroupBox *>(form.editor(QStringLiteral("location")));
    QVERIFY(location && location->isCheckable() && !location->isChecked());
    QVERIFY(!form.editor(QStringLiteral("location.lat"))); // generated when first checked
    location->setChecked(true);
    QTest::keyClicks(line(QStringLiteral("location.lat")), QStringLiteral("39.5"));
    QTest::keyClicks(line(QStringLiteral("crc")), QStringLiteral("3735928559"));

    const QJsonObject expected = QJsonDocument::fromJson(R"({
        "deviceId": "pump-7", "sequence": "9007199254740993",
        "readings": [{"sensorId": "t1", "value": 21.5, "unit": "UNIT_CELSIUS"}],
        "counters": {"restarts": 3}, "text": "压力过高", "severity": "SEVERITY_ALERT",
        "deltas": [-2, 5], "location": {"lat": 39.5}, "crc": 3735928559})").object();
    QCOMPARE(form.jsonObject(), expected);

    // decode(encode(form)) == form.
    const schema::EncodeResult encoded = form.encode();
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    const schema::DecodeResult decoded = library.registry()->decode(QStringLiteral("hermes.test.Telemetry"), encoded.bytes);
    QVERIFY(decoded.ok());
    QCOMPARE(QJsonDocument::fromJson(decoded.json.toUtf8()).object(), expected);

    // A second form filled from the bytes shows the same values in its editors.
    MessageForm copy(&library);
    QVERIFY(copy.setMessageType(QStringLiteral("hermes.test.Telemetry")));
    QString error;
    QVERIFY2(copy.setBytes(encoded.bytes, &error), qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(copy.jsonObject(), expected);
    QCOMPARE(qobject_cast<QLineEdit *>(copy.editor(QStringLiteral("readings.0.sensorId")))->text(), QStringLiteral("t1"));
    QCOMPARE(qobject_cast<QComboBox *>(copy.editor(QStringLiteral("@payload")))->currentText(), QStringLiteral("text"));
    QVERIFY(qobject_cast<QGroupBox *>(copy.editor(QStringLiteral("location")))->isChecked());

    // Garbage in the form is refused by encode() with a reason, never crashes.
    line(QStringLiteral("deviceId"))->clear();
    payloadChoice->setCurrentText(QStringLiteral("blob"));
    blobFormat->setCurrentIndex(0);
    QTest::keyClicks(line(QStringLiteral("blob")), QStringLiteral("zz"));
    QVERIFY(!form.encode().ok());
    QVERIFY(copy.setJson(QStringLiteral("{\"deviceId\": \"x\", \"nope\": 1}"), &error));
    QVERIFY2(error.contains(QStringLiteral("nope")), qPrintable(error));
    QVERIFY(!copy.setJson(QStringLiteral("[1]"), &error));
}

void TestSchemaWidgets::formRoundTrips_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("json");
    QTest::newRow("well-known types") << "hermes.test.Envelope"
        << R"({"sentAt":"2026-11-22T07:00:00Z","ttl":"1.500s","extras":{"a":[1,"b",true]},"priority":0,)"
           R"("title":"标题","silent":false,"anything":null,"list":[1,{"x":2}],"mask":"a.b,c","nothing":{},"d":0.25})";
    QTest::newRow("recursive type, map of enums, optional, oneof message") << "hermes.test.TreeNode"
        << R"({"label":"root","children":[{"label":"a","children":[{"label":"a1"}]},{"label":"b","weight":0}],)"
           R"("parent":{"label":"up"},"named":{"x":{"label":"nx"}},"levels":{"1":"SEVERITY_ALERT","-4":"SEVERITY_INFO"},)"
           R"("reading":{"sensorId":"t","value":-1.25}})";
    QTest::newRow("proto2 required and group") << "hermes.test.Legacy" << R"({"id":0})";
}

void TestSchemaWidgets::formRoundTrips()
{
    QFETCH(QString, type);
    QFETCH(QString, json);
    SchemaLibrary library(QString{});
    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    const schema::EncodeResult reference = library.registry()->encodeJson(type, json);
    QVERIFY2(reference.ok(), qPrintable(reference.error));
    const QJsonObject canonical =
            QJsonDocument::fromJson(library.registry()->decode(type, reference.bytes).json.toUtf8()).object();

    MessageForm form(&library);
    QVERIFY(form.setMessageType(type));
    QString error;
    QVERIFY2(form.setJson(json, &error), qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(form.jsonObject(), canonical);
    const schema::EncodeResult encoded = form.encode();
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));
    QCOMPARE(QJsonDocument::fromJson(library.registry()->decode(type, encoded.bytes).json.toUtf8()).object(), canonical);
    // Not the bytes: map entries are written in the form's order, which protobuf need not keep.
}

void TestSchemaWidgets::managerShowsTypesErrorsAndBindings()
{
    SchemaLibrary library(QString{});
    SchemaManager manager(&library);
    QAbstractItemModelTester bindingTester(manager.bindingModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester typeTester(manager.typeProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    manager.resize(1100, 700);
    manager.show();
    QVERIFY(QTest::qWaitForWindowExposed(&manager));
    QCOMPARE(manager.typeModel()->rowCount(), 0);

    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    QCOMPARE(manager.sourceList()->count(), 1);
    QVERIFY(manager.sourceList()->item(0)->text().contains(m_protoDir.path()));
    QVERIFY2(anyItemContains(manager.errorList(), QStringLiteral("broken/broken.proto:7:3:")),
             qPrintable(manager.errorList()->count() ? manager.errorList()->item(0)->text() : QString()));

    // Types grouped by package; the filter keeps matching types and their packages.
    const QModelIndexList telemetry = manager.typeProxy()->match(manager.typeProxy()->index(0, 0), SchemaManager::TypeNameRole,
                                                                 QStringLiteral("hermes.test.Telemetry"), 1,
                                                                 Qt::MatchExactly | Qt::MatchRecursive);
    QCOMPARE(telemetry.size(), 1);
    QCOMPARE(telemetry.first().parent().data().toString(), QStringLiteral("hermes.test"));
    QTest::keyClicks(manager.typeFilter(), QStringLiteral("locat"));
    QCOMPARE(manager.typeProxy()->rowCount(), 1);
    const QModelIndex package = manager.typeProxy()->index(0, 0);
    QCOMPARE(manager.typeProxy()->rowCount(package), 1);
    QCOMPARE(manager.typeProxy()->index(0, 0, package).data().toString(), QStringLiteral("Telemetry.Location"));
    manager.typeFilter()->clear();

    // Bind telemetry/+/state: select the type, add a binding, type the filter into the table.
    manager.typeView()->setCurrentIndex(telemetry.first());
    QSignalSpy activated(&manager, &SchemaManager::typeActivated);
    const QRect typeRect = manager.typeView()->visualRect(manager.typeView()->currentIndex());
    QVERIFY(!typeRect.isEmpty());
    QTest::mouseClick(manager.typeView()->viewport(), Qt::LeftButton, {}, typeRect.center());
    QTest::mouseDClick(manager.typeView()->viewport(), Qt::LeftButton, {}, typeRect.center());
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toString(), QStringLiteral("hermes.test.Telemetry"));
    manager.addBinding();
    QCOMPARE(manager.bindingModel()->rowCount(), 1);
    QCOMPARE(manager.bindingModel()->index(0, BindingTableModel::MessageType).data().toString(),
             QStringLiteral("hermes.test.Telemetry"));
    QVERIFY(!manager.bindingModel()->index(0, 0).data(BindingTableModel::ProblemRole).toString().isEmpty()); // no filter yet
    // The delegate's editor is open on the new row's filter cell.
    auto *editor = manager.bindingView()->viewport()->findChild<QLineEdit *>();
    QVERIFY(editor);
    QVERIFY(editor->isVisible());
    QTest::keyClicks(editor, QStringLiteral("telemetry/+/state"));
    QTest::keyClick(editor, Qt::Key_Return);
    // The delegate commits on Return through a queued call.
    QTRY_COMPARE(library.bindings(), (QList<SchemaBinding>{{QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry")}}));
    QCOMPARE(manager.bindingModel()->index(0, 0).data(BindingTableModel::ProblemRole).toString(), QString());

    // A more specific second binding, set through the model.
    const QModelIndex second = manager.bindingModel()->addBinding({QStringLiteral("telemetry/pump-9/state"), QString()});
    QVERIFY(manager.bindingModel()->setData(second.siblingAtColumn(BindingTableModel::MessageType), QStringLiteral("hermes.test.Reading")));
    QVERIFY(!manager.bindingModel()->setData(second, QStringLiteral("x"), Qt::DisplayRole));
    QTest::keyClicks(manager.topicTester(), QStringLiteral("telemetry/pump-9/state"));
    QCOMPARE(manager.topicTestResult(), QStringLiteral("→ hermes.test.Reading"));
    manager.topicTester()->setText(QStringLiteral("telemetry/pump-7/state"));
    QCOMPARE(manager.topicTestResult(), QStringLiteral("→ hermes.test.Telemetry"));

    // Invalid filters and unknown types are flagged, not silently used.
    QVERIFY(manager.bindingModel()->setData(second, QStringLiteral("telemetry/pu#")));
    QVERIFY(manager.bindingModel()->index(1, 0).data(BindingTableModel::ProblemRole).toString().contains(QStringLiteral("valid")));
    QCOMPARE(library.typeForTopic(QStringLiteral("telemetry/pump-9/state")), QStringLiteral("hermes.test.Telemetry"));
    QVERIFY(manager.bindingModel()->setData(second, QStringLiteral("telemetry/pump-9/state")));
    QVERIFY(manager.bindingModel()->setData(second.siblingAtColumn(1), QStringLiteral("no.such.Type")));
    QVERIFY(manager.bindingModel()->index(1, 0).data(BindingTableModel::ProblemRole).toString().contains(QStringLiteral("no.such.Type")));
    manager.bindingView()->setCurrentIndex(manager.bindingModel()->index(1, 0));
    manager.removeSelectedBinding();
    QCOMPARE(library.bindings().size(), 1);

    // Bindings set elsewhere (restore, another window) show up in the table.
    library.setBindings({});
    QCOMPARE(manager.bindingModel()->rowCount(), 0);

    // Removing the folder empties types and errors.
    manager.sourceList()->setCurrentRow(0);
    manager.removeSelectedSource();
    QCOMPARE(manager.sourceList()->count(), 0);
    QCOMPARE(manager.errorList()->count(), 0);
    QCOMPARE(manager.typeModel()->rowCount(), 0);
}

void TestSchemaWidgets::managerReloadsAWatchedFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("device.proto"));
    const auto write = [&](const QByteArray &text) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(text);
    };
    write("syntax = \"proto3\";\npackage watch;\nmessage State { int32 level = 1; }\n");
    SchemaLibrary library(QString{});
    library.setReloadDelay(20);
    SchemaManager manager(&library);
    library.addSource({SchemaSource::Kind::ProtoFile, path});
    QCOMPARE(library.messageTypes(), QStringList{QStringLiteral("watch.State")});
    QVERIFY(library.watchedPaths().contains(QFileInfo(path).absoluteFilePath()));
    QCOMPARE(manager.errorList()->count(), 0);

    // Break it on disk: the manager shows the new error with file and line.
    const int before = library.generation();
    write("syntax = \"proto3\";\npackage watch;\nmessage State { int32 level = 1 }\nmessage Extra {}\n");
    QTRY_VERIFY_WITH_TIMEOUT(library.generation() > before, 5000);
    QTRY_VERIFY(anyItemContains(manager.errorList(), QStringLiteral("device.proto:3:")));

    // Fix it, with a new type: reloaded again, errors gone, the type is browsable.
    const int broken = library.generation();
    write("syntax = \"proto3\";\npackage watch;\nmessage State { int32 level = 1; }\nmessage Extra {}\n");
    QTRY_VERIFY_WITH_TIMEOUT(library.generation() > broken, 5000);
    QTRY_COMPARE(library.messageTypes(), (QStringList{QStringLiteral("watch.Extra"), QStringLiteral("watch.State")}));
    QCOMPARE(manager.errorList()->count(), 0);
    QVERIFY(!manager.typeProxy()->match(manager.typeProxy()->index(0, 0), SchemaManager::TypeNameRole,
                                        QStringLiteral("watch.Extra"), 1, Qt::MatchExactly | Qt::MatchRecursive).isEmpty());

    // Replaced by rename (how many editors save): still watched.
    const int renamed = library.generation();
    {
        QFile next(dir.filePath(QStringLiteral("device.proto.tmp")));
        QVERIFY(next.open(QIODevice::WriteOnly));
        next.write("syntax = \"proto3\";\npackage watch;\nmessage State { int32 level = 1; }\n");
    }
    QVERIFY(QFile::remove(path));
    QVERIFY(QFile::rename(dir.filePath(QStringLiteral("device.proto.tmp")), path));
    QTRY_VERIFY_WITH_TIMEOUT(library.generation() > renamed, 5000);
    QTRY_COMPARE(library.messageTypes(), QStringList{QStringLiteral("watch.State")});
}

void TestSchemaWidgets::screenshots_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QStringLiteral("en");
    QTest::newRow("Chinese") << QStringLiteral("zh_CN");
}

void TestSchemaWidgets::screenshots()
{
    QFETCH(QString, language);
    const QLocale locale(language);
    QLocale::setDefault(locale);
    const bool translated = installTranslations(locale);
    if (language == QLatin1String("zh_CN"))
        QVERIFY2(translated, "the zh_CN translation must be embedded");
    const bool chinese = language == QLatin1String("zh_CN");

    SchemaLibrary library(QString{});
    library.addSource({SchemaSource::Kind::ProtoDirectory, m_protoDir.path()});
    library.setBindings({{QStringLiteral("telemetry/+/state"), QStringLiteral("hermes.test.Telemetry")},
                         {QStringLiteral("telemetry/#"), QStringLiteral("hermes.test.Reading")},
                         {QStringLiteral("devices/+/push"), QStringLiteral("hermes.test.Envelope")}});

    const QString deviceId = chinese ? QStringLiteral("水泵-北京-007") : QStringLiteral("pump-007");
    const QString json = QStringLiteral(
            R"({"deviceId":"%1","sequence":"1024","readings":[{"sensorId":"%2","value":21.5,"unit":"UNIT_CELSIUS"},)"
            R"({"sensorId":"%3","value":48,"unit":"UNIT_PERCENT"}],"counters":{"%4":3,"restarts":1},)"
            R"("text":"%5","severity":"SEVERITY_ALERT","deltas":[1,-2,3],"location":{"lat":39.9,"lon":116.4},)"
            R"("uptimeMs":"86400000","crc":3735928559,"tags":[{"key":"site","value":"%6"}]})")
            .arg(deviceId, chinese ? QStringLiteral("温度") : QStringLiteral("temperature"),
                 chinese ? QStringLiteral("湿度") : QStringLiteral("humidity"),
                 chinese ? QStringLiteral("重连") : QStringLiteral("reconnects"),
                 chinese ? QStringLiteral("压力过高") : QStringLiteral("pressure high"),
                 chinese ? QStringLiteral("北京") : QStringLiteral("beijing"));
    const schema::EncodeResult encoded = library.registry()->encodeJson(QStringLiteral("hermes.test.Telemetry"), json);
    QVERIFY2(encoded.ok(), qPrintable(encoded.error));

    PayloadInspector inspector(&library);
    inspector.resize(1200, 640);
    inspector.show();
    inspector.setPayload(QStringLiteral("telemetry/%1/state").arg(deviceId), encoded.bytes);
    QCOMPARE(inspector.decodedType(), QStringLiteral("hermes.test.Telemetry"));
    const QModelIndex readings = inspector.treeModel()->findChild(QStringLiteral("readings"));
    QVERIFY(readings.isValid());
    inspector.treeView()->setCurrentIndex(inspector.treeModel()->index(1, 0, readings));
    QVERIFY(inspector.grab().save(screenshotPath(QStringLiteral("payload-inspector-%1.png").arg(language))));
    inspector.tabs()->setCurrentIndex(1);
    QVERIFY(inspector.grab().save(screenshotPath(QStringLiteral("payload-inspector-json-%1.png").arg(language))));

    SchemaManager manager(&library);
    manager.resize(1200, 760);
    manager.show();
    manager.topicTester()->setText(QStringLiteral("telemetry/%1/state").arg(deviceId));
    QVERIFY(manager.grab().save(screenshotPath(QStringLiteral("schema-manager-%1.png").arg(language))));

    // The form, filled from the same message, a oneof and a nested message open.
    MessageForm form(&library);
    form.resize(760, 980);
    form.show();
    QVERIFY(form.setMessageType(QStringLiteral("hermes.test.Telemetry")));
    QString error;
    QVERIFY2(form.setBytes(encoded.bytes, &error), qPrintable(error));
    QCOMPARE(form.jsonObject(), QJsonDocument::fromJson(json.toUtf8()).object());
    QVERIFY(form.grab().save(screenshotPath(QStringLiteral("message-form-%1.png").arg(language))));

    // A push envelope carrying the Telemetry, as a device receives it.
    push::PushEnvelope envelope;
    envelope.pushId = QStringLiteral("push-0042");
    envelope.deviceId = deviceId;
    envelope.sequence = 42;
    envelope.sentAt = QDateTime::fromMSecsSinceEpoch(1795000000000, Qt::UTC);
    envelope.contentType = schema::protobufContentType(QStringLiteral("hermes.test.Telemetry"));
    envelope.payload = encoded.bytes;
    inspector.tabs()->setCurrentIndex(0);
    inspector.setPayload(QStringLiteral("devices/%1/push").arg(deviceId), envelope.toBytes(), QString(push::EnvelopeContentType));
    QCOMPARE(inspector.interpretation(), schema::Interpretation::Envelope);
    const QModelIndex payload = inspector.treeModel()->findChild(QStringLiteral("payload"));
    inspector.treeView()->setCurrentIndex(inspector.treeModel()->findChild(QStringLiteral("device_id"), payload));
    QVERIFY(inspector.grab().save(screenshotPath(QStringLiteral("payload-inspector-envelope-%1.png").arg(language))));

    installTranslations(QLocale(QLocale::English));
    QLocale::setDefault(QLocale(QLocale::English));
}

HERMES_TEST_MAIN(TestSchemaWidgets)
#include "tst_schemawidgets.moc"
