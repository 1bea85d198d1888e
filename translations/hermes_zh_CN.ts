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
    <name>Charts</name>
    <message>
        <source>Save as PNG…</source>
        <translation>另存为 PNG…</translation>
    </message>
    <message>
        <source>Save chart</source>
        <translation>保存图表</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
</context>
<context>
    <name>ConnectionProfile</name>
    <message>
        <source>Embedded broker</source>
        <translation>内嵌代理</translation>
    </message>
    <message>
        <source>does not exist</source>
        <translation>不存在</translation>
    </message>
    <message>
        <source>is not a file</source>
        <translation>不是文件</translation>
    </message>
    <message>
        <source>cannot be read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>Name: give the profile a name.</source>
        <translation>名称：请为连接配置命名。</translation>
    </message>
    <message>
        <source>Name: a profile named “%1” exists already.</source>
        <translation>名称：已有名为“%1”的连接配置。</translation>
    </message>
    <message>
        <source>Host: enter the broker&apos;s host name or IP address.</source>
        <translation>主机：请输入代理的主机名或 IP 地址。</translation>
    </message>
    <message>
        <source>Port: choose a port from 1 to 65535.</source>
        <translation>端口：请选择 1 到 65535 之间的端口。</translation>
    </message>
    <message>
        <source>CA file: “%1” %2.</source>
        <translation>CA 文件：“%1”%2。</translation>
    </message>
    <message>
        <source>Client certificate: “%1” %2.</source>
        <translation>客户端证书：“%1”%2。</translation>
    </message>
    <message>
        <source>Private key: a client certificate needs its private key file.</source>
        <translation>私钥：客户端证书需要其私钥文件。</translation>
    </message>
    <message>
        <source>Client certificate: a private key needs its certificate file.</source>
        <translation>客户端证书：私钥需要其证书文件。</translation>
    </message>
    <message>
        <source>Private key: “%1” %2.</source>
        <translation>私钥：“%1”%2。</translation>
    </message>
</context>
<context>
    <name>NetworkText</name>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 – %2 s</source>
        <translation>%1 – %2 秒</translation>
    </message>
    <message>
        <source>&gt; %1 s</source>
        <translation>&gt; %1 秒</translation>
    </message>
    <message>
        <source>≤ %1 s</source>
        <translation>≤ %1 秒</translation>
    </message>
    <message>
        <source>not enough evidence</source>
        <translation>证据不足</translation>
    </message>
    <message>
        <source>not enough evidence (%1 so far)</source>
        <translation>证据不足（目前 %1）</translation>
    </message>
    <message>
        <source>%1 / %2 devices · %3 observations</source>
        <translation>%1 / %2 台设备 · %3 次观测</translation>
    </message>
    <message>
        <source>%1 devices survived an idle gap and %2 lost their NAT mapping; %3 observations in the window, %4 of them contradict the interval (devices that went away, misfiled devices, older evidence).</source>
        <translation>%1 台设备的连接撑过了空闲间隔，%2 台设备的 NAT 映射已失效；窗口内共 %3 次观测，其中 %4 次与该区间矛盾（离开的设备、归错网络的设备、较早的证据）。</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>NAT ≈ %1–%2 s (network %3)</source>
        <translation>NAT ≈ %1–%2 秒（网络 %3）</translation>
    </message>
    <message>
        <source>NAT &gt; %1 s (network %2)</source>
        <translation>NAT &gt; %1 秒（网络 %2）</translation>
    </message>
    <message>
        <source>NAT ≤ %1 s (network %2)</source>
        <translation>NAT ≤ %1 秒（网络 %2）</translation>
    </message>
    <message>
        <source>NAT (network %1)</source>
        <translation>NAT（网络 %1）</translation>
    </message>
    <message>
        <source>Nothing applied: the broker acts on a network only with &quot;network_act NAME on&quot; in its configuration, and only once the estimate is adequate</source>
        <translation>尚未应用：只有配置中写明 &quot;network_act NAME on&quot;，且估计已足够可靠时，代理才会对该网络采取措施</translation>
    </message>
    <message>
        <source>devices&apos; own</source>
        <translation>设备自身的值</translation>
    </message>
    <message>
        <source>%1: %2 → %3; silent deaths per device-hour %4 before (%5 device-hours), %6 since (%7 device-hours)</source>
        <translation>%1：%2 → %3；每设备小时静默断连：之前 %4（%5 设备小时），之后 %6（%7 设备小时）</translation>
    </message>
    <message>
        <source>Keep-alive offers sent to smart-heartbeat devices: %1</source>
        <translation>发给智能心跳设备的保活建议：%1</translation>
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
    <name>hermes::AdminChannel</name>
    <message>
        <source>cannot send the %1 request</source>
        <translation>无法发送 %1 请求</translation>
    </message>
    <message>
        <source>malformed answer (not an admin API response)</source>
        <translation>应答格式错误（不是管理 API 的应答）</translation>
    </message>
    <message>
        <source>the broker refused the %1 request: %2</source>
        <translation>代理拒绝了 %1 请求：%2</translation>
    </message>
    <message>
        <source>no answer to %1 within %2 s</source>
        <translation>%2 秒内没有收到 %1 的应答</translation>
    </message>
</context>
<context>
    <name>hermes::Broker</name>
    <message>
        <source>Cannot listen on %1: %2</source>
        <translation>无法在 %1 上监听：%2</translation>
    </message>
    <message>
        <source>A TLS listener needs tls_certificate and tls_key</source>
        <translation>TLS 监听需要 tls_certificate 和 tls_key</translation>
    </message>
    <message>
        <source>TLS certificate %1: missing or not a PEM certificate</source>
        <translation>TLS 证书 %1：不存在或不是 PEM 证书</translation>
    </message>
    <message>
        <source>TLS key %1: %2</source>
        <translation>TLS 私钥 %1：%2</translation>
    </message>
    <message>
        <source>TLS key %1: not an unencrypted PEM RSA or EC key</source>
        <translation>TLS 私钥 %1：不是未加密的 PEM RSA 或 EC 私钥</translation>
    </message>
    <message>
        <source>TLS CA %1: missing or not a PEM certificate</source>
        <translation>TLS CA %1：不存在或不是 PEM 证书</translation>
    </message>
    <message>
        <source>session ended</source>
        <translation>会话已结束</translation>
    </message>
    <message>
        <source>offline queue full</source>
        <translation>离线队列已满</translation>
    </message>
    <message>
        <source>refused by the client: %1</source>
        <translation>被客户端拒绝：%1</translation>
    </message>
    <message>
        <source>queue full</source>
        <translation>队列已满</translation>
    </message>
    <message>
        <source>too large for the client</source>
        <translation>超出客户端允许的大小</translation>
    </message>
    <message>
        <source>the client is not reading</source>
        <translation>客户端未读取数据</translation>
    </message>
    <message>
        <source>Cannot open the broker database: %1</source>
        <translation>无法打开代理数据库：%1</translation>
    </message>
</context>
<context>
    <name>hermes::ClientEngine</name>
    <message>
        <source>%1 refused the subscription to # (%2): the console needs to read every topic</source>
        <translation>%1 拒绝了对 # 的订阅（%2）：控制台需要读取所有主题</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: %2; reconnecting in %3 s</source>
        <translation>%1：%2；%3 秒后重新连接</translation>
    </message>
    <message>
        <source>%1 is attached as a plain MQTT client: pushes need a Hermes broker (publish to the device&apos;s topic instead)</source>
        <translation>%1 以普通 MQTT 客户端方式连接：推送需要 Hermes 代理（请改为向设备主题发布）</translation>
    </message>
    <message>
        <source>%1 does not expose its devices to a client</source>
        <translation>%1 不向客户端公开其设备</translation>
    </message>
