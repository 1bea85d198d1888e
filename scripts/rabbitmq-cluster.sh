#!/bin/sh
# A RabbitMQ cluster on loopback for the scale-out tests: N nodes (default 2) of Debian's
# rabbitmq-server with the MQTT and management plugins, each with its own node name, ports
# and data directory under DIR, sharing one Erlang cookie and a private epmd, joined into one
# cluster. Everything listens on 127.0.0.1 only.
#
#   scripts/rabbitmq-cluster.sh start DIR [NODES]   start, join, create the accounts; writes
#                                                   DIR/cluster.env (ports, node names, users)
#   scripts/rabbitmq-cluster.sh stop DIR            stop every node and the epmd it started
#   scripts/rabbitmq-cluster.sh kill DIR NODE       SIGKILL node NODE (1-based): a crashed node
#   ... start DIR [NODES] --tls CERTDIR             also TLS listeners (below)
#
# Ports come from a base chosen per DIR so that two clusters do not collide:
# node i: MQTT base+i, AMQP base+100+i, management base+200+i, Erlang distribution
# base+300+i; epmd base+400. Accounts: "hermes" (administrator: hermesd's upstream and the
# management API) and "device" (MQTT devices), passwords in DIR/cluster.env.
# Exit status 77 when rabbitmq-server is not installed (the tests report a skip, and CI fails
# on skips: scripts/setup.sh installs it).
set -eu

# --- TLS (optional) -------------------------------------------------------------------
# --tls CERTDIR, anywhere after the command: CERTDIR holds ca.pem, server.pem and server.key
# (PEM, the key unencrypted; the certificate should name 127.0.0.1). Each node then also has
# an MQTT TLS listener on base+50+i and the management API over https on base+250+i, beside
# the plain ones; DIR/cluster.env gets RABBIT_MQTTS_PORT_i and RABBIT_MANAGEMENT_TLS_PORT_i.
# Clients are not asked for a certificate.
tls_dir='' tls_next=''
for arg do
    shift
    if [ -n "$tls_next" ]; then tls_dir=$arg tls_next=''; continue; fi
    if [ "$arg" = --tls ]; then tls_next=1; continue; fi
    set -- "$@" "$arg"
done
if [ -n "$tls_next" ] || { [ -n "$tls_dir" ] && [ ! -r "$tls_dir/server.key" ]; }; then
    echo "rabbitmq-cluster.sh: --tls needs a directory with ca.pem, server.pem and server.key" >&2
    exit 2
fi
[ -z "$tls_dir" ] || tls_dir=$(cd "$tls_dir" && pwd)
tls_conf() { # node: the lines rabbitmq.conf gets
    cat <<EOF
mqtt.listeners.ssl.1 = 127.0.0.1:$((base + 50 + $1))
ssl_options.cacertfile = $tls_dir/ca.pem
ssl_options.certfile = $tls_dir/server.pem
ssl_options.keyfile = $tls_dir/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
management.ssl.ip = 127.0.0.1
management.ssl.port = $((base + 250 + $1))
management.ssl.cacertfile = $tls_dir/ca.pem
management.ssl.certfile = $tls_dir/server.pem
management.ssl.keyfile = $tls_dir/server.key
EOF
}
tls_env() { # nodes: the lines cluster.env gets
    j=1
    while [ "$j" -le "$1" ]; do
        echo "RABBIT_MQTTS_PORT_$j=$((base + 50 + j))"
        echo "RABBIT_MANAGEMENT_TLS_PORT_$j=$((base + 250 + j))"
        j=$((j + 1))
    done
}
# --- end of TLS ------------------------------------------------------------------------

bin=/usr/lib/rabbitmq/bin # the unwrapped scripts: /usr/sbin's switch to the rabbitmq user
command=${1:?usage: rabbitmq-cluster.sh start|stop|kill DIR [NODES|NODE]}
dir=${2:?usage: rabbitmq-cluster.sh start|stop|kill DIR [NODES|NODE]}

if [ ! -x "$bin/rabbitmq-server" ]; then
    echo "rabbitmq-cluster.sh: rabbitmq-server is not installed (apt-get install rabbitmq-server)" >&2
    exit 77
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# A base port from the directory's name, in 20000..32000, so parallel tests use their own;
# every port stays below Linux's ephemeral range (32768-60999), where a busy machine's
# outgoing connections would take a node's distribution or epmd port at random.
base=$((20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 120 * 100))
export HOME="$dir" # the shared .erlang.cookie
export ERL_EPMD_PORT=$((base + 400)) ERL_EPMD_ADDRESS=127.0.0.1

node_name() { echo "hermes-rabbit$1@localhost"; }

