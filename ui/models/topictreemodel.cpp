#include "topictreemodel.h"

#include "payloadtext.h"
#include "sessiontablemodel.h"

#include <QDateTime>

#include <algorithm>

namespace hermes::ui {

struct TopicTreeModel::Node {
    QString name;                 ///< this level
    QString topic;                ///< the full topic name: filters read it for every node
    Node *parent = nullptr;
    int row = -1;                 ///< in parent->children, once attached
    bool attached = false;        ///< visible through the model
    bool isTopic = false;         ///< had a message or a retained message
    bool retained = false;
    int retainedInSubtree = 0;
    quint64 ownMessages = 0;
    quint64 subtreeMessages = 0;
    qint64 ownLastMs = 0;
    qint64 subtreeLastMs = 0;
    QByteArray payload;           ///< first PreviewBytes of the last payload
    qsizetype payloadSize = 0;
    std::vector<std::unique_ptr<Node>> children;
    /// Children created during a flush under an attached node; inserted as one block.
    std::vector<std::unique_ptr<Node>> detached;
    QHash<QString, Node *> byName;
};

TopicTreeModel::TopicTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{
    m_root->attached = true;
}

TopicTreeModel::~TopicTreeModel() = default;

void TopicTreeModel::enqueue(const QList<MessageRecord> &messages)
{
    m_pendingMessages.append(messages);
}

void TopicTreeModel::enqueueRetainedList(const QList<MessageRecord> &retained)
{
    m_pendingRetainedList = retained;
}

void TopicTreeModel::enqueueRetainedDeleted(const QStringList &topics)
{
    m_pendingDeleted.append(topics);
}

bool TopicTreeModel::hasPending() const
{
    return !m_pendingMessages.isEmpty() || m_pendingRetainedList || !m_pendingDeleted.isEmpty();
}

qsizetype TopicTreeModel::flush()
{
    qsizetype applied = 0;
    // The retained list is a snapshot from before the queued live messages arrived (they
    // were requested earlier), so it goes first and newer messages win.
    if (m_pendingRetainedList) {
        QSet<QString> listed;
        listed.reserve(m_pendingRetainedList->size());
        for (const MessageRecord &record : std::as_const(*m_pendingRetainedList))
            listed.insert(record.topic);
        const QSet<Node *> before = m_retained;
        for (Node *node : before) {
            if (!listed.contains(fullTopic(node)))
                setRetained(node, false);
        }
        for (const MessageRecord &record : std::as_const(*m_pendingRetainedList))
            applyMessage(record, false);
        applied += m_pendingRetainedList->size();
        m_pendingRetainedList.reset();
    }
    for (const QString &topic : std::as_const(m_pendingDeleted)) {
        const QModelIndex index = indexOfTopic(topic);
        if (Node *node = index.isValid() ? nodeFor(index) : nullptr)
            setRetained(node, false);
    }
    applied += m_pendingDeleted.size();
    m_pendingDeleted.clear();
    for (const MessageRecord &message : std::as_const(m_pendingMessages))
        applyMessage(message, true);
    applied += m_pendingMessages.size();
    m_pendingMessages.clear();

    // New nodes: one insert block per parent that was already visible.
    for (Node *parent : std::as_const(m_growingParents)) {
        const int first = int(parent->children.size());
        const int count = int(parent->detached.size());
        beginInsertRows(indexFor(parent), first, first + count - 1);
        for (auto &child : parent->detached) {
            child->row = int(parent->children.size());
            // The whole subtree under a new child becomes visible with it.
            std::vector<Node *> stack{child.get()};
            while (!stack.empty()) {
                Node *node = stack.back();
                stack.pop_back();
                node->attached = true;
                for (const auto &grandChild : node->children)
                    stack.push_back(grandChild.get());
            }
            parent->children.push_back(std::move(child));
        }
        parent->detached.clear();
        endInsertRows();
    }
    m_growingParents.clear();

    // Changed nodes: one dataChanged span per parent.
    QHash<Node *, std::pair<int, int>> spans;
    for (Node *node : std::as_const(m_changed)) {
        auto it = spans.find(node->parent);
        if (it == spans.end())
            spans.insert(node->parent, {node->row, node->row});
        else
            *it = {std::min(it->first, node->row), std::max(it->second, node->row)};
    }
    m_changed.clear();
    for (auto it = spans.cbegin(); it != spans.cend(); ++it) {
        const QModelIndex parent = indexFor(it.key());
        // Name never changes, so a proxy sorted by name need not move rows.
        emit dataChanged(index(it->first, Messages, parent), index(it->second, ColumnCount - 1, parent));
    }
    return applied;
}

void TopicTreeModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->attached = true;
    m_pendingMessages.clear();
    m_pendingRetainedList.reset();
    m_pendingDeleted.clear();
    m_growingParents.clear();
    m_changed.clear();
    m_retained.clear();
    m_topicCount = 0;
    m_nodeCount = 0;
    endResetModel();
}

TopicTreeModel::Node *TopicTreeModel::findOrCreate(const QString &topic)
{
    Node *node = m_root.get();
    for (const QStringView level : QStringView(topic).split(QLatin1Char('/'))) {
        const QString name = level.toString();
        if (Node *child = node->byName.value(name)) {
            node = child;
            continue;
        }
        auto created = std::make_unique<Node>();
        created->name = name;
        created->topic = node == m_root.get() ? name : node->topic + QLatin1Char('/') + name;
        created->parent = node;
        Node *child = created.get();
        node->byName.insert(name, child);
        if (node->attached) {
            if (node->detached.empty())
                m_growingParents.append(node);
            node->detached.push_back(std::move(created));
        } else {
            child->row = int(node->children.size());
            node->children.push_back(std::move(created));
        }
        ++m_nodeCount;
        node = child;
    }
    return node;
}

