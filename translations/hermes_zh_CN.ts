<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BrokerOptions</name>
    <message>
        <source>Read broker settings from FILE.</source>
        <translation>从 FILE 读取代理设置。</translation>
    </message>
    <message>
        <source>Listen on HOST:PORT (repeatable; replaces the file&apos;s listeners).</source>
        <translation>监听 HOST:PORT（可重复；替换配置文件中的监听地址）。</translation>
    </message>
    <message>
        <source>Keep the broker&apos;s database in DIR.</source>
        <translation>将代理数据库保存在 DIR 中。</translation>
    </message>
    <message>
        <source>error, warning, info or debug.</source>
        <translation>error、warning、info 或 debug。</translation>
    </message>
    <message>
        <source>Keep sessions and messages in memory only.</source>
        <translation>会话和消息仅保存在内存中。</translation>
    </message>
    <message>
        <source>--listen: &apos;%1&apos; is not HOST:PORT</source>
        <translation>--listen：“%1”不是 HOST:PORT 格式</translation>
    </message>
    <message>
        <source>--log-level: &apos;%1&apos; is not error, warning, info or debug</source>
        <translation>--log-level：“%1”不是 error、warning、info 或 debug</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>seconds ago</source>
        <translation>秒前</translation>
    </message>
</context>
<context>
    <name>hermes::ui::DashboardView</name>
    <message>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>会话</translation>
    </message>
    <message>
        <source>Messages in/s</source>
        <translation>入站消息/秒</translation>
    </message>
    <message>
        <source>Messages out/s</source>
        <translation>出站消息/秒</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>传输中</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Retained</source>
        <translation>保留消息</translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation>订阅</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>已丢弃</translation>
    </message>
    <message>
        <source>Protocol errors</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <source>Keep-alive timeouts</source>
        <translation>心跳超时</translation>
    </message>
    <message>
        <source>Take-overs</source>
        <translation>会话接管</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接数</translation>
    </message>
    <message>
        <source>clients</source>
        <translation>客户端</translation>
    </message>
    <message>
        <source>Messages per second</source>
        <translation>每秒消息数</translation>
    </message>
    <message>
        <source>msg/s</source>
        <translation>条/秒</translation>
    </message>
    <message>
        <source>In</source>
        <translation>入站</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>出站</translation>
    </message>
    <message>
        <source>In flight and queued</source>
        <translation>传输中与排队中</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Heartbeat lateness (last inbound packet vs 1.5 × keep-alive)</source>
        <translation>心跳延迟（最后入站报文相对 1.5 × 保活时间）</translation>
    </message>
    <message>
        <source>Online sessions</source>
        <translation>在线会话</translation>
    </message>
    <message>
        <source>0–25 %</source>
        <translation>0–25 %</translation>
    </message>
    <message>
        <source>25–50 %</source>
        <translation>25–50 %</translation>
    </message>
    <message>
        <source>50–67 %</source>
        <translation>50–67 %</translation>
    </message>
    <message>
        <source>67–100 %</source>
        <translation>67–100 %</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>已超时</translation>
    </message>
