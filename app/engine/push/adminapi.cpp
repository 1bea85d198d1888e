#include "adminapi.h"
#include "keepaliveoffers.h"
#include "adminrequest.h"
#include "sessionjson.h"

#include "../version.h"

#include "mqtt/topic.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>

#include <memory>

Q_LOGGING_CATEGORY(lcAdmin, "hermes.admin")

namespace hermes {

using namespace std::chrono_literals;

namespace {

QJsonObject sessionJson(const SessionInfo &info, qint64 now)
{
    QJsonObject json{
        {QStringLiteral("clientId"), info.clientId},
        {QStringLiteral("userName"), info.userName},
        {QStringLiteral("online"), info.online},
        {QStringLiteral("address"), info.address},
        {QStringLiteral("protocol"), protocolVersionName(info.version)},
        {QStringLiteral("keepAliveSeconds"), int(info.keepAliveSeconds)},
        {QStringLiteral("lastInboundAgeMs"), double(info.lastInboundMs ? now - info.lastInboundMs : 0)},
        {QStringLiteral("inflight"), info.inflight},
        {QStringLiteral("queued"), info.queued},
        {QStringLiteral("subscriptions"), info.subscriptions},
        {QStringLiteral("messagesIn"), double(info.messagesIn)},
        {QStringLiteral("messagesOut"), double(info.messagesOut)},
        {QStringLiteral("messagesDropped"), double(info.messagesDropped)},
    };
    if (info.online)
        json.insert(QStringLiteral("connectedAtMs"), double(info.connectedSinceMs));
    else
        json.insert(QStringLiteral("disconnectedAtMs"), double(info.offlineSinceMs));
    if (!info.node.isEmpty())
        json.insert(QStringLiteral("node"), info.node);
    return json;
}

/// The payload as text when it is UTF-8, else base64.
void insertPayload(QJsonObject &json, const QByteArray &payload)
{
    const QString text = QString::fromUtf8(payload);
    const bool isText = text.toUtf8() == payload && !payload.contains('\0');
    json.insert(QStringLiteral("payload"), isText ? text : QString::fromLatin1(payload.toBase64()));
    json.insert(QStringLiteral("payloadEncoding"), isText ? QStringLiteral("utf8") : QStringLiteral("base64"));
}

QString requiredString(const QJsonObject &arguments, const char *name)
{
    return arguments.value(QLatin1String(name)).toString();
}

} // namespace

AdminApi::AdminApi(Broker &broker, PushService &push, QObject *parent)
    : QObject(parent), m_broker(broker), m_push(push), m_sessionStream(broker), m_sessionWatches(broker)
{
    const auto bind = [this](auto method) {
        return [this, method](const QJsonObject &arguments) { return (this->*method)(arguments); };
    };
    m_methods = {
        {QStringLiteral("sessions/list"), bind(&AdminApi::listSessions)},
        {QStringLiteral("sessions/get"), bind(&AdminApi::getSession)},
        {QStringLiteral("devices/list"), bind(&AdminApi::listDevices)},
        {QStringLiteral("devices/update"), bind(&AdminApi::updateDevice)},
        {QStringLiteral("devices/remove"), bind(&AdminApi::removeDevice)},
        {QStringLiteral("push/audience"), bind(&AdminApi::audience)},
        {QStringLiteral("push/send"), bind(&AdminApi::sendPush)},
        {QStringLiteral("push/report"), bind(&AdminApi::pushReport)},
        {QStringLiteral("push/list"), bind(&AdminApi::listPushes)},
        {QStringLiteral("retained/list"), bind(&AdminApi::listRetained)},
        {QStringLiteral("retained/delete"), bind(&AdminApi::deleteRetained)},
        {QStringLiteral("accounts/list"), bind(&AdminApi::listAccounts)},
        {QStringLiteral("accounts/set"), bind(&AdminApi::setAccount)},
        {QStringLiteral("accounts/remove"), bind(&AdminApi::removeAccount)},
        {QStringLiteral("networks/list"), bind(&AdminApi::listNetworks)},
    };
    m_methodsV2 = {
        {QStringLiteral("api/version"), bind(&AdminApi::apiVersion)},
        {QStringLiteral("sessions/detail"), bind(&AdminApi::sessionDetail)},
        {QStringLiteral("sessions/watch"), bind(&AdminApi::watchSession)},
    };
    m_telemetryTimer.setInterval(1s);
    connect(&m_telemetryTimer, &QTimer::timeout, this, &AdminApi::publishTelemetry);
}

void AdminApi::start()
{
    m_broker.addMessageTap(QString(TopicPrefix) + QLatin1Char('#'));
    m_broker.addMessageTap(QString(TopicPrefixV2) + QLatin1Char('#'));
    connect(&m_broker, &Broker::clientMessage, this, &AdminApi::onClientMessage);
    m_telemetryTimer.start();
    m_sessionStream.start();
}

void AdminApi::onClientMessage(const ClientIdentity &publisher, const mqtt::Publish &publish)
{
    const int version = publish.topic.startsWith(TopicPrefix) ? 1 : publish.topic.startsWith(TopicPrefixV2) ? 2 : 0;
    if (version == 0 || publish.topic == TelemetryTopic || publish.topic == TelemetryTopicV2
        || publish.topic == SessionStream::EventsTopic || publish.topic == ReportsTopic
        || publish.topic.startsWith(SessionWatches::TopicPrefix))
        return;
    const std::optional<QString> &responseTopic = publish.properties.responseTopic;
    if (!responseTopic || !mqtt::isValidTopicName(*responseTopic)) {
        ++m_dropped;
        qCInfo(lcAdmin) << "dropped an admin request without a usable response topic from" << publisher.clientId;
        return;
    }
    if (publisher.role != Role::Operator) {
        ++m_dropped;
        reply(publish, Answer::error(QStringLiteral("forbidden"), QStringLiteral("the admin API is for operators")));
        return;
    }
    // Both prefixes have the same length.
    const QString method = publish.topic.mid(TopicPrefix.size());
    const auto arguments = parseAdminArguments(publish.payload);
    if (const auto *error = std::get_if<AdminRequestError>(&arguments)) {
        reply(publish, Answer::error(error->code, error->message));
        return;
    }
    qCDebug(lcAdmin).noquote() << publisher.clientId << "calls" << method << "v" << version;
    if (version == 2 && method == QLatin1String("sessions/snapshot")) {
        replySnapshot(publish, std::get<QJsonObject>(arguments));
        return;
    }
    call(version, method, std::get<QJsonObject>(arguments),
         [self = QPointer<AdminApi>(this), publish](const Answer &answer) {
             if (self) // a deferred answer may come after hermesd began to stop
                 self->reply(publish, answer);
         });
}

AdminApi::Answer AdminApi::call(const QString &method, const QJsonObject &arguments)
{
    return call(1, method, arguments);
}

void AdminApi::call(int version, const QString &method, const QJsonObject &arguments, Reply reply)
{
    // The one method that may wait for another server: a kick of a cluster's session.
    if (method == QLatin1String("sessions/kick")) {
        kick(arguments, std::move(reply));
        return;
    }
    reply(answerNow(version, method, arguments));
}

AdminApi::Answer AdminApi::call(int version, const QString &method, const QJsonObject &arguments)
{
    auto answered = std::make_shared<std::optional<Answer>>();
    call(version, method, arguments, [answered](const Answer &answer) { *answered = answer; });
    if (*answered)
        return **answered;
    return {{{QStringLiteral("requested"), true}}, {}, {}};
}

void AdminApi::setSessionSource(SessionSource *source)
{
    m_source = source;
    // Counted in $SYS and /metrics too, from the one place that wires the source in.
    m_broker.setSessionSource(source);
    m_sessionStream.setSource(source);
    m_sessionWatches.setSource(source);
}

AdminApi::Answer AdminApi::answerNow(int version, const QString &method, const QJsonObject &arguments)
{
    if (version >= 2) {
        if (const auto handler = m_methodsV2.constFind(method); handler != m_methodsV2.cend())
            return (*handler)(arguments);
    }
    const auto handler = m_methods.constFind(method);
    if (handler == m_methods.cend())
        return Answer::error(QStringLiteral("unknown-method"), QStringLiteral("no method \"%1\"").arg(method));
    return (*handler)(arguments);
}

void AdminApi::reply(const mqtt::Publish &request, const Answer &answer)
{
    QJsonObject body;
    if (answer.errorCode.isEmpty()) {
        body = {{QStringLiteral("ok"), true}, {QStringLiteral("result"), answer.result}};
    } else {
        body = {{QStringLiteral("ok"), false},
                {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), answer.errorCode},
                                                      {QStringLiteral("message"), answer.errorMessage}}}};
    }
    mqtt::Publish response;
    response.topic = *request.properties.responseTopic;
    response.payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
    response.qos = mqtt::QoS::AtLeastOnce;
    response.properties.correlationData = request.properties.correlationData;
    response.properties.contentType = QStringLiteral("application/json");
    ++m_answered;
    m_broker.publish(std::move(response));
}

