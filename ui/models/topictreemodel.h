#pragma once
/// The Topics view's model: a tree of every topic seen (one node per topic level), fed by
/// telemetry message records and the broker's retained list.

#include "engine/api/telemetry.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QSet>

#include <memory>
#include <optional>
#include <vector>

namespace hermes::ui {

/// Records are queued by enqueue() and applied by flush(), which the owner calls from a
/// timer (at most ~10 times a second, R8): a flush costs one insert block per parent that
/// gained children and one dataChanged span per parent whose children changed, whatever
/// the number of records. Children keep their arrival order (the view sorts through a
/// proxy), so rows never move.
class TopicTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { Name, Messages, Retained, LastTime, Payload, ColumnCount };
    enum Role {
        /// The node's full topic name ("a/b/c"); levels may be empty ("a//c", "/x").
        TopicRole = Qt::UserRole + 1,
        /// Raw value for sorting: text for Name and Payload, numbers otherwise.
        SortValueRole,
        /// bool: a retained message is stored on exactly this topic.
        RetainedRole,
        /// int: retained topics in the subtree, this node included.
        RetainedInSubtreeRole,
        /// quint64: messages seen on the subtree, this node included.
        MessageCountRole,
    };

    /// Payload bytes kept per topic for the preview (the Messages view keeps whole ones).
    static constexpr qsizetype PreviewBytes = 256;

    explicit TopicTreeModel(QObject *parent = nullptr);
    ~TopicTreeModel() override;

    /// Queues live messages; nothing changes until flush().
    void enqueue(const QList<MessageRecord> &messages);
    /// Queues the broker's full retained list: after the next flush exactly these topics
    /// carry the retained marker.
    void enqueueRetainedList(const QList<MessageRecord> &retained);
    /// Marks topics as no longer retained at the next flush (after a delete was sent).
    void enqueueRetainedDeleted(const QStringList &topics);
    bool hasPending() const;
    /// Applies everything queued. Returns the number of records applied.
    qsizetype flush();
    void clear();

    /// Topics (nodes that had a message or a retained message) and all nodes.
    qsizetype topicCount() const { return m_topicCount; }
    qsizetype nodeCount() const { return m_nodeCount; }
    qsizetype retainedCount() const { return m_retained.size(); }

    /// Index of a full topic name (column 0), or invalid when not in the tree.
    QModelIndex indexOfTopic(const QString &topic) const;
    /// Retained topics in the subtree under `index` (itself included), in tree order.
    QStringList retainedTopicsUnder(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Node;

    Node *nodeFor(const QModelIndex &index) const;
    QModelIndex indexFor(const Node *node, int column = 0) const;
    Node *findOrCreate(const QString &topic);
    void applyMessage(const MessageRecord &message, bool seen);
    void setRetained(Node *node, bool retained);
    void markChanged(Node *node);
    QString fullTopic(const Node *node) const;

    std::unique_ptr<Node> m_root;
    QList<MessageRecord> m_pendingMessages;
    std::optional<QList<MessageRecord>> m_pendingRetainedList;
    QStringList m_pendingDeleted;
    /// Attached parents that gained detached children during the current flush.
    QList<Node *> m_growingParents;
    /// Attached nodes whose columns changed during the current flush.
    QSet<Node *> m_changed;
    QSet<Node *> m_retained;
    qsizetype m_topicCount = 0;
    qsizetype m_nodeCount = 0;
};

} // namespace hermes::ui