</context>
<context>
    <name>hermes::ui::HeartbeatTimeline</name>
    <message>
        <source>CONNECT</source>
        <translation>CONNECT</translation>
    </message>
    <message>
        <source>PINGREQ (in)</source>
        <translation>PINGREQ（入）</translation>
    </message>
    <message>
        <source>other in</source>
        <translation>其他入站</translation>
    </message>
    <message>
        <source>PINGRESP (out)</source>
        <translation>PINGRESP（出）</translation>
    </message>
    <message>
        <source>other out</source>
        <translation>其他出站</translation>
    </message>
    <message>
        <source>keep-alive T</source>
        <translation>保活时间 T</translation>
    </message>
    <message>
        <source>1.5 T deadline</source>
        <translation>1.5 T 截止</translation>
    </message>
    <message>
        <source>disconnect</source>
        <translation>断开</translation>
    </message>
    <message>
        <source>NAT timeout</source>
        <translation>NAT 超时</translation>
    </message>
    <message>
        <source>in</source>
        <translation>入</translation>
    </message>
    <message>
        <source>out</source>
        <translation>出</translation>
    </message>
    <message>
        <source>T = %1 s</source>
        <translation>T = %1 秒</translation>
    </message>
    <message>
        <source>1.5 T = %1 s</source>
        <translation>1.5 T = %1 秒</translation>
    </message>
    <message>
        <source>now</source>
        <translation>现在</translation>
    </message>
    <message>
        <source>NAT timeout at %1 →</source>
        <translation>NAT 超时于 %1 →</translation>
    </message>
    <message>
        <source>NAT timeout (%1 s)</source>
        <translation>NAT 超时（%1 秒）</translation>
    </message>
    <message>
        <source>No session selected</source>
        <translation>未选择会话</translation>
    </message>
    <message>
        <source>Keep-alive is off: the broker never closes a silent connection</source>
        <translation>保活已关闭：代理不会关闭静默的连接</translation>
    </message>
    <message>
        <source>Keep-alive %1 s exceeds the NAT timeout %2 s: the mapping expires between heartbeats</source>
        <translation>保活 %1 秒超过 NAT 超时 %2 秒：映射会在两次心跳之间失效</translation>
    </message>
    <message>
        <source>%1 from the client at %2, %3 bytes</source>
        <translation>%2 收到客户端的 %1，%3 字节</translation>
    </message>
    <message>
        <source>%1 to the client at %2, %3 bytes</source>
        <translation>%2 发往客户端的 %1，%3 字节</translation>
    </message>
</context>
<context>
    <name>hermes::ui::MainWindow</name>
    <message>
        <source>Hermes Push Console</source>
        <translation>信使推送控制台</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Session detail</source>
        <translation>会话详情</translation>
    </message>
    <message>
        <source>Broker starting…</source>
        <translation>代理启动中…</translation>
    </message>
    <message>
        <source>Database problem: %1</source>
        <translation>数据库问题：%1</translation>
    </message>
    <message>
        <source>Database problem</source>
        <translation>数据库问题</translation>
    </message>
    <message>
        <source>The broker cannot write its database:
%1

Acknowledgements are held until the database accepts writes again; nothing is dropped.</source>
        <translation>代理无法写入其数据库：
%1