# The environment rabbitmq-server and rabbitmqctl read for node $1.
node_env() {
    i=$1
    export RABBITMQ_NODENAME="$(node_name "$i")"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$((base + 100 + i))
    export RABBITMQ_DIST_PORT=$((base + 300 + i))
    export RABBITMQ_BASE="$dir/node$i"
    export RABBITMQ_MNESIA_BASE="$dir/node$i/mnesia"
    export RABBITMQ_LOG_BASE="$dir/node$i/log"
    export RABBITMQ_PID_FILE="$dir/node$i/rabbit.pid"
    export RABBITMQ_CONFIG_FILE="$dir/node$i/rabbitmq.conf"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/node$i/enabled_plugins"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/node$i/advanced.config"
}

ctl() { # node, rabbitmqctl arguments...
    i=$1
    shift
    node_env "$i"
    "$bin/rabbitmqctl" -n "$(node_name "$i")" "$@"
}

case "$command" in
start)
    nodes=${3:-2}
    [ -f "$dir/.erlang.cookie" ] || {
        head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/.erlang.cookie"
        chmod 600 "$dir/.erlang.cookie"
    }
    admin_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    device_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
    i=1
    while [ "$i" -le "$nodes" ]; do
        mkdir -p "$dir/node$i/log" "$dir/node$i/mnesia"
        cat >"$dir/node$i/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$((base + 100 + i))
mqtt.listeners.tcp.1 = 127.0.0.1:$((base + i))
management.tcp.ip = 127.0.0.1
management.tcp.port = $((base + 200 + i))
mqtt.allow_anonymous = false
loopback_users = none
log.file.level = warning
log.console = false
EOF
        [ -z "$tls_dir" ] || tls_conf "$i" >>"$dir/node$i/rabbitmq.conf"
        echo '[].' >"$dir/node$i/advanced.config"
        echo '[rabbitmq_mqtt,rabbitmq_management].' >"$dir/node$i/enabled_plugins"
        node_env "$i"
        "$bin/rabbitmq-server" >"$dir/node$i/server.out" 2>&1 &
        echo $! >"$dir/node$i/server.shell-pid"
        i=$((i + 1))
    done
    i=1
    while [ "$i" -le "$nodes" ]; do
        # await_startup fails at once while the node has not registered with epmd yet.
        deadline=$(($(date +%s) + 180))
        until ctl "$i" await_startup --timeout 20 >/dev/null 2>&1; do
            if [ "$(date +%s)" -ge "$deadline" ]; then
                echo "rabbitmq-cluster.sh: node $i did not start within 180 s; its output:" >&2
                tail -20 "$dir/node$i/server.out" >&2
                exit 1
            fi
            sleep 1
        done
        if [ "$i" -gt 1 ]; then
            ctl "$i" stop_app >/dev/null
            ctl "$i" join_cluster "$(node_name 1)" >/dev/null
            ctl "$i" start_app >/dev/null
        fi
        i=$((i + 1))
    done
    ctl 1 add_user hermes "$admin_password" >/dev/null
    ctl 1 set_user_tags hermes administrator >/dev/null
    ctl 1 set_permissions -p / hermes '.*' '.*' '.*' >/dev/null
    ctl 1 add_user device "$device_password" >/dev/null
    ctl 1 set_permissions -p / device '.*' '.*' '.*' >/dev/null
    {
        echo "RABBIT_NODES=$nodes"
        i=1
        while [ "$i" -le "$nodes" ]; do
            echo "RABBIT_MQTT_PORT_$i=$((base + i))"
            echo "RABBIT_MANAGEMENT_PORT_$i=$((base + 200 + i))"
            echo "RABBIT_NODE_$i=$(node_name "$i")"
            i=$((i + 1))
        done
        echo "RABBIT_ADMIN_USER=hermes"
        echo "RABBIT_ADMIN_PASSWORD=$admin_password"
        echo "RABBIT_DEVICE_USER=device"
        echo "RABBIT_DEVICE_PASSWORD=$device_password"
    } >"$dir/cluster.env"
    [ -z "$tls_dir" ] || tls_env "$nodes" >>"$dir/cluster.env"
    running=$(ctl 1 cluster_status --formatter json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["running_nodes"]))')
    if [ "$running" -ne "$nodes" ]; then
        echo "rabbitmq-cluster.sh: $running of $nodes nodes running in the cluster" >&2
        exit 1
    fi
    echo "rabbitmq-cluster.sh: $nodes nodes running in one cluster; ports in $dir/cluster.env"
    ;;
stop)
    for pidfile in "$dir"/node*/rabbit.pid; do
        [ -f "$pidfile" ] || continue
        i=$(basename "$(dirname "$pidfile")" | tr -dc 0-9)
        ctl "$i" stop >/dev/null 2>&1 || kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    done
    for pidfile in "$dir"/node*/server.shell-pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    ;;
kill)
    node=${3:?usage: rabbitmq-cluster.sh kill DIR NODE}
    kill -KILL "$(cat "$dir/node$node/rabbit.pid")"
    ;;
*)
    echo "rabbitmq-cluster.sh: unknown command $command" >&2
    exit 2
    ;;
esac
