#pragma once
/// Which protobuf message type the payloads of a topic carry: MQTT topic filters (wildcards
/// allowed) bound to message type names, with the most specific matching filter winning.
/// A plain value: the console persists it as JSON (QSettings), the payload interpreter
/// reads it.
///
/// Specificity, for two filters that both match a topic (compareSpecificity()):
///   1. more literal levels wins           ("telemetry/+/state" beats "telemetry/+/+");
///   2. then a filter without '#' wins     ("a/+" beats "a/#", '+' is narrower than '#');
///   3. then more levels wins              ("a/+/#" beats "a/#");
///   4. then, level by level from the left, literal beats '+' beats '#' beats no level
///      ("a/+" beats "+/b": the topic hierarchy is read left to right);
///   5. then the filter text, ordinal (only reachable between filters that cannot match the
///      same topic; it keeps sorting total and deterministic).
/// Equal filters cannot both be bound: binding a filter again replaces its type.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace hermes::schema {

/// One topic filter bound to one message type.
struct TopicBinding {
    QString filter;      ///< MQTT topic filter, '+' and '#' allowed; not a $share filter
    QString messageType; ///< full protobuf name, e.g. "hermes.test.Telemetry"
    bool operator==(const TopicBinding &) const = default;
};

class TopicBindings
{
public:
    /// Binds `filter` to `messageType`, replacing an earlier binding of the same filter (in
    /// place, keeping its position). Refuses (returns false and sets `error`) an invalid
    /// filter, a shared subscription filter, or an empty type name.
    bool bind(const QString &filter, const QString &messageType, QString *error = nullptr);
    /// Removes the binding of exactly this filter; false when there was none.
    bool unbind(const QString &filter);
    void clear() { m_bindings.clear(); }

    /// All bindings in the order they were made.
    const QList<TopicBinding> &bindings() const { return m_bindings; }
    bool isEmpty() const { return m_bindings.isEmpty(); }
    qsizetype size() const { return m_bindings.size(); }

    /// The most specific binding whose filter matches `topic` (a topic name), or nothing.
    std::optional<TopicBinding> resolve(QStringView topic) const;
    /// Every binding matching `topic`, most specific first (the first one is resolve()'s).
    QList<TopicBinding> matching(QStringView topic) const;

    /// Persisted form: {"version":1,"bindings":[{"filter":"a/+","type":"pkg.Msg"},...]},
    /// compact, bindings in order.
    QByteArray toJson() const;
    /// Parses toJson()'s form. On any problem (not JSON, wrong shape, an invalid filter, a
    /// duplicate filter, a newer version) returns nothing and sets `error`; the caller's
    /// current bindings are untouched, so nothing is lost.
    static std::optional<TopicBindings> fromJson(QByteArrayView json, QString *error = nullptr);

    /// < 0 when `a` is more specific than `b`, > 0 when less, 0 only for equal filters.
    /// Both must be valid filters. See the header comment for the order.
    static int compareSpecificity(QStringView a, QStringView b);

    bool operator==(const TopicBindings &) const = default;

private:
    QList<TopicBinding> m_bindings;
};

} // namespace hermes::schema
