#!/usr/bin/env python3
"""On-disk bytes per message in the PostgreSQL store, for the design of bodies in object storage.

Run from the repository root, as root (PostgreSQL is run as the postgres user):

    python3 tests/Tools/Fleet/body-size.py [--small 1000] [--medium 200] [--large 20] [--server DIR]

It publishes src/Pop3.Server (or uses an already published --server DIR), starts a private PostgreSQL 15 cluster on
loopback, and for each set of messages creates a database, runs `Pop3.Server migrate` (the schema the server ships),
copies the messages in with `Pop3.Server import-maildir` (the store's own insert), runs VACUUM ANALYZE and reads:

  heap      pg_relation_size('pop3_messages')                        the rows (body out of line: STORAGE EXTERNAL)
  toast     pg_total_relation_size of the TOAST table (with its index) the bodies, in ~2 KB chunks
  indexes   pg_indexes_size('pop3_messages')                         primary key, (mailbox, uidl), (mailbox, id)
  total     pg_total_relation_size('pop3_messages')                  all of the above

The sets: the byte-exact corpus (tests/corpus/messages) and generated 4 KiB, 100 KiB and 1 MiB messages (a header
block and a text part; the larger ones carry a base64 attachment of random bytes, as mail with a photo or a PDF does).
Bodies are stored uncompressed (STORAGE EXTERNAL), so the content's compressibility does not change the figures.

Prints one table row per set: messages, message bytes (what RETR sends), and per message the heap, TOAST, index
and total bytes, and total / message bytes. Everything it starts is stopped at the end and its folder removed.
"""

import argparse
import base64
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile

PG_BIN = "/usr/lib/postgresql/15/bin"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
WORDS = ("mailbox message server client delivery retrieve update session lease fence storage object bucket "
         "header body attachment report invoice meeting tomorrow please regards thanks the a of to and in").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, **kwargs)


