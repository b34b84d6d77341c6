#!/usr/bin/env python3
"""Runs the load tool against Pop3.Kestrel and a private Dovecot, side by side, on 127.0.0.1 only.

Builds one deterministic Maildir tree and one passwd-file users file ({PLAIN} passwords) that both
servers read, starts our server and two private Dovecot instances (default process model and the
"high-performance" login mode with reused pop3 processes), runs every scenario against each in
alternation, several runs each, and prints medians and the ratio ours/Dovecot. Writes the raw runs
as JSON and an SVG chart. Stops every server it started on exit.

  python3 tests/Tools/Pop3.LoadTool/compare/compare.py [--runs 3] [--duration 5] [--quick] [--idle 1000] [--cert rsa|ecdsa]

TLS rows (STLS and implicit TLS, "TLS" in their names) use one self-signed certificate made here (RSA-2048 or
ECDSA P-256, --cert) that every server presents; clients do full handshakes unless the row says "resumed".

Needs root (Dovecot drops to the 'mail' user for mail processes), dotnet and Debian's dovecot-pop3d.
"""
import argparse, json, os, random, shutil, signal, socket, statistics, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
LOADTOOL = os.path.join(ROOT, "tests/Tools/Pop3.LoadTool/bin/Release/net10.0/Pop3.LoadTool.dll")
SERVER = os.path.join(ROOT, "src/Pop3.Server/bin/Release/net10.0/Pop3.Server.dll")
PASSWORD = "secret"
MAIL_UID = 8  # Debian's 'mail' user: Dovecot will not serve mail as root.

started = []  # Popen objects to stop at exit


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"+OK"):
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no POP3 greeting on 127.0.0.1:{port} after {timeout} s")


# ---------------------------------------------------------------- mail and users

LINES = None


def message(rng, n, size):
    """A deterministic message of about `size` octets with LF endings; about 1 line in 40 starts with '.'."""
    global LINES
    if LINES is None:
        pool = random.Random(2449)
        letters = "abcdefghijklmnopqrstuvwxyz     "
        LINES = ["".join(pool.choice(letters) for _ in range(pool.randint(20, 76))) for _ in range(4096)]
        LINES = [("." + l if i % 40 == 0 else l) + "\n" for i, l in enumerate(LINES)]
    head = (f"From: load{n}@example.org\nTo: user@example.org\nSubject: message {n}\n"
            f"Message-ID: <{n}.{size}@compare.example.org>\nDate: Thu, 26 Nov 2026 12:00:00 +0000\n\n")
    out = [head]
    total = len(head)
    while total < size:
        line = LINES[rng.randrange(len(LINES))]
        out.append(line)
        total += len(line)
    return "".join(out).encode("ascii")