</context>
<context>
    <name>hermes::PushService</name>
    <message>
        <source>unknown device %1 (register with devices/update first)</source>
        <translation>未知设备 %1（请先通过 devices/update 登记）</translation>
    </message>
    <message>
        <source>unknown devices %1 (register with devices/update first)</source>
        <translation>未知设备 %1（请先通过 devices/update 登记）</translation>
    </message>
    <message>
        <source>tag expression: </source>
        <translation>标签表达式：</translation>
    </message>
    <message>
        <source>%1 reaches no device</source>
        <translation>%1 没有覆盖任何设备</translation>
    </message>
    <message>
        <source>TTL passed before delivery</source>
        <translation>送达前已超过有效期 (TTL)</translation>
    </message>
    <message>
        <source>sequence numbers exhausted for this device</source>
        <translation>该设备的序列号已用尽</translation>
    </message>
    <message>
        <source>waiting for the device to subscribe to %1</source>
        <translation>等待设备订阅 %1</translation>
    </message>
    <message>
        <source>%1; will resend when the device returns</source>
        <translation>%1；设备重新上线后将重发</translation>
    </message>
    <message>
        <source>the device refused it: %1</source>
        <translation>设备拒绝了该消息：%1</translation>
    </message>
    <message>
        <source>%1 cannot expire queued messages and a raw payload carries no expiry the device could check: send it in an envelope, or without a TTL</source>
        <translation>%1 无法让排队的消息过期，而原始负载不带设备可检查的过期时间：请用信封发送，或不设 TTL</translation>
    </message>
    <message>
        <source>QoS %1 downgraded to QoS %2: %3 delivers at most QoS %2, so a device may get a copy twice (an envelope&apos;s sequence number lets it drop the second)</source>
        <translation>QoS %1 降级为 QoS %2：%3 最高只支持 QoS %2，设备可能收到两份（信封的序列号可让它丢弃第二份）</translation>
    </message>
    <message>
        <source>TTL: %1 keeps queued copies past it (no message expiry in MQTT 3.1.1); devices drop envelopes past their expiresAt and receipt them as expired</source>
        <translation>TTL：%1 在 TTL 之后仍保留排队的副本（MQTT 3.1.1 没有消息过期）；设备会丢弃超过 expiresAt 的信封，并回执为已过期</translation>
    </message>
    <message>
        <source>sent again: the device registered after reconnecting</source>
        <translation>已重发：设备重连后重新注册</translation>
    </message>
</context>
<context>
    <name>hermes::RemoteEngine</name>
    <message>
        <source>the console detached</source>
        <translation>控制台已断开</translation>
    </message>
    <message>
        <source>%1 is not connected</source>
        <translation>未连接到 %1</translation>
    </message>
    <message>
        <source>an anonymous client</source>
        <translation>匿名客户端</translation>
    </message>
    <message>
        <source>user &quot;%1&quot;</source>
        <translation>用户“%1”</translation>
    </message>
    <message>
        <source>%1: %2 is not an operator (the admin API is for operators)</source>
        <translation>%1：%2 不是运维人员（管理 API 仅供运维人员使用）</translation>
    </message>
    <message>
        <source>%1 speaks admin API v%2; this console needs v%3</source>
        <translation>%1 使用管理 API v%2；本控制台需要 v%3</translation>
    </message>
    <message>
        <source>%1 speaks admin API v1 only; this console needs v%2 (update hermesd)</source>
        <translation>%1 只支持管理 API v1；本控制台需要 v%2（请升级 hermesd）</translation>
    </message>
    <message>
        <source>%1 does not answer the Hermes admin API (is it hermesd?)</source>
        <translation>%1 没有应答 Hermes 管理 API（它是 hermesd 吗？）</translation>
    </message>
    <message>
        <source>%1: cannot load the sessions: %2</source>
        <translation>%1：无法加载会话：%2</translation>
    </message>
    <message>
        <source>%1 refused the credentials of %2: %3</source>
        <translation>%1 拒绝了 %2 的凭据：%3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: %2; reconnecting in %3 s</source>
        <translation>%1：%2；%3 秒后重新连接</translation>
    </message>
</context>
<context>
    <name>hermes::ui::AccountsDialog</name>
    <message>
        <source>Save account</source>
        <translation>保存账号</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>删除所选</translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Defined in</source>
        <translation>定义于</translation>
    </message>
    <message>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>再次输入：</translation>
    </message>
    <message>
        <source>Accounts from the config file can only be changed there. Stored accounts apply at the next login.</source>
        <translation>配置文件中的账号只能在配置文件里修改。保存在代理中的账号在下次登录时生效。</translation>
    </message>
    <message>
        <source>config file</source>
        <translation>配置文件</translation>
    </message>
    <message>
        <source>broker database</source>
        <translation>代理数据库</translation>
    </message>
    <message>
        <source>A user name is needed, without spaces.</source>
        <translation>需要用户名，且不能包含空格。</translation>
    </message>
    <message>
        <source>A password needs at least 8 characters.</source>
        <translation>密码至少需要 8 个字符。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>hermes::ui::BindingTableModel</name>
    <message>
        <source>Enter a topic filter, e.g. telemetry/+/state</source>
        <translation>请输入主题过滤器，例如 telemetry/+/state</translation>
    </message>
    <message>
        <source>Not a valid topic filter: &apos;+&apos; and &apos;#&apos; must fill a whole level, &apos;#&apos; only at the end</source>
        <translation>不是有效的主题过滤器：&apos;+&apos; 和 &apos;#&apos; 必须占据整个层级，&apos;#&apos; 只能位于末尾</translation>
    </message>
    <message>
        <source>Choose a message type</source>
        <translation>请选择消息类型</translation>
    </message>
    <message>
        <source>%1 is not in the loaded schemas</source>
        <translation>%1 不在已加载的模式中</translation>
    </message>
    <message>
        <source>Topic filter</source>
        <translation>主题过滤器</translation>
    </message>
    <message>
        <source>Message type</source>
        <translation>消息类型</translation>
    </message>
</context>
<context>
    <name>hermes::ui::ConnectionDialog</name>
    <message>
        <source>inside this console</source>
        <translation>在本控制台内</translation>
    </message>
    <message>
        <source>%1 (TLS)</source>
        <translation>%1（TLS）</translation>
    </message>
    <message>
        <source>Connecting to “%1” (%2)…</source>
        <translation>正在连接“%1”（%2）…</translation>
    </message>
    <message>
        <source>Delete connection</source>
        <translation>删除连接</translation>
    </message>
    <message>
        <source>Delete the connection “%1” and its remembered password?</source>
        <translation>删除连接“%1”及其记住的密码？</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Choose the broker this console shows. Each connection opens in a window of its own.</source>
        <translation>选择本控制台显示的代理。每个连接在各自的窗口中打开。</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>新建(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Broker</source>
        <translation>代理</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Not connected: no password given.</source>
        <translation>未连接：没有输入密码。</translation>
    </message>
    <message>
        <source>Connecting to “%1” (%2) failed: %3</source>
        <translation>连接“%1”（%2）失败：%3</translation>
    </message>
    <message>
        <source>The remembered password was forgotten; the console asks for it next time.</source>
        <translation>已删除记住的密码；下次连接时控制台会再次询问。</translation>
    </message>
    <message>
        <source>Could not connect</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>“%1” is neither a connection profile nor HOST:PORT, mqtts://HOST:PORT or unix:PATH (e.g. 10.0.0.5:1883).</source>
        <translation>“%1”既不是连接配置，也不是 HOST:PORT、mqtts://HOST:PORT 或 unix:PATH（例如 10.0.0.5:1883）。</translation>
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
    <message>
        <source>Refused connections</source>
        <translation>被拒连接</translation>
    </message>
    <message>
        <source>Failed logins</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <source>Access denials</source>
        <translation>访问被拒</translation>
    </message>
    <message>
        <source>Rate-limited connects</source>
        <translation>限速拒绝的连接</translation>
    </message>
    <message>
        <source>Login back-off refusals</source>
        <translation>登录退避拒绝</translation>
    </message>
    <message>
        <source>Subscription quota refusals</source>
        <translation>订阅配额拒绝</translation>
    </message>
</context>
<context>
    <name>hermes::ui::DecodedTreeModel</name>
    <message numerus="yes">
        <source>%n field(s)</source>
        <translation>
            <numerusform>%n 个字段</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 +%2</source>
        <translation>%1 +%2</translation>
    </message>
    <message>
        <source>Not in the schema (or another wire type than declared): kept as found on the wire</source>
        <translation>不在模式中（或线类型与声明不符）：按原始编码保留</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s), packed</source>
        <translation>
            <numerusform>%n 项，packed</numerusform>
        </translation>
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
    <message>
        <source>%1 at %2 →</source>
        <translation>%1，于 %2 →</translation>
    </message>
