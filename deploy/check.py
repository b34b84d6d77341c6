#!/usr/bin/env python3
"""Checks the container and deployment files without a Docker engine or a cluster.

    python3 deploy/check.py            # lint + parse + the Dockerfile's dotnet publish + a container-like run
    python3 deploy/check.py --no-build # lint + parse only

1. Lints the Dockerfile with rules of our own (hadolint is not packaged for Debian): pinned multi-stage
   images, JSON-form ENTRYPOINT/HEALTHCHECK, a non-root USER, the ports and volumes the docs promise,
   every COPY source present in the build context.
2. Parses every YAML file under deploy/ (python3-yaml) and checks what must agree between them: probes on
   /healthz and /readyz with timeouts the server's readiness bound fits in, a termination grace period that fits
   the drain, the Services' ports, and the PostgreSQL store reached through PgBouncer in transaction mode
   (compose profile postgres, Kubernetes).
3. Checks the systemd unit's sections and keys.
4. Runs the Dockerfile's own `dotnet restore` and `dotnet publish` lines (output redirected to a temporary
   /app), then starts the published server the way the image does: the image's ENV with paths and ports
   moved into a temporary directory, its ENTRYPOINT, its HEALTHCHECK command until healthy, then SIGTERM,
   which must drain and exit 0.
Prints one line per check and exits non-zero on the first failure.
"""
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
failures = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        failures.append(message)
    return condition


def parse_duration(text):
    """'00:00:30' or '40s' to seconds."""
    text = str(text).strip()
    if m := re.fullmatch(r"(\d+):(\d\d):(\d\d)", text):
        return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
    if m := re.fullmatch(r"(\d+)s", text):
        return int(m[1])
    return int(text)


# /readyz answers within this many seconds, the database's reply included (issue 19: a readiness budget of its own).
READINESS_BOUND_SECONDS = 1


def connection_string(text):
    """An Npgsql connection string as a dict with lower-case keys."""
    pairs = (part.split("=", 1) for part in text.split(";") if "=" in part)
    return {key.strip().lower(): value.strip() for key, value in pairs}


def pgbouncer_ini(text):
    """PgBouncer's ini file as {section: {key: value}}."""
    sections, current = {}, None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
        elif current is not None and "=" in line:
            key, value = line.split("=", 1)
            current[key.strip()] = value.strip()
    return sections


# ---------------------------------------------------------------- Dockerfile
def dockerfile_instructions(path):
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#") and current:
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        instruction, _, arguments = current.partition(" ")
        lines.append((instruction.upper(), arguments.strip()))
        current = ""
    return lines


