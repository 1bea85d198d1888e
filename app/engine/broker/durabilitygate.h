#pragma once
/// The broker's promise to clients: nothing leaves that says more than the disk holds.
/// Owns the store and commits what a turn of the event loop wrote as one transaction
/// (group commit); while writes wait, connections hold their output, and the commit
/// releases it.

#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

namespace hermes {

class Connection;
class Store;

class DurabilityGate : public QObject
{
    Q_OBJECT
public:
    explicit DurabilityGate(QObject *parent = nullptr);
    ~DurabilityGate() override;

    /// Null when persistence is off.
    Store *store() const { return m_store.get(); }
    void setStore(std::unique_ptr<Store> store);

    /// Commits at the end of this event-loop turn (once, however often it is asked).
    void scheduleCommit();
    /// Commits at once and releases held output; on failure keeps it held and retries.
    void commit();
    /// True while the store holds uncommitted writes: output must wait for the commit.
    bool mustHoldOutput() const;
    /// `connection` has output held for the next commit; called when its held output
    /// stops being empty.
    void holdUntilCommit(Connection &connection);
    /// The connection is about to be deleted.
    void forget(Connection &connection);

signals:
    /// The store failed (locked, corrupt, full disk); reported once until a commit succeeds.
    void storeError(const QString &message);

private:
    std::unique_ptr<Store> m_store;
    /// Connections with output held for the commit (a deleted one leaves the list first).
    QList<Connection *> m_awaitingCommit;
    QTimer m_retry;
    bool m_commitScheduled = false;
    bool m_failing = false;
};

} // namespace hermes