void AdminApi::replySnapshot(const mqtt::Publish &request, const QJsonObject &arguments)
{
    const int pageSize = std::clamp(arguments.value(QLatin1String("pageSize")).toInt(1000), 1, 5000);
    const SessionStream::Snapshot snapshot = m_sessionStream.snapshot();
    const int pages = std::max(1, int((snapshot.sessions.size() + pageSize - 1) / pageSize));
    for (int page = 0; page < pages; ++page) {
        QJsonArray rows;
        for (const SessionInfo &info : snapshot.sessions.mid(qsizetype(page) * pageSize, pageSize))
            rows.append(sessionRowJson(info));
        reply(request, {{{QStringLiteral("seq"), double(snapshot.sequence)},
                         {QStringLiteral("page"), page},
                         {QStringLiteral("pages"), pages},
                         {QStringLiteral("total"), int(snapshot.sessions.size())},
                         {QStringLiteral("sessions"), rows}},
                        {}, {}});
    }
}

AdminApi::Answer AdminApi::apiVersion(const QJsonObject &) const
{
    // Where this broker listens lets a console on the same machine tell that the broker on
    // the admin socket is the one holding a port ("Attach to it").
    QJsonArray listeners;
    for (const ListenAddress &address : m_broker.listenAddresses())
        listeners.append(address.toString());
    for (const QString &path : m_broker.localSocketPaths())
        listeners.append(QStringLiteral("unix:") + path);
    QJsonObject result{{QStringLiteral("api"), Version},
                       {QStringLiteral("versions"), QJsonArray{1, 2}},
                       {QStringLiteral("broker"), QStringLiteral("hermes")},
                       {QStringLiteral("version"), versionString()},
                       {QStringLiteral("listeners"), listeners}};
    // Upstream mode: devices are on a cluster whose management API (if any) tells hermesd
    // their rows but not their heartbeats, packets or in-flight messages.
    if (m_broker.config().upstream.enabled())
        result.insert(QStringLiteral("upstream"), true);
    return {result, {}, {}};
}

