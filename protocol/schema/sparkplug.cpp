#include "sparkplug.h"

#include "sparkplug_b.pb.h"

#include <QStringList>

namespace hermes::schema::sparkplug {

namespace pb = org::eclipse::tahu::protobuf;

QString Topic::aliasScope() const
{
    const bool deviceScope = type == MessageType::DBirth || type == MessageType::DData || type == MessageType::DCmd
        || type == MessageType::DDeath;
    QString scope = group + QLatin1Char('/') + edgeNode;
    if (deviceScope)
        scope += QLatin1Char('/') + device;
    return scope;
}

std::optional<Topic> parseTopic(QStringView topic)
{
    const QList<QStringView> levels = topic.split(QLatin1Char('/'));
    if (levels.size() < 3 || levels.at(0) != Namespace)
        return std::nullopt;
    Topic parsed;
    if (levels.at(1) == QLatin1String("STATE")) {
        if (levels.size() != 3)
            return std::nullopt;
        parsed.type = MessageType::State;
        parsed.edgeNode = levels.at(2).toString();
        return parsed;
    }
    static const QHash<QString, MessageType> types = {
        {QStringLiteral("NBIRTH"), MessageType::NBirth}, {QStringLiteral("NDEATH"), MessageType::NDeath},
        {QStringLiteral("DBIRTH"), MessageType::DBirth}, {QStringLiteral("DDEATH"), MessageType::DDeath},
        {QStringLiteral("NDATA"), MessageType::NData},   {QStringLiteral("DDATA"), MessageType::DData},
        {QStringLiteral("NCMD"), MessageType::NCmd},     {QStringLiteral("DCMD"), MessageType::DCmd},
    };
    const auto type = types.constFind(levels.at(2).toString());
    if (type == types.cend() || levels.size() < 4)
        return std::nullopt;
    parsed.group = levels.at(1).toString();
    parsed.type = *type;
    parsed.edgeNode = levels.at(3).toString();
    const bool deviceMessage = *type == MessageType::DBirth || *type == MessageType::DDeath
        || *type == MessageType::DData || *type == MessageType::DCmd;
    if (deviceMessage != (levels.size() == 5) || levels.size() > 5)
        return std::nullopt;
    if (deviceMessage)
        parsed.device = levels.at(4).toString();
    return parsed;
}

bool isStateTopic(QStringView topic)
{
    const std::optional<Topic> parsed = parseTopic(topic);
    return parsed && parsed->type == MessageType::State;
}

QString messageTypeName(MessageType type)
{
    switch (type) {
    case MessageType::NBirth: return QStringLiteral("NBIRTH");
    case MessageType::NDeath: return QStringLiteral("NDEATH");
    case MessageType::DBirth: return QStringLiteral("DBIRTH");
    case MessageType::DDeath: return QStringLiteral("DDEATH");
    case MessageType::NData: return QStringLiteral("NDATA");
    case MessageType::DData: return QStringLiteral("DDATA");
    case MessageType::NCmd: return QStringLiteral("NCMD");
    case MessageType::DCmd: return QStringLiteral("DCMD");
    case MessageType::State: return QStringLiteral("STATE");
    }
    return {};
}

QString dataTypeName(quint32 datatype)
{
    if (!pb::DataType_IsValid(int(datatype)))
        return QStringLiteral("Unknown");
    return QString::fromStdString(pb::DataType_Name(pb::DataType(datatype)));
}

std::optional<double> Metric::number() const
{
    if (isNull || !value.isValid())
        return std::nullopt;
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Float:
    case QMetaType::Double:
    case QMetaType::Bool: return value.toDouble();
    default: return std::nullopt;
    }
}

namespace {

/// int_value holds Int8/16/32 as two's complement in 32 bits; long_value Int64 in 64.
QVariant metricValue(const pb::Payload_Metric &m, QString *text)
{
    using M = pb::Payload_Metric;
    switch (m.value_case()) {
    case M::kIntValue: {
        const quint32 raw = m.int_value();
        switch (m.datatype()) {
        case pb::Int8: return QVariant(int(qint8(raw)));
        case pb::Int16: return QVariant(int(qint16(raw)));
        case pb::Int32: return QVariant(int(qint32(raw)));
        default: return QVariant(uint(raw));
        }
    }
    case M::kLongValue:
        if (m.datatype() == pb::Int64)
            return QVariant(qlonglong(qint64(m.long_value())));
        return QVariant(qulonglong(m.long_value()));
    case M::kFloatValue: return QVariant(m.float_value());
    case M::kDoubleValue: return QVariant(m.double_value());
    case M::kBooleanValue: return QVariant(m.boolean_value());
    case M::kStringValue: return QVariant(QString::fromStdString(m.string_value()));
    case M::kBytesValue: {
        const QByteArray bytes(m.bytes_value().data(), qsizetype(m.bytes_value().size()));
        *text = QString::fromLatin1(bytes.left(32).toHex(' ')) + (bytes.size() > 32 ? QStringLiteral(" …") : QString());
        return QVariant(bytes);
    }
    case M::kDatasetValue:
        *text = QStringLiteral("DataSet: %1 columns × %2 rows")
                        .arg(m.dataset_value().columns_size())
                        .arg(m.dataset_value().rows_size());
        return {};
    case M::kTemplateValue:
        *text = QStringLiteral("Template %1: %2 metrics")
                        .arg(QString::fromStdString(m.template_value().template_ref()))
                        .arg(m.template_value().metrics_size());
        return {};
    case M::kExtensionValue: *text = QStringLiteral("(extension)"); return {};
    case M::VALUE_NOT_SET: break;
    }
    return {};
}

} // namespace

