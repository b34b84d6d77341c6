#!/usr/bin/env python3
"""Fleet on PostgreSQL: three POP3 nodes behind PgBouncer (transaction mode) on one PostgreSQL, on loopback.

Run from the repository root, as root (PostgreSQL and PgBouncer are run as the postgres user):

    python3 tests/Tools/Fleet/fleet.py [--sessions 5000] [--lease 30] [--hold 30] [--pool 20]

It publishes src/Pop3.Server, starts a private PostgreSQL 15 cluster, PgBouncer (pool_mode=transaction,
default_pool_size=--pool) and three nodes (Pop3:Store=PostgreSql through PgBouncer, MigrateOnStart=false after one
`migrate`), and then checks, printing one line per figure and a summary:

  hold     --sessions logged-in sessions spread over the nodes, answering NOOP; every second for --hold seconds it
           counts PostgreSQL backends (pg_stat_activity) and GETs every node's /readyz.
  restart  pg_ctl restart -m fast under that load, while logins to mailboxes held by a session are tried on other
           nodes (each must get -ERR [IN-USE]) and fresh users log in (time to the first +OK after PostgreSQL is back).
  freeze   SIGSTOP of node 3; its users log in on node 1 (time until they get in, against lease + 5 s); SIGCONT; the
           frozen node's stale sessions then DELE 1 and QUIT, which must answer -ERR [SYS/TEMP] and delete nothing.
  mail     every message hashed (md5 of mailbox, UIDL and body) before and after: 0 lost, 0 wrongly deleted.

Not part of `dotnet test` or CI (minutes long, 10,000+ sockets). Everything it starts is stopped at the end and its
folder removed. Load goes to 127.0.0.1 only, bounded by --sessions and the phases' durations.
"""

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PG_BIN = "/usr/lib/postgresql/15/bin"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, **kwargs)


