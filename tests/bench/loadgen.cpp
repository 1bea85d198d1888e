// hermes_loadgen: MQTT 3.1.1 load generator for broker benchmarks (scripts/bench.sh).
//
// One thread (and one for the optional /metrics scraper), plain non-blocking sockets and
// edge-triggered epoll, so the generator costs far less CPU than the broker it drives; it
// reports its own CPU time (getrusage) next to the broker's (/proc/PID/stat) so a reader
// can check that. CONNECT and SUBSCRIBE are
// encoded with hermes_protocol's codec; the hot path (PUBLISH and its acks) is written and
// parsed by hand to stay cheap. Every wait is bounded by a deadline and by a stall timeout,
// so a run always ends by itself. Loopback only.
//
// With --ws PATH every MQTT connection goes through a WebSocket (RFC 6455, sub-protocol
// "mqtt"): the output of one turn becomes one masked binary frame, as browser clients send it.
// With --tls CA_FILE every connection is TLS 1.3 (OpenSSL, the server verified against the CA,
// no session resumption: each connection is a new device's full handshake).
//
// Each scenario prints exactly one line:
//   RESULT scenario=NAME key=value ... broker_cpu_s=X loadgen_cpu_s=Y broker_rss_kb=Z
// and the exit status is 0 unless something broke (connect refused, broker gone, protocol
// error); numbers never fail a run.
#include "mqtt/codec.h"
#include "mqtt/packets.h"

#include <QByteArray>

#ifdef HERMES_LOADGEN_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#else
struct ssl_st;
using SSL = ssl_st;
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using Nanos = std::int64_t;