def generated_message(rng, index, size):
    """A CRLF message of exactly `size` bytes: headers, a text part and, from 16 KiB, a base64 attachment."""
    boundary = f"=_part_{index:08d}"
    head = (f"Return-Path: <sender{index}@example.org>\r\n"
            f"Received: from mx.example.org (mx.example.org [192.0.2.{index % 250 + 1}]) by pop3.example.net\r\n"
            f"\twith ESMTPS id {rng.getrandbits(64):016X}; Sun, 6 Dec 2026 12:00:00 +0000\r\n"
            f"From: Sender {index} <sender{index}@example.org>\r\nTo: alice@example.net\r\n"
            f"Subject: Message {index} of the size benchmark\r\nDate: Sun, 6 Dec 2026 12:00:00 +0000\r\n"
            f"Message-ID: <{rng.getrandbits(96):024x}@example.org>\r\nMIME-Version: 1.0\r\n")
    if size < 16 * 1024:
        text = head + "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    else:
        text = (head + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    lines = []
    while len(text) + sum(len(l) for l in lines) < min(size, 3 * 1024) - 80:
        lines.append(" ".join(rng.choice(WORDS) for _ in range(10)).capitalize() + ".\r\n")
    text += "".join(lines)
    if size >= 16 * 1024:
        text += (f"--{boundary}\r\nContent-Type: application/octet-stream; name=\"scan{index}.pdf\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\n")
        closing = f"--{boundary}--\r\n"
        room = size - len(text) - len(closing)
        encoded = base64.b64encode(rng.randbytes(room)).decode()
        attachment = "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
        text += attachment[: room - 2] + "\r\n" + closing
    data = text.encode("ascii")
    if len(data) < size:
        data += b"x" * (size - len(data) - 2) + b"\r\n"
    return data[:size] if len(data) > size else data


class Cluster:
    def __init__(self, work):
        self.work = work
        self.port = free_port()

    def start(self):
        data = os.path.join(self.work, "pg")
        os.makedirs(data)
        shutil.chown(data, "postgres", "postgres")
        as_postgres([f"{PG_BIN}/initdb", "-D", os.path.join(data, "data"), "-U", "postgres", "--auth=trust", "--no-sync"],
                    stdout=subprocess.DEVNULL)
        as_postgres([f"{PG_BIN}/pg_ctl", "-D", os.path.join(data, "data"), "-l", os.path.join(data, "log"), "-o",
                     f"-p {self.port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"],
                    stdout=subprocess.DEVNULL)

    def stop(self):
        data = os.path.join(self.work, "pg", "data")
        if os.path.isdir(data):
            as_postgres([f"{PG_BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)

    def psql(self, database, sql):
        result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                                 "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\t", "-c", sql],
                                check=True, capture_output=True, text=True)
        return result.stdout.strip()


def measure(cluster, server, work, name, messages):
    """Creates database `name`, migrates it, imports `messages` (a list of bytes), returns the sizes."""
    cluster.psql("postgres", f"CREATE DATABASE {name}")
    env = dict(os.environ, **{
        "DOTNET_ENVIRONMENT": "Production",
        "Pop3__Store": "PostgreSql",
        "Pop3__PostgreSql__ConnectionString": f"Host=127.0.0.1;Port={cluster.port};Database={name};Username=postgres",
        "Pop3__Maildir__Path": os.path.join(work, "unused", "{user}"),
        "Logging__LogLevel__Default": "Warning",
    })
    dll = os.path.join(server, "Pop3.Server.dll")
    subprocess.run(["dotnet", dll, "migrate"], check=True, env=env, cwd=work, stdout=subprocess.DEVNULL)
    maildir = os.path.join(work, "maildir-" + name)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    for i, data in enumerate(messages):
        with open(os.path.join(maildir, "cur", f"{1765000000 + i}.M{i}P1.bench:2,"), "wb") as f:
            f.write(data)
    subprocess.run(["dotnet", dll, "import-maildir", "--user", "alice", "--path", maildir], check=True, env=env, cwd=work,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(maildir)
    cluster.psql(name, "VACUUM ANALYZE pop3_messages")
    row = cluster.psql(name, """
        SELECT count(*), coalesce(sum(size), 0), coalesce(sum(octet_length(body)), 0),
               pg_relation_size('pop3_messages'),
               pg_total_relation_size(reltoastrelid),
               pg_indexes_size('pop3_messages'),
               pg_total_relation_size('pop3_messages')
        FROM pop3_messages, pg_class WHERE pg_class.oid = 'pop3_messages'::regclass GROUP BY reltoastrelid""")
    count, size, stored, heap, toast, indexes, total = (int(v) for v in row.split("\t"))
    if count != len(messages):
        raise SystemExit(f"{name}: {count} rows for {len(messages)} messages")
    return {"name": name, "count": count, "bytes": sum(len(m) for m in messages), "size": size, "stored": stored,
            "heap": heap, "toast": toast, "indexes": indexes, "total": total}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000, help="4 KiB messages")
    parser.add_argument("--medium", type=int, default=200, help="100 KiB messages")
    parser.add_argument("--large", type=int, default=20, help="1 MiB messages")
    parser.add_argument("--server", help="an already published Pop3.Server folder (else it is published)")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="pop3-body-size-")
    os.chmod(work, 0o755)
    cluster = Cluster(work)
    try:
        server = args.server
        if not server:
            server = os.path.join(work, "server")
            print(f"publishing src/Pop3.Server into {server}", flush=True)
            subprocess.run(["dotnet", "publish", os.path.join(ROOT, "src", "Pop3.Server"), "-c", "Release", "-o", server,
                            "-nologo", "-v", "q"], check=True, stdout=subprocess.DEVNULL)
        cluster.start()
        corpus_dir = os.path.join(ROOT, "tests", "corpus", "messages")
        corpus = [open(os.path.join(corpus_dir, n), "rb").read() for n in sorted(os.listdir(corpus_dir)) if n.endswith(".eml")]
        rng = random.Random(19)
        sets = [("corpus", corpus)] + [
            (label, [generated_message(rng, i, size) for i in range(count)])
            for label, size, count in (("kib4", 4096, args.small), ("kib100", 102400, args.medium), ("mib1", 1048576, args.large))
            if count > 0]
        print(f"PostgreSQL {cluster.psql('postgres', 'SHOW server_version')}, schema of `Pop3.Server migrate`, after VACUUM ANALYZE")
        print(f"{'set':<8} {'messages':>8} {'msg bytes':>10} {'heap/msg':>9} {'toast/msg':>10} {'index/msg':>10} "
              f"{'total/msg':>10} {'total/bytes':>11}")
        for label, messages in sets:
            r = measure(cluster, server, work, label, messages)
            n = r["count"]
            print(f"{label:<8} {n:>8} {r['bytes'] / n:>10.0f} {r['heap'] / n:>9.0f} {r['toast'] / n:>10.0f} "
                  f"{r['indexes'] / n:>10.0f} {r['total'] / n:>10.0f} {r['total'] / r['bytes']:>11.3f}", flush=True)
            if r["stored"] != r["bytes"] or r["size"] != r["bytes"]:
                print(f"         note: {r['stored']} body bytes stored as delivered; the size column (LIST, bare LF counted as CRLF) sums to {r['size']}")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