class Fleet:
    def __init__(self, work, args):
        self.work = work
        self.args = args
        self.pg_port = free_port()
        self.bouncer_port = free_port()
        self.nodes = []  # (process, pop3 port, admin port)
        self.bouncer = None
        self.pg_data = os.path.join(work, "pg", "data")

    # PostgreSQL ------------------------------------------------------------------------------------------------
    def start_postgres(self):
        pg = os.path.join(self.work, "pg")
        os.makedirs(pg)
        shutil.chown(pg, "postgres", "postgres")
        as_postgres([f"{PG_BIN}/initdb", "-D", self.pg_data, "-U", "postgres", "--auth=trust", "--no-sync"], stdout=subprocess.DEVNULL)
        self.pg_ctl("start")
        self.psql("CREATE DATABASE fleet", database="postgres")

    def pg_ctl(self, action):
        pg = os.path.join(self.work, "pg")
        as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.pg_data, "-l", os.path.join(pg, "log"), "-m", "fast",
                     "-o", f"-p {self.pg_port} -k {pg} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", action],
                    stdout=subprocess.DEVNULL)

    def psql(self, sql, database="fleet"):
        out = subprocess.run([f"{PG_BIN}/psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", database,
                              "-XAtq", "-c", sql], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def backends(self):
        # Client backends other than this query's own: the nodes' connections through PgBouncer, and nothing else.
        return int(self.psql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"))

    def mail_hash(self):
        return self.psql("SELECT count(*) || ' ' || coalesce(md5(string_agg(mailbox || ':' || uidl || ':' || md5(body), ',' ORDER BY mailbox, uidl)), '') FROM pop3_messages")

    # PgBouncer ---------------------------------------------------------------------------------------------------
    def start_pgbouncer(self):
        folder = os.path.join(self.work, "pgbouncer")
        os.makedirs(folder)
        with open(os.path.join(folder, "userlist.txt"), "w") as f:
            f.write('"postgres" ""\n')
        with open(os.path.join(folder, "pgbouncer.ini"), "w") as f:
            f.write(f"""[databases]
* = host=127.0.0.1 port={self.pg_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.bouncer_port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = {self.args.pool}
max_client_conn = 1000
server_login_retry = 1
logfile = {folder}/pgbouncer.log
""")
        shutil.chown(folder, "postgres", "postgres")
        for name in os.listdir(folder):
            shutil.chown(os.path.join(folder, name), "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.bouncer = subprocess.Popen(prefix + ["pgbouncer", os.path.join(folder, "pgbouncer.ini")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.bouncer_port)

    # Nodes -------------------------------------------------------------------------------------------------------
    def server_env(self, node_id):
        env = dict(os.environ)
        env.update({
            "Pop3__Store": "PostgreSql",
            # Through PgBouncer: no prepared statements (Npgsql prepares none unless told), no reset on close (PgBouncer
            # hands the server connection to another client after each transaction anyway).
            "Pop3__PostgreSql__ConnectionString":
                f"Host=127.0.0.1;Port={self.bouncer_port};Database=fleet;Username=postgres;Maximum Pool Size=40;No Reset On Close=true",
            "Pop3__PostgreSql__MigrateOnStart": "false",
            "Pop3__PostgreSql__LeaseSeconds": str(self.args.lease),
            "Pop3__PostgreSql__NodeId": node_id,
            "Pop3__Authentication__UsersFile": os.path.join(self.work, "users"),
            "Pop3__Authentication__FailureDelay": "00:00:00",
            "Pop3__Limits__MaxConnections": str(self.args.sessions + 1000),
            "Pop3__Limits__MaxConnectionsPerIp": str(self.args.sessions + 1000),
            "Pop3__DataPath": os.path.join(self.work, "data-" + node_id),
            "Logging__LogLevel__Default": "Warning",
            "DOTNET_gcServer": "0",
        })
        return env

    def migrate(self):
        env = self.server_env("migrate")
        subprocess.run(["dotnet", os.path.join(self.work, "server", "Pop3.Server.dll"), "migrate"], check=True, env=env,
                       cwd=self.work, stdout=subprocess.DEVNULL)

    def start_node(self, index):
        pop3, admin = free_port(), free_port()
        env = self.server_env(f"node{index}")
        env.update({
            "Pop3__Endpoints__Default__Address": "127.0.0.1",
            "Pop3__Endpoints__Default__Port": str(pop3),
            "Pop3__Admin__Address": "127.0.0.1",
            "Pop3__Admin__Port": str(admin),
        })
        log = open(os.path.join(self.work, f"node{index}.log"), "w")
        process = subprocess.Popen(["dotnet", os.path.join(self.work, "server", "Pop3.Server.dll")], env=env, cwd=self.work,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.nodes.append((process, pop3, admin))

    def ready(self):
        codes = []
        for _, _, admin in self.nodes:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{admin}/readyz", timeout=2) as response:
                    codes.append(response.status)
            except urllib.error.HTTPError as e:
                codes.append(e.code)
            except OSError:
                codes.append(0)
        return codes

    def stop(self):
        for process, _, _ in self.nodes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
                process.terminate()
        for process, _, _ in self.nodes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.bouncer is not None and self.bouncer.poll() is None:
            os.killpg(self.bouncer.pid, signal.SIGTERM)
            self.bouncer.wait(timeout=10)
        if os.path.exists(os.path.join(self.pg_data, "postmaster.pid")):
            as_postgres([f"{PG_BIN}/pg_ctl", "-D", self.pg_data, "-m", "immediate", "-w", "stop"], stdout=subprocess.DEVNULL)


def wait_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Session:
    """One POP3 client connection: a line reader over asyncio streams."""

    def __init__(self, user, node):
        self.user = user
        self.node = node
        self.reader = None
        self.writer = None

    async def connect(self, port):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)
        return await self.line()

    async def line(self):
        return (await self.reader.readline()).decode("ascii", "replace").rstrip("\r\n")

    async def command(self, text):
        self.writer.write(text.encode("ascii") + b"\r\n")
        await self.writer.drain()
        return await self.line()

    async def login(self, port, password="secret"):
        await self.connect(port)
        await self.command(f"USER {self.user}")
        return await self.command(f"PASS {password}")

    def close(self):
        if self.writer is not None:
            self.writer.close()


async def try_login(user, port):
    """Logs in and QUITs at once without deleting anything; returns the PASS reply."""
    session = Session(user, None)
    try:
        reply = await asyncio.wait_for(session.login(port), 10)
        if reply.startswith("+OK"):
            await session.command("QUIT")
        return reply
    except (OSError, asyncio.TimeoutError) as e:
        return f"(connection: {e!r})"
    finally:
        session.close()


async def run(fleet, args):
    results = {}
    ports = [pop3 for _, pop3, _ in fleet.nodes]
    before = fleet.mail_hash()
    results["messages"] = before.split()[0]

    # hold ----------------------------------------------------------------------------------------------------------
    sessions = [Session(f"user{i}", i % 3) for i in range(args.sessions)]
    gate = asyncio.Semaphore(64)
    failures = []

    async def login(session):
        async with gate:
            reply = await session.login(ports[session.node])
            if not reply.startswith("+OK"):
                failures.append((session.user, reply))

    started = time.monotonic()
    await asyncio.gather(*(login(s) for s in sessions))
    results["login_seconds"] = round(time.monotonic() - started, 1)
    results["login_failures"] = len(failures)
    print(f"hold: {args.sessions} sessions logged in in {results['login_seconds']} s, {len(failures)} refused {failures[:3]}", flush=True)

    async def noop_sweep():
        bad = 0
        for chunk in range(0, len(sessions), 500):
            replies = await asyncio.gather(*(s.command("NOOP") for s in sessions[chunk:chunk + 500]), return_exceptions=True)
            bad += sum(1 for r in replies if not (isinstance(r, str) and r == "+OK"))
        return bad

    peak, not_ready, samples = 0, 0, 0
    deadline = time.monotonic() + args.hold
    noop_bad = 0
    while time.monotonic() < deadline:
        tick = time.monotonic()
        noop_bad += await noop_sweep()
        peak = max(peak, fleet.backends())
        codes = fleet.ready()
        not_ready += sum(1 for c in codes if c != 200)
        samples += 1
        await asyncio.sleep(max(0, 1 - (time.monotonic() - tick)))
    results.update(hold_backends_peak=peak, hold_readyz_not_200=not_ready, hold_samples=samples, hold_noop_failures=noop_bad)
    print(f"hold: {samples} samples over {args.hold} s: PostgreSQL backends peak {peak}, /readyz not 200: {not_ready}, NOOP failures: {noop_bad}", flush=True)

    # restart -------------------------------------------------------------------------------------------------------
    held = sessions[:60]
    admitted_twice = []
    probing = True

    async def probe_held():
        while probing:
            replies = await asyncio.gather(*(try_login(s.user, ports[(s.node + 1) % 3]) for s in held))
            for s, reply in zip(held, replies):
                if reply.startswith("+OK"):
                    admitted_twice.append(s.user)
            await asyncio.sleep(0.05)

    prober = asyncio.create_task(probe_held())
    fresh = [f"user{i}" for i in range(args.sessions, args.sessions + 200)]
    restart_started = time.monotonic()
    await asyncio.to_thread(fleet.pg_ctl, "restart")
    back = time.monotonic()
    first_ok = None
    attempt = 0
    while first_ok is None and time.monotonic() - back < 30:
        reply = await try_login(fresh[attempt % len(fresh)], ports[attempt % 3])
        attempt += 1
        if reply.startswith("+OK"):
            first_ok = time.monotonic() - back
        else:
            await asyncio.sleep(0.05)
    await asyncio.sleep(3)
    probing = False
    await prober
    noop_after = await noop_sweep()
    results.update(restart_seconds=round(back - restart_started, 1), restart_first_login_after_back=round(first_ok, 2) if first_ok is not None else None,
                   restart_second_session_admitted=len(admitted_twice), restart_noop_failures=noop_after,
                   restart_readyz=fleet.ready())
    print(f"restart: pg_ctl restart took {results['restart_seconds']} s; first login {results['restart_first_login_after_back']} s after it was back; "
          f"second session admitted to a held mailbox: {len(admitted_twice)}; NOOP failures after: {noop_after}; /readyz {results['restart_readyz']}", flush=True)

    # freeze --------------------------------------------------------------------------------------------------------
    frozen_process = fleet.nodes[2][0]
    stale = [s for s in sessions if s.node == 2][:100]
    os.kill(frozen_process.pid, signal.SIGSTOP)
    frozen_at = time.monotonic()
    movers = [Session(s.user, 0) for s in stale]
    waits = []

    async def move(session):
        while time.monotonic() - frozen_at < args.lease + 30:
            session.close()
            try:
                reply = await asyncio.wait_for(session.login(ports[0]), 10)
            except (OSError, asyncio.TimeoutError):
                reply = ""
            if reply.startswith("+OK"):
                waits.append(time.monotonic() - frozen_at)
                return
            await asyncio.sleep(0.25)

    await asyncio.gather(*(move(m) for m in movers))
    os.kill(frozen_process.pid, signal.SIGCONT)
    stale_replies = []
    for s in stale:
        await s.command("DELE 1")
        stale_replies.append(await asyncio.wait_for(s.command("QUIT"), 30))
        s.close()
    refused = sum(1 for r in stale_replies if r.startswith("-ERR [SYS/TEMP]"))
    for m in movers:
        await m.command("QUIT")
        m.close()
    results.update(freeze_moved=len(waits), freeze_of=len(stale), freeze_max_wait=round(max(waits), 1) if waits else None,
                   freeze_stale_quit_refused=refused, freeze_stale_quit_replies=sorted(set(stale_replies))[:3])
    print(f"freeze: {len(waits)}/{len(stale)} users of the frozen node logged in on node 1, the last {results['freeze_max_wait']} s after SIGSTOP "
          f"(lease {args.lease} s); stale QUITs refused: {refused}/{len(stale)} {results['freeze_stale_quit_replies']}", flush=True)

    # mail ----------------------------------------------------------------------------------------------------------
    for s in sessions:
        if s.node != 2 or s not in stale:
            s.writer.write(b"QUIT\r\n")
    await asyncio.sleep(1)
    for s in sessions:
        s.close()
    after = fleet.mail_hash()
    results.update(mail_before=before, mail_after=after, mail_unchanged=before == after)
    print(f"mail: before {before}, after {after}: {'unchanged' if before == after else 'CHANGED'}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--lease", type=int, default=30)
    parser.add_argument("--hold", type=int, default=30)
    parser.add_argument("--pool", type=int, default=20)
    parser.add_argument("--messages", type=int, default=2, help="messages of 4 KiB per user")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="pop3-fleet-")
    os.chmod(work, 0o755)
    fleet = Fleet(work, args)
    try:
        print(f"publishing src/Pop3.Server into {work}/server", flush=True)
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "src", "Pop3.Server"), "-c", "Release", "-o", os.path.join(work, "server"),
                        "-nologo", "-v", "q"], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(work, "users"), "w") as f:
            for i in range(args.sessions + 200):
                f.write(f"user{i}:{{PLAIN}}secret\n")
        fleet.start_postgres()
        fleet.start_pgbouncer()
        fleet.migrate()
        fleet.psql(f"""INSERT INTO pop3_messages (mailbox, uidl, size, body)
            SELECT 'user' || u, 'm' || m, 4096, convert_to('Subject: ' || u || '/' || m || E'\\r\\n\\r\\n' || repeat('x', 4080 - length(u::text) - length(m::text)) || E'\\r\\n', 'UTF8')
            FROM generate_series(0, {args.sessions + 199}) u, generate_series(1, {args.messages}) m""")
        for index in range(1, 4):
            fleet.start_node(index)
        for _, pop3, admin in fleet.nodes:
            wait_port(pop3)
        print(f"PostgreSQL on {fleet.pg_port}, PgBouncer on {fleet.bouncer_port} (transaction, pool {args.pool}), nodes {[p for _, p, _ in fleet.nodes]}", flush=True)
        results = asyncio.run(run(fleet, args))
        ok = (results["login_failures"] == 0 and results["hold_readyz_not_200"] == 0 and results["hold_noop_failures"] == 0
              and results["hold_backends_peak"] <= 25 and results["restart_second_session_admitted"] == 0
              and results["restart_first_login_after_back"] is not None and results["restart_first_login_after_back"] <= 2
              and results["freeze_moved"] == results["freeze_of"] and results["freeze_max_wait"] <= args.lease + 5
              and results["freeze_stale_quit_refused"] == results["freeze_of"] and results["mail_unchanged"])
        print(json.dumps(results, indent=1))
        print("fleet: PASS" if ok else "fleet: FAIL")
        return 0 if ok else 1
    finally:
        fleet.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
