#include "codec_p.h"

namespace hermes::mqtt {

using detail::kMaxVarint;

int varintSize(quint32 value)
{
    if (value < 128)
        return 1;
    if (value < 16'384)
        return 2;
    if (value < 2'097'152)
        return 3;
    if (value <= kMaxVarint)
        return 4;
    return 0;
}

FrameResult takeFrame(QByteArrayView buffer, quint32 maxPacketSize)
{
    if (buffer.size() < 2)
        return NeedMore{2};
    // Remaining length: at most four bytes [MQTT-1.5.5-1], read without allocating.
    quint32 length = 0;
    qsizetype headerSize = 0;
    for (int i = 1; i <= 4; ++i) {
        if (i >= buffer.size())
            return NeedMore{i + 1};
        const quint8 byte = quint8(buffer[i]);
        length |= quint32(byte & 0x7F) << (7 * (i - 1));
        if (!(byte & 0x80)) {
            headerSize = i + 1;
            break;
        }
    }
    if (headerSize == 0)
        return DecodeError{ProtocolError::MalformedPacket, QStringLiteral("MQTT-1.5.5-1"),
                           QStringLiteral("remaining length is longer than four bytes")};
    const qsizetype total = headerSize + qsizetype(length);
    // The limit counts the whole packet, fixed header included (3.1.2.11.4, 3.2.2.3.6), and
    // is enforced before the body has arrived. 0 means no limit.
    if (maxPacketSize != 0 && total > qsizetype(maxPacketSize))
        return DecodeError{ProtocolError::PacketTooLarge, QString(),
                           QStringLiteral("%1 packet of %2 bytes exceeds the maximum packet "
                                          "size of %3")
                                   .arg(packetTypeName(PacketType(quint8(buffer[0]) >> 4)))
                                   .arg(total)
                                   .arg(maxPacketSize)};
    if (buffer.size() < total)
        return NeedMore{total};
    return Frame{quint8(buffer[0]), buffer.sliced(headerSize, length), total};
}

} // namespace hermes::mqtt