在数据库恢复写入之前，确认报文会被暂缓发送；不会丢弃任何消息。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Broker</source>
        <translation>代理(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>启动(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Hermes</source>
        <translation>关于信使(&amp;A)</translation>
    </message>
    <message>
        <source>About Hermes</source>
        <translation>关于信使</translation>
    </message>
    <message>
        <source>&lt;b&gt;Hermes %1&lt;/b&gt;&lt;br&gt;Push console and MQTT broker inspector.</source>
        <translation>&lt;b&gt;信使 %1&lt;/b&gt;&lt;br&gt;推送控制台与 MQTT 代理检查器。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes the next time Hermes starts.</source>
        <translation>语言将在下次启动信使时生效。</translation>
    </message>
    <message>
        <source>Listening on %1</source>
        <translation>正在监听 %1</translation>
    </message>
    <message>
        <source>Broker not running: %1</source>
        <translation>代理未运行：%1</translation>
    </message>
    <message>
        <source>Broker could not start</source>
        <translation>代理无法启动</translation>
    </message>
    <message>
        <source>%1

Listen on another port instead:</source>
        <translation>%1

改为监听另一个端口：</translation>
    </message>
    <message>
        <source>Broker stopped</source>
        <translation>代理已停止</translation>
    </message>
    <message>
        <source>%1 connected · %2 sessions · %3 in · %4 out</source>
        <translation>%1 个已连接 · %2 个会话 · 入 %3 · 出 %4</translation>
    </message>
    <message>
        <source>&amp;Push</source>
        <translation>推送(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;New push…</source>
        <translation>新建推送(&amp;N)…</translation>
    </message>
</context>
<context>
    <name>hermes::ui::MessageLogModel</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>(broker)</source>
        <translation>（代理）</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>QoS</source>
        <translation>QoS</translation>
    </message>
    <message>
        <source>Retained</source>
        <translation>保留消息</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <source>From</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>载荷</translation>
    </message>
</context>
<context>
    <name>hermes::ui::MessagesView</name>
    <message>
        <source>Topic filter, e.g. devices/+/push or telemetry/#</source>
        <translation>主题过滤器，例如 devices/+/push 或 telemetry/#</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Select a message to see its payload.</source>
        <translation>选择一条消息以查看其载荷。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message numerus="yes">
        <source>Paused — %n message(s) not shown</source>
        <translation>
            <numerusform>已暂停 — %n 条消息未显示</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n message(s) too fast to show</source>
        <translation>
            <numerusform>%n 条消息过快未能显示</numerusform>
        </translation>
    </message>
    <message>
        <source>Topic: %1
QoS: %2   Retained: %3   Bytes: %4

</source>
        <translation>主题：%1
QoS：%2   保留：%3   字节：%4

</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushDialog</name>
    <message>
        <source>Retain on the broker</source>
        <translation>在代理上保留</translation>
    </message>
    <message>
        <source>Push</source>
        <translation>推送</translation>
    </message>
    <message>
        <source>devices/{id}/push</source>
        <translation>devices/{id}/push</translation>
    </message>
    <message>
        <source>0 — at most once</source>
        <translation>0 — 至多一次</translation>
    </message>
    <message>
        <source>1 — at least once</source>
        <translation>1 — 至少一次</translation>
    </message>
    <message>
        <source>2 — exactly once</source>
        <translation>2 — 恰好一次</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>no expiry</source>
        <translation>不过期</translation>
    </message>
    <message>
        <source>MQTT 5 message expiry: an offline device that returns later does not get it</source>
        <translation>MQTT 5 消息过期：之后才上线的离线设备不会收到</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Hex bytes</source>
        <translation>十六进制字节</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>载荷</translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>QoS:</source>
        <translation>QoS：</translation>
    </message>
    <message>
        <source>Time to live:</source>
        <translation>有效期：</translation>
    </message>
    <message>
        <source>Payload as:</source>
        <translation>载荷格式：</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Push to %1</source>
        <translation>推送到 %1</translation>
    </message>
    <message>
        <source>The topic must not be empty or contain + or #.</source>
        <translation>主题不能为空，也不能包含 + 或 #。</translation>
    </message>
    <message>
        <source>Not valid JSON at character %1: %2</source>
        <translation>第 %1 个字符处不是有效的 JSON：%2</translation>
    </message>
    <message>
        <source>Hex bytes need pairs of 0–9 and a–f, e.g. 0a 1b ff.</source>
        <translation>十六进制字节需由成对的 0–9 和 a–f 组成，例如 0a 1b ff。</translation>
    </message>
</context>
<context>
    <name>hermes::ui::SessionDetailView</name>
    <message>
        <source>Packet ID</source>
        <translation>报文 ID</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>QoS</source>
        <translation>QoS</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Retries</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>DUP</source>
        <translation>DUP</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Retain</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>过滤器</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Will published</source>
        <translation>已发布遗嘱</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <source>Keep-alive:</source>
        <translation>保活：</translation>
    </message>
    <message>
        <source>Since:</source>
        <translation>起始：</translation>
    </message>
    <message>
        <source>No NAT line</source>
        <translation>不显示 NAT 线</translation>
    </message>
    <message>
        <source>China Mobile (5 min)</source>
        <translation>中国移动（5 分钟）</translation>
    </message>
    <message>
        <source>China Unicom (5 min)</source>
        <translation>中国联通（5 分钟）</translation>
    </message>
    <message>
        <source>China Telecom (28 min)</source>
        <translation>中国电信（28 分钟）</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <source>Show where a carrier NAT would forget an idle connection</source>
        <translation>显示运营商 NAT 何时会遗忘空闲连接</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Heartbeats</source>
        <translation>心跳</translation>
    </message>
    <message>
        <source>wheel: zoom · drag: pan · double-click: fit</source>
        <translation>滚轮：缩放 · 拖动：平移 · 双击：适应</translation>
    </message>
    <message>
        <source>NAT timeout:</source>
        <translation>NAT 超时：</translation>
    </message>
    <message>
        <source>PUBREL sent, awaiting PUBCOMP</source>
        <translation>已发送 PUBREL，等待 PUBCOMP</translation>
    </message>
    <message>
        <source>keep-alive timeout</source>
        <translation>心跳超时</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>In-flight</source>
        <translation>传输中</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation>订阅</translation>
    </message>
    <message>
        <source>Packet trace</source>
        <translation>报文跟踪</translation>
    </message>
    <message>
        <source>Disconnects</source>
        <translation>断开记录</translation>
    </message>
    <message>
        <source>No session selected</source>
        <translation>未选择会话</translation>
    </message>
    <message>
        <source>No packets</source>
        <translation>无报文</translation>
    </message>
    <message>
        <source>session ended</source>
        <translation>会话已结束</translation>
    </message>
    <message>
        <source>%1 (user %2)</source>
        <translation>%1（用户 %2）</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>%1 · MQTT %2</source>
        <translation>%1 · MQTT %2</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>%1 s (deadline %2 s)</source>
        <translation>%1 秒（截止 %2 秒）</translation>
    </message>
    <message>
        <source>%1 (%2 ago)</source>
        <translation>%1（%2 前）</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>no local</source>
        <translation>不接收自己的消息</translation>
    </message>
    <message>
        <source>retain as published</source>
        <translation>按发布保留标志</translation>
    </message>
    <message>
        <source>retained on new subscription only</source>
        <translation>仅新订阅时发送保留消息</translation>
    </message>
    <message>
        <source>no retained</source>
        <translation>不发送保留消息</translation>
    </message>
    <message>
        <source>Packets shown: %1 (newest last)</source>
        <translation>显示报文：%1（最新在后）</translation>
    </message>
    <message>
        <source>In-flight (%1)</source>
        <translation>传输中（%1）</translation>
    </message>
    <message>
        <source>Queued (%1)</source>
        <translation>排队中（%1）</translation>
    </message>
    <message>
        <source>Subscriptions (%1)</source>
        <translation>订阅（%1）</translation>
    </message>
    <message>
        <source>Disconnects (%1)</source>
        <translation>断开记录（%1）</translation>
    </message>
    <message>
        <source>Export packet trace</source>
        <translation>导出报文跟踪</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>Exported %1 lines to %2</source>
        <translation>已导出 %1 行到 %2</translation>
    </message>
</context>
<context>
    <name>hermes::ui::SessionTableModel</name>
    <message>
        <source>Nothing received yet</source>
        <translation>尚未收到任何报文</translation>
    </message>
    <message>
        <source>Last packet %1 ago; keep-alive off</source>
        <translation>最后报文于 %1 前；保活已关闭</translation>
    </message>
    <message>
        <source>Last packet %1 ago; keep-alive %2 s, the broker closes the connection after %3 s of silence</source>
        <translation>最后报文于 %1 前；保活 %2 秒，静默 %3 秒后代理将关闭连接</translation>
    </message>
    <message>
        <source>%1 at %2%3</source>
        <translation>%2 %1%3</translation>
    </message>
    <message>
        <source>%1 (user %2)</source>
        <translation>%1（用户 %2）</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 (max %2)</source>
        <translation>%1（最高 %2）</translation>
    </message>
    <message>
        <source>%1 (0x%2)</source>
        <translation>%1（0x%2）</translation>
    </message>
    <message>
        <source>Connected since (online) or offline since (offline)</source>
        <translation>连接起始时间（在线）或离线起始时间（离线）</translation>
    </message>
    <message>
        <source>Time since the last packet from the client. Green: within the keep-alive T; amber: past T; red: past the 1.5 T deadline. Sorts by how close the deadline is</source>
        <translation>距客户端最后一个报文的时间。绿色：在保活时间 T 内；琥珀色：超过 T；红色：超过 1.5 T 截止。按距截止时间的远近排序</translation>
    </message>
    <message>
        <source>Outbound QoS 1/2 messages awaiting acknowledgement (high-water mark)</source>
        <translation>等待确认的出站 QoS 1/2 消息（最高水位）</translation>
    </message>
    <message>
        <source>Messages waiting for a window slot or for the client (high-water mark)</source>
        <translation>等待窗口空位或等待客户端的消息（最高水位）</translation>
    </message>
    <message>
        <source>Messages dropped: queue full, expired or too large</source>
        <translation>已丢弃的消息：队列已满、已过期或过大</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>客户端 ID</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>协议</translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation>保活</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>起始</translation>
    </message>
    <message>
        <source>Last inbound</source>
        <translation>最后入站</translation>
    </message>
    <message>
        <source>In-flight</source>
        <translation>传输中</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>In</source>
        <translation>入站</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>出站</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>已丢弃</translation>
    </message>
    <message>
        <source>Last close</source>
        <translation>最后断开</translation>
    </message>
    <message>
        <source>client disconnect</source>
        <translation>客户端断开</translation>
    </message>
    <message>
        <source>keep-alive timeout</source>
        <translation>心跳超时</translation>
    </message>
    <message>
        <source>taken over</source>
        <translation>被接管</translation>
    </message>
    <message>
        <source>protocol error</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <source>connect rejected</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>connect timeout</source>
        <translation>连接超时</translation>
    </message>
    <message>
        <source>socket error</source>
        <translation>套接字错误</translation>
    </message>
    <message>
        <source>peer closed</source>
        <translation>对端关闭</translation>
    </message>
    <message>
        <source>kicked</source>
        <translation>被踢下线</translation>
    </message>
    <message>
        <source>server shutdown</source>
        <translation>服务器关闭</translation>
    </message>
    <message>
        <source>PUBLISH sent, awaiting PUBACK</source>
        <translation>已发送 PUBLISH，等待 PUBACK</translation>
    </message>
    <message>
        <source>PUBLISH sent, awaiting PUBREC</source>
        <translation>已发送 PUBLISH，等待 PUBREC</translation>
    </message>
    <message>
        <source>PUBREL sent, awaiting PUBCOMP</source>
        <translation>已发送 PUBREL，等待 PUBCOMP</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>%1 d</source>
        <translation>%1 天</translation>
    </message>
</context>
<context>
    <name>hermes::ui::SessionsView</name>
    <message>
        <source>Backlog &gt; 0</source>
        <translation>积压 &gt; 0</translation>
    </message>
    <message>
        <source>Late heartbeat</source>
        <translation>心跳迟到</translation>
    </message>
    <message>
        <source>Push to this device…</source>
        <translation>推送到此设备…</translation>
    </message>
    <message>
        <source>Kick</source>
        <translation>踢下线</translation>
    </message>
    <message>
        <source>Copy client ID</source>
        <translation>复制客户端 ID</translation>
    </message>
    <message>
        <source>Open detail</source>
        <translation>打开详情</translation>
    </message>
    <message>
        <source>Filter by client ID, address or user</source>
        <translation>按客户端 ID、地址或用户过滤</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Only sessions with messages in flight or queued</source>
        <translation>仅显示有传输中或排队消息的会话</translation>
    </message>
    <message>
        <source>Only online sessions silent for longer than their keep-alive</source>
        <translation>仅显示静默超过保活时间的在线会话</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>协议</translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation>保活</translation>
    </message>
    <message>
        <source>Last inbound</source>
        <translation>最后入站</translation>
    </message>
    <message>
        <source>%1 (max %2)</source>
        <translation>%1（最高 %2）</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>已丢弃</translation>
    </message>
    <message>
        <source>1 session (%1 online)</source>
        <translation>1 个会话（%1 个在线）</translation>
    </message>
    <message>
        <source>%1 sessions (%2 online)</source>
        <translation>%1 个会话（%2 个在线）</translation>
    </message>
    <message>
        <source>%1 shown</source>
        <translation>显示 %1 个</translation>
    </message>
    <message>
        <source>Kick session</source>
        <translation>踢下线会话</translation>
    </message>
    <message>
        <source>Disconnect “%1” now? The device will usually reconnect on its own.</source>
        <translation>现在断开“%1”？设备通常会自行重连。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Hermes push console and MQTT broker inspector</source>
        <translation>信使推送控制台与 MQTT 代理检查器</translation>
    </message>
    <message>
        <source>User interface language: zh_CN or en.</source>
        <translation>界面语言：zh_CN 或 en。</translation>
    </message>
</context>
</TS>
