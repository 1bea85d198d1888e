<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>BrokerOptions</name>
    <message>
        <source>Read broker settings from FILE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen on HOST:PORT (repeatable; replaces the file&apos;s listeners).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the broker&apos;s database in DIR.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error, warning, info or debug.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep sessions and messages in memory only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--listen: &apos;%1&apos; is not HOST:PORT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>--log-level: &apos;%1&apos; is not error, warning, info or debug</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>seconds ago</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::DashboardView</name>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages in/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages out/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive timeouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take-overs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>msg/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In flight and queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeat lateness (last inbound packet vs 1.5 × keep-alive)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Online sessions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0–25 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>25–50 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>50–67 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>67–100 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>overdue</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::HeartbeatTimeline</name>
    <message>
        <source>CONNECT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PINGREQ (in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PINGRESP (out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keep-alive T</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1.5 T deadline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>T = %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1.5 T = %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout at %1 →</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout (%1 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive is off: the broker never closes a silent connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive %1 s exceeds the NAT timeout %2 s: the mapping expires between heartbeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 from the client at %2, %3 bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to the client at %2, %3 bytes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::MainWindow</name>
    <message>
        <source>Hermes Push Console</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database problem: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Database problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The broker cannot write its database:
%1

Acknowledgements are held until the database accepts writes again; nothing is dropped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Hermes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Hermes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Hermes %1&lt;/b&gt;&lt;br&gt;Push console and MQTT broker inspector.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language changes the next time Hermes starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker not running: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker could not start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1

Listen on another port instead:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 connected · %2 sessions · %3 in · %4 out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Push</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New push…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::MessageLogModel</name>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(broker)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QoS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::MessagesView</name>
    <message>
        <source>Topic filter, e.g. devices/+/push or telemetry/#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a message to see its payload.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Paused — %n message(s) not shown</source>
        <translation>
            <numerusform>Paused — %n message not shown</numerusform>
            <numerusform>Paused — %n messages not shown</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) too fast to show</source>
        <translation>
            <numerusform>%n message too fast to show</numerusform>
            <numerusform>%n messages too fast to show</numerusform>
        </translation>
    </message>
    <message>
        <source>Topic: %1
QoS: %2   Retained: %3   Bytes: %4

</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushDialog</name>
    <message>
        <source>Retain on the broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devices/{id}/push</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 — at most once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 — at least once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2 — exactly once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no expiry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MQTT 5 message expiry: an offline device that returns later does not get it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hex bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QoS:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time to live:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload as:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The topic must not be empty or contain + or #.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not valid JSON at character %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hex bytes need pairs of 0–9 and a–f, e.g. 0a 1b ff.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::SessionDetailView</name>
    <message>
        <source>Packet ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>QoS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DUP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Options</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Will published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NAT line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>China Mobile (5 min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>China Unicom (5 min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>China Telecom (28 min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show where a carrier NAT would forget an idle connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wheel: zoom · drag: pan · double-click: fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PUBREL sent, awaiting PUBCOMP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keep-alive timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In-flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packet trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No packets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>session ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (user %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · MQTT %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s (deadline %2 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 ago)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no local</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retain as published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>retained on new subscription only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no retained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Packets shown: %1 (newest last)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In-flight (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscriptions (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnects (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export packet trace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %1 lines to %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::SessionTableModel</name>
    <message>
        <source>Nothing received yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last packet %1 ago; keep-alive off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last packet %1 ago; keep-alive %2 s, the broker closes the connection after %3 s of silence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at %2%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (user %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (max %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (0x%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected since (online) or offline since (offline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time since the last packet from the client. Green: within the keep-alive T; amber: past T; red: past the 1.5 T deadline. Sorts by how close the deadline is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outbound QoS 1/2 messages awaiting acknowledgement (high-water mark)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages waiting for a window slot or for the client (high-water mark)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages dropped: queue full, expired or too large</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last inbound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In-flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>client disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keep-alive timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>taken over</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>protocol error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connect rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connect timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>socket error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>kicked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server shutdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PUBLISH sent, awaiting PUBACK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PUBLISH sent, awaiting PUBREC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PUBREL sent, awaiting PUBCOMP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::SessionsView</name>
    <message>
        <source>Backlog &gt; 0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Late heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push to this device…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kick</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy client ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by client ID, address or user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only sessions with messages in flight or queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only online sessions silent for longer than their keep-alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last inbound</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (max %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 session (%1 online)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sessions (%2 online)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kick session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect “%1” now? The device will usually reconnect on its own.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Hermes push console and MQTT broker inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User interface language: zh_CN or en.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