AdminApi::Answer AdminApi::sessionDetail(const QJsonObject &arguments) const
{
    const QString clientId = requiredString(arguments, "clientId");
    if (clientId.isEmpty())
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("clientId is required"));
    const std::optional<SessionWatch::Change> detail = SessionWatch(clientId).now(m_broker, m_source);
    if (!detail)
        return Answer::error(QStringLiteral("not-found"), QStringLiteral("no session \"%1\"").arg(clientId));
    return {detail->json, {}, {}};
}

AdminApi::Answer AdminApi::watchSession(const QJsonObject &arguments)
{
    const QString clientId = requiredString(arguments, "clientId");
    if (clientId.isEmpty())
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("clientId is required"));
    const auto started = m_sessionWatches.watch(clientId);
    if (const auto *refusal = std::get_if<SessionWatches::Refusal>(&started)) {
        if (*refusal == SessionWatches::Refusal::NoSuchSession)
            return Answer::error(QStringLiteral("not-found"), QStringLiteral("no session \"%1\"").arg(clientId));
        return Answer::error(QStringLiteral("busy"), QStringLiteral("too many sessions are watched at once"));
    }
    const auto &watch = std::get<SessionWatches::Started>(started);
    return {{{QStringLiteral("topic"), watch.topic}, {QStringLiteral("detail"), watch.detail}}, {}, {}};
}

