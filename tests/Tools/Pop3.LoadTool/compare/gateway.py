#!/usr/bin/env python3
"""The upstream gateway measured against the upstream alone, side by side on one machine.

Starts one private Dovecot (IMAP and POP3 on free loopback ports, passwd-file users, Maildirs under --work) and
two gateways (our server, Release build, Pop3:Store=Upstream over IMAP and over POP3), then measures:

* small RETR latency: one session per server, RETR of a 4 KiB message --rounds times, the servers taking turns
  round by round; the median per server, and the gateway's added time over Dovecot's own POP3;
* a 50 MiB RETR through each gateway: the gateway process's peak RSS growth during the transfer (VmHWM after
  resetting it through /proc/<pid>/clear_refs) and the transfer time, --big-runs times, medians.

Needs root (Dovecot drops to the 'mail' user), dotnet and Debian's dovecot-imapd and dovecot-pop3d. Loopback only;
every server it starts is stopped at exit. Build first: dotnet build -c Release src/Pop3.Server
"""
import argparse, atexit, os, poplib, pwd, shutil, signal, socket, statistics, subprocess, sys, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../../.."))
SERVER = os.path.join(ROOT, "src/Pop3.Server/bin/Release/net10.0/Pop3.Server.dll")
started = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64):
                    return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing answered on port {port}")


def stop_all(*_):
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in started:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def deliver(work, user, n, body):
    maildir = os.path.join(work, "mail", user, "Maildir")
    for folder in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, folder), exist_ok=True)
    with open(os.path.join(maildir, "new", f"{1700000000 + n}.M{n}P1.gateway"), "wb") as f:
        f.write(body)


def small_message(n):
    line = b"All work and no play makes Jack a dull boy, said the line of text.\n"
    return b"Subject: small %d\nFrom: a@example.org\n\n" % n + line * 60


def big_message(size):
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_/+=0123456789!\n"
    return b"Subject: big\nFrom: a@example.org\n\n" + line * (size // len(line))


def start_dovecot(work, imap, pop3):
    d = os.path.join(work, "dovecot")
    os.makedirs(os.path.join(d, "run"), exist_ok=True)
    mail = pwd.getpwnam("mail")
    with open(os.path.join(d, "dovecot.conf"), "w") as f:
        f.write(f"""
base_dir = {d}/run
state_dir = {d}
log_path = {d}/dovecot.log
instance_name = gateway-measure
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{work}/mail/%u/Maildir
first_valid_uid = {mail.pw_uid}
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = {work}/users
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={work}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
""")
    subprocess.run(["chown", "-R", f"{mail.pw_uid}:{mail.pw_gid}", os.path.join(work, "mail")], check=True)
    started.append(subprocess.Popen(["dovecot", "-F", "-c", os.path.join(d, "dovecot.conf")],
                                    stdout=open(os.path.join(d, "stdout.log"), "w"), stderr=subprocess.STDOUT))
    wait_port(imap)
    wait_port(pop3)


def start_gateway(work, name, protocol, upstream_port):
    port = free_port()
    env = dict(os.environ, DOTNET_gcServer="0", ASPNETCORE_ENVIRONMENT="Production")
    proc = subprocess.Popen(
        ["dotnet", SERVER, f"--Pop3:Endpoints:Default:Port={port}", "--Pop3:Endpoints:Default:Address=127.0.0.1",
         "--Pop3:Store=Upstream", f"--Pop3:Upstream:Protocol={protocol}", "--Pop3:Upstream:Host=127.0.0.1",
         f"--Pop3:Upstream:Port={upstream_port}", f"--Pop3:Authentication:UsersFile={work}/users",
         f"--Pop3:DataPath={work}/{name}-data", f"--Pop3:Admin:Port={free_port()}"],
        cwd=os.path.dirname(SERVER), stdout=open(os.path.join(work, name + ".log"), "w"), stderr=subprocess.STDOUT, env=env)
    started.append(proc)
    wait_port(port)
    return proc.pid, port


def login(port, user):
    pop = poplib.POP3("127.0.0.1", port, timeout=120)
    pop.user(user)
    pop.pass_("secret")
    return pop


def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", default="/tmp/pop3-gateway")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--big-mib", type=int, default=50)
    parser.add_argument("--big-runs", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(SERVER):
        sys.exit(f"build first: dotnet build -c Release src/Pop3.Server ({SERVER} is missing)")

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    with open(os.path.join(args.work, "users"), "w") as f:
        f.write("small:{PLAIN}secret\nbig:{PLAIN}secret\n")
    for n in range(1, 101):
        deliver(args.work, "small", n, small_message(n))
    deliver(args.work, "big", 1, big_message(args.big_mib * 1024 * 1024))

    imap, pop3 = free_port(), free_port()
    start_dovecot(args.work, imap, pop3)
    gateways = {"gateway-imap": start_gateway(args.work, "gateway-imap", "Imap", imap),
                "gateway-pop3": start_gateway(args.work, "gateway-pop3", "Pop3", pop3)}
    ports = {"dovecot-pop3": pop3, **{name: port for name, (_, port) in gateways.items()}}

    # Small RETR: one session each, servers in turn, so drift and noise fall on all of them alike.
    sessions = {name: login(port, "small") for name, port in ports.items()}
    for name, pop in sessions.items():
        pop.retr(1)  # untimed: the first read warms every path
    times = {name: [] for name in sessions}
    for r in range(args.rounds):
        for name, pop in sessions.items():
            start = time.perf_counter()
            _, lines, octets = pop.retr(2 + r % 99)
            times[name].append(time.perf_counter() - start)
    for pop in sessions.values():
        pop.quit()
    base = statistics.median(times["dovecot-pop3"])
    print(f"small RETR (4 KiB), {args.rounds} per server, medians:")
    for name, samples in times.items():
        med = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        added = "" if name == "dovecot-pop3" else f"  (+{(med - base) * 1000:.3f} ms over Dovecot's POP3)"
        print(f"  {name:14} median {med * 1000:.3f} ms, p90 {p90 * 1000:.3f} ms{added}")

    # 50 MiB RETR: peak RSS growth of each gateway during the transfer.
    print(f"{args.big_mib} MiB RETR, {args.big_runs} runs per gateway, medians:")
    for name, (pid, port) in gateways.items():
        growth, seconds = [], []
        for _ in range(args.big_runs):
            pop = login(port, "big")
            before = status(pid, "VmRSS")
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM to the current RSS
            start = time.perf_counter()
            _, lines, octets = pop.retr(1)
            seconds.append(time.perf_counter() - start)
            growth.append(status(pid, "VmHWM") - before)
            pop.quit()
            del lines
        print(f"  {name:14} peak RSS growth {statistics.median(growth) / 2**20:.1f} MiB, "
              f"transfer {statistics.median(seconds):.2f} s ({args.big_mib / statistics.median(seconds):.0f} MiB/s), RSS after {status(pid, 'VmRSS') / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
