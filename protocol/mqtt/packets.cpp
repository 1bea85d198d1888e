#include "packets.h"

#include <QStringList>

namespace hermes::mqtt {

namespace {

struct PacketTypeOf
{
    PacketType operator()(const Connect &) const { return PacketType::Connect; }
    PacketType operator()(const Connack &) const { return PacketType::Connack; }
    PacketType operator()(const Publish &) const { return PacketType::Publish; }
    PacketType operator()(const Puback &) const { return PacketType::Puback; }
    PacketType operator()(const Pubrec &) const { return PacketType::Pubrec; }
    PacketType operator()(const Pubrel &) const { return PacketType::Pubrel; }
    PacketType operator()(const Pubcomp &) const { return PacketType::Pubcomp; }
    PacketType operator()(const Subscribe &) const { return PacketType::Subscribe; }
    PacketType operator()(const Suback &) const { return PacketType::Suback; }
    PacketType operator()(const Unsubscribe &) const { return PacketType::Unsubscribe; }
    PacketType operator()(const Unsuback &) const { return PacketType::Unsuback; }
    PacketType operator()(const Pingreq &) const { return PacketType::Pingreq; }
    PacketType operator()(const Pingresp &) const { return PacketType::Pingresp; }
    PacketType operator()(const Disconnect &) const { return PacketType::Disconnect; }
    PacketType operator()(const Auth &) const { return PacketType::Auth; }
};

QString hexByte(quint8 value)
{
    return QLatin1String("0x")
            + QString::number(value, 16).rightJustified(2, QLatin1Char('0')).toUpper();
}

QString reasonText(ReasonCode code, PacketType context)
{
    return hexByte(quint8(code)) + QLatin1String(" (") + reasonCodeName(code, context)
            + QLatin1Char(')');
}

QString versionName(ProtocolVersion version)
{
    switch (version) {
    case ProtocolVersion::V3_1:
        return QStringLiteral("v3.1");
    case ProtocolVersion::V3_1_1:
        return QStringLiteral("v3.1.1");
    case ProtocolVersion::V5:
        return QStringLiteral("v5");
    }
    return QStringLiteral("v?%1").arg(quint8(version));
}

QString codeList(const QList<ReasonCode> &codes)
{
    QStringList parts;
    parts.reserve(codes.size());
    for (ReasonCode code : codes)
        parts.append(hexByte(quint8(code)));
    return QLatin1Char('[') + parts.join(QLatin1Char(',')) + QLatin1Char(']');
}

template<typename Ack>
QString describeAck(PacketType type, const Ack &ack)
{
    return packetTypeName(type) + QStringLiteral(" pid=%1 reason=").arg(ack.packetId)
            + reasonText(ack.reasonCode, type);
}

struct Describer
{
    QString operator()(const Connect &p) const
    {
        QString s = QStringLiteral("CONNECT %1 id=%2 clean=%3 ka=%4")
                            .arg(versionName(p.version), p.clientId)
                            .arg(int(p.cleanStart))
                            .arg(p.keepAliveSeconds);
        if (p.userName)
            s += QLatin1String(" user=") + *p.userName;
        if (p.password)
            s += QLatin1String(" password=<") + QString::number(p.password->size())
                    + QLatin1String(" bytes>");
        if (p.will)
            s += QLatin1String(" will=") + p.will->topic;
        return s;
    }
    QString operator()(const Connack &p) const
    {
        return QStringLiteral("CONNACK sp=%1 reason=").arg(int(p.sessionPresent))
                + reasonText(p.reasonCode, PacketType::Connack);
    }
    QString operator()(const Publish &p) const
    {
        QString s = QLatin1String("PUBLISH topic=") + p.topic
                + QStringLiteral(" qos=%1").arg(int(p.qos));
        if (p.packetId)
            s += QStringLiteral(" pid=%1").arg(*p.packetId);
        s += QStringLiteral(" retain=%1 dup=%2 len=%3")
                     .arg(int(p.retain))
                     .arg(int(p.dup))
                     .arg(p.payload.size());
        if (p.properties.topicAlias)
            s += QStringLiteral(" alias=%1").arg(*p.properties.topicAlias);
        return s;
    }
    QString operator()(const Puback &p) const { return describeAck(PacketType::Puback, p); }
    QString operator()(const Pubrec &p) const { return describeAck(PacketType::Pubrec, p); }
    QString operator()(const Pubrel &p) const { return describeAck(PacketType::Pubrel, p); }
    QString operator()(const Pubcomp &p) const { return describeAck(PacketType::Pubcomp, p); }
    QString operator()(const Subscribe &p) const
    {
        QStringList parts;
        parts.reserve(p.subscriptions.size());
        for (const TopicSubscription &sub : p.subscriptions)
            parts.append(sub.filter + QStringLiteral(":q%1").arg(int(sub.options.maximumQoS)));
        return QStringLiteral("SUBSCRIBE pid=%1 filters=[").arg(p.packetId)
                + parts.join(QLatin1Char(',')) + QLatin1Char(']');
    }
    QString operator()(const Suback &p) const
    {
        return QStringLiteral("SUBACK pid=%1 codes=").arg(p.packetId) + codeList(p.reasonCodes);
    }
    QString operator()(const Unsubscribe &p) const
    {
        return QStringLiteral("UNSUBSCRIBE pid=%1 filters=[").arg(p.packetId)
                + p.filters.join(QLatin1Char(',')) + QLatin1Char(']');
    }
    QString operator()(const Unsuback &p) const
    {
        return QStringLiteral("UNSUBACK pid=%1 codes=").arg(p.packetId) + codeList(p.reasonCodes);
    }
    QString operator()(const Pingreq &) const { return QStringLiteral("PINGREQ"); }
    QString operator()(const Pingresp &) const { return QStringLiteral("PINGRESP"); }
    QString operator()(const Disconnect &p) const
    {
        return QLatin1String("DISCONNECT reason=")
                + reasonText(p.reasonCode, PacketType::Disconnect);
    }
    QString operator()(const Auth &p) const
    {
        return QLatin1String("AUTH reason=") + reasonText(p.reasonCode, PacketType::Auth);
    }
};

} // namespace

PacketType packetType(const Packet &packet)
{
    return std::visit(PacketTypeOf{}, packet);
}

QString packetTypeName(PacketType type)
{
    switch (type) {
    case PacketType::Connect:
        return QStringLiteral("CONNECT");
    case PacketType::Connack:
        return QStringLiteral("CONNACK");
    case PacketType::Publish:
        return QStringLiteral("PUBLISH");
    case PacketType::Puback:
        return QStringLiteral("PUBACK");
    case PacketType::Pubrec:
        return QStringLiteral("PUBREC");
    case PacketType::Pubrel:
        return QStringLiteral("PUBREL");
    case PacketType::Pubcomp:
        return QStringLiteral("PUBCOMP");
    case PacketType::Subscribe:
        return QStringLiteral("SUBSCRIBE");
    case PacketType::Suback:
        return QStringLiteral("SUBACK");
    case PacketType::Unsubscribe:
        return QStringLiteral("UNSUBSCRIBE");
    case PacketType::Unsuback:
        return QStringLiteral("UNSUBACK");
    case PacketType::Pingreq:
        return QStringLiteral("PINGREQ");
    case PacketType::Pingresp:
        return QStringLiteral("PINGRESP");
    case PacketType::Disconnect:
        return QStringLiteral("DISCONNECT");
    case PacketType::Auth:
        return QStringLiteral("AUTH");
    }
    return QStringLiteral("RESERVED(%1)").arg(quint8(type));
}

// Names as table 2-6 of MQTT 5.0 spells them.
QString reasonCodeName(ReasonCode code)
{
    switch (quint8(code)) {
    case 0x00:
        return QStringLiteral("Success");
    case 0x01:
        return QStringLiteral("Granted QoS 1");
    case 0x02:
        return QStringLiteral("Granted QoS 2");
    case 0x04:
        return QStringLiteral("Disconnect with Will Message");
    case 0x10:
        return QStringLiteral("No matching subscribers");
    case 0x11:
        return QStringLiteral("No subscription existed");
    case 0x18:
        return QStringLiteral("Continue authentication");
    case 0x19:
        return QStringLiteral("Re-authenticate");
    case 0x80:
        return QStringLiteral("Unspecified error");
    case 0x81:
        return QStringLiteral("Malformed Packet");
    case 0x82:
        return QStringLiteral("Protocol Error");
    case 0x83:
        return QStringLiteral("Implementation specific error");
    case 0x84:
        return QStringLiteral("Unsupported Protocol Version");
    case 0x85:
        return QStringLiteral("Client Identifier not valid");
    case 0x86:
        return QStringLiteral("Bad User Name or Password");
    case 0x87:
        return QStringLiteral("Not authorized");
    case 0x88:
        return QStringLiteral("Server unavailable");
    case 0x89:
        return QStringLiteral("Server busy");
    case 0x8A:
        return QStringLiteral("Banned");
    case 0x8B:
        return QStringLiteral("Server shutting down");
    case 0x8C:
        return QStringLiteral("Bad authentication method");
    case 0x8D:
        return QStringLiteral("Keep Alive timeout");
    case 0x8E:
        return QStringLiteral("Session taken over");
    case 0x8F:
        return QStringLiteral("Topic Filter invalid");
    case 0x90:
        return QStringLiteral("Topic Name invalid");
    case 0x91:
        return QStringLiteral("Packet Identifier in use");
    case 0x92:
        return QStringLiteral("Packet Identifier not found");
    case 0x93:
        return QStringLiteral("Receive Maximum exceeded");
    case 0x94:
        return QStringLiteral("Topic Alias invalid");
    case 0x95:
        return QStringLiteral("Packet too large");
    case 0x96:
        return QStringLiteral("Message rate too high");
    case 0x97:
        return QStringLiteral("Quota exceeded");
    case 0x98:
        return QStringLiteral("Administrative action");
    case 0x99:
        return QStringLiteral("Payload format invalid");
    case 0x9A:
        return QStringLiteral("Retain not supported");
    case 0x9B:
        return QStringLiteral("QoS not supported");
    case 0x9C:
        return QStringLiteral("Use another server");
    case 0x9D:
        return QStringLiteral("Server moved");
    case 0x9E:
        return QStringLiteral("Shared Subscriptions not supported");
    case 0x9F:
        return QStringLiteral("Connection rate exceeded");
    case 0xA0:
        return QStringLiteral("Maximum connect time");
    case 0xA1:
        return QStringLiteral("Subscription Identifiers not supported");
    case 0xA2:
        return QStringLiteral("Wildcard Subscriptions not supported");
    }
    return QStringLiteral("Unknown reason code");
}

QString reasonCodeName(ReasonCode code, PacketType context)
{
    if (quint8(code) == 0x00) {
        if (context == PacketType::Disconnect)
            return QStringLiteral("Normal disconnection");
        if (context == PacketType::Suback)
            return QStringLiteral("Granted QoS 0");
    }
    return reasonCodeName(code);
}

QString describe(const Packet &packet)
{
    return std::visit(Describer{}, packet);
}

} // namespace hermes::mqtt