void AdminApi::publishReportChanges()
{
    const quint64 serial = m_push.reportSerial();
    const quint64 since = std::exchange(m_reportsTold, serial);
    // Nobody listens: nothing is kept for later (a console takes push/list when it attaches).
    if (!m_broker.hasSubscribers(QString(ReportsTopic))) {
        m_reportDeltas.clear();
        return;
    }
    if (serial == since)
        return;
    m_reportDeltas.forgetUnless([this](const QString &pushId) { return m_push.hasReport(pushId); });
    for (const QString &pushId : m_push.reportsChangedAfter(since)) {
        const std::optional<PushReport> report = m_push.report(pushId);
        if (!report)
            continue;
        for (const QJsonObject &change : m_reportDeltas.changes(*report)) {
            mqtt::Publish message;
            message.topic = QString(ReportsTopic);
            message.payload = QJsonDocument(change).toJson(QJsonDocument::Compact);
            message.properties.contentType = QStringLiteral("application/json");
            m_broker.publish(std::move(message));
        }
    }
}

void AdminApi::publishTelemetry()
{
    publishReportChanges();
    if (m_broker.hasSubscribers(QString(TelemetryTopicV2))) {
        m_broker.refreshBacklogTotals();
        QJsonObject json = countersJson(counters());
        json.insert(QStringLiteral("atMs"), double(QDateTime::currentMSecsSinceEpoch()));
        json.insert(QStringLiteral("devices"), double(m_push.devices().size()));
        mqtt::Publish message;
        message.topic = QString(TelemetryTopicV2);
        message.payload = QJsonDocument(json).toJson(QJsonDocument::Compact);
        message.properties.contentType = QStringLiteral("application/json");
        m_broker.publish(std::move(message));
    }
    // Once a second for the consoles that listen; nobody else should see it in their
    // message logs.
    if (!m_broker.hasSubscribers(QString(TelemetryTopic)))
        return;
    const BrokerCounters counters = this->counters();
    const QJsonObject json{
        {QStringLiteral("atMs"), double(QDateTime::currentMSecsSinceEpoch())},
        {QStringLiteral("connections"), double(counters.clientsConnected)},
        {QStringLiteral("sessions"), double(counters.clientsTotal)},
        {QStringLiteral("messagesIn"), double(counters.publishReceived)},
        {QStringLiteral("messagesOut"), double(counters.publishSent)},
        {QStringLiteral("inflight"), double(counters.inflightTotal)},
        {QStringLiteral("queued"), double(counters.queuedTotal)},
        {QStringLiteral("bytesIn"), double(counters.bytesReceived)},
        {QStringLiteral("bytesOut"), double(counters.bytesSent)},
        {QStringLiteral("devices"), double(m_push.devices().size())},
        {QStringLiteral("uptimeSeconds"),
         double((QDateTime::currentMSecsSinceEpoch() - counters.startedAtMs) / 1000)},
    };
    mqtt::Publish message;
    message.topic = QString(TelemetryTopic);
    message.payload = QJsonDocument(json).toJson(QJsonDocument::Compact);
    message.properties.contentType = QStringLiteral("application/json");
    m_broker.publish(std::move(message));
}

// ---- Sessions ----