Nanos nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return Nanos(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr Nanos kSecond = 1'000'000'000;

// ---- Options ---------------------------------------------------------------------------

struct Options {
    std::string scenario;
    int port = 1883;
    int pid = 0;            ///< broker process for CPU and RSS readings; 0 = none
    long count = 10000;     ///< messages (throughput, fan-out) or samples (latency)
    int qos = 1;
    int window = 50;        ///< unacknowledged QoS>0 PUBLISH the publisher keeps in flight
    int qos0Window = 100;   ///< QoS 0: outstanding deliveries per subscriber, end to end (more
                            ///< than ~16 KB in flight meets 40 ms delayed-ACK stalls on loopback)
    int subscribers = 100;  ///< fan-out
    int connections = 10000;///< idle, push
    int parallel = 64;      ///< connections being opened at once (idle, push)
    int keepAlive = 2;      ///< keepalive scenario
    int trials = 3;         ///< keepalive clients, firstmsg trials
    int payload = 64;       ///< bytes, at least 16 (sequence number and send time)
    double timeout = 120;   ///< hard limit for one scenario, seconds
    double stall = 5;       ///< give up when nothing happened for this long, seconds
    int httpPort = 0;       ///< httppush, scrape: hermesd's http_listener
    std::string key;        ///< httppush, scrape: an API key (hermesctl apikeys create)
    bool persistent = false;///< throughput/fan-out clients keep their session (clean start 0),
                            ///< so QoS 1/2 deliveries go through the broker's store
    std::string wsPath;     ///< non-empty: MQTT over WebSocket to this path (--port is the ws listener)
    int background = 0;     ///< latency: idle sessions held open while measuring
    int scrapeIntervalMs = 0;///< latency: GET /metrics this often from a second thread (0 = never)
    int sources = 0;        ///< loopback source addresses (127.0.0.2 and up) to spread connections
                            ///< over: one address has ~28,000 ephemeral ports; 0 = 8 when
                            ///< --connections is over 20,000, else just 127.0.0.1
    double jitter = 15;     ///< storm: devices return within this many seconds of the drop
    int pings = 0;          ///< idle: keep-alive exchanges (PINGREQ → PINGRESP) on every
                            ///< connection before RSS is read, as devices that have been online
                            ///< a while have had
    std::string tlsCa;      ///< non-empty: TLS 1.3 to --port, the server verified against this CA
};

// ---- Resource readings -------------------------------------------------------------------

double selfCpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/// utime+stime of a process in seconds (fields 14 and 15 of /proc/PID/stat), -1 if unknown.
double processCpuSeconds(int pid)
{
    if (pid <= 0)
        return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return -1;
    // The command name (field 2) may hold spaces; fields after it start past the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos)
        return -1;
    const char *p = line.c_str() + close + 2;
    unsigned long long utime = 0, stime = 0;
    // After ')' come: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    // cmajflt utime(14) stime(15).
    if (std::sscanf(p, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

/// VmRSS of a process in KiB, -1 if unknown.
long processRssKb(int pid)
{
    if (pid <= 0)
        return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return -1;
}

/// True while the process runs; a zombie (exited, not yet reaped by the script) is dead.
bool processAlive(int pid)
{
    if (pid <= 0)
        return true;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return false;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z'
        && line[close + 2] != 'X';
}

void raiseFileLimit()
{
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// ---- Wire helpers (MQTT 3.1.1) -----------------------------------------------------------

void putVarint(std::string &out, std::uint32_t value)
{
    do {
        std::uint8_t byte = value & 0x7F;
        value >>= 7;
        if (value)
            byte |= 0x80;
        out.push_back(char(byte));
    } while (value);
}

void putU16(std::string &out, std::uint16_t v)
{
    out.push_back(char(v >> 8));
    out.push_back(char(v & 0xFF));
}

std::string toStd(const QByteArray &bytes) { return std::string(bytes.constData(), size_t(bytes.size())); }

std::string connectBytes(const std::string &clientId, int keepAlive, bool cleanStart = true)
{
    hermes::mqtt::Connect connect;
    connect.version = hermes::mqtt::ProtocolVersion::V3_1_1;
    connect.clientId = QString::fromStdString(clientId);
    connect.cleanStart = cleanStart;
    connect.keepAliveSeconds = quint16(keepAlive);
    return toStd(hermes::mqtt::encode(connect, hermes::mqtt::ProtocolVersion::V3_1_1));
}

std::string subscribeBytes(const std::string &filter, int qos, quint16 packetId)
{
    hermes::mqtt::Subscribe subscribe;
    subscribe.packetId = packetId;
    hermes::mqtt::TopicSubscription sub;
    sub.filter = QString::fromStdString(filter);
    sub.options.maximumQoS = hermes::mqtt::QoS(qos);
    subscribe.subscriptions.append(sub);
    return toStd(hermes::mqtt::encode(subscribe, hermes::mqtt::ProtocolVersion::V3_1_1));
}

/// PUBLISH whose payload starts with the sequence number and the send time (host order).
void appendPublish(std::string &out, const std::string &topic, int qos, std::uint16_t packetId,
                   std::uint64_t seq, Nanos sentAt, int payloadSize)
{
    const std::uint32_t remaining = 2 + std::uint32_t(topic.size()) + (qos > 0 ? 2 : 0) + std::uint32_t(payloadSize);
    out.push_back(char(0x30 | (qos << 1)));
    putVarint(out, remaining);
    putU16(out, std::uint16_t(topic.size()));
    out += topic;
    if (qos > 0)
        putU16(out, packetId);
    char head[16];
    std::memcpy(head, &seq, 8);
    std::memcpy(head + 8, &sentAt, 8);
    out.append(head, 16);
    out.append(size_t(payloadSize - 16), 'x');
}

void appendAck(std::string &out, std::uint8_t firstByte, std::uint16_t packetId)
{
    out.push_back(char(firstByte));
    out.push_back(char(2));
    putU16(out, packetId);
}

std::uint16_t readU16(const std::uint8_t *p) { return std::uint16_t((p[0] << 8) | p[1]); }

// ---- Event loop ---------------------------------------------------------------------------

struct Conn {
    int fd = -1;
    int index = 0;           ///< scenario-defined (subscriber number, ...)
    std::string in;          ///< MQTT bytes received
    size_t inPos = 0;
    std::string out;         ///< MQTT bytes to send
    size_t outPos = 0;
    // WebSocket connections only: what goes on and comes off the wire.
    bool ws = false;
    bool wsOpen = false;     ///< the 101 answer arrived
    std::string wire;        ///< handshake, then frames
    size_t wirePos = 0;
    std::string wireIn;      ///< handshake answer, then frames not yet decoded
    SSL *ssl = nullptr;      ///< TLS connections only
    bool tlsReady = false;   ///< the TLS handshake finished
    bool open = false;       ///< socket not closed by either side
    bool dirty = false;      ///< queued for flush at the end of this turn
    bool connacked = false;
    bool subacked = false;
    Nanos closedAt = 0;      ///< when the peer closed, 0 while open
    Nanos lastSent = 0;
    // Delivery accounting (subscribers).
    std::vector<std::uint64_t> seen; ///< bitmap by sequence number
    long received = 0;
    long duplicates = 0;
};

class Loop
{
public:
    /// Called once per complete packet: connection, first byte, body.
    std::function<void(Conn &, std::uint8_t, const std::uint8_t *, size_t)> onPacket;
    std::function<void(Conn &)> onClosed;

    explicit Loop(const Options &o)
        : m_wsPath(o.wsPath), m_sources(o.sources > 0 ? o.sources : (o.connections > 20000 ? 8 : 0))
    {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (!o.tlsCa.empty())
            setUpTls(o.tlsCa);
    }
    ~Loop()
    {
        for (auto &c : m_conns) {
            release(*c);
            if (c->fd >= 0)
                ::close(c->fd);
        }
        ::close(m_epoll);
#ifdef HERMES_LOADGEN_TLS
        SSL_CTX_free(m_tls);
#endif
    }
    Loop(const Loop &) = delete;
    Loop &operator=(const Loop &) = delete;

    std::string error; ///< first hard error, empty if none

    Conn *connectTo(int port, int index)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            fail(std::string("socket: ") + std::strerror(errno));
            return nullptr;
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (m_sources > 0) {
            // The port is chosen at connect() time, per destination, not reserved at bind().
            setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            sockaddr_in source{};
            source.sin_family = AF_INET;
            source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + std::uint32_t(std::abs(index) % m_sources));
            if (::bind(fd, reinterpret_cast<sockaddr *>(&source), sizeof source) != 0) {
                fail(std::string("bind: ") + std::strerror(errno));
                ::close(fd);
                return nullptr;
            }
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(std::uint16_t(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
            fail(std::string("connect: ") + std::strerror(errno));
            ::close(fd);
            return nullptr;
        }
        auto conn = std::make_unique<Conn>();
        conn->fd = fd;
        conn->index = index;
        conn->open = true;
#ifdef HERMES_LOADGEN_TLS
        if (m_tls) {
            conn->ssl = SSL_new(m_tls);
            SSL_set_fd(conn->ssl, fd);
            SSL_set_connect_state(conn->ssl);
        }
#endif
        if (!m_wsPath.empty()) {
            conn->ws = true;
            conn->wire = "GET " + m_wsPath + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                  "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n";
        }
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.ptr = conn.get();
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        m_conns.push_back(std::move(conn));
        return m_conns.back().get();
    }

    /// Queues bytes; they are written at the end of the current turn (or now if idle).
    void send(Conn &c, const std::string &bytes)
    {
        c.out += bytes;
        markDirty(c);
    }
    void markDirty(Conn &c)
    {
        if (!c.dirty && c.open) {
            c.dirty = true;
            m_dirty.push_back(&c);
        }
    }

    /// Runs turns until `done()` is true, the deadline passes, or nothing progressed for
    /// `stallNs` (progress = any packet received). Returns true if `done()` became true.
    bool run(const std::function<bool()> &done, Nanos deadline, Nanos stallNs)
    {
        Nanos lastProgress = nowNs();
        epoll_event events[256];
        while (!done()) {
            flushDirty(); // what done() or the last turn queued goes out before waiting
            const Nanos now = nowNs();
            if (now >= deadline || now - lastProgress >= stallNs || !error.empty())
                return false;
            const int waitMs = int(std::min<Nanos>({(deadline - now) / 1'000'000 + 1, 100}));
            const int n = epoll_wait(m_epoll, events, 256, waitMs);
            if (n < 0 && errno != EINTR) {
                fail(std::string("epoll_wait: ") + std::strerror(errno));
                return false;
            }
            const long before = m_packets;
            for (int i = 0; i < n; ++i) {
                auto *c = static_cast<Conn *>(events[i].data.ptr);
                if (events[i].events & EPOLLOUT)
                    flush(*c);
                if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                    readAll(*c);
            }
            if (m_packets != before)
                lastProgress = nowNs();
        }
        return true;
    }

    size_t size() const { return m_conns.size(); }
    Conn &at(size_t i) { return *m_conns[i]; }

    /// Drops the connection the way a lost network does to a device that notices: a reset,
    /// no DISCONNECT. onClosed is not called.
    void drop(Conn &c)
    {
        if (!c.open)
            return;
        const linger reset{1, 0};
        setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        release(c);
        c.open = false;
        c.closedAt = nowNs();
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
    }

    void fail(const std::string &message)
    {
        if (error.empty())
            error = message;
    }

private:
    void flushDirty()
    {
        // flush() may not add to m_dirty; swap to be safe anyway.
        std::vector<Conn *> list;
        list.swap(m_dirty);
        for (Conn *c : list) {
            c->dirty = false;
            flush(*c);
        }
    }

    void flush(Conn &c)
    {
        if (c.ws && c.wsOpen && c.outPos < c.out.size()) {
            appendFrame(c.wire, 0x2, c.out.data() + c.outPos, c.out.size() - c.outPos);
            c.out.clear();
            c.outPos = 0;
        }
        std::string &buffer = c.ws ? c.wire : c.out;
        size_t &pos = c.ws ? c.wirePos : c.outPos;
        while (c.open && pos < buffer.size()) {
            const ssize_t n = writeSome(c, buffer.data() + pos, buffer.size() - pos);
            if (n > 0) {
                pos += size_t(n);
                c.lastSent = nowNs();
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                return; // EPOLLOUT edge will call again
            } else if (n < 0 && errno == ENOTCONN) {
                return; // connect still in progress
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                closeConn(c);
                return;
            }
        }
        if (pos == buffer.size()) {
            buffer.clear();
            pos = 0;
        }
    }

    /// A client frame: FIN, the opcode, masked (RFC 6455 5.3) with a key that changes per frame.
    void appendFrame(std::string &wire, std::uint8_t opcode, const char *data, size_t size)
    {
        wire.push_back(char(0x80 | opcode));
        if (size < 126) {
            wire.push_back(char(0x80 | size));
        } else if (size <= 0xFFFF) {
            wire.push_back(char(0x80 | 126));
            putU16(wire, std::uint16_t(size));
        } else {
            wire.push_back(char(0x80 | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
                wire.push_back(char((std::uint64_t(size) >> shift) & 0xFF));
        }
        const std::uint32_t key = 0x9E3779B9u * std::uint32_t(++m_frames);
        const char mask[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
        wire.append(mask, 4);
        const size_t start = wire.size();
        wire.append(data, size);
        for (size_t i = 0; i < size; ++i)
            wire[start + i] ^= mask[i & 3];
    }

    /// Handshake answer, then server frames (unmasked): binary payload goes to `c.in`, a ping
    /// is answered, a close closes. False when the connection was closed.
    bool decodeWebSocket(Conn &c)
    {
        size_t pos = 0;
        if (!c.wsOpen) {
            const size_t end = c.wireIn.find("\r\n\r\n");
            if (end == std::string::npos)
                return true;
            if (c.wireIn.compare(0, 12, "HTTP/1.1 101") != 0) {
                fail("websocket_handshake_refused:" + c.wireIn.substr(9, 3));
                closeConn(c);
                return false;
            }
            c.wsOpen = true;
            pos = end + 4;
            markDirty(c); // what was queued before the upgrade goes out as the first frame
        }
        const auto *data = reinterpret_cast<const std::uint8_t *>(c.wireIn.data());
        while (c.wireIn.size() - pos >= 2) {
            const std::uint8_t opcode = data[pos] & 0x0F;
            const bool masked = data[pos + 1] & 0x80;
            std::uint64_t length = data[pos + 1] & 0x7F;
            size_t header = 2;
            if (length == 126) {
                if (c.wireIn.size() - pos < 4)
                    break;
                length = readU16(data + pos + 2);
                header = 4;
            } else if (length == 127) {
                if (c.wireIn.size() - pos < 10)
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | data[pos + 2 + size_t(i)];
                header = 10;
            }
            const size_t maskAt = pos + header;
            if (masked)
                header += 4;
            if (c.wireIn.size() - pos < header + length)
                break;
            std::string payload = c.wireIn.substr(pos + header, size_t(length));
            if (masked) {
                for (size_t i = 0; i < payload.size(); ++i)
                    payload[i] ^= char(data[maskAt + (i & 3)]);
            }
            pos += header + size_t(length);
            if (opcode == 0x0 || opcode == 0x2) {
                c.in += payload;
            } else if (opcode == 0x8) {
                closeConn(c);
                return false;
            } else if (opcode == 0x9) {
                appendFrame(c.wire, 0xA, payload.data(), payload.size());
                markDirty(c);
            } else if (opcode != 0xA) {
                fail("websocket_text_frame");
            }
        }
        c.wireIn.erase(0, pos);
        return true;
    }


    void readAll(Conn &c)
    {
        char buf[65536];
        while (c.open) {
            const ssize_t n = readSome(c, buf, sizeof buf);
            if (n > 0) {
                if (c.ws) {
                    c.wireIn.append(buf, size_t(n));
                    if (!decodeWebSocket(c))
                        break;
                } else {
                    c.in.append(buf, size_t(n));
                }
                parse(c);
                if (!c.ssl && size_t(n) < sizeof buf)
                    break; // short read: drained (TLS may hold decrypted bytes: read to EAGAIN)
            } else if (n == 0) {
                closeConn(c);
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            } else if (errno == EINTR) {
                continue;
            } else {
                closeConn(c);
            }
        }
    }

    void parse(Conn &c)
    {
        const auto *data = reinterpret_cast<const std::uint8_t *>(c.in.data());
        const size_t size = c.in.size();
        while (c.inPos + 2 <= size) {
            size_t p = c.inPos + 1;
            std::uint32_t remaining = 0;
            int shift = 0;
            bool complete = false;
            for (int i = 0; i < 4 && p < size; ++i) {
                const std::uint8_t b = data[p++];
                remaining |= std::uint32_t(b & 0x7F) << shift;
                shift += 7;
                if (!(b & 0x80)) {
                    complete = true;
                    break;
                }
            }
            if (!complete)
                break;
            if (p + remaining > size)
                break;
            ++m_packets;
            onPacket(c, data[c.inPos], data + p, remaining);
            c.inPos = p + remaining;
        }
        if (c.inPos == c.in.size()) {
            c.in.clear();
            c.inPos = 0;
        } else if (c.inPos > 65536) {
            c.in.erase(0, c.inPos);
            c.inPos = 0;
        }
    }

    void closeConn(Conn &c)
    {
        if (!c.open)
            return;
        c.open = false;
        c.closedAt = nowNs();
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        release(c);
        ::close(c.fd);
        c.fd = -1;
        if (onClosed)
            onClosed(c);
    }

    // Byte I/O, plain or TLS, with errno set as recv/send set it (EAGAIN: wait for the next edge).
#ifdef HERMES_LOADGEN_TLS
    void setUpTls(const std::string &caFile)
    {
        m_tls = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(m_tls, TLS1_3_VERSION);
        SSL_CTX_set_session_cache_mode(m_tls, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_verify(m_tls, SSL_VERIFY_PEER, nullptr);
        if (SSL_CTX_load_verify_locations(m_tls, caFile.c_str(), nullptr) != 1)
            fail("tls_ca_unreadable:" + caFile);
    }

    /// Finishes the handshake first; SSL's "want read/write" become EAGAIN.
    ssize_t tlsIo(Conn &c, bool reading, char *data, size_t size)
    {
        if (!c.tlsReady) {
            const int r = SSL_do_handshake(c.ssl);
            if (r != 1)
                return tlsError(c, r);
            c.tlsReady = true;
            markDirty(c); // CONNECT was queued before the handshake
        }
        const int r = reading ? SSL_read(c.ssl, data, int(size)) : SSL_write(c.ssl, data, int(size));
        return r > 0 ? ssize_t(r) : tlsError(c, r);
    }

    ssize_t tlsError(Conn &c, int result)
    {
        const int e = SSL_get_error(c.ssl, result);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE
            || (e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == ENOTCONN))) {
            errno = EAGAIN;
            return -1;
        }
        if (e == SSL_ERROR_ZERO_RETURN)
            return 0;
        if (e == SSL_ERROR_SSL) {
            char reason[256];
            ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
            fail(std::string("tls: ") + reason);
        }
        errno = EIO;
        return -1;
    }

    void release(Conn &c)
    {
        SSL_free(c.ssl);
        c.ssl = nullptr;
    }
#else
    void setUpTls(const std::string &) { fail("built_without_openssl"); }
    ssize_t tlsIo(Conn &, bool, char *, size_t) { errno = EIO; return -1; }
    void release(Conn &) {}
#endif

    ssize_t readSome(Conn &c, char *data, size_t size)
    {
        return c.ssl ? tlsIo(c, true, data, size) : ::recv(c.fd, data, size, 0);
    }
    ssize_t writeSome(Conn &c, const char *data, size_t size)
    {
        return c.ssl ? tlsIo(c, false, const_cast<char *>(data), size) : ::send(c.fd, data, size, MSG_NOSIGNAL);
    }

    const std::string m_wsPath;
    const int m_sources;
#ifdef HERMES_LOADGEN_TLS
    SSL_CTX *m_tls = nullptr;
#endif
    std::uint32_t m_frames = 0;
    int m_epoll = -1;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::vector<Conn *> m_dirty;
    long m_packets = 0;
};

/// Sequence number and send time from a PUBLISH body (3.1.1: no properties).
bool publishPayload(std::uint8_t firstByte, const std::uint8_t *body, size_t len, std::uint64_t &seq,
                    Nanos &sentAt, std::uint16_t &packetId)
{
    if (len < 2)
        return false;
    const size_t topicLen = readU16(body);
    const int qos = (firstByte >> 1) & 3;
    size_t p = 2 + topicLen;
    packetId = 0;
    if (qos > 0) {
        if (p + 2 > len)
            return false;
        packetId = readU16(body + p);
        p += 2;
    }
    if (p + 16 > len)
        return false;
    std::memcpy(&seq, body + p, 8);
    std::memcpy(&sentAt, body + p + 8, 8);
    return true;
}

/// Marks a sequence number delivered on a subscriber; false for a duplicate.
bool markSeen(Conn &c, std::uint64_t seq)
{
    const size_t word = size_t(seq / 64);
    if (word >= c.seen.size())
        c.seen.resize(word + 1, 0);
    const std::uint64_t bit = std::uint64_t(1) << (seq % 64);
    if (c.seen[word] & bit) {
        ++c.duplicates;
        return false;
    }
    c.seen[word] |= bit;
    ++c.received;
    return true;
}

// ---- Result line ------------------------------------------------------------------------

class Meter
{
public:
    explicit Meter(int pid) : m_pid(pid) { restart(); }
    void restart()
    {
        m_self = selfCpuSeconds();
        m_broker = processCpuSeconds(m_pid);
    }
    double selfCpu() const { return selfCpuSeconds() - m_self; }
    double brokerCpu() const
    {
        const double now = processCpuSeconds(m_pid);
        return now < 0 || m_broker < 0 ? -1 : now - m_broker;
    }

private:
    int m_pid;
    double m_self = 0;
    double m_broker = 0;
};

class Result
{
public:
    explicit Result(const std::string &scenario) { m_line = "RESULT scenario=" + scenario; }
    Result &add(const char *key, double value, int precision = 1)
    {
        char buf[64];
        std::snprintf(buf, sizeof buf, " %s=%.*f", key, precision, value);
        m_line += buf;
        return *this;
    }
    Result &add(const char *key, long value)
    {
        m_line += " " + std::string(key) + "=" + std::to_string(value);
        return *this;
    }
    Result &add(const char *key, const std::string &value)
    {
        m_line += " " + std::string(key) + "=" + value;
        return *this;
    }
    void print(const Meter &meter, int pid, const std::string &error)
    {
        add("broker_cpu_s", meter.brokerCpu(), 3);
        add("loadgen_cpu_s", meter.selfCpu(), 3);
        add("broker_rss_kb", processRssKb(pid));
        if (!error.empty()) {
            std::string e = error;
            std::replace(e.begin(), e.end(), ' ', '_');
            add("error", e);
        }
        std::printf("%s\n", m_line.c_str());
        std::fflush(stdout);
    }

private:
    std::string m_line;
};

// ---- Shared steps -------------------------------------------------------------------------

/// Opens `count` connections, at most `parallel` waiting for CONNACK at once; `onConnack`
/// may queue more packets (SUBSCRIBE). Returns false on error, deadline or stall.
bool openClients(Loop &loop, const Options &o, int count, const std::string &idPrefix, int keepAlive,
                 Nanos deadline, long &connacked)
{
    int started = 0;
    auto startMore = [&] {
        while (started < count && started - connacked < o.parallel) {
            Conn *c = loop.connectTo(o.port, started);
            if (!c)
                return;
            loop.send(*c, connectBytes(idPrefix + std::to_string(started), keepAlive, !o.persistent));
            ++started;
        }
    };
    startMore();
    return loop.run(
        [&] {
            startMore();
            return connacked >= count;
        },
        deadline, Nanos(o.stall * kSecond));
}

Nanos deadlineFrom(const Options &o) { return nowNs() + Nanos(o.timeout * kSecond); }

std::string checkAlive(const Options &o, std::string error)
{
    if (!processAlive(o.pid))
        return "broker_process_gone";
    return error;
}

// ---- Scenario: throughput and fan-out -----------------------------------------------------

/// One publisher to `subs` subscribers on one topic at `qos`. Publisher keeps `window`
/// unacknowledged QoS>0 PUBLISH (QoS 0: qos0Window outstanding deliveries end to end).
int runFlow(const Options &o, const std::string &name, int subs, long count, int window)
{
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    const std::string topic = "bench/flow";
    long connacked = 0, subacked = 0;
    std::vector<std::uint8_t> inflight(65536, 0); // publisher: 1 = awaiting PUBACK/PUBREC, 2 = PUBCOMP
    long sent = 0, acked = 0, delivered = 0, duplicates = 0, protocolErrors = 0;
    int inflightCount = 0;
    std::uint16_t nextId = 1;
    Conn *pub = nullptr;

    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        const int type = fb >> 4;
        switch (type) {
        case 2: // CONNACK
            if (len < 2 || body[1] != 0)
                loop.fail("connack_refused");
            c.connacked = true;
            ++connacked;
            if (c.index < subs)
                loop.send(c, subscribeBytes(topic, o.qos, 1));
            break;
        case 9: // SUBACK
            if (len < 3 || body[2] == 0x80)
                loop.fail("suback_refused");
            ++subacked;
            break;
        case 3: { // PUBLISH to a subscriber
            std::uint64_t seq = 0;
            Nanos sentAt = 0;
            std::uint16_t pid = 0;
            if (!publishPayload(fb, body, len, seq, sentAt, pid)) {
                ++protocolErrors;
                break;
            }
            const int q = (fb >> 1) & 3;
            if (q == 1)
                appendAck(c.out, 0x40, pid);
            else if (q == 2)
                appendAck(c.out, 0x50, pid);
            if (q > 0)
                loop.markDirty(c);
            if (markSeen(c, seq))
                ++delivered;
            else
                ++duplicates;
            break;
        }
        case 6: // PUBREL to a subscriber
            if (len >= 2) {
                appendAck(c.out, 0x70, readU16(body));
                loop.markDirty(c);
            }
            break;
        case 4: // PUBACK to the publisher
        case 7: // PUBCOMP
            if (len >= 2) {
                const auto id = readU16(body);
                if (inflight[id]) {
                    inflight[id] = 0;
                    --inflightCount;
                    ++acked;
                } else {
                    ++protocolErrors;
                }
            }
            break;
        case 5: // PUBREC
            if (len >= 2) {
                const auto id = readU16(body);
                if (inflight[id] == 1)
                    inflight[id] = 2;
                appendAck(c.out, 0x62, id);
                loop.markDirty(c);
            }
            break;
        default:
            break;
        }
    };
    loop.onClosed = [&](Conn &) { loop.fail("connection_closed_by_broker"); };

    // Subscribers first (index 0..subs-1), then the publisher (index subs).
    bool ok = openClients(loop, o, subs, "lg-sub-", 60, deadline, connacked);
    ok = ok && loop.run([&] { return subacked >= subs; }, deadline, Nanos(o.stall * kSecond));
    if (ok) {
        pub = loop.connectTo(o.port, subs);
        if (pub) {
            loop.send(*pub, connectBytes("lg-pub", 60, !o.persistent));
            ok = loop.run([&] { return pub->connacked; }, deadline, Nanos(o.stall * kSecond));
        } else {
            ok = false;
        }
    }

    meter.restart();
    const Nanos start = nowNs();
    Nanos lastDelivery = start;
    Nanos maxGap = 0; ///< longest pause between deliveries: stalls, Nagle, timers
    long lastDelivered = 0;
    auto pump = [&] {
        if (!pub || !pub->open)
            return;
        bool queued = false;
        while (sent < count) {
            if (o.qos == 0) {
                if (sent * subs - delivered >= long(window) * subs)
                    break;
            } else {
                if (inflightCount >= window)
                    break;
                while (inflight[nextId])
                    nextId = std::uint16_t(nextId == 65535 ? 1 : nextId + 1);
                inflight[nextId] = 1;
                ++inflightCount;
            }
            appendPublish(pub->out, topic, o.qos, nextId, std::uint64_t(sent), nowNs(), o.payload);
            if (o.qos > 0)
                nextId = std::uint16_t(nextId == 65535 ? 1 : nextId + 1);
            ++sent;
            queued = true;
        }
        if (queued)
            loop.markDirty(*pub);
    };
    const long expected = count * subs;
    if (ok) {
        loop.run(
            [&] {
                if (delivered != lastDelivered) {
                    const Nanos now = nowNs();
                    maxGap = std::max(maxGap, now - lastDelivery);
                    lastDelivered = delivered;
                    lastDelivery = now;
                }
                pump();
                // Everything sent and acknowledged but deliveries stopped: the rest is lost;
                // a second of silence ends the run sooner than the stall timeout.
                const bool drained = sent >= count && (o.qos == 0 || acked >= count)
                    && nowNs() - lastDelivery > kSecond;
                return drained || (delivered >= expected && (o.qos == 0 || acked >= count));
            },
            deadline, Nanos(o.stall * kSecond));
    }
    const double seconds = double(lastDelivery - start) / 1e9;
    Result r(name);
    r.add("qos", long(o.qos)).add("subscribers", long(subs)).add("messages", count).add("window", long(window));
    r.add("sent", sent).add("acked", acked).add("delivered", delivered).add("lost", expected - delivered);
    r.add("duplicates", duplicates).add("protocol_errors", protocolErrors);
    r.add("seconds", seconds, 3);
    r.add("rate", seconds > 0 ? double(delivered) / seconds : 0.0);
    r.add("max_gap_ms", double(maxGap) / 1e6, 2);
    r.print(meter, o.pid, checkAlive(o, ok ? loop.error : (loop.error.empty() ? "setup_failed" : loop.error)));
    return ok && loop.error.empty() && processAlive(o.pid) ? 0 : 1;
}

// ---- HTTP client (hermesd's HTTP API) -------------------------------------------------------

/// One keep-alive HTTP/1.1 connection, one request at a time (blocking socket, driven by poll).
struct HttpClient {
    int fd = -1;
    std::string in;
    Nanos sentAt = 0;

    bool open(int port)
    {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(std::uint16_t(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
    }
    bool send(const std::string &request)
    {
        sentAt = nowNs();
        return ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size());
    }
    /// Waits for the whole response: its status, or -1 on EOF or `stallMs` without a byte.
    int await(int stallMs)
    {
        int status = 0;
        while (status == 0) {
            pollfd ready{fd, POLLIN, 0};
            if (::poll(&ready, 1, stallMs) <= 0)
                return -1;
            status = receive();
        }
        return status;
    }
    /// Reads what is there; the status of a complete response, 0 while incomplete, -1 on EOF.
    int receive()
    {
        char buffer[65536];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            return -1;
        in.append(buffer, size_t(n));
        const auto headerEnd = in.find("\r\n\r\n");
        if (headerEnd == std::string::npos)
            return 0;
        const auto lengthAt = in.find("Content-Length: ");
        const size_t length = lengthAt < headerEnd ? std::strtoul(in.c_str() + lengthAt + 16, nullptr, 10) : 0;
        if (in.size() < headerEnd + 4 + length)
            return 0;
        const int status = std::atoi(in.c_str() + 9); // "HTTP/1.1 201"
        in.erase(0, headerEnd + 4 + length);
        return status;
    }
    ~HttpClient()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

std::string httpRequest(const Options &o, const char *method, const char *path, const std::string &body)
{
    std::string request = std::string(method) + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
        + o.key + "\r\n";
    if (!body.empty())
        request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    return request + "\r\n" + body;
}

void addPercentiles(Result &r, std::vector<Nanos> samples, const char *unit)
{
    std::sort(samples.begin(), samples.end());
    const double scale = std::string(unit) == "ms" ? 1e6 : 1e3;
    auto pct = [&](double p) {
        return samples.empty() ? 0.0 : double(samples[std::min(samples.size() - 1, size_t(p * double(samples.size())))]) / scale;
    };
    const std::string u(unit);
    r.add(("p50_" + u).c_str(), pct(0.50), 2).add(("p99_" + u).c_str(), pct(0.99), 2);
    r.add(("max_" + u).c_str(), samples.empty() ? 0.0 : double(samples.back()) / scale, 2);
}

/// GET /metrics every `intervalMs` on its own thread and connection, so a scrape's cost shows
/// in the broker's answers to the measuring loop, never in the loop itself.
class Scraper
{
public:
    explicit Scraper(const Options &o) : m_request(httpRequest(o, "GET", "/metrics", {}))
    {
        if (o.scrapeIntervalMs <= 0)
            return;
        if (!m_client.open(o.httpPort)) {
            error = "http_connect_failed";
            return;
        }
        m_thread = std::thread([this, interval = std::chrono::milliseconds(o.scrapeIntervalMs),
                                stallMs = int(o.stall * 1000)] { run(interval, stallMs); });
    }
    ~Scraper() { stop(); }
    Scraper(const Scraper &) = delete;
    Scraper &operator=(const Scraper &) = delete;

    /// Joins the thread; after this, `latencies` and `error` are final.
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

    std::vector<Nanos> latencies;
    std::string error;

private:
    void run(std::chrono::milliseconds interval, int stallMs)
    {
        using Clock = std::chrono::steady_clock;
        auto next = Clock::now();
        while (!m_stop) {
            m_client.send(m_request);
            const int status = m_client.await(stallMs);
            if (status != 200) {
                error = status < 0 ? "metrics_connection_closed" : "metrics_status_" + std::to_string(status);
                return;
            }
            latencies.push_back(nowNs() - m_client.sentAt);
            next += interval;
            // Pacing, in slices so that stop() is answered within 20 ms.
            while (!m_stop && Clock::now() < next)
                std::this_thread::sleep_for(std::min<Clock::duration>(next - Clock::now(), std::chrono::milliseconds(20)));
        }
    }

    const std::string m_request;
    HttpClient m_client;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// ---- Scenario: QoS 1 round-trip latency ----------------------------------------------------

/// One subscriber, one publisher, one QoS 1 message at a time; optionally with `background`
/// idle sessions open and /metrics scraped every `scrapeIntervalMs` meanwhile.
int runLatency(const Options &o)
{
    raiseFileLimit();
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    const std::string topic = "bench/latency";
    constexpr int kSubscriber = -1, kPublisher = -2; // background sessions are 0..N-1
    long connacked = 0, backgroundConnacked = 0;
    bool subacked = false, delivered = false, acked = false;
    Nanos latency = 0;
    std::vector<Nanos> samples;
    samples.reserve(size_t(o.count));

    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        switch (fb >> 4) {
        case 2:
            c.connacked = true;
            if (c.index >= 0) {
                ++backgroundConnacked;
                break;
            }
            ++connacked;
            if (c.index == kSubscriber)
                loop.send(c, subscribeBytes(topic, 1, 1));
            break;
        case 9:
            subacked = true;
            break;
        case 3: {
            std::uint64_t seq = 0;
            Nanos sentAt = 0;
            std::uint16_t pid = 0;
            if (publishPayload(fb, body, len, seq, sentAt, pid)) {
                latency = nowNs() - sentAt;
                delivered = true;
                appendAck(c.out, 0x40, pid);
                loop.markDirty(c);
            }
            break;
        }
        case 4:
            acked = true;
            break;
        default:
            break;
        }
    };
    loop.onClosed = [&](Conn &) { loop.fail("connection_closed_by_broker"); };

    bool ok = o.background == 0
        || openClients(loop, o, o.background, "lg-bg-", 60, deadline, backgroundConnacked);
    Conn *sub = ok ? loop.connectTo(o.port, kSubscriber) : nullptr;
    Conn *pub = ok ? loop.connectTo(o.port, kPublisher) : nullptr;
    ok = sub && pub;
    if (ok) {
        loop.send(*sub, connectBytes("lg-lat-sub", 60));
        loop.send(*pub, connectBytes("lg-lat-pub", 60));
        ok = loop.run([&] { return connacked >= 2 && subacked; }, deadline, Nanos(o.stall * kSecond));
    }
    meter.restart();
    Scraper scraper(o);
    std::uint16_t id = 1;
    for (long i = 0; ok && i < o.count; ++i) {
        delivered = acked = false;
        std::string bytes;
        appendPublish(bytes, topic, 1, id, std::uint64_t(i), nowNs(), o.payload);
        id = std::uint16_t(id == 65535 ? 1 : id + 1);
        loop.send(*pub, bytes);
        ok = loop.run([&] { return delivered && acked; }, deadline, Nanos(o.stall * kSecond));
        if (ok)
            samples.push_back(latency);
    }
    scraper.stop();
    std::vector<Nanos> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&](double p) -> double {
        if (sorted.empty())
            return 0;
        const size_t idx = std::min(sorted.size() - 1, size_t(p * double(sorted.size())));
        return double(sorted[idx]) / 1000.0;
    };
    Result r("latency_qos1");
    r.add("samples", long(samples.size()));
    r.add("p50_us", pct(0.50)).add("p99_us", pct(0.99)).add("max_us", sorted.empty() ? 0.0 : double(sorted.back()) / 1000.0);
    r.add("first_us", samples.empty() ? 0.0 : double(samples.front()) / 1000.0);
    r.add("over_1ms", long(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), Nanos(1'000'000))));
    if (o.background > 0)
        r.add("background", backgroundConnacked);
    if (o.scrapeIntervalMs > 0) {
        std::vector<Nanos> scrapes = scraper.latencies;
        std::sort(scrapes.begin(), scrapes.end());
        r.add("scrapes", long(scrapes.size()));
        r.add("scrape_p50_ms", scrapes.empty() ? 0.0 : double(scrapes[scrapes.size() / 2]) / 1e6, 2);
        r.add("scrape_max_ms", scrapes.empty() ? 0.0 : double(scrapes.back()) / 1e6, 2);
    }
    std::string error = ok ? loop.error : (loop.error.empty() ? "timeout" : loop.error);
    if (error.empty())
        error = scraper.error;
    r.print(meter, o.pid, checkAlive(o, error));
    return error.empty() && processAlive(o.pid) ? 0 : 1;
}

// ---- Scenario: idle connections -----------------------------------------------------------

int runIdle(const Options &o)
{
    raiseFileLimit();
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    long connacked = 0;
    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        if ((fb >> 4) == 2) {
            if (len < 2 || body[1] != 0)
                loop.fail("connack_refused");
            c.connacked = true;
            ++connacked;
        }
    };
    loop.onClosed = [&](Conn &) { loop.fail("connection_closed_by_broker"); };
    const long rssBefore = processRssKb(o.pid);
    const Nanos start = nowNs();
    bool ok = openClients(loop, o, o.connections, "lg-idle-", 60, deadline, connacked);
    const Nanos end = nowNs();
    // Keep-alive rounds: every connection pings and waits for its PINGRESP, all at once.
    long pongs = 0, rounds = 0;
    if (o.pings > 0) {
        const auto previous = loop.onPacket;
        loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
            if ((fb >> 4) == 13)
                ++pongs;
            else
                previous(c, fb, body, len);
        };
        static const std::string pingreq("\xC0\x00", 2);
        for (; ok && rounds < o.pings; ++rounds) {
            const long want = pongs + long(loop.size());
            for (size_t i = 0; i < loop.size(); ++i)
                loop.send(loop.at(i), pingreq);
            ok = loop.run([&] { return pongs >= want; }, deadline, Nanos(o.stall * kSecond));
        }
    }
    // Let the broker finish what it does after CONNACK, then read RSS (bounded: 0.5 s).
    loop.run([] { return false; }, nowNs() + kSecond / 2, kSecond);
    const long rssAfter = processRssKb(o.pid);
    const double seconds = double(end - start) / 1e9;
    Result r("idle_connections");
    r.add("connections", long(o.connections)).add("connacked", connacked).add("parallel", long(o.parallel));
    r.add("seconds", seconds, 3).add("rate", seconds > 0 ? double(connacked) / seconds : 0.0);
    if (o.pings > 0)
        r.add("ping_rounds", rounds).add("pongs", pongs);
    r.add("rss_before_kb", rssBefore).add("rss_after_kb", rssAfter);
    r.add("bytes_per_conn", connacked > 0 && rssBefore >= 0 ? double(rssAfter - rssBefore) * 1024.0 / double(connacked) : 0.0, 0);
    r.print(meter, o.pid, checkAlive(o, ok ? loop.error : (loop.error.empty() ? "timeout" : loop.error)));
    return ok && loop.error.empty() && processAlive(o.pid) ? 0 : 1;
}

// ---- Scenario: targeted push to device topics ----------------------------------------------

int runPush(const Options &o)
{
    raiseFileLimit();
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    const int devices = o.connections;
    long connacked = 0, subacked = 0, delivered = 0, duplicates = 0, acked = 0, sent = 0;
    std::vector<std::uint8_t> inflight(65536, 0);
    int inflightCount = 0;
    std::uint16_t nextId = 1;
    Nanos lastDelivery = 0;

    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        switch (fb >> 4) {
        case 2:
            if (len < 2 || body[1] != 0)
                loop.fail("connack_refused");
            c.connacked = true;
            ++connacked;
            if (c.index < devices)
                loop.send(c, subscribeBytes("devices/" + std::to_string(c.index) + "/push", 1, 1));
            break;
        case 9:
            if (len < 3 || body[2] == 0x80)
                loop.fail("suback_refused");
            ++subacked;
            break;
        case 3: {
            std::uint64_t seq = 0;
            Nanos sentAt = 0;
            std::uint16_t pid = 0;
            if (publishPayload(fb, body, len, seq, sentAt, pid)) {
                appendAck(c.out, 0x40, pid);
                loop.markDirty(c);
                if (seq != std::uint64_t(c.index))
                    loop.fail("push_to_wrong_device");
                if (markSeen(c, 0)) {
                    ++delivered;
                    lastDelivery = nowNs();
                } else {
                    ++duplicates;
                }
            }
            break;
        }
        case 4:
            if (len >= 2 && inflight[readU16(body)]) {
                inflight[readU16(body)] = 0;
                --inflightCount;
                ++acked;
            }
            break;
        default:
            break;
        }
    };
    loop.onClosed = [&](Conn &) { loop.fail("connection_closed_by_broker"); };

    const long rssBefore = processRssKb(o.pid);
    const Nanos connectStart = nowNs();
    bool ok = openClients(loop, o, devices, "lg-dev-", 60, deadline, connacked);
    ok = ok && loop.run([&] { return subacked >= devices; }, deadline, Nanos(o.stall * kSecond));
    const double connectSeconds = double(nowNs() - connectStart) / 1e9;
    const long rssAfter = processRssKb(o.pid);
    Conn *pub = ok ? loop.connectTo(o.port, devices) : nullptr;
    if (pub) {
        loop.send(*pub, connectBytes("lg-push-pub", 60));
        ok = loop.run([&] { return pub->connacked; }, deadline, Nanos(o.stall * kSecond));
    } else {
        ok = false;
    }
    meter.restart();
    const Nanos start = nowNs();
    lastDelivery = start;
    std::string topic;
    if (ok) {
        loop.run(
            [&] {
                bool queued = false;
                while (sent < devices && inflightCount < o.window) {
                    while (inflight[nextId])
                        nextId = std::uint16_t(nextId == 65535 ? 1 : nextId + 1);
                    inflight[nextId] = 1;
                    ++inflightCount;
                    topic = "devices/" + std::to_string(sent) + "/push";
                    appendPublish(pub->out, topic, 1, nextId, std::uint64_t(sent), nowNs(), o.payload);
                    nextId = std::uint16_t(nextId == 65535 ? 1 : nextId + 1);
                    ++sent;
                    queued = true;
                }
                if (queued)
                    loop.markDirty(*pub);
                return delivered >= devices && acked >= devices;
            },
            deadline, Nanos(o.stall * kSecond));
    }
    const double seconds = double(lastDelivery - start) / 1e9;
    Result r("push_devices");
    r.add("devices", long(devices)).add("connect_seconds", connectSeconds, 3);
    r.add("connect_rate", connectSeconds > 0 ? double(subacked) / connectSeconds : 0.0);
    r.add("bytes_per_conn", subacked > 0 && rssBefore >= 0 ? double(rssAfter - rssBefore) * 1024.0 / double(subacked) : 0.0, 0);
    r.add("window", long(o.window)).add("sent", sent).add("delivered", delivered);
    r.add("lost", long(devices) - delivered).add("duplicates", duplicates);
    r.add("seconds", seconds, 3).add("rate", seconds > 0 ? double(delivered) / seconds : 0.0);
    r.print(meter, o.pid, checkAlive(o, ok ? loop.error : (loop.error.empty() ? "setup_failed" : loop.error)));
    return ok && loop.error.empty() && processAlive(o.pid) ? 0 : 1;
}

// ---- Scenario: a persistent session drains its queue ----------------------------------------

/// A QoS 1 subscriber with a persistent session goes away (DISCONNECT); `count` messages are
/// published and acknowledged meanwhile, so the broker queues them; the subscriber returns and
/// drains the queue. Reports the publish rate, the broker's RSS growth per queued message and
/// the drain rate.
int runDrain(const Options &o)
{
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    const std::string topic = "bench/drain";
    constexpr int kSubscriber = 0, kPublisher = 1;
    long acked = 0, delivered = 0, duplicates = 0, sent = 0;
    bool subConnacked = false, subacked = false, pubConnacked = false, sessionPresent = false;
    std::vector<std::uint8_t> inflight(65536, 0);
    int inflightCount = 0;
    std::uint16_t nextId = 1;
    Nanos lastDelivery = 0;

    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        switch (fb >> 4) {
        case 2:
            if (len < 2 || body[1] != 0)
                loop.fail("connack_refused");
            c.connacked = true;
            if (c.index == kPublisher) {
                pubConnacked = true;
            } else {
                subConnacked = true;
                sessionPresent = body[0] & 1;
            }
            break;
        case 9:
            subacked = true;
            break;
        case 3: {
            std::uint64_t seq = 0;
            Nanos sentAt = 0;
            std::uint16_t pid = 0;
            if (publishPayload(fb, body, len, seq, sentAt, pid)) {
                appendAck(c.out, 0x40, pid);
                loop.markDirty(c);
                ++(markSeen(c, seq) ? delivered : duplicates);
                lastDelivery = nowNs();
            }
            break;
        }
        case 4:
            if (len >= 2 && inflight[readU16(body)]) {
                inflight[readU16(body)] = 0;
                --inflightCount;
                ++acked;
            }
            break;
        default:
            break;
        }
    };
    loop.onClosed = [&](Conn &c) {
        if (c.index == kPublisher)
            loop.fail("connection_closed_by_broker");
    };
    const Nanos stall = Nanos(o.stall * kSecond);

    // 1. The subscriber makes its session and leaves.
    Conn *sub = loop.connectTo(o.port, kSubscriber);
    bool ok = sub != nullptr;
    if (ok) {
        loop.send(*sub, connectBytes("lg-drain-sub", 60, false));
        loop.send(*sub, subscribeBytes(topic, 1, 1));
        ok = loop.run([&] { return subacked; }, deadline, stall);
        loop.send(*sub, std::string("\xE0\x00", 2)); // DISCONNECT
        ok = ok && loop.run([&] { return !sub->open; }, deadline, stall);
    }
    // 2. The publisher sends `count` QoS 1 messages; the broker queues them for the session.
    Conn *pub = ok ? loop.connectTo(o.port, kPublisher) : nullptr;
    ok = pub != nullptr;
    if (ok) {
        loop.send(*pub, connectBytes("lg-drain-pub", 60));
        ok = loop.run([&] { return pubConnacked; }, deadline, stall);
    }
    const long rssBefore = processRssKb(o.pid);
    meter.restart();
    const Nanos publishStart = nowNs();
    if (ok) {
        ok = loop.run(
            [&] {
                bool queued = false;
                while (sent < o.count && inflightCount < o.window) {
                    while (inflight[nextId])
                        nextId = std::uint16_t(nextId == 65535 ? 1 : nextId + 1);
                    inflight[nextId] = 1;
                    ++inflightCount;
                    appendPublish(pub->out, topic, 1, nextId, std::uint64_t(sent), nowNs(), o.payload);
                    nextId = std::uint16_t(nextId == 65535 ? 1 : nextId + 1);
                    ++sent;
                    queued = true;
                }
                if (queued)
                    loop.markDirty(*pub);
                return acked >= o.count;
            },
            deadline, stall);
    }
    const double publishSeconds = double(nowNs() - publishStart) / 1e9;
    const long rssQueued = processRssKb(o.pid);
    // 3. The subscriber returns to its session and drains the queue.
    Conn *back = ok ? loop.connectTo(o.port, kSubscriber) : nullptr;
    ok = back != nullptr;
    const Nanos drainStart = nowNs();
    lastDelivery = drainStart;
    if (ok) {
        subConnacked = false;
        loop.send(*back, connectBytes("lg-drain-sub", 60, false));
        // A second without deliveries after the last one ends the run: the rest was dropped.
        loop.run([&] { return delivered >= o.count || (subConnacked && nowNs() - lastDelivery > kSecond); },
                 deadline, stall);
    }
    const double drainSeconds = double(lastDelivery - drainStart) / 1e9;
    Result r("drain_qos1");
    r.add("messages", o.count).add("acked", acked).add("delivered", delivered).add("lost", o.count - delivered);
    r.add("duplicates", duplicates).add("session_present", long(sessionPresent));
    r.add("publish_rate", publishSeconds > 0 ? double(acked) / publishSeconds : 0.0);
    r.add("queued_bytes_per_msg", acked > 0 && rssBefore >= 0 ? double(rssQueued - rssBefore) * 1024.0 / double(acked) : 0.0, 0);
    r.add("drain_seconds", drainSeconds, 3).add("rate", drainSeconds > 0 ? double(delivered) / drainSeconds : 0.0);
    std::string error = ok ? loop.error : (loop.error.empty() ? "setup_failed" : loop.error);
    if (error.empty() && !sessionPresent)
        error = "session_not_present";
    r.print(meter, o.pid, checkAlive(o, error));
    return error.empty() && processAlive(o.pid) ? 0 : 1;
}

// ---- Scenario: reconnect storm -----------------------------------------------------------------

/// `connections` subscribed devices with persistent sessions lose their network at once (each
/// connection reset) and return at random times within `jitter` seconds, as devices with
/// jittered reconnect back-off do. Reports the time until all are back, the connects the broker
/// refused, the sessions it lost and its CPU over the storm.
int runStorm(const Options &o)
{
    raiseFileLimit();
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    const int devices = o.connections;
    long connacked = 0, subacked = 0, refused = 0, sessionsLost = 0, closedEarly = 0;
    bool storming = false;
    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        switch (fb >> 4) {
        case 2:
            c.connacked = true;
            if (len < 2 || body[1] != 0) {
                ++refused;
                break;
            }
            ++connacked;
            if (!storming)
                loop.send(c, subscribeBytes("devices/" + std::to_string(c.index) + "/push", 1, 1));
            else if (!(body[0] & 1))
                ++sessionsLost;
            break;
        case 9:
            ++subacked;
            break;
        default:
            break;
        }
    };
    loop.onClosed = [&](Conn &c) {
        if (!c.connacked)
            ++closedEarly;
    };
    const Nanos stall = Nanos(o.stall * kSecond);
    Options persistent = o;
    persistent.persistent = true;
    bool ok = openClients(loop, persistent, devices, "lg-storm-", 60, deadline, connacked)
        && loop.run([&] { return subacked >= devices; }, deadline, stall);

    // Each device's return time, uniformly spread over the jitter window (fixed seed: runs compare).
    std::vector<std::pair<Nanos, int>> returns;
    std::uint64_t state = 0x2545F4914F6CDD1Dull;
    const Nanos window = Nanos(o.jitter * double(kSecond));
    for (int i = 0; i < devices; ++i) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        returns.emplace_back(window > 0 ? Nanos(state % std::uint64_t(window)) : 0, i);
    }
    std::sort(returns.begin(), returns.end());

    meter.restart();
    const Nanos dropAt = nowNs();
    Nanos allBackAt = 0;
    if (ok) {
        for (size_t i = 0, n = loop.size(); i < n; ++i)
            loop.drop(loop.at(i));
        storming = true;
        connacked = 0;
        size_t next = 0;
        ok = loop.run(
            [&] {
                const Nanos elapsed = nowNs() - dropAt;
                for (; next < returns.size() && returns[next].first <= elapsed; ++next) {
                    const int index = returns[next].second;
                    Conn *c = loop.connectTo(o.port, index);
                    if (c)
                        loop.send(*c, connectBytes("lg-storm-" + std::to_string(index), 60, false));
                }
                if (connacked >= devices && !allBackAt)
                    allBackAt = nowNs();
                return next == returns.size() && connacked + refused + closedEarly >= devices;
            },
            deadline, std::max(stall, window + stall));
    }
    Result r("reconnect_storm");
    r.add("devices", long(devices)).add("jitter_s", o.jitter, 1).add("back", connacked);
    r.add("refused", refused + closedEarly).add("sessions_lost", sessionsLost);
    r.add("seconds", allBackAt ? double(allBackAt - dropAt) / 1e9 : 0.0, 3);
    r.print(meter, o.pid, checkAlive(o, ok ? loop.error : (loop.error.empty() ? "timeout" : loop.error)));
    return ok && loop.error.empty() && processAlive(o.pid) ? 0 : 1;
}

