#pragma once
/// What the store kept, back in memory at start.

#include "mqtt/sessionmachine.h"

namespace hermes {

class RetainedStore;
class SessionRegistry;
class Store;
namespace mqtt { class SubscriptionTree; }

/// Loads the retained messages into `retained`, and each stored session, offline, into
/// `sessions` with its subscriptions (into `subscriptions`), its queue, its in-flight
/// messages at their stage and its inbound QoS 2 ids. The store keeps wall-clock times;
/// `at` and `wallMs` are now on the monotonic and the wall clock, to convert them. A
/// session that was online when the broker died went offline then. Scheduling the
/// sessions' deadlines is the caller's.
void restoreFromStore(Store &store, SessionRegistry &sessions, mqtt::SubscriptionTree &subscriptions,
                      RetainedStore &retained, mqtt::Timestamp at, qint64 wallMs);

} // namespace hermes
