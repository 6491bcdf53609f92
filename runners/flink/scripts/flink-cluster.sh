#!/usr/bin/env bash
# A real multi-JVM Flink 1.19 session cluster from Maven jars (flink-dist is not in the registry):
# one JobManager (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner), each
# a child JVM with a generated flink-conf.yaml, and the FlinkRunner client that submits to it.
#
#   flink-cluster.sh start                  start the cluster; returns once every TaskManager has
#                                           registered (bounded by FLINK_START_TIMEOUT seconds)
#   flink-cluster.sh status                 processes and the cluster overview; exit 1 if down
#   flink-cluster.sh submit <jar> <args>    java -jar <jar> <args> --runner=FlinkRunner
#                                             --flinkMaster=localhost:<rest port>
#                                             --parallelism=<FLINK_PARALLELISM> (each unless given)
#   flink-cluster.sh stop                   stop the JVMs this script started (by their pid files)
#
# Example, from the repository root:
#   mvn -o -B package -DskipTests -Pflink-runner -pl runners/flink -am
#   runners/flink/scripts/flink-cluster.sh start
#   runners/flink/scripts/flink-cluster.sh submit runners/flink/target/tidemark-flink.jar \
#       engagement --streaming --generatorEvents=20000 --outputDir=$PWD/out
#   runners/flink/scripts/flink-cluster.sh stop
#
# Settings (environment):
#   FLINK_CLUSTER_DIR    state: conf/, log/, tmp/, pid files, classpath.txt
#                        (default runners/flink/target/flink-cluster)
#   FLINK_REST_PORT      JobManager REST port (8081); FLINK_RPC_PORT JobManager RPC port (6123)
#   FLINK_TASKMANAGERS   TaskManager JVMs (2); FLINK_TASK_SLOTS slots per TaskManager (1)
#   FLINK_PARALLELISM    parallelism.default (TaskManagers x slots)
#   FLINK_TM_HEAP_MB     task heap per TaskManager (384); FLINK_START_TIMEOUT seconds (120)
#   FLINK_WEB_UI=1       add flink-runtime-web (the dashboard) to the classpath
#   FLINK_PROMETHEUS_PORT  P: export every JVM's metrics (Beam's among them) with Flink's Prometheus
#                        reporter, the JobManager on http://localhost:P/metrics and TaskManager i
#                        on port P+i (flink-metrics-prometheus joins the classpath)
#   FLINK_ASK_TIMEOUT    pekko.ask.timeout, e.g. "60 s" (Flink's 10 s when unset): how long the
#                        JobManager waits for a TaskManager to take a task; a job of many tasks
#                        on a loaded machine can need more
#   JAVA                 the java to run (java)
# The cluster's classpath has Flink and a logger only; Beam and the pipelines travel in each
# submitted job's jar. All JVMs bind to localhost.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=${FLINK_CLUSTER_DIR:-$REPO/runners/flink/target/flink-cluster}
REST_PORT=${FLINK_REST_PORT:-8081}
PROM_PORT=${FLINK_PROMETHEUS_PORT:-}
RPC_PORT=${FLINK_RPC_PORT:-6123}
TASKMANAGERS=${FLINK_TASKMANAGERS:-2}
SLOTS=${FLINK_TASK_SLOTS:-1}
PARALLELISM=${FLINK_PARALLELISM:-$((TASKMANAGERS * SLOTS))}
TM_HEAP_MB=${FLINK_TM_HEAP_MB:-384}
START_TIMEOUT=${FLINK_START_TIMEOUT:-120}
JAVA=${JAVA:-java}
JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

# Flink's own JVM options for Java 17 (as its config.yaml sets env.java.opts.all).
JAVA17_OPTS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

die() { echo "flink-cluster: $*" >&2; exit 1; }

