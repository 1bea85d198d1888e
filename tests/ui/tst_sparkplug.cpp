// Sparkplug B as an operator meets it: an edge node publishes a DBIRTH (metric names with
// aliases) and then DDATA (aliases only) through the console's broker; the Messages view
// decodes both with the built-in binding and names the DDATA metrics from the birth.
#include "../common/testmain.h"
#include "../common/testconfig.h"

#include "messagesview.h"
#include "payloadinspector.h"
#include "schemalibrary.h"
#include "translations.h"

#include "engine/local/localengine.h"
#include "engine/mqttclient.h"

#include "schema/sparkplug.h"

#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QtTest>

using namespace hermes;
namespace sp = hermes::schema::sparkplug;

class TestSparkplug : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void parsesTopics_data();
    void parsesTopics();
    void aliasTableFollowsBirths();
    void birthAndDataDecodeWithNames();
};

namespace {

sp::Metric metric(const QString &name, quint64 alias, quint32 datatype, const QVariant &value)
{
    sp::Metric m;
    m.name = name;
    m.alias = alias;
    m.datatype = datatype;
    m.value = value;
    return m;
}

constexpr quint32 Int32 = 3, Double = 10, Boolean = 11, String = 12;

} // namespace

void TestSparkplug::initTestCase()
{
    ui::installTranslations(QLocale(QLocale::English));
}

void TestSparkplug::parsesTopics_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("scope");
    QTest::newRow("NBIRTH") << "spBv1.0/plant/NBIRTH/edge-1" << true << "plant/edge-1";
    QTest::newRow("DDATA") << "spBv1.0/plant/DDATA/edge-1/pump-7" << true << "plant/edge-1/pump-7";
    QTest::newRow("NCMD") << "spBv1.0/plant/NCMD/edge-1" << true << "plant/edge-1";
    QTest::newRow("STATE (3.0)") << "spBv1.0/STATE/scada-1" << true << "/scada-1";
    QTest::newRow("device message without device") << "spBv1.0/plant/DDATA/edge-1" << false << "";
    QTest::newRow("node message with device") << "spBv1.0/plant/NDATA/edge-1/pump" << false << "";
    QTest::newRow("unknown type") << "spBv1.0/plant/XDATA/edge-1" << false << "";
    QTest::newRow("other namespace") << "spAv1.0/plant/NDATA/edge-1" << false << "";
}

void TestSparkplug::parsesTopics()
{
    QFETCH(QString, topic);
    QFETCH(bool, valid);
    QFETCH(QString, scope);
    const std::optional<sp::Topic> parsed = sp::parseTopic(topic);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(parsed->aliasScope(), scope);
}

void TestSparkplug::aliasTableFollowsBirths()
{
    sp::AliasTable table;
    const sp::Topic birth = *sp::parseTopic(u"spBv1.0/g/DBIRTH/e/d");
    const sp::Topic data = *sp::parseTopic(u"spBv1.0/g/DDATA/e/d");
    const sp::Topic otherDevice = *sp::parseTopic(u"spBv1.0/g/DDATA/e/other");
    sp::Payload announced;
    announced.metrics = {metric(QStringLiteral("Temperature"), 1, Double, 20.5)};
    table.learn(data, announced); // not a birth: ignored
    QCOMPARE(table.scopeCount(), 0);
    table.learn(birth, announced);
    QCOMPARE(table.nameFor(data, 1), QStringLiteral("Temperature"));
    QCOMPARE(table.nameFor(otherDevice, 1), QString());
    // A rebirth renumbers: the old alias is forgotten.
    announced.metrics = {metric(QStringLiteral("Pressure"), 1, Double, 1.2)};
    table.learn(birth, announced);
    QCOMPARE(table.nameFor(data, 1), QStringLiteral("Pressure"));

    // Wire round trip: negative Int32 survives the two's complement in int_value.
    sp::Payload payload;
    payload.seq = 3;
    payload.metrics = {metric(QString(), 1, Int32, -42)};
    const std::optional<sp::Payload> decoded = sp::decodePayload(sp::encodePayload(payload));
    QVERIFY(decoded);
    QCOMPARE(decoded->seq, std::optional<quint64>(3));
    QCOMPARE(decoded->metrics.at(0).value.toInt(), -42);
    QCOMPARE(decoded->metrics.at(0).number(), std::optional<double>(-42));
}

