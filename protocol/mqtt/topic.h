#pragma once
/// Topic names, topic filters and matching rules of MQTT (4.7), as pure functions.

#include <QString>
#include <QStringView>

#include <optional>

namespace hermes::mqtt {

/// A PUBLISH topic name: at least one character, no '+' or '#', no U+0000, no unpaired
/// surrogate, at most 65,535 UTF-8 bytes [MQTT-4.7.3-1] [MQTT-4.7.3-2] [MQTT-4.7.3-3]
/// [MQTT-3.3.2-2]. No allocation.
bool isValidTopicName(QStringView topic);

/// A topic filter: '#' only as the whole last level, '+' only as a whole level, at least
/// one character, the same character and length rules as a name (MQTT 5 [MQTT-4.7.1-1]
/// [MQTT-4.7.1-2], MQTT 3.1.1 [MQTT-4.7.1-2] [MQTT-4.7.1-3], [MQTT-4.7.3-1]). A filter
/// starting with "$share/" is a shared subscription and is valid only as
/// "$share/{group}/{filter}" with a non-empty group free of '/', '+', '#' and a valid,
/// non-empty filter [MQTT-4.8.2-1] [MQTT-4.8.2-2]; a bare "$share" is an ordinary filter.
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
