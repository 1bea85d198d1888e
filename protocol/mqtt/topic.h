#pragma once
/// Topic names, topic filters and matching rules of MQTT (4.7), as pure functions.

#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <optional>

namespace hermes::mqtt {

/// The rule of 4.7 or 4.8.2 a topic name or filter breaks.
enum class TopicFault : quint8 {
    Empty,                  ///< no characters [MQTT-4.7.3-1]
    TooLong,                ///< more than 65,535 UTF-8 bytes [MQTT-4.7.3-3]
    NullCharacter,          ///< contains U+0000 [MQTT-4.7.3-2]
    WildcardInName,         ///< '+' or '#' in a topic name [MQTT-3.3.2-2]
    HashNotWholeLastLevel,  ///< '#' in a filter but not the whole last level
    PlusNotWholeLevel,      ///< '+' in a filter sharing its level with other characters
    ShareNameEmpty,         ///< "$share/" followed by nothing or by '/' [MQTT-4.8.2-1]
    ShareNameWithoutFilter, ///< "$share/{group}" with no '/' after the group [MQTT-4.8.2-2]
    ShareNameWildcard,      ///< '+' or '#' in the ShareName [MQTT-4.8.2-2]
    ShareFilterEmpty,       ///< "$share/{group}/" with an empty filter [MQTT-4.8.2-2]
};

/// The first rule a topic name breaks, judged on its UTF-8 bytes: '/', '+', '#' and U+0000
/// are ASCII and never occur inside a multi-byte sequence, so no decoding is needed. `utf8`
/// must be well-formed UTF-8 (the codec checks strings before; the QString functions below
/// encode). Every topic check, the codec's and the QString API's, comes here. No allocation.
std::optional<TopicFault> topicNameFault(QByteArrayView utf8);

/// The first rule a topic filter breaks (the rules of isValidTopicFilter()), judged on
/// well-formed UTF-8 bytes as topicNameFault() does. No allocation.
std::optional<TopicFault> topicFilterFault(QByteArrayView utf8);

/// True when the filter starts with "$share/": a shared subscription, valid or not
/// [MQTT-4.8.2-1]. The prefix is case-sensitive; a bare "$share" is an ordinary filter.
bool hasSharePrefix(QByteArrayView utf8Filter);

/// A PUBLISH topic name: at least one character, no '+' or '#', no U+0000, no unpaired
/// surrogate, at most 65,535 UTF-8 bytes [MQTT-4.7.3-1] [MQTT-4.7.3-2] [MQTT-4.7.3-3]
/// [MQTT-3.3.2-2]. Encodes to UTF-8 and applies topicNameFault(); no heap allocation up to
/// 169 UTF-16 units.
bool isValidTopicName(QStringView topic);

/// A topic filter: '#' only as the whole last level, '+' only as a whole level, at least
/// one character, the same character and length rules as a name (MQTT 5 [MQTT-4.7.1-1]
/// [MQTT-4.7.1-2], MQTT 3.1.1 [MQTT-4.7.1-2] [MQTT-4.7.1-3], [MQTT-4.7.3-1]). A filter
/// starting with "$share/" is a shared subscription and is valid only as
/// "$share/{group}/{filter}" with a non-empty group free of '/', '+', '#' and a valid,
/// non-empty filter [MQTT-4.8.2-1] [MQTT-4.8.2-2]; a bare "$share" is an ordinary filter.
/// Encodes to UTF-8 and applies topicFilterFault().
bool isValidTopicFilter(QStringView filter);

/// True when `topic` (a valid name) matches `filter` (a valid, non-shared filter). '#' also
/// matches the parent level ("sport/#" matches "sport"), '+' matches an empty level. Topics
/// beginning with '$' are not matched by filters beginning with a wildcard [MQTT-4.7.2-1]
/// ("$SYS/#" does match "$SYS/x"). No normalisation [MQTT-4.7.3-4], no allocation.
bool topicMatches(QStringView filter, QStringView topic);

/// "$share/{group}/{filter}" split into its parts.
struct SharedFilter {
    QString group;
    QString filter;
};

/// The parts of a shared subscription filter, or nullopt for an ordinary filter or a
/// malformed share ("$share/g" without a filter, a group containing '+' or '#', an invalid
/// filter part). `filter` is the part after the group: what topics are matched against.
std::optional<SharedFilter> parseSharedFilter(QStringView filter);

} // namespace hermes::mqtt
