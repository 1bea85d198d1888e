#include "topic.h"

namespace hermes::mqtt {

namespace {

// [MQTT-4.7.3-3] Topic names and filters are UTF-8 encoded strings of at most 65,535 bytes.
constexpr qsizetype MaxUtf8Bytes = 65535;

// [MQTT-4.8.2-1] A shared subscription's filter starts with exactly this (case-sensitive).
constexpr QStringView SharePrefix = u"$share/";

enum class Wildcards { Forbidden, Allowed };

/*
 * One pass over the UTF-16 units: rejects U+0000 [MQTT-4.7.3-2] and unpaired surrogates
 * (they have no UTF-8 form [MQTT-1.5.4-1]), checks where '+' and '#' stand, and counts the
 * UTF-8 length without converting. Returns that length, or -1 when the string is not
 * acceptable. O(n), no allocation.
 */
qsizetype scanLevels(QStringView s, Wildcards wildcards)
{
    const qsizetype n = s.size();
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = s[i].unicode();
        if (c < 0x80) {
            if (c == 0)
                return -1; // [MQTT-4.7.3-2]
            if (c == u'+' || c == u'#') {
                if (wildcards == Wildcards::Forbidden)
                    return -1; // [MQTT-4.7.0-1] v5, [MQTT-4.7.1-1] v3.1.1: not in a topic name
                const bool startsLevel = i == 0 || s[i - 1] == u'/';
                const bool endsLevel = i + 1 == n || s[i + 1] == u'/';
                // '+' occupies a whole level: [MQTT-4.7.1-2] v5, [MQTT-4.7.1-3] v3.1.1.
                if (c == u'+' && !(startsLevel && endsLevel))
                    return -1;
                // '#' is a whole level and the last character: [MQTT-4.7.1-1] v5,
                // [MQTT-4.7.1-2] v3.1.1.
                if (c == u'#' && !(startsLevel && i + 1 == n))
                    return -1;
            }
            bytes += 1;
        } else if (c < 0x800) {
            bytes += 2;
        } else if (QChar::isHighSurrogate(c)) {
            if (i + 1 == n || !QChar::isLowSurrogate(s[i + 1].unicode()))
                return -1;
            bytes += 4;
            ++i;
        } else if (QChar::isLowSurrogate(c)) {
            return -1;
        } else {
            bytes += 3;
        }
    }
    return bytes;
}

struct ShareParts {
    QStringView group;
    QStringView filter;
};

// Splits "$share/{group}/{filter}" and checks the parts, or nullopt. Caller checked the prefix.
std::optional<ShareParts> splitShare(QStringView filter)
{
    const QStringView rest = filter.sliced(SharePrefix.size());
    const qsizetype slash = rest.indexOf(u'/');
    // [MQTT-4.8.2-1] The ShareName is at least one character long; [MQTT-4.8.2-2] it is
    // followed by '/' and a topic filter.
    if (slash <= 0 || slash + 1 == rest.size())
        return std::nullopt;
    const ShareParts parts{rest.first(slash), rest.sliced(slash + 1)};
    // [MQTT-4.8.2-2] The ShareName contains no '/', '+' or '#' ('/' is ruled out by the split).
    const qsizetype groupBytes = scanLevels(parts.group, Wildcards::Forbidden);
    const qsizetype filterBytes = scanLevels(parts.filter, Wildcards::Allowed);
    if (groupBytes < 0 || filterBytes < 0)
        return std::nullopt;
    if (SharePrefix.size() + groupBytes + 1 + filterBytes > MaxUtf8Bytes)
        return std::nullopt; // [MQTT-4.7.3-3] applies to the whole filter
    return parts;
}

bool isShare(QStringView filter)
{
    return filter.startsWith(SharePrefix);
}

} // namespace

bool isValidTopicName(QStringView topic)
{
    // [MQTT-4.7.3-1] at least one character; a cheap bound first: every unit is >= 1 byte.
    if (topic.isEmpty() || topic.size() > MaxUtf8Bytes)
        return false;
    const qsizetype bytes = scanLevels(topic, Wildcards::Forbidden);
    return bytes >= 0 && bytes <= MaxUtf8Bytes;
}

bool isValidTopicFilter(QStringView filter)
{
    if (filter.isEmpty() || filter.size() > MaxUtf8Bytes)
        return false; // [MQTT-4.7.3-1] [MQTT-4.7.3-3]
    // Only "$share/..." is a share attempt; a bare "$share" is an ordinary one-level filter.
    if (isShare(filter))
        return splitShare(filter).has_value();
    const qsizetype bytes = scanLevels(filter, Wildcards::Allowed);
    return bytes >= 0 && bytes <= MaxUtf8Bytes;
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
    if (!isShare(filter) || filter.size() > MaxUtf8Bytes)
        return std::nullopt;
    const std::optional<ShareParts> parts = splitShare(filter);
    if (!parts)
        return std::nullopt;
    return SharedFilter{parts->group.toString(), parts->filter.toString()};
}

} // namespace hermes::mqtt