// ---- Scenario: keep-alive enforcement ----------------------------------------------------------

int runKeepAlive(const Options &o)
{
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    long connacked = 0, closed = 0;
    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *, size_t) {
        if ((fb >> 4) == 2) {
            c.connacked = true;
            ++connacked;
        }
    };
    loop.onClosed = [&](Conn &) { ++closed; };
    // Clients start 0.37 s apart so they fall at different points of any periodic check.
    for (int i = 0; i < o.trials; ++i) {
        Conn *c = loop.connectTo(o.port, i);
        if (!c)
            break;
        loop.send(*c, connectBytes("lg-ka-" + std::to_string(i), o.keepAlive));
        loop.run([&] { return c->connacked || !c->open; }, deadline, Nanos(o.stall * kSecond));
        if (i + 1 < o.trials)
            loop.run([] { return false; }, nowNs() + 370'000'000, kSecond);
    }
    // Closing must happen by 1.5 x keep-alive [MQTT-3.1.2-24]; allow 5 x plus 2 s before giving up.
    const Nanos limit = std::min(deadline, nowNs() + Nanos((o.keepAlive * 5 + 2) * kSecond));
    loop.run([&] { return closed >= o.trials; }, limit, limit);
    double minS = 1e9, maxS = 0, sum = 0;
    long n = 0;
    for (size_t i = 0; i < loop.size(); ++i) {
        const Conn &c = loop.at(i);
        if (c.closedAt == 0 || c.lastSent == 0)
            continue;
        const double s = double(c.closedAt - c.lastSent) / 1e9;
        minS = std::min(minS, s);
        maxS = std::max(maxS, s);
        sum += s;
        ++n;
    }
    Result r("keepalive");
    r.add("keepalive_s", long(o.keepAlive)).add("clients", long(o.trials)).add("closed", n);
    r.add("min_s", n ? minS : 0.0, 2).add("mean_s", n ? sum / double(n) : 0.0, 2).add("max_s", n ? maxS : 0.0, 2);
    std::string error = n < o.trials ? "not_all_closed" : loop.error;
    r.print(meter, o.pid, checkAlive(o, error));
    return processAlive(o.pid) && connacked == o.trials ? 0 : 1;
}

