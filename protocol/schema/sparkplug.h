#pragma once
/// Sparkplug B (Eclipse Sparkplug 3.0) as Hermes reads it: topic names, payloads decoded to
/// plain values, and the alias table that gives DATA and CMD metrics the names their BIRTH
/// announced. The schema is protocol/schema/sparkplug_b.proto, compiled in: the registry
/// always knows org.eclipse.tahu.protobuf.Payload, like the hermes.push.v1 types.

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

namespace hermes::schema::sparkplug {

/// The topic namespace of Sparkplug B and the filter its payload type is bound to by default.
inline constexpr QLatin1StringView Namespace{"spBv1.0"};
inline constexpr QLatin1StringView TopicFilter{"spBv1.0/#"};
/// The payload's full protobuf name.
inline constexpr QLatin1StringView PayloadType{"org.eclipse.tahu.protobuf.Payload"};

enum class MessageType : quint8 { NBirth, NDeath, DBirth, DDeath, NData, DData, NCmd, DCmd, State };

/// spBv1.0/GROUP/TYPE/EDGE_NODE[/DEVICE], or spBv1.0/STATE/HOST_ID.
struct Topic {
    QString group;
    MessageType type = MessageType::NData;
    QString edgeNode; ///< the host application id for STATE
    QString device;   ///< empty for node messages
    /// Whose aliases apply: "group/edge" for node messages, "group/edge/device" for devices.
    QString aliasScope() const;
};

/// Nothing when `topic` is not a Sparkplug B topic name.
std::optional<Topic> parseTopic(QStringView topic);
/// STATE carries JSON (Sparkplug 3.0), not a Payload.
bool isStateTopic(QStringView topic);
/// "NBIRTH", "DDATA", …
QString messageTypeName(MessageType type);

/// One metric as plain values. `value` is typed by `datatype` (signed integers sign-extended,
/// DateTime as qulonglong milliseconds); null when is_null or when it holds a dataset or
/// template (`valueText` describes those).
struct Metric {
    QString name;                ///< as sent, or as resolved from the BIRTH's aliases
    bool nameFromAlias = false;  ///< `name` came from the alias table
    std::optional<quint64> alias;
    std::optional<quint64> timestamp;
    quint32 datatype = 0;
    bool isNull = false;
    bool isHistorical = false;
    bool isTransient = false;
    QVariant value;
    QString valueText; ///< value for display (also for datasets, templates and bytes)
    /// The value as a number for charts, when it is one (integers, floats, booleans).
    std::optional<double> number() const;
};

struct Payload {
    std::optional<quint64> timestamp;
    std::optional<quint64> seq;
    QString uuid;
    QList<Metric> metrics;
};

/// Nothing when the bytes are not a Sparkplug B payload.
std::optional<Payload> decodePayload(QByteArrayView bytes);
/// The wire form of `payload` (names, aliases, timestamps, datatypes and scalar values), for
/// test publishers and the composer.
QByteArray encodePayload(const Payload &payload);
/// "Int32", "Double", … ("Unknown" for numbers outside the specification).
QString dataTypeName(quint32 datatype);

/// Alias → name per edge node and device, learned from NBIRTH and DBIRTH messages. A BIRTH
/// replaces what its scope knew (a rebirth may renumber).
class AliasTable
{
public:
    /// Learns from `payload` when `topic` is an NBIRTH or DBIRTH; otherwise does nothing.
    void learn(const Topic &topic, const Payload &payload);
    /// Gives metrics without a name the name their alias had in the scope's BIRTH.
    void resolve(const Topic &topic, Payload &payload) const;
    QString nameFor(const Topic &topic, quint64 alias) const;
    qsizetype scopeCount() const { return m_names.size(); }
    void clear() { m_names.clear(); }

private:
    QHash<QString, QHash<quint64, QString>> m_names;
};

} // namespace hermes::schema::sparkplug
