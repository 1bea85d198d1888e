// Topics view and its tree model: topics from message records and the retained list,
// batched model updates, the filter proxy, and retained deletion in gentle batches, driven
// by a fake EngineMonitor.

#include "../common/testmain.h"
#include "topicsview.h"
#include "topictreemodel.h"
#include "translations.h"

#include "engine/api/monitor.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>
#include <QtTest>

using namespace hermes;
using hermes::ui::TopicFilterProxy;
using hermes::ui::TopicsView;
using hermes::ui::TopicTreeModel;

namespace {

/// Records deletes and retained requests; telemetry and answers are emitted by the test.
class FakeMonitor : public EngineMonitor
{
    Q_OBJECT
public:
    using EngineMonitor::EngineMonitor;
    void start() override { m_running = true; }
    void stop() override { m_running = false; }
    bool isRunning() const override { return m_running; }
    void requestSessionDetail(const QString &) override {}
    void kick(const QString &) override {}
    void publish(const mqtt::Publish &) override {}
    void deleteRetained(const QString &topic) override { deleted.append(topic); }
    void sendPush(const PushRequest &) override {}
    void requestAudience(const PushTarget &) override {}
    void requestDevices() override {}
    void requestRetained() override { ++retainedRequests; }
    bool setListenAddresses(const QList<ListenAddress> &) override { return false; }
    QList<ListenAddress> configuredListenAddresses() const override { return {}; }

    QStringList deleted;
    int retainedRequests = 0;

private:
    bool m_running = true;
};

constexpr qint64 Now = 1'790'000'000'000;

MessageRecord record(const QString &topic, const QByteArray &payload = "x", bool retain = false, qint64 atMs = Now)
{
    MessageRecord message;
    message.atMs = atMs;
    message.topic = topic;
    message.payload = payload;
    message.payloadSize = payload.size();
    message.retain = retain;
    return message;
}

TelemetryBatch messagesBatch(const QList<MessageRecord> &messages)
{
    TelemetryBatch batch;
    batch.atMs = Now;
    batch.messages = messages;
    return batch;
}

/// Every full topic in the subtree of `parent`, depth first, in row order.
QStringList allTopics(const QAbstractItemModel &model, const QModelIndex &parent = {})
{
    QStringList topics;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        topics.append(index.data(TopicTreeModel::TopicRole).toString());
        topics.append(allTopics(model, index));
    }
    return topics;
}

QList<MessageRecord> retainedFleet(int count, const QString &prefix = QStringLiteral("fleet"))
{
    QList<MessageRecord> list;
    for (int i = 0; i < count; ++i)
        list.append(record(QStringLiteral("%1/dev-%2/config").arg(prefix).arg(i, 5, 10, QLatin1Char('0')), "{}", true));
    return list;
}

} // namespace

class TestTopicsView : public QObject
{
    Q_OBJECT
private slots:
    void treeFromTopics_data();
    void treeFromTopics();
    void countsAndLastMessageAggregate();
    void flushSignalsOncePerParent();
    void retainedMarkersFollowLiveMessages_data();
    void retainedMarkersFollowLiveMessages();
    void retainedListReplacesMarkers();
    void retainedTopicsUnderSubtree();
    void filterProxy_data();
    void filterProxy();
    void viewAppliesBatchesOnItsTimer();
    void deletesRetainedInBatches();
    void cancelStopsDeleting();
    void deleteButtonFollowsSelection();
    void fiftyThousandTopics();
    void screenshot();

private:
    QString screenshotPath(const QString &name) const;
};

QString TestTopicsView::screenshotPath(const QString &name) const
{
    QString base = qEnvironmentVariable("HERMES_TEST_OUTPUT");
    if (base.isEmpty())
        base = QDir::tempPath() + QStringLiteral("/hermes-test-output");
    QDir().mkpath(base + QStringLiteral("/screenshots"));
    return base + QStringLiteral("/screenshots/") + name;
}

