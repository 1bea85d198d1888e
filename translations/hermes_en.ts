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
    <name>Charts</name>
    <message>
        <source>Save as PNG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NetworkText</name>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 – %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&gt; %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>≤ %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not enough evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not enough evidence (%1 so far)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2 devices · %3 observations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 devices survived an idle gap and %2 lost their NAT mapping; %3 observations in the window, %4 of them contradict the interval (devices that went away, misfiled devices, older evidence).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT ≈ %1–%2 s (network %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT &gt; %1 s (network %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT ≤ %1 s (network %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT (network %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing applied: the broker acts on a network only with &quot;network_act NAME on&quot; in its configuration, and only once the estimate is adequate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devices&apos; own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 → %3; silent deaths per device-hour %4 before (%5 device-hours), %6 since (%7 device-hours)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive offers sent to smart-heartbeat devices: %1</source>
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
    <name>hermes::AdminChannel</name>
    <message>
        <source>cannot send the %1 request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed answer (not an admin API response)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the broker refused the %1 request: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer to %1 within %2 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::Broker</name>
    <message>
        <source>Cannot listen on %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A TLS listener needs tls_certificate and tls_key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS certificate %1: missing or not a PEM certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS key %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS key %1: not an unencrypted PEM RSA or EC key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS CA %1: missing or not a PEM certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>session ended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline queue full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused by the client: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queue full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too large for the client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the client is not reading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the broker database: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ClientEngine</name>
    <message>
        <source>%1 refused the subscription to # (%2): the console needs to read every topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2; reconnecting in %3 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is attached as a plain MQTT client: pushes need a Hermes broker (publish to the device&apos;s topic instead)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not expose its devices to a client</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::PushService</name>
    <message>
        <source>unknown device %1 (register with devices/update first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown devices %1 (register with devices/update first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag expression: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 reaches no device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTL passed before delivery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sequence numbers exhausted for this device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting for the device to subscribe to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1; will resend when the device returns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the device refused it: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::RemoteEngine</name>
    <message>
        <source>the console detached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an anonymous client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>user &quot;%1&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 is not an operator (the admin API is for operators)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 speaks admin API v%2; this console needs v%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 speaks admin API v1 only; this console needs v%2 (update hermesd)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not answer the Hermes admin API (is it hermesd?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: cannot load the sessions: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 refused the credentials of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2; reconnecting in %3 s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::AccountsDialog</name>
    <message>
        <source>Save account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defined in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts from the config file can only be changed there. Stored accounts apply at the next login.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>config file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>broker database</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A user name is needed, without spaces.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A password needs at least 8 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::BindingTableModel</name>
    <message>
        <source>Enter a topic filter, e.g. telemetry/+/state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a valid topic filter: &apos;+&apos; and &apos;#&apos; must fill a whole level, &apos;#&apos; only at the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a message type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not in the loaded schemas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message type</source>
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
    <message>
        <source>Refused connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed logins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access denials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate-limited connects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Login back-off refusals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subscription quota refusals</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::DecodedTreeModel</name>
    <message numerus="yes">
        <source>%n field(s)</source>
        <translation>
            <numerusform>%n field</numerusform>
            <numerusform>%n fields</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 +%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not in the schema (or another wire type than declared): kept as found on the wire</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n item(s), packed</source>
        <translation>
            <numerusform>%n item, packed</numerusform>
            <numerusform>%n items, packed</numerusform>
        </translation>
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
    <message>
        <source>%1 at %2 →</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::HexView</name>
    <message numerus="yes">
        <source>… %n more byte(s) not shown</source>
        <translation>
            <numerusform>… %n more byte not shown</numerusform>
            <numerusform>… %n more bytes not shown</numerusform>
        </translation>
    </message>
    <message>
        <source>(empty payload)</source>
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
    <message>
        <source>Topics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent &amp;files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Listen address…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none yet: exported traces appear here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker not running: port %1 is taken by another program</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broker stopped (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another program is already listening on %1, so the embedded broker cannot start there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the other program, or let Hermes listen on another port. The console keeps working; it shows nothing until the broker runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The embedded broker could not start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use another port…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen on another port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port for MQTT clients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address and port for MQTT clients, e.g. 127.0.0.1:1883 or 0.0.0.0:1883 (all interfaces):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“%1” is not an address and port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This broker cannot be reconfigured from here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schemas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Accounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value charts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push to &amp;selected (%1)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push to &amp;selected…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hermes Push Console — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detach</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attach</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attaching to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attached to %1 as an MQTT client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not attached: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detaching from %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detached from %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not show its sessions to an MQTT client: sessions, heartbeat timelines, in-flight and queued messages need a Hermes broker. Messages, Topics, retained messages and the Dashboard work.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushes need the push service of a Hermes broker; %1 is attached as a plain MQTT client. Publish to a device&apos;s topic from the Messages view instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulations run against the embedded broker; %1 is attached as a plain MQTT client.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not attach</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The console could not attach to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Networks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not show its networks to an MQTT client: NAT timeout estimates come from the fleet analytics of a Hermes broker.</source>
        <translation></translation>
    </message>
    <message>
        <source>Attached to hermesd at %1 as an operator</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::MessageForm</name>
    <message>
        <source>%1 = %2 (%3%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base64</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the bytes are typed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hex, e.g. 0a 1b ff</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>base64, e.g. ChtI</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation>
            <numerusform>%n byte</numerusform>
            <numerusform>%n bytes</numerusform>
        </translation>
    </message>
    <message>
        <source>Not hex: pairs of 0-9, a-f</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not base64</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set this field (it has presence: unset differs from the default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add item</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this row</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n)</source>
        <translation>
            <numerusform>%1 (%n)</numerusform>
            <numerusform>%1 (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>one of: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no fields)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no field %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nested too deep for a form: type JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not loaded: type its JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a message type to compose it field by field.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not in the loaded schemas.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No message type chosen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not a JSON object</source>
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
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write messages to CSV, NDJSON or a capture that hermesctl replay can publish again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export selected messages…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export all messages…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Exporting %n message(s)…</source>
        <translation>
            <numerusform>Exporting %n message…</numerusform>
            <numerusform>Exporting %n messages…</numerusform>
        </translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Exported %n message(s) to %1</source>
        <translation>
            <numerusform>Exported %n message to %1</numerusform>
            <numerusform>Exported %n messages to %1</numerusform>
        </translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NDJSON, payload as text (*.ndjson)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NDJSON, payload as base64 (*.ndjson)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hermes capture for hermesctl replay (*.hcap)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export messages</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::NetworkTableModel</name>
    <message>
        <source>The interval the carrier NAT&apos;s idle timeout lies in: idle gaps below it survived, gaps above it killed connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devices that survived an idle gap / devices that lost their NAT mapping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keep-alive to give devices on this network: under the timeout by a margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections that died without a FIN or DISCONNECT, per device-hour connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connects per device-hour connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long the broker kept sending into a connection that had silently died, before it noticed: pushes in that time were late (median / max)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive
advice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Silent deaths
per device-hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnects
per device-hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push delay
median / max</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keep-alive the broker gives this network&apos;s devices now (Server Keep Alive to MQTT 5 devices, signed offers to smart-heartbeat devices); the tooltip of a cell lists each change with the silent-death rate before and since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive
applied</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::NetworksView</name>
    <message>
        <source>survived</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>killed the connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>idle gap (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>observations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No networks yet. Name them with `network NAME CIDR` in the broker&apos;s configuration; until then each /16 (IPv6 /48) counts as one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evidence: idle gaps of at least 30 s that connections survived, and gaps after which a device redialled from the same network because its NAT mapping had died.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idle gaps on %1: survived and fatal</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::PayloadInspector</name>
    <message>
        <source>Message type used to decode the payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Decode as:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>He&amp;x</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Raw wire format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>By topic binding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no topic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content type: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No payload selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s): too large to decode here; the hex view shows the start.</source>
        <translation>
            <numerusform>%n byte: too large to decode here; the hex view shows the start.</numerusform>
            <numerusform>%n bytes: too large to decode here; the hex view shows the start.</numerusform>
        </translation>
    </message>
    <message>
        <source>Not a valid %1 (%2): showing the wire format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty payload.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No message type chosen: showing the wire format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The wire format breaks at byte %1: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No JSON: the payload was not decoded with a message type.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source># broken at byte %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Decoded as %1 (chosen), %n byte(s).</source>
        <translation>
            <numerusform>Decoded as %1 (chosen), %n byte.</numerusform>
            <numerusform>Decoded as %1 (chosen), %n bytes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Hermes push envelope, %n byte(s).</source>
        <translation>
            <numerusform>Hermes push envelope, %n byte.</numerusform>
            <numerusform>Hermes push envelope, %n bytes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Inner payload: %1 (%2), %n byte(s).</source>
        <translation>
            <numerusform>Inner payload: %1 (%2), %n byte.</numerusform>
            <numerusform>Inner payload: %1 (%2), %n bytes.</numerusform>
        </translation>
    </message>
    <message>
        <source>no content type</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Device receipt (%1), %n byte(s).</source>
        <translation>
            <numerusform>Device receipt (%1), %n byte.</numerusform>
            <numerusform>Device receipt (%1), %n bytes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Decoded as %1 (named by the content type), %n byte(s).</source>
        <translation>
            <numerusform>Decoded as %1 (named by the content type), %n byte.</numerusform>
            <numerusform>Decoded as %1 (named by the content type), %n bytes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Decoded as %1 (bound by %2), %n byte(s).</source>
        <translation>
            <numerusform>Decoded as %1 (bound by %2), %n byte.</numerusform>
            <numerusform>Decoded as %1 (bound by %2), %n bytes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Text, %n byte(s).</source>
        <translation>
            <numerusform>Text, %n byte.</numerusform>
            <numerusform>Text, %n bytes.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>JSON text, %n byte(s).</source>
        <translation>
            <numerusform>JSON text, %n byte.</numerusform>
            <numerusform>JSON text, %n bytes.</numerusform>
        </translation>
    </message>
    <message>
        <source>No message type for %1: showing the wire format.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(the whole payload)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no numbers in this payload)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sparkplug &amp;metrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart a value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plot a number from this payload over time, for every message on this topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timestamp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unknown alias)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Named by the alias in the last BIRTH</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Sparkplug B %1 from %2: %n metric(s)</source>
        <translation>
            <numerusform>Sparkplug B %1 from %2: %n metric</numerusform>
            <numerusform>Sparkplug B %1 from %2: %n metrics</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n named from the BIRTH&apos;s aliases</source>
        <translation>
            <numerusform>%n named from the BIRTH&apos;s aliases</numerusform>
            <numerusform>%n named from the BIRTH&apos;s aliases</numerusform>
        </translation>
    </message>
    <message>
        <source>In a new chart</source>
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
    <message>
        <source>Send at</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hermes envelope (sequence number, signature, receipt)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New push</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag expression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After this, a device that was offline does not get the push (MQTT 5 message expiry and the envelope&apos;s expiry)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> /s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>as fast as possible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deliveries per second for large audiences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protobuf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load .proto files in the Schemas view to compose protobuf payloads.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pace:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What each device receives:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>device ids, separated by commas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an alias, e.g. kitchen-lamp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. vip &amp;&amp; !beta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a topic, e.g. news/today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>every known device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Say who the push is for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag expression: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a message type (load .proto files in the Schemas view).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protobuf: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(nothing to send yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Raw payload, %n byte(s), content type %1; no sequence number, no signature, no receipt.</source>
        <translation>
            <numerusform>Raw payload, %n byte, content type %1; no sequence number, no signature, no receipt.</numerusform>
            <numerusform>Raw payload, %n bytes, content type %1; no sequence number, no signature, no receipt.</numerusform>
        </translation>
    </message>
    <message>
        <source>(assigned)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(each device)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1
Sequence number: the device&apos;s next; signed with the broker&apos;s key when one is configured.
Serialized envelope: about %n byte(s).</source>
        <translation>
            <numerusform>%1
Sequence number: the device&apos;s next; signed with the broker&apos;s key when one is configured.
Serialized envelope: about %n byte.</numerusform>
            <numerusform>%1
Sequence number: the device&apos;s next; signed with the broker&apos;s key when one is configured.
Serialized envelope: about %n bytes.</numerusform>
        </translation>
    </message>
    <message>
        <source>Every subscriber of this topic.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Reaches %n device(s)</source>
        <translation>
            <numerusform>Reaches %n device</numerusform>
            <numerusform>Reaches %n devices</numerusform>
        </translation>
    </message>
    <message>
        <source>The broker is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name for this payload on %1:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep this payload under a name, for this topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved:</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Push to %n selected device(s)</source>
        <translation>
            <numerusform>Push to %n selected device</numerusform>
            <numerusform>Push to %n selected devices</numerusform>
        </translation>
    </message>
    <message>
        <source>(none saved for this topic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(choose a saved payload)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushListModel</name>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Target</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audience</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acked / sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed / expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrivals/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Median latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devices %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>alias %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tag %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>topic %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>receipted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushTargetModel</name>
    <message>
        <source>%1 (×%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%1, %n missing</source>
        <translation>
            <numerusform>%1, %n missing</numerusform>
            <numerusform>%1, %n missing</numerusform>
        </translation>
    </message>
    <message>
        <source>Device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seq</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device says</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushesView</name>
    <message>
        <source>New push…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No pushes yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a push to see each device.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2: %3 receipted, %4 acknowledged, %5 waiting, %6 failed, %7 expired; %8 arrivals/s; latency p50 %9 ms, p99 %10 ms; %11 duplicate(s), %12 missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seconds after send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export delivery report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv);;JSON files (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write the selected push&apos;s delivery report to CSV or JSON</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::SchemaManager</name>
    <message>
        <source>File: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descriptor set: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add &amp;files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add &amp;descriptor set…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A FileDescriptorSet written by protoc -o (with or without --include_imports)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter message types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add binding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bind a topic filter to the message type selected above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove b&amp;inding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try a topic, e.g. telemetry/pump-7/state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic bindings (the most specific filter wins)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems: none</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Problems (%n)</source>
        <translation>
            <numerusform>Problems (%n)</numerusform>
            <numerusform>Problems (%n)</numerusform>
        </translation>
    </message>
    <message>
        <source>(no package)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n type(s)</source>
        <translation>
            <numerusform>%n type</numerusform>
            <numerusform>%n types</numerusform>
        </translation>
    </message>
    <message>
        <source>→ not a valid topic name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>→ no binding: wire format only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add .proto files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Protocol Buffers (*.proto);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a folder of .proto files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a descriptor set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descriptor sets (*.pb *.desc *.protoset *.bin);;All files (*)</source>
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
        <source>Could not write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %1 lines to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Push a message to this device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kick</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect this device now; it usually reconnects on its own</source>
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
    <message>
        <source>Text files (*.txt);;CSV files (*.csv);;JSON files (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This network&apos;s estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <comment>network name, its NAT timeout interval</comment>
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
    <message>
        <source>Push to selected (%1)…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::SimulatorView</name>
    <message>
        <source>Open scenario</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scenarios (*.scenario);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick a scenario and press Start: the devices connect to the console&apos;s broker.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No scenario files found; open one with “Open…”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>“%1”: %2 devices · %3 · heartbeat %4 · %5 simulated at ×%6 (%7 s real) · %n event(s)</source>
        <translation>
            <numerusform>“%1”: %2 devices · %3 · heartbeat %4 · %5 simulated at ×%6 (%7 s real) · %n event</numerusform>
            <numerusform>“%1”: %2 devices · %3 · heartbeat %4 · %5 simulated at ×%6 (%7 s real) · %n events</numerusform>
        </translation>
    </message>
    <message>
        <source>The broker is not running: start it first (Broker → Start).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Starting %n device(s)…</source>
        <translation>
            <numerusform>Starting %n device…</numerusform>
            <numerusform>Starting %n devices…</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopping: the devices disconnect…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Scaling to %n device(s): a running fleet cannot be resized, so the run starts again.</source>
        <translation>
            <numerusform>Scaling to %n device: a running fleet cannot be resized, so the run starts again.</numerusform>
            <numerusform>Scaling to %n devices: a running fleet cannot be resized, so the run starts again.</numerusform>
        </translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulated sessions are named %1…; to see their heartbeats approach the NAT line, choose NAT timeout → Custom %2 s in Session detail (%3 at ×%4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Running: %n device(s).</source>
        <translation>
            <numerusform>Running: %n device.</numerusform>
            <numerusform>Running: %n devices.</numerusform>
        </translation>
    </message>
    <message>
        <source>Finished after %1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished after %1 s real.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The simulation could not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 failed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 gave up)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sent, %2 answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (NAT dropped %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean %1, max %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (missing %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no pushes yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 simulated · %3 s real</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s (%2 min %3 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommended keep-alive: –</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smart devices probe for the longest heartbeat the NAT allows; what they learn appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommended keep-alive: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 of %3 smart devices converged · lowest %4 · median %5 · highest %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · NAT timeout %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recommended keep-alive: learning…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 of %3 smart devices converged so far.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only smart heartbeats learn a keep-alive: choose Heartbeat → Smart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 (%3–%4 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a scenario file (docs/SIMULATOR.md describes the format)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As in the scenario</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>China Mobile (NAT 5 min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>China Unicom (NAT 5 min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>China Telecom (NAT 30 min)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom NAT timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NAT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smart (learns the NAT timeout)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run again with this many devices (a running fleet cannot be resized)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulated seconds per real second: at ×60 a 5-minute NAT timeout passes in 5 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart broker</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart the broker now: every device loses its connection and reconnects after its random delay (the reconnect storm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the smart devices learned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Converged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All connected after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak connects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect attempts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peak reconnects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dead links</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detection time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushes sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushes delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicates dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Arrival rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fleet: connected devices and connects per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connects/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect attempts/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>devices</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pushes delivered per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delivered/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean heartbeat interval against the NAT timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean interval</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NAT timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>simulated s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>simulated minutes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::TopicTreeModel</name>
    <message>
        <source>(empty level)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>yes, %n in subtree</source>
        <translation>
            <numerusform>yes, %n in subtree</numerusform>
            <numerusform>yes, %n in subtree</numerusform>
        </translation>
    </message>
    <message>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n below</source>
        <translation>
            <numerusform>%n below</numerusform>
            <numerusform>%n below</numerusform>
        </translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last payload</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hermes::ui::TopicsView</name>
    <message>
        <source>Filter topics: text, or a filter like devices/+/state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete retained…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the retained messages of the selected topic and every topic below it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh retained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the broker for its retained messages again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleting %v of %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 topics · %2 retained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete retained messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n retained message(s) on “%1” and the topics below it?
Subscribers will no longer receive them when they subscribe.</source>
        <translation>
            <numerusform>Delete %n retained message on “%1” and the topics below it?
Subscribers will no longer receive it when they subscribe.</numerusform>
            <numerusform>Delete %n retained messages on “%1” and the topics below it?
Subscribers will no longer receive them when they subscribe.</numerusform>
        </translation>
    </message>
    <message>
        <source>Deleting retained messages…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n retained message(s) deleted</source>
        <translation>
            <numerusform>%n retained message deleted</numerusform>
            <numerusform>%n retained messages deleted</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy topic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy filter for this subtree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled: %1 of %2 retained messages deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n retained again since</source>
        <translation>
            <numerusform>%n retained again since</numerusform>
            <numerusform>%n retained again since</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hermes::ui::ValueChartsView</name>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag a rectangle in a chart to zoom in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seconds before the newest value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No values pinned. In Messages, select a JSON, protobuf or Sparkplug B message and use “Chart a value” in its inspector.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) pinned</source>
        <translation>
            <numerusform>%n field pinned</numerusform>
            <numerusform>%n fields pinned</numerusform>
        </translation>
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
    <message>
        <source>Attach to the broker at HOST:PORT instead of embedding one: a hermesd as an operator, any other broker as an MQTT client ($HERMES_USER and $HERMES_PASSWORD log in).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
