#include "scenario.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace hermes::sim {

using namespace std::chrono_literals;

namespace {

constexpr QLatin1StringView IndexPlaceholder{"{index}"};

/// One line's words after the key, with the position for messages.
struct Line {
    int number = 0;
    QString key;
    QStringList args;
};

/// Parse failures inside a line: a message, turned into a ScenarioError by the caller.
struct Fail {
    QString message;
};

template<typename T>
using Parsed = std::variant<T, Fail>;

Parsed<std::chrono::milliseconds> duration(const QString &text)
{
    if (const auto d = parseDuration(text))
        return *d;
    return Fail{QStringLiteral("\"%1\" is not a duration (e.g. 1500ms, 90s, 5m, 2h)").arg(text)};
}

Parsed<int> integer(const QString &text, int min, int max)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < min || value > max)
        return Fail{QStringLiteral("\"%1\" is not a whole number from %2 to %3").arg(text).arg(min).arg(max)};
    return value;
}

Parsed<double> percent(const QString &text)
{
    QString digits = text;
    if (!digits.endsWith(QLatin1Char('%')))
        return Fail{QStringLiteral("\"%1\" is not a percentage (e.g. 30%)").arg(text)};
    digits.chop(1);
    bool ok = false;
    const double value = digits.toDouble(&ok);
    if (!ok || value < 0 || value > 100)
        return Fail{QStringLiteral("\"%1\" is not a percentage from 0% to 100%").arg(text)};
    return value / 100.0;
}

Parsed<bool> yesNo(const QString &text)
{
    if (text == QLatin1String("yes") || text == QLatin1String("true") || text == QLatin1String("on"))
        return true;
    if (text == QLatin1String("no") || text == QLatin1String("false") || text == QLatin1String("off"))
        return false;
    return Fail{QStringLiteral("\"%1\" is not yes or no").arg(text)};
}

Parsed<mqtt::QoS> qos(const QString &text)
{
    if (text == QLatin1String("0"))
        return mqtt::QoS::AtMostOnce;
    if (text == QLatin1String("1"))
        return mqtt::QoS::AtLeastOnce;
    if (text == QLatin1String("2"))
        return mqtt::QoS::ExactlyOnce;
    return Fail{QStringLiteral("\"%1\" is not a QoS (0, 1 or 2)").arg(text)};
}