</context>
<context>
    <name>hermes::ui::HexView</name>
    <message numerus="yes">
        <source>… %n more byte(s) not shown</source>
        <translation>
            <numerusform>… 另有 %n 字节未显示</numerusform>
        </translation>
    </message>
    <message>
        <source>(empty payload)</source>
        <translation>（空负载）</translation>
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
    <message>
        <source>Topics</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Recent &amp;files</source>
        <translation>最近的文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Listen address…</source>
        <translation>监听地址(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>(none yet: exported traces appear here)</source>
        <translation>（暂无：导出的报文跟踪会显示在这里）</translation>
    </message>
    <message>
        <source>Clear list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <source>Stop broker</source>
        <translation>停止代理</translation>
    </message>
    <message>
        <source>Start broker</source>
        <translation>启动代理</translation>
    </message>
    <message>
        <source>Broker not running: port %1 is taken by another program</source>
        <translation>代理未运行：端口 %1 已被其他程序占用</translation>
    </message>
    <message>
        <source>Broker stopping…</source>
        <translation>代理正在停止…</translation>
    </message>
    <message>
        <source>Broker stopped (%1)</source>
        <translation>代理已停止（%1）</translation>
    </message>
    <message>
        <source>Another program is already listening on %1, so the embedded broker cannot start there.</source>
        <translation>另一个程序已在监听 %1，因此内置代理无法在该地址启动。</translation>
    </message>
    <message>
        <source>The embedded broker could not start.</source>
        <translation>内置代理无法启动。</translation>
    </message>
    <message>
        <source>Use another port…</source>
        <translation>使用另一个端口…</translation>
    </message>
    <message>
        <source>Listen on another port</source>
        <translation>监听另一个端口</translation>
    </message>
    <message>
        <source>Port for MQTT clients:</source>
        <translation>MQTT 客户端端口：</translation>
    </message>
    <message>
        <source>Listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Address and port for MQTT clients, e.g. 127.0.0.1:1883 or 0.0.0.0:1883 (all interfaces):</source>
        <translation>MQTT 客户端的地址和端口，例如 127.0.0.1:1883 或 0.0.0.0:1883（所有接口）：</translation>
    </message>
    <message>
        <source>“%1” is not an address and port.</source>
        <translation>“%1”不是有效的地址和端口。</translation>
    </message>
    <message>
        <source>This broker cannot be reconfigured from here.</source>
        <translation>无法在此处重新配置此代理。</translation>
    </message>
    <message>
        <source>Pushes</source>
        <translation>推送</translation>
    </message>
    <message>
        <source>Schemas</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>&amp;Accounts…</source>
        <translation>账号(&amp;A)…</translation>
    </message>
    <message>
        <source>Simulator</source>
        <translation>模拟器</translation>
    </message>
    <message>
        <source>Value charts</source>
        <translation>数值图表</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Push to &amp;selected (%1)…</source>
        <translation>推送到所选设备(&amp;S)（%1 台）…</translation>
    </message>
    <message>
        <source>Push to &amp;selected…</source>
        <translation>推送到所选设备(&amp;S)…</translation>
    </message>
    <message>
        <source>Hermes Push Console — %1</source>
        <translation>信使推送控制台 — %1</translation>
    </message>
    <message>
        <source>Detach</source>
        <translation>断开</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Attaching to %1…</source>
        <translation>正在连接 %1…</translation>
    </message>
    <message>
        <source>Attached to %1 as an MQTT client</source>
        <translation>已作为 MQTT 客户端连接到 %1</translation>
    </message>
    <message>
        <source>Reconnecting: %1</source>
        <translation>正在重新连接：%1</translation>
    </message>
    <message>
        <source>Not attached: %1</source>
        <translation>未连接：%1</translation>
    </message>
    <message>
        <source>Detaching from %1…</source>
        <translation>正在断开 %1…</translation>
    </message>
    <message>
        <source>Detached from %1</source>
        <translation>已断开 %1</translation>
    </message>
    <message>
        <source>%1 does not show its sessions to an MQTT client: sessions, heartbeat timelines, in-flight and queued messages need a Hermes broker. Messages, Topics, retained messages and the Dashboard work.</source>
        <translation>%1 不向 MQTT 客户端公开会话：会话、心跳时间线、传输中和排队的消息需要 Hermes 代理。消息、主题、保留消息和仪表盘可以使用。</translation>
    </message>
    <message>
        <source>Pushes need the push service of a Hermes broker; %1 is attached as a plain MQTT client. Publish to a device&apos;s topic from the Messages view instead.</source>
        <translation>推送需要 Hermes 代理的推送服务；%1 以普通 MQTT 客户端方式连接。请改为在消息视图中向设备主题发布。</translation>
    </message>
    <message>
        <source>Simulations run against the embedded broker; %1 is attached as a plain MQTT client.</source>
        <translation>模拟针对内嵌代理运行；%1 以普通 MQTT 客户端方式连接。</translation>
    </message>
    <message>
        <source>Could not attach</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <source>The console could not attach to %1.</source>
        <translation>控制台无法连接到 %1。</translation>
    </message>
    <message>
        <source>Networks</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>%1 does not show its networks to an MQTT client: NAT timeout estimates come from the fleet analytics of a Hermes broker.</source>
        <translation>%1 不向 MQTT 客户端公开其网络：NAT 超时估计来自 Hermes 代理的设备群分析。</translation>
    </message>
    <message>
        <source>Attached to hermesd at %1 as an operator</source>
        <translation>已以运维人员身份连接到 %1 上的 hermesd</translation>
    </message>
    <message>
        <source>If it is the broker your devices use (such as the hermesd service), attach to it and watch it here. Or let the embedded broker listen on another port.</source>
        <translation>如果它就是设备所用的代理（例如 hermesd 服务），可以连接到它并在这里查看；也可以让内置代理监听另一个端口。</translation>
    </message>
    <message>
        <source>Attach to it</source>
        <translation>连接到它</translation>
    </message>
    <message>
        <source>Attach to broker</source>
        <translation>连接到代理</translation>
    </message>
    <message>
        <source>&amp;Attach to broker…</source>
        <translation>连接到代理(&amp;A)…</translation>
    </message>
    <message>
        <source>“%1” (%2)</source>
        <translation>“%1”（%2）</translation>
    </message>
    <message>
        <source>Embedded broker</source>
        <translation>内嵌代理</translation>
    </message>
    <message>
        <source>&amp;Connect…</source>
        <translation>连接(&amp;C)…</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Broker:</source>
        <translation>代理：</translation>
    </message>
    <message>
        <source>The broker this window shows; choose another to open its window</source>
        <translation>本窗口显示的代理；选择其他代理将打开其窗口</translation>
    </message>
    <message>
        <source>Broker address: HOST:PORT, mqtts://HOST:PORT for TLS with the system&apos;s CAs, or unix:PATH for a hermesd&apos;s local socket:</source>
        <translation>代理地址：HOST:PORT；mqtts://HOST:PORT 表示使用系统 CA 的 TLS；unix:PATH 表示 hermesd 的本地套接字：</translation>
    </message>
    <message>
        <source>“%1” is not HOST:PORT, mqtts://HOST:PORT or unix:PATH.</source>
        <translation>“%1”不是 HOST:PORT、mqtts://HOST:PORT 或 unix:PATH。</translation>
    </message>
    <message>
        <source> (the administration socket was not usable)</source>
        <translation>（本地管理套接字不可用）</translation>
    </message>
    <message>
        <source>Operator rights through the local administration socket were not available: %1</source>
        <translation>无法通过本地管理套接字获得操作员权限：%1</translation>
    </message>
</context>
<context>
    <name>hermes::ui::MessageForm</name>
    <message>
        <source>%1 = %2 (%3%4)</source>
        <translation>%1 = %2 (%3%4)</translation>
    </message>
    <message>
        <source>Hex</source>
        <translation>Hex</translation>
    </message>
    <message>
        <source>Base64</source>
        <translation>Base64</translation>
    </message>
    <message>
        <source>How the bytes are typed in</source>
        <translation>字节的输入方式</translation>
    </message>
    <message>
        <source>hex, e.g. 0a 1b ff</source>
        <translation>hex，例如 0a 1b ff</translation>
    </message>
    <message>
        <source>base64, e.g. ChtI</source>
        <translation>base64，例如 ChtI</translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s)</source>
        <translation>
            <numerusform>%n 字节</numerusform>
        </translation>
    </message>
    <message>
        <source>Not hex: pairs of 0-9, a-f</source>
        <translation>不是 hex：需为成对的 0-9、a-f</translation>
    </message>
    <message>
        <source>Not base64</source>
        <translation>不是 base64</translation>
    </message>
    <message>
        <source>Set this field (it has presence: unset differs from the default)</source>
        <translation>设置此字段（该字段有存在性：未设置不同于默认值）</translation>
    </message>
    <message>
        <source>Add entry</source>
        <translation>添加条目</translation>
    </message>
    <message>
        <source>Add item</source>
        <translation>添加项</translation>
    </message>
    <message>
        <source>Remove this row</source>
        <translation>删除此行</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n)</source>
        <translation>
            <numerusform>%1（%n）</numerusform>
        </translation>
    </message>
    <message>
        <source>one of: %1</source>
        <translation>多选一：%1</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>(no fields)</source>
        <translation>（无字段）</translation>
    </message>
    <message>
        <source>%1 has no field %2</source>
        <translation>%1 没有字段 %2</translation>
    </message>
    <message>
        <source>Nested too deep for a form: type JSON</source>
        <translation>嵌套过深，无法用表单编辑：请输入 JSON</translation>
    </message>
    <message>
        <source>%1 is not loaded: type its JSON</source>
        <translation>%1 未加载：请输入其 JSON</translation>
    </message>
    <message>
        <source>Choose a message type to compose it field by field.</source>
        <translation>选择消息类型后即可逐个字段编写。</translation>
    </message>
    <message>
        <source>%1 is not in the loaded schemas.</source>
        <translation>%1 不在已加载的模式中。</translation>
    </message>
    <message>
        <source>No message type chosen</source>
        <translation>未选择消息类型</translation>
    </message>
    <message>
        <source>not a JSON object</source>
        <translation>不是 JSON 对象</translation>
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
        <translation>负载</translation>
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
        <translation>选择一条消息以查看其负载。</translation>
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
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Write messages to CSV, NDJSON or a capture that hermesctl replay can publish again</source>
        <translation>将消息写入 CSV、NDJSON，或写成可由 hermesctl replay 重新发布的抓包文件</translation>
    </message>
    <message>
        <source>Export selected messages…</source>
        <translation>导出所选消息…</translation>
    </message>
    <message>
        <source>Export all messages…</source>
        <translation>导出全部消息…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message numerus="yes">
        <source>Exporting %n message(s)…</source>
        <translation>
            <numerusform>正在导出 %n 条消息…</numerusform>
        </translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written</source>
        <translation>导出已取消；未写入任何内容</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n message(s) to %1</source>
        <translation>
            <numerusform>已将 %n 条消息导出到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>NDJSON, payload as text (*.ndjson)</source>
        <translation>NDJSON，负载为文本 (*.ndjson)</translation>
    </message>
    <message>
        <source>NDJSON, payload as base64 (*.ndjson)</source>
        <translation>NDJSON，负载为 base64 (*.ndjson)</translation>
    </message>
    <message>
        <source>Hermes capture for hermesctl replay (*.hcap)</source>
        <translation>供 hermesctl replay 使用的 Hermes 抓包 (*.hcap)</translation>
    </message>
    <message>
        <source>Export messages</source>
        <translation>导出消息</translation>
    </message>