def lint_dockerfile():
    path = ROOT / "Dockerfile"
    if not check(path.exists(), "Dockerfile exists at the repository root"):
        return None
    instructions = dockerfile_instructions(path)
    froms = [a for i, a in instructions if i == "FROM"]
    check(len(froms) >= 2, "Dockerfile is multi-stage")
    for image in froms:
        name = image.split()[0]
        check(":" in name and not name.endswith(":latest"), f"FROM {name} has a pinned tag")
    check(froms[0].startswith("mcr.microsoft.com/dotnet/sdk:") and " AS build" in froms[0], "the first stage builds with the .NET SDK")
    check(froms[-1].startswith("mcr.microsoft.com/dotnet/aspnet:"), "the final stage runs on the ASP.NET runtime image")

    final = instructions[max(i for i, (ins, _) in enumerate(instructions) if ins == "FROM"):]
    users = [a for i, a in final if i == "USER"]
    check(users and users[-1] not in ("root", "0"), f"the final stage runs as a non-root USER ({users[-1] if users else 'none'})")
    exposed = {p for i, a in final if i == "EXPOSE" for p in a.split()}
    check({"110", "995", "9110"} <= exposed, f"EXPOSE 110 995 9110 (has {' '.join(sorted(exposed))})")
    volumes = [v for i, a in final if i == "VOLUME" for v in (json.loads(a) if a.startswith("[") else a.split())]
    check({"/var/mail/pop3", "/etc/pop3", "/var/lib/pop3"} <= set(volumes), "volumes for mail, users file/certificates and state")
    for ins in ("ENTRYPOINT", "HEALTHCHECK"):
        found = [a for i, a in final if i == ins]
        check(len(found) == 1, f"one {ins} in the final stage")
    entrypoint = json.loads(next(a for i, a in final if i == "ENTRYPOINT"))
    check(isinstance(entrypoint, list), "ENTRYPOINT is in JSON (exec) form, so SIGTERM reaches the server")
    health = next(a for i, a in final if i == "HEALTHCHECK")
    health_cmd = json.loads(health[health.index("CMD") + 3:].strip())
    check(isinstance(health_cmd, list) and "healthcheck" in health_cmd, "HEALTHCHECK uses the server's healthcheck mode (no curl in the image)")
    check(not any(i == "ADD" for i, _ in instructions), "COPY, never ADD")
    check(not any(re.search(r"\bsudo\b|apt-get upgrade", a) for i, a in instructions if i == "RUN"), "no sudo or apt-get upgrade")

    for i, a in instructions:
        if i == "COPY" and "--from=" not in a:
            parts = [part for part in shlex.split(a) if not part.startswith("--")]
            for source in parts[:-1]:
                check((ROOT / source).exists(), f"COPY source {source} exists")
            if parts[0] == "src/":
                check("--exclude=**/bin" in a and "--exclude=**/obj" in a, "COPY src/ leaves out bin/ and obj/ of a developer's tree")
    # The restore layer needs every project the server references, transitively, copied before `dotnet restore`.
    copied = {shlex.split(a)[0] for i, a in instructions if i == "COPY" and shlex.split(a)[0].endswith(".csproj")}
    pending, seen = [ROOT / "src/Pop3.Server/Pop3.Server.csproj"], set()
    while pending:
        project = pending.pop().resolve()
        if project in seen:
            continue
        seen.add(project)
        check(project.relative_to(ROOT).as_posix() in copied, f"the Dockerfile copies {project.relative_to(ROOT)} before restoring")
        for reference in re.findall(r'ProjectReference Include="([^"]+)"', project.read_text()):
            pending.append(project.parent / reference)
    env = {}
    for i, a in final:
        if i == "ENV":
            for pair in shlex.split(a):
                key, _, value = pair.partition("=")
                env[key] = value
    check(env.get("Serilog__Console__Format") == "json", "the container logs compact JSON")
    check(env.get("Pop3__Admin__Port") == "9110" and env.get("Pop3__Admin__Address") == "*", "the admin listener is reachable from outside the container on 9110")
    runs = [a for i, a in instructions if i == "RUN" and a.startswith("dotnet ")]
    return {"env": env, "entrypoint": entrypoint, "healthcheck": health_cmd, "dotnet": runs}


# ---------------------------------------------------------------- YAML
def parse_yaml():
    documents = {}
    files = sorted(list(DEPLOY.rglob("*.yaml")) + list(DEPLOY.rglob("*.yml")))
    check(len(files) >= 5, f"{len(files)} YAML files under deploy/")
    for path in files:
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
            check(bool(docs), f"{path.relative_to(ROOT)} parses ({len(docs)} document(s))")
            documents[path.relative_to(ROOT).as_posix()] = docs
        except yaml.YAMLError as error:
            check(False, f"{path.relative_to(ROOT)} parses: {error}")
    return documents


