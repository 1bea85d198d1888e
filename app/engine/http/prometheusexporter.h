#pragma once
/// GET /metrics: the broker's, the store's, the push service's and the process's numbers in
/// the Prometheus text exposition format 0.0.4.

#include <QByteArray>

namespace hermes {

class Broker;
class PushService;
struct HttpCounters;

/// One scrape. Costs one pass over the sessions (the in-flight and queued gauges) and
/// two small reads of /proc; everything else is a counter already kept.
QByteArray prometheusText(Broker &broker, const PushService &push, const HttpCounters &http);

} // namespace hermes