</context>
<context>
    <name>hermes::ui::NetworkTableModel</name>
    <message>
        <source>The interval the carrier NAT&apos;s idle timeout lies in: idle gaps below it survived, gaps above it killed connections</source>
        <translation>运营商 NAT 空闲超时所在的区间：短于它的空闲间隔连接得以保持，长于它的间隔使连接断开</translation>
    </message>
    <message>
        <source>Devices that survived an idle gap / devices that lost their NAT mapping</source>
        <translation>撑过空闲间隔的设备 / NAT 映射失效的设备</translation>
    </message>
    <message>
        <source>The keep-alive to give devices on this network: under the timeout by a margin</source>
        <translation>建议此网络设备使用的保活时间：比超时短出一段余量</translation>
    </message>
    <message>
        <source>Connections that died without a FIN or DISCONNECT, per device-hour connected</source>
        <translation>未收到 FIN 或 DISCONNECT 而断开的连接，按每设备在线小时计</translation>
    </message>
    <message>
        <source>Connects per device-hour connected</source>
        <translation>每设备在线小时的连接次数</translation>
    </message>
    <message>
        <source>How long the broker kept sending into a connection that had silently died, before it noticed: pushes in that time were late (median / max)</source>
        <translation>连接静默断开后、代理察觉之前仍向其发送的时长：这段时间内的推送都被延迟（中位数 / 最大值）</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>NAT timeout</source>
        <translation>NAT 超时</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>证据</translation>
    </message>
    <message>
        <source>Keep-alive
advice</source>
        <translation>建议
保活</translation>
    </message>
    <message>
        <source>Silent deaths
per device-hour</source>
        <translation>静默断开
每设备·小时</translation>
    </message>
    <message>
        <source>Reconnects
per device-hour</source>
        <translation>重连
每设备·小时</translation>
    </message>
    <message>
        <source>Push delay
median / max</source>
        <translation>推送延迟
中位数 / 最大</translation>
    </message>
    <message>
        <source>The keep-alive the broker gives this network&apos;s devices now (Server Keep Alive to MQTT 5 devices, signed offers to smart-heartbeat devices); the tooltip of a cell lists each change with the silent-death rate before and since</source>
        <translation>代理当前给此网络设备的保活时间（对 MQTT 5 设备用 Server Keep Alive，对智能心跳设备发签名建议）；单元格的提示列出每次更改及其前后的静默断连率</translation>
    </message>
    <message>
        <source>Keep-alive
applied</source>
        <translation>已应用
保活</translation>
    </message>
