// The SQLite store on real files: round trips, group commit, and every failure reported.
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/store/store.h"

#include "rawclient.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

namespace {

Publish message(const QString &topic, const QByteArray &payload, QoS qos)
{
    Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.properties.contentType = QStringLiteral("application/x-protobuf");
    publish.properties.userProperties = {{QStringLiteral("k"), QStringLiteral("v")}};
    return publish;
}

/// A broker on a free loopback port that keeps its store in `dataDir`; anonymous loopback
/// clients are operators, so they publish on any topic here.
BrokerConfig persistentBroker(const QString &dataDir)
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.dataDir = dataDir;
    config.sysIntervalSeconds = 0;
    config.anonymousRole = Role::Operator;
    return config;
}

Connect connectPacket(const QString &clientId, bool cleanStart)
{
    Connect connect;
    connect.clientId = clientId;
    connect.cleanStart = cleanStart;
    return connect;
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private slots:
    void roundTripsSessionsMessagesAndRetained();
    void uncommittedWritesAreNotVisible();
    void secondOpenOfALockedDatabaseFails();
    void corruptFileIsReported();
    void unwritableDirectoryIsReported();
    void fullDatabaseIsReportedAndLosesNothing();
    void brokerRestartKeepsSessionsAndAcknowledgedMessages();
    void everyAcknowledgedMessageIsQueued();
    void outputWaitsOnlyForTheWritesItRestsOn();
    void messageSentOrDeletedBeforeItsCommitIsWrittenOnce();

private:
    QTemporaryDir m_dir;
};

void TestStore::roundTripsSessionsMessagesAndRetained()
{
    const QString path = m_dir.filePath(QStringLiteral("roundtrip.db"));
    quint64 first = 0;
    quint64 second = 0;
    {
        Store store(path);
        QVERIFY2(store.open(), qPrintable(store.errorString()));
        store.saveSession(QStringLiteral("dev-1"), 3600, ProtocolVersion::V5, 1700000000000);
        store.saveSubscription(QStringLiteral("dev-1"),
                               {QStringLiteral("devices/dev-1/#"), SubscribeOptions{QoS::ExactlyOnce, true, true,
                                                                                    RetainHandling::DoNotSend}, 9});
        first = store.addMessage(QStringLiteral("dev-1"), message(QStringLiteral("devices/dev-1/push"), "a", QoS::AtLeastOnce), std::nullopt);
        second = store.addMessage(QStringLiteral("dev-1"), message(QStringLiteral("devices/dev-1/push"), "b", QoS::ExactlyOnce), 1800000000000);
        store.markMessageSent(first, 17, OutboundStage::AwaitingPuback);
        store.addInboundAwaitingRelease(QStringLiteral("dev-1"), 5);
        store.saveRetained(message(QStringLiteral("config/x"), "r", QoS::AtLeastOnce), std::nullopt, 1700000000001);
        QCOMPARE(store.pendingWriteCount(), 6); // the mark-sent joined its message's INSERT
        QVERIFY2(store.commit(), qPrintable(store.errorString()));
        QVERIFY(!store.hasPendingWrites());
    }
    Store store(path);
    QVERIFY(store.open());
    const QList<StoredSession> sessions = store.loadSessions();
    QCOMPARE(sessions.size(), 1);
    const StoredSession &session = sessions.first();
    QCOMPARE(session.clientId, QStringLiteral("dev-1"));
    QCOMPARE(session.expirySeconds, 3600u);
    QCOMPARE(session.version, ProtocolVersion::V5);
    QCOMPARE(session.disconnectedAtMs, 1700000000000);
    QCOMPARE(session.subscriptions.size(), 1);
    QCOMPARE(session.subscriptions.first().options.retainHandling, RetainHandling::DoNotSend);
    QCOMPARE(session.subscriptions.first().subscriptionIdentifier, std::optional<quint32>(9));
    QCOMPARE(session.messages.size(), 2);
    QCOMPARE(session.messages.at(0).tag, first);
    QCOMPARE(session.messages.at(0).packetId, std::optional<quint16>(17));
    QCOMPARE(session.messages.at(0).publish.payload, QByteArray("a"));
    QCOMPARE(session.messages.at(0).publish.properties.contentType, QStringLiteral("application/x-protobuf"));
    QCOMPARE(session.messages.at(1).tag, second);
    QCOMPARE(session.messages.at(1).packetId, std::nullopt);
    QCOMPARE(session.messages.at(1).publish.qos, QoS::ExactlyOnce);
    QCOMPARE(session.messages.at(1).expiresAtMs, std::optional<qint64>(1800000000000));
    QCOMPARE(session.inboundAwaitingRelease, QList<quint16>{5});
    QCOMPARE(session.nextPacketId, 18);
    const QList<StoredRetained> retained = store.loadRetained();
    QCOMPARE(retained.size(), 1);
    QCOMPARE(retained.first().publish.topic, QStringLiteral("config/x"));
    QCOMPARE(retained.first().publish.payload, QByteArray("r"));
}