# The classpath of the cluster JVMs, resolved once from cluster/pom.xml and cached.
classpath() {
  local pom="$HERE/cluster/pom.xml" profile=() name=classpath
  [[ "${FLINK_WEB_UI:-0}" == 1 ]] && profile+=(-Pweb-ui) && name+=-web-ui
  [[ -n "$PROM_PORT" ]] && profile+=(-Pprometheus) && name+=-prometheus
  local out="$DIR/$name.txt"
  if [[ ! -s "$out" || "$pom" -nt "$out" ]]; then
    mkdir -p "$DIR"
    # Offline first (fast, no network); on a new machine Maven fetches what the local repository lacks.
    if ! mvn -o -q -B -f "$pom" "${profile[@]}" dependency:build-classpath -Dmdep.outputFile="$out" >"$DIR/classpath.log" 2>&1; then
      mvn -q -B -f "$pom" "${profile[@]}" dependency:build-classpath -Dmdep.outputFile="$out" >"$DIR/classpath.log" 2>&1 \
        || die "cannot resolve the Flink classpath (see $DIR/classpath.log)"
    fi
  fi
  cat "$out"
}

write_conf() {
  local task_offheap=0 network=64 fw_offheap=128
  mkdir -p "$DIR/conf" "$DIR/log" "$DIR/tmp"
  cat >"$DIR/conf/flink-conf.yaml" <<EOF
# Generated by flink-cluster.sh: a session cluster on localhost.
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: localhost
jobmanager.memory.process.size: 1024m
rest.address: localhost
rest.bind-address: localhost
rest.port: $REST_PORT
taskmanager.host: localhost
taskmanager.bind-host: localhost
taskmanager.numberOfTaskSlots: $SLOTS
parallelism.default: $PARALLELISM
# A TaskManager started without Flink's scripts needs its resources spelled out.
taskmanager.cpu.cores: $SLOTS
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.task.heap.size: ${TM_HEAP_MB}m
taskmanager.memory.framework.off-heap.size: ${fw_offheap}m
taskmanager.memory.task.off-heap.size: ${task_offheap}m
taskmanager.memory.network.min: ${network}m
taskmanager.memory.network.max: ${network}m
taskmanager.memory.managed.size: 64m
taskmanager.memory.jvm-metaspace.size: 256m
taskmanager.memory.jvm-overhead.min: 192m
taskmanager.memory.jvm-overhead.max: 192m
io.tmp.dirs: $DIR/tmp
web.tmpdir: $DIR/tmp/web
blob.storage.directory: $DIR/tmp/blob
# Finished jobs stay visible for the client and for status.
jobstore.expiration-time: 3600
EOF
  if [[ -n "${FLINK_ASK_TIMEOUT:-}" ]]; then
    echo "pekko.ask.timeout: $FLINK_ASK_TIMEOUT" >>"$DIR/conf/flink-conf.yaml"
  fi
  if [[ -n "$PROM_PORT" ]]; then
    # Each JVM takes its own port of this range by a dynamic property (see prom_port).
    cat >>"$DIR/conf/flink-conf.yaml" <<EOF
# Metrics, Beam's user metrics among them, for Prometheus to scrape at http://localhost:<port>/metrics.
metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
metrics.reporter.prom.port: $PROM_PORT-$((PROM_PORT + TASKMANAGERS))
EOF
  fi
  # JVM sizes that match the memory model above (what Flink's scripts would compute).
  TM_JVM=(-Xms$((128 + TM_HEAP_MB))m -Xmx$((128 + TM_HEAP_MB))m
    -XX:MaxDirectMemorySize=$((fw_offheap + task_offheap + network))m -XX:MaxMetaspaceSize=256m)
  JM_JVM=(-Xms512m -Xmx512m -XX:MaxMetaspaceSize=256m)
}

# Whether pid file $1 names a live process of class $2 with this cluster's config.
alive() {
  local pidfile=$1 cls=$2 pid cmd
  [[ -f "$pidfile" ]] || return 1
  pid=$(cat "$pidfile")
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ "$cmd" == *"$cls --configDir $DIR/conf"* ]]
}

# GET a path of the REST API; curl when there is one, else bash's /dev/tcp.
rest_get() {
  if command -v curl >/dev/null; then
    curl -sf --max-time 2 "http://localhost:$REST_PORT$1"
  else
    local response
    exec 3<>"/dev/tcp/localhost/$REST_PORT" || return 1
    printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&3
    response=$(timeout 2 cat <&3) || true
    exec 3<&-
    [[ "$response" == "HTTP/1."?" 200"* ]] || return 1
    printf '%s' "${response#*$'\r\n\r\n'}"
  fi
}

overview() { rest_get /overview; }

registered_taskmanagers() {
  overview | sed -n 's/.*"taskmanagers":\([0-9]*\).*/\1/p'
}