def check_kubernetes(documents):
    objects = {}
    for name, docs in documents.items():
        if not name.startswith("deploy/kubernetes/"):
            continue
        for doc in docs:
            ok = all(k in doc for k in ("apiVersion", "kind", "metadata")) and "name" in doc["metadata"]
            check(ok, f"{name}: {doc.get('kind')} {doc.get('metadata', {}).get('name')} has apiVersion, kind and metadata.name")
            objects[(doc["kind"], doc["metadata"]["name"])] = doc
    kinds = {kind for kind, _ in objects}
    check({"Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget"} <= kinds, f"Kubernetes objects: {', '.join(sorted(kinds))}")

    config = objects[("ConfigMap", "pop3-kestrel")]["data"]
    check(all(isinstance(v, str) for v in config.values()), "ConfigMap values are all strings")
    drain = parse_duration(config["Pop3__DrainTimeout"])
    deployment = objects[("Deployment", "pop3-kestrel")]
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    pre_stop = int(container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", ["sleep", "0"])[-1])
    grace = pod["terminationGracePeriodSeconds"]
    check(grace >= pre_stop + drain + 5, f"terminationGracePeriodSeconds {grace} >= preStop {pre_stop} + drain {drain} + 5")
    check(container["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness probe on /readyz")
    check(container["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness probe on /healthz")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(ports == {"pop3": 110, "pop3s": 995, "admin": 9110}, f"container ports {ports}")
    check(str(config["Pop3__Admin__Port"]) == str(ports["admin"]), "the admin port in the ConfigMap is the probes' port")
    check(pod["securityContext"].get("runAsNonRoot") is True, "the pod runs as non-root")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    check(deployment["spec"]["selector"]["matchLabels"].items() <= labels.items(), "the Deployment's selector matches its pods")
    service = objects[("Service", "pop3-kestrel")]
    check({p["port"] for p in service["spec"]["ports"]} == {110, 995}, "the Service publishes 110 and 995")
    check(service["spec"]["selector"].items() <= labels.items(), "the Service selects the pods")
    pdb = objects[("PodDisruptionBudget", "pop3-kestrel")]
    check(pdb["spec"]["selector"]["matchLabels"].items() <= labels.items(), "the PodDisruptionBudget selects the pods")
    mounted = {m["name"] for m in container["volumeMounts"]}
    check(mounted <= {v["name"] for v in pod["volumes"]}, "every volume mount has a volume")
    paths = ["Pop3__Certificate__Path", "Pop3__Authentication__UsersFile"] + (["Pop3__Maildir__Path"] if config["Pop3__Store"] == "Maildir" else [])
    for key in paths:
        path = config[key].split("{")[0]
        check(any(path.startswith(m["mountPath"]) for m in container["volumeMounts"]), f"{key} ({config[key]}) lies on a mounted volume")
    for probe in ("readinessProbe", "livenessProbe"):
        timeout = container[probe].get("timeoutSeconds", 1)
        check(READINESS_BOUND_SECONDS < timeout <= container[probe].get("periodSeconds", 10),
              f"{probe} timeout {timeout} s exceeds the server's {READINESS_BOUND_SECONDS} s readiness bound and fits its period")

    # The PostgreSQL store, through PgBouncer in transaction mode.
    check(config["Pop3__Store"] == "PostgreSql", "the Kubernetes pods serve the PostgreSQL store")
    env = {e["name"]: e for e in container.get("env", [])}
    reference = env.get("Pop3__PostgreSql__ConnectionString", {}).get("valueFrom", {}).get("secretKeyRef", {})
    check(reference.get("name") == "pop3-kestrel-postgres" and not reference.get("optional", False),
          "the connection string comes from the pop3-kestrel-postgres Secret, which must exist")
    secret = objects.get(("Secret", reference.get("name")), {}).get("stringData", {})
    target = connection_string(secret.get(reference.get("key"), ""))
    bouncer = objects.get(("Deployment", "pop3-kestrel-pgbouncer"))
    if check(bouncer is not None, "a PgBouncer Deployment"):
        service = objects.get(("Service", target.get("host")))
        bouncer_labels = bouncer["spec"]["template"]["metadata"]["labels"]
        check(service is not None and service["spec"]["selector"].items() <= bouncer_labels.items(),
              f"the connection string's host {target.get('host')} is the Service in front of PgBouncer")
        check(service is not None and str(target.get("port")) in {str(p["port"]) for p in service["spec"]["ports"]},
              f"the connection string's port {target.get('port')} is the PgBouncer Service's")
        ini = pgbouncer_ini(objects[("ConfigMap", "pop3-kestrel-pgbouncer")]["data"]["pgbouncer.ini"])
        check(ini["pgbouncer"].get("pool_mode") == "transaction", "PgBouncer pools in transaction mode")
        check(target.get("database") in ini["databases"], f"PgBouncer serves the database {target.get('database')}")
        check(target.get("no reset on close") == "true", "the connection string leaves resets to PgBouncer (No Reset On Close=true)")

    # Migrations are an operation: a Job runs `migrate` with the pods' settings and connection string; pods never migrate.
    check(env.get("Pop3__PostgreSql__MigrateOnStart", {}).get("value") == "false" and "Pop3__PostgreSql__MigrateOnStart" not in config,
          "the Deployment's pods do not migrate (Pop3__PostgreSql__MigrateOnStart=false)")
    job = objects.get(("Job", "pop3-kestrel-migrate"))
    if check(job is not None, "a migrate Job (deploy/kubernetes/migrate-job.yaml)"):
        job_pod = job["spec"]["template"]["spec"]
        migrate = job_pod["containers"][0]
        check(migrate["image"] == container["image"] and migrate.get("args") == ["migrate"] and "command" not in migrate,
              "the Job runs the pods' image with the migrate subcommand (the image's ENTRYPOINT is the server)")
        check(job_pod.get("restartPolicy") in ("Never", "OnFailure"), "the Job's pod is not restarted forever")
        job_env = {e["name"]: e for e in migrate.get("env", [])}
        check(job_env.get("Pop3__PostgreSql__ConnectionString", {}).get("valueFrom") == env["Pop3__PostgreSql__ConnectionString"]["valueFrom"],
              "the Job takes the connection string from the pods' Secret and key")
        check(migrate.get("envFrom") == container.get("envFrom"), "the Job takes the pods' ConfigMap (Pop3__Store=PostgreSql)")
        job_labels = job["spec"]["template"]["metadata"].get("labels", {})
        selector = objects[("Service", "pop3-kestrel")]["spec"]["selector"]
        check(not selector.items() <= job_labels.items(), "the pop3-kestrel Service does not select the migrate Job's pod")
        check(job_pod.get("securityContext", {}).get("runAsNonRoot") is True, "the migrate Job runs as non-root")


def check_compose(documents):
    compose = documents["deploy/docker-compose.yml"][0]
    services = compose["services"]
    check({"pop3", "postgres", "pop3-replica"} <= services.keys(), f"compose services: {', '.join(services)}")
    check(services["postgres"].get("profiles") == ["postgres"] and services["pop3-replica"].get("profiles") == ["postgres"], "PostgreSQL and the replicas are in the postgres profile")
    check(services["pop3-replica"]["deploy"]["replicas"] == 2, "two server replicas in the postgres profile")
    for name in ("pop3", "pop3-replica"):
        service = services[name]
        drain = parse_duration(service["environment"]["Pop3__DrainTimeout"])
        check(parse_duration(service["stop_grace_period"]) > drain, f"{name}: stop_grace_period exceeds the drain timeout")
        check(service["build"]["dockerfile"] == "Dockerfile" and (DEPLOY / service["build"]["context"] / "Dockerfile").exists(), f"{name} builds the root Dockerfile")
    check(any(p.startswith("127.0.0.1:") and p.endswith(":9110") for p in services["pop3"]["ports"]), "compose publishes the admin port on loopback only")
    replica = services["pop3-replica"]["environment"]
    check(replica.get("Pop3__Store") == "PostgreSql" and "Pop3__PostgreSql__ConnectionString" in replica,
          "the postgres profile's replicas serve the PostgreSQL store (Pop3__Store, Pop3__PostgreSql__ConnectionString)")
    bouncer = services.get("pgbouncer", {})
    check(bouncer.get("profiles") == ["postgres"], "PgBouncer is in the postgres profile")
    ini = pgbouncer_ini((DEPLOY / "config" / "pgbouncer.ini").read_text())
    target = connection_string(replica.get("Pop3__PostgreSql__ConnectionString", ""))
    check(target.get("host") == "pgbouncer" and target.get("port") == ini["pgbouncer"].get("listen_port"),
          f"the replicas connect to PgBouncer ({target.get('host')}:{target.get('port')})")
    check(ini["pgbouncer"].get("pool_mode") == "transaction", "PgBouncer pools in transaction mode")
    check("host=postgres " in ini["databases"].get(target.get("database"), "") + " ", "PgBouncer connects to the postgres service")
    check("pgbouncer" in services["pop3-replica"].get("depends_on", {}), "the replicas start after PgBouncer")

    # Migrations are an operation: a one-shot service runs `migrate`; the replicas wait for it and never migrate.
    migrate = services.get("migrate")
    if check(migrate is not None and migrate.get("profiles") == ["postgres"], "a one-shot migrate service in the postgres profile"):
        migrate_env = migrate.get("environment", {})
        check(migrate.get("command") == ["migrate"] and "entrypoint" not in migrate,
              "the migrate service runs the image's server with the migrate subcommand")
        check(migrate.get("image") == services["pop3-replica"].get("image"), "the migrate service runs the replicas' image")
        check(migrate.get("restart", "no") == "no", "the migrate service is not restarted once it exits")
        check(migrate_env.get("Pop3__Store") == "PostgreSql"
              and migrate_env.get("Pop3__PostgreSql__ConnectionString") == replica.get("Pop3__PostgreSql__ConnectionString"),
              "the migrate service migrates the replicas' database (same store and connection string)")
        check(set(migrate.get("secrets", [])) >= set(services["pop3-replica"].get("secrets", [])), "the migrate service has the replicas' secrets (Passfile)")
        condition = services["pop3-replica"].get("depends_on", {}).get("migrate", {}).get("condition")
        check(condition == "service_completed_successfully", "the replicas start only after migrate exited 0")
    check(replica.get("Pop3__PostgreSql__MigrateOnStart") == "false", "the replicas do not migrate (Pop3__PostgreSql__MigrateOnStart=false)")


def check_systemd():
    path = DEPLOY / "systemd" / "pop3-kestrel.service"
    if not check(path.exists(), "systemd unit exists"):
        return
    sections, current = {}, None
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        if not (sep and current is not None):
            check(False, f"systemd line is key=value inside a section: {line}")
            continue
        current.setdefault(key, []).append(value)
    check({"Unit", "Service", "Install"} <= sections.keys(), "systemd unit has [Unit], [Service], [Install]")
    service = sections["Service"]
    check(service.get("Type") == ["notify"], "Type=notify (the server calls AddSystemd)")
    check(service.get("ExecStart", [""])[0].startswith("/"), "ExecStart is an absolute path")
    check(service.get("User", ["root"])[0] != "root", "runs as a non-root user")
    drain = next(parse_duration(e.split("=", 1)[1]) for e in service["Environment"] if e.startswith("Pop3__DrainTimeout="))
    check(int(service["TimeoutStopSec"][0]) > drain, "TimeoutStopSec exceeds the drain timeout")
    paths = [p for line in service.get("ReadWritePaths", []) for p in line.split()]
    check(paths and all(p.startswith("-/") for p in paths),
          "ReadWritePaths entries start with '-' (a missing directory must not fail the start with 226/NAMESPACE)")
    header = path.read_text()
    check("install -d -o pop3 -g pop3 -m 750 /var/mail/pop3" in header and "install -d -m 755 /etc/pop3" in header,
          "the unit's install steps create /var/mail/pop3 and /etc/pop3")


# ---------------------------------------------------------------- publish and run like the image
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publish_and_run(image):
    with tempfile.TemporaryDirectory(prefix="pop3-image-") as work:
        work = Path(work)
        app = work / "app"
        for command in image["dotnet"]:
            args = shlex.split(command)
            if "-o" in args:
                args[args.index("-o") + 1] = str(app)
            print("run   " + " ".join(args), flush=True)
            result = subprocess.run(args + ["--nologo"], cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if not check(result.returncode == 0, f"`{command}` succeeds"):
                print(result.stdout[-4000:], result.stderr[-4000:])
                return
        dll = Path(image["entrypoint"][-1])
        check((app / dll.name).exists(), f"publish produced the ENTRYPOINT's {dll.name}")

        # The image's environment, with its absolute paths inside the temporary directory and free ports.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("Pop3__", "Serilog__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"))}
        for key, value in image["env"].items():
            for root in ("/var/mail/pop3", "/var/lib/pop3", "/etc/pop3"):
                value = value.replace(root, str(work / root.strip("/").replace("/", "_")))
            env[key] = value
        pop3_port, admin_port = free_port(), free_port()
        env.update(Pop3__Endpoints__Default__Address="127.0.0.1", Pop3__Endpoints__Default__Port=str(pop3_port),
                   Pop3__Admin__Address="127.0.0.1", Pop3__Admin__Port=str(admin_port), Pop3__DrainTimeout="00:00:05")
        users = Path(env["Pop3__Authentication__UsersFile"])
        users.parent.mkdir(parents=True, exist_ok=True)
        hashed = subprocess.run(["dotnet", str(app / dll.name), "hash-password", "-s", "SHA512-CRYPT"], input="secret\n",
                                capture_output=True, text=True, env=env)
        check(hashed.returncode == 0 and hashed.stdout.startswith("{SHA512-CRYPT}$6$"), "the image's hash-password command works")
        users.write_text("alice:" + hashed.stdout.strip() + "\n")

        def swap(args):
            return [str(app / Path(a).name) if a.startswith("/app/") else a for a in args]

        log = open(work / "server.log", "w+")
        server = subprocess.Popen(swap(image["entrypoint"]), cwd=app, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            healthy = False
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and server.poll() is None:
                probe = subprocess.run(swap(image["healthcheck"]), env=env, capture_output=True, text=True)
                if probe.returncode == 0:
                    healthy = True
                    break
                time.sleep(0.5)
            check(healthy, "the image's HEALTHCHECK command passes against the running server")
            with socket.create_connection(("127.0.0.1", pop3_port), timeout=10) as pop3:
                stream = pop3.makefile("rwb")

                def command(line):
                    stream.write(line.encode() + b"\r\n")
                    stream.flush()
                    return stream.readline().decode()

                greeting = stream.readline().decode()
                check(greeting.startswith("+OK"), f"POP3 greeting: {greeting.strip()}")
                command("USER alice")
                check(command("PASS secret").startswith("+OK"), "login with the hashed password")
                server.send_signal(signal.SIGTERM)
                check(stream.readline().decode().startswith("-ERR [SYS/TEMP]"), "SIGTERM: the idle session is told -ERR [SYS/TEMP]")
            code = server.wait(timeout=30)
            check(code == 0, f"the server drains and exits 0 on SIGTERM (exit {code})")
            log.seek(0)
            lines = [l for l in log.read().splitlines() if l.strip()]
            check(bool(lines) and all(l.startswith("{") and json.loads(l) for l in lines), f"all {len(lines)} log lines are compact JSON")
        finally:
            if server.poll() is None:
                server.kill()
            log.close()


def main():
    image = lint_dockerfile()
    documents = parse_yaml()
    if documents:
        check_kubernetes(documents)
        check_compose(documents)
    check_systemd()
    if image and "--no-build" not in sys.argv:
        publish_and_run(image)
    print(f"deploy checks: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