void TestStore::uncommittedWritesAreNotVisible()
{
    const QString path = m_dir.filePath(QStringLiteral("uncommitted.db"));
    {
        Store store(path);
        QVERIFY(store.open());
        store.saveSession(QStringLiteral("a"), 10, ProtocolVersion::V3_1_1, 0);
        QVERIFY(store.commit());
        store.saveSession(QStringLiteral("b"), 10, ProtocolVersion::V3_1_1, 0);
        QCOMPARE(store.loadSessions().size(), 1); // "b" is only queued
        QVERIFY(store.commit());
        QCOMPARE(store.loadSessions().size(), 2);
        store.deleteSession(QStringLiteral("a"));
        QVERIFY(store.commit());
    }
    Store reopened(path);
    QVERIFY(reopened.open());
    const auto sessions = reopened.loadSessions();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions.first().clientId, QStringLiteral("b"));
}

void TestStore::secondOpenOfALockedDatabaseFails()
{
    const QString path = m_dir.filePath(QStringLiteral("locked.db"));
    Store first(path);
    QVERIFY(first.open());
    // A second broker on the same data dir must be refused with a reason, not hang or
    // corrupt the first one's data.
    Store second(path);
    QVERIFY(!second.open());
    QVERIFY2(second.errorString().contains(QStringLiteral("locked")), qPrintable(second.errorString()));
    QVERIFY2(second.errorString().contains(path), qPrintable(second.errorString()));
}