// ---- Scenario: first delivery right after SUBACK ---------------------------------------------

/// The publisher sends as soon as the subscriber's SUBACK arrives; a broker that leaves
/// Nagle on holds the PUBLISH until the peer's delayed ACK of the SUBACK (about 40 ms).
int runFirstMessage(const Options &o)
{
    Meter meter(o.pid);
    Loop loop(o);
    const Nanos deadline = deadlineFrom(o);
    std::vector<Nanos> samples;
    bool ok = true;
    Conn *pub = loop.connectTo(o.port, -1);
    bool pubReady = false, subacked = false, delivered = false;
    Nanos latency = 0;
    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *body, size_t len) {
        switch (fb >> 4) {
        case 2:
            c.connacked = true;
            if (c.index < 0)
                pubReady = true;
            else
                loop.send(c, subscribeBytes("bench/first/" + std::to_string(c.index), 1, 1));
            break;
        case 9: {
            subacked = true;
            std::string bytes;
            appendPublish(bytes, "bench/first/" + std::to_string(c.index), 1, 1, 0, nowNs(), o.payload);
            loop.send(*pub, bytes);
            break;
        }
        case 3: {
            std::uint64_t seq = 0;
            Nanos sentAt = 0;
            std::uint16_t pid = 0;
            if (publishPayload(fb, body, len, seq, sentAt, pid)) {
                latency = nowNs() - sentAt;
                delivered = true;
                appendAck(c.out, 0x40, pid);
                loop.markDirty(c);
            }
            break;
        }
        default:
            break;
        }
    };
    if (!pub)
        ok = false;
    else {
        loop.send(*pub, connectBytes("lg-first-pub", 60));
        ok = loop.run([&] { return pubReady; }, deadline, Nanos(o.stall * kSecond));
    }
    for (int i = 0; ok && i < o.trials; ++i) {
        subacked = delivered = false;
        Conn *sub = loop.connectTo(o.port, i);
        if (!sub)
            break;
        loop.send(*sub, connectBytes("lg-first-sub-" + std::to_string(i), 60));
        ok = loop.run([&] { return delivered; }, deadline, Nanos(o.stall * kSecond));
        if (ok)
            samples.push_back(latency);
    }
    std::vector<Nanos> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    Result r("first_message");
    r.add("trials", long(samples.size()));
    r.add("median_ms", sorted.empty() ? 0.0 : double(sorted[sorted.size() / 2]) / 1e6, 2);
    r.add("min_ms", sorted.empty() ? 0.0 : double(sorted.front()) / 1e6, 2);
    r.add("max_ms", sorted.empty() ? 0.0 : double(sorted.back()) / 1e6, 2);
    r.print(meter, o.pid, checkAlive(o, ok ? loop.error : (loop.error.empty() ? "timeout" : loop.error)));
    return ok && processAlive(o.pid) ? 0 : 1;
}

