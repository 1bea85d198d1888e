#include "savedpayloads.h"

#include <QSettings>

#include <algorithm>

namespace hermes::ui {

namespace {
/// QSettings treats '/' as a group separator and may mangle other characters in keys;
/// percent-encoding keeps one flat key per topic.
QString keyFor(const QString &topic)
{
    return QStringLiteral("savedPayloads/") + QString::fromLatin1(topic.toUtf8().toPercentEncoding());
}

void write(const QString &topic, const QList<SavedPayload> &payloads)
{
    QSettings settings;
    settings.remove(keyFor(topic));
    if (payloads.isEmpty())
        return;
    settings.beginWriteArray(keyFor(topic), int(payloads.size()));
    for (int i = 0; i < payloads.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), payloads.at(i).name);
        settings.setValue(QStringLiteral("format"), payloads.at(i).format);
        settings.setValue(QStringLiteral("text"), payloads.at(i).text);
    }
    settings.endArray();
}
} // namespace

QList<SavedPayload> SavedPayloads::forTopic(const QString &topic)
{
    QSettings settings;
    QList<SavedPayload> payloads;
    const int count = settings.beginReadArray(keyFor(topic));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        payloads.append({settings.value(QStringLiteral("name")).toString(), settings.value(QStringLiteral("format")).toString(),
                         settings.value(QStringLiteral("text")).toString()});
    }
    settings.endArray();
    std::sort(payloads.begin(), payloads.end(),
              [](const SavedPayload &a, const SavedPayload &b) { return a.name.localeAwareCompare(b.name) < 0; });
    return payloads;
}

void SavedPayloads::save(const QString &topic, const SavedPayload &payload)
{
    QList<SavedPayload> payloads = forTopic(topic);
    payloads.removeIf([&](const SavedPayload &p) { return p.name == payload.name; });
    payloads.append(payload);
    write(topic, payloads);
}

void SavedPayloads::remove(const QString &topic, const QString &name)
{
    QList<SavedPayload> payloads = forTopic(topic);
    payloads.removeIf([&](const SavedPayload &p) { return p.name == name; });
    write(topic, payloads);
}

} // namespace hermes::ui
