#!/usr/bin/python3
"""Figures of the seed's four services in separate processes (scripts/deploy) over RabbitMQ and
PostgreSQL, through the REST endpoint of the api process:

  scaleout.create_per_s   volume creates (POST, 8 keep-alive connections) until every one is
                          available, with 1, 2 and 4 volume services (2 schedulers, 1 api); the
                          anchor in the same run is the same creates against one blockstored
                          with every role on SQLite (ratio_to_one_process); Cinder's 9.4/s
                          (measured on these machines, ../shared figures) gives ratio_to_cinder.
  scaleout.rss_mib        resident set of each role's process at idle (the largest is the value).
  scaleout.cpu_ms_per_create  with 2 volume services: CPU time of every process on the machine
                          during the creates, per create (the value), and by where it went
                          (PostgreSQL, RabbitMQ, each role, the load generator, the rest).

    bench/scaleout_bench.py --daemon build-release/examples/blockstored [--creates N]
"""
import argparse
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import threading
import time
import importlib.machinery
import importlib.util

ROOT = pathlib.Path(__file__).resolve().parent.parent
_loader = importlib.machinery.SourceFileLoader("deploy", str(ROOT / "scripts" / "deploy"))
_spec = importlib.util.spec_from_loader("deploy", _loader)
deploy = importlib.util.module_from_spec(_spec)
_loader.exec_module(deploy)

CINDER_CREATES_PER_S = 9.4
CONNECTIONS = 8
HEADERS = {"X-Auth-Token": "bench:bench", "OpenStack-API-Version": "volume 3.60",
           "Content-Type": "application/json"}


def emit(metric, value, unit, **extra):
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def creates(url, n):
    """POSTs n creates over CONNECTIONS connections; seconds until none is creating, and the
    number available then (None when any was refused or ended otherwise)."""
    host, port = url.split("//")[1].split(":")
    refused = []

    def worker(t):
        c = http.client.HTTPConnection(host, int(port), timeout=60)
        for i in range(t, n, CONNECTIONS):
            c.request("POST", "/v3/bench/volumes",
                      json.dumps({"volume": {"size": 1, "name": f"v{i}"}}), HEADERS)
            r = c.getresponse()
            r.read()
            if r.status != 202:
                refused.append(r.status)
    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(t,)) for t in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    c = http.client.HTTPConnection(host, int(port), timeout=60)

    def count(status):
        c.request("GET", f"/v3/bench/volumes?with_count=true&limit=1&status={status}", headers=HEADERS)
        return json.loads(c.getresponse().read())["count"]
    while count("creating") and time.monotonic() - start < 600:
        time.sleep(0.005)
    seconds = time.monotonic() - start
    available = count("available")
    return seconds, (available if not refused and available == n else None), len(refused)


def cpu_ticks():
    """Every process's CPU time in clock ticks, by pid: (where it counts, ticks)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            if comm == "blockstored":
                argv = open(f"/proc/{entry}/cmdline").read().split("\0")
                comm = "blockstored " + (argv[argv.index("--roles") + 1] if "--roles" in argv else "all")
            out[entry] = (comm, int(fields[11]) + int(fields[12]))
        except (OSError, ValueError, IndexError):
            pass  # gone meanwhile
    return out


def cpu_by_group(before, after, mine):
    """CPU seconds spent between two cpu_ticks() snapshots, grouped."""
    tick = os.sysconf("SC_CLK_TCK")
    groups = {}
    for pid, (comm, ticks) in after.items():
        spent = ticks - before.get(pid, (comm, 0))[1]
        if spent <= 0:
            continue
        if pid == mine:
            group = "load_generator"
        elif comm == "postgres":
            group = "postgresql"
        elif comm == "beam.smp":
            group = "rabbitmq"
        elif comm.startswith("blockstored "):
            group = comm.split(" ", 1)[1]
        else:
            group = "other"
        groups[group] = groups.get(group, 0.0) + spent / tick
    return groups


def one_process(binary, n):
    """The anchor: the same creates against one blockstored running every role on SQLite."""
    with tempfile.TemporaryDirectory() as d:
        conf = pathlib.Path(d) / "blockstored.conf"
        conf.write_text(f"[DEFAULT]\nlisten = 127.0.0.1\nport = 0\nstate_path = {d}/state\nhost = bench\n"
                        f"enabled_backends = file-1\nquota_volumes = -1\nquota_gigabytes = -1\n\n"
                        f"[file-1]\nvolume_driver = file\nvolumes_dir = {d}/state/volumes\n")
        p = subprocess.Popen([binary, "--config", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, start_new_session=True)
        line = p.stdout.readline()
        url = "http://127.0.0.1:" + line.rsplit(":", 1)[1].strip()
        try:
            return creates(url, n)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--daemon", required=True)
    ap.add_argument("--creates", type=int, default=1000)
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="scaleout-"))
    broker = deploy.Deployment(work / "servers")  # its broker and database serve every run
    broker._broker()
    broker._database()
    failed = False
    try:
        for volumes in (1, 2, 4):
            d = deploy.Deployment(work / f"v{volumes}", volumes=volumes, schedulers=2, binary=args.daemon,
                                  amqp_env=broker.amqp_env_file, pg_url=broker.pg_url,
                                  common=["quota_volumes = -1", "quota_gigabytes = -1", "volume_workers = 4"])
            try:
                d.start()
                time.sleep(2)
                if volumes == 2:
                    rss = d.rss_mib()
                    emit("scaleout.rss_mib", round(max(rss.values()), 1), "MiB", goal_mib=30,
                         **{f"{k}_mib": round(v, 1) for k, v in rss.items()})
                before = cpu_ticks()
                seconds, available, refused = creates(d.url, args.creates)
                spent = cpu_by_group(before, cpu_ticks(), str(os.getpid()))
                if volumes == 2 and available is not None:
                    total = sum(spent.values())
                    emit("scaleout.cpu_ms_per_create", round(1000 * total / args.creates, 2), "ms",
                         seconds=round(seconds, 2), cpus=os.cpu_count(),
                         busy=round(total / (seconds * os.cpu_count()), 3),
                         **{f"{k}_ms": round(1000 * v / args.creates, 2) for k, v in sorted(spent.items())})
                anchor_s, anchor_ok, _ = one_process(args.daemon, args.creates)
                if available is None:
                    failed = True
                    emit("scaleout.create_per_s", None, "volumes/s", volume_services=volumes,
                         failures=args.creates - (available or 0), refused=refused)
                    continue
                rate = args.creates / seconds
                emit("scaleout.create_per_s", round(rate, 1), "volumes/s", volume_services=volumes, schedulers=2,
                     volumes=args.creates, connections=CONNECTIONS,
                     ratio_to_one_process=round(rate / (args.creates / anchor_s), 3) if anchor_ok else None,
                     one_process_per_s=round(args.creates / anchor_s, 1),
                     ratio_to_cinder=round(rate / CINDER_CREATES_PER_S, 1),
                     anchor="one blockstored with every role on SQLite, same creates, same connections; "
                            "Cinder's 9.4/s measured on these machines (not rerun here)")
            finally:
                d.stop()
    finally:
        broker.stop()
        subprocess.run([str(ROOT / "scripts/rabbitmq-aio"), "stop", str(work / "servers/rabbitmq")],
                       capture_output=True)
        subprocess.run([str(ROOT / "scripts/pg-aio"), "stop", str(work / "servers/pg")], capture_output=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