AdminApi::Answer AdminApi::listSessions(const QJsonObject &arguments) const
{
    const QString filter = arguments.value(QLatin1String("filter")).toString();
    const QString state = arguments.value(QLatin1String("state")).toString();
    if (!state.isEmpty() && state != QLatin1String("online") && state != QLatin1String("offline"))
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("state must be online or offline"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // The broker's own sessions (in upstream mode: operators) and the cluster's, each of
    // those with its node; a client ID the broker holds is the broker's.
    QList<SessionInfo> sessions = m_broker.sessions();
    if (m_source) {
        for (const ClusterSession &session : m_source->sessions()) {
            if (!m_broker.sessionRegistry().find(session.info.clientId))
                sessions.append(session.info);
        }
    }
    std::sort(sessions.begin(), sessions.end(),
              [](const SessionInfo &a, const SessionInfo &b) { return a.clientId < b.clientId; });
    QJsonArray list;
    for (const SessionInfo &info : std::as_const(sessions)) {
        if (!filter.isEmpty() && !info.clientId.contains(filter, Qt::CaseInsensitive) && !info.address.contains(filter)
            && !info.userName.contains(filter, Qt::CaseInsensitive) && !info.node.contains(filter, Qt::CaseInsensitive))
            continue;
        if (!state.isEmpty() && info.online != (state == QLatin1String("online")))
            continue;
        list.append(sessionJson(info, now));
    }
    return {{{QStringLiteral("sessions"), list}}, {}, {}};
}

AdminApi::Answer AdminApi::getSession(const QJsonObject &arguments) const
{
    const QString clientId = requiredString(arguments, "clientId");
    if (clientId.isEmpty())
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("clientId is required"));
    const std::optional<SessionDetail> detail = m_broker.sessionDetail(clientId);
    if (!detail && m_source) {
        // A cluster's session: its row and node; the management API lists no more.
        if (const auto found = m_source->sessions().constFind(clientId); found != m_source->sessions().cend()) {
            QJsonObject json = sessionJson(found->info, QDateTime::currentMSecsSinceEpoch()); // with its "node"
            json.insert(QStringLiteral("subscriptionFilters"), QJsonArray());
            json.insert(QStringLiteral("inflightMessages"), QJsonArray());
            json.insert(QStringLiteral("queuedMessages"), QJsonArray());
            return {json, {}, {}};
        }
    }
    if (!detail)
        return Answer::error(QStringLiteral("not-found"), QStringLiteral("no session \"%1\"").arg(clientId));
    QJsonObject json = sessionJson(detail->info, QDateTime::currentMSecsSinceEpoch());
    QJsonArray subscriptions;
    for (const mqtt::TopicSubscription &subscription : detail->subscriptions) {
        subscriptions.append(QJsonObject{{QStringLiteral("filter"), subscription.filter},
                                         {QStringLiteral("qos"), int(subscription.options.maximumQoS)}});
    }
    QJsonArray inflight;
    for (const InflightInfo &message : detail->inflight) {
        inflight.append(QJsonObject{{QStringLiteral("packetId"), int(message.packetId)},
                                    {QStringLiteral("topic"), message.topic},
                                    {QStringLiteral("qos"), int(message.qos)},
                                    {QStringLiteral("stage"), outboundStageName(message.stage)},
                                    {QStringLiteral("ageMs"), double(message.ageMs)},
                                    {QStringLiteral("sendCount"), double(message.sendCount)}});
    }
    QJsonArray queued;
    for (const mqtt::Publish &message : detail->queued) {
        queued.append(QJsonObject{{QStringLiteral("topic"), message.topic},
                                  {QStringLiteral("qos"), int(message.qos)},
                                  {QStringLiteral("payloadSize"), double(message.payload.size())}});
    }
    json.insert(QStringLiteral("subscriptionFilters"), subscriptions);
    json.insert(QStringLiteral("inflightMessages"), inflight);
    json.insert(QStringLiteral("queuedMessages"), queued);
    return {json, {}, {}};
}

void AdminApi::kick(const QJsonObject &arguments, Reply reply)
{
    const QString clientId = requiredString(arguments, "clientId");
    if (clientId.isEmpty()) {
        reply(Answer::error(QStringLiteral("bad-request"), QStringLiteral("clientId is required")));
        return;
    }
    if (m_broker.kick(clientId)) {
        reply({{{QStringLiteral("kicked"), true}}, {}, {}});
        return;
    }
    if (!m_source || !m_source->isOnline(clientId)) {
        reply(Answer::error(QStringLiteral("not-found"), QStringLiteral("client \"%1\" is not connected").arg(clientId)));
        return;
    }
    // Answered once the cluster has closed the connection (or said why not).
    m_source->kick(clientId, [reply = std::move(reply)](bool notFound, const QString &error) {
        if (error.isEmpty())
            reply({{{QStringLiteral("kicked"), true}}, {}, {}});
        else
            reply(Answer::error(notFound ? QStringLiteral("not-found") : QStringLiteral("unavailable"), error));
    });
}