/// Pulls a value out of a Parsed or returns its Fail from the enclosing function.
#define TAKE(var, expr)                                       \
    auto var##_parsed = (expr);                               \
    if (auto *fail = std::get_if<Fail>(&var##_parsed))        \
        return *fail;                                         \
    const auto var = std::get<0>(var##_parsed)

/// "key value key value…" options after a fixed prefix; each key at most once.
std::variant<QHash<QString, QString>, Fail> options(const QStringList &args, qsizetype from,
                                                     const QStringList &allowed)
{
    QHash<QString, QString> result;
    for (qsizetype i = from; i < args.size(); i += 2) {
        const QString &key = args.at(i);
        if (!allowed.contains(key))
            return Fail{QStringLiteral("unknown option \"%1\" (expected one of: %2)").arg(key, allowed.join(QLatin1String(", ")))};
        if (i + 1 >= args.size())
            return Fail{QStringLiteral("option \"%1\" needs a value").arg(key)};
        if (result.contains(key))
            return Fail{QStringLiteral("option \"%1\" given twice").arg(key)};
        result.insert(key, args.at(i + 1));
    }
    return result;
}

Fail arity(const Line &, const char *usage)
{
    return Fail{QStringLiteral("usage: %1").arg(QLatin1String(usage))};
}

std::optional<Fail> parseHeartbeat(const Line &line, Scenario &s)
{
    if (line.args.isEmpty())
        return arity(line, "heartbeat fixed DURATION [LONGEST] | heartbeat smart [min D] [max D] [step D] [precision D] [successes N] [margin D]");
    const QString &kind = line.args.first();
    if (kind == QLatin1String("fixed")) {
        if (line.args.size() != 2 && line.args.size() != 3)
            return arity(line, "heartbeat fixed DURATION [LONGEST]");
        TAKE(interval, duration(line.args.at(1)));
        if (interval.count() <= 0)
            return Fail{QStringLiteral("a fixed heartbeat needs an interval above zero")};
        s.heartbeat = Scenario::Heartbeat::Fixed;
        s.fixedInterval = interval;
        s.fixedIntervalLongest.reset();
        if (line.args.size() == 3) {
            TAKE(longest, duration(line.args.at(2)));
            if (longest < interval)
                return Fail{QStringLiteral("fixed heartbeat: the longest (%1) is below the shortest (%2)")
                                    .arg(formatDuration(longest), formatDuration(interval))};
            s.fixedIntervalLongest = longest;
        }
        return std::nullopt;
    }
    if (kind != QLatin1String("smart"))
        return Fail{QStringLiteral("heartbeat is \"fixed\" or \"smart\", not \"%1\"").arg(kind)};
    auto opts = options(line.args, 1, {QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("step"),
                                       QStringLiteral("precision"), QStringLiteral("successes"),
                                       QStringLiteral("margin")});
    if (auto *fail = std::get_if<Fail>(&opts))
        return *fail;
    const auto &o = std::get<0>(opts);
    SmartHeartbeatConfig c;
    const std::pair<const char *, Duration *> durations[] = {
            {"min", &c.min}, {"max", &c.max}, {"step", &c.step}, {"precision", &c.precision}, {"margin", &c.safetyMargin}};
    for (const auto &[name, target] : durations) {
        const QString value = o.value(QLatin1String(name));
        if (value.isEmpty())
            continue;
        TAKE(d, duration(value));
        *target = d;
    }
    if (o.contains(QStringLiteral("successes"))) {
        TAKE(n, integer(o.value(QStringLiteral("successes")), 1, 100));
        c.successesBeforeStepUp = n;
    }
    if (c.min.count() <= 0 || c.step.count() <= 0 || c.precision.count() <= 0)
        return Fail{QStringLiteral("smart heartbeat: min, step and precision must be above zero")};
    if (c.max < c.min)
        return Fail{QStringLiteral("smart heartbeat: max (%1) is below min (%2)")
                            .arg(formatDuration(c.max), formatDuration(c.min))};
    s.heartbeat = Scenario::Heartbeat::Smart;
    s.smart = c;
    return std::nullopt;
}

std::optional<Fail> parseNat(const Line &line, Scenario &s)
{
    const QString kind = line.args.value(0);
    const auto exact = [&](NatPreset preset) -> std::optional<Fail> {
        if (line.args.size() != 1)
            return arity(line, "nat china-mobile | china-unicom | china-telecom | custom DURATION | none | direct");
        s.network = Scenario::Network::Nat;
        s.nat = preset;
        return std::nullopt;
    };
    if (kind == QLatin1String("china-mobile"))
        return exact(NatPreset::ChinaMobile);
    if (kind == QLatin1String("china-unicom"))
        return exact(NatPreset::ChinaUnicom);
    if (kind == QLatin1String("china-telecom"))
        return exact(NatPreset::ChinaTelecom);
    if (kind == QLatin1String("none") || kind == QLatin1String("direct")) {
        if (line.args.size() != 1)
            return arity(line, "nat none | nat direct");
        s.network = kind == QLatin1String("none") ? Scenario::Network::None : Scenario::Network::Direct;
        return std::nullopt;
    }
    if (kind == QLatin1String("custom")) {
        if (line.args.size() != 2)
            return arity(line, "nat custom DURATION");
        TAKE(timeout, duration(line.args.at(1)));
        if (timeout.count() <= 0)
            return Fail{QStringLiteral("a NAT timeout must be above zero (use \"nat none\" for no NAT)")};
        s.network = Scenario::Network::Nat;
        s.nat = NatPreset::Custom;
        s.natTimeout = timeout;
        return std::nullopt;
    }
    return Fail{QStringLiteral("unknown network \"%1\" (china-mobile, china-unicom, china-telecom, custom DURATION, none, direct)").arg(kind)};
}

std::optional<Fail> parseReconnect(const Line &line, Scenario &s)
{
    const QString kind = line.args.value(0);
    ReconnectConfig r = s.reconnect;
    if (kind == QLatin1String("never")) {
        if (line.args.size() != 1)
            return arity(line, "reconnect never");
        r.maxAttempts = 0;
        s.reconnect = r;
        return std::nullopt;
    }
    if (kind != QLatin1String("jitter") && kind != QLatin1String("backoff"))
        return arity(line, "reconnect jitter MIN MAX [attempts N] | reconnect backoff MIN MAX [attempts N] [cap D] | reconnect never");
    if (line.args.size() < 3)
        return Fail{QStringLiteral("reconnect %1 needs MIN and MAX delays").arg(kind)};
    TAKE(min, duration(line.args.at(1)));
    TAKE(max, duration(line.args.at(2)));
    if (max < min)
        return Fail{QStringLiteral("reconnect: MAX (%1) is below MIN (%2)").arg(line.args.at(2), line.args.at(1))};
    r.minDelay = min;
    r.maxDelay = max;
    r.exponentialBackoff = kind == QLatin1String("backoff");
    QStringList allowed{QStringLiteral("attempts")};
    if (r.exponentialBackoff)
        allowed << QStringLiteral("cap");
    auto opts = options(line.args, 3, allowed);
    if (auto *fail = std::get_if<Fail>(&opts))
        return *fail;
    const auto &o = std::get<0>(opts);
    if (o.contains(QStringLiteral("attempts"))) {
        TAKE(n, integer(o.value(QStringLiteral("attempts")), 0, 1000000));
        r.maxAttempts = n;
    }
    if (o.contains(QStringLiteral("cap"))) {
        TAKE(cap, duration(o.value(QStringLiteral("cap"))));
        r.backoffCap = cap;
    }
    s.reconnect = r;
    return std::nullopt;
}

std::optional<Fail> parseEvent(const Line &line, Scenario &s)
{
    // at TIME KIND ARGS…
    if (line.args.size() < 2)
        return arity(line, "at TIME broker-restart | broker-kill | network-drop SHARE% | push COUNT [qos Q] [share P%] [ttl D]");
    TAKE(at, duration(line.args.at(0)));
    ScenarioEvent event;
    event.at = at;
    event.line = line.number;
    const QString kind = line.args.at(1);
    if (kind == QLatin1String("broker-restart") || kind == QLatin1String("broker-kill")) {
        if (line.args.size() != 2)
            return Fail{QStringLiteral("%1 takes no arguments").arg(kind)};
        event.kind = kind == QLatin1String("broker-restart") ? ScenarioEvent::Kind::BrokerRestart
                                                             : ScenarioEvent::Kind::BrokerKill;
    } else if (kind == QLatin1String("network-drop")) {
        if (line.args.size() != 3)
            return arity(line, "at TIME network-drop SHARE%");
        TAKE(share, percent(line.args.at(2)));
        event.kind = ScenarioEvent::Kind::NetworkDrop;
        event.share = share;
    } else if (kind == QLatin1String("push")) {
        if (line.args.size() < 3)
            return arity(line, "at TIME push COUNT [qos Q] [share P%] [ttl D]");
        TAKE(count, integer(line.args.at(2), 1, 1000000));
        event.kind = ScenarioEvent::Kind::PushBurst;
        event.count = count;
        event.qos = s.pushQoS;
        auto opts = options(line.args, 3, {QStringLiteral("qos"), QStringLiteral("share"), QStringLiteral("ttl")});
        if (auto *fail = std::get_if<Fail>(&opts))
            return *fail;
        const auto &o = std::get<0>(opts);
        if (o.contains(QStringLiteral("qos"))) {
            TAKE(q, qos(o.value(QStringLiteral("qos"))));
            event.qos = q;
        }
        if (o.contains(QStringLiteral("share"))) {
            TAKE(share, percent(o.value(QStringLiteral("share"))));
            event.share = share;
        }
        if (o.contains(QStringLiteral("ttl"))) {
            TAKE(ttl, duration(o.value(QStringLiteral("ttl"))));
            event.ttl = ttl;
        }
    } else {
        return Fail{QStringLiteral("unknown event \"%1\" (broker-restart, broker-kill, network-drop, push)").arg(kind)};
    }
    s.events.append(event);
    return std::nullopt;
}

std::optional<Fail> parseLine(const Line &line, Scenario &s, bool &durationSet)
{
    const QString &key = line.key;
    const QStringList &a = line.args;
    const auto one = [&]() -> std::optional<Fail> {
        if (a.size() != 1)
            return Fail{QStringLiteral("\"%1\" takes one value").arg(key)};
        return std::nullopt;
    };
    if (key == QLatin1String("at"))
        return parseEvent(line, s);
    if (key == QLatin1String("heartbeat"))
        return parseHeartbeat(line, s);
    if (key == QLatin1String("nat"))
        return parseNat(line, s);
    if (key == QLatin1String("reconnect"))
        return parseReconnect(line, s);
    if (key == QLatin1String("name")) {
        if (a.isEmpty())
            return Fail{QStringLiteral("\"name\" needs a value")};
        s.name = a.join(QLatin1Char(' '));
        return std::nullopt;
    }
    if (key == QLatin1String("signing-key")) {
        if (a.size() != 2)
            return Fail{QStringLiteral("usage: signing-key KEY-ID SECRET (SECRET as text, or hex:…)")};
        QByteArray secret = a.at(1).toUtf8();
        if (a.at(1).startsWith(QLatin1String("hex:"))) {
            secret = QByteArray::fromHex(a.at(1).mid(4).toLatin1());
            if (secret.isEmpty() || secret.toHex() != a.at(1).mid(4).toLower().toLatin1())
                return Fail{QStringLiteral("\"%1\" is not hex").arg(a.at(1))};
        }
        s.signingKeyId = a.at(0);
        s.signingKey = secret;
        return std::nullopt;
    }
    if (key == QLatin1String("broker")) {
        // One address, or a cluster's nodes: "A:1883, B:1883" (spaces around commas allowed).
        QString bad;
        const auto nodes = a.isEmpty() ? std::nullopt : parseBrokerList(a.join(QLatin1Char(' ')), &bad);
        if (!nodes)
            return Fail{QStringLiteral("broker is HOST:PORT or a list HOST:PORT, HOST:PORT, not \"%1\"")
                                .arg(a.isEmpty() ? QString() : bad)};
        s.brokerHost = nodes->first().host;
        s.brokerPort = nodes->first().port;
        s.moreBrokers = nodes->mid(1);
        return std::nullopt;
    }
    if (key == QLatin1String("register-tags")) {
        QStringList tags;
        for (const QString &tag : a.join(QLatin1Char(' ')).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!tag.trimmed().isEmpty())
                tags.append(tag.trimmed());
        }
        if (tags.isEmpty())
            return Fail{QStringLiteral("register-tags needs at least one tag, as in register-tags fleet,eu")};
        s.registerTags = tags;
        return std::nullopt;
    }
    if (auto fail = one())
        return fail;
    const QString &v = a.first();
    if (key == QLatin1String("devices")) {
        TAKE(n, integer(v, 1, 1000000));
        s.devices = n;
    } else if (key == QLatin1String("id-pattern")) {
        if (v.count(IndexPlaceholder) != 1)
            return Fail{QStringLiteral("id-pattern needs exactly one {index}, as in sim-{index}")};
        if (v.contains(QLatin1Char('/')) || v.contains(QLatin1Char('+')) || v.contains(QLatin1Char('#')))
            return Fail{QStringLiteral("id-pattern must not contain /, + or # (ids go into topics)")};
        s.idPattern = v;
    } else if (key == QLatin1String("protocol")) {
        if (v == QLatin1String("3.1"))
            s.protocol = mqtt::ProtocolVersion::V3_1;
        else if (v == QLatin1String("3.1.1"))
            s.protocol = mqtt::ProtocolVersion::V3_1_1;
        else if (v == QLatin1String("5") || v == QLatin1String("5.0"))
            s.protocol = mqtt::ProtocolVersion::V5;
        else
            return Fail{QStringLiteral("protocol is 3.1, 3.1.1 or 5, not \"%1\"").arg(v)};
    } else if (key == QLatin1String("clean-start")) {
        TAKE(b, yesNo(v));
        s.cleanStart = b;
    } else if (key == QLatin1String("keep-alive")) {
        TAKE(d, duration(v));
        s.keepAlive = d;
    } else if (key == QLatin1String("pong-timeout")) {
        TAKE(d, duration(v));
        if (d.count() <= 0)
            return Fail{QStringLiteral("pong-timeout must be above zero")};
        s.pongTimeout = d;
    } else if (key == QLatin1String("connect-rate")) {
        TAKE(n, integer(v, 0, 10000000));
        s.connectRate = n;
    } else if (key == QLatin1String("duration")) {
        TAKE(d, duration(v));
        if (d.count() <= 0)
            return Fail{QStringLiteral("duration must be above zero")};
        s.duration = d;
        durationSet = true;
    } else if (key == QLatin1String("time-scale")) {
        bool ok = false;
        const double scale = v.toDouble(&ok);
        if (!ok || !(scale > 0) || !std::isfinite(scale))
            return Fail{QStringLiteral("time-scale must be a number above zero, not \"%1\"").arg(v)};
        s.timeScale = scale;
    } else if (key == QLatin1String("push-qos")) {
        TAKE(q, qos(v));
        s.pushQoS = q;
    } else {
        return Fail{QStringLiteral("unknown key \"%1\"").arg(key)};
    }
    return std::nullopt;
}

#undef TAKE

} // namespace

QString describe(ScenarioEvent::Kind kind)
{
    switch (kind) {
    case ScenarioEvent::Kind::BrokerRestart:
        return QStringLiteral("broker-restart");
    case ScenarioEvent::Kind::BrokerKill:
        return QStringLiteral("broker-kill");
    case ScenarioEvent::Kind::NetworkDrop:
        return QStringLiteral("network-drop");
    case ScenarioEvent::Kind::PushBurst:
        return QStringLiteral("push");
    }
    return {};
}

QString describe(const ScenarioEvent &event)
{
    QString text = QStringLiteral("at %1 %2").arg(formatDuration(event.at), describe(event.kind));
    const QString share = QString::number(event.share * 100.0, 'g', 4) + QLatin1Char('%');
    switch (event.kind) {
    case ScenarioEvent::Kind::BrokerRestart:
    case ScenarioEvent::Kind::BrokerKill:
        break;
    case ScenarioEvent::Kind::NetworkDrop:
        text += QLatin1Char(' ') + share;
        break;
    case ScenarioEvent::Kind::PushBurst:
        text += QStringLiteral(" %1 qos %2 share %3").arg(event.count).arg(int(event.qos)).arg(share);
        if (event.ttl.count() > 0)
            text += QStringLiteral(" ttl ") + formatDuration(event.ttl);
        break;
    }
    return text;
}

QString Scenario::idPrefix() const
{
    return idPattern.left(idPattern.indexOf(IndexPlaceholder));
}

QString Scenario::idSuffix() const
{
    return idPattern.mid(idPattern.indexOf(IndexPlaceholder) + IndexPlaceholder.size());
}

std::chrono::milliseconds Scenario::natIdleTimeout() const
{
    if (network != Network::Nat)
        return 0ms;
    return nat == NatPreset::Custom ? natTimeout : natPresetTimeout(nat);
}

QString Scenario::networkName() const
{
    switch (network) {
    case Network::Direct:
        return QStringLiteral("direct");
    case Network::None:
        return QStringLiteral("no NAT");
    case Network::Nat:
        break;
    }
    return QStringLiteral("%1 (%2)").arg(natPresetName(nat), formatDuration(natIdleTimeout()));
}

QString Scenario::heartbeatName() const
{
    return heartbeat == Heartbeat::Smart ? smartHeartbeatName(smart) : fixedHeartbeatName(fixedInterval);
}

std::chrono::milliseconds Scenario::realDuration() const
{
    return std::chrono::milliseconds(qint64(std::llround(double(duration.count()) / timeScale)));
}

QString ScenarioError::toString() const
{
    const QString where = file.isEmpty() ? QStringLiteral("scenario") : file;
    if (line <= 0)
        return QStringLiteral("%1: %2").arg(where, message);
    return QStringLiteral("%1:%2: %3").arg(where).arg(line).arg(message);
}

std::optional<std::chrono::milliseconds> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+(?:\\.\\d+)?)(ms|s|m|h)$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const double value = match.captured(1).toDouble();
    const QString unit = match.captured(2);
    const double factor = unit == QLatin1String("ms") ? 1.0
            : unit == QLatin1String("s")             ? 1000.0
            : unit == QLatin1String("m")             ? 60000.0
                                                     : 3600000.0;
    const double ms = value * factor;
    if (ms > 1e15)
        return std::nullopt;
    return std::chrono::milliseconds(qint64(std::llround(ms)));
}

