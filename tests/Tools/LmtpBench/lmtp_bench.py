#!/usr/bin/env python3
"""LMTP delivery throughput: one private Postfix hands 4 KiB messages over LMTP to Pop3.Server, into Maildir and into
PostgreSQL, next to `Pop3.Server deliver` run once per message (Postfix's mailbox_command way).

Run as root from the repository root (Postfix's master starts as root; PostgreSQL runs as the postgres user):

    python3 tests/Tools/LmtpBench/lmtp_bench.py --messages 3000 --runs 3

Per store and run: a fresh Maildir tree or database, the server built in Release with an LMTP listener on a free port
of 127.0.0.1, a private Postfix (own config folder and queue, SMTP on a free port, transport
lmtp:inet:127.0.0.1:PORT for example.org). The messages are injected over SMTP while Postfix holds the lmtp transport
(defer_transports = lmtp), so the timed part is Postfix's queue manager and LMTP clients against the server alone: the
clock starts at the flush and stops when the store holds every message (files in new/, or rows). Messages go round
robin to user1..user10. Then the same messages go straight to the server over --concurrency LMTP connections from this
script ("direct": the server's own capacity, no Postfix). Then `deliver` is timed for --deliver messages, one process each. PostgreSQL runs with its
defaults (fsync and synchronous_commit on), Maildir deliveries fsync the file and new/; nothing is faked.
Prints every run and the medians; everything lives under a temporary folder that is removed at the end.
"""
import argparse, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time
import smtplib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def message(n):
    head = (f"From: bench@example.net\r\nTo: user{n % 10 + 1}@example.org\r\nSubject: message {n}\r\n"
            f"Date: Sun, 06 Dec 2026 12:00:00 +0000\r\nMessage-ID: <{n}@bench.test>\r\n\r\n")
    body, line = [], 0
    while len(head) + sum(map(len, body)) < 4096 - 80:
        body.append(('.' if line % 40 == 0 else '') + f"line {line} of message {n}, text to fill four kibibytes\r\n")
        line += 1
    text = head + ''.join(body)
    return (text + 'x' * (4096 - 2 - len(text)) + '\r\n').encode()


class PostgreSql:
    def __init__(self, work):
        bindir = run('pg_config', '--bindir').stdout.strip()
        self.bin = bindir
        self.dir = os.path.join(work, 'pg')
        os.makedirs(self.dir)
        shutil.chown(self.dir, 'postgres', 'postgres')
        self.port = free_port()
        self.as_postgres(f'{bindir}/initdb', '-D', f'{self.dir}/data', '-U', 'postgres', '--auth=trust')
        self.as_postgres(f'{bindir}/pg_ctl', '-D', f'{self.dir}/data', '-l', f'{self.dir}/log', '-w', 'start',
                         '-o', f'-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200')

    def as_postgres(self, *args):
        return run('runuser', '-u', 'postgres', '--', *args)

    def create(self, name):
        self.as_postgres(f'{self.bin}/createdb', '-h', '127.0.0.1', '-p', str(self.port), name)
        return f'Host=127.0.0.1;Port={self.port};Username=postgres;Database={name}'

    def count(self, name):
        out = self.as_postgres(f'{self.bin}/psql', '-h', '127.0.0.1', '-p', str(self.port), '-d', name, '-Atc',
                               'SELECT count(*) FROM pop3_messages')
        return int(out.stdout.strip())

    def stop(self):
        self.as_postgres(f'{self.bin}/pg_ctl', '-D', f'{self.dir}/data', '-m', 'fast', '-w', 'stop')