void TestSparkplug::birthAndDataDecodeWithNames()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    ui::SchemaLibrary schemas{QString()}; // nothing loaded: Sparkplug is built in
    ui::MessagesView view(engine);
    view.setSchemaLibrary(&schemas);
    view.resize(1200, 700);
    view.show();

    // The edge node: a DBIRTH naming three metrics, then DDATA with aliases only, then the
    // host application's STATE (JSON).
    MqttClient edge;
    edge.setPort(port);
    edge.setClientId(QStringLiteral("edge-1"));
    QSignalSpy connected(&edge, &MqttClient::connected);
    edge.connectToBroker();
    QVERIFY(connected.wait(5000));
    sp::Payload birth;
    birth.timestamp = 1'790'000'000'000;
    birth.seq = 0;
    birth.metrics = {metric(QStringLiteral("Pump/Temperature"), 1, Double, 21.5),
                     metric(QStringLiteral("Pump/Running"), 2, Boolean, true),
                     metric(QStringLiteral("Pump/Mode"), 3, String, QStringLiteral("auto"))};
    edge.publish(QStringLiteral("spBv1.0/plant/DBIRTH/edge-1/pump-7"), sp::encodePayload(birth), mqtt::QoS::AtLeastOnce);
    sp::Payload data;
    data.timestamp = 1'790'000'001'000;
    data.seq = 1;
    data.metrics = {metric(QString(), 1, Double, 23.25), metric(QString(), 2, Boolean, false)};
    edge.publish(QStringLiteral("spBv1.0/plant/DDATA/edge-1/pump-7"), sp::encodePayload(data), mqtt::QoS::AtLeastOnce);
    edge.publish(QStringLiteral("spBv1.0/STATE/scada-1"), "{\"online\":true,\"timestamp\":1790000000000}",
                 mqtt::QoS::AtLeastOnce, true);
    QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), 3, 10000);

    ui::PayloadInspector *inspector = view.inspector();
    view.table()->selectRow(0);
    QCOMPARE(inspector->decodedType(), QString(sp::PayloadType));
    QCOMPARE(inspector->interpretation(), schema::Interpretation::Bound);
    QCOMPARE(inspector->sparkplugMetrics().size(), 3);

    view.table()->selectRow(1);
    QCOMPARE(inspector->decodedType(), QString(sp::PayloadType));
    const QList<sp::Metric> metrics = inspector->sparkplugMetrics();
    QCOMPARE(metrics.size(), 2);
    QCOMPARE(metrics.at(0).name, QStringLiteral("Pump/Temperature"));
    QVERIFY(metrics.at(0).nameFromAlias);
    QCOMPARE(metrics.at(0).number(), std::optional<double>(23.25));
    QCOMPARE(metrics.at(1).name, QStringLiteral("Pump/Running"));
    QCOMPARE(metrics.at(1).value.toBool(), false);
    QVERIFY2(inspector->statusText().contains(QStringLiteral("DDATA")), qPrintable(inspector->statusText()));
    QCOMPARE(inspector->tabs()->currentWidget(), inspector->sparkplugTable());
    QCOMPARE(inspector->sparkplugTable()->item(0, 0)->text(), QStringLiteral("Pump/Temperature"));
    QCOMPARE(inspector->sparkplugTable()->item(0, 3)->text(), QStringLiteral("23.25"));
    QVERIFY(view.grab().save(test::screenshotPath(QStringLiteral("sparkplug-ddata-en.png"))));

    // STATE is JSON text, not a Payload, although spBv1.0/# is bound.
    view.table()->selectRow(2);
    QCOMPARE(inspector->interpretation(), schema::Interpretation::Text);
    QVERIFY(inspector->sparkplugMetrics().isEmpty());
}

HERMES_TEST_MAIN(TestSparkplug)
#include "tst_sparkplug.moc"