void TestTopicsView::treeFromTopics_data()
{
    QTest::addColumn<QStringList>("topics");
    QTest::addColumn<QStringList>("expectedNodes"); // depth first, arrival order
    QTest::addColumn<int>("topLevelRows");

    QTest::newRow("one level") << QStringList{QStringLiteral("a")} << QStringList{QStringLiteral("a")} << 1;
    QTest::newRow("shared prefix becomes one branch")
        << QStringList{QStringLiteral("a/b/c"), QStringLiteral("a/b/d"), QStringLiteral("a/e")}
        << QStringList{QStringLiteral("a"), QStringLiteral("a/b"), QStringLiteral("a/b/c"), QStringLiteral("a/b/d"),
                       QStringLiteral("a/e")}
        << 1;
    // [MQTT-4.7.3-1] levels may be empty: "/x" has an empty first level, "a//b" an empty middle one.
    QTest::newRow("empty levels MQTT-4.7.3")
        << QStringList{QStringLiteral("/x"), QStringLiteral("a//b")}
        << QStringList{QString(), QStringLiteral("/x"), QStringLiteral("a"), QStringLiteral("a/"), QStringLiteral("a//b")}
        << 2;
    QTest::newRow("repeated topic adds no node")
        << QStringList{QStringLiteral("s/1"), QStringLiteral("s/1"), QStringLiteral("s/1")}
        << QStringList{QStringLiteral("s"), QStringLiteral("s/1")} << 1;
    QTest::newRow("topic that is also a parent")
        << QStringList{QStringLiteral("home/kitchen"), QStringLiteral("home/kitchen/temp")}
        << QStringList{QStringLiteral("home"), QStringLiteral("home/kitchen"), QStringLiteral("home/kitchen/temp")} << 1;
    QTest::newRow("$SYS and Chinese levels")
        << QStringList{QStringLiteral("$SYS/broker/uptime"), QStringLiteral("设备/北京/状态")}
        << QStringList{QStringLiteral("$SYS"), QStringLiteral("$SYS/broker"), QStringLiteral("$SYS/broker/uptime"),
                       QStringLiteral("设备"), QStringLiteral("设备/北京"), QStringLiteral("设备/北京/状态")}
        << 2;
}

void TestTopicsView::treeFromTopics()
{
    QFETCH(QStringList, topics);
    QFETCH(QStringList, expectedNodes);
    QFETCH(int, topLevelRows);
    TopicTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<MessageRecord> messages;
    for (const QString &topic : topics)
        messages.append(record(topic));
    // Split over two flushes: the second inserts under nodes the first made visible.
    model.enqueue(messages.mid(0, 1));
    QCOMPARE(model.rowCount(), 0); // nothing before flush
    model.flush();
    model.enqueue(messages.mid(1));
    model.flush();
    QCOMPARE(allTopics(model), expectedNodes);
    QCOMPARE(model.rowCount(), topLevelRows);
    QCOMPARE(model.nodeCount(), expectedNodes.size());
    for (const QString &node : expectedNodes)
        QCOMPARE(model.indexOfTopic(node).data(TopicTreeModel::TopicRole).toString(), node);
    QVERIFY(!model.indexOfTopic(QStringLiteral("not/there")).isValid());
}

