#pragma once
/// Fleet analytics evidence as a broker that ran before left it in its data directory
/// (fleet-analytics.json, restored at start): UI tests and screenshots start from a fleet
/// that has already taught something, without waiting minutes of idle gaps.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <utility>

namespace hermes::test {

struct SavedNetwork {
    QString name;
    /// {gap seconds, devices} observed a minute ago. Each kind numbers its devices from 0
    /// across its pairs, so the same devices first survived and later died.
    QList<std::pair<int, int>> survived;
    QList<std::pair<int, int>> killed;
    qint64 silentDeaths = 0; ///< with blind times of 40 s, 60 s, 80 s … 180 s, and again
    double deviceHours = 0;
    qint64 connects = 30;
};

/// Writes `networks` as DIR/fleet-analytics.json; false when it cannot.
inline bool writeFleetEvidence(const QString &dir, const QList<SavedNetwork> &networks)
{
    QJsonArray saved;
    for (const SavedNetwork &network : networks) {
        QJsonArray observations;
        const auto add = [&](int kind, const QList<std::pair<int, int>> &gaps) {
            int device = 0;
            for (const auto &[seconds, devices] : gaps) {
                for (int d = 0; d < devices; ++d, ++device)
                    observations.append(QJsonArray{kind, seconds * 1000, 60'000,
                                                   QStringLiteral("%1-old-%2").arg(network.name).arg(device)});
            }
        };
        add(0, network.survived);
        add(1, network.killed);
        QJsonArray blind;
        for (qint64 i = 0; i < network.silentDeaths; ++i)
            blind.append(40'000 + (i % 8) * 20'000);
        saved.append(QJsonObject{{QStringLiteral("name"), network.name},
                                 {QStringLiteral("connects"), network.connects},
                                 {QStringLiteral("silentDeaths"), network.silentDeaths},
                                 {QStringLiteral("natDeaths"), 0},
                                 {QStringLiteral("connectedMs"), network.deviceHours * 3'600'000.0},
                                 {QStringLiteral("blindMs"), blind},
                                 {QStringLiteral("observations"), observations}});
    }
    QFile file(QDir(dir).filePath(QStringLiteral("fleet-analytics.json")));
    return file.open(QIODevice::WriteOnly)
           && file.write(QJsonDocument(QJsonObject{{QStringLiteral("networks"), saved}}).toJson()) > 0;
}

} // namespace hermes::test
