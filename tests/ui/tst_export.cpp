// Exports as an operator makes them: messages captured by the console's Messages view are
// written to CSV and NDJSON and read back field for field, and a capture is published again
// by `hermesctl replay` to a real subscriber, which sees the same topics and payloads.
#include "../common/testmain.h"
#include "../common/testconfig.h"

#include "messageexport.h"
#include "messagesview.h"
#include "reportexport.h"
#include "schemalibrary.h"
#include "translations.h"

#include "engine/local/localengine.h"
#include "engine/mqttclient.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace hermes;

class TestExport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void csvRoundTrips();
    void ndjsonRoundTrips_data();
    void ndjsonRoundTrips();
    void viewExportsSelectionAndAll();
    void cancelLeavesNoFile();
    void replayRepublishesACapture();
    void packetTraceSplitsIntoFields();

private:
    static QList<MessageRecord> awkwardMessages();
    static QList<QStringList> parseCsv(const QByteArray &text);
};

void TestExport::initTestCase()
{
    ui::installTranslations(QLocale(QLocale::English));
}

QList<MessageRecord> TestExport::awkwardMessages()
{
    const auto record = [](qint64 at, const QString &topic, const QByteArray &payload, int qos, bool retain,
                           const QString &from, const QString &contentType = {}) {
        MessageRecord m;
        m.atMs = at;
        m.topic = topic;
        m.payload = payload;
        m.payloadSize = payload.size();
        m.qos = mqtt::QoS(qos);
        m.retain = retain;
        m.fromClientId = from;
        m.contentType = contentType;
        return m;
    };
    return {
        record(1'790'000'000'123, QStringLiteral("telemetry/meter-1/power"), "{\"watts\": 17.5}", 0, false,
               QStringLiteral("meter-1"), QStringLiteral("application/json")),
        record(1'790'000'000'456, QStringLiteral("a,b/\"quoted\""), "line one\nline \"two\", with comma", 1, true,
               QStringLiteral("publisher,1")),
        record(1'790'000'001'000, QStringLiteral("设备/北京/状态"), QStringLiteral("在线").toUtf8(), 2, false, QString()),
        record(1'790'000'002'000, QStringLiteral("binary/blob"), QByteArray::fromHex("00ff10c3286e"), 1, false,
               QStringLiteral("cam")),
        record(1'790'000'003'000, QStringLiteral("empty"), QByteArray(), 0, false, QStringLiteral("x")),
    };
}

/// A strict RFC 4180 reader: quoted fields with doubled quotes, CRLF rows.
QList<QStringList> TestExport::parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            row.append(field);
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
            row.append(field);
            field.clear();
            rows.append(row);
            row.clear();
            ++i;
        } else {
            field += c;
        }
    }
    return rows;
}

void TestExport::csvRoundTrips()
{
    const QList<MessageRecord> messages = awkwardMessages();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    std::atomic_bool cancel = false;
    std::atomic<qsizetype> written = 0;
    QCOMPARE(ui::writeMessages(buffer, messages, ui::MessageExportFormat::Csv, {}, cancel, written), QString());
    QCOMPARE(written.load(), messages.size());

    const QList<QStringList> rows = parseCsv(buffer.data());
    QCOMPARE(rows.size(), messages.size() + 1);
    QCOMPARE(rows.first(), ui::messageCsvColumns());
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const MessageRecord &m = messages.at(i);
        const QStringList &row = rows.at(i + 1);
        QCOMPARE(row.size(), ui::messageCsvColumns().size());
        QCOMPARE(QDateTime::fromString(row.at(0), Qt::ISODateWithMs).toMSecsSinceEpoch(), m.atMs);
        QCOMPARE(row.at(1), m.topic);
        QCOMPARE(row.at(2).toInt(), int(m.qos));
        QCOMPARE(row.at(3) == QLatin1String("1"), m.retain);
        QCOMPARE(row.at(4), m.fromClientId);
        QCOMPARE(row.at(5), m.contentType);
        QCOMPARE(row.at(6).toLongLong(), m.payloadSize);
        QCOMPARE(QByteArray::fromBase64(row.at(8).toLatin1()), m.payload);
        // Text only when the payload is UTF-8; the binary one has none.
        QCOMPARE(row.at(7), i == 3 ? QString() : QString::fromUtf8(m.payload));
    }
}

void TestExport::ndjsonRoundTrips_data()
{
    QTest::addColumn<int>("format");
    QTest::newRow("payload as text") << int(ui::MessageExportFormat::NdjsonText);
    QTest::newRow("payload as base64") << int(ui::MessageExportFormat::NdjsonBase64);
    QTest::newRow("capture") << int(ui::MessageExportFormat::Capture);
}