void TestTopicsView::countsAndLastMessageAggregate()
{
    TopicTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.enqueue({record(QStringLiteral("a/b"), "first", false, Now),
                   record(QStringLiteral("a/b"), "second", false, Now + 1000),
                   record(QStringLiteral("a/c"), "third", false, Now + 500)});
    model.flush();
    const QModelIndex a = model.indexOfTopic(QStringLiteral("a"));
    const QModelIndex b = model.indexOfTopic(QStringLiteral("a/b"));
    QCOMPARE(a.data(TopicTreeModel::MessageCountRole).toULongLong(), 3u);
    QCOMPARE(b.data(TopicTreeModel::MessageCountRole).toULongLong(), 2u);
    QCOMPARE(model.topicCount(), 2); // a itself never had a message
    QCOMPARE(model.index(b.row(), TopicTreeModel::Payload, a).data().toString(), QStringLiteral("second"));
    QCOMPARE(model.index(a.row(), TopicTreeModel::Payload).data().toString(), QString()); // not a topic
    QCOMPARE(model.index(a.row(), TopicTreeModel::LastTime).data(TopicTreeModel::SortValueRole).toLongLong(), Now + 1000);
    QCOMPARE(model.index(a.row(), TopicTreeModel::Messages).data().toString(), QLocale().toString(3));

    // Binary payloads show as hex; the stored preview is bounded.
    model.enqueue({record(QStringLiteral("bin"), QByteArray("\x00\x01\xff", 3)),
                   record(QStringLiteral("big"), QByteArray(100'000, 'z'))});
    model.flush();
    QCOMPARE(model.index(model.indexOfTopic(QStringLiteral("bin")).row(), TopicTreeModel::Payload).data().toString(),
             QStringLiteral("00 01 ff"));
    const QModelIndex big = model.index(model.indexOfTopic(QStringLiteral("big")).row(), TopicTreeModel::Payload);
    QVERIFY(big.data().toString().size() <= 80);
    QCOMPARE(big.data(TopicTreeModel::SortValueRole).toLongLong(), 100'000);
}

void TestTopicsView::flushSignalsOncePerParent()
{
    TopicTreeModel model;
    QList<MessageRecord> first;
    for (int i = 0; i < 100; ++i)
        first.append(record(QStringLiteral("p/%1").arg(i)));
    model.enqueue(first);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.flush();
    // "p" is new: one insert at the top level carries its 100 children along.
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(model.indexOfTopic(QStringLiteral("p"))), 100);

    // 50 updates + 30 new children of the now visible "p": one insert block and one
    // dataChanged span for p's children, one for p itself, whatever the record count.
    QList<MessageRecord> second;
    for (int i = 0; i < 50; ++i)
        second.append(record(QStringLiteral("p/%1").arg(i * 2)));
    for (int i = 100; i < 130; ++i)
        second.append(record(QStringLiteral("p/%1").arg(i)));
    inserted.clear();
    changed.clear();
    model.enqueue(second);
    QCOMPARE(model.flush(), 80);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 100); // first, inclusive range (R9)
    QCOMPARE(inserted.at(0).at(2).toInt(), 129); // last = first + 30 - 1
    QCOMPARE(changed.size(), 2);
    for (const QList<QVariant> &signal : changed) {
        const auto topLeft = signal.at(0).toModelIndex();
        const auto bottomRight = signal.at(1).toModelIndex();
        QCOMPARE(topLeft.column(), int(TopicTreeModel::Messages)); // never Name: a sorted proxy keeps its order
        QCOMPARE(bottomRight.column(), TopicTreeModel::ColumnCount - 1);
        if (topLeft.parent().isValid()) {
            QCOMPARE(topLeft.row(), 0);
            QCOMPARE(bottomRight.row(), 98);
        }
    }
    QCOMPARE(model.flush(), 0); // nothing queued: no signals
    QCOMPARE(changed.size(), 2);
}

void TestTopicsView::retainedMarkersFollowLiveMessages_data()
{
    QTest::addColumn<QList<MessageRecord>>("messages");
    QTest::addColumn<bool>("retained");

    QTest::newRow("plain message is not retained") << QList<MessageRecord>{record(QStringLiteral("t"))} << false;
    QTest::newRow("retained message marks the topic MQTT-3.3.1-5")
        << QList<MessageRecord>{record(QStringLiteral("t"), "on", true)} << true;
    QTest::newRow("later non-retained message keeps the marker")
        << QList<MessageRecord>{record(QStringLiteral("t"), "on", true), record(QStringLiteral("t"), "x")} << true;
    QTest::newRow("empty retained payload deletes it MQTT-3.3.1-6")
        << QList<MessageRecord>{record(QStringLiteral("t"), "on", true), record(QStringLiteral("t"), "", true)} << false;
}

void TestTopicsView::retainedMarkersFollowLiveMessages()
{
    QFETCH(QList<MessageRecord>, messages);
    QFETCH(bool, retained);
    TopicTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.enqueue(messages);
    model.flush();
    const QModelIndex t = model.indexOfTopic(QStringLiteral("t"));
    QCOMPARE(t.data(TopicTreeModel::RetainedRole).toBool(), retained);
    QCOMPARE(model.retainedCount(), retained ? 1 : 0);
    QCOMPARE(model.index(t.row(), TopicTreeModel::Retained).data().toString().isEmpty(), !retained);
}

void TestTopicsView::retainedListReplacesMarkers()
{
    TopicTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.enqueue({record(QStringLiteral("a/1"), "x", true), record(QStringLiteral("a/2"), "x", true)});
    model.flush();
    QCOMPARE(model.retainedCount(), 2);
    // The broker's list says a/2 and b/1 are retained (a/1 was cleared by someone else).
    model.enqueueRetainedList({record(QStringLiteral("a/2"), "kept", true, Now - 5000),
                               record(QStringLiteral("b/1"), "stored", true, Now - 5000)});
    model.flush();
    QCOMPARE(model.retainedCount(), 2);
    QVERIFY(!model.indexOfTopic(QStringLiteral("a/1")).data(TopicTreeModel::RetainedRole).toBool());
    QVERIFY(model.indexOfTopic(QStringLiteral("a/2")).data(TopicTreeModel::RetainedRole).toBool());
    QVERIFY(model.indexOfTopic(QStringLiteral("b/1")).data(TopicTreeModel::RetainedRole).toBool());
    QCOMPARE(model.indexOfTopic(QStringLiteral("a")).data(TopicTreeModel::RetainedInSubtreeRole).toInt(), 1);
    // A stored message older than the live one does not replace the live preview.
    const QModelIndex a2 = model.indexOfTopic(QStringLiteral("a/2"));
    QCOMPARE(model.index(a2.row(), TopicTreeModel::Payload, a2.parent()).data().toString(), QStringLiteral("x"));
    // Listed topics count as topics, not as messages seen.
    QCOMPARE(model.indexOfTopic(QStringLiteral("b")).data(TopicTreeModel::MessageCountRole).toULongLong(), 0u);
    const QModelIndex b1 = model.indexOfTopic(QStringLiteral("b/1"));
    QCOMPARE(model.index(b1.row(), TopicTreeModel::Payload, b1.parent()).data().toString(), QStringLiteral("stored"));

    model.enqueueRetainedDeleted({QStringLiteral("b/1"), QStringLiteral("never/seen")});
    model.flush();
    QCOMPARE(model.retainedCount(), 1);
    QCOMPARE(model.indexOfTopic(QStringLiteral("b")).data(TopicTreeModel::RetainedInSubtreeRole).toInt(), 0);
    QVERIFY(!model.indexOfTopic(QStringLiteral("never")).isValid()); // a delete creates no node
}

void TestTopicsView::retainedTopicsUnderSubtree()
{
    TopicTreeModel model;
    model.enqueue({record(QStringLiteral("home"), "x", true), record(QStringLiteral("home/a"), "x", true),
                   record(QStringLiteral("home/b/c"), "x", true), record(QStringLiteral("home/d")),
                   record(QStringLiteral("homework"), "x", true), record(QStringLiteral("other/x"), "x", true)});
    model.flush();
    QCOMPARE(model.retainedTopicsUnder(model.indexOfTopic(QStringLiteral("home"))),
             (QStringList{QStringLiteral("home"), QStringLiteral("home/a"), QStringLiteral("home/b/c")}));
    QCOMPARE(model.retainedTopicsUnder(model.indexOfTopic(QStringLiteral("home/d"))), QStringList());
    QCOMPARE(model.retainedTopicsUnder({}).size(), 5); // the root: everything
}

void TestTopicsView::filterProxy_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("shown");

    const QStringList all{QStringLiteral("devices"), QStringLiteral("devices/a"), QStringLiteral("devices/a/state"),
                          QStringLiteral("devices/b"), QStringLiteral("devices/b/state"), QStringLiteral("devices/b/push"),
                          QStringLiteral("telemetry"), QStringLiteral("telemetry/a")};
    QTest::newRow("empty shows everything") << QString() << all;
    QTest::newRow("substring keeps ancestors")
        << QStringLiteral("push")
        << QStringList{QStringLiteral("devices"), QStringLiteral("devices/b"), QStringLiteral("devices/b/push")};
    QTest::newRow("case-insensitive") << QStringLiteral("TELEMETRY") << QStringList{QStringLiteral("telemetry"), QStringLiteral("telemetry/a")};
    QTest::newRow("single-level wildcard MQTT-4.7.1-3")
        << QStringLiteral("devices/+/state")
        << QStringList{QStringLiteral("devices"), QStringLiteral("devices/a"), QStringLiteral("devices/a/state"),
                       QStringLiteral("devices/b"), QStringLiteral("devices/b/state")};
    QTest::newRow("multi-level wildcard includes the parent MQTT-4.7.1-2")
        << QStringLiteral("telemetry/#") << QStringList{QStringLiteral("telemetry"), QStringLiteral("telemetry/a")};
    QTest::newRow("invalid filter is plain text") << QStringLiteral("a#") << QStringList();
}

void TestTopicsView::filterProxy()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, shown);
    TopicTreeModel model;
    model.enqueue({record(QStringLiteral("devices/a/state")), record(QStringLiteral("devices/b/state")),
                   record(QStringLiteral("devices/b/push")), record(QStringLiteral("telemetry/a"))});
    model.flush();
    TopicFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.setTopicFilter(filter);
    QCOMPARE(allTopics(proxy), shown);
}