BrokerCounters AdminApi::counters() const
{
    // What the Dashboard shows as connections and sessions is the cluster's devices plus
    // hermesd's own operators: the same numbers as $SYS and /metrics.
    return m_broker.reportedCounters();
}

bool AdminApi::isOnline(const QString &clientId) const
{
    return m_push.isOnline(clientId) || (m_source && m_source->isOnline(clientId));
}

// ---- Devices ----

QJsonObject AdminApi::deviceJson(const DeviceRecord &device) const
{
    return {
        {QStringLiteral("id"), device.id},
        {QStringLiteral("alias"), device.alias},
        {QStringLiteral("tags"), QJsonArray::fromStringList(device.tags)},
        {QStringLiteral("online"), isOnline(device.id)},
        {QStringLiteral("registered"), device.registered},
        {QStringLiteral("firstSeenMs"), double(device.firstSeenMs)},
        {QStringLiteral("lastSeenMs"), double(device.lastSeenMs)},
        {QStringLiteral("nextSequence"), double(m_push.nextSequence(device.id))},
    };
}

AdminApi::Answer AdminApi::listDevices(const QJsonObject &arguments) const
{
    std::optional<push::TagExpression> tagFilter;
    if (const QString tag = requiredString(arguments, "tag"); !tag.isEmpty()) {
        const auto parsed = push::TagExpression::parse(tag);
        if (const auto *error = std::get_if<push::TagExpressionError>(&parsed))
            return Answer::error(QStringLiteral("bad-request"), QStringLiteral("tag expression: ") + error->toString());
        tagFilter = std::get<push::TagExpression>(parsed);
    }
    const QString alias = requiredString(arguments, "alias");
    const QJsonValue online = arguments.value(QLatin1String("online"));
    QJsonArray list;
    for (const DeviceRecord &device : m_push.devices().all()) {
        if ((tagFilter && !tagFilter->matches(device.tags)) || (!alias.isEmpty() && device.alias != alias)
            || (online.isBool() && isOnline(device.id) != online.toBool()))
            continue;
        list.append(deviceJson(device));
    }
    return {{{QStringLiteral("devices"), list}}, {}, {}};
}

AdminApi::Answer AdminApi::updateDevice(const QJsonObject &arguments)
{
    const auto strings = [](const QJsonValue &value) {
        QStringList list;
        for (const QJsonValue &item : value.toArray())
            list.append(item.toString());
        return list;
    };
    DeviceUpdate update;
    if (arguments.contains(QLatin1String("alias")))
        update.alias = arguments.value(QLatin1String("alias")).toString();
    if (arguments.contains(QLatin1String("tags")))
        update.tags = strings(arguments.value(QLatin1String("tags")));
    update.addTags = strings(arguments.value(QLatin1String("addTags")));
    update.removeTags = strings(arguments.value(QLatin1String("removeTags")));
    const auto result = m_push.updateDevice(requiredString(arguments, "id"), update);
    if (const auto *error = std::get_if<PushError>(&result))
        return Answer::from(*error);
    return {deviceJson(std::get<DeviceRecord>(result)), {}, {}};
}

AdminApi::Answer AdminApi::removeDevice(const QJsonObject &arguments)
{
    const QString id = requiredString(arguments, "id");
    if (!m_push.removeDevice(id))
        return Answer::error(QStringLiteral("not-found"), QStringLiteral("unknown device \"%1\"").arg(id));
    return {{{QStringLiteral("removed"), true}}, {}, {}};
}

// ---- Pushes ----

