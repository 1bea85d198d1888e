#include "topic.h"

#include <QStringEncoder>
#include <QVarLengthArray>

namespace hermes::mqtt {

namespace {

// [MQTT-4.7.3-3] Topic names and filters are UTF-8 encoded strings of at most 65,535 bytes.
constexpr qsizetype MaxUtf8Bytes = 65535;

// [MQTT-4.8.2-1] A shared subscription's filter starts with exactly this (case-sensitive).
constexpr QByteArrayView SharePrefix("$share/");

// Where '#' and '+' stand in a non-empty filter, level by level. '#' is the whole last
// level: [MQTT-4.7.1-1] (5.0) = [MQTT-4.7.1-2] (3.1.1); '+' is a whole level:
// [MQTT-4.7.1-2] (5.0) = [MQTT-4.7.1-3] (3.1.1).
std::optional<TopicFault> wildcardFault(QByteArrayView filter)
{
    qsizetype levelStart = 0;
    const qsizetype size = filter.size();
    for (qsizetype i = 0; i <= size; ++i) {
        if (i < size && filter[i] != '/')
            continue;
        const QByteArrayView level = filter.sliced(levelStart, i - levelStart);
        if (level.contains('#') && (level.size() != 1 || i != size))
            return TopicFault::HashNotWholeLastLevel;
        if (level.contains('+') && level.size() != 1)
            return TopicFault::PlusNotWholeLevel;
        levelStart = i + 1;
    }
    return {};
}

// Empty, too long or containing U+0000: the rules names and filters share.
std::optional<TopicFault> stringFault(QByteArrayView utf8)
{
    if (utf8.isEmpty())
        return TopicFault::Empty; // [MQTT-4.7.3-1]
    if (utf8.size() > MaxUtf8Bytes)
        return TopicFault::TooLong; // [MQTT-4.7.3-3], for a shared filter as a whole
    if (utf8.contains('\0'))
        return TopicFault::NullCharacter; // [MQTT-4.7.3-2]
    return {};
}

/*
 * The UTF-8 form of a QString name or filter, on the stack for the usual lengths. A string
 * with an unpaired surrogate has no UTF-8 form [MQTT-1.5.4-1] and is not encodable.
 */
class Utf8Form
{
public:
    explicit Utf8Form(QStringView text)
    {
        QStringEncoder encoder(QStringConverter::Utf8, QStringConverter::Flag::Stateless);
        m_bytes.resize(encoder.requiredSpace(text.size()));
        const char *const end = encoder.appendToBuffer(m_bytes.data(), text);
        m_bytes.resize(end - m_bytes.constData());
        m_encodable = !encoder.hasError();
    }

    bool encodable() const { return m_encodable; }
    QByteArrayView bytes() const { return QByteArrayView(m_bytes.constData(), m_bytes.size()); }

private:
    QVarLengthArray<char, 512> m_bytes;
    bool m_encodable = false;
};

} // namespace

std::optional<TopicFault> topicNameFault(QByteArrayView utf8)
{
    if (const std::optional<TopicFault> fault = stringFault(utf8))
        return fault;
    // [MQTT-3.3.2-2]; [MQTT-4.7.0-1] (5.0) = [MQTT-4.7.1-1] (3.1.1).
    if (utf8.contains('+') || utf8.contains('#'))
        return TopicFault::WildcardInName;
    return {};
}

std::optional<TopicFault> topicFilterFault(QByteArrayView utf8)
{
    if (const std::optional<TopicFault> fault = stringFault(utf8))
        return fault;
    if (!hasSharePrefix(utf8))
        return wildcardFault(utf8);
    // "$share/{ShareName}/{filter}": the ShareName is at least one character
    // [MQTT-4.8.2-1], free of '/', '+' and '#', followed by '/' and a filter [MQTT-4.8.2-2].
    const QByteArrayView rest = utf8.sliced(SharePrefix.size());
    const qsizetype slash = rest.indexOf('/');
    if (slash == 0 || rest.isEmpty())
        return TopicFault::ShareNameEmpty;
    if (slash < 0)
        return TopicFault::ShareNameWithoutFilter;
    const QByteArrayView share = rest.first(slash);
    if (share.contains('+') || share.contains('#'))
        return TopicFault::ShareNameWildcard;
    const QByteArrayView inner = rest.sliced(slash + 1);
    if (inner.isEmpty())
        return TopicFault::ShareFilterEmpty;
    return wildcardFault(inner);
}

bool hasSharePrefix(QByteArrayView utf8Filter)
{
    return utf8Filter.startsWith(SharePrefix);
}

bool isValidTopicName(QStringView topic)
{
    // A cheap bound before encoding: every UTF-16 unit is at least one UTF-8 byte.
    if (topic.size() > MaxUtf8Bytes)
        return false;
    const Utf8Form utf8(topic);
    return utf8.encodable() && !topicNameFault(utf8.bytes());
}

bool isValidTopicFilter(QStringView filter)
{
    if (filter.size() > MaxUtf8Bytes)
        return false;
    const Utf8Form utf8(filter);
    return utf8.encodable() && !topicFilterFault(utf8.bytes());
}

/*
 * Walks filter and topic level by level with two cursors; no allocation, no regex.
 * Cost O(len(filter) + len(topic)). '#' matches the remaining levels including none at
 * all, so "sport/#" matches "sport" (the parent level, 4.7.1.2); '+' matches exactly one
 * level, which may be empty ("+/+" matches "/").
 */
bool topicMatches(QStringView filter, QStringView topic)
{
    if (filter.isEmpty() || topic.isEmpty())
        return false;
    // [MQTT-4.7.2-1] Filters starting with a wildcard do not match topics starting with '$'.
    if (topic.front() == u'$' && (filter.front() == u'+' || filter.front() == u'#'))
        return false;

    const qsizetype filterSize = filter.size();
    const qsizetype topicSize = topic.size();
    qsizetype f = 0;
    qsizetype t = 0;
    bool topicDone = false; // every topic level has been matched
    for (;;) {
        qsizetype fEnd = filter.indexOf(u'/', f);
        if (fEnd < 0)
            fEnd = filterSize;
        const QStringView fLevel = filter.sliced(f, fEnd - f);
        if (fLevel.size() == 1 && fLevel.front() == u'#')
            return true; // the rest of the topic, or nothing
        if (topicDone)
            return false; // the filter wants a level the topic does not have
        qsizetype tEnd = topic.indexOf(u'/', t);
        if (tEnd < 0)
            tEnd = topicSize;
        const bool isPlus = fLevel.size() == 1 && fLevel.front() == u'+';
        if (!isPlus && fLevel != topic.sliced(t, tEnd - t))
            return false;
        const bool filterLast = fEnd == filterSize;
        const bool topicLast = tEnd == topicSize;
        if (filterLast)
            return topicLast;
        topicDone = topicLast;
        f = fEnd + 1;
        t = tEnd + 1;
    }
}

std::optional<SharedFilter> parseSharedFilter(QStringView filter)
{
    // Ordinary filters, the usual case, are told apart without encoding.
    if (!filter.startsWith(QLatin1String(SharePrefix.data(), SharePrefix.size()))
        || !isValidTopicFilter(filter))
        return std::nullopt;
    // A valid share: the group ends at the first '/' after the (ASCII) prefix.
    const QStringView rest = filter.sliced(SharePrefix.size());
    const qsizetype slash = rest.indexOf(u'/');
    return SharedFilter{rest.first(slash).toString(), rest.sliced(slash + 1).toString()};
}

} // namespace hermes::mqtt
