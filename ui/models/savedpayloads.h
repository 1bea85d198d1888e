#pragma once
/// Named payloads an operator saved for a topic, to send again from the push composer
/// (kept in the settings, group "savedPayloads", per topic).

#include <QList>
#include <QString>

namespace hermes::ui {

struct SavedPayload {
    QString name;
    QString format; ///< the composer's payload format: "text", "json" or "hex"
    QString text;
    bool operator==(const SavedPayload &) const = default;
};

class SavedPayloads
{
public:
    /// Saved payloads of `topic`, by name.
    static QList<SavedPayload> forTopic(const QString &topic);
    /// Saves (or replaces by name) a payload of `topic`.
    static void save(const QString &topic, const SavedPayload &payload);
    static void remove(const QString &topic, const QString &name);
};

} // namespace hermes::ui
