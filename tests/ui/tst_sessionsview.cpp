// Sessions view, its model and proxy, the session detail view and the heartbeat timeline,
// driven by a fake EngineMonitor that emits telemetry directly.

#include "../common/testmain.h"
#include "heartbeattimeline.h"
#include "sessiondetailview.h"
#include "sessionsview.h"
#include "sessiontablemodel.h"
#include "translations.h"

#include "engine/api/monitor.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>

#include <numeric>

using namespace hermes;
using hermes::ui::DetailTableModel;
using hermes::ui::SessionTableModel;
using mqtt::CloseReason;
using mqtt::PacketType;

namespace {

/// Records what the views ask of the engine; telemetry and details are emitted by the test.
class FakeMonitor : public EngineMonitor
{
    Q_OBJECT
public:
    using EngineMonitor::EngineMonitor;
    EngineFeatures features() const override { return featureSet; }
    void start() override { m_running = true; }
    void stop() override { m_running = false; }
    bool isRunning() const override { return m_running; }
    void requestSessionDetail(const QString &clientId) override { detailRequests.append(clientId); }
    void watchSession(const QString &clientId) override { watchRequests.append(clientId); }
    void kick(const QString &clientId) override { kicked.append(clientId); }
    void publish(const mqtt::Publish &message) override { published.append(message); }
    void deleteRetained(const QString &) override {}
    void sendPush(const PushRequest &) override {}
    void requestAudience(const PushTarget &) override {}
    void requestDevices() override {}
    void requestRetained() override {}
    bool setListenAddresses(const QList<ListenAddress> &) override { return false; }
    QList<ListenAddress> configuredListenAddresses() const override { return {}; }

    EngineFeatures featureSet = ~EngineFeatures(); ///< every feature, as the embedded broker has
    QStringList detailRequests;
    QStringList watchRequests; ///< "" ends the watch
    QStringList kicked;
    QList<mqtt::Publish> published;

private:
    bool m_running = false;
};

constexpr qint64 Now = 1'790'000'000'000; // a fixed engine clock for model tests

SessionInfo session(const QString &id, bool online = true, int keepAlive = 30, qint64 silentMs = 5'000)
{
    SessionInfo s;
    s.clientId = id;
    s.online = online;
    s.address = QStringLiteral("10.0.0.%1:5%2").arg(qHash(id) % 250 + 1).arg(qHash(id) % 9000 + 1000);
    s.keepAliveSeconds = quint16(keepAlive);
    s.lastInboundMs = Now - silentMs;
    if (online)
        s.connectedSinceMs = Now - 3'600'000;
    else
        s.offlineSinceMs = Now - 600'000;
    return s;
}

TelemetryBatch fullBatch(const QList<SessionInfo> &sessions, qint64 atMs = Now)
{
    TelemetryBatch batch;
    batch.atMs = atMs;
    batch.full = true;
    batch.changedSessions = sessions;
    return batch;
}

TelemetryBatch deltaBatch(const QList<SessionInfo> &changed, const QStringList &removed = {}, qint64 atMs = Now)
{
    TelemetryBatch batch;
    batch.atMs = atMs;
    batch.changedSessions = changed;
    batch.removedSessions = removed;
    return batch;
}

QStringList clientIds(const SessionTableModel &model)
{
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.session(row).clientId);
    return ids;
}

/// Client IDs in the proxy's (view's) order.
QStringList shownIds(const QAbstractItemModel &proxy)
{
    QStringList ids;
    for (int row = 0; row < proxy.rowCount(); ++row)
        ids.append(proxy.index(row, 0).data(SessionTableModel::ClientIdRole).toString());
    return ids;
}

QList<SessionInfo> numbered(int count, const QString &prefix = QStringLiteral("dev-"))
{
    QList<SessionInfo> list;
    list.reserve(count);
    for (int i = 0; i < count; ++i)
        list.append(session(prefix + QString::number(i).rightJustified(5, QLatin1Char('0'))));
    return list;
}

/// The index hash must agree with the rows after every batch.
bool indexConsistent(const SessionTableModel &model)
{
    for (int row = 0; row < model.rowCount(); ++row)
        if (model.rowOf(model.session(row).clientId) != row)
            return false;
    return true;
}

} // namespace

class TestSessionsView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();

    void fullBatchReplacesEverything();
    void incrementalUpsertAndRemove_data();
    void incrementalUpsertAndRemove();
    void updatesEmitContiguousRanges();
    void moreThanHalfChangedIsOneSignal();
    void setNowRefreshesAgeColumnOnly();
    void latenessRole_data();
    void latenessRole();
    void displayTexts();
    void sortsNumericColumnsNumerically_data();
    void sortsNumericColumnsNumerically();
    void sortsTextColumnsAsTheLocaleDoes_data();
    void sortsTextColumnsAsTheLocaleDoes();
    void filters_data();
    void filters();

    void viewFiltersDrivenByWidgets();
    void viewContextActions();
    void selectionDrivesDetailAndMultiPush();
    void detailToolbarPushesAndKicks();
    void viewFollowsTelemetry();
    void tenThousandSessions();
    void clusterSessionsShowNodeAndNotExposedCells();

    void detailViewRequestsAndShows();
    void detailViewExportsTrace();
    void detailViewSaysWhatAClusterCannotShow();
    void timelineZoomPanFit();

    void screenshots();

private:
    QString outputPath(const QString &name) const;
    static QList<SessionInfo> realisticSessions(int count, qint64 now);
    static SessionDetail realisticDetail(qint64 now);
};

void TestSessionsView::initTestCase()
{
    QDir().mkpath(QFileInfo(outputPath(QStringLiteral("x"))).absolutePath());
}

QString TestSessionsView::outputPath(const QString &name) const
{
    QString base = qEnvironmentVariable("HERMES_TEST_OUTPUT");
    if (base.isEmpty())
        base = QDir::tempPath() + QStringLiteral("/hermes-test-output");
    return base + QStringLiteral("/screenshots/") + name;
}

// ------------------------------------------------------------------ model

void TestSessionsView::fullBatchReplacesEverything()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setNow(Now);

    model.applyBatch(fullBatch({session("a"), session("b", false), session("c")}));
    QCOMPARE(clientIds(model), (QStringList{"a", "b", "c"}));
    QCOMPARE(model.onlineCount(), 2);
    QCOMPARE(model.columnCount(), int(SessionTableModel::ColumnCount));

    // A second full batch (engine restarted): rows not in it are gone, duplicates collapse.
    SessionInfo dOffline = session("d", false);
    SessionInfo dOnline = session("d", true);
    model.applyBatch(fullBatch({session("x"), dOffline, dOnline}));
    QCOMPARE(clientIds(model), (QStringList{"x", "d"}));
    QCOMPARE(model.onlineCount(), 2);
    QCOMPARE(model.rowOf("a"), -1);
    QVERIFY(indexConsistent(model));

    model.applyBatch(fullBatch({}));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.onlineCount(), 0);
}

void TestSessionsView::incrementalUpsertAndRemove_data()
{
    QTest::addColumn<QStringList>("initial");
    QTest::addColumn<QStringList>("changed");
    QTest::addColumn<QStringList>("removed");
    QTest::addColumn<QStringList>("expected");

    const QStringList six{"s0", "s1", "s2", "s3", "s4", "s5"};
    QTest::newRow("update in place keeps order") << six << QStringList{"s3", "s1"} << QStringList{} << six;
    QTest::newRow("new sessions appended in batch order")
        << six << QStringList{"n1", "s2", "n0"} << QStringList{} << (six + QStringList{"n1", "n0"});
    QTest::newRow("remove first") << six << QStringList{} << QStringList{"s0"}
                                  << QStringList{"s1", "s2", "s3", "s4", "s5"};
    QTest::newRow("remove last") << six << QStringList{} << QStringList{"s5"}
                                 << QStringList{"s0", "s1", "s2", "s3", "s4"};
    QTest::newRow("remove three non-adjacent") << six << QStringList{} << QStringList{"s4", "s0", "s2"}
                                               << QStringList{"s1", "s3", "s5"};
    QTest::newRow("remove an adjacent pair and a single") << six << QStringList{} << QStringList{"s2", "s5", "s3"}
                                                          << QStringList{"s0", "s1", "s4"};
    QTest::newRow("remove all") << six << QStringList{} << six << QStringList{};
    QTest::newRow("unknown and repeated removals ignored")
        << six << QStringList{} << QStringList{"zz", "s1", "s1"} << QStringList{"s0", "s2", "s3", "s4", "s5"};
    QTest::newRow("ended and started again in one batch is kept")
        << six << QStringList{"s2"} << QStringList{"s2", "s4"} << QStringList{"s0", "s1", "s3", "s5", "s2"};
    QTest::newRow("same new session twice in one batch is one row")
        << six << QStringList{"n", "n"} << QStringList{} << (six + QStringList{"n"});
    QTest::newRow("remove, update and add together")
        << six << QStringList{"s5", "n"} << QStringList{"s1", "s3"} << QStringList{"s0", "s2", "s4", "s5", "n"};
}

