#include "topicbindings.h"

#include "mqtt/topic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace hermes::schema {

namespace {

constexpr int kFormatVersion = 1;

/// Rank of one filter level for rule 4: lower is more specific.
int levelRank(QStringView level)
{
    if (level == u"#")
        return 2;
    if (level == u"+")
        return 1;
    return 0;
}

struct FilterStats {
    int literals = 0;
    int levels = 0;
    bool multiLevel = false;
};

FilterStats statsOf(QStringView filter)
{
    FilterStats stats;
    for (QStringView level : filter.tokenize(u'/')) {
        ++stats.levels;
        const int rank = levelRank(level);
        stats.literals += rank == 0;
        stats.multiLevel = stats.multiLevel || rank == 2;
    }
    return stats;
}

} // namespace

int TopicBindings::compareSpecificity(QStringView a, QStringView b)
{
    const FilterStats sa = statsOf(a);
    const FilterStats sb = statsOf(b);
    if (sa.literals != sb.literals) // rule 1
        return sa.literals > sb.literals ? -1 : 1;
    if (sa.multiLevel != sb.multiLevel) // rule 2
        return sa.multiLevel ? 1 : -1;
    if (sa.levels != sb.levels) // rule 3
        return sa.levels > sb.levels ? -1 : 1;
    // Rule 4: same number of levels here, so walk both in step.
    // The tokenizers must outlive their iterators.
    const auto levelsA = a.tokenize(u'/');
    const auto levelsB = b.tokenize(u'/');
    auto ib = levelsB.begin();
    for (auto ia = levelsA.begin(); ia != levelsA.end(); ++ia, ++ib) {
        const int ra = levelRank(*ia);
        const int rb = levelRank(*ib);
        if (ra != rb)
            return ra < rb ? -1 : 1;
    }
    return a.compare(b); // rule 5
}

bool TopicBindings::bind(const QString &filter, const QString &messageType, QString *error)
{
    auto refuse = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    if (!mqtt::isValidTopicFilter(filter))
        return refuse(QStringLiteral("\"%1\" is not a valid topic filter").arg(filter));
    if (mqtt::parseSharedFilter(filter))
        return refuse(QStringLiteral("\"%1\" is a shared subscription; bind the topic filter after the group").arg(filter));
    if (messageType.trimmed().isEmpty())
        return refuse(QStringLiteral("no message type for \"%1\"").arg(filter));
    for (TopicBinding &binding : m_bindings) {
        if (binding.filter == filter) {
            binding.messageType = messageType.trimmed();
            return true;
        }
    }
    m_bindings.append(TopicBinding{filter, messageType.trimmed()});
    return true;
}

bool TopicBindings::unbind(const QString &filter)
{
    return m_bindings.removeIf([&filter](const TopicBinding &b) { return b.filter == filter; }) > 0;
}

std::optional<TopicBinding> TopicBindings::resolve(QStringView topic) const
{
    const TopicBinding *best = nullptr;
    for (const TopicBinding &binding : m_bindings) {
        if (!mqtt::topicMatches(binding.filter, topic))
            continue;
        if (!best || compareSpecificity(binding.filter, best->filter) < 0)
            best = &binding;
    }
    if (!best)
        return std::nullopt;
    return *best;
}

QList<TopicBinding> TopicBindings::matching(QStringView topic) const
{
    QList<TopicBinding> matches;
    for (const TopicBinding &binding : m_bindings) {
        if (mqtt::topicMatches(binding.filter, topic))
            matches.append(binding);
    }
    std::sort(matches.begin(), matches.end(), [](const TopicBinding &a, const TopicBinding &b) {
        return compareSpecificity(a.filter, b.filter) < 0;
    });
    return matches;
}

QByteArray TopicBindings::toJson() const
{
    QJsonArray entries;
    for (const TopicBinding &binding : m_bindings)
        entries.append(QJsonObject{{QStringLiteral("filter"), binding.filter},
                                   {QStringLiteral("type"), binding.messageType}});
    const QJsonObject root{{QStringLiteral("version"), kFormatVersion},
                           {QStringLiteral("bindings"), entries}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

std::optional<TopicBindings> TopicBindings::fromJson(QByteArrayView json, QString *error)
{
    auto refuse = [error](const QString &why) -> std::optional<TopicBindings> {
        if (error)
            *error = QStringLiteral("topic bindings: ") + why;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return refuse(QStringLiteral("not JSON (%1 at offset %2)").arg(parseError.errorString()).arg(parseError.offset));
    if (!document.isObject())
        return refuse(QStringLiteral("expected a JSON object"));
    const QJsonObject root = document.object();
    const QJsonValue version = root.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != double(version.toInt()) || version.toInt() < 1)
        return refuse(QStringLiteral("missing or bad \"version\""));
    if (version.toInt() > kFormatVersion)
        return refuse(QStringLiteral("version %1 is newer than this program reads (%2)").arg(version.toInt()).arg(kFormatVersion));
    const QJsonValue list = root.value(QStringLiteral("bindings"));
    if (!list.isArray())
        return refuse(QStringLiteral("\"bindings\" must be an array"));

    TopicBindings bindings;
    const QJsonArray entries = list.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries.at(i).toObject();
        const QJsonValue filter = entry.value(QStringLiteral("filter"));
        const QJsonValue type = entry.value(QStringLiteral("type"));
        if (!entries.at(i).isObject() || !filter.isString() || !type.isString())
            return refuse(QStringLiteral("binding %1 needs string \"filter\" and \"type\"").arg(i));
        if (std::any_of(bindings.m_bindings.cbegin(), bindings.m_bindings.cend(),
                        [&](const TopicBinding &b) { return b.filter == filter.toString(); }))
            return refuse(QStringLiteral("binding %1: filter \"%2\" is bound twice").arg(i).arg(filter.toString()));
        QString why;
        if (!bindings.bind(filter.toString(), type.toString(), &why))
            return refuse(QStringLiteral("binding %1: %2").arg(i).arg(why));
    }
    return bindings;
}

} // namespace hermes::schema