# The dynamic property that gives JVM $1 (0 the JobManager, i TaskManager i) its reporter port.
prom_port() {
  [[ -n "$PROM_PORT" ]] && echo -D "metrics.reporter.prom.port=$((PROM_PORT + $1))"
  return 0
}

launch() { # name class jvm-opts... -- args...
  local name=$1 cls=$2 cp
  shift 2
  local opts=()
  while [[ $1 != -- ]]; do opts+=("$1"); shift; done
  shift
  cp=$(classpath)
  nohup "$JAVA" "${opts[@]}" "${JAVA17_OPTS[@]}" -Dlog.file="$DIR/log/$name.log" \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
    -cp "$cp" "$cls" --configDir "$DIR/conf" "$@" \
    >"$DIR/log/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

start() {
  if alive "$DIR/jobmanager.pid" "$JM_CLASS"; then
    die "a cluster is already running from $DIR (pid $(cat "$DIR/jobmanager.pid")); stop it first"
  fi
  if overview >/dev/null; then
    die "port $REST_PORT already answers; set FLINK_REST_PORT"
  fi
  classpath >/dev/null
  write_conf
  # shellcheck disable=SC2046 # prom_port prints nothing or two words
  launch jobmanager "$JM_CLASS" "${JM_JVM[@]}" -- $(prom_port 0)
  for i in $(seq 1 "$TASKMANAGERS"); do
    # shellcheck disable=SC2046
    launch "taskmanager-$i" "$TM_CLASS" "${TM_JVM[@]}" -- -D "taskmanager.resource-id=tm-$i" $(prom_port "$i")
  done
  local deadline=$((SECONDS + START_TIMEOUT)) n=""
  while ((SECONDS < deadline)); do
    alive "$DIR/jobmanager.pid" "$JM_CLASS" || { tail -20 "$DIR/log/jobmanager.log" >&2; stop >/dev/null; die "the JobManager exited; log: $DIR/log/jobmanager.log"; }
    for i in $(seq 1 "$TASKMANAGERS"); do
      alive "$DIR/taskmanager-$i.pid" "$TM_CLASS" || { tail -20 "$DIR/log/taskmanager-$i.log" >&2; stop >/dev/null; die "TaskManager $i exited; log: $DIR/log/taskmanager-$i.log"; }
    done
    n=$(registered_taskmanagers || true)
    if [[ "$n" == "$TASKMANAGERS" ]]; then
      echo "Flink session cluster up: REST http://localhost:$REST_PORT, $TASKMANAGERS TaskManager(s) x $SLOTS slot(s), state in $DIR"
      if [[ -n "$PROM_PORT" ]]; then
        echo "Prometheus: JobManager http://localhost:$PROM_PORT/metrics, TaskManager i http://localhost:<$PROM_PORT + i>/metrics"
      fi
      return 0
    fi
    sleep 1
  done
  stop >/dev/null
  die "the cluster was not up within ${START_TIMEOUT}s (TaskManagers registered: ${n:-none}); logs in $DIR/log"
}

stop_one() { # pidfile class
  local pidfile=$1 cls=$2 pid
  if alive "$pidfile" "$cls"; then
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      [[ -d /proc/$pid ]] || break
      sleep 0.5
    done
    if [[ -d /proc/$pid ]]; then kill -9 "$pid" 2>/dev/null || true; fi
    echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
  fi
  rm -f "$pidfile"
}

stop() {
  local f
  for f in "$DIR"/taskmanager-*.pid; do
    [[ -e "$f" ]] && stop_one "$f" "$TM_CLASS"
  done
  stop_one "$DIR/jobmanager.pid" "$JM_CLASS"
}

status() {
  local up=0 f
  if alive "$DIR/jobmanager.pid" "$JM_CLASS"; then
    echo "jobmanager    pid $(cat "$DIR/jobmanager.pid")"; up=1
  else
    echo "jobmanager    not running"
  fi
  for f in "$DIR"/taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    if alive "$f" "$TM_CLASS"; then echo "$(basename "$f" .pid) pid $(cat "$f")"; else echo "$(basename "$f" .pid) not running"; fi
  done
  if ((up)) && overview; then
    echo
    rest_get /jobs/overview && echo
    return 0
  fi
  return 1
}

submit() {
  [[ $# -ge 1 ]] || die "usage: flink-cluster.sh submit <jar> <pipeline> [--option=value ...]"
  local jar=$1
  shift
  [[ -f "$jar" ]] || die "no jar $jar (build it: mvn -o -B package -DskipTests -Pflink-runner -pl runners/flink -am)"
  local extra=()
  [[ " $* " == *" --runner="* ]] || extra+=(--runner=FlinkRunner)
  [[ " $* " == *" --flinkMaster="* ]] || extra+=("--flinkMaster=localhost:$REST_PORT")
  # The client does not read the cluster's parallelism.default: without this the job runs at 1.
  [[ " $* " == *" --parallelism="* ]] || extra+=("--parallelism=$PARALLELISM")
  exec "$JAVA" -jar "$jar" "$@" "${extra[@]}"
}

# --- Savepoint, cancel and restore: the REST calls a user makes on a running job. ---
#   flink-cluster.sh jobs                          the running jobs' ids and names
#   flink-cluster.sh savepoint <job-id> <dir>      stop the job with a savepoint under <dir> (Flink's
#                                                  POST /jobs/<id>/stop, drain false: windows and
#                                                  join state stay open in the savepoint); prints
#                                                  the savepoint's path once it completed
#   flink-cluster.sh cancel <job-id>               cancel the job without a savepoint
#   flink-cluster.sh restore <savepoint> <jar> <args>   submit with --savepointPath=<savepoint>
# FLINK_SAVEPOINT_TIMEOUT (seconds, 120) bounds the wait for the savepoint.

rest_send() { # method path [json body]
  command -v curl >/dev/null || die "curl is needed for $1 $2"
  if [[ $# -ge 3 ]]; then
    curl -sS -f --max-time 10 -X "$1" -H 'Content-Type: application/json' -d "$3" "http://localhost:$REST_PORT$2"
  else
    curl -sS -f --max-time 10 -X "$1" "http://localhost:$REST_PORT$2"
  fi
}

jobs_list() {
  rest_get /jobs/overview | tr '{' '\n' | sed -n 's/.*"jid":"\([0-9a-f]*\)","name":"\([^"]*\)".*"state":"\([A-Z]*\)".*/\1 \3 \2/p'
}

savepoint() {
  [[ $# -eq 2 ]] || die "usage: flink-cluster.sh savepoint <job-id> <target dir>"
  local job=$1 target=$2 trigger status location deadline
  [[ "$target" == *://* ]] || { mkdir -p "$target"; target="file://$(cd "$target" && pwd)"; }
  trigger=$(rest_send POST "/jobs/$job/stop" "{\"targetDirectory\":\"$target\",\"drain\":false}" |
    sed -n 's/.*"request-id":"\([^"]*\)".*/\1/p')
  [[ -n "$trigger" ]] || die "the JobManager did not accept the stop request for job $job"
  deadline=$((SECONDS + ${FLINK_SAVEPOINT_TIMEOUT:-120}))
  while ((SECONDS < deadline)); do
    status=$(rest_get "/jobs/$job/savepoints/$trigger" || true)
    if [[ "$status" == *'"id":"COMPLETED"'* ]]; then
      location=$(sed -n 's/.*"location":"\([^"]*\)".*/\1/p' <<<"$status")
      [[ -n "$location" ]] || die "savepoint of job $job failed: $status"
      echo "$location"
      return 0
    fi
    sleep 0.5
  done
  die "no savepoint of job $job within ${FLINK_SAVEPOINT_TIMEOUT:-120}s (trigger $trigger): $status"
}

cancel() {
  [[ $# -eq 1 ]] || die "usage: flink-cluster.sh cancel <job-id>"
  rest_send PATCH "/jobs/$1?mode=cancel" >/dev/null
  echo "cancelled $1"
}

restore() {
  [[ $# -ge 2 ]] || die "usage: flink-cluster.sh restore <savepoint> <jar> <pipeline> [--option=value ...]"
  local sp=$1
  shift
  submit "$@" "--savepointPath=$sp"
}
# --- end of savepoint, cancel and restore ---

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  submit) submit "$@" ;;
  classpath) classpath ;;
  jobs) jobs_list ;;
  savepoint) savepoint "$@" ;;
  cancel) cancel "$@" ;;
  restore) restore "$@" ;;
  *) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