void TestSessionsView::incrementalUpsertAndRemove()
{
    QFETCH(QStringList, initial);
    QFETCH(QStringList, changed);
    QFETCH(QStringList, removed);
    QFETCH(QStringList, expected);

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setNow(Now);
    QList<SessionInfo> sessions;
    for (const QString &id : initial)
        sessions.append(session(id, true));
    model.applyBatch(fullBatch(sessions));

    QList<SessionInfo> updates;
    for (const QString &id : changed) {
        SessionInfo s = session(id, false); // every update goes offline: visible in the data
        s.messagesIn = 42;
        updates.append(s);
    }
    model.applyBatch(deltaBatch(updates, removed));

    QCOMPARE(clientIds(model), expected);
    QVERIFY(indexConsistent(model));
    int online = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        const SessionInfo &s = model.session(row);
        online += s.online;
        QCOMPARE(s.online, !changed.contains(s.clientId));
        QCOMPARE(model.index(row, SessionTableModel::MessagesIn).data(SessionTableModel::SortValueRole).toULongLong(),
                 changed.contains(s.clientId) ? 42ULL : 0ULL);
    }
    QCOMPARE(model.onlineCount(), online);
}

void TestSessionsView::updatesEmitContiguousRanges()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyBatch(fullBatch(numbered(20)));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    // Rows 1, 2, 3 and 7 change (4 of 17 after the removals): two ranges, [1,3] and [7,7].
    const QList<SessionInfo> all = numbered(20);
    model.applyBatch(deltaBatch({all[7], all[2], all[1], all[3], session("new-a"), session("new-b")},
                                {"dev-00005", "dev-00009", "dev-00008"}));
    // Removals [8,9] and [5,5], bottom up so the first range's rows stay valid.
    QCOMPARE(removed.size(), 2);
    QCOMPARE(removed.at(0).at(1).toInt(), 8);
    QCOMPARE(removed.at(0).at(2).toInt(), 9);
    QCOMPARE(removed.at(1).at(1).toInt(), 5);
    QCOMPARE(removed.at(1).at(2).toInt(), 5);
    // Row 7 became row 6 after the removal of row 5.
    QCOMPARE(changed.size(), 2);
    const auto range = [&](int i) {
        const auto topLeft = changed.at(i).at(0).value<QModelIndex>();
        const auto bottomRight = changed.at(i).at(1).value<QModelIndex>();
        return QList<int>{topLeft.row(), bottomRight.row(), topLeft.column(), bottomRight.column()};
    };
    QCOMPARE(range(0), (QList<int>{1, 3, 0, SessionTableModel::ColumnCount - 1}));
    QCOMPARE(range(1), (QList<int>{6, 6, 0, SessionTableModel::ColumnCount - 1}));
    // New sessions: one insert block at the end.
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 17);
    QCOMPARE(inserted.at(0).at(2).toInt(), 18);
    QCOMPARE(model.rowCount(), 19);
    QVERIFY(indexConsistent(model));
}

void TestSessionsView::moreThanHalfChangedIsOneSignal()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QList<SessionInfo> all = numbered(10);
    model.applyBatch(fullBatch(all));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    // 6 of 10 scattered rows: one signal over every row and column.
    model.applyBatch(deltaBatch({all[0], all[2], all[4], all[6], all[8], all[9]}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(0, 0));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(9, SessionTableModel::ColumnCount - 1));

    // Exactly half (5 of 10, all scattered) stays row-wise: five signals.
    changed.clear();
    model.applyBatch(deltaBatch({all[0], all[2], all[4], all[6], all[8]}));
    QCOMPARE(changed.size(), 5);

    // Fewer than half but scattered into more than MaxChangedRanges ranges: one signal
    // over their span.
    const QList<SessionInfo> many = numbered(200);
    model.applyBatch(fullBatch(many));
    changed.clear();
    QList<SessionInfo> everyFifth;
    for (int row = 3; row < 200; row += 5)
        everyFifth.append(many[row]); // 40 ranges, rows 3..198
    QVERIFY(everyFifth.size() > SessionTableModel::MaxChangedRanges);
    model.applyBatch(deltaBatch(everyFifth));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(3, 0));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(198, SessionTableModel::ColumnCount - 1));
}

void TestSessionsView::setNowRefreshesAgeColumnOnly()
{
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyBatch(fullBatch(numbered(4)));
    model.setNow(Now);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.setNow(Now + 1000);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(0, SessionTableModel::LastInbound));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(3, SessionTableModel::LastInbound));
    QCOMPARE(model.index(0, SessionTableModel::LastInbound).data().toString(), QStringLiteral("6 s"));

    model.setNow(Now + 1000); // same instant: nothing to say
    QCOMPARE(changed.size(), 1);
}