void TestExport::ndjsonRoundTrips()
{
    QFETCH(int, format);
    const auto chosen = ui::MessageExportFormat(format);
    const QList<MessageRecord> messages = awkwardMessages();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    std::atomic_bool cancel = false;
    std::atomic<qsizetype> written = 0;
    QCOMPARE(ui::writeMessages(buffer, messages, chosen, {}, cancel, written), QString());

    QList<QByteArray> lines = buffer.data().split('\n');
    QCOMPARE(lines.takeLast(), QByteArray()); // every line ends in \n
    if (chosen == ui::MessageExportFormat::Capture) {
        const QJsonObject header = QJsonDocument::fromJson(lines.takeFirst()).object();
        QCOMPARE(header.value(QLatin1String("format")).toString(), QStringLiteral("hermes-capture"));
        QCOMPARE(header.value(QLatin1String("messages")).toInt(), messages.size());
    }
    QCOMPARE(lines.size(), messages.size());
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const MessageRecord &m = messages.at(i);
        QJsonParseError error;
        const QJsonObject line = QJsonDocument::fromJson(lines.at(i), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(qint64(line.value(QLatin1String("time_ms")).toDouble()), m.atMs);
        QCOMPARE(line.value(QLatin1String("topic")).toString(), m.topic);
        QCOMPARE(line.value(QLatin1String("qos")).toInt(), int(m.qos));
        QCOMPARE(line.value(QLatin1String("retain")).toBool(), m.retain);
        QCOMPARE(line.value(QLatin1String("from")).toString(), m.fromClientId);
        QCOMPARE(line.value(QLatin1String("content_type")).toString(), m.contentType);
        const bool asText = chosen == ui::MessageExportFormat::NdjsonText && i != 3;
        QCOMPARE(line.contains(QLatin1String("payload")), asText);
        const QByteArray payload = asText ? line.value(QLatin1String("payload")).toString().toUtf8()
                                          : QByteArray::fromBase64(line.value(QLatin1String("payload_base64")).toString().toLatin1());
        QCOMPARE(payload, m.payload);
    }
}

void TestExport::viewExportsSelectionAndAll()
{
    // A real broker and publisher; the view captures what it routes.
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    ui::SchemaLibrary schemas{QString()};
    ui::MessagesView view(engine);
    view.setSchemaLibrary(&schemas);
    view.resize(900, 500);
    view.show();

    MqttClient publisher;
    publisher.setPort(port);
    publisher.setClientId(QStringLiteral("thermostat"));
    QSignalSpy connected(&publisher, &MqttClient::connected);
    publisher.connectToBroker();
    QVERIFY(connected.wait(5000));
    for (int i = 0; i < 20; ++i)
        publisher.publish(QStringLiteral("home/room-%1/temperature").arg(i % 4),
                          QByteArray::number(20.0 + i * 0.25), mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 20, 10000);

    QTemporaryDir dir;
    // Selected: rows 2 and 5 (Ctrl-click), as NDJSON.
    view.table()->selectRow(2);
    view.table()->selectionModel()->select(view.model()->index(5, 0),
                                           QItemSelectionModel::Select | QItemSelectionModel::Rows);
    ui::ExportJob *job = view.exportMessages(dir.filePath(QStringLiteral("two.ndjson")),
                                             ui::MessageExportFormat::NdjsonText, true);
    QVERIFY(job);
    QSignalSpy exported(&view, &ui::MessagesView::exported);
    QVERIFY(exported.wait(10000));
    QFile two(dir.filePath(QStringLiteral("two.ndjson")));
    QVERIFY(two.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = two.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(QJsonDocument::fromJson(lines.at(0)).object().value(QLatin1String("payload")).toString(), QStringLiteral("20.5"));
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QLatin1String("payload")).toString(), QStringLiteral("21.25"));
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QLatin1String("from")).toString(), QStringLiteral("thermostat"));

    // All, as CSV: the header and twenty rows.
    QVERIFY(view.exportMessages(dir.filePath(QStringLiteral("all.csv")), ui::MessageExportFormat::Csv, false));
    QVERIFY(exported.wait(10000));
    QFile all(dir.filePath(QStringLiteral("all.csv")));
    QVERIFY(all.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = parseCsv(all.readAll());
    QCOMPARE(rows.size(), 21);
    QCOMPARE(rows.at(20).at(1), QStringLiteral("home/room-3/temperature"));
    QCOMPARE(rows.at(20).at(7), QStringLiteral("24.75"));
}

void TestExport::cancelLeavesNoFile()
{
    // Enough rows that the worker is still busy when Cancel is pressed.
    QList<MessageRecord> many;
    const MessageRecord sample = awkwardMessages().first();
    for (int i = 0; i < 200'000; ++i)
        many.append(sample);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("cancelled.ndjson"));
    ui::ExportJob job(many, path, ui::MessageExportFormat::NdjsonText, {});
    QSignalSpy finished(&job, &ui::ExportJob::finished);
    job.start();
    QTRY_VERIFY(job.written() > 0);
    job.cancel();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QVERIFY(job.written() < many.size());
    QVERIFY(!QFileInfo::exists(path));
}