</context>
<context>
    <name>hermes::ui::NetworksView</name>
    <message>
        <source>survived</source>
        <translation>连接保持</translation>
    </message>
    <message>
        <source>killed the connection</source>
        <translation>连接断开</translation>
    </message>
    <message>
        <source>idle gap (s)</source>
        <translation>空闲间隔（秒）</translation>
    </message>
    <message>
        <source>observations</source>
        <translation>观测次数</translation>
    </message>
    <message>
        <source>No networks yet. Name them with `network NAME CIDR` in the broker&apos;s configuration; until then each /16 (IPv6 /48) counts as one.</source>
        <translation>尚无网络。请在代理配置中用 `network NAME CIDR` 命名网络；在此之前，每个 /16（IPv6 为 /48）算作一个网络。</translation>
    </message>
    <message>
        <source>Evidence: idle gaps of at least 30 s that connections survived, and gaps after which a device redialled from the same network because its NAT mapping had died.</source>
        <translation>证据：连接撑过的至少 30 秒的空闲间隔，以及设备因 NAT 映射失效而从同一网络重新拨号之前的间隔。</translation>
    </message>
    <message>
        <source>NAT timeout: %1</source>
        <translation>NAT 超时：%1</translation>
    </message>
    <message>
        <source>Select a network</source>
        <translation>请选择一个网络</translation>
    </message>
    <message>
        <source>Idle gaps on %1: survived and fatal</source>
        <translation>%1 的空闲间隔：保持与断开</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PasswordPrompt</name>
    <message>
        <source>Password for “%1”</source>
        <translation>“%1”的密码</translation>
    </message>
    <message>
        <source>Password of %1 for “%2” (%3):</source>
        <translation>%1 在“%2”（%3）的密码：</translation>
    </message>
    <message>
        <source>&amp;Remember it in the system keyring</source>
        <translation>记住到系统密钥环(&amp;R)</translation>
    </message>
    <message>
        <source>There is no system keyring to keep it in, so this password cannot be remembered: the console asks for it each time it connects.</source>
        <translation>没有可用的系统密钥环，无法记住此密码：控制台每次连接时都会询问。</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>连接(&amp;C)</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PayloadInspector</name>
    <message>
        <source>Message type used to decode the payload</source>
        <translation>用于解码负载的消息类型</translation>
    </message>
    <message>
        <source>&amp;Decode as:</source>
        <translation>解码为(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Copy JSON</source>
        <translation>复制 JSON(&amp;C)</translation>
    </message>
    <message>
        <source>He&amp;x</source>
        <translation>Hex(&amp;X)</translation>
    </message>
    <message>
        <source>&amp;JSON</source>
        <translation>JSON(&amp;J)</translation>
    </message>
    <message>
        <source>&amp;Raw wire format</source>
        <translation>原始编码(&amp;R)</translation>
    </message>
    <message>
        <source>By topic binding</source>
        <translation>按主题绑定</translation>
    </message>
    <message>
        <source>(no topic)</source>
        <translation>（无主题）</translation>
    </message>
    <message>
        <source>Content type: %1</source>
        <translation>内容类型：%1</translation>
    </message>
    <message>
        <source>No payload selected</source>
        <translation>未选择负载</translation>
    </message>
    <message numerus="yes">
        <source>%n byte(s): too large to decode here; the hex view shows the start.</source>
        <translation>
            <numerusform>%n 字节：过大，无法在此解码；hex 视图显示其开头部分。</numerusform>
        </translation>
    </message>
    <message>
        <source>Not a valid %1 (%2): showing the wire format.</source>
        <translation>不是有效的 %1（%2）：显示原始编码。</translation>
    </message>
    <message>
        <source>Empty payload.</source>
        <translation>空负载。</translation>
    </message>
    <message>
        <source>No message type chosen: showing the wire format.</source>
        <translation>未选择消息类型：显示原始编码。</translation>
    </message>
    <message>
        <source>The wire format breaks at byte %1: %2.</source>
        <translation>原始编码在第 %1 字节处中断：%2。</translation>
    </message>
    <message>
        <source>No JSON: the payload was not decoded with a message type.</source>
        <translation>无 JSON：负载未按消息类型解码。</translation>
    </message>
    <message>
        <source># broken at byte %1: %2</source>
        <translation># 在第 %1 字节处中断：%2</translation>
    </message>
    <message numerus="yes">
        <source>Decoded as %1 (chosen), %n byte(s).</source>
        <translation>
            <numerusform>已解码为 %1（手动选择），%n 字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Hermes push envelope, %n byte(s).</source>
        <translation>
            <numerusform>信使推送信封，%n 字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Inner payload: %1 (%2), %n byte(s).</source>
        <translation>
            <numerusform>内层负载：%1（%2），%n 字节。</numerusform>
        </translation>
    </message>
    <message>
        <source>no content type</source>
        <translation>无内容类型</translation>
    </message>
    <message numerus="yes">
        <source>Device receipt (%1), %n byte(s).</source>
        <translation>
            <numerusform>设备回执（%1），%n 字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Decoded as %1 (named by the content type), %n byte(s).</source>
        <translation>
            <numerusform>已解码为 %1（由内容类型指定），%n 字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Decoded as %1 (bound by %2), %n byte(s).</source>
        <translation>
            <numerusform>已解码为 %1（由 %2 绑定），%n 字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Text, %n byte(s).</source>
        <translation>
            <numerusform>文本，%n 字节。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>JSON text, %n byte(s).</source>
        <translation>
            <numerusform>JSON 文本，%n 字节。</numerusform>
        </translation>
    </message>
    <message>
        <source>No message type for %1: showing the wire format.</source>
        <translation>%1 没有对应的消息类型：显示原始编码。</translation>
    </message>
    <message>
        <source>(the whole payload)</source>
        <translation>（整个负载）</translation>
    </message>
    <message>
        <source>(no numbers in this payload)</source>
        <translation>（此负载中没有数值）</translation>
    </message>
    <message>
        <source>Sparkplug &amp;metrics</source>
        <translation>Sparkplug 指标(&amp;M)</translation>
    </message>
    <message>
        <source>Chart a value</source>
        <translation>绘制数值图表</translation>
    </message>
    <message>
        <source>Plot a number from this payload over time, for every message on this topic</source>
        <translation>按时间绘制此负载中的某个数值，涵盖该主题上的每条消息</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Alias</source>
        <translation>别名</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Timestamp</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <source>(unknown alias)</source>
        <translation>（未知别名）</translation>
    </message>
    <message>
        <source>Named by the alias in the last BIRTH</source>
        <translation>名称来自最近一次 BIRTH 中的别名</translation>
    </message>
    <message numerus="yes">
        <source>Sparkplug B %1 from %2: %n metric(s)</source>
        <translation>
            <numerusform>Sparkplug B %1，来自 %2：%n 个指标</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n named from the BIRTH&apos;s aliases</source>
        <translation>
            <numerusform>其中 %n 个的名称来自 BIRTH 的别名</numerusform>
        </translation>
    </message>
    <message>
        <source>In a new chart</source>
        <translation>在新图表中</translation>
    </message>
</context>
<context>
    <name>hermes::ui::ProfileEditor</name>
    <message>
        <source>Encrypt the connection (TLS)</source>
        <translation>加密连接（TLS）</translation>
    </message>
    <message>
        <source>New connection</source>
        <translation>新建连接</translation>
    </message>
    <message>
        <source>Edit “%1”</source>
        <translation>编辑“%1”</translation>
    </message>
    <message>
        <source>broker.example.com or 10.0.0.5</source>
        <translation>broker.example.com 或 10.0.0.5</translation>
    </message>
    <message>
        <source>empty: anonymous</source>
        <translation>留空：匿名</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>端口(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;CA file:</source>
        <translation>CA 文件(&amp;C)：</translation>
    </message>
    <message>
        <source>empty: the system&apos;s certificate authorities</source>
        <translation>留空：使用系统的证书颁发机构</translation>
    </message>
    <message>
        <source>Client &amp;certificate:</source>
        <translation>客户端证书(&amp;C)：</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>可选</translation>
    </message>
    <message>
        <source>Private &amp;key:</source>
        <translation>私钥(&amp;K)：</translation>
    </message>
    <message>
        <source>required with a client certificate</source>
        <translation>使用客户端证书时必填</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>The password is asked for when you connect and can be kept in the system keyring.
It is never written to the settings.</source>
        <translation>连接时会询问密码，并可保存在系统密钥环中。
密码绝不会写入设置。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Certificates and keys (*.pem *.crt *.cer *.key);;All files (*)</source>
        <translation>证书和密钥 (*.pem *.crt *.cer *.key);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushDialog</name>
    <message>
        <source>Retain on the broker</source>
        <translation>在代理上保留</translation>
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
        <translation>负载</translation>
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
        <translation>负载格式：</translation>
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
    <message>
        <source>Send at</source>
        <translation>定时发送于</translation>
    </message>
    <message>
        <source>Hermes envelope (sequence number, signature, receipt)</source>
        <translation>信使信封（序列号、签名、回执）</translation>
    </message>
    <message>
        <source>New push</source>
        <translation>新建推送</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Alias</source>
        <translation>别名</translation>
    </message>
    <message>
        <source>Tag expression</source>
        <translation>标签表达式</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>All devices</source>
        <translation>所有设备</translation>
    </message>
    <message>
        <source>After this, a device that was offline does not get the push (MQTT 5 message expiry and the envelope&apos;s expiry)</source>
        <translation>超过此时间后，之前离线的设备将不会收到该推送（MQTT 5 消息过期及信封过期）</translation>
    </message>
    <message>
        <source> /s</source>
        <translation> /秒</translation>
    </message>
    <message>
        <source>as fast as possible</source>
        <translation>尽快</translation>
    </message>
    <message>
        <source>Deliveries per second for large audiences</source>
        <translation>面向大量受众时每秒的投递数</translation>
    </message>
    <message>
        <source>Protobuf</source>
        <translation>Protobuf</translation>
    </message>
    <message>
        <source>Load .proto files in the Schemas view to compose protobuf payloads.</source>
        <translation>在“模式”视图中加载 .proto 文件后即可编写 protobuf 负载。</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Who:</source>
        <translation>对象：</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>投递</translation>
    </message>
    <message>
        <source>Pace:</source>
        <translation>速率：</translation>
    </message>
    <message>
        <source>What each device receives:</source>
        <translation>每台设备收到的内容：</translation>
    </message>
    <message>
        <source>Not sent: %1</source>
        <translation>未发送：%1</translation>
    </message>
    <message>
        <source>device ids, separated by commas</source>
        <translation>设备 ID，以逗号分隔</translation>
    </message>
    <message>
        <source>an alias, e.g. kitchen-lamp</source>
        <translation>别名，例如 kitchen-lamp</translation>
    </message>
    <message>
        <source>e.g. vip &amp;&amp; !beta</source>
        <translation>例如 vip &amp;&amp; !beta</translation>
    </message>
    <message>
        <source>a topic, e.g. news/today</source>
        <translation>主题，例如 news/today</translation>
    </message>
    <message>
        <source>every known device</source>
        <translation>所有已知设备</translation>
    </message>
    <message>
        <source>Say who the push is for.</source>
        <translation>请指定推送对象。</translation>
    </message>
    <message>
        <source>Tag expression: %1</source>
        <translation>标签表达式：%1</translation>
    </message>
    <message>
        <source>Choose a message type (load .proto files in the Schemas view).</source>
        <translation>请选择消息类型（在“模式”视图中加载 .proto 文件）。</translation>
    </message>
    <message>
        <source>Protobuf: %1</source>
        <translation>Protobuf：%1</translation>
    </message>
    <message>
        <source>(nothing to send yet)</source>
        <translation>（尚无可发送的内容）</translation>
    </message>
    <message numerus="yes">
        <source>Raw payload, %n byte(s), content type %1; no sequence number, no signature, no receipt.</source>
        <translation>
            <numerusform>原始负载，%n 字节，内容类型 %1；没有序列号、签名和回执。</numerusform>
        </translation>
    </message>
    <message>
        <source>(assigned)</source>
        <translation>（自动分配）</translation>
    </message>
    <message>
        <source>(each device)</source>
        <translation>（每台设备）</translation>
    </message>
    <message numerus="yes">
        <source>%1
Sequence number: the device&apos;s next; signed with the broker&apos;s key when one is configured.
Serialized envelope: about %n byte(s).</source>
        <translation>
            <numerusform>%1
序列号：该设备的下一个；配置了密钥时由代理签名。
序列化后的信封：约 %n 字节。</numerusform>
        </translation>
    </message>
    <message>
        <source>Every subscriber of this topic.</source>
        <translation>此主题的所有订阅者。</translation>
    </message>
    <message numerus="yes">
        <source>Reaches %n device(s)</source>
        <translation>
            <numerusform>覆盖 %n 台设备</numerusform>
        </translation>
    </message>
    <message>
        <source>The broker is not running.</source>
        <translation>代理未在运行。</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>Save payload</source>
        <translation>保存负载</translation>
    </message>
    <message>
        <source>Name for this payload on %1:</source>
        <translation>此负载在 %1 上的名称：</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Keep this payload under a name, for this topic</source>
        <translation>以一个名称为此主题保存该负载</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Saved:</source>
        <translation>已保存：</translation>
    </message>
    <message numerus="yes">
        <source>Push to %n selected device(s)</source>
        <translation>
            <numerusform>推送到所选的 %n 台设备</numerusform>
        </translation>
    </message>
    <message>
        <source>(none saved for this topic)</source>
        <translation>（此主题尚无已保存的负载）</translation>
    </message>
    <message>
        <source>(choose a saved payload)</source>
        <translation>（选择已保存的负载）</translation>
    </message>
    <message>
        <source>%1 — via %2</source>
        <comment>push dialog title: the push, the broker</comment>
        <translation>%1 — 经由 %2</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushListModel</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>Push</source>
        <translation>推送</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Audience</source>
        <translation>受众</translation>
    </message>
    <message>
        <source>Receipted</source>
        <translation>已回执</translation>
    </message>
    <message>
        <source>Acked / sent</source>
        <translation>已确认 / 已发送</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Failed / expired</source>
        <translation>失败 / 已过期</translation>
    </message>
    <message>
        <source>Arrivals/s</source>
        <translation>到达/秒</translation>
    </message>
    <message>
        <source>Median latency</source>
        <translation>延迟中位数</translation>
    </message>
    <message>
        <source>devices %1</source>
        <translation>设备 %1</translation>
    </message>
    <message>
        <source>alias %1</source>
        <translation>别名 %1</translation>
    </message>
    <message>
        <source>tag %1</source>
        <translation>标签 %1</translation>
    </message>
    <message>
        <source>topic %1</source>
        <translation>主题 %1</translation>
    </message>
    <message>
        <source>all devices</source>
        <translation>所有设备</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>receipted</source>
        <translation>已回执</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushTargetModel</name>
    <message>
        <source>%1 (×%2)</source>
        <translation>%1（×%2）</translation>
    </message>
    <message numerus="yes">
        <source>%1, %n missing</source>
        <translation>
            <numerusform>%1，缺少 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Acked</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <source>Device says</source>
        <translation>设备反馈</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>hermes::ui::PushesView</name>
    <message>
        <source>New push…</source>
        <translation>新建推送…</translation>
    </message>
    <message>
        <source>No pushes yet.</source>
        <translation>尚无推送。</translation>
    </message>
    <message>
        <source>Select a push to see each device.</source>
        <translation>选择一个推送以查看各设备的情况。</translation>
    </message>
    <message>
        <source>%1 — %2: %3 receipted, %4 acknowledged, %5 waiting, %6 failed, %7 expired; %8 arrivals/s; latency p50 %9 ms, p99 %10 ms; %11 duplicate(s), %12 missing</source>
        <translation>%1 — %2：已回执 %3，已确认 %4，等待中 %5，失败 %6，已过期 %7；到达 %8/秒；延迟 p50 %9 毫秒，p99 %10 毫秒；重复 %11，缺失 %12</translation>
    </message>
    <message>
        <source>Arrivals</source>
        <translation>到达</translation>
    </message>
    <message>
        <source>seconds after send</source>
        <translation>发送后秒数</translation>
    </message>
    <message>
        <source>devices</source>
        <translation>设备数</translation>
    </message>
    <message>
        <source>Export delivery report</source>
        <translation>导出送达报告</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;JSON files (*.json)</source>
        <translation>CSV 文件 (*.csv);;JSON 文件 (*.json)</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>Export report…</source>
        <translation>导出报告…</translation>
    </message>
    <message>
        <source>Write the selected push&apos;s delivery report to CSV or JSON</source>
        <translation>将所选推送的送达报告写入 CSV 或 JSON</translation>
    </message>
</context>
<context>
    <name>hermes::ui::SchemaManager</name>
    <message>
        <source>File: %1</source>
        <translation>文件：%1</translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation>文件夹：%1</translation>
    </message>
    <message>
        <source>Descriptor set: %1</source>
        <translation>描述符集：%1</translation>
    </message>
    <message>
        <source>Add &amp;files…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation>添加文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Add &amp;descriptor set…</source>
        <translation>添加描述符集(&amp;D)…</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>移除(&amp;M)</translation>
    </message>
    <message>
        <source>Re&amp;load</source>
        <translation>重新加载(&amp;L)</translation>
    </message>
    <message>
        <source>A FileDescriptorSet written by protoc -o (with or without --include_imports)</source>
        <translation>由 protoc -o 生成的 FileDescriptorSet（带或不带 --include_imports 均可）</translation>
    </message>
    <message>
        <source>Schema sources</source>
        <translation>模式来源</translation>
    </message>
    <message>
        <source>Filter message types</source>
        <translation>过滤消息类型</translation>
    </message>
    <message>
        <source>Message types</source>
        <translation>消息类型</translation>
    </message>
    <message>
        <source>&amp;Add binding</source>
        <translation>添加绑定(&amp;A)</translation>
    </message>
    <message>
        <source>Bind a topic filter to the message type selected above</source>
        <translation>将主题过滤器绑定到上方所选的消息类型</translation>
    </message>
    <message>
        <source>Remove b&amp;inding</source>
        <translation>移除绑定(&amp;I)</translation>
    </message>
    <message>
        <source>Try a topic, e.g. telemetry/pump-7/state</source>
        <translation>测试主题，例如 telemetry/pump-7/state</translation>
    </message>
    <message>
        <source>Topic bindings (the most specific filter wins)</source>
        <translation>主题绑定（最具体的过滤器优先）</translation>
    </message>
    <message>
        <source>Problems: none</source>
        <translation>问题：无</translation>
    </message>
    <message numerus="yes">
        <source>Problems (%n)</source>
        <translation>
            <numerusform>问题（%n）</numerusform>
        </translation>
    </message>
    <message>
        <source>(no package)</source>
        <translation>（无包）</translation>
    </message>
    <message numerus="yes">
        <source>%n type(s)</source>
        <translation>
            <numerusform>%n 个类型</numerusform>
        </translation>
    </message>
    <message>
        <source>→ not a valid topic name</source>
        <translation>→ 不是有效的主题名</translation>
    </message>
    <message>
        <source>→ no binding: wire format only</source>
        <translation>→ 无绑定：仅显示原始编码</translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation>→ %1</translation>
    </message>
    <message>
        <source>Add .proto files</source>
        <translation>添加 .proto 文件</translation>
    </message>
    <message>
        <source>Protocol Buffers (*.proto);;All files (*)</source>
        <translation>Protocol Buffers (*.proto);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Add a folder of .proto files</source>
        <translation>添加包含 .proto 文件的文件夹</translation>
    </message>
    <message>
        <source>Add a descriptor set</source>
        <translation>添加描述符集</translation>
    </message>
    <message>
        <source>Descriptor sets (*.pb *.desc *.protoset *.bin);;All files (*)</source>
        <translation>描述符集 (*.pb *.desc *.protoset *.bin);;所有文件 (*)</translation>
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
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>Exported %1 lines to %2</source>
        <translation>已导出 %1 行到 %2</translation>
    </message>
    <message>
        <source>Push…</source>
        <translation>推送…</translation>
    </message>
    <message>
        <source>Push a message to this device</source>
        <translation>向此设备推送消息</translation>
    </message>
    <message>
        <source>Kick</source>
        <translation>踢下线</translation>
    </message>
    <message>
        <source>Disconnect this device now; it usually reconnects on its own</source>
        <translation>立即断开此设备；它通常会自行重连</translation>
    </message>
    <message>
        <source>Kick session</source>
        <translation>踢下线</translation>
    </message>
    <message>
        <source>Disconnect “%1” now? The device will usually reconnect on its own.</source>
        <translation>立即断开“%1”？设备通常会自行重连。</translation>
    </message>
    <message>
        <source>Text files (*.txt);;CSV files (*.csv);;JSON files (*.json);;All files (*)</source>
        <translation>文本文件 (*.txt);;CSV 文件 (*.csv);;JSON 文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>This network&apos;s estimate</source>
        <translation>本网络的估计值</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <comment>network name, its NAT timeout interval</comment>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>This cluster&apos;s management API does not expose heartbeats: the timeline needs the broker&apos;s own connection state, which hermesd has only for its own clients.</source>
        <translation>此集群的管理 API 不提供心跳：时间线需要 broker 自身的连接状态，而 hermesd 只有它自己客户端的这些状态。</translation>
    </message>
    <message>
        <source>This cluster&apos;s management API does not expose the messages in flight to a device, only how many (the Sessions view&apos;s In-flight column).</source>
        <translation>此集群的管理 API 不提供发往设备的传输中消息，只提供数量（见会话视图的“传输中”列）。</translation>
    </message>
    <message>
        <source>This cluster&apos;s management API does not expose a packet trace: what devices and the cluster send each other never passes through hermesd.</source>
        <translation>此集群的管理 API 不提供报文跟踪：设备与集群之间收发的内容从不经过 hermesd。</translation>
    </message>
    <message>
        <source>%1 · MQTT %2 · node %3</source>
        <translation>%1 · MQTT %2 · 节点 %3</translation>
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
    <message>
        <source>Not exposed by the cluster&apos;s management API</source>
        <translation>集群的管理 API 未提供此项</translation>
    </message>
    <message>
        <source>Held by cluster node %1</source>
        <translation>由集群节点 %1 持有</translation>
    </message>
    <message>
        <source>—</source>
        <comment>a cell whose value the cluster&apos;s management API does not expose</comment>
        <translation>—</translation>
    </message>
    <message>
        <source>The cluster node that holds the connection, or for an offline session its queue</source>
        <translation>持有该连接的集群节点；离线会话则为持有其队列的节点</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
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
    <message>
        <source>Push to selected (%1)…</source>
        <translation>推送到所选设备（%1 台）…</translation>
    </message>
</context>
<context>
    <name>hermes::ui::SimulatorView</name>
    <message>
        <source>Open scenario</source>
        <translation>打开场景</translation>
    </message>
    <message>
        <source>Scenarios (*.scenario);;All files (*)</source>
        <translation>场景文件 (*.scenario);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Pick a scenario and press Start: the devices connect to the console&apos;s broker.</source>
        <translation>选择一个场景并点击“开始”：设备将连接到控制台内置的代理。</translation>
    </message>
    <message>
        <source>No scenario files found; open one with “Open…”.</source>
        <translation>未找到场景文件；请用“打开…”选择一个。</translation>
    </message>
    <message numerus="yes">
        <source>“%1”: %2 devices · %3 · heartbeat %4 · %5 simulated at ×%6 (%7 s real) · %n event(s)</source>
        <translation>
            <numerusform>“%1”：%2 台设备 · %3 · 心跳 %4 · ×%6 倍速模拟 %5（实际 %7 秒）· %n 个事件</numerusform>
        </translation>
    </message>
    <message>
        <source>The broker is not running: start it first (Broker → Start).</source>
        <translation>代理未运行：请先启动（代理 → 启动）。</translation>
    </message>
    <message numerus="yes">
        <source>Starting %n device(s)…</source>
        <translation>
            <numerusform>正在启动 %n 台设备…</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopping: the devices disconnect…</source>
        <translation>正在停止：设备正在断开连接…</translation>
    </message>
    <message numerus="yes">
        <source>Scaling to %n device(s): a running fleet cannot be resized, so the run starts again.</source>
        <translation>
            <numerusform>调整为 %n 台设备：运行中的设备群无法调整规模，因此重新开始运行。</numerusform>
        </translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>已开始 %1</translation>
    </message>
    <message>
        <source>Simulated sessions are named %1…; to see their heartbeats approach the NAT line, choose NAT timeout → Custom %2 s in Session detail (%3 at ×%4).</source>
        <translation>模拟会话以 %1… 命名；要查看其心跳逼近 NAT 超时线，请在“会话详情”中选择 NAT 超时 → 自定义 %2 秒（×%4 倍速下的 %3）。</translation>
    </message>
    <message numerus="yes">
        <source>Running: %n device(s).</source>
        <translation>
            <numerusform>运行中：%n 台设备。</numerusform>
        </translation>
    </message>
    <message>
        <source>Finished after %1 s</source>
        <translation>%1 秒后结束</translation>
    </message>
    <message>
        <source>Finished after %1 s real.</source>
        <translation>实际运行 %1 秒后结束。</translation>
    </message>
    <message>
        <source>Could not start: %1</source>
        <translation>无法开始：%1</translation>
    </message>
    <message>
        <source>The simulation could not start: %1</source>
        <translation>模拟无法开始：%1</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 (%2 failed)</source>
        <translation>%1（%2 个失败）</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>尚未</translation>
    </message>
    <message>
        <source>%1 (%2 gave up)</source>
        <translation>%1（%2 个放弃）</translation>
    </message>
    <message>
        <source>%1 sent, %2 answered</source>
        <translation>已发送 %1，已应答 %2</translation>
    </message>
    <message>
        <source>%1 (NAT dropped %2)</source>
        <translation>%1（NAT 丢弃 %2）</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <source>mean %1, max %2</source>
        <translation>平均 %1，最长 %2</translation>
    </message>
    <message>
        <source>%1 (missing %2)</source>
        <translation>%1（缺失 %2）</translation>
    </message>
    <message>
        <source>no pushes yet</source>
        <translation>尚无推送</translation>
    </message>
    <message>
        <source>%1 of %2 simulated · %3 s real</source>
        <translation>已模拟 %1 / %2 · 实际 %3 秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 s (%2 min %3 s)</source>
        <translation>%1 秒（%2 分 %3 秒）</translation>
    </message>
    <message>
        <source>Recommended keep-alive: –</source>
        <translation>推荐保活间隔：–</translation>
    </message>
    <message>
        <source>Smart devices probe for the longest heartbeat the NAT allows; what they learn appears here.</source>
        <translation>智能心跳设备会探测 NAT 允许的最长心跳间隔；学到的结果显示在这里。</translation>
    </message>
    <message>
        <source>Recommended keep-alive: %1</source>
        <translation>推荐保活间隔：%1</translation>
    </message>
    <message>
        <source>%1: %2 of %3 smart devices converged · lowest %4 · median %5 · highest %6</source>
        <translation>%1：%3 个智能设备中 %2 个已收敛 · 最低 %4 · 中位数 %5 · 最高 %6</translation>
    </message>
    <message>
        <source> · NAT timeout %1</source>
        <translation> · NAT 超时 %1</translation>
    </message>
    <message>
        <source>Recommended keep-alive: learning…</source>
        <translation>推荐保活间隔：学习中…</translation>
    </message>
    <message>
        <source>%1: %2 of %3 smart devices converged so far.</source>
        <translation>%1：目前 %3 个智能设备中 %2 个已收敛。</translation>
    </message>
    <message>
        <source>Only smart heartbeats learn a keep-alive: choose Heartbeat → Smart.</source>
        <translation>只有智能心跳会学习保活间隔：请选择 心跳 → 智能。</translation>
    </message>
    <message>
        <source>%1 of %2 (%3–%4 s)</source>
        <translation>%1 / %2（%3–%4 秒）</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Scenario</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Open a scenario file (docs/SIMULATOR.md describes the format)</source>
        <translation>打开场景文件（格式见 docs/SIMULATOR.md）</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>As in the scenario</source>
        <translation>与场景一致</translation>
    </message>
    <message>
        <source>China Mobile (NAT 5 min)</source>
        <translation>中国移动（NAT 5 分钟）</translation>
    </message>
    <message>
        <source>China Unicom (NAT 5 min)</source>
        <translation>中国联通（NAT 5 分钟）</translation>
    </message>
    <message>
        <source>China Telecom (NAT 30 min)</source>
        <translation>中国电信（NAT 30 分钟）</translation>
    </message>
    <message>
        <source>Custom NAT timeout</source>
        <translation>自定义 NAT 超时</translation>
    </message>
    <message>
        <source>No NAT</source>
        <translation>无 NAT</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation>心跳</translation>
    </message>
    <message>
        <source>Fixed interval</source>
        <translation>固定间隔</translation>
    </message>
    <message>
        <source>Smart (learns the NAT timeout)</source>
        <translation>智能（学习 NAT 超时）</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>调整规模</translation>
    </message>
    <message>
        <source>Run again with this many devices (a running fleet cannot be resized)</source>
        <translation>以该设备数重新运行（运行中的设备群无法调整规模）</translation>
    </message>
    <message>
        <source>Time scale</source>
        <translation>时间倍速</translation>
    </message>
    <message>
        <source>Simulated seconds per real second: at ×60 a 5-minute NAT timeout passes in 5 s</source>
        <translation>每实际秒对应的模拟秒数：×60 时 5 分钟的 NAT 超时只需 5 秒</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Restart broker</source>
        <translation>重启代理</translation>
    </message>
    <message>
        <source>Restart the broker now: every device loses its connection and reconnects after its random delay (the reconnect storm)</source>
        <translation>立即重启代理：所有设备断开连接，并在各自的随机延迟后重连（重连风暴）</translation>
    </message>
    <message>
        <source>What the smart devices learned</source>
        <translation>智能设备学到的结果</translation>
    </message>
    <message>
        <source>Keep-alive</source>
        <translation>保活间隔</translation>
    </message>
    <message>
        <source>Converged</source>
        <translation>已收敛</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>统计</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Connect attempts</source>
        <translation>连接尝试</translation>
    </message>
    <message>
        <source>All connected after</source>
        <translation>全部连接用时</translation>
    </message>
    <message>
        <source>Peak connects</source>
        <translation>连接峰值</translation>
    </message>
    <message>
        <source>Reconnect attempts</source>
        <translation>重连尝试</translation>
    </message>
    <message>
        <source>Peak reconnects</source>
        <translation>重连峰值</translation>
    </message>
    <message>
        <source>Heartbeats</source>
        <translation>心跳</translation>
    </message>
    <message>
        <source>Dead links</source>
        <translation>死链接</translation>
    </message>
    <message>
        <source>Detection time</source>
        <translation>发现用时</translation>
    </message>
    <message>
        <source>Pushes sent</source>
        <translation>已发送推送</translation>
    </message>
    <message>
        <source>Pushes delivered</source>
        <translation>已送达推送</translation>
    </message>
    <message>
        <source>Duplicates dropped</source>
        <translation>丢弃的重复消息</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>丢失</translation>
    </message>
    <message>
        <source>Arrival rate</source>
        <translation>到达率</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Fleet: connected devices and connects per second</source>
        <translation>设备群：已连接设备与每秒连接数</translation>
    </message>
    <message>
        <source>Connects/s</source>
        <translation>连接/秒</translation>
    </message>
    <message>
        <source>Reconnect attempts/s</source>
        <translation>重连尝试/秒</translation>
    </message>
    <message>
        <source>devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>per second</source>
        <translation>每秒</translation>
    </message>
    <message>
        <source>Pushes delivered per second</source>
        <translation>每秒送达推送</translation>
    </message>
    <message>
        <source>Delivered/s</source>
        <translation>送达/秒</translation>
    </message>
    <message>
        <source>Mean heartbeat interval against the NAT timeout</source>
        <translation>平均心跳间隔与 NAT 超时</translation>
    </message>
    <message>
        <source>Mean interval</source>
        <translation>平均间隔</translation>
    </message>
    <message>
        <source>NAT timeout</source>
        <translation>NAT 超时</translation>
    </message>
    <message>
        <source>simulated s</source>
        <translation>模拟秒</translation>
    </message>
    <message>
        <source>simulated minutes</source>
        <translation>模拟分钟</translation>
    </message>
</context>
<context>
    <name>hermes::ui::TopicTreeModel</name>
    <message>
        <source>(empty level)</source>
        <translation>（空层级）</translation>
    </message>
    <message numerus="yes">
        <source>yes, %n in subtree</source>
        <translation>
            <numerusform>是，子树中共 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message numerus="yes">
        <source>%n below</source>
        <translation>
            <numerusform>下级 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Topic</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Retained</source>
        <translation>保留消息</translation>
    </message>
    <message>
        <source>Last message</source>
        <translation>最后消息</translation>
    </message>
    <message>
        <source>Last payload</source>
        <translation>最后负载</translation>
    </message>
</context>
<context>
    <name>hermes::ui::TopicsView</name>
    <message>
        <source>Filter topics: text, or a filter like devices/+/state</source>
        <translation>过滤主题：文本，或类似 devices/+/state 的过滤器</translation>
    </message>
    <message>
        <source>Delete retained…</source>
        <translation>删除保留消息…</translation>
    </message>
    <message>
        <source>Delete the retained messages of the selected topic and every topic below it</source>
        <translation>删除所选主题及其下所有主题的保留消息</translation>
    </message>
    <message>
        <source>Refresh retained</source>
        <translation>刷新保留消息</translation>
    </message>
    <message>
        <source>Ask the broker for its retained messages again</source>
        <translation>重新向代理获取保留消息</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Deleting %v of %m</source>
        <translation>正在删除 %v / %m</translation>
    </message>
    <message>
        <source>%1 topics · %2 retained</source>
        <translation>%1 个主题 · %2 条保留消息</translation>
    </message>
    <message>
        <source>Delete retained messages</source>
        <translation>删除保留消息</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n retained message(s) on “%1” and the topics below it?
Subscribers will no longer receive them when they subscribe.</source>
        <translation>
            <numerusform>删除“%1”及其下级主题上的 %n 条保留消息？
订阅者在订阅时将不再收到这些消息。</numerusform>
        </translation>
    </message>
    <message>
        <source>Deleting retained messages…</source>
        <translation>正在删除保留消息…</translation>
    </message>
    <message numerus="yes">
        <source>%n retained message(s) deleted</source>
        <translation>
            <numerusform>已删除 %n 条保留消息</numerusform>
        </translation>
    </message>
    <message>
        <source>Copy topic</source>
        <translation>复制主题</translation>
    </message>
    <message>
        <source>Copy filter for this subtree</source>
        <translation>复制此子树的过滤器</translation>
    </message>
    <message>
        <source>cancelled: %1 of %2 retained messages deleted</source>
        <translation>已取消：已删除 %1 / %2 条保留消息</translation>
    </message>
    <message numerus="yes">
        <source>%n retained again since</source>
        <translation>
            <numerusform>其后又有 %n 条被保留</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hermes::ui::ValueChartsView</name>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <source>Drag a rectangle in a chart to zoom in</source>
        <translation>在图表中拖出矩形即可放大</translation>
    </message>
    <message>
        <source>Remove field</source>
        <translation>移除字段</translation>
    </message>
    <message>
        <source>seconds before the newest value</source>
        <translation>距最新值的秒数</translation>
    </message>
    <message>
        <source>No values pinned. In Messages, select a JSON, protobuf or Sparkplug B message and use “Chart a value” in its inspector.</source>
        <translation>尚未固定任何数值。在“消息”中选择一条 JSON、protobuf 或 Sparkplug B 消息，然后在其检查器中使用“绘制数值图表”。</translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) pinned</source>
        <translation>
            <numerusform>已固定 %n 个字段</numerusform>
        </translation>
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
    <message>
        <source>Open the connection profile NAME (File → Connect…), or attach to the broker at HOST:PORT (mqtts://HOST:PORT for TLS, unix:PATH for its Unix socket) instead of embedding one: a hermesd as an operator, any other broker as an MQTT client ($HERMES_USER and $HERMES_PASSWORD log in to an address). Without it, the last used profile opens.</source>
        <translation>打开连接配置 NAME（文件 → 连接…），或连接到 HOST:PORT 上的代理（mqtts://HOST:PORT 为 TLS，unix:PATH 为其 Unix 套接字），而不使用内嵌代理：对 hermesd 以操作员身份连接，对其他代理以 MQTT 客户端身份连接（连接地址时用 $HERMES_USER 和 $HERMES_PASSWORD 登录）。不指定时打开上次使用的连接配置。</translation>
    </message>
</context>
</TS>