// ---- Scenarios: the HTTP API (hermesd only) -------------------------------------------------

/// POST /api/v1/pushes (a QoS 0 topic push: the HTTP, admin API and push service path without
/// device deliveries) from `parallel` keep-alive connections, each with one request in flight.
int runHttpPush(const Options &o)
{
    Meter meter(o.pid);
    std::vector<HttpClient> clients(size_t(std::max(1, o.parallel)));
    for (HttpClient &client : clients) {
        if (!client.open(o.httpPort)) {
            Result("http_push").print(meter, o.pid, "http_connect_failed");
            return 1;
        }
    }
    const std::string request = httpRequest(o, "POST", "/api/v1/pushes",
                                            R"({"target":{"topic":"bench/http"},"payload":"hello","qos":0})");
    std::vector<Nanos> latencies;
    latencies.reserve(size_t(o.count));
    long sent = 0, accepted = 0, refused = 0;
    std::string error;
    const Nanos start = nowNs();
    const Nanos deadline = deadlineFrom(o);
    for (HttpClient &client : clients) {
        if (sent < o.count && client.send(request))
            ++sent;
    }
    std::vector<pollfd> fds;
    for (const HttpClient &client : clients)
        fds.push_back(pollfd{client.fd, POLLIN, 0});
    while (accepted + refused < sent && error.empty()) {
        if (nowNs() > deadline) {
            error = "timeout";
            break;
        }
        const int ready = ::poll(fds.data(), nfds_t(fds.size()), int(o.stall * 1000));
        if (ready <= 0) {
            error = ready == 0 ? "stalled" : "poll_failed";
            break;
        }
        for (size_t i = 0; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const int status = clients[i].receive();
            if (status < 0) {
                error = "http_connection_closed";
                break;
            }
            if (status == 0)
                continue;
            latencies.push_back(nowNs() - clients[i].sentAt);
            ++(status == 201 ? accepted : refused);
            if (sent < o.count && clients[i].send(request))
                ++sent;
        }
    }
    const double seconds = double(nowNs() - start) / 1e9;
    Result r("http_push");
    r.add("pushes", sent).add("accepted", accepted).add("refused", refused).add("parallel", long(o.parallel));
    r.add("seconds", seconds, 3).add("rate", seconds > 0 ? double(accepted) / seconds : 0.0);
    addPercentiles(r, latencies, "us");
    r.print(meter, o.pid, checkAlive(o, error.empty() && refused ? "pushes_refused" : error));
    return error.empty() && !refused && processAlive(o.pid) ? 0 : 1;
}

