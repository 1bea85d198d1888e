#pragma once
/// Topic names, topic filters and matching rules of MQTT (4.7), as pure functions.

#include <QString>
#include <QStringView>

#include <optional>

namespace hermes::mqtt {

/// A PUBLISH topic name: at least one character, no '+' or '#', no U+0000,
/// at most 65,535 UTF-8 bytes [MQTT-4.7.3-1] [MQTT-3.3.2-2].
bool isValidTopicName(QStringView topic);

/// A topic filter: '#' only as the whole last level, '+' only as a whole level,
/// at least one character [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1]. A shared
/// subscription ("$share/group/filter") is valid when its group and filter are.
bool isValidTopicFilter(QStringView filter);

/// True when `topic` (a valid name) matches `filter` (a valid, non-shared filter). Topics
/// beginning with '$' are not matched by filters beginning with a wildcard [MQTT-4.7.2-1].
bool topicMatches(QStringView filter, QStringView topic);

/// "$share/{group}/{filter}" split into its parts.
struct SharedFilter {
    QString group;
    QString filter;
};

/// The parts of a shared subscription filter, or nullopt for an ordinary filter or a
/// malformed share ("$share/g" without a filter, a group containing '+' or '#').
std::optional<SharedFilter> parseSharedFilter(QStringView filter);

} // namespace hermes::mqtt
