// The live language switch: the language menu replaces the translators and every
// dock, model and dialog shows the new language at once, without a restart. A real client
// gives the Sessions, Session detail, Messages and Topics docks rows, so data texts (state
// names, "yes") are checked as well as labels, headers, chart titles and legends.
#include "../common/testmain.h"
#include "../common/testconfig.h"
#include "../engine/rawclient.h"

#include "accountsdialog.h"
#include "messageform.h"
#include "dashboardview.h"
#include "mainwindow.h"
#include "messagesview.h"
#include "payloadinspector.h"
#include "pushdialog.h"
#include "pushesview.h"
#include "schemalibrary.h"
#include "sessiondetailview.h"
#include "sessionsview.h"
#include "sessiontablemodel.h"
#include "topicsview.h"
#include "topictreemodel.h"
#include "translations.h"

#include "engine/local/localengine.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

using hermes::test::screenshotPath;

namespace {

/// Every text a person reads in `root` without hovering or opening anything: labels,
/// buttons, group titles, placeholders, combo items, tab titles, column headers, chart
/// titles, axis titles, legend names and bar categories.
QStringList visibleTexts(QWidget *root)
{
    QStringList out;
    const auto add = [&out](const QString &text) {
        if (!text.isEmpty())
            out.append(text);
    };
    QList<QWidget *> widgets = root->findChildren<QWidget *>();
    widgets.prepend(root);
    for (QWidget *widget : std::as_const(widgets)) {
        if (auto *label = qobject_cast<QLabel *>(widget))
            add(label->text());
        else if (auto *button = qobject_cast<QAbstractButton *>(widget))
            add(button->text());
        else if (auto *line = qobject_cast<QLineEdit *>(widget))
            add(line->placeholderText());
        else if (auto *plain = qobject_cast<QPlainTextEdit *>(widget))
            add(plain->placeholderText());
        if (auto *group = qobject_cast<QGroupBox *>(widget))
            add(group->title());
        if (auto *combo = qobject_cast<QComboBox *>(widget)) {
            for (int i = 0; i < combo->count(); ++i)
                add(combo->itemText(i));
        }
        if (auto *tabs = qobject_cast<QTabWidget *>(widget)) {
            for (int i = 0; i < tabs->count(); ++i)
                add(tabs->tabText(i));
        }
        if (auto *view = qobject_cast<QTableView *>(widget); view && view->model()) {
            for (int column = 0; column < view->model()->columnCount(); ++column)
                add(view->model()->headerData(column, Qt::Horizontal).toString());
        }
        if (auto *tree = qobject_cast<QTreeView *>(widget); tree && tree->model() && !tree->isHeaderHidden()) {
            for (int column = 0; column < tree->model()->columnCount(); ++column)
                add(tree->model()->headerData(column, Qt::Horizontal).toString());
        }
        if (auto *chartView = qobject_cast<QChartView *>(widget)) {
            QChart *chart = chartView->chart();
            add(chart->title());
            for (QAbstractAxis *axis : chart->axes()) {
                add(axis->titleText());
                if (auto *categories = qobject_cast<QBarCategoryAxis *>(axis))
                    out.append(categories->categories());
            }
            for (QAbstractSeries *series : chart->series()) {
                add(series->name());
                if (auto *bars = qobject_cast<QBarSeries *>(series)) {
                    for (QBarSet *set : bars->barSets())
                        add(set->label());
                }
            }
        }
    }
    return out;
}

/// Texts with a word of Latin letters: what must not survive a switch to Chinese.
QSet<QString> latinTexts(const QStringList &texts)
{
    static const QRegularExpression word(QStringLiteral("[A-Za-z]{2,}"));
    QSet<QString> out;
    for (const QString &text : texts) {
        if (text.contains(word))
            out.insert(text);
    }
    return out;
}

/// One source string the test expects to see translated, and where.
struct Expected {
    QString dock;
    const char *context;
    const char *source;
    const char *disambiguation = nullptr;
    int n = -1;
};

QString translated(const Expected &e)
{
    return QCoreApplication::translate(e.context, e.source, e.disambiguation, e.n);
}

} // namespace