AdminApi::Answer AdminApi::audience(const QJsonObject &arguments) const
{
    QString problem;
    const auto target = PushTarget::fromJson(arguments.value(QLatin1String("target")).toObject(), &problem);
    if (!target)
        return Answer::error(QStringLiteral("bad-request"), problem);
    const auto resolved = m_push.audience(*target);
    if (const auto *error = std::get_if<PushError>(&resolved))
        return Answer::from(*error);
    const QStringList ids = std::get<QStringList>(resolved);
    return {{{QStringLiteral("count"), int(ids.size())},
             {QStringLiteral("sample"), QJsonArray::fromStringList(ids.mid(0, 20))}},
            {}, {}};
}

AdminApi::Answer AdminApi::sendPush(const QJsonObject &arguments)
{
    QString problem;
    const auto request = PushRequest::fromJson(arguments, &problem);
    if (!request)
        return Answer::error(QStringLiteral("bad-request"), problem);
    const auto result = m_push.send(*request);
    if (const auto *error = std::get_if<PushError>(&result))
        return Answer::from(*error);
    const PushReport &report = std::get<PushReport>(result);
    QJsonObject json{{QStringLiteral("pushId"), report.pushId}, {QStringLiteral("audience"), int(report.targets.size())}};
    if (report.sendAtMs > report.createdAtMs)
        json.insert(QStringLiteral("scheduledAtMs"), double(report.sendAtMs));
    return {json, {}, {}};
}

AdminApi::Answer AdminApi::pushReport(const QJsonObject &arguments) const
{
    const QString pushId = requiredString(arguments, "pushId");
    const std::optional<PushReport> report = m_push.report(pushId);
    if (!report)
        return Answer::error(QStringLiteral("not-found"), QStringLiteral("no push \"%1\"").arg(pushId));
    return {report->toJson(arguments.value(QLatin1String("targets")).toBool(true)), {}, {}};
}

AdminApi::Answer AdminApi::listPushes(const QJsonObject &arguments) const
{
    QJsonArray list;
    for (const PushReport &report : m_push.recentReports(arguments.value(QLatin1String("limit")).toInt(50)))
        list.append(report.toJson(false));
    return {{{QStringLiteral("pushes"), list}}, {}, {}};
}

// ---- Retained ----

AdminApi::Answer AdminApi::listRetained(const QJsonObject &arguments) const
{
    const QString filter = arguments.value(QLatin1String("filter")).toString(QStringLiteral("#"));
    if (!mqtt::isValidTopicFilter(filter))
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("\"%1\" is not a valid topic filter").arg(filter));
    const int limit = arguments.value(QLatin1String("limit")).toInt(1000);
    QList<RetainedMessage> messages = m_broker.retained().matching(filter, m_broker.now());
    std::sort(messages.begin(), messages.end(),
              [](const RetainedMessage &a, const RetainedMessage &b) { return a.publish.topic < b.publish.topic; });
    QJsonArray list;
    for (const RetainedMessage &message : std::as_const(messages)) {
        if (list.size() >= limit)
            break;
        QJsonObject json{{QStringLiteral("topic"), message.publish.topic},
                         {QStringLiteral("qos"), int(message.publish.qos)},
                         {QStringLiteral("payloadSize"), double(message.publish.payload.size())}};
        insertPayload(json, message.publish.payload);
        list.append(json);
    }
    return {{{QStringLiteral("messages"), list}, {QStringLiteral("total"), int(messages.size())}}, {}, {}};
}

AdminApi::Answer AdminApi::deleteRetained(const QJsonObject &arguments)
{
    const QString topic = requiredString(arguments, "topic");
    const QString filter = requiredString(arguments, "filter");
    if (topic.isEmpty() == filter.isEmpty())
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("give exactly one of topic and filter"));
    if (!topic.isEmpty()) {
        if (!m_broker.deleteRetained(topic))
            return Answer::error(QStringLiteral("not-found"), QStringLiteral("no retained message on \"%1\"").arg(topic));
        return {{{QStringLiteral("deleted"), 1}}, {}, {}};
    }
    if (!mqtt::isValidTopicFilter(filter))
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("\"%1\" is not a valid topic filter").arg(filter));
    int deleted = 0;
    for (const RetainedMessage &message : m_broker.retained().matching(filter, m_broker.now()))
        deleted += m_broker.deleteRetained(message.publish.topic) ? 1 : 0;
    return {{{QStringLiteral("deleted"), deleted}}, {}, {}};
}