void TestStore::corruptFileIsReported()
{
    const QString path = m_dir.filePath(QStringLiteral("corrupt.db"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(8192, 'x'));
    file.close();
    Store store(path);
    QVERIFY(!store.open());
    QVERIFY2(store.errorString().contains(path), qPrintable(store.errorString()));
    QVERIFY2(!store.errorString().isEmpty(), "an error text is expected");
}

void TestStore::unwritableDirectoryIsReported()
{
    QFile blocker(m_dir.filePath(QStringLiteral("not-a-dir")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    Store store(m_dir.filePath(QStringLiteral("not-a-dir/hermes.db")));
    QVERIFY(!store.open());
    QVERIFY2(store.errorString().contains(QStringLiteral("not-a-dir")), qPrintable(store.errorString()));
}

void TestStore::fullDatabaseIsReportedAndLosesNothing()
{
    const QString path = m_dir.filePath(QStringLiteral("full.db"));
    Store store(path);
    QVERIFY(store.open());
    store.saveSession(QStringLiteral("dev-1"), 3600, ProtocolVersion::V3_1_1, 0);
    QVERIFY(store.commit());
    QVERIFY(store.limitSize(96 * 1024));
    for (int i = 0; i < 100; ++i)
        store.addMessage(QStringLiteral("dev-1"), message(QStringLiteral("devices/dev-1/push"), QByteArray(4096, char('a' + i % 26)), QoS::AtLeastOnce), std::nullopt);
    const qsizetype queued = store.pendingWriteCount();
    QVERIFY(!store.commit());
    QVERIFY2(store.errorString().contains(QStringLiteral("full")), qPrintable(store.errorString()));
    QVERIFY2(store.errorString().contains(path), qPrintable(store.errorString()));
    // Nothing was dropped: the writes wait for the next commit.
    QCOMPARE(store.pendingWriteCount(), queued);
    QCOMPARE(store.loadSessions().first().messages.size(), 0);

    // Space comes back (the operator freed the disk): the same writes go through.
    QVERIFY(store.limitSize(64 * 1024 * 1024));
    QVERIFY2(store.commit(), qPrintable(store.errorString()));
    QCOMPARE(store.loadSessions().first().messages.size(), 100);
}

void TestStore::brokerRestartKeepsSessionsAndAcknowledgedMessages()
{
    QTemporaryDir dataDir;
    BrokerConfig config = persistentBroker(dataDir.path());
    quint16 port = 0;
    // v5 keeps a session only with a Session Expiry Interval [MQTT-3.1.2-23 (v5)].
    Connect persistentV5 = connectPacket(QStringLiteral("dev-9"), false);
    persistentV5.properties.sessionExpiryInterval = 3600;
    {
        Broker broker(config);
        QVERIFY2(broker.start(), qPrintable(broker.errorString()));
        port = broker.listenAddresses().first().port;
        RawClient device(ProtocolVersion::V5);
        QVERIFY(device.connectTo(port));
        QVERIFY(device.handshake(persistentV5));
        Subscribe subscribe;
        subscribe.packetId = 1;
        subscribe.subscriptions = {{QStringLiteral("devices/dev-9/push"), SubscribeOptions{QoS::AtLeastOnce}}};
        device.send(subscribe);
        QVERIFY(device.waitFor(PacketType::Suback));
        device.send(Disconnect{});
        QVERIFY(device.waitForClosed());

        RawClient publisher(ProtocolVersion::V5);
        QVERIFY(publisher.connectTo(port));
        QVERIFY(publisher.handshake(connectPacket(QStringLiteral("operator"), true)));
        Publish publish = message(QStringLiteral("devices/dev-9/push"), "kept", QoS::AtLeastOnce);
        publish.packetId = 3;
        publisher.send(publish);
        QVERIFY(publisher.waitFor(PacketType::Puback));
        Publish retained = message(QStringLiteral("config/dev-9"), "retained", QoS::AtMostOnce);
        retained.retain = true;
        publisher.send(retained);
        QTRY_COMPARE(broker.retained().size(), 1);
        // Stopping commits whatever the last turn queued.
    }
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    Broker restarted(config);
    QVERIFY2(restarted.start(), qPrintable(restarted.errorString()));
    QCOMPARE(restarted.retained().size(), 1);
    const auto detail = restarted.sessionDetail(QStringLiteral("dev-9"));
    QVERIFY(detail);
    QCOMPARE(detail->info.queued, 1);
    QCOMPARE(detail->subscriptions.size(), 1);

    RawClient device(ProtocolVersion::V5);
    QVERIFY(device.connectTo(restarted.listenAddresses().first().port));
    const auto connack = device.handshake(persistentV5);
    QVERIFY(connack);
    QCOMPARE(connack->sessionPresent, true);
    const auto delivered = device.waitFor(PacketType::Publish);
    QVERIFY(delivered);
    QCOMPARE(std::get<Publish>(*delivered).payload, QByteArray("kept"));
    QCOMPARE(std::get<Publish>(*delivered).properties.contentType, QStringLiteral("application/x-protobuf"));
}

void TestStore::everyAcknowledgedMessageIsQueued()
{
    QTemporaryDir dataDir;
    BrokerConfig config = persistentBroker(dataDir.path());
    Broker broker(config);
    QVERIFY(broker.start());
    const quint16 port = broker.listenAddresses().first().port;
    RawClient device;
    QVERIFY(device.connectTo(port));
    QVERIFY(device.handshake(connectPacket(QStringLiteral("dev-1"), false)));
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {{QStringLiteral("devices/dev-1/push"), SubscribeOptions{QoS::AtLeastOnce}}};
    device.send(subscribe);
    QVERIFY(device.waitFor(PacketType::Suback));
    device.send(Disconnect{});
    QVERIFY(device.waitForClosed());

    // The kill -9 proof that an acknowledged message is on disk is tst_durability; this
    // checks the held acknowledgements are all released, in order, with nothing lost.
    RawClient publisher;
    QVERIFY(publisher.connectTo(port));
    QVERIFY(publisher.handshake(connectPacket(QStringLiteral("operator"), true)));
    for (quint16 id = 1; id <= 50; ++id) {
        Publish publish = message(QStringLiteral("devices/dev-1/push"), QByteArray::number(id), QoS::AtLeastOnce);
        publish.packetId = id;
        publisher.send(publish);
    }
    int acked = 0;
    while (acked < 50 && publisher.waitFor(PacketType::Puback))
        ++acked;
    QCOMPARE(acked, 50);
    QCOMPARE(broker.sessionDetail(QStringLiteral("dev-1"))->info.queued, 50);
}

// While a commit cannot go through (a full disk here), what rests on the uncommitted write
// waits: the publisher's PUBACK and the persistent device's copy. Traffic that wrote nothing
// (a clean session's QoS 1 flow, a PINGRESP) goes on; nothing is lost once space returns.
void TestStore::outputWaitsOnlyForTheWritesItRestsOn()
{
    QTemporaryDir dataDir;
    BrokerConfig config = persistentBroker(dataDir.path());
    Broker broker(config);
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    const quint16 port = broker.listenAddresses().first().port;
    const auto subscribe = [](RawClient &client, const QString &filter) {
        Subscribe request;
        request.packetId = 1;
        request.subscriptions = {{filter, SubscribeOptions{QoS::AtLeastOnce}}};
        client.send(request);
        return client.waitFor(PacketType::Suback).has_value();
    };

    RawClient device;
    QVERIFY(device.connectTo(port));
    QVERIFY(device.handshake(connectPacket(QStringLiteral("dev-1"), false)));
    QVERIFY(subscribe(device, QStringLiteral("devices/dev-1/push")));
    RawClient watcher;
    QVERIFY(watcher.connectTo(port));
    QVERIFY(watcher.handshake(connectPacket(QStringLiteral("watcher"), true)));
    QVERIFY(subscribe(watcher, QStringLiteral("telemetry/#")));
    RawClient pusher;
    QVERIFY(pusher.connectTo(port));
    QVERIFY(pusher.handshake(connectPacket(QStringLiteral("pusher"), true)));
    RawClient reporter;
    QVERIFY(reporter.connectTo(port));
    QVERIFY(reporter.handshake(connectPacket(QStringLiteral("reporter"), true)));
    QTRY_VERIFY(!broker.store()->hasPendingWrites());

    QVERIFY(broker.store()->limitSize(96 * 1024));
    QSignalSpy storeErrors(&broker, &Broker::storeError);
    Publish push = message(QStringLiteral("devices/dev-1/push"), QByteArray(256 * 1024, 'p'), QoS::AtLeastOnce);
    push.packetId = 7;
    pusher.send(push);
    QVERIFY(storeErrors.wait());
    QVERIFY(broker.store()->hasPendingWrites());

    Publish reading = message(QStringLiteral("telemetry/dev-2"), "21.5", QoS::AtLeastOnce);
    reading.packetId = 8;
    reporter.send(reading);
    QVERIFY2(reporter.waitFor(PacketType::Puback), "a flow that wrote nothing waited for another's commit");
    QVERIFY(watcher.waitFor(PacketType::Publish));
    reporter.send(Pingreq{});
    QVERIFY(reporter.waitFor(PacketType::Pingresp));
    // The full disk still holds the push back: no PUBACK says it is safe, no copy went out.
    QVERIFY(broker.store()->hasPendingWrites());
    QVERIFY(pusher.takeReceived().isEmpty());
    QVERIFY(device.takeReceived().isEmpty());

    QVERIFY(broker.store()->limitSize(64 * 1024 * 1024));
    const auto acknowledged = pusher.waitFor(PacketType::Puback);
    QVERIFY(acknowledged);
    QCOMPARE(std::get<Puback>(*acknowledged).packetId, quint16(7));
    const auto delivered = device.waitFor(PacketType::Publish);
    QVERIFY(delivered);
    QCOMPARE(std::get<Publish>(*delivered).payload.size(), 256 * 1024);
}

// Most persistent deliveries are sent in the turn they arrive: the commit writes the row as it
// stands then (sent, with its packet id and stage), and a message deleted before its commit
// is not written at all; one sent after its commit is updated as before.
void TestStore::messageSentOrDeletedBeforeItsCommitIsWrittenOnce()
{
    const QString path = m_dir.filePath(QStringLiteral("coalesced.db"));
    Store store(path);
    QVERIFY2(store.open(), qPrintable(store.errorString()));
    store.saveSession(QStringLiteral("dev-1"), 3600, ProtocolVersion::V5, 0);
    const quint64 sent = store.addMessage(QStringLiteral("dev-1"), message(QStringLiteral("t/a"), "a", QoS::ExactlyOnce), std::nullopt);
    store.markMessageSent(sent, 11, OutboundStage::AwaitingPubrec);
    store.markMessageSent(sent, 11, OutboundStage::AwaitingPubcomp);
    const quint64 gone = store.addMessage(QStringLiteral("dev-1"), message(QStringLiteral("t/b"), "b", QoS::AtLeastOnce), std::nullopt);
    store.markMessageSent(gone, 12, OutboundStage::AwaitingPuback);
    store.deleteMessage(gone);
    const quint64 queued = store.addMessage(QStringLiteral("dev-1"), message(QStringLiteral("t/c"), "c", QoS::AtLeastOnce), std::nullopt);
    QVERIFY2(store.commit(), qPrintable(store.errorString()));

    QList<StoredSession> sessions = store.loadSessions();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions.first().messages.size(), 2);
    const StoredSession::Message &first = sessions.first().messages.at(0);
    QCOMPARE(first.tag, sent);
    QCOMPARE(first.packetId, std::optional<quint16>(11));
    QCOMPARE(first.stage, OutboundStage::AwaitingPubcomp);
    const StoredSession::Message &second = sessions.first().messages.at(1);
    QCOMPARE(second.tag, queued);
    QVERIFY(!second.packetId);

    // After its commit a row is changed in place.
    store.markMessageSent(queued, 13, OutboundStage::AwaitingPuback);
    store.deleteMessage(sent);
    QVERIFY2(store.commit(), qPrintable(store.errorString()));
    sessions = store.loadSessions();
    QCOMPARE(sessions.first().messages.size(), 1);
    QCOMPARE(sessions.first().messages.first().packetId, std::optional<quint16>(13));
}

HERMES_TEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