/// GET /metrics `trials` times, one after another, with `connections` idle MQTT sessions open.
int runScrape(const Options &o)
{
    raiseFileLimit();
    Loop loop(o);
    long connacked = 0;
    loop.onPacket = [&](Conn &c, std::uint8_t fb, const std::uint8_t *, size_t) {
        if ((fb >> 4) == 2) {
            c.connacked = true;
            ++connacked;
        }
    };
    loop.onClosed = [&](Conn &) { loop.fail("connection_closed_by_broker"); };
    const bool ok = openClients(loop, o, o.connections, "lg-scrape-", 60, deadlineFrom(o), connacked);
    Meter meter(o.pid);
    HttpClient client;
    std::vector<Nanos> latencies;
    std::string error = ok ? loop.error : (loop.error.empty() ? "timeout" : loop.error);
    if (error.empty() && !client.open(o.httpPort))
        error = "http_connect_failed";
    const std::string request = httpRequest(o, "GET", "/metrics", {});
    for (int trial = 0; trial < o.trials && error.empty(); ++trial) {
        client.send(request);
        const int status = client.await(int(o.stall * 1000));
        if (status != 200)
            error = status < 0 ? "http_connection_closed" : "metrics_status_" + std::to_string(status);
        latencies.push_back(nowNs() - client.sentAt);
    }
    Result r("metrics_scrape");
    r.add("sessions", connacked).add("scrapes", long(latencies.size()));
    addPercentiles(r, latencies, "ms");
    r.print(meter, o.pid, checkAlive(o, error));
    return error.empty() && processAlive(o.pid) ? 0 : 1;
}

