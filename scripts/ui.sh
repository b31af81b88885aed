#!/usr/bin/env bash
# `make ui` / `make stop`: Airflow on this machine (embedded default: SQLite metadata, the
# demo warehouse, outbox instead of SMTP) with the DAG, the Reports plugin and the demo reports.
#
#   scripts/ui.sh start   start `airflow standalone` in the background; print URL and login
#   scripts/ui.sh stop    stop it (the whole process group), wait until the port is closed
#
# Environment (the Makefile sets the first four): AIRFLOW_HOME, AIRFLOW__CORE__DAGS_FOLDER,
# AIRFLOW__CORE__PLUGINS_FOLDER, AIRFLOW_CONN_SATISFACTION_WAREHOUSE; UI_DIR (pid, log,
# password; default var/ui), UI_PORT (default: 8080, else the first free port above it).
set -euo pipefail
UI_DIR=${UI_DIR:-var/ui}
mkdir -p "$UI_DIR"
PID_FILE=$UI_DIR/airflow.pid

running() { [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

free_port() {
  python - "$1" <<'EOF'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) != 0:
            print(port)
            break
    port += 1
EOF
}

login_banner() {
  local url
  url=$(cat "$UI_DIR/url")
  echo "Airflow UI:   $url/"
  echo "Reports page: $url/plugin/satisfaction-reports  (menu: Reports)"
  echo "Login:        admin / $(python -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"])' "$UI_DIR/passwords.json")"
  echo "Log:          $UI_DIR/airflow.log    Stop with: make stop"
}

start() {
  if running; then
    echo "already running (pid $(cat "$PID_FILE"))"
    login_banner
    return 0
  fi
  local port=${UI_PORT:-$(free_port 8080)}
  # One password per checkout, kept in var/ui (not in git), shown on every start.
  if [[ ! -f $UI_DIR/passwords.json ]]; then
    python -c 'import json, secrets, sys; json.dump({"admin": secrets.token_urlsafe(12)}, open(sys.argv[1], "w"))' \
      "$UI_DIR/passwords.json"
  fi
  export AIRFLOW__API__PORT=$port
  export AIRFLOW__API__BASE_URL=http://localhost:$port
  export AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://localhost:$port/execution/
  export AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=admin:admin
  export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=$UI_DIR/passwords.json
  echo "http://localhost:$port" > "$UI_DIR/url"
  # Its own session and process group, so `stop` ends every component it started.
  setsid airflow standalone > "$UI_DIR/airflow.log" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  echo "starting Airflow on port $port (first start migrates the metadata DB: about a minute) …"
  for _ in $(seq 300); do
    if ! running; then
      echo "Airflow exited; the end of its log:" >&2
      tail -n 30 "$UI_DIR/airflow.log" >&2
      exit 1
    fi
    if python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "http://127.0.0.1:$port/api/v2/monitor/health" 2>/dev/null; then
      # The pool the DAG's renders run in ([render] pool, pool_slots): without it the
      # scheduler would never queue a render of a run triggered from the UI.
      read -r pool slots < <(python -c 'from etl.core import load_settings; p = load_settings().render_pool; print(p.name, p.slots)')
      airflow pools set "$pool" "$slots" "satisfaction report renders at once" > /dev/null
      login_banner
      return 0
    fi
    sleep 1
  done
  echo "Airflow did not answer on port $port within 300 s; see $UI_DIR/airflow.log" >&2
  exit 1
}

stop() {
  if ! running; then
    echo "Airflow UI is not running"
    rm -f "$PID_FILE"
    return 0
  fi
  local pid
  pid=$(cat "$PID_FILE")
  # standalone shuts its components down on an interrupt; the group TERM catches stragglers.
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 15); do pgrep -g "$pid" >/dev/null || break; sleep 1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  echo "Airflow UI stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