void TestSessionsView::latenessRole_data()
{
    QTest::addColumn<bool>("online");
    QTest::addColumn<int>("keepAlive");
    QTest::addColumn<qint64>("silentMs");
    QTest::addColumn<double>("lateness"); // < 0: no value
    QTest::addColumn<QColor>("color");

    const QColor green = ui::LatenessDelegate::colorFor(0.0);
    const QColor amber = ui::LatenessDelegate::colorFor(0.8);
    const QColor red = ui::LatenessDelegate::colorFor(1.0);
    QVERIFY(green != amber && amber != red && green != red);
    // [MQTT-3.1.2-24]: the server closes after 1.5 T without a packet; T = 30 s -> 45 s.
    QTest::newRow("just heard from") << true << 30 << qint64(0) << 0.0 << green;
    QTest::newRow("20 s of 45: within T") << true << 30 << qint64(20'000) << 20.0 / 45 << green;
    QTest::newRow("exactly T is not late yet") << true << 30 << qint64(29'999) << 29.999 / 45 << green;
    QTest::newRow("40 s: past T, amber") << true << 30 << qint64(40'000) << 40.0 / 45 << amber;
    QTest::newRow("45 s: deadline reached, red") << true << 30 << qint64(45'000) << 1.0 << red;
    QTest::newRow("90 s: twice the deadline") << true << 30 << qint64(90'000) << 2.0 << red;
    QTest::newRow("keep-alive 0: no deadline [MQTT-3.1.2-22]") << true << 0 << qint64(90'000) << -1.0 << QColor();
    QTest::newRow("offline: no deadline") << false << 30 << qint64(90'000) << -1.0 << QColor();
}

void TestSessionsView::latenessRole()
{
    QFETCH(bool, online);
    QFETCH(int, keepAlive);
    QFETCH(qint64, silentMs);
    QFETCH(double, lateness);
    QFETCH(QColor, color);

    SessionTableModel model;
    model.setNow(Now);
    model.applyBatch(fullBatch({session("dev", online, keepAlive, silentMs)}));
    const QVariant value = model.index(0, SessionTableModel::LastInbound).data(SessionTableModel::LatenessRole);
    QCOMPARE(model.index(0, SessionTableModel::ClientId).data(SessionTableModel::LatenessRole), QVariant());
    if (lateness < 0) {
        QVERIFY(!value.isValid());
        return;
    }
    QVERIFY(value.isValid());
    QVERIFY(qAbs(value.toDouble() - lateness) < 1e-9);
    QCOMPARE(ui::LatenessDelegate::colorFor(value.toDouble()), color);
}

void TestSessionsView::displayTexts()
{
    SessionTableModel model;
    model.setNow(Now);
    SessionInfo s = session("dev", true, 60, 12'000);
    s.version = mqtt::ProtocolVersion::V5;
    s.inflight = 3;
    s.inflightHighWater = 12;
    s.queued = 7;
    s.queuedHighWater = 7;
    s.messagesIn = 1234567;
    s.lastClose = CloseInfo{CloseReason::ProtocolError, mqtt::ReasonCode::MalformedPacket, QStringLiteral("bad"), Now - 5000, false};
    model.applyBatch(fullBatch({s, session("gone", false)}));
    const auto text = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(0, SessionTableModel::State), QStringLiteral("online"));
    QCOMPARE(text(1, SessionTableModel::State), QStringLiteral("offline"));
    QCOMPARE(text(0, SessionTableModel::Version), QStringLiteral("5.0"));
    QCOMPARE(text(0, SessionTableModel::KeepAlive), QStringLiteral("60 s"));
    QCOMPARE(text(0, SessionTableModel::LastInbound), QStringLiteral("12 s"));
    QCOMPARE(text(0, SessionTableModel::Inflight), QStringLiteral("3 (max 12)"));
    QCOMPARE(text(0, SessionTableModel::Queued), QStringLiteral("7")); // at its high-water mark
    QCOMPARE(text(0, SessionTableModel::MessagesIn), QLocale().toString(1234567ULL));
    QCOMPARE(text(0, SessionTableModel::LastClose), QStringLiteral("protocol error (0x81)"));
    QCOMPARE(model.index(0, SessionTableModel::Inflight).data(SessionTableModel::SortValueRole).toInt(), 3);
    QCOMPARE(model.index(0, SessionTableModel::Queued).data(SessionTableModel::BacklogRole).toInt(), 10);
    QCOMPARE(model.headerData(SessionTableModel::LastInbound, Qt::Horizontal, Qt::DisplayRole).toString(),
             QStringLiteral("Last inbound"));
    QCOMPARE(SessionTableModel::ageText(3'600'000), QStringLiteral("60 min"));
    QCOMPARE(SessionTableModel::ageText(3 * 86'400'000LL), QStringLiteral("3 d"));
}

void TestSessionsView::sortsNumericColumnsNumerically_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QStringList>("ascending");

    // Values whose text sorts differently from their numbers: 9 < 10 < 100.
    QTest::newRow("in-flight 9, 10, 100") << int(SessionTableModel::Inflight) << QStringList{"a", "b", "c"};
    QTest::newRow("messages in") << int(SessionTableModel::MessagesIn) << QStringList{"c", "a", "b"};
    QTest::newRow("keep-alive 5 s, 60 s, 300 s") << int(SessionTableModel::KeepAlive) << QStringList{"b", "c", "a"};
    // Lateness: c 9 s of 90 s, a 100 s of 450 s, b 10 s of 7.5 s.
    QTest::newRow("last inbound by lateness, not by age") << int(SessionTableModel::LastInbound)
                                                          << QStringList{"c", "a", "b"};
    QTest::newRow("client ID text") << int(SessionTableModel::ClientId) << QStringList{"a", "b", "c"};
}

void TestSessionsView::sortsNumericColumnsNumerically()
{
    QFETCH(int, column);
    QFETCH(QStringList, ascending);

    SessionTableModel model;
    model.setNow(Now);
    ui::SessionFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SessionInfo a = session("a", true, 300, 100'000);
    SessionInfo b = session("b", true, 5, 10'000);
    SessionInfo c = session("c", true, 60, 9'000);
    a.inflight = 9; b.inflight = 10; c.inflight = 100;
    a.messagesIn = 20; b.messagesIn = 1000; c.messagesIn = 3;
    model.applyBatch(fullBatch({b, c, a}));
    proxy.sort(column, Qt::AscendingOrder);
    QCOMPARE(shownIds(proxy), ascending);
    proxy.sort(column, Qt::DescendingOrder);
    std::reverse(ascending.begin(), ascending.end());
    QCOMPARE(shownIds(proxy), ascending);
}

void TestSessionsView::sortsTextColumnsAsTheLocaleDoes_data()
{
    QTest::addColumn<int>("column");
    QTest::newRow("client ID") << int(SessionTableModel::ClientId);
    QTest::newRow("address") << int(SessionTableModel::Address);
}

void TestSessionsView::sortsTextColumnsAsTheLocaleDoes()
{
    QFETCH(int, column);
    SessionTableModel model;
    model.setNow(Now);
    ui::SessionFilterProxy proxy;
    proxy.setSourceModel(&model);
    // The order QSortFilterProxyModel gives from the sort values, which the proxy's own
    // comparison of the structs must keep.
    QSortFilterProxyModel generic;
    generic.setSortRole(SessionTableModel::SortValueRole);
    generic.setSortLocaleAware(true);
    generic.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<SessionInfo> sessions;
    for (const char *id : {"dev-10", "Dev-9", "dev-b", "dev-A", "设备-1", "dev-1", "Ärger", "zeta", "a b", "a-b"})
        sessions.append(session(QString::fromUtf8(id), true, 60, 1'000));
    sessions[3].address = QStringLiteral("[::1]:1883");
    model.applyBatch(fullBatch(sessions));
    for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        proxy.sort(column, order);
        generic.sort(column, order);
        QStringList expected;
        for (int row = 0; row < generic.rowCount(); ++row)
            expected.append(generic.index(row, SessionTableModel::ClientId).data().toString());
        QCOMPARE(expected.size(), sessions.size());
        QCOMPARE(shownIds(proxy), expected);
    }
}

void TestSessionsView::filters_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("state");
    QTest::addColumn<bool>("backlog");
    QTest::addColumn<bool>("late");
    QTest::addColumn<QStringList>("shown");

    using State = ui::SessionFilterProxy::StateFilter;
    QTest::newRow("no filter") << QString() << int(State::All) << false << false
                               << QStringList{"meter-1", "meter-2", "gw-bj", "gw-sh", "meter-3"};
    QTest::newRow("text matches client ID, any case") << "METER" << int(State::All) << false << false
                                                      << QStringList{"meter-1", "meter-2", "meter-3"};
    QTest::newRow("text matches address") << "192.168.7." << int(State::All) << false << false
                                          << QStringList{"gw-sh"};
    QTest::newRow("text matches user name") << "alice" << int(State::All) << false << false
                                            << QStringList{"meter-2"};
    QTest::newRow("online only") << QString() << int(State::Online) << false << false
                                 << QStringList{"meter-1", "meter-2", "gw-sh", "meter-3"};
    QTest::newRow("offline only") << QString() << int(State::Offline) << false << false << QStringList{"gw-bj"};
    QTest::newRow("backlog > 0 (in-flight or queued)") << QString() << int(State::All) << true << false
                                                       << QStringList{"meter-2", "gw-bj"};
    QTest::newRow("late heartbeat: silent past T") << QString() << int(State::All) << false << true
                                                   << QStringList{"gw-sh", "meter-3"};
    QTest::newRow("late and text") << "gw" << int(State::All) << false << true << QStringList{"gw-sh"};
    QTest::newRow("backlog and online") << QString() << int(State::Online) << true << false
                                        << QStringList{"meter-2"};
}

void TestSessionsView::filters()
{
    QFETCH(QString, text);
    QFETCH(int, state);
    QFETCH(bool, backlog);
    QFETCH(bool, late);
    QFETCH(QStringList, shown);

    SessionTableModel model;
    model.setNow(Now);
    ui::SessionFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SessionInfo m1 = session("meter-1", true, 30, 10'000);
    SessionInfo m2 = session("meter-2", true, 30, 29'000); // just within T
    m2.userName = QStringLiteral("Alice");
    m2.queued = 4;
    SessionInfo bj = session("gw-bj", false, 30, 500'000); // offline: never "late"
    bj.inflight = 1;
    SessionInfo sh = session("gw-sh", true, 60, 61'000); // past T
    sh.address = QStringLiteral("192.168.7.20:40112");
    SessionInfo m3 = session("meter-3", true, 30, 50'000); // past 1.5 T
    model.applyBatch(fullBatch({m1, m2, bj, sh, m3}));

    proxy.setText(text);
    proxy.setStateFilter(ui::SessionFilterProxy::StateFilter(state));
    proxy.setBacklogOnly(backlog);
    proxy.setLateOnly(late);
    QCOMPARE(shownIds(proxy), shown);
    QCOMPARE(proxy.isFiltering(), !text.isEmpty() || state != 0 || backlog || late);

    // Filters follow the data: meter-1 goes quiet past T, and meter-2's backlog drains.
    m1.lastInboundMs = Now - 40'000;
    m2.queued = 0;
    model.applyBatch(deltaBatch({m1, m2}));
    if (late)
        QCOMPARE(proxy.mapFromSource(model.index(0, 0)).isValid(),
                 text.isEmpty() || QStringLiteral("meter-1").contains(text, Qt::CaseInsensitive));
    if (backlog)
        QVERIFY(!proxy.mapFromSource(model.index(1, 0)).isValid());
}

// ------------------------------------------------------------------ view

void TestSessionsView::viewFiltersDrivenByWidgets()
{
    FakeMonitor monitor;
    ui::SessionsView view(monitor);
    view.resize(1200, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QAbstractItemModelTester tester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<SessionInfo> sessions;
    for (int i = 0; i < 6; ++i) {
        SessionInfo s = session(QStringLiteral("meter-%1").arg(i), i != 5, 30, 1'000);
        s.lastInboundMs = now - (i == 4 ? 40'000 : 1'000); // meter-4 is late
        s.queued = i == 2 ? 3 : 0;
        sessions.append(s);
    }
    sessions.append(session(QStringLiteral("gateway-bj")));
    sessions.last().lastInboundMs = now;
    emit monitor.telemetry(fullBatch(sessions, now));
    QCOMPARE(view.proxy()->rowCount(), 7);
    auto *count = view.findChild<QLabel *>(QStringLiteral("sessionCount"));
    QVERIFY(count);
    QCOMPARE(count->text(), QStringLiteral("7 sessions (6 online)"));

    auto *text = view.findChild<QLineEdit *>(QStringLiteral("sessionFilterText"));
    auto *state = view.findChild<QComboBox *>(QStringLiteral("sessionStateFilter"));
    auto *backlog = view.findChild<QCheckBox *>(QStringLiteral("sessionBacklogFilter"));
    auto *late = view.findChild<QCheckBox *>(QStringLiteral("sessionLateFilter"));
    QVERIFY(text && state && backlog && late);

    QTest::keyClicks(text, QStringLiteral("gateway"));
    QCOMPARE(shownIds(*view.proxy()), QStringList{"gateway-bj"});
    QVERIFY(count->text().endsWith(QStringLiteral("1 shown")));
    text->clear();
    QCOMPARE(view.proxy()->rowCount(), 7);

    state->setFocus();
    QTest::keyClick(state, Qt::Key_Down); // All -> Online
    QCOMPARE(state->currentIndex(), 1);
    QCOMPARE(view.proxy()->rowCount(), 6);
    QTest::keyClick(state, Qt::Key_Down); // -> Offline
    QCOMPARE(shownIds(*view.proxy()), QStringList{"meter-5"});
    QTest::keyClick(state, Qt::Key_Home); // -> All

    QTest::mouseClick(backlog, Qt::LeftButton);
    QVERIFY(backlog->isChecked());
    QCOMPARE(shownIds(*view.proxy()), QStringList{"meter-2"});
    QTest::mouseClick(backlog, Qt::LeftButton);

    QTest::mouseClick(late, Qt::LeftButton);
    QCOMPARE(shownIds(*view.proxy()), QStringList{"meter-4"});
    // meter-4 sends a PINGREQ: it is no longer late and leaves the filtered view.
    SessionInfo fresh = sessions[4];
    fresh.lastInboundMs = now;
    emit monitor.telemetry(deltaBatch({fresh}, {}, now));
    QCOMPARE(view.proxy()->rowCount(), 0);
}

void TestSessionsView::viewContextActions()
{
    FakeMonitor monitor;
    ui::SessionsView view(monitor);
    view.resize(1000, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    emit monitor.telemetry(fullBatch({session("alpha"), session("beta"), session("gamma", false)},
                                     QDateTime::currentMSecsSinceEpoch()));

    QSignalSpy push(&view, &ui::SessionsView::pushRequested);
    QSignalSpy activated(&view, &ui::SessionsView::sessionActivated);
    auto action = [&](const char *name) {
        auto *a = view.findChild<QAction *>(QLatin1String(name));
        if (!a)
            qWarning("no action %s", name);
        return a;
    };
    QVERIFY(action("pushToSession") && action("kickSession") && action("copyClientId") && action("openSessionDetail"));

    QVERIFY(view.selectClientId("beta"));
    action("pushToSession")->trigger();
    QCOMPARE(push.size(), 1);
    QCOMPARE(push.at(0).at(0).toStringList(), QStringList{"beta"});

    action("openSessionDetail")->trigger();
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("beta"));

    action("copyClientId")->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("beta"));

    view.setConfirmKick(false);
    action("kickSession")->trigger();
    QCOMPARE(monitor.kicked, QStringList{"beta"});

    // Double-click a row opens its detail too.
    QVERIFY(view.selectClientId("alpha"));
    QTableView *table = view.table();
    const QRect cell = table->visualRect(table->currentIndex());
    // QTest's widget double-click is a lone DblClick event; a real one starts with a press.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(activated.size(), 2);
    QCOMPARE(activated.at(1).at(0).toString(), QStringLiteral("alpha"));

    // With nothing selected the actions do nothing.
    table->setCurrentIndex({});
    table->clearSelection();
    action("pushToSession")->trigger();
    QCOMPARE(push.size(), 1);
}

void TestSessionsView::selectionDrivesDetailAndMultiPush()
{
    FakeMonitor monitor;
    ui::SessionsView view(monitor);
    view.resize(1000, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    emit monitor.telemetry(fullBatch({session("alpha"), session("beta"), session("gamma")},
                                     QDateTime::currentMSecsSinceEpoch()));
    QSignalSpy current(&view, &ui::SessionsView::currentSessionChanged);
    QSignalSpy push(&view, &ui::SessionsView::pushRequested);
    QTableView *table = view.table();
    auto *pushAction = view.findChild<QAction *>(QStringLiteral("pushToSession"));
    QVERIFY(pushAction);

    // A single click makes the row current: the detail is told at once.
    const QRect alpha = table->visualRect(table->model()->index(0, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, alpha.center());
    QCOMPARE(current.size(), 1);
    QCOMPARE(current.last().at(0).toString(), QStringLiteral("alpha"));
    QCOMPARE(pushAction->text(), QStringLiteral("Push to this device…"));

    // The arrow key moves it; Shift+Down extends the selection to three rows.
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(current.last().at(0).toString(), QStringLiteral("beta"));
    QCOMPARE(view.selectedClientIds(), QStringList{"beta"});
    QTest::keyClick(table, Qt::Key_Up);
    QTest::keyClick(table, Qt::Key_Down, Qt::ShiftModifier);
    QTest::keyClick(table, Qt::Key_Down, Qt::ShiftModifier);
    QCOMPARE(view.selectedClientIds(), (QStringList{"alpha", "beta", "gamma"}));
    QCOMPARE(pushAction->text(), QStringLiteral("Push to selected (3)…"));

    // Ctrl+click takes beta out; the push goes to the other two.
    const QRect beta = table->visualRect(table->model()->index(1, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, Qt::ControlModifier, beta.center());
    QCOMPARE(view.selectedClientIds(), (QStringList{"alpha", "gamma"}));
    pushAction->trigger();
    QCOMPARE(push.size(), 1);
    QCOMPARE(push.at(0).at(0).toStringList(), (QStringList{"alpha", "gamma"}));
}

void TestSessionsView::detailToolbarPushesAndKicks()
{
    FakeMonitor monitor;
    ui::SessionDetailView detail(monitor);
    detail.setConfirmKick(false);
    detail.show();
    auto *pushButton = detail.findChild<QPushButton *>(QStringLiteral("detailPush"));
    auto *kickButton = detail.findChild<QPushButton *>(QStringLiteral("detailKick"));
    QVERIFY(pushButton && kickButton);
    QVERIFY(!pushButton->isEnabled());
    QVERIFY(!kickButton->isEnabled());

    detail.showSession(QStringLiteral("alpha"));
    SessionDetail shown;
    shown.info = session("alpha");
    detail.applyDetail(shown);
    QVERIFY(pushButton->isEnabled());
    QVERIFY(kickButton->isEnabled());
    QSignalSpy push(&detail, &ui::SessionDetailView::pushRequested);
    QTest::mouseClick(pushButton, Qt::LeftButton);
    QCOMPARE(push.size(), 1);
    QCOMPARE(push.at(0).at(0).toString(), QStringLiteral("alpha"));
    QTest::mouseClick(kickButton, Qt::LeftButton);
    QCOMPARE(monitor.kicked, QStringList{"alpha"});

    // An offline session cannot be kicked.
    shown.info = session("alpha", false);
    detail.applyDetail(shown);
    QVERIFY(!kickButton->isEnabled());
}

void TestSessionsView::viewFollowsTelemetry()
{
    FakeMonitor monitor;
    ui::SessionsView view(monitor);
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    emit monitor.telemetry(fullBatch(numbered(5), now));
    emit monitor.telemetry(deltaBatch({session("extra", false)}, {"dev-00001", "dev-00003"}, now));
    QCOMPARE(clientIds(*view.model()), (QStringList{"dev-00000", "dev-00002", "dev-00004", "extra"}));
    QCOMPARE(view.countText(), QStringLiteral("4 sessions (3 online)"));
    // A batch from an engine whose clock runs 60 s ahead: ages use the engine's clock.
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    emit monitor.telemetry(deltaBatch({}, {}, now + 60'000));
    QTRY_VERIFY_WITH_TIMEOUT(view.model()->now() >= now + 60'000, 2500);
    // Ages tick once a second while shown, not while hidden.
    auto *ageTimer = view.findChild<QTimer *>(QStringLiteral("sessionAgeTimer"));
    QVERIFY(ageTimer);
    QVERIFY(ageTimer->isActive());
    QCOMPARE(ageTimer->interval(), 1000);
    view.hide();
    QVERIFY(!ageTimer->isActive());
}

void TestSessionsView::tenThousandSessions()
{
    constexpr int Count = 10'000;
    constexpr int BatchSize = 2'000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<SessionInfo> all = numbered(Count);
    for (SessionInfo &s : all)
        s.lastInboundMs = now - 5'000; // heard from recently: nobody is late
    QRandomGenerator random(20261122);
    QList<QList<SessionInfo>> updates; // 5 batches of 2,000 distinct, scattered sessions
    {
        QList<int> order(Count);
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), random);
        for (int b = 0; b < Count / BatchSize; ++b) {
            QList<SessionInfo> batch;
            for (int i = 0; i < BatchSize; ++i) {
                SessionInfo s = all[order[b * BatchSize + i]];
                s.messagesIn = random.bounded(100'000);
                s.inflight = int(random.bounded(20));
                batch.append(s);
            }
            updates.append(batch);
        }
    }

    // The bare model.
    SessionTableModel model;
    QElapsedTimer timer;
    timer.start();
    model.applyBatch(fullBatch(all));
    const qint64 modelFull = timer.nsecsElapsed();
    timer.restart();
    for (const QList<SessionInfo> &batch : std::as_const(updates))
        model.applyBatch(deltaBatch(batch));
    const qint64 modelDelta = timer.nsecsElapsed();
    QCOMPARE(model.rowCount(), Count);

    // The whole view: proxy sorted by in-flight (so updates re-sort), table shown.
    FakeMonitor monitor;
    ui::SessionsView view(monitor);
    view.resize(1200, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.table()->sortByColumn(SessionTableModel::Inflight, Qt::DescendingOrder);
    timer.restart();
    emit monitor.telemetry(fullBatch(all, now));
    QCoreApplication::processEvents();
    const qint64 viewFull = timer.nsecsElapsed();
    timer.restart();
    for (const QList<SessionInfo> &batch : std::as_const(updates)) {
        emit monitor.telemetry(deltaBatch(batch, {}, now));
        QCoreApplication::processEvents(); // the repaint belongs to the cost
    }
    const qint64 viewDelta = timer.nsecsElapsed();
    timer.restart();
    view.model()->setNow(now + 1000);
    QCoreApplication::processEvents();
    const qint64 viewTick = timer.nsecsElapsed();
    view.findChild<QCheckBox *>(QStringLiteral("sessionLateFilter"))->setChecked(true);
    timer.restart();
    view.model()->setNow(now + 2000); // with the late filter on, every tick re-filters every row
    QCoreApplication::processEvents();
    const qint64 viewTickFiltered = timer.nsecsElapsed();
    QCOMPARE(view.model()->rowCount(), Count);
    QCOMPARE(view.proxy()->rowCount(), 0);

    const auto ms = [](qint64 ns) { return QString::number(ns / 1e6, 'f', 1); };
    qInfo().noquote() << "model: full batch of" << Count << "sessions" << ms(modelFull) << "ms;"
                      << Count / BatchSize << "batches of" << BatchSize << "updates" << ms(modelDelta) << "ms total";
    qInfo().noquote() << "view (proxy sorted by in-flight, table shown): full batch" << ms(viewFull) << "ms;"
                      << "updates" << ms(viewDelta) << "ms total; 1 s age tick" << ms(viewTick)
                      << "ms; tick with late filter" << ms(viewTickFiltered) << "ms";
    // A sanity bound, not a benchmark: a wrong algorithm (quadratic in rows) takes minutes.
    QVERIFY2(modelFull + modelDelta + viewFull + viewDelta < 5'000'000'000LL, "10,000 sessions took over 5 s");
}

// ------------------------------------------------------------------ detail

QList<SessionInfo> TestSessionsView::realisticSessions(int count, qint64 now)
{
    QRandomGenerator random(7);
    const QStringList cities{"bj", "sh", "gz", "sz", "cd", "hz", "wh", "xa"};
    const QStringList kinds{"meter", "gw", "lock", "tracker", "pos"};
    const QList<int> keepAlives{30, 60, 60, 120, 240};
    const QList<CloseReason> reasons{CloseReason::KeepAliveTimeout, CloseReason::PeerClosed, CloseReason::SocketError,
                                     CloseReason::ClientDisconnect, CloseReason::TakenOver};
    QList<SessionInfo> list;
    for (int i = 0; i < count; ++i) {
        SessionInfo s;
        const QString &kind = kinds[i % kinds.size()];
        s.clientId = QStringLiteral("%1-%2-%3").arg(kind, cities[(i / 5) % cities.size()]).arg(1000 + i * 37 % 9000);
        s.online = random.bounded(100) >= 15;
        s.address = QStringLiteral("%1.%2.%3.%4:%5")
                        .arg(QList<int>{117, 112, 223, 39}[i % 4])
                        .arg(random.bounded(1, 255)).arg(random.bounded(1, 255)).arg(random.bounded(1, 255))
                        .arg(random.bounded(20000, 65000));
        s.userName = i % 7 == 0 ? QStringLiteral("fleet-%1").arg(i % 3) : QString();
        s.version = i % 5 == 1 ? mqtt::ProtocolVersion::V5 : mqtt::ProtocolVersion::V3_1_1;
        s.keepAliveSeconds = quint16(keepAlives[i % keepAlives.size()]);
        const qint64 t = s.keepAliveSeconds * 1000LL;
        // Mostly fresh, some past T, a few past 1.5 T.
        const int roll = int(random.bounded(100));
        const qint64 silent = roll < 80 ? qint64(random.bounded(int(t * 0.6)))
                              : roll < 93 ? t + qint64(random.bounded(int(t / 2)))
                                          : t * 3 / 2 + qint64(random.bounded(5000));
        s.lastInboundMs = now - silent;
        if (s.online) {
            s.connectedSinceMs = now - random.bounded(60, 36 * 3600) * 1000LL;
        } else {
            s.offlineSinceMs = now - random.bounded(30, 3 * 86400) * 1000LL;
            s.lastInboundMs = s.offlineSinceMs - random.bounded(1000, 45000);
            s.queued = int(random.bounded(0, 40));
            s.queuedHighWater = s.queued + int(random.bounded(0, 20));
        }
        if (random.bounded(10) == 0) {
            s.inflight = int(random.bounded(1, 12));
            s.inflightHighWater = s.inflight + int(random.bounded(0, 30));
        }
        s.messagesIn = random.bounded(0, 200000);
        s.messagesOut = random.bounded(0, 50000);
        s.messagesDropped = random.bounded(40) == 0 ? random.bounded(1, 300) : 0;
        if (!s.online || random.bounded(3) == 0) {
            CloseInfo close;
            close.reason = reasons[int(random.bounded(qsizetype(reasons.size())))];
            close.atMs = s.online ? s.connectedSinceMs - 2000 : s.offlineSinceMs;
            if (close.reason == CloseReason::KeepAliveTimeout)
                close.reasonCode = mqtt::ReasonCode::KeepAliveTimeout;
            s.lastClose = close;
        }
        list.append(s);
    }
    return list;
}

SessionDetail TestSessionsView::realisticDetail(qint64 now)
{
    SessionDetail d;
    SessionInfo &info = d.info;
    info.clientId = QStringLiteral("meter-sh-004217");
    info.online = true;
    info.address = QStringLiteral("117.136.38.214:49152");
    info.userName = QStringLiteral("fleet-2");
    info.version = mqtt::ProtocolVersion::V5;
    info.keepAliveSeconds = 30;
    info.inflight = 3;
    info.inflightHighWater = 12;
    info.queued = 2;
    info.queuedHighWater = 9;

    // Five minutes, PINGREQ every ~20 s at keep-alive 30 s. At +62 s the radio drops: the
    // broker hears nothing for 45 s (1.5 T) and closes; the device comes back at +115 s. At
    // +203 s the carrier resets the TCP connection; the device is back at +211 s.
    const qint64 start = now - 300'000;
    QRandomGenerator random(42);
    const auto add = [&](qint64 at, PacketType type, bool inbound, quint32 size) {
        d.heartbeats.append(HeartbeatMark{at, type, inbound, size});
    };
    const auto connect = [&](qint64 at) {
        add(at, PacketType::Connect, true, 64);
        add(at + 3, PacketType::Connack, false, 9);
        add(at + 40, PacketType::Subscribe, true, 38);
        add(at + 42, PacketType::Suback, false, 6);
    };
    qint64 lastInbound = 0;
    const auto pings = [&](qint64 from, qint64 until) {
        int n = 0;
        for (qint64 t = from + 20'000; t < until; t += 19'000 + random.bounded(2'000), ++n) {
            add(t, PacketType::Pingreq, true, 2);
            add(t + 30 + random.bounded(40), PacketType::Pingresp, false, 2);
            lastInbound = t;
            if (n % 3 == 1) { // a reading goes up and is acknowledged; a command comes down
                add(t + 6'000, PacketType::Publish, true, 180);
                add(t + 6'002, PacketType::Puback, false, 4);
                add(t + 11'000, PacketType::Publish, false, 96);
                add(t + 11'150, PacketType::Puback, true, 4);
                lastInbound = t + 11'150;
            }
        }
    };
    connect(start);
    pings(start, start + 62'000);
    const qint64 timeoutAt = lastInbound + 45'000;
    const qint64 back1 = timeoutAt + 8'000;
    connect(back1);
    pings(back1, start + 203'000);
    const qint64 resetAt = start + 203'000;
    const qint64 back2 = resetAt + 8'000;
    connect(back2);
    pings(back2, now - 9'000);
    std::sort(d.heartbeats.begin(), d.heartbeats.end(),
              [](const HeartbeatMark &a, const HeartbeatMark &b) { return a.atMs < b.atMs; });
    while (!d.heartbeats.isEmpty() && d.heartbeats.last().atMs > now)
        d.heartbeats.removeLast();
    if (lastInbound > now)
        lastInbound = now - 1'000;
    info.lastInboundMs = lastInbound;
    info.connectedSinceMs = back2;

    d.closes.append(CloseInfo{CloseReason::KeepAliveTimeout, mqtt::ReasonCode::KeepAliveTimeout,
                              QStringLiteral("no packet for 45 s (1.5 × 30 s)"), timeoutAt, true});
    d.closes.append(CloseInfo{CloseReason::SocketError, std::nullopt, QStringLiteral("Connection reset by peer"),
                              resetAt, false});

    d.inflight.append(InflightInfo{17, QStringLiteral("devices/meter-sh-004217/cmd/valve"), mqtt::QoS::AtLeastOnce,
                                   mqtt::OutboundStage::AwaitingPuback, 1'200, 1, 48});
    d.inflight.append(InflightInfo{18, QStringLiteral("devices/meter-sh-004217/cmd/config"), mqtt::QoS::ExactlyOnce,
                                   mqtt::OutboundStage::AwaitingPubrec, 14'800, 2, 512});
    d.inflight.append(InflightInfo{21, QStringLiteral("devices/meter-sh-004217/firmware/chunk"),
                                   mqtt::QoS::ExactlyOnce, mqtt::OutboundStage::AwaitingPubcomp, 3'100, 1, 4096});
    mqtt::Publish q1;
    q1.topic = QStringLiteral("devices/meter-sh-004217/firmware/chunk");
    q1.payload = QByteArray(4096, 'x');
    q1.qos = mqtt::QoS::ExactlyOnce;
    mqtt::Publish q2 = q1;
    q2.topic = QStringLiteral("broadcast/tariff");
    q2.payload = QByteArray(120, 'y');
    q2.qos = mqtt::QoS::AtLeastOnce;
    q2.retain = true;
    d.queued = {q1, q2};
    mqtt::TopicSubscription s1{QStringLiteral("devices/meter-sh-004217/cmd/#"), {}};
    s1.options.maximumQoS = mqtt::QoS::ExactlyOnce;
    s1.options.noLocal = true;
    mqtt::TopicSubscription s2{QStringLiteral("broadcast/+"), {}};
    s2.options.maximumQoS = mqtt::QoS::AtLeastOnce;
    s2.options.retainHandling = mqtt::RetainHandling::SendOnNewSubscribe;
    d.subscriptions = {s1, s2};
    for (const HeartbeatMark &m : std::as_const(d.heartbeats))
        d.packetTrace.append(QStringLiteral("%1 %2 %3 len=%4")
                                 .arg(QDateTime::fromMSecsSinceEpoch(m.atMs).toString(QStringLiteral("HH:mm:ss.zzz")),
                                      m.inbound ? QStringLiteral("<-") : QStringLiteral("->"),
                                      mqtt::packetTypeName(m.type))
                                 .arg(m.wireSize));
    return d;
}

void TestSessionsView::clusterSessionsShowNodeAndNotExposedCells()
{
    // An upstream console: hermesd's own operator, then the cluster's devices, which carry a
    // node and only what RabbitMQ's management API lists (no keep-alive, last packet,
    // message counts or last close).
    FakeMonitor monitor;
    ui::SessionsView view(monitor);
    view.resize(1500, 360);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QAbstractItemModelTester tester(view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTableView *table = view.table();
    QHeaderView *header = table->horizontalHeader();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();

    SessionInfo operatorSession = session(QStringLiteral("console-ops"), true, 30, 1'000);
    operatorSession.lastInboundMs = now - 1'000;
    emit monitor.telemetry(fullBatch({operatorSession}, now));
    // No session on a cluster: no Node column.
    QVERIFY(table->isColumnHidden(SessionTableModel::Node));

    const auto clusterSession = [now](const QString &id, const QString &node, bool online) {
        SessionInfo s;
        s.clientId = id;
        s.online = online;
        s.node = node;
        if (online) {
            s.address = QStringLiteral("10.8.0.%1:40%2").arg(id.size()).arg(id.size() * 7);
            s.connectedSinceMs = now - 120'000;
        }
        return s;
    };
    SessionInfo meter = clusterSession(QStringLiteral("meter-1"), QStringLiteral("rabbit@node1"), true);
    meter.queued = 2;
    meter.inflight = 1;
    const SessionInfo gateway = clusterSession(QStringLiteral("gateway-2"), QStringLiteral("rabbit@node2"), true);
    // Offline and never seen connected: RabbitMQ has its queue, nothing of its connection.
    const SessionInfo sleeper = clusterSession(QStringLiteral("sleeper"), QStringLiteral("rabbit@node2"), false);
    emit monitor.telemetry(deltaBatch({meter, gateway, sleeper}, {}, now));
    QVERIFY(!table->isColumnHidden(SessionTableModel::Node));
    QCOMPARE(view.model()->clusterCount(), 3);
    QCOMPARE(header->model()->headerData(SessionTableModel::Node, Qt::Horizontal).toString(), QStringLiteral("Node"));

    const auto cell = [&view](const QString &id, int column) {
        const QModelIndex index = view.proxy()->mapFromSource(view.model()->index(view.model()->rowOf(id), column));
        return index;
    };
    const QString dash = QStringLiteral("\u2014");
    const QString notExposed = QStringLiteral("Not exposed by the cluster's management API");
    // The node in its own column; the address is the address.
    QCOMPARE(cell(QStringLiteral("meter-1"), SessionTableModel::Node).data().toString(), QStringLiteral("rabbit@node1"));
    QCOMPARE(cell(QStringLiteral("meter-1"), SessionTableModel::Address).data().toString(), meter.address);
    QCOMPARE(cell(QStringLiteral("console-ops"), SessionTableModel::Node).data().toString(), QString());
    // What the cluster does not expose reads "—", not 0, "off" or nothing.
    for (const int column : {SessionTableModel::KeepAlive, SessionTableModel::LastInbound, SessionTableModel::MessagesIn,
                             SessionTableModel::MessagesOut, SessionTableModel::Dropped, SessionTableModel::LastClose}) {
        const QModelIndex index = cell(QStringLiteral("meter-1"), column);
        QCOMPARE(index.data().toString(), dash);
        QCOMPARE(index.data(Qt::ToolTipRole).toString(), notExposed);
        QVERIFY(index.data(SessionTableModel::NotExposedRole).toBool());
        QVERIFY(!cell(QStringLiteral("console-ops"), column).data(SessionTableModel::NotExposedRole).toBool());
    }
    QCOMPARE(cell(QStringLiteral("console-ops"), SessionTableModel::KeepAlive).data().toString(), QStringLiteral("30 s"));
    // What it does expose stays: queue depth, unacknowledged, since.
    QCOMPARE(cell(QStringLiteral("meter-1"), SessionTableModel::Queued).data().toString(), QStringLiteral("2"));
    QCOMPARE(cell(QStringLiteral("meter-1"), SessionTableModel::Inflight).data().toString(), QStringLiteral("1"));
    QVERIFY(cell(QStringLiteral("meter-1"), SessionTableModel::Since).data().toString() != dash);
    // The session first seen offline: no address, protocol or time to show.
    for (const int column : {SessionTableModel::Address, SessionTableModel::Version, SessionTableModel::Since})
        QCOMPARE(cell(QStringLiteral("sleeper"), column).data().toString(), dash);

    // Hovering a dash says why, as a tooltip.
    table->scrollTo(cell(QStringLiteral("meter-1"), SessionTableModel::MessagesIn));
    const QPoint at = table->visualRect(cell(QStringLiteral("meter-1"), SessionTableModel::MessagesIn)).center();
    QHelpEvent hover(QEvent::ToolTip, at, table->viewport()->mapToGlobal(at));
    QApplication::sendEvent(table->viewport(), &hover);
    QTRY_VERIFY(QToolTip::isVisible());
    QCOMPARE(QToolTip::text(), notExposed);
    QToolTip::hideText();

    // Sorting by a column the cluster does not fill, by clicking its header: the dashes stay
    // together at one end, the operator's real keep-alive at the other.
    const auto clickHeader = [header](int column) {
        const QPoint point(header->sectionViewportPosition(column) + header->sectionSize(column) / 2, header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, point);
    };
    for (const int column : {SessionTableModel::KeepAlive, SessionTableModel::MessagesIn, SessionTableModel::LastInbound,
                             SessionTableModel::LastClose}) {
        clickHeader(column);
        QCOMPARE(header->sortIndicatorSection(), column);
        for (int pass = 0; pass < 2; ++pass) {
            const QStringList order = shownIds(*view.proxy());
            QCOMPARE(order.size(), 4);
            const bool ascending = header->sortIndicatorOrder() == Qt::AscendingOrder;
            // The operator's real value sorts after "not exposed" ascending, before it descending
            // (its last close is none, which ties with the dashes: any place is right).
            if (column != SessionTableModel::LastClose)
                QCOMPARE(order.indexOf(QStringLiteral("console-ops")), ascending ? 3 : 0);
            clickHeader(column); // the other way round
        }
    }
    // By node: hermesd's own first, then the nodes in order.
    clickHeader(SessionTableModel::Node);
    if (header->sortIndicatorOrder() != Qt::AscendingOrder)
        clickHeader(SessionTableModel::Node);
    QCOMPARE(shownIds(*view.proxy()).first(), QStringLiteral("console-ops"));
    QCOMPARE(shownIds(*view.proxy()).at(1), QStringLiteral("meter-1"));

    // Typing a node in the filter shows the sessions it holds.
    auto *text = view.findChild<QLineEdit *>(QStringLiteral("sessionFilterText"));
    QTest::keyClicks(text, QStringLiteral("node2"));
    QCOMPARE(view.proxy()->rowCount(), 2);
    QVERIFY(!shownIds(*view.proxy()).contains(QStringLiteral("meter-1")));
    text->clear();

    table->sortByColumn(SessionTableModel::ClientId, Qt::AscendingOrder);
    QCoreApplication::processEvents();
    QVERIFY(view.grab().save(outputPath(QStringLiteral("sessions-cluster.png"))));

    // The cluster's sessions go (hermesd attached elsewhere): the column goes with them.
    emit monitor.telemetry(deltaBatch({}, {QStringLiteral("meter-1"), QStringLiteral("gateway-2"), QStringLiteral("sleeper")}, now));
    QCOMPARE(view.model()->clusterCount(), 0);
    QVERIFY(table->isColumnHidden(SessionTableModel::Node));
}

void TestSessionsView::detailViewRequestsAndShows()
{
    FakeMonitor monitor;
    ui::SessionDetailView view(monitor);
    view.resize(900, 700);
    for (DetailTableModel *m : {view.inflightModel(), view.queuedModel(), view.subscriptionsModel(),
                                view.disconnectsModel()})
        new QAbstractItemModelTester(m, QAbstractItemModelTester::FailureReportingMode::QtTest, m);

    // Hidden: one request for the new session, no watch until shown.
    view.showSession(QStringLiteral("meter-sh-004217"));
    QCOMPARE(monitor.detailRequests, QStringList{"meter-sh-004217"});
    QCOMPARE(monitor.watchRequests, QStringList{});
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // Visible: the engine watches the session and sends what changes; the view never polls.
    QCOMPARE(monitor.watchRequests, QStringList{"meter-sh-004217"});
    view.showSession(QStringLiteral("meter-sh-000001"));
    QCOMPARE(monitor.watchRequests, (QStringList{"meter-sh-004217", "meter-sh-000001"}));
    view.hide();
    QCOMPARE(monitor.watchRequests, (QStringList{"meter-sh-004217", "meter-sh-000001", ""}));
    QCOMPARE(monitor.detailRequests, QStringList{"meter-sh-004217"});
    view.showSession(QStringLiteral("meter-sh-004217"));

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    SessionDetail detail = realisticDetail(now);
    SessionDetail other = detail;
    other.info.clientId = QStringLiteral("someone-else");
    emit monitor.sessionDetail(other); // not the shown session
    QCOMPARE(view.inflightModel()->rowCount(), 0);
    emit monitor.sessionDetail(detail);

    QCOMPARE(view.inflightModel()->rowCount(), 3);
    const auto cell = [](DetailTableModel *m, int row, int column) { return m->index(row, column).data().toString(); };
    QCOMPARE(cell(view.inflightModel(), 0, 0), QStringLiteral("17"));
    QCOMPARE(cell(view.inflightModel(), 0, 3), QStringLiteral("PUBLISH sent, awaiting PUBACK"));
    QCOMPARE(cell(view.inflightModel(), 1, 3), QStringLiteral("PUBLISH sent, awaiting PUBREC"));
    QCOMPARE(cell(view.inflightModel(), 2, 3), QStringLiteral("PUBREL sent, awaiting PUBCOMP"));
    QCOMPARE(cell(view.inflightModel(), 1, 5), QStringLiteral("1")); // sent twice: one retry
    QCOMPARE(cell(view.inflightModel(), 1, 6), QStringLiteral("yes")); // redelivered with DUP
    QCOMPARE(cell(view.inflightModel(), 0, 6), QStringLiteral("no"));
    QCOMPARE(view.queuedModel()->rowCount(), 2);
    QCOMPARE(cell(view.queuedModel(), 1, 1), QStringLiteral("1"));
    QCOMPARE(view.subscriptionsModel()->rowCount(), 2);
    QCOMPARE(cell(view.subscriptionsModel(), 0, 2), QStringLiteral("no local"));
    QCOMPARE(view.disconnectsModel()->rowCount(), 2);
    QCOMPARE(cell(view.disconnectsModel(), 0, 1), QStringLiteral("socket error")); // newest first
    QCOMPARE(cell(view.disconnectsModel(), 1, 1), QStringLiteral("keep-alive timeout"));
    QCOMPARE(cell(view.disconnectsModel(), 1, 4), QStringLiteral("yes"));
    QVERIFY(cell(view.disconnectsModel(), 1, 2).contains(QStringLiteral("0x8d")));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("detailState"))->text(), QStringLiteral("online"));
    QCOMPARE(view.tabs()->tabText(0), QStringLiteral("In-flight (3)"));

    // The next refresh has one message acknowledged: rows shrink in place.
    detail.inflight.removeFirst();
    emit monitor.sessionDetail(detail);
    QCOMPARE(view.inflightModel()->rowCount(), 2);
    QCOMPARE(cell(view.inflightModel(), 0, 0), QStringLiteral("18"));

    // NAT presets reach the timeline.
    auto *preset = view.findChild<QComboBox *>(QStringLiteral("natPreset"));
    auto *custom = view.findChild<QSpinBox *>(QStringLiteral("natCustomSeconds"));
    QVERIFY(preset && custom);
    QVERIFY(!view.timeline()->natTimeout());
    preset->setCurrentIndex(3);
    QCOMPARE(view.timeline()->natTimeout().value_or(-1), 28 * 60);
    preset->setCurrentIndex(preset->count() - 1);
    QVERIFY(custom->isEnabled());
    custom->setValue(90);
    QCOMPARE(view.timeline()->natTimeout().value_or(-1), 90);
    preset->setCurrentIndex(0);
    QVERIFY(!view.timeline()->natTimeout());

    // The session ends: the header says so.
    emit monitor.telemetry(deltaBatch({}, {"meter-sh-004217"}, now));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("detailState"))->text(), QStringLiteral("session ended"));
}

void TestSessionsView::detailViewExportsTrace()
{
    FakeMonitor monitor;
    ui::SessionDetailView view(monitor);
    view.showSession(QStringLiteral("meter-sh-004217"));
    const SessionDetail detail = realisticDetail(QDateTime::currentMSecsSinceEpoch());
    view.applyDetail(detail);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("trace.txt"));
    QVERIFY(view.exportTrace(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines, detail.packetTrace);
    QVERIFY(!view.exportTrace(dir.filePath(QStringLiteral("missing-dir/trace.txt"))));

    // CSV: a header and one row per packet, split into fields.
    QVERIFY(view.exportTrace(dir.filePath(QStringLiteral("trace.csv"))));
    QFile csv(dir.filePath(QStringLiteral("trace.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = csv.readAll().trimmed().split('\n');
    QCOMPARE(rows.size(), detail.packetTrace.size() + 1);
    QVERIFY(rows.first().startsWith("time,direction,packet,topic,qos"));
    // JSON: the client and the same rows as objects.
    QVERIFY(view.exportTrace(dir.filePath(QStringLiteral("trace.json"))));
    QFile json(dir.filePath(QStringLiteral("trace.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject document = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(document.value(QLatin1String("client_id")).toString(), QStringLiteral("meter-sh-004217"));
    const QJsonArray packets = document.value(QLatin1String("packets")).toArray();
    QCOMPARE(packets.size(), detail.packetTrace.size());
    QCOMPARE(packets.at(0).toObject().value(QLatin1String("direction")).toString(),
             detail.heartbeats.at(0).inbound ? QStringLiteral("in") : QStringLiteral("out"));
    QCOMPARE(packets.at(0).toObject().value(QLatin1String("packet")).toString(),
             mqtt::packetTypeName(detail.heartbeats.at(0).type));
}

void TestSessionsView::detailViewSaysWhatAClusterCannotShow()
{
    // An engine attached to hermesd in upstream mode: a cluster's sessions have rows, but no
    // heartbeats, packets or in-flight messages to show. The panes say so instead of sitting empty.
    FakeMonitor monitor;
    monitor.featureSet &= ~EngineFeatures(EngineFeature::SessionInternals);
    ui::SessionDetailView view(monitor);
    view.resize(900, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto notice = [&view](const char *name) { return view.findChild<QLabel *>(QLatin1String(name)); };
    QVERIFY(notice("heartbeatsUnavailable")->isVisible());
    QVERIFY(notice("heartbeatsUnavailable")->text().contains(QLatin1String("does not expose heartbeats")));
    QVERIFY(!view.timeline()->isVisible());
    view.tabs()->setCurrentIndex(0);
    QVERIFY(notice("inflightUnavailable")->isVisible());
    QVERIFY(notice("inflightUnavailable")->text().contains(QLatin1String("messages in flight")));
    view.tabs()->setCurrentIndex(3);
    QVERIFY(notice("traceUnavailable")->isVisible());
    QVERIFY(notice("traceUnavailable")->text().contains(QLatin1String("packet trace")));
    // The row itself still shows, and the session can still be kicked.
    view.setConfirmKick(false);
    view.showSession(QStringLiteral("far-1"));
    SessionDetail detail;
    detail.info = session(QStringLiteral("far-1"));
    detail.info.address = QStringLiteral("127.0.0.1:41234");
    detail.info.node = QStringLiteral("rabbit@node2");
    emit monitor.sessionDetail(detail);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("detailAddress"))->text().contains(QLatin1String("rabbit@node2")));
    auto *kick = view.findChild<QPushButton *>(QStringLiteral("detailKick"));
    QVERIFY(kick->isEnabled());
    kick->click();
    QCOMPARE(monitor.kicked, QStringList{QStringLiteral("far-1")});

    // Attached elsewhere (the engine learns it when it starts): the panes come back.
    monitor.featureSet |= EngineFeature::SessionInternals;
    emit monitor.started({});
    QVERIFY(view.timeline()->isVisible());
    QVERIFY(!notice("traceUnavailable")->isVisible());
}

void TestSessionsView::timelineZoomPanFit()
{
    ui::HeartbeatTimeline timeline;
    timeline.resize(800, 220);
    timeline.show();
    QVERIFY(QTest::qWaitForWindowExposed(&timeline));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const SessionDetail detail = realisticDetail(now);
    timeline.setDetail(detail, now);
    QVERIFY(timeline.isFollowing());
    // Fitted: the first packet and the 1.5 T deadline after the last inbound packet are in view.
    QVERIFY(timeline.viewStartMs() <= detail.heartbeats.first().atMs);
    QVERIFY(timeline.viewEndMs() >= detail.info.lastInboundMs + 45'000);
    const qint64 fittedSpan = timeline.viewEndMs() - timeline.viewStartMs();

    timeline.setFocus();
    QTest::keyClick(&timeline, Qt::Key_Plus);
    QVERIFY(!timeline.isFollowing());
    const qint64 zoomedSpan = timeline.viewEndMs() - timeline.viewStartMs();
    QVERIFY(zoomedSpan < fittedSpan * 0.7);
    QTest::keyClick(&timeline, Qt::Key_Minus);
    QVERIFY(qAbs((timeline.viewEndMs() - timeline.viewStartMs()) - fittedSpan) < fittedSpan / 100);

    const qint64 before = timeline.viewStartMs();
    QTest::keyClick(&timeline, Qt::Key_Left);
    QVERIFY(timeline.viewStartMs() < before);
    QTest::keyClick(&timeline, Qt::Key_Right);
    QTest::keyClick(&timeline, Qt::Key_Right);
    QVERIFY(timeline.viewStartMs() > before);

    // Drag right by 100 px: the view moves into the past.
    const qint64 beforeDrag = timeline.viewStartMs();
    QTest::mousePress(&timeline, Qt::LeftButton, {}, QPoint(400, 120));
    QTest::mouseMove(&timeline, QPoint(500, 120));
    QTest::mouseRelease(&timeline, Qt::LeftButton, {}, QPoint(500, 120));
    QVERIFY(timeline.viewStartMs() < beforeDrag);

    // Wheel up zooms in around the cursor.
    const qint64 spanBeforeWheel = timeline.viewEndMs() - timeline.viewStartMs();
    QWheelEvent wheel(QPointF(400, 120), timeline.mapToGlobal(QPointF(400, 120)), QPoint(), QPoint(0, 120),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(&timeline, &wheel);
    QVERIFY(timeline.viewEndMs() - timeline.viewStartMs() < spanBeforeWheel);

    // Double-click fits again and follows the live edge.
    QTest::mouseDClick(&timeline, Qt::LeftButton, {}, QPoint(300, 120));
    QVERIFY(timeline.isFollowing());
    QCOMPARE(timeline.viewEndMs() - timeline.viewStartMs(), fittedSpan);

    // Squeezed below its minimum (a short dock) it still paints: one row per direction.
    timeline.resize(600, timeline.minimumSizeHint().height() - 40);
    QVERIFY(!timeline.grab().isNull());
    QVERIFY(timeline.grab().save(outputPath(QStringLiteral("heartbeat-timeline-compact.png"))));
    timeline.resize(800, 220);

    // A NAT line minutes away does not squeeze the fitted view (it is marked at the edge).
    timeline.setNatTimeout(ui::HeartbeatTimeline::ChinaMobileNatSeconds);
    QCOMPARE(timeline.natTimeout().value_or(-1), 300);
    QCOMPARE(timeline.viewEndMs() - timeline.viewStartMs(), fittedSpan);
    timeline.setNatTimeout(0); // not a timeout
    QVERIFY(!timeline.natTimeout());
}

// ------------------------------------------------------------------ screenshots

void TestSessionsView::screenshots()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    {
        FakeMonitor monitor;
        ui::SessionsView view(monitor);
        view.resize(1500, 640);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        emit monitor.telemetry(fullBatch(realisticSessions(200, now), now));
        view.table()->sortByColumn(SessionTableModel::LastInbound, Qt::DescendingOrder);
        QCoreApplication::processEvents(); // pending layout requests (the count label grew)
        QVERIFY(view.grab().save(outputPath(QStringLiteral("sessions.png"))));
    }
    {
        FakeMonitor monitor;
        ui::SessionDetailView view(monitor);
        view.resize(1100, 780);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showSession(QStringLiteral("meter-sh-004217"));
        view.applyDetail(realisticDetail(now));
        view.findChild<QComboBox *>(QStringLiteral("natPreset"))->setCurrentIndex(1); // China Mobile
        QCoreApplication::processEvents();
        QVERIFY(view.grab().save(outputPath(QStringLiteral("session-detail.png"))));
        view.tabs()->setCurrentIndex(4); // Disconnects
        view.resize(1100, 560);
        QCoreApplication::processEvents();
        QVERIFY(view.grab().save(outputPath(QStringLiteral("session-detail-disconnects.png"))));
    }
    {
        // Chinese: the locale, the translator (empty for now), and CJK client IDs that
        // must render as glyphs, not boxes.
        const QLocale zh(QLocale::Chinese, QLocale::China);
        const QLocale previous;
        QLocale::setDefault(zh);
        ui::installTranslations(zh);
        FakeMonitor monitor;
        ui::SessionsView view(monitor);
        view.setLocale(zh);
        view.resize(1500, 420);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QList<SessionInfo> sessions = realisticSessions(40, now);
        sessions[0].clientId = QStringLiteral("设备-北京-001");
        sessions[1].clientId = QStringLiteral("电表-上海-浦东-0042");
        sessions[2].clientId = QStringLiteral("网关-广州-天河");
        sessions[2].userName = QStringLiteral("运维");
        emit monitor.telemetry(fullBatch(sessions, now));
        view.table()->sortByColumn(-1, Qt::AscendingOrder); // engine order: the Chinese IDs on top
        QCOMPARE(view.proxy()->index(2, 0).data().toString(), QStringLiteral("网关-广州-天河"));
        QCoreApplication::processEvents();
        QVERIFY(view.grab().save(outputPath(QStringLiteral("sessions-zh.png"))));
        QLocale::setDefault(previous);
        ui::installTranslations(QLocale(QLocale::English));
    }
}

HERMES_TEST_MAIN(TestSessionsView)
#include "tst_sessionsview.moc"