void usage()
{
    std::fprintf(stderr,
                 "usage: hermes_loadgen SCENARIO --port P [--pid BROKER_PID] [options]\n"
                 "scenarios: throughput fanout latency idle push drain storm keepalive qos2window\n"
                 "           firstmsg\n"
                 "           httppush scrape (hermesd's HTTP API: --http-port P --key KEY)\n"
                 "options: --count N --qos Q --window W --qos0-window W --subscribers N\n"
                 "         --connections N --parallel N --keepalive S --trials N --payload BYTES\n"
                 "         --timeout S --stall S --persistent 0|1\n"
                 "         --ws PATH (MQTT over WebSocket; --port is the ws listener)\n"
                 "         --sources N (spread connections over 127.0.0.2..; default 8 above\n"
                 "         20,000 connections) --jitter S (storm: return window, default 15)\n"
                 "         --tls CA_FILE (TLS 1.3; --port is the TLS listener)\n"
                 "idle:     --pings N (keep-alive exchanges on every connection before RSS is read)\n"
                 "latency:  --background N (idle sessions held open) --scrape-interval-ms MS\n"
                 "          (GET /metrics from a second thread; needs --http-port and --key)\n");
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (argc < 2) {
        usage();
        return 2;
    }
    o.scenario = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string key = argv[i];
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const char *value = argv[++i];
        if (key == "--port") o.port = std::atoi(value);
        else if (key == "--pid") o.pid = std::atoi(value);
        else if (key == "--count") o.count = std::atol(value);
        else if (key == "--qos") o.qos = std::clamp(std::atoi(value), 0, 2);
        else if (key == "--window") o.window = std::clamp(std::atoi(value), 1, 60000);
        else if (key == "--qos0-window") o.qos0Window = std::max(1, std::atoi(value));
        else if (key == "--subscribers") o.subscribers = std::max(1, std::atoi(value));
        else if (key == "--connections") o.connections = std::max(1, std::atoi(value));
        else if (key == "--parallel") o.parallel = std::max(1, std::atoi(value));
        else if (key == "--keepalive") o.keepAlive = std::max(1, std::atoi(value));
        else if (key == "--trials") o.trials = std::max(1, std::atoi(value));
        else if (key == "--pings") o.pings = std::max(0, std::atoi(value));
        else if (key == "--payload") o.payload = std::max(16, std::atoi(value));
        else if (key == "--timeout") o.timeout = std::max(1.0, std::atof(value));
        else if (key == "--stall") o.stall = std::max(0.5, std::atof(value));
        else if (key == "--http-port") o.httpPort = std::atoi(value);
        else if (key == "--key") o.key = value;
        else if (key == "--persistent") o.persistent = std::atoi(value) != 0;
        else if (key == "--ws") o.wsPath = value;
        else if (key == "--background") o.background = std::max(0, std::atoi(value));
        else if (key == "--scrape-interval-ms") o.scrapeIntervalMs = std::max(0, std::atoi(value));
        else if (key == "--sources") o.sources = std::clamp(std::atoi(value), 0, 250);
        else if (key == "--jitter") o.jitter = std::max(0.0, std::atof(value));
        else if (key == "--tls") o.tlsCa = value;
        else {
            usage();
            return 2;
        }
    }
    const int window = o.qos == 0 ? o.qos0Window : o.window;
    if (o.scenario == "throughput")
        return runFlow(o, "throughput_qos" + std::to_string(o.qos), 1, o.count, window);
    if (o.scenario == "fanout")
        return runFlow(o, "fanout_qos" + std::to_string(o.qos), o.subscribers, o.count, window);
    if (o.scenario == "qos2window") {
        o.qos = 2;
        return runFlow(o, "qos2_window", 1, o.count, o.window);
    }
    if (o.scenario == "latency")
        return runLatency(o);
    if (o.scenario == "idle")
        return runIdle(o);
    if (o.scenario == "push")
        return runPush(o);
    if (o.scenario == "drain")
        return runDrain(o);
    if (o.scenario == "storm")
        return runStorm(o);
    if (o.scenario == "keepalive")
        return runKeepAlive(o);
    if (o.scenario == "firstmsg")
        return runFirstMessage(o);
    if (o.scenario == "httppush")
        return runHttpPush(o);
    if (o.scenario == "scrape")
        return runScrape(o);
    usage();
    return 2;
}