void TestTopicsView::viewAppliesBatchesOnItsTimer()
{
    FakeMonitor monitor;
    TopicsView view(monitor);
    QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(monitor.retainedRequests, 1); // a running engine is asked for its retained list at once
    QSignalSpy inserted(view.model(), &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 5; ++i)
        emit monitor.telemetry(messagesBatch({record(QStringLiteral("burst/%1").arg(i))}));
    QCOMPARE(view.model()->rowCount(), 0); // queued, not applied per batch
    QTRY_COMPARE(view.model()->topicCount(), 5);
    QCOMPARE(inserted.size(), 1); // five batches, one model update

    emit monitor.retainedMessages({record(QStringLiteral("burst/1"), "r", true)});
    QTRY_COMPARE(view.model()->retainedCount(), 1);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("topicsStatus"))->text().contains(QStringLiteral("5")));
}

void TestTopicsView::deletesRetainedInBatches()
{
    FakeMonitor monitor;
    TopicsView view(monitor);
    view.setConfirmDeletes(false);
    view.show();
    QList<MessageRecord> retained = retainedFleet(450);
    retained.append(retainedFleet(3, QStringLiteral("keep")));
    emit monitor.retainedMessages(retained);
    view.model()->flush();
    QCOMPARE(view.model()->retainedCount(), 453);
    const int requestsBefore = monitor.retainedRequests;

    QSignalSpy finished(&view, &TopicsView::deleteFinished);
    QCOMPARE(view.deleteRetainedUnder(view.model()->indexOfTopic(QStringLiteral("fleet"))), 450);
    // The first batch goes at once; the rest wait for later ticks so the broker is not flooded.
    QCOMPARE(monitor.deleted.size(), TopicsView::DeleteBatchSize);
    QVERIFY(view.isDeleting());
    auto *progress = view.findChild<QProgressBar *>(QStringLiteral("deleteProgress"));
    QVERIFY(progress->isVisible());
    QCOMPARE(progress->value(), TopicsView::DeleteBatchSize);
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(0).at(0).toInt(), 450);
    QCOMPARE(finished.at(0).at(2).toBool(), false);
    QCOMPARE(monitor.deleted.size(), 450);
    QCOMPARE(QSet<QString>(monitor.deleted.cbegin(), monitor.deleted.cend()).size(), 450); // each once
    QVERIFY(std::all_of(monitor.deleted.cbegin(), monitor.deleted.cend(),
                        [](const QString &topic) { return topic.startsWith(QStringLiteral("fleet/")); }));
    QVERIFY(!progress->isVisible());
    QCOMPARE(view.model()->retainedCount(), 3); // keep/… untouched
    QCOMPARE(monitor.retainedRequests, requestsBefore + 1); // the engine's list settles the markers
}