void TopicTreeModel::applyMessage(const MessageRecord &message, bool seen)
{
    Node *node = findOrCreate(message.topic);
    if (!node->isTopic) {
        node->isTopic = true;
        ++m_topicCount;
    }
    // A retained list entry is older than anything seen live on the same topic.
    if (seen || message.atMs >= node->ownLastMs) {
        node->payload = message.payload.left(PreviewBytes);
        node->payloadSize = message.payloadSize;
        node->ownLastMs = std::max(node->ownLastMs, message.atMs);
    }
    if (seen)
        ++node->ownMessages;
    for (Node *n = node; n && n != m_root.get(); n = n->parent) {
        if (seen)
            ++n->subtreeMessages;
        n->subtreeLastMs = std::max(n->subtreeLastMs, message.atMs);
        markChanged(n);
    }
    // A retained PUBLISH with an empty payload deletes the retained message [MQTT-3.3.1-6].
    if (message.retain || !seen)
        setRetained(node, message.payloadSize > 0 || !seen);
}

void TopicTreeModel::setRetained(Node *node, bool retained)
{
    if (node->retained == retained)
        return;
    node->retained = retained;
    if (retained)
        m_retained.insert(node);
    else
        m_retained.remove(node);
    const int delta = retained ? 1 : -1;
    for (Node *n = node; n && n != m_root.get(); n = n->parent) {
        n->retainedInSubtree += delta;
        markChanged(n);
    }
}

void TopicTreeModel::markChanged(Node *node)
{
    // Nodes not yet visible are inserted with their current values.
    if (node->attached)
        m_changed.insert(node);
}

QString TopicTreeModel::fullTopic(const Node *node) const
{
    return node->topic;
}

QModelIndex TopicTreeModel::indexOfTopic(const QString &topic) const
{
    const Node *node = m_root.get();
    for (const QStringView level : QStringView(topic).split(QLatin1Char('/'))) {
        node = node->byName.value(level.toString());
        if (!node || !node->attached)
            return {};
    }
    return indexFor(node);
}

QStringList TopicTreeModel::retainedTopicsUnder(const QModelIndex &index) const
{
    QStringList topics;
    const Node *top = index.isValid() ? nodeFor(index) : m_root.get();
    if (!top || (top != m_root.get() && top->retainedInSubtree == 0))
        return topics;
    // Depth first, skipping subtrees without retained messages.
    std::vector<const Node *> stack{top};
    while (!stack.empty()) {
        const Node *node = stack.back();
        stack.pop_back();
        if (node->retained)
            topics.append(fullTopic(node));
        for (auto it = node->children.crbegin(); it != node->children.crend(); ++it) {
            if ((*it)->retainedInSubtree > 0)
                stack.push_back(it->get());
        }
    }
    return topics;
}

TopicTreeModel::Node *TopicTreeModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex TopicTreeModel::indexFor(const Node *node, int column) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row, column, const_cast<Node *>(node));
}

QModelIndex TopicTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0))
        return {};
    const Node *node = nodeFor(parent);
    if (row < 0 || row >= int(node->children.size()))
        return {};
    return createIndex(row, column, node->children[size_t(row)].get());
}

QModelIndex TopicTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent);
}

int TopicTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int TopicTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool TopicTreeModel::hasChildren(const QModelIndex &parent) const
{
    return rowCount(parent) > 0;
}

QVariant TopicTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *node = nodeFor(index);
    switch (role) {
    case TopicRole:
        return fullTopic(node);
    case RetainedRole:
        return node->retained;
    case RetainedInSubtreeRole:
        return node->retainedInSubtree;
    case MessageCountRole:
        return node->subtreeMessages;
    case SortValueRole:
        switch (Column(index.column())) {
        case Name: return node->name;
        case Messages: return node->subtreeMessages;
        case Retained: return node->retainedInSubtree;
        case LastTime: return node->subtreeLastMs;
        case Payload: return node->payloadSize;
        case ColumnCount: break;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Messages)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Payload && node->isTopic)
            return payloadPreview(node->payload, PreviewBytes);
        return fullTopic(node);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case Name:
        return node->name.isEmpty() ? tr("(empty level)") : node->name;
    case Messages:
        return node->subtreeMessages > 0 ? QLocale().toString(node->subtreeMessages) : QString();
    case Retained:
        if (node->retained)
            return node->retainedInSubtree > 1 ? tr("yes, %n in subtree", nullptr, node->retainedInSubtree) : tr("yes");
        return node->retainedInSubtree > 0 ? tr("%n below", nullptr, node->retainedInSubtree) : QString();
    case LastTime:
        return node->subtreeLastMs > 0
            ? SessionTableModel::timeText(node->subtreeLastMs, QDateTime::currentMSecsSinceEpoch())
            : QString();
    case Payload:
        if (!node->isTopic)
            return QString();
        if (node->payloadSize == 0)
            return tr("(empty)");
        return payloadPreview(node->payload, 80);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant TopicTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Name: return tr("Topic");
    case Messages: return tr("Messages");
    case Retained: return tr("Retained");
    case LastTime: return tr("Last message");
    case Payload: return tr("Last payload");
    case ColumnCount: break;
    }
    return {};
}

} // namespace hermes::ui