QString formatDuration(std::chrono::milliseconds duration)
{
    const qint64 ms = duration.count();
    if (ms != 0 && ms % 3600000 == 0)
        return QStringLiteral("%1h").arg(ms / 3600000);
    if (ms != 0 && ms % 60000 == 0)
        return QStringLiteral("%1m").arg(ms / 60000);
    if (ms % 1000 == 0)
        return QStringLiteral("%1s").arg(ms / 1000);
    if (ms > 1000)
        return QString::number(double(ms) / 1000.0, 'f', 3).remove(QRegularExpression(QStringLiteral("0+$"))) + QLatin1Char('s');
    return QStringLiteral("%1ms").arg(ms);
}

std::variant<Scenario, ScenarioError> parseScenario(const QString &text, const QString &fileName)
{
    Scenario scenario;
    const QStringList lines = text.split(QLatin1Char('\n'));
    bool sawVersion = false;
    bool durationSet = false;
    int brokerLine = 0;
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int number = int(i) + 1;
        QString content = lines.at(i);
        const qsizetype hash = content.indexOf(QLatin1Char('#'));
        // '#' starts a comment at the start of a line or after a space (ids may not hold '#').
        if (hash == 0 || (hash > 0 && content.at(hash - 1).isSpace()))
            content.truncate(hash);
        content = content.trimmed();
        if (content.isEmpty())
            continue;
        QStringList words = content.split(spaces, Qt::SkipEmptyParts);
        if (!sawVersion) {
            if (words.value(0) != QLatin1String("hermes-scenario") || words.size() != 2)
                return ScenarioError{fileName, number,
                                     QStringLiteral("the first line must be \"hermes-scenario %1\"").arg(ScenarioFormatVersion)};
            bool ok = false;
            const int version = words.at(1).toInt(&ok);
            if (!ok || version < 1)
                return ScenarioError{fileName, number, QStringLiteral("\"%1\" is not a format version").arg(words.at(1))};
            if (version > ScenarioFormatVersion)
                return ScenarioError{fileName, number,
                                     QStringLiteral("format version %1 is newer than this Hermes reads (%2)")
                                             .arg(version).arg(ScenarioFormatVersion)};
            scenario.formatVersion = version;
            sawVersion = true;
            continue;
        }
        Line line;
        line.number = number;
        line.key = words.takeFirst();
        line.args = words;
        if (line.key == QLatin1String("broker"))
            brokerLine = number;
        if (const auto fail = parseLine(line, scenario, durationSet))
            return ScenarioError{fileName, number, fail->message};
    }
    if (!sawVersion)
        return ScenarioError{fileName, 0, QStringLiteral("empty: the first line must be \"hermes-scenario %1\"").arg(ScenarioFormatVersion)};
    if (!durationSet)
        return ScenarioError{fileName, 0, QStringLiteral("no \"duration\": how long the run lasts (simulated)")};
    if (!scenario.moreBrokers.isEmpty() && scenario.network != Scenario::Network::Direct)
        return ScenarioError{fileName, brokerLine,
                             QStringLiteral("several brokers need \"nat direct\": the relay reaches one broker")};
    for (const ScenarioEvent &event : std::as_const(scenario.events)) {
        if (event.at > scenario.duration)
            return ScenarioError{fileName, event.line,
                                 QStringLiteral("event at %1 is after the end of the run (duration %2)")
                                         .arg(formatDuration(event.at), formatDuration(scenario.duration))};
        if (scenario.network == Scenario::Network::Direct && event.kind == ScenarioEvent::Kind::NetworkDrop)
            return ScenarioError{fileName, event.line,
                                 QStringLiteral("network-drop needs a relay; \"nat direct\" has none (use \"nat none\")")};
    }
    std::stable_sort(scenario.events.begin(), scenario.events.end(),
                     [](const ScenarioEvent &a, const ScenarioEvent &b) { return a.at < b.at; });
    return scenario;
}

std::variant<Scenario, ScenarioError> loadScenario(const QString &fileName)
{
    QFile file(fileName);
    const QString shown = QFileInfo(fileName).fileName();
    if (!file.open(QIODevice::ReadOnly))
        return ScenarioError{shown, 0, QStringLiteral("cannot read: %1").arg(file.errorString())};
    return parseScenario(QString::fromUtf8(file.readAll()), shown);
}

} // namespace hermes::sim