class TestRetranslate : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void everyDockSwitchesLive();
    void messageFormKeepsItsValuesAcrossASwitch();
    // Not a language test: the Topics view's retained deletion confirmed by the engine
    // (kept here with the other live-engine console test; tst_topicsview uses a fake).
    void topicsDeleteCountIsConfirmedByTheEngine();

private:
    QTemporaryDir m_settingsDir;
};

void TestRetranslate::initTestCase()
{
    // Settings (layout, language) go to a scratch folder, never the user's.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_retranslate"));
    QLocale::setDefault(QLocale(QLocale::English));
    ui::installTranslations(QLocale(QLocale::English));
}

void TestRetranslate::cleanupTestCase()
{
    ui::installTranslations(QLocale(QLocale::English));
    QLocale::setDefault(QLocale(QLocale::English));
}

void TestRetranslate::everyDockSwitchesLive()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(100));
    ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1500, 950);
    window.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;

    // One device: a session with a keep-alive, a subscription, a retained message and a
    // few plain ones, so every dock has rows to translate.
    const QString clientId = QStringLiteral("meter-001");
    RawClient device(ProtocolVersion::V5);
    QVERIFY(device.connectTo(port));
    Connect connect;
    connect.clientId = clientId;
    connect.keepAliveSeconds = 60;
    QVERIFY(device.handshake(connect));
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {{QStringLiteral("devices/meter-001/push"), SubscribeOptions{QoS::AtLeastOnce}}};
    device.send(subscribe);
    QVERIFY(device.waitFor(PacketType::Suback));
    for (int i = 0; i < 4; ++i) {
        Publish publish;
        publish.topic = QStringLiteral("telemetry/meter-001/state");
        publish.payload = QStringLiteral("{\"kwh\": %1}").arg(100 + i).toUtf8();
        publish.retain = i == 3;
        device.send(publish);
    }

    QTRY_COMPARE(window.messages()->model()->rowCount(), 4);
    QTRY_COMPARE(window.sessions()->model()->rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(window.dashboard()->sampleCount() >= 1, 5000);
    QTRY_VERIFY(window.topics()->model()->retainedCount() >= 1);
    emit window.sessions()->sessionActivated(clientId);
    QTRY_VERIFY(window.sessionDetail()->subscriptionsModel()->rowCount() == 1);
    // The retained message opens in the payload inspector.
    auto *messageTable = window.messages()->findChild<QTableView *>();
    QVERIFY(messageTable);
    messageTable->setCurrentIndex(messageTable->model()->index(3, 0));
    QVERIFY(window.messages()->inspector());
    QTRY_COMPARE(window.messages()->inspector()->topic(), QStringLiteral("telemetry/meter-001/state"));
    // A push dialog aimed at the device and the accounts dialog are open during the switch.
    ui::PushDialog *push = window.openPushDialog(clientId);
    ui::AccountsDialog accounts(engine, &window);
    accounts.show();

    // The docks and dialogs under test (docks added later bring their own tests).
    QHash<QString, QWidget *> docks;
    for (const char *name : {"dashboardDock", "messagesDock", "topicsDock", "pushesDock", "sessionDetailDock", "schemasDock"}) {
        auto *dock = window.findChild<QDockWidget *>(QString::fromLatin1(name));
        QVERIFY2(dock && dock->widget(), name);
        docks.insert(QString::fromLatin1(name), dock->widget());
    }
    docks.insert(QStringLiteral("sessions"), window.sessions());
    docks.insert(QStringLiteral("pushDialog"), push);
    docks.insert(QStringLiteral("accountsDialog"), &accounts);

    // Strings that exist in translations/hermes_zh_CN.ts, at least one per kind of text.
    const QList<Expected> expected = {
        // Dashboard: counter captions, chart titles, axis titles, legend names, bar categories.
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "Keep-alive timeouts"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "Subscription quota refusals"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "Messages per second"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "Heartbeat lateness (last inbound packet vs 1.5 × keep-alive)"},
        {QStringLiteral("dashboardDock"), "QObject", "seconds ago"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "msg/s"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "Out"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "overdue"},
        {QStringLiteral("dashboardDock"), "hermes::ui::DashboardView", "Online sessions"},
        // Sessions: headers and filter widgets.
        {QStringLiteral("sessions"), "hermes::ui::SessionTableModel", "Client ID"},
        {QStringLiteral("sessions"), "hermes::ui::SessionTableModel", "Last inbound"},
        {QStringLiteral("sessions"), "hermes::ui::SessionsView", "Filter by client ID, address or user"},
        {QStringLiteral("sessions"), "hermes::ui::SessionsView", "Online"},
        {QStringLiteral("sessions"), "hermes::ui::SessionsView", "Backlog > 0"},
        {QStringLiteral("sessions"), "hermes::ui::SessionsView", "Late heartbeat"},
        // Session detail: fact captions, the timeline bar, NAT presets, tabs and table headers.
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "Keep-alive:"},
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "Heartbeats"},
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "China Telecom (28 min)"},
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "Packet trace"},
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "Will published"},
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "Export…"},
        {QStringLiteral("sessionDetailDock"), "hermes::ui::SessionDetailView", "online"},
        // Pushes: chart, axes, button, headers, summary.
        {QStringLiteral("pushesDock"), "hermes::ui::PushesView", "Arrivals"},
        {QStringLiteral("pushesDock"), "hermes::ui::PushesView", "seconds after send"},
        {QStringLiteral("pushesDock"), "hermes::ui::PushesView", "New push…"},
        {QStringLiteral("pushesDock"), "hermes::ui::PushListModel", "Median latency"},
        {QStringLiteral("pushesDock"), "hermes::ui::PushTargetModel", "Device says"},
        {QStringLiteral("pushesDock"), "hermes::ui::PushesView", "No pushes yet."},
        // Topics.
        {QStringLiteral("topicsDock"), "hermes::ui::TopicsView", "Delete retained…"},
        {QStringLiteral("topicsDock"), "hermes::ui::TopicTreeModel", "Last payload"},
        // Messages and its payload inspector.
        {QStringLiteral("messagesDock"), "hermes::ui::MessagesView", "Pause"},
        {QStringLiteral("messagesDock"), "hermes::ui::MessageLogModel", "Payload"},
        {QStringLiteral("messagesDock"), "hermes::ui::PayloadInspector", "&Decode as:"},
        {QStringLiteral("messagesDock"), "hermes::ui::PayloadInspector", "&Raw wire format"},
        {QStringLiteral("messagesDock"), "hermes::ui::PayloadInspector", "By topic binding"},
        {QStringLiteral("messagesDock"), "hermes::ui::DecodedTreeModel", "Field"},
        // Schemas.
        {QStringLiteral("schemasDock"), "hermes::ui::SchemaManager", "Schema sources"},
        {QStringLiteral("schemasDock"), "hermes::ui::SchemaManager", "Add &descriptor set…"},
        {QStringLiteral("schemasDock"), "hermes::ui::SchemaManager", "Topic bindings (the most specific filter wins)"},
        {QStringLiteral("schemasDock"), "hermes::ui::BindingTableModel", "Message type"},
        {QStringLiteral("schemasDock"), "hermes::ui::SchemaManager", "Problems: none"},
        // The composer and the accounts dialog.
        {QStringLiteral("pushDialog"), "hermes::ui::PushDialog", "Delivery"},
        {QStringLiteral("pushDialog"), "hermes::ui::PushDialog", "Time to live:"},
        {QStringLiteral("pushDialog"), "hermes::ui::PushDialog", "Tag expression"},
        {QStringLiteral("pushDialog"), "hermes::ui::PushDialog", "Hermes envelope (sequence number, signature, receipt)"},
        {QStringLiteral("pushDialog"), "hermes::ui::PushDialog", "What each device receives:"},
        {QStringLiteral("accountsDialog"), "hermes::ui::AccountsDialog", "Save account"},
        {QStringLiteral("accountsDialog"), "hermes::ui::AccountsDialog", "User name:"},
        {QStringLiteral("accountsDialog"), "hermes::ui::AccountsDialog", "Defined in"},
    };
    // Data cells whose words are translated.
    const QModelIndex stateCell = window.sessions()->model()->index(0, ui::SessionTableModel::State);
    const QModelIndex retainedCell = window.messages()->model()->index(3, ui::MessageLogModel::Retain);
    const auto checkData = [&](const char *language) {
        QCOMPARE(stateCell.data().toString(), QCoreApplication::translate("hermes::ui::SessionTableModel", "online"));
        QCOMPARE(retainedCell.data().toString(), QCoreApplication::translate("hermes::ui::MessageLogModel", "yes"));
        QCOMPARE(push->windowTitle(), QCoreApplication::translate("hermes::ui::PushDialog", "Push to %1").arg(clientId));
        QCOMPARE(accounts.windowTitle(), QCoreApplication::translate("hermes::ui::AccountsDialog", "Accounts"));
        QVERIFY2(window.sessionDetail()->tabs()->tabText(2).startsWith(
                     QCoreApplication::translate("hermes::ui::SessionDetailView", "Subscriptions (%1)").arg(1)),
                 language);
    };

    // English first: every expected text is there as written.
    QHash<QString, QSet<QString>> english;
    for (auto it = docks.cbegin(); it != docks.cend(); ++it)
        english.insert(it.key(), latinTexts(visibleTexts(it.value())));
    for (const Expected &e : expected)
        QVERIFY2(visibleTexts(docks.value(e.dock)).contains(QString::fromUtf8(e.source)), e.source);
    checkData("en");

    // 中文, through the language menu.
    auto *chinese = window.findChild<QAction *>(QStringLiteral("language_zh_CN"));
    QVERIFY(chinese);
    chinese->trigger();
    QCOMPARE(ui::MainWindow::languageSetting(), QStringLiteral("zh_CN"));
    QTRY_COMPARE(visibleTexts(docks.value(QStringLiteral("pushesDock"))).contains(
                     QCoreApplication::translate("hermes::ui::PushesView", "Arrivals")),
                 true);
    for (const Expected &e : expected) {
        const QString zh = translated(e);
        QVERIFY2(zh != QString::fromUtf8(e.source), qPrintable(QStringLiteral("no translation for ") + e.source));
        QVERIFY2(visibleTexts(docks.value(e.dock)).contains(zh),
                 qPrintable(QStringLiteral("%1: “%2” not shown as “%3”").arg(e.dock, QString::fromUtf8(e.source), zh)));
    }
    checkData("zh_CN");
    // No English text of a dock survives the switch; what stays is data (the client ID,
    // topics, payloads) or words written the same in Chinese (QoS, JSON).
    auto *address = window.sessionDetail()->findChild<QLabel *>(QStringLiteral("detailAddress"));
    QVERIFY(address);
    const QSet<QString> sameInChinese = {
        clientId,
        address->text(), // "127.0.0.1:45840 · MQTT 5.0"
        QStringLiteral("devices/meter-001/push"),
        QStringLiteral("telemetry/meter-001/state"),
        QStringLiteral("{\"kwh\": 103}"),
        QStringLiteral("QoS"),
        QStringLiteral("&JSON"),
        QStringLiteral("JSON"),
        QStringLiteral("DUP"),
        QStringLiteral("Protobuf"),
    };
    for (auto it = docks.cbegin(); it != docks.cend(); ++it) {
        QSet<QString> left = english.value(it.key()) & latinTexts(visibleTexts(it.value()));
        left -= sameInChinese;
        QStringList list(left.cbegin(), left.cend());
        list.sort();
        QVERIFY2(left.isEmpty(), qPrintable(QStringLiteral("%1 still shows: %2").arg(it.key(), list.join(QStringLiteral(" | ")))));
    }

    // The screenshots, one per group of tabbed docks, once the charts have laid out their
    // new titles (posted layout requests).
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    window.findChild<QDockWidget *>(QStringLiteral("dashboardDock"))->raise();
    window.findChild<QDockWidget *>(QStringLiteral("sessionDetailDock"))->raise();
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("retranslate-live-zh_CN.png"))));
    window.findChild<QDockWidget *>(QStringLiteral("messagesDock"))->raise();
    window.findChild<QDockWidget *>(QStringLiteral("schemasDock"))->raise();
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("retranslate-live-zh_CN-messages-schemas.png"))));
    window.findChild<QDockWidget *>(QStringLiteral("pushesDock"))->raise();
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("retranslate-live-zh_CN-pushes.png"))));
    window.findChild<QDockWidget *>(QStringLiteral("topicsDock"))->raise();
    QVERIFY(window.grab().save(screenshotPath(QStringLiteral("retranslate-live-zh_CN-topics.png"))));
    QVERIFY(push->grab().save(screenshotPath(QStringLiteral("retranslate-live-zh_CN-push-dialog.png"))));
    QVERIFY(accounts.grab().save(screenshotPath(QStringLiteral("retranslate-live-zh_CN-accounts.png"))));

    // And back to English, again through the menu.
    window.findChild<QAction *>(QStringLiteral("language_en"))->trigger();
    QTRY_COMPARE(visibleTexts(docks.value(QStringLiteral("pushesDock"))).contains(QStringLiteral("Arrivals")), true);
    for (const Expected &e : expected) {
        QVERIFY2(visibleTexts(docks.value(e.dock)).contains(QString::fromUtf8(e.source)),
                 qPrintable(QStringLiteral("%1: “%2” not back").arg(e.dock, QString::fromUtf8(e.source))));
    }
    checkData("en again");
    // Every English text is back, except counts that moved on meanwhile ("2 topics · 1 retained").
    static const QRegularExpression digit(QStringLiteral("[0-9]"));
    for (auto it = docks.cbegin(); it != docks.cend(); ++it) {
        const QSet<QString> now = latinTexts(visibleTexts(it.value()));
        QSet<QString> missing = english.value(it.key()) - now;
        missing.removeIf([](const QString &text) { return text.contains(digit); });
        QStringList list(missing.cbegin(), missing.cend());
        list.sort();
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("%1 lost: %2").arg(it.key(), list.join(QStringLiteral(" | ")))));
    }
    push->close();
}