void TestTopicsView::cancelStopsDeleting()
{
    FakeMonitor monitor;
    TopicsView view(monitor);
    view.setConfirmDeletes(false);
    view.show();
    emit monitor.retainedMessages(retainedFleet(1000));
    view.model()->flush();
    QSignalSpy finished(&view, &TopicsView::deleteFinished);
    view.deleteRetainedUnder(view.model()->indexOfTopic(QStringLiteral("fleet")));
    auto *cancel = view.findChild<QPushButton *>(QStringLiteral("cancelDelete"));
    QVERIFY(cancel->isVisible());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(0).toInt(), TopicsView::DeleteBatchSize);
    QCOMPARE(finished.at(0).at(1).toInt(), 1000);
    QCOMPARE(finished.at(0).at(2).toBool(), true);
    QVERIFY(!view.isDeleting()); // no tick is left to send another batch
    QCOMPARE(monitor.deleted.size(), TopicsView::DeleteBatchSize);
    QCOMPARE(view.model()->retainedCount(), 1000 - TopicsView::DeleteBatchSize);
    const QString status = view.findChild<QLabel *>(QStringLiteral("topicsStatus"))->text();
    QVERIFY2(status.contains(QStringLiteral("200")), qPrintable(status));
}

void TestTopicsView::deleteButtonFollowsSelection()
{
    FakeMonitor monitor;
    TopicsView view(monitor);
    view.setConfirmDeletes(false);
    view.show();
    emit monitor.telemetry(messagesBatch({record(QStringLiteral("plain/topic")),
                                          record(QStringLiteral("lamp/state"), "on", true)}));
    view.model()->flush();
    auto *button = view.findChild<QPushButton *>(QStringLiteral("deleteRetained"));
    QVERIFY(!button->isEnabled()); // nothing selected
    const auto select = [&](const QString &topic) {
        view.tree()->setCurrentIndex(view.proxy()->mapFromSource(view.model()->indexOfTopic(topic)));
    };
    select(QStringLiteral("plain"));
    QVERIFY(!button->isEnabled()); // no retained message below
    select(QStringLiteral("lamp"));
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(monitor.deleted, QStringList{QStringLiteral("lamp/state")});
    QVERIFY(!view.isDeleting()); // one batch was all of it
    QVERIFY(!button->isEnabled());

    // Typing in the filter box narrows the tree once the user pauses.
    auto *filter = view.findChild<QLineEdit *>(QStringLiteral("topicsFilter"));
    QTest::keyClicks(filter, QStringLiteral("lamp"));
    QTRY_COMPARE(allTopics(*view.proxy()), (QStringList{QStringLiteral("lamp"), QStringLiteral("lamp/state")}));
}

