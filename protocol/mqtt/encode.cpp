#include "codec_p.h"

namespace hermes::mqtt {

using namespace detail;

namespace {

struct BodyWriter
{
    ProtocolVersion version;

    bool v5() const { return isV5(version); }

    template<typename Out>
    void put(Out &out, const Connect &c) const
    {
        // A CONNECT states its own version (c.version), as decodePacket() reads it.
        const bool connectV5 = isV5(c.version);
        if (c.version == ProtocolVersion::V3_1)
            out.binary(kMqIsdp);
        else
            out.binary(kMqtt);
        out.u8(quint8(c.version));
        quint8 flags = 0;
        if (c.userName)
            flags |= 0x80;
        if (c.password)
            flags |= 0x40;
        if (c.will) {
            flags |= 0x04 | (quint8(c.will->qos) << 3);
            if (c.will->retain)
                flags |= 0x20;
        }
        if (c.cleanStart)
            flags |= 0x02;
        out.u8(flags);
        out.u16(c.keepAliveSeconds);
        if (connectV5)
            putProperties(out, c.properties);
        out.string(c.clientId);
        if (c.will) {
            if (connectV5)
                putProperties(out, c.will->properties);
            out.string(c.will->topic);
            out.binary(c.will->payload);
        }
        if (c.userName)
            out.string(*c.userName);
        if (c.password)
            out.binary(*c.password);
    }

    template<typename Out>
    void put(Out &out, const Connack &c) const
    {
        out.u8(c.sessionPresent ? 0x01 : 0x00);
        if (v5()) {
            out.u8(quint8(c.reasonCode));
            putProperties(out, c.properties);
        } else {
            out.u8(connackCodeToV3(c.reasonCode));
        }
    }

    template<typename Out>
    void put(Out &out, const Publish &p) const
    {
        out.string(p.topic);
        if (p.qos != QoS::AtMostOnce)
            out.u16(p.packetId.value_or(0));
        if (v5())
            putProperties(out, p.properties);
        out.raw(p.payload);
    }

    // PUBACK, PUBREC, PUBREL, PUBCOMP: the compact forms of 3.4.2.1 (as mosquitto sends).
    template<typename Out, typename Ack>
    void putAck(Out &out, const Ack &a) const
    {
        out.u16(a.packetId);
        if (!v5())
            return;
        const bool noProperties = propertiesSize(a.properties) == 0;
        if (a.reasonCode == ReasonCode::Success && noProperties)
            return;
        out.u8(quint8(a.reasonCode));
        if (!noProperties)
            putProperties(out, a.properties);
    }
    template<typename Out>
    void put(Out &out, const Puback &a) const { putAck(out, a); }
    template<typename Out>
    void put(Out &out, const Pubrec &a) const { putAck(out, a); }
    template<typename Out>
    void put(Out &out, const Pubrel &a) const { putAck(out, a); }
    template<typename Out>
    void put(Out &out, const Pubcomp &a) const { putAck(out, a); }

    template<typename Out>
    void put(Out &out, const Subscribe &s) const
    {
        out.u16(s.packetId);
        if (v5())
            putProperties(out, s.properties);
        for (const TopicSubscription &sub : s.subscriptions) {
            out.string(sub.filter);
            quint8 options = quint8(sub.options.maximumQoS) & 0x03;
            if (v5()) {
                if (sub.options.noLocal)
                    options |= 0x04;
                if (sub.options.retainAsPublished)
                    options |= 0x08;
                options |= (quint8(sub.options.retainHandling) & 0x03) << 4;
            }
            out.u8(options);
        }
    }

    template<typename Out>
    void put(Out &out, const Suback &s) const
    {
        out.u16(s.packetId);
        if (v5())
            putProperties(out, s.properties);
        for (ReasonCode code : s.reasonCodes)
            out.u8(v5() ? quint8(code) : subackCodeToV3(code));
    }

    template<typename Out>
    void put(Out &out, const Unsubscribe &u) const
    {
        out.u16(u.packetId);
        if (v5())
            putProperties(out, u.properties);
        for (const QString &filter : u.filters)
            out.string(filter);
    }

    template<typename Out>
    void put(Out &out, const Unsuback &u) const
    {
        out.u16(u.packetId);
        if (!v5())
            return; // 3.x UNSUBACK carries no reason codes
        putProperties(out, u.properties);
        for (ReasonCode code : u.reasonCodes)
            out.u8(quint8(code));
    }

    template<typename Out>
    void put(Out &, const Pingreq &) const
    {
    }
    template<typename Out>
    void put(Out &, const Pingresp &) const
    {
    }

    // DISCONNECT and AUTH: remaining length 0 for Success without properties, 1 for a
    // reason code alone (3.14.2.1, 3.15.2.1).
    template<typename Out, typename P>
    void putReasonOnly(Out &out, const P &p) const
    {
        if (!v5())
            return;
        const bool noProperties = propertiesSize(p.properties) == 0;
        if (p.reasonCode == ReasonCode::Success && noProperties)
            return;
        out.u8(quint8(p.reasonCode));
        if (!noProperties)
            putProperties(out, p.properties);
    }
    template<typename Out>
    void put(Out &out, const Disconnect &d) const { putReasonOnly(out, d); }
    template<typename Out>
    void put(Out &out, const Auth &a) const { putReasonOnly(out, a); }
};

quint8 firstByteOf(const Packet &packet)
{
    const quint8 type = quint8(packetType(packet)) << 4;
    if (const auto *p = std::get_if<Publish>(&packet))
        return type | (p->dup ? 0x08 : 0) | ((quint8(p->qos) & 0x03) << 1) | (p->retain ? 1 : 0);
    switch (packetType(packet)) {
    case PacketType::Pubrel:
    case PacketType::Subscribe:
    case PacketType::Unsubscribe:
        return type | 0x02;
    default:
        return type;
    }
}

} // namespace

QByteArray encode(const Packet &packet, ProtocolVersion version)
{
    // AUTH does not exist before 5.0.
    if (!isV5(version) && std::holds_alternative<Auth>(packet))
        return {};
    const BodyWriter body{version};
    SizeCounter counter;
    std::visit([&](const auto &p) { body.put(counter, p); }, packet);
    if (counter.overflow())
        return {};
    const qsizetype bodySize = counter.size();
    const qsizetype total = 1 + varintSize(quint32(bodySize)) + bodySize;
    QByteArray out(total, Qt::Uninitialized);
    BufferWriter writer(out.data(), counter);
    writer.u8(firstByteOf(packet));
    writer.varint(quint32(bodySize));
    std::visit([&](const auto &p) { body.put(writer, p); }, packet);
    Q_ASSERT(writer.position() == out.constData() + total);
    return out;
}

} // namespace hermes::mqtt