def write_maildir(root, messages):
    """Writes messages into root/cur as name,S=<size>,W=<crlf size>:2, (what Dovecot's LDA writes)."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    for i, body in enumerate(messages):
        vsize = len(body) + body.count(b"\n")
        name = f"{1764158400 + i}.M{i}P1.compare,S={len(body)},W={vsize}:2,"
        with open(os.path.join(root, "cur", name), "wb") as f:
            f.write(body)


def build_mail(work, args):
    mail = os.path.join(work, "mail")
    stamp = os.path.join(work, "mail.done")
    users = []
    rng = random.Random(1939)
    small = [message(rng, i, 4096) for i in range(100)]
    specs = [(f"user{i}", 100, 4096) for i in range(1, 65)]
    specs += [(f"huge{i}", args.huge_messages, 10 * 1024 * 1024) for i in range(1, 5)]
    specs += [("box100", 100, 4096), ("box10k", 10_000, 4096)]
    if not args.quick:
        specs.append(("box100k", 100_000, 4096))
    specs += [(f"idle{i}", 0, 0) for i in range(1, args.idle + 1)]
    key = json.dumps(specs)
    if os.path.exists(stamp) and open(stamp).read() == key:
        log("mail: reusing", mail)
        return [s[0] for s in specs]
    log("mail: building deterministic Maildirs under", mail)
    shutil.rmtree(mail, ignore_errors=True)
    huge = None
    for user, count, size in specs:
        root = os.path.join(mail, user, "Maildir")
        if size == 4096:
            msgs = (small[i % 100] if i < 100 else small[i % 100].replace(b"Subject: message", b"Subject: copy %d of" % i, 1)
                    for i in range(count))
            write_maildir(root, list(msgs))
        elif size > 4096:
            huge = huge or [message(random.Random(10 + i), 1000 + i, size) for i in range(count)]
            write_maildir(root, huge)
        else:
            write_maildir(root, [])
        users.append(user)
    subprocess.run(["chown", "-R", f"{MAIL_UID}:{MAIL_UID}", mail], check=True)
    open(stamp, "w").write(key)
    return users


def write_users(work, users):
    path = os.path.join(work, "users")
    with open(path, "w") as f:
        for user in users:
            f.write(f"{user}:{{PLAIN}}{PASSWORD}:{MAIL_UID}:{MAIL_UID}::{work}/mail/{user}::\n")
    return path


def make_certificate(work, kind):
    """A self-signed certificate for localhost that every server presents: RSA-2048 or ECDSA P-256."""
    cert, key = os.path.join(work, f"{kind}.pem"), os.path.join(work, f"{kind}.key")
    if not os.path.exists(cert):
        new_key = ["-newkey", "rsa:2048"] if kind == "rsa" else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        subprocess.run(["openssl", "req", "-x509", *new_key, "-nodes", "-keyout", key, "-out", cert, "-days", "30",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


# ---------------------------------------------------------------- servers

def start_ours(work, users_file, port, certificate, tls_port, name="ours", extra_env=None):
    env = dict(os.environ, DOTNET_gcServer="0", ASPNETCORE_ENVIRONMENT="Production", **(extra_env or {}))
    out = open(os.path.join(work, name + ".log"), "w")
    proc = subprocess.Popen(
        ["dotnet", SERVER,
         f"--Pop3:Endpoints:Default:Port={port}", "--Pop3:Endpoints:Default:Address=127.0.0.1",
         f"--Pop3:Endpoints:Tls:Port={tls_port}", "--Pop3:Endpoints:Tls:Address=127.0.0.1", "--Pop3:Endpoints:Tls:Tls=Implicit",
         f"--Pop3:Certificate:Path={certificate[0]}", f"--Pop3:Certificate:KeyPath={certificate[1]}",
         f"--Pop3:Maildir:Path={work}/mail/{{user}}/Maildir", f"--Pop3:Authentication:UsersFile={users_file}",
         f"--Pop3:DataPath={work}/{name}-data",
         # Limits as high as Dovecot's here (mail_max_userip_connections, process and client limits): a load test, not a defence test.
         "--Pop3:Limits:MaxConnections=100000", "--Pop3:Limits:MaxConnectionsPerIp=100000",
         "--Pop3:Limits:MaxConnectionsPerUserIp=100000", f"--Pop3:Admin:Port={free_port()}"],
        cwd=os.path.dirname(SERVER), stdout=out, stderr=subprocess.STDOUT, env=env)
    started.append(proc)
    wait_port(port)
    return proc.pid


DOVECOT_CONF = """
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.info.log
instance_name = compare-{name}
protocols = pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{work}/mail/%u/Maildir
first_valid_uid = {uid}
last_valid_uid = {uid}
default_internal_user = dovecot
default_login_user = dovenull
default_process_limit = 25000
default_client_limit = 25000
default_vsz_limit = 0
mail_max_userip_connections = 100000
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {users}
}}
userdb {{
  driver = passwd-file
  args = {users}
}}
service anvil {{
  client_limit = 75000
}}
service auth {{
  client_limit = 75000
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener pop3s {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
{login}
}}
service pop3 {{
{pop3}
}}
"""


def start_dovecot(work, users_file, port, name, high_performance, certificate, tls_port):
    d = os.path.join(work, "dovecot-" + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    login = "  service_count = 0\n  process_min_avail = 2\n  client_limit = 25000" if high_performance else ""
    pop3 = "  service_count = 1000\n  process_min_avail = 2" if high_performance else ""
    conf = os.path.join(d, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(DOVECOT_CONF.format(dir=d, name=name, work=work, uid=MAIL_UID, users=users_file, port=port, login=login, pop3=pop3,
                                   cert=certificate[0], key=certificate[1], tls_port=tls_port))
    proc = subprocess.Popen(["dovecot", "-F", "-c", conf], stdout=open(os.path.join(d, "stdout.log"), "w"), stderr=subprocess.STDOUT)
    started.append(proc)
    wait_port(port)
    return proc.pid


def stop_all(*_):
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in started:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    started.clear()


# ---------------------------------------------------------------- runs

def load(server, port, pid, scenario, concurrency, duration, user, users=1, depth=16, extra=(), tls="none", tls_port=None, resume=False):
    if tls == "implicit":
        port = tls_port
    if tls != "none":
        extra = (*extra, "--tls", tls, "--tls-resume", "true" if resume else "false")
    cmd = ["dotnet", LOADTOOL, "--scenario", scenario, "--host", "127.0.0.1", "--port", str(port),
           "--user", user, "--users", str(users), "--password", PASSWORD, "--concurrency", str(concurrency),
           "--duration", str(duration), "--depth", str(depth), "--server-pid", str(pid), "--label", server, *extra]
    load_before = open("/proc/loadavg").read().split()[0]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=duration * 4 + 120)
    load_after = open("/proc/loadavg").read().split()[0]
    log("  " + res.stderr.strip().splitlines()[-1] if res.stderr.strip() else "  (no output)")
    lines = [l for l in res.stdout.splitlines() if l.startswith("{")]
    if not lines:
        return {"label": server, "ok": False, "errors": 1, "firstErrors": [res.stderr[-500:]]}
    result = json.loads(lines[-1])
    # The 1-minute load average around the run: other work on the machine shows here.
    result["loadAverage"] = max(float(load_before), float(load_after))
    return result


def scenarios(args):
    d = args.duration
    s = [
        ("login c=1", "login", 1, dict(user="user{n}", users=64)),
        ("login c=16", "login", 16, dict(user="user{n}", users=64)),
        ("login c=64", "login", 64, dict(user="user{n}", users=64)),
        ("RETR 4 KiB c=1", "retr", 1, dict(user="user{n}", users=64)),
        ("RETR 4 KiB c=4", "retr", 4, dict(user="user{n}", users=64)),
        ("RETR 10 MiB c=1", "retr", 1, dict(user="huge{n}", users=4)),
        ("RETR 10 MiB c=4", "retr", 4, dict(user="huge{n}", users=4)),
        ("commands lockstep", "pipeline", 1, dict(user="user{n}", users=64, depth=1)),
        ("commands depth 16", "pipeline", 1, dict(user="user{n}", users=64, depth=16)),
        ("commands 4 x depth 16", "pipeline", 4, dict(user="user{n}", users=64, depth=16)),
        ("bigbox 100", "bigbox", 1, dict(user="box100")),
        ("bigbox 10,000", "bigbox", 1, dict(user="box10k")),
    ]
    if not args.quick:
        s.append(("bigbox 100,000", "bigbox", 1, dict(user="box100k")))
    # TLS: the same work as above over STLS and implicit TLS (port 995 style).
    s += [
        ("STLS login c=1", "login", 1, dict(user="user{n}", users=64, tls="stls")),
        ("STLS login c=16", "login", 16, dict(user="user{n}", users=64, tls="stls")),
        ("STLS login resumed c=1", "login", 1, dict(user="user{n}", users=64, tls="stls", resume=True)),
        ("TLS login c=1", "login", 1, dict(user="user{n}", users=64, tls="implicit")),
        ("TLS login c=16", "login", 16, dict(user="user{n}", users=64, tls="implicit")),
        ("STLS RETR 4 KiB c=1", "retr", 1, dict(user="user{n}", users=64, tls="stls")),
        ("STLS RETR 4 KiB c=4", "retr", 4, dict(user="user{n}", users=64, tls="stls")),
        ("STLS RETR 10 MiB c=1", "retr", 1, dict(user="huge{n}", users=4, tls="stls")),
        ("STLS RETR 10 MiB c=4", "retr", 4, dict(user="huge{n}", users=4, tls="stls")),
        ("TLS RETR 10 MiB c=1", "retr", 1, dict(user="huge{n}", users=4, tls="implicit")),
    ]
    if args.idle:
        s.append((f"idle {args.idle}", "idle", args.idle, dict(user="idle{n}", users=args.idle)))
    return s


# The figure each scenario is judged by, and whether more is better.
def figure(name, r):
    name = plain_name(name)
    if name.startswith("login"):
        return r.get("operationsPerSecond"), "sessions/s", True
    if name.startswith("RETR 10"):
        return r.get("miBPerSecond"), "MiB/s", True
    if name.startswith("RETR"):
        return r.get("operationsPerSecond"), "msg/s", True
    if name.startswith("commands"):
        return r.get("operationsPerSecond"), "cmd/s", True
    if name.startswith("bigbox"):
        return r.get("latencyP50Ms"), "ms p50 login", False
    if name.startswith("idle"):
        return r.get("pssPerSessionKiB"), "KiB PSS/session", False
    return None, "", True


def plain_name(name):
    """The scenario without its TLS prefix: "STLS RETR 10 MiB c=1" is judged as "RETR 10 MiB c=1"."""
    for prefix in ("STLS ", "TLS "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def cpu_per_op(name, r):
    s = r.get("serverCpuPerOperationUs")
    if plain_name(name).startswith("RETR 10"):
        b = r.get("serverCpuPerByteNs")
        return (b, "ns/B") if b is not None else (None, "")
    return (s, "µs/op") if s is not None else (None, "")


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def svg_chart(rows, servers, path, cpu_rows=None):
    """Horizontal bars: for each scenario, each server's median as a share of the best of that row."""
    colors = {"ours": "#2b7bb9", "ours-nospin": "#6baed6", "dovecot": "#d9822b", "dovecot-hp": "#8c564b"}
    bar, gap, left, width = 14, 10, 260, 520
    height = 60 + len(rows) * (len(servers) * bar + gap) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 260}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="10" y="20" font-size="14" font-weight="bold">Pop3.Kestrel vs Dovecot (medians; bar = share of the best in its row; server CPU per operation)</text>']
    for i, s in enumerate(servers):
        out.append(f'<rect x="{10 + i * 130}" y="32" width="12" height="12" fill="{colors.get(s, "#999")}"/><text x="{26 + i * 130}" y="42">{s}</text>')
    y = 60
    for name, unit, higher, values in rows:
        present = [v for v in values.values() if v]
        if not present:
            continue
        best = max(present) if higher else min(present)
        out.append(f'<text x="10" y="{y + bar}">{name} ({unit}{"" if higher else ", lower is better"})</text>')
        for s in servers:
            v = values.get(s)
            share = 0 if not v else (v / best if higher else best / v)
            out.append(f'<rect x="{left}" y="{y}" width="{max(1, share * width):.1f}" height="{bar - 2}" fill="{colors.get(s, "#999")}"/>')
            cpu = (cpu_rows or {}).get(name, {}).get(s)
            label = fmt(v) + (f" (CPU {cpu})" if cpu and cpu != "-" else "")
            out.append(f'<text x="{left + max(1, share * width) + 4:.1f}" y="{y + bar - 3}">{label}</text>')
            y += bar
        y += gap
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--quick", action="store_true", help="no 100,000-message box")
    ap.add_argument("--idle", type=int, default=1000, help="sessions held in the idle scenario (0 = skip)")
    ap.add_argument("--huge-messages", type=int, default=5, help="10 MiB messages per huge mailbox")
    ap.add_argument("--work", default="/tmp/pop3-compare")
    ap.add_argument("--warmup", type=float, default=5, help="seconds of untimed login, RETR and command load per server before the runs (JIT tiering)")
    ap.add_argument("--only", default="", help="comma-separated scenario name prefixes")
    ap.add_argument("--servers", default="ours,dovecot,dovecot-hp", help="any of ours, ours-nospin, dovecot, dovecot-hp")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    ap.add_argument("--cert", default="rsa", choices=("rsa", "ecdsa"), help="the certificate every server presents for TLS rows")
    ap.add_argument("--name", default="performance", help="output files: NAME-table.md, NAME-chart.svg, NAME-runs.json")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: Dovecot switches to the 'mail' user for mail processes")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    import atexit
    atexit.register(stop_all)

    log("building Release: server and load tool")
    for project in ("src/Pop3.Server", "tests/Tools/Pop3.LoadTool"):
        subprocess.run(["dotnet", "build", "-c", "Release", "--nologo", "-v", "q", os.path.join(ROOT, project)], check=True, stdout=subprocess.DEVNULL)

    os.makedirs(args.work, exist_ok=True)
    users = build_mail(args.work, args)
    users_file = write_users(args.work, users)
    certificate = make_certificate(args.work, args.cert)

    servers = {}
    wanted = args.servers.split(",")
    tls_ports = {}
    if "ours" in wanted:
        port, tls_ports["ours"] = free_port(), free_port()
        servers["ours"] = (port, start_ours(args.work, users_file, port, certificate, tls_ports["ours"]))
    if "ours-nospin" in wanted:
        # The same server with the thread pool's spin-wait turned off: does lockstep CPU per request drop?
        port, tls_ports["ours-nospin"] = free_port(), free_port()
        servers["ours-nospin"] = (port, start_ours(args.work, users_file, port, certificate, tls_ports["ours-nospin"], "ours-nospin",
                                                   {"DOTNET_ThreadPool_UnfairSemaphoreSpinLimit": "0"}))
    if "dovecot" in wanted:
        port, tls_ports["dovecot"] = free_port(), free_port()
        servers["dovecot"] = (port, start_dovecot(args.work, users_file, port, "default", False, certificate, tls_ports["dovecot"]))
    if "dovecot-hp" in wanted:
        port, tls_ports["dovecot-hp"] = free_port(), free_port()
        servers["dovecot-hp"] = (port, start_dovecot(args.work, users_file, port, "hp", True, certificate, tls_ports["dovecot-hp"]))
    log("servers:", {k: f"port {p} (TLS {tls_ports[k]}) pid {pid}" for k, (p, pid) in servers.items()})

    chosen = [s for s in scenarios(args) if not args.only or any(s[0].startswith(o) for o in args.only.split(","))]

    # Warm-up: every server lists every box once (Dovecot builds its index, ours its size index), untimed.
    for server, (port, pid) in servers.items():
        for user in ("box100", "box10k", "box100k", "user1", "huge1"):
            if user in users:
                load(server, port, pid, "bigbox", 1, 300, user, extra=("--max-requests", "1"))

    # Warm-up under load, untimed: a .NET server compiles its hot paths twice (tier 0, then optimised with
    # profile data) during its first seconds of work; measuring then would time the JIT, not the server.
    if args.warmup > 0:
        for server, (port, pid) in servers.items():
            log(f"warm-up {server}: {args.warmup:g} s each of login, RETR and commands")
            for scenario, concurrency, depth in (("login", 16, 16), ("retr", 1, 16), ("pipeline", 1, 1), ("pipeline", 1, 16)):
                load(server, port, pid, scenario, concurrency, args.warmup, "user{n}", 64, depth)
            if any(opts.get("tls") for *_, opts in chosen):
                # TLS logins run far fewer requests per second than plaintext ones: half the warm-up left the handshake
                # path partly unoptimised (the JIT took 8-10 % of a server's CPU in the first timed STLS login rows).
                for scenario, tls in (("login", "stls"), ("login", "implicit"), ("retr", "stls"), ("retr", "implicit")):
                    load(server, port, pid, scenario, 4, args.warmup, "user{n}", 64, tls=tls, tls_port=tls_ports[server])

    results = {}
    names = list(servers)
    # Idle rounds come after every other round: holding a thousand sessions leaves Dovecot with a thousand pop3
    # processes to reap and respawn, which slowed its logins in the rounds that followed by 3-5x.
    phases = [[s for s in chosen if s[1] != "idle"], [s for s in chosen if s[1] == "idle"]]
    for run, phase in ((run, phase) for phase in phases for run in range(args.runs)):
        for name, scenario, concurrency, opts in phase:
            order = names[run % len(names):] + names[:run % len(names)]
            for server in order:
                port, pid = servers[server]
                log(f"run {run + 1}/{args.runs} {name} -> {server}")
                r = load(server, port, pid, scenario, concurrency, args.duration, opts["user"], opts.get("users", 1), opts.get("depth", 16),
                         tls=opts.get("tls", "none"), tls_port=tls_ports[server], resume=opts.get("resume", False))
                results.setdefault(name, {}).setdefault(server, []).append(r)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"{args.name}-runs.json"), "w") as f:
        json.dump({"machine": os.uname().release, "cpus": os.cpu_count(), "runs": args.runs, "duration": args.duration, "certificate": args.cert,
                   "results": results}, f, indent=1)

    # Table: medians, ratio ours / best Dovecot, CPU.
    dovecots = [s for s in names if s.startswith("dovecot")]
    header = ["scenario", "unit"] + names + ["ours/dovecot-best"] + [f"server CPU {s}" for s in names] + ["server CPU ours/dovecot-best"] + [f"client CPU s {s}" for s in names] + ["all checks ok"]
    table = [header]
    rows = []
    cpu_rows = {}
    for name, *_ in chosen:
        per = results.get(name, {})
        values, cpus, cpu_values, clients, unit, higher, ok = {}, {}, {}, {}, "", True, True
        for s in names:
            runs = per.get(s, [])
            ok = ok and all(r.get("ok") for r in runs)
            values[s] = med([figure(name, r)[0] for r in runs])
            unit, higher = figure(name, runs[0])[1:] if runs else (unit, higher)
            c, cu = (med([cpu_per_op(name, r)[0] for r in runs]), cpu_per_op(name, runs[0])[1]) if runs else (None, "")
            cpus[s] = f"{fmt(c)} {cu}" if c is not None else "-"
            cpu_values[s] = c
            clients[s] = fmt(med([r.get("clientCpuSeconds") for r in runs]))
        best = [values[s] for s in dovecots if values.get(s)]
        ratio = None
        if values.get("ours") and best:
            ratio = values["ours"] / (max(best) if higher else min(best))
        best_cpu = [cpu_values[s] for s in dovecots if cpu_values.get(s)]
        cpu_ratio = cpu_values["ours"] / min(best_cpu) if cpu_values.get("ours") and best_cpu else None
        rows.append((name, unit, higher, values))
        cpu_rows[name] = cpus
        table.append([name, unit] + [fmt(values[s]) for s in names] + [fmt(ratio)] + [cpus[s] for s in names] + [fmt(cpu_ratio)] + [clients[s] for s in names] + ["yes" if ok else "NO"])

    md = ["| " + " | ".join(r) + " |" for r in table]
    md.insert(1, "|" + "---|" * len(header))
    text = "\n".join(md)
    print(text)
    with open(os.path.join(args.out, f"{args.name}-table.md"), "w") as f:
        f.write(text + "\n")
    svg_chart(rows, names, os.path.join(args.out, f"{args.name}-chart.svg"), cpu_rows)
    log("wrote", os.path.join(args.out, f"{args.name}-table.md"), f"and {args.name}-chart.svg")


if __name__ == "__main__":
    main()