std::optional<Payload> decodePayload(QByteArrayView bytes)
{
    pb::Payload message;
    if (!message.ParsePartialFromArray(bytes.data(), int(bytes.size())))
        return std::nullopt;
    Payload payload;
    if (message.has_timestamp())
        payload.timestamp = message.timestamp();
    if (message.has_seq())
        payload.seq = message.seq();
    payload.uuid = QString::fromStdString(message.uuid());
    payload.metrics.reserve(message.metrics_size());
    for (const pb::Payload_Metric &m : message.metrics()) {
        Metric metric;
        metric.name = QString::fromStdString(m.name());
        if (m.has_alias())
            metric.alias = m.alias();
        if (m.has_timestamp())
            metric.timestamp = m.timestamp();
        metric.datatype = m.datatype();
        metric.isNull = m.is_null();
        metric.isHistorical = m.is_historical();
        metric.isTransient = m.is_transient();
        if (!metric.isNull)
            metric.value = metricValue(m, &metric.valueText);
        if (metric.valueText.isEmpty())
            metric.valueText = metric.isNull ? QStringLiteral("null") : metric.value.toString();
        payload.metrics.append(metric);
    }
    return payload;
}

QByteArray encodePayload(const Payload &payload)
{
    pb::Payload message;
    if (payload.timestamp)
        message.set_timestamp(*payload.timestamp);
    if (payload.seq)
        message.set_seq(*payload.seq);
    if (!payload.uuid.isEmpty())
        message.set_uuid(payload.uuid.toStdString());
    for (const Metric &metric : payload.metrics) {
        pb::Payload_Metric *m = message.add_metrics();
        if (!metric.name.isEmpty() && !metric.nameFromAlias)
            m->set_name(metric.name.toStdString());
        if (metric.alias)
            m->set_alias(*metric.alias);
        if (metric.timestamp)
            m->set_timestamp(*metric.timestamp);
        m->set_datatype(metric.datatype);
        if (metric.isNull) {
            m->set_is_null(true);
            continue;
        }
        switch (pb::DataType(metric.datatype)) {
        case pb::Int8:
        case pb::Int16:
        case pb::Int32: m->set_int_value(quint32(qint32(metric.value.toInt()))); break;
        case pb::UInt8:
        case pb::UInt16:
        case pb::UInt32: m->set_int_value(metric.value.toUInt()); break;
        case pb::Int64: m->set_long_value(quint64(metric.value.toLongLong())); break;
        case pb::UInt64:
        case pb::DateTime: m->set_long_value(metric.value.toULongLong()); break;
        case pb::Float: m->set_float_value(metric.value.toFloat()); break;
        case pb::Double: m->set_double_value(metric.value.toDouble()); break;
        case pb::Boolean: m->set_boolean_value(metric.value.toBool()); break;
        case pb::String:
        case pb::Text:
        case pb::UUID: m->set_string_value(metric.value.toString().toStdString()); break;
        case pb::Bytes:
        case pb::File: {
            const QByteArray bytes = metric.value.toByteArray();
            m->set_bytes_value(bytes.constData(), size_t(bytes.size()));
            break;
        }
        default: break; // datasets, templates, arrays: not written by this helper
        }
    }
    const std::string bytes = message.SerializeAsString();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

void AliasTable::learn(const Topic &topic, const Payload &payload)
{
    if (topic.type != MessageType::NBirth && topic.type != MessageType::DBirth)
        return;
    QHash<quint64, QString> &names = m_names[topic.aliasScope()];
    names.clear();
    for (const Metric &metric : payload.metrics) {
        if (metric.alias && !metric.name.isEmpty())
            names.insert(*metric.alias, metric.name);
    }
}

void AliasTable::resolve(const Topic &topic, Payload &payload) const
{
    const auto scope = m_names.constFind(topic.aliasScope());
    if (scope == m_names.cend())
        return;
    for (Metric &metric : payload.metrics) {
        if (!metric.name.isEmpty() || !metric.alias)
            continue;
        if (const auto name = scope->constFind(*metric.alias); name != scope->cend()) {
            metric.name = *name;
            metric.nameFromAlias = true;
        }
    }
}

QString AliasTable::nameFor(const Topic &topic, quint64 alias) const
{
    return m_names.value(topic.aliasScope()).value(alias);
}

} // namespace hermes::schema::sparkplug