void TestTopicsView::fiftyThousandTopics()
{
    // 50,000 topics arriving 500 per telemetry batch, as the engine captures them, into a
    // visible sorted tree. Reports timings; asserts only what the tree holds.
    FakeMonitor monitor;
    TopicsView view(monitor);
    view.resize(900, 600);
    view.show();
    QElapsedTimer total;
    total.start();
    qint64 worstFlushNs = 0;
    for (int batch = 0; batch < 100; ++batch) {
        QList<MessageRecord> messages;
        messages.reserve(500);
        for (int i = 0; i < 500; ++i) {
            const int n = batch * 500 + i;
            messages.append(record(QStringLiteral("site-%1/floor-%2/dev-%3/state").arg(n % 10).arg(n / 10 % 50).arg(n),
                                   "{\"on\":true}", n % 7 == 0));
        }
        emit monitor.telemetry(messagesBatch(messages));
        QElapsedTimer flush;
        flush.start();
        view.model()->flush();
        view.tree()->viewport()->repaint();
        worstFlushNs = std::max(worstFlushNs, flush.nsecsElapsed());
    }
    const qint64 fillMs = total.elapsed();
    QCOMPARE(view.model()->topicCount(), 50'000);
    QCOMPARE(view.model()->retainedCount(), (50'000 + 6) / 7);
    // Updates to topics already in the tree (the steady state under a flood).
    QElapsedTimer update;
    update.start();
    QList<MessageRecord> updates;
    for (int i = 0; i < 500; ++i)
        updates.append(record(QStringLiteral("site-%1/floor-%2/dev-%3/state").arg(i % 10).arg(i / 10 % 50).arg(i), "u"));
    emit monitor.telemetry(messagesBatch(updates));
    view.model()->flush();
    view.tree()->viewport()->repaint();
    const qint64 updateMs = update.elapsed();
    view.tree()->expandAll();
    QElapsedTimer filterClock;
    filterClock.start();
    view.proxy()->setTopicFilter(QStringLiteral("site-3/+/+/state"));
    const qint64 filterMs = filterClock.elapsed();
    QCOMPARE(view.proxy()->rowCount(), 1);
    qInfo("50,000 topics: filled in %lld ms (worst flush+paint %.1f ms), 500 updates %lld ms, wildcard filter %lld ms",
          fillMs, double(worstFlushNs) / 1e6, updateMs, filterMs);
}

void TestTopicsView::screenshot()
{
    ui::installTranslations(QLocale(QStringLiteral("zh_CN")));
    FakeMonitor monitor;
    TopicsView view(monitor);
    view.resize(1000, 420);
    view.show();
    emit monitor.telemetry(messagesBatch({
        record(QStringLiteral("devices/设备-北京-001/push"), "{\"title\":\"推送\"}"),
        record(QStringLiteral("devices/设备-北京-001/state"), "{\"battery\":87}", true),
        record(QStringLiteral("devices/phone-42/state"), "{\"battery\":12}", true),
        record(QStringLiteral("devices/phone-42/receipt"), QByteArray("\x08\x96\x01", 3)),
        record(QStringLiteral("telemetry/site-1/temp"), "21.5"),
        record(QStringLiteral("telemetry/site-1/temp"), "21.7"),
        record(QStringLiteral("$SYS/broker/uptime"), "3600"),
    }));
    view.model()->flush();
    view.tree()->expandAll();
    view.tree()->setCurrentIndex(view.proxy()->mapFromSource(view.model()->indexOfTopic(QStringLiteral("devices"))));
    QVERIFY(view.grab().save(screenshotPath(QStringLiteral("topics-zh_CN.png"))));
    ui::installTranslations(QLocale(QLocale::English));
    QVERIFY(view.grab().save(screenshotPath(QStringLiteral("topics-en.png"))));
}

HERMES_TEST_MAIN(TestTopicsView)
#include "tst_topicsview.moc"