void TestExport::replayRepublishesACapture()
{
    // Capture: messages from a publisher, seen by the console.
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    ui::MessagesView view(engine);
    MqttClient publisher;
    publisher.setPort(port);
    publisher.setClientId(QStringLiteral("meter"));
    QSignalSpy connected(&publisher, &MqttClient::connected);
    publisher.connectToBroker();
    QVERIFY(connected.wait(5000));
    QList<std::pair<QString, QByteArray>> sent;
    for (int i = 0; i < 12; ++i) {
        const QString topic = QStringLiteral("replay/meter/%1").arg(i % 3);
        const QByteArray payload = i == 7 ? QByteArray::fromHex("0001fffe") : QStringLiteral("读数 %1").arg(i).toUtf8();
        publisher.publish(topic, payload, mqtt::QoS(i % 3));
        sent.append({topic, payload});
    }
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 12, 10000);
    QTemporaryDir dir;
    const QString capture = dir.filePath(QStringLiteral("meter.hcap"));
    QSignalSpy exported(&view, &ui::MessagesView::exported);
    QVERIFY(view.exportMessages(capture, ui::MessageExportFormat::Capture, false));
    QVERIFY(exported.wait(10000));

    // Replay: a fresh subscriber on the same broker gets the same topics and payloads.
    MqttClient subscriber;
    subscriber.setPort(port);
    subscriber.setClientId(QStringLiteral("listener"));
    QSignalSpy subscriberConnected(&subscriber, &MqttClient::connected);
    QSignalSpy subscribed(&subscriber, &MqttClient::subscribed);
    QList<std::pair<QString, QByteArray>> received;
    connect(&subscriber, &MqttClient::messageReceived, this,
            [&](const mqtt::Publish &p) { received.append({p.topic, p.payload}); });
    subscriber.connectToBroker();
    QVERIFY(subscriberConnected.wait(5000));
    subscriber.subscribe(QStringLiteral("replay/#"), mqtt::QoS::ExactlyOnce);
    QVERIFY(subscribed.wait(5000));

    QProcess replay;
    replay.start(QStringLiteral(HERMESCTL_BIN),
                 {QStringLiteral("replay"), capture, QStringLiteral("--broker"),
                  QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--speed"), QStringLiteral("4")});
    QVERIFY(replay.waitForStarted());
    QTRY_COMPARE_WITH_TIMEOUT(replay.state(), QProcess::NotRunning, 20000);
    QVERIFY2(replay.exitCode() == 0, replay.readAllStandardError().constData());
    QVERIFY(replay.readAllStandardOutput().contains("replayed 12 messages"));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), sent.size(), 10000);
    QCOMPARE(received, sent);

    // Not a capture: a clear error, exit code 2.
    QFile bogus(dir.filePath(QStringLiteral("bogus.hcap")));
    QVERIFY(bogus.open(QIODevice::WriteOnly));
    bogus.write("{\"hello\":1}\n");
    bogus.close();
    replay.start(QStringLiteral(HERMESCTL_BIN), {QStringLiteral("replay"), bogus.fileName()});
    QVERIFY(replay.waitForFinished(10000));
    QCOMPARE(replay.exitCode(), 2);
    QVERIFY(replay.readAllStandardError().contains("not a Hermes capture"));
}

void TestExport::packetTraceSplitsIntoFields()
{
    const QStringList lines = {
        QStringLiteral("12:00:01.123 ← PUBLISH topic=home/living room/temp qos=1 pid=7 retain=0 dup=1 bytes=31"),
        QStringLiteral("12:00:01.130 → PUBACK pid=7 bytes=4"),
        QStringLiteral("12:00:02.000 → DISCONNECT reason=0x8d (Keep Alive timeout) bytes=3"),
    };
    const QList<QStringList> rows = ui::packetTraceRows(lines);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.at(0), (QStringList{"12:00:01.123", "in", "PUBLISH", "home/living room/temp", "1", "7", "0", "1", "", "31"}));
    QCOMPARE(rows.at(1), (QStringList{"12:00:01.130", "out", "PUBACK", "", "", "7", "", "", "", "4"}));
    QCOMPARE(rows.at(2).at(8), QStringLiteral("0x8d (Keep Alive timeout)"));
    // CSV round trip through the same strict reader as the messages.
    const QList<QStringList> parsed = parseCsv(ui::toCsv(ui::packetTraceColumns(), rows));
    QCOMPARE(parsed.first(), ui::packetTraceColumns());
    QCOMPARE(parsed.mid(1), rows);
    const QJsonArray json = ui::toJsonRows(ui::packetTraceColumns(), rows);
    QCOMPARE(json.at(0).toObject().value(QLatin1String("topic")).toString(), QStringLiteral("home/living room/temp"));
}

HERMES_TEST_MAIN(TestExport)
#include "tst_export.moc"