class Server:
    def __init__(self, work, store_args, lmtp_port):
        self.log = open(os.path.join(work, 'server.log'), 'a')
        self.process = subprocess.Popen(
            ['dotnet', os.path.join(work, 'server', 'Pop3.Server.dll'),
             '--Pop3:Endpoints:Default:Address=127.0.0.1', '--Pop3:Endpoints:Default:Port=0',
             '--Pop3:Lmtp:Endpoints:Default:Address=127.0.0.1', f'--Pop3:Lmtp:Endpoints:Default:Port={lmtp_port}',
             f'--Pop3:Authentication:UsersFile={work}/users', f'--Pop3:DataPath={work}/data',
             # One Information line per delivery is the default; the console is not what is measured.
             '--Serilog:MinimumLevel:Override:Pop3.Kestrel.Lmtp=Warning', *store_args],
            cwd=work, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(('127.0.0.1', lmtp_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError('the server did not listen; see server.log')

    def cpu(self):
        """Seconds of CPU (user + system) the server process has used so far."""
        with open(f'/proc/{self.process.pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)
        self.log.close()


class Postfix:
    def __init__(self, work, lmtp_port, concurrency):
        self.dir = os.path.join(work, 'postfix')
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(os.path.join(self.dir, 'queue'))
        os.makedirs(os.path.join(self.dir, 'conf'))
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, 'conf')
        self.smtp = free_port()
        with open(os.path.join(self.conf, 'main.cf'), 'w') as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {self.dir}/queue
data_directory = {self.dir}/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.test
mydomain = test
myorigin = postfix.test
mydestination =
relay_domains = example.org
transport_maps = inline:{{ example.org=lmtp:inet:127.0.0.1:{lmtp_port} }}
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
alias_database =
local_recipient_maps =
maillog_file = {self.dir}/maillog
maillog_file_prefixes = {self.dir}
smtputf8_enable = no
biff = no
lmtp_host_lookup = native
smtp_host_lookup = native
lmtp_destination_concurrency_limit = {concurrency}
lmtp_initial_destination_concurrency = {concurrency}
default_process_limit = 200
in_flow_delay = 0
notify_classes =
defer_transports = lmtp
""")
        with open(os.path.join(self.conf, 'master.cf'), 'w') as f:
            f.write(f"127.0.0.1:{self.smtp} inet n - n - - smtpd\n" + """pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
""")
        run('postfix', '-c', self.conf, 'start')
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.smtp), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def inject(self, messages, connections=4):
        def send(part):
            with smtplib.SMTP('127.0.0.1', self.smtp) as smtp:
                for n in part:
                    smtp.sendmail('bench@example.net', [f'user{n % 10 + 1}@example.org'], message(n))
        threads = [threading.Thread(target=send, args=(range(i, messages, connections),)) for i in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def queued(self):
        return sum(len(files) for _, _, files in os.walk(os.path.join(self.dir, 'queue', 'deferred')))

    def release(self):
        run('postconf', '-c', self.conf, '-e', 'defer_transports =')
        run('postfix', '-c', self.conf, 'reload')
        run('postqueue', '-c', self.conf, '-f')

    def stop(self):
        subprocess.run(['postfix', '-c', self.conf, 'abort'], capture_output=True)
        deadline = time.time() + 20
        while subprocess.run(['postfix', '-c', self.conf, 'status'], capture_output=True).returncode == 0 and time.time() < deadline:
            time.sleep(0.05)


def maildir_count(root):
    return sum(len(os.listdir(os.path.join(root, u, 'new'))) for u in os.listdir(root)
               if os.path.isdir(os.path.join(root, u, 'new')))


def lmtp_run(work, store, pg, n, messages, concurrency):
    lmtp_port = free_port()
    if store == 'maildir':
        root = os.path.join(work, f'mail-{n}')
        os.makedirs(root)
        args, count = [f'--Pop3:Maildir:Path={root}/{{user}}'], lambda: maildir_count(root)
    else:
        name = f'bench_{n}'
        args = ['--Pop3:Store=PostgreSql', f'--Pop3:PostgreSql:ConnectionString={pg.create(name)}']
        count = lambda: pg.count(name)
    server = Server(work, args, lmtp_port)
    postfix = Postfix(work, lmtp_port, concurrency)
    try:
        postfix.inject(messages)
        deadline = time.time() + 300
        while postfix.queued() < messages:
            if time.time() > deadline:
                raise RuntimeError(f'only {postfix.queued()} of {messages} queued')
            time.sleep(0.05)
        start, cpu = time.monotonic(), server.cpu()
        postfix.release()
        deadline = time.time() + 600
        while (stored := count()) < messages:
            if time.time() > deadline:
                raise RuntimeError(f'only {stored} of {messages} stored')
            time.sleep(0.02)
        return messages / (time.monotonic() - start), (server.cpu() - cpu) / messages * 1e6
    finally:
        postfix.stop()
        server.stop()


def direct_run(work, store, pg, n, messages, connections):
    """The server alone: the same messages over `connections` LMTP connections from this script, no Postfix."""
    lmtp_port = free_port()
    if store == 'maildir':
        args = [f'--Pop3:Maildir:Path={work}/direct-{n}/{{user}}']
    else:
        args = ['--Pop3:Store=PostgreSql', f'--Pop3:PostgreSql:ConnectionString={pg.create(f"direct_{n}")}']
    server = Server(work, args, lmtp_port)

    def send(part):
        with socket.create_connection(('127.0.0.1', lmtp_port)) as s, s.makefile('rb') as replies:
            replies.readline()
            s.sendall(b'LHLO bench.test\r\n')
            while replies.readline().startswith(b'250-'):
                pass
            for i in part:
                s.sendall(f'MAIL FROM:<bench@example.net>\r\nRCPT TO:<user{i % 10 + 1}@example.org>\r\nDATA\r\n'.encode())
                for _ in range(3):
                    replies.readline()
                s.sendall(message(i).replace(b'\r\n.', b'\r\n..') + b'.\r\n')
                reply = replies.readline()
                assert reply.startswith(b'250 '), reply
            s.sendall(b'QUIT\r\n')
    try:
        threads = [threading.Thread(target=send, args=(range(c, messages, connections),)) for c in range(connections)]
        start, cpu = time.monotonic(), server.cpu()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return messages / (time.monotonic() - start), (server.cpu() - cpu) / messages * 1e6
    finally:
        server.stop()


def deliver_run(work, store, pg, n, count):
    if store == 'maildir':
        args = [f'--Pop3:Maildir:Path={work}/deliver-{n}/{{user}}']
    else:
        # deliver never migrates: the schema is made once with the migrate command, as an operator would.
        args = ['--Pop3:Store=PostgreSql', f'--Pop3:PostgreSql:ConnectionString={pg.create(f"deliver_{n}")}']
        subprocess.run(['dotnet', f'{work}/server/Pop3.Server.dll', 'migrate', *args], cwd=work, check=True, capture_output=True)
    start = time.monotonic()
    for i in range(count):
        subprocess.run(['dotnet', f'{work}/server/Pop3.Server.dll', 'deliver', '--user', 'user1', *args,
                        f'--Pop3:Authentication:UsersFile={work}/users'],
                       input=message(i), cwd=work, check=True, capture_output=True)
    return count / (time.monotonic() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--messages', type=int, default=3000)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--deliver', type=int, default=30, help='messages timed through `deliver`, one process each')
    parser.add_argument('--concurrency', type=int, default=20, help="Postfix's lmtp_destination_concurrency_limit")
    parser.add_argument('--stores', default='maildir,postgresql')
    parser.add_argument('--keep', action='store_true', help='keep the temporary folder')
    parser.add_argument('--server', help='a folder holding a Release build of Pop3.Server (skips the build)')
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit('run as root: Postfix and PostgreSQL are started privately')
    work = tempfile.mkdtemp(prefix='pop3-lmtp-bench-')
    os.chmod(work, 0o755)
    pg = None
    try:
        if options.server:
            shutil.copytree(options.server, os.path.join(work, 'server'))
        else:
            print(f'building the server (Release) into {work}/server', flush=True)
            run('dotnet', 'build', os.path.join(ROOT, 'src', 'Pop3.Server'), '-c', 'Release', '-o', os.path.join(work, 'server'))
        with open(os.path.join(work, 'users'), 'w') as f:
            f.writelines(f'user{i}:{{PLAIN}}secret\n' for i in range(1, 11))
        stores = options.stores.split(',')
        if 'postgresql' in stores:
            pg = PostgreSql(work)
        results = {}
        for store in stores:
            lmtp = [lmtp_run(work, store, pg, n, options.messages, options.concurrency) for n in range(options.runs)]
            for n, (rate, cpu) in enumerate(lmtp):
                print(f'{store:10} Postfix run {n + 1}: {options.messages} messages, {rate:8.1f} messages/s, server CPU {cpu:6.0f} µs/message', flush=True)
            direct = [direct_run(work, store, pg, n, options.messages, options.concurrency) for n in range(options.runs)]
            for n, (rate, cpu) in enumerate(direct):
                print(f'{store:10} direct  run {n + 1}: {options.messages} messages, {rate:8.1f} messages/s, server CPU {cpu:6.0f} µs/message', flush=True)
            deliver = [deliver_run(work, store, pg, n, options.deliver) for n in range(options.runs)]
            for n, rate in enumerate(deliver):
                print(f'{store:10} deliver run {n + 1}: {options.deliver} messages, {rate:8.2f} messages/s', flush=True)
            results[store] = (statistics.median(r for r, _ in lmtp), statistics.median(c for _, c in lmtp),
                              statistics.median(r for r, _ in direct), statistics.median(c for _, c in direct), statistics.median(deliver))
        print('\nmedians: store, Postfix over LMTP msg/s (server CPU µs/msg), direct LMTP msg/s (µs/msg), deliver msg/s, Postfix/deliver')
        for store, (lmtp, lmtp_cpu, direct, direct_cpu, deliver) in results.items():
            print(f'{store:10} {lmtp:8.1f} ({lmtp_cpu:5.0f}) {direct:8.1f} ({direct_cpu:5.0f}) {deliver:8.2f} {lmtp / deliver:7.0f}x')
    finally:
        if pg is not None:
            pg.stop()
        if options.keep:
            print(f'kept {work}')
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
