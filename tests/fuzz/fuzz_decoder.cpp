// libFuzzer target for the MQTT codec (STYLE.md R15): no sockets, no event loop.
//
// Input: byte 0 picks the protocol version (and whether a packet size limit applies), the
// rest is a byte stream cut into frames by takeFrame(). Every frame that decodes is encoded
// again and decoded again; the second packet must equal the first, or the codec is
// asymmetric and the process aborts so libFuzzer keeps the input.
#include "mqtt/codec.h"
#include "mqtt/packets.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace hermes::mqtt;

namespace {

[[noreturn]] void fail(const char *what, const Packet &packet)
{
    std::fprintf(stderr, "fuzz_decoder: %s: %s\n", what, qPrintable(describe(packet)));
    std::abort();
}

void checkRoundTrip(const Packet &packet, ProtocolVersion version)
{
    (void)describe(packet);
    const QByteArray wire = encode(packet, version);
    if (wire.isEmpty())
        fail("decoded packet does not encode", packet);
    const FrameResult frame = takeFrame(wire, 0);
    const Frame *f = std::get_if<Frame>(&frame);
    if (!f || f->totalSize != wire.size())
        fail("encoded packet is not one whole frame", packet);
    const DecodeResult again = decodePacket(*f, version);
    const Packet *back = std::get_if<Packet>(&again);
    if (!back) {
        std::fprintf(stderr, "error: %s\n", qPrintable(std::get<DecodeError>(again).detail));
        fail("encoded packet does not decode", packet);
    }
    if (!(*back == packet))
        fail("round trip changed the packet", packet);
    if (encode(*back, version) != wire)
        fail("encoding is not deterministic", packet);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static constexpr ProtocolVersion versions[] = {ProtocolVersion::V3_1, ProtocolVersion::V3_1_1,
                                                   ProtocolVersion::V5};
    const ProtocolVersion version = versions[(data[0] & 0x7F) % 3];
    const quint32 limit = (data[0] & 0x80) ? 64 : 0;
    QByteArrayView buffer(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    while (!buffer.isEmpty()) {
        const FrameResult result = takeFrame(buffer, limit);
        const Frame *frame = std::get_if<Frame>(&result);
        if (!frame)
            break; // NeedMore or a framing error ends the stream
        if (frame->totalSize <= 0 || frame->totalSize > buffer.size())
            std::abort();
        const DecodeResult decoded = decodePacket(*frame, version);
        if (const Packet *packet = std::get_if<Packet>(&decoded))
            checkRoundTrip(*packet, version);
        (void)peekConnectVersion(*frame);
        buffer = buffer.sliced(frame->totalSize);
    }
    return 0;
}