void TestRetranslate::messageFormKeepsItsValuesAcrossASwitch()
{
    // The form's editors write their texts when they are built, so a switch builds them
    // again: the values typed so far must survive it.
    ui::SchemaLibrary library{QString()};
    QVERIFY(library.addSource({ui::SchemaSource::Kind::ProtoDirectory,
                               QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto")}));
    ui::MessageForm form(&library);
    form.resize(600, 800);
    form.show();
    QVERIFY(form.setMessageType(QStringLiteral("hermes.test.Telemetry")));
    QString error;
    QVERIFY2(form.setJson(QStringLiteral(R"({"deviceId":"pump-7","sequence":"42","readings":[{"sensorId":"t1","value":21.5}],)"
                                         R"("counters":{"boots":3},"text":"hello","severity":"SEVERITY_ALERT"})"),
                          &error),
             qPrintable(error));
    const QString values = form.json();
    QVERIFY(values.contains(QStringLiteral("pump-7")));
    const auto hasButton = [&form](const QString &text) {
        const QList<QPushButton *> buttons = form.findChildren<QPushButton *>();
        return std::any_of(buttons.cbegin(), buttons.cend(), [&text](const QPushButton *b) { return b->text() == text; });
    };
    QVERIFY(hasButton(QStringLiteral("Add item")));

    QVERIFY(ui::installTranslations(QLocale(QStringLiteral("zh_CN"))));
    const QString addItem = QCoreApplication::translate("hermes::ui::MessageForm", "Add item");
    QVERIFY(addItem != QLatin1String("Add item"));
    QTRY_VERIFY(hasButton(addItem));
    QVERIFY(!hasButton(QStringLiteral("Add item")));
    QCOMPARE(form.json(), values);

    ui::installTranslations(QLocale(QLocale::English));
    QTRY_VERIFY(hasButton(QStringLiteral("Add item")));
    QCOMPARE(form.json(), values);
}

void TestRetranslate::topicsDeleteCountIsConfirmedByTheEngine()
{
    LocalEngine engine(test::loopbackConfig());
    ui::TopicsView view(engine);
    view.setConfirmDeletes(false);
    view.show();
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    RawClient publisher;
    QVERIFY(publisher.connectTo(port));
    Connect connect;
    connect.clientId = QStringLiteral("lamp-controller");
    QVERIFY(publisher.handshake(connect));
    const auto publishRetained = [&publisher](int count) {
        for (int i = 0; i < count; ++i) {
            Publish publish;
            publish.topic = QStringLiteral("lamps/%1/state").arg(i);
            publish.payload = "on";
            publish.retain = true;
            publish.qos = QoS::AtLeastOnce;
            publish.packetId = quint16(i + 1);
            publisher.send(publish);
            QVERIFY(publisher.waitFor(PacketType::Puback));
        }
    };
    // The view also learns "retained" from the messages themselves, which come in telemetry
    // batches: every publish must have arrived that way before a delete, or a late batch
    // would mark the deleted topics retained again.
    int messagesSeen = 0;
    QObject::connect(&engine, &EngineMonitor::telemetry, &view,
            [&messagesSeen](const TelemetryBatch &batch) { messagesSeen += int(batch.messages.size()); });
    auto *status = view.findChild<QLabel *>(QStringLiteral("topicsStatus"));
    QVERIFY(status);

    // Three retained messages deleted: the engine's list, asked for after the last batch,
    // confirms all three and the status says so.
    publishRetained(3);
    QTRY_COMPARE(messagesSeen, 3);
    view.refreshRetained();
    QTRY_COMPARE(view.model()->retainedCount(), 3);
    QSignalSpy confirmed(&view, &ui::TopicsView::deleteConfirmed);
    QCOMPARE(view.deleteRetainedUnder(view.model()->indexOfTopic(QStringLiteral("lamps"))), 3);
    QVERIFY(confirmed.wait(5000));
    QCOMPARE(confirmed.at(0).at(0).toInt(), 3);
    QCOMPARE(confirmed.at(0).at(1).toInt(), 0);
    QVERIFY2(status->text().endsWith(QStringLiteral("3 retained messages deleted")), qPrintable(status->text()));
    QTRY_COMPARE(view.model()->retainedCount(), 0);

    // A list in which one of the deleted topics is retained again (a publisher was faster
    // than the confirmation): two deleted, one retained again.
    publishRetained(3);
    QTRY_COMPARE(messagesSeen, 6);
    view.refreshRetained();
    QTRY_COMPARE(view.model()->retainedCount(), 3);
    confirmed.clear();
    QSignalSpy lists(&engine, &EngineMonitor::retainedMessages);
    QCOMPARE(view.deleteRetainedUnder(view.model()->indexOfTopic(QStringLiteral("lamps"))), 3);
    MessageRecord again;
    again.topic = QStringLiteral("lamps/1/state");
    again.payload = "off";
    again.retain = true;
    emit engine.retainedMessages({again}); // before the engine's own answer
    QCOMPARE(confirmed.size(), 1);
    QCOMPARE(confirmed.at(0).at(0).toInt(), 2);
    QCOMPARE(confirmed.at(0).at(1).toInt(), 1);
    QVERIFY2(status->text().contains(QStringLiteral("2 retained messages deleted; 1 retained again since")),
             qPrintable(status->text()));
    // The engine's own answer comes next and confirms nothing twice.
    QTRY_COMPARE(lists.size(), 2);
    QCOMPARE(confirmed.size(), 1);
    QTRY_COMPARE(view.model()->retainedCount(), 0);
}

HERMES_TEST_MAIN(TestRetranslate)
#include "tst_retranslate.moc"