// ---- Networks ----

AdminApi::Answer AdminApi::listNetworks(const QJsonObject &) const
{
    QJsonArray list;
    for (const analytics::NetworkReport &report : m_broker.fleet().reports())
        list.append(analytics::networkReportJson(report, m_broker.fleet().isActing(report.network)));
    return {{{QStringLiteral("networks"), list}, {QStringLiteral("timeScale"), m_broker.fleet().timeScale()}}, {}, {}};
}

// ---- Accounts ----

AdminApi::Answer AdminApi::listAccounts(const QJsonObject &) const
{
    QJsonArray list;
    for (const Broker::AccountEntry &entry : m_broker.accounts()) {
        list.append(QJsonObject{{QStringLiteral("name"), entry.account.userName},
                                {QStringLiteral("role"), roleName(entry.account.role)},
                                {QStringLiteral("source"), entry.fromConfig ? QStringLiteral("config") : QStringLiteral("store")}});
    }
    return {{{QStringLiteral("accounts"), list}}, {}, {}};
}

AdminApi::Answer AdminApi::setAccount(const QJsonObject &arguments)
{
    const QString name = requiredString(arguments, "name");
    if (name.isEmpty() || name.contains(QLatin1Char(' ')))
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("name is required and has no spaces"));
    const std::optional<Role> role = parseRole(arguments.value(QLatin1String("role")).toString(QStringLiteral("device")));
    if (!role)
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("role must be device or operator"));
    // Either a password (hashed here, PBKDF2) or a hash made by hermesd --hash-password.
    std::optional<PasswordHash> hash;
    if (const QString password = requiredString(arguments, "password"); !password.isEmpty()) {
        if (password.size() < 8)
            return Answer::error(QStringLiteral("bad-request"), QStringLiteral("a password needs at least 8 characters"));
        hash = PasswordHash::create(password.toUtf8());
    } else if (const QString text = requiredString(arguments, "hash"); !text.isEmpty()) {
        hash = PasswordHash::parse(text);
        if (!hash)
            return Answer::error(QStringLiteral("bad-request"), QStringLiteral("hash is not in the form hermesd --hash-password prints"));
        if (hash->iterations < PasswordHash::MinIterations || hash->iterations > PasswordHash::MaxIterations)
            return Answer::error(QStringLiteral("bad-request"),
                                 QStringLiteral("the hash's PBKDF2 iteration count must be from %1 to %2")
                                         .arg(PasswordHash::MinIterations).arg(PasswordHash::MaxIterations));
    } else {
        return Answer::error(QStringLiteral("bad-request"), QStringLiteral("give password or hash"));
    }
    QString problem;
    if (!m_broker.setAccount(Account{name, *role, *hash, {}}, &problem))
        return Answer::error(QStringLiteral("unavailable"), problem);
    return {{{QStringLiteral("name"), name}, {QStringLiteral("role"), roleName(*role)}, {QStringLiteral("source"), QStringLiteral("store")}}, {}, {}};
}

AdminApi::Answer AdminApi::removeAccount(const QJsonObject &arguments)
{
    QString problem;
    if (!m_broker.removeAccount(requiredString(arguments, "name"), &problem))
        return Answer::error(problem.startsWith(QLatin1String("no account")) ? QStringLiteral("not-found") : QStringLiteral("unavailable"), problem);
    return {{{QStringLiteral("removed"), true}}, {}, {}};
}

PushService &installPushServices(Broker &broker, PushConfig config, PushTransport *transport)
{
    auto *push = transport ? new PushService(broker, *transport, std::move(config), &broker)
                           : new PushService(broker, std::move(config), &broker);
    push->start();
    auto *admin = new AdminApi(broker, *push, &broker);
    admin->start();
    auto *offers = new KeepAliveOffers(broker, *push, {}, &broker);
    offers->start();
    return *push;
}


} // namespace hermes
