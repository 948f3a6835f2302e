"""The seed's four services as separate processes over a real RabbitMQ and PostgreSQL, driven by
the real cinder CLI: one api, two schedulers, two volume services (each with its own backend
directory and tgtd), one backup service (scripts/deploy). The four workflows (create, attach,
back up, restore), then the failures: a scheduler killed, a volume service killed mid-create,
a backup service killed mid-backup, the broker restarted under load, the database restarted.
Each ends with nothing lost and nothing stuck."""
import importlib.machinery
import importlib.util
import json
import os
import pathlib
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest

HERE = pathlib.Path(__file__).resolve().parent
_loader = importlib.machinery.SourceFileLoader("deploy", str(HERE.parent.parent / "scripts" / "deploy"))
_spec = importlib.util.spec_from_loader("deploy", _loader)
deploy = importlib.util.module_from_spec(_spec)
_loader.exec_module(deploy)

VERSION = "3.60"
ADMIN = dict(user="admin", project="admin")


def wait_for(check, timeout=60, what="a condition"):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def dep(tmp_path_factory):
    d = deploy.Deployment(tmp_path_factory.mktemp("deployment"))
    try:
        d.start()
        cinder(d, "quota-update", "--volumes", "500", "--gigabytes", "5000", "--backups", "100",
               "--backup-gigabytes", "5000", "p1", **ADMIN)
        yield d
    finally:
        codes = d.stop()
        for name, p in d.processes.items():
            if codes.get(name) != 0:
                print(f"--- {name} log (exit {codes.get(name)})")
                print(pathlib.Path(p.log_path).read_text()[-3000:])


def cinder(dep, *args, user="u1", project="p1", ok=True):
    env = dict(os.environ, OS_AUTH_TYPE="noauth", OS_USER_ID=user, OS_PROJECT_ID=project,
               CINDER_ENDPOINT=dep.url + "/v3", OS_VOLUME_API_VERSION=VERSION)
    for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_CLOUD"):
        env.pop(k, None)
    out = subprocess.run(["/usr/bin/cinder", *args], env=env, capture_output=True, text=True, timeout=120)
    if ok:
        assert out.returncode == 0, f"cinder {' '.join(args)}: {out.stderr}{out.stdout}"
    return out


def props(text):
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and line.startswith("|") and cells[0] not in ("Property", ""):
            rows[cells[0]] = cells[1]
    return rows


def table(text):
    lines = [l for l in text.splitlines() if l.startswith("|")]
    if not lines:
        return []
    head = [c.strip() for c in lines[0].strip().strip("|").split("|")]
    return [dict(zip(head, (c.strip() for c in l.strip().strip("|").split("|")))) for l in lines[1:]]


def rest(dep, path, token="admin:admin", project="admin"):
    """A GET of the v3 API (the CLI drives every change; polling goes straight to the endpoint)."""
    req = urllib.request.Request(f"{dep.url}/v3/{project}{path}", headers={
        "X-Auth-Token": token, "OpenStack-API-Version": "volume " + VERSION})
    try:
        return json.loads(urllib.request.urlopen(req, timeout=30).read())
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def post_volume(dep, name, size=1):
    """A create straight to the endpoint: the load the failure tests put on the deployment."""
    req = urllib.request.Request(f"{dep.url}/v3/p1/volumes", method="POST",
                                 data=json.dumps({"volume": {"name": name, "size": size}}).encode(), headers={
                                     "X-Auth-Token": "u1:p1", "OpenStack-API-Version": "volume " + VERSION,
                                     "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=30).read())["volume"]["id"]


def backup_status(dep, bid):
    got = rest(dep, f"/backups/{bid}", token="u1:p1", project="p1")
    return got["backup"]["status"] if got else None


def show(dep, vid):
    got = rest(dep, f"/volumes/{vid}")
    return got["volume"] if got else None


def wait_status(dep, vid, *statuses, timeout=60):
    return wait_for(lambda: (lambda p: p if p and p["status"] in statuses else None)(show(dep, vid)),
                    timeout, f"volume {vid} to be {statuses}")


def create(dep, name, size=1):
    return props(cinder(dep, "create", "--name", name, str(size)).stdout)["id"]


def node_of(volume):
    return volume["os-vol-host-attr:host"].split("@")[0]


def volume_file(dep, volume):
    return dep.volume_dir(node_of(volume)) / ("volume-" + volume["id"])


def services(dep):
    return table(cinder(dep, "service-list", **ADMIN).stdout)


def no_volume_in(dep, *statuses):
    rows = rest(dep, "/volumes/detail?all_tenants=1")["volumes"]
    return [r for r in rows if r["status"] in statuses]


def test_every_service_reports_and_the_scheduler_knows_both_backends(dep):
    rows = wait_for(lambda: (lambda r: r if len([x for x in r if x["State"] == "up"]) == 5 else None)(services(dep)),
                    30, "five services up")
    seen = {(r["Binary"], r["Host"]) for r in rows}
    assert seen == {("cinder-scheduler", "sched1"), ("cinder-scheduler", "sched2"),
                    ("cinder-volume", "node1@file-1"), ("cinder-volume", "node2@file-1"),
                    ("cinder-backup", "backup1")}
    pools = cinder(dep, "get-pools", **ADMIN).stdout
    assert "node1@file-1" in pools and "node2@file-1" in pools


def test_create_places_on_both_volume_services(dep):
    ids = [post_volume(dep, f"spread{i}") for i in range(8)]
    nodes = {node_of(wait_status(dep, vid, "available")) for vid in ids}
    assert nodes == {"node1", "node2"}
    cinder(dep, "delete", *(ids))
    for vid in ids:
        wait_for(lambda: show(dep, vid) is None, 60, f"{vid} deleted")


def test_attach_exports_over_iscsi_with_chap(dep):
    vid = create(dep, "attachme")
    wait_status(dep, vid, "available")
    a = props(cinder(dep, "attachment-create", vid, str(uuid.uuid4()), "--connect", "True",
                     "--initiator", "iqn.2026-12.org.blockstore.deploy:host", "--ip", "127.0.0.1",
                     "--host", "computehost", "--platform", "x86_64", "--ostype", "linux").stdout)
    info = rest(dep, f"/attachments/{a['id']}", token="u1:p1", project="p1")["attachment"]["connection_info"]
    assert info["driver_volume_type"] == "iscsi", info
    assert info["auth_method"] == "CHAP" and info["target_portal"].startswith("127.0.0.1:"), info
    cinder(dep, "attachment-complete", a["id"])
    wait_status(dep, vid, "in-use")
    cinder(dep, "attachment-delete", a["id"])
    wait_status(dep, vid, "available")
    cinder(dep, "delete", vid)


def test_backup_and_restore_read_and_write_through_the_volume_services_targets(dep):
    vid = create(dep, "tobackup")
    v = wait_status(dep, vid, "available")
    payload = os.urandom(64 << 10)
    with open(volume_file(dep, v), "r+b") as f:
        f.seek(3 << 20)
        f.write(payload)
    bid = props(cinder(dep, "backup-create", "--name", "b1", vid).stdout)["id"]
    wait_for(lambda: backup_status(dep, bid) == "available", 120, "the backup")
    wait_status(dep, vid, "available")
    rid = props(cinder(dep, "backup-restore", bid).stdout)["volume_id"]
    r = wait_status(dep, rid, "available", timeout=120)
    with open(volume_file(dep, r), "rb") as f:
        f.seek(3 << 20)
        assert f.read(len(payload)) == payload
    # The backup service's own target holds the objects; the volume processes hold none.
    assert any((dep.root / "backups").rglob("*"))
    for x in (vid, rid):
        cinder(dep, "delete", x)
    cinder(dep, "backup-delete", bid)
    wait_for(lambda: backup_status(dep, bid) is None, 60, "the backup deleted")


def test_a_scheduler_killed_the_other_serves(dep):
    dep.processes["scheduler1"].stop(signal.SIGKILL)
    ids = [post_volume(dep, f"onesched{i}") for i in range(6)]
    for vid in ids:
        wait_status(dep, vid, "available")
    dep.start_process("scheduler1")
    cinder(dep, "delete", *(ids))


def test_a_volume_service_killed_mid_create_leaves_nothing_creating(dep):
    # Creates in flight while node1 dies: those that reach node1 wait in its durable queue (or
    # come again, unacknowledged) and are made when it is back; node2 is not disturbed.
    ids = [post_volume(dep, f"midcreate{i}") for i in range(10)]
    dep.processes["node1"].stop(signal.SIGKILL)
    more = [post_volume(dep, f"whiledown{i}") for i in range(6)]
    time.sleep(1)
    on_node2 = [vid for vid in ids + more if (show(dep, vid) or {}).get("os-vol-host-attr:host", "").startswith("node2")]
    for vid in on_node2:
        wait_status(dep, vid, "available")
    # node1 misses its heartbeats: it shows down, and new volumes all go to node2.
    wait_for(lambda: any(r["host"] == "node1@file-1" and r["state"] == "down"
                         for r in rest(dep, "/os-services")["services"]), 30, "node1 down")
    later = [post_volume(dep, f"afterdown{i}") for i in range(4)]
    for vid in later:
        assert node_of(wait_status(dep, vid, "available")) == "node2"
    dep.start_process("node1")
    for vid in ids + more + later:
        v = wait_status(dep, vid, "available", "error", timeout=90)
        assert v["status"] == "available", v  # a message the kill interrupted is delivered again
    assert not no_volume_in(dep, "creating")
    cinder(dep, "delete", *(ids + more + later))
    wait_for(lambda: not no_volume_in(dep, "deleting", "available"), 90, "every volume deleted")
    # The quota came back whole.
    usage = cinder(dep, "quota-usage", "p1", **ADMIN).stdout
    row = next(r for r in table(usage) if r["Type"] == "volumes")
    assert row["In_use"] == "0" and row["Reserved"] == "0", row


def test_a_backup_service_killed_mid_backup_ends_in_error_and_frees_the_volume(dep):
    vid = create(dep, "bigbackup", size=2)
    v = wait_status(dep, vid, "available")
    with open(volume_file(dep, v), "r+b") as f:  # enough data that the backup takes a while
        block = os.urandom(1 << 20)
        for i in range(0, 1536):
            f.write(block)
    bid = props(cinder(dep, "backup-create", "--name", "killed", vid).stdout)["id"]
    wait_status(dep, vid, "backing-up")
    time.sleep(0.5)
    dep.processes["backup"].stop(signal.SIGKILL)
    dep.start_process("backup")
    b = wait_for(lambda: (lambda st: st if st in ("error", "available") else None)(backup_status(dep, bid)), 90,
                 "the backup settled")
    assert b == "error", b
    wait_status(dep, vid, "available")
    cinder(dep, "backup-delete", bid)
    cinder(dep, "delete", vid)


def test_the_broker_restarted_under_load(dep):
    ids = [post_volume(dep, f"beforebroker{i}") for i in range(10)]
    dep.restart_broker()
    # Every service reconnects: creates go through again, and the ones sent before settle.
    more = []
    deadline = time.time() + 60
    while len(more) < 10 and time.time() < deadline:
        out = cinder(dep, "create", "--name", f"afterbroker{len(more)}", "1", ok=False)
        if out.returncode == 0:
            more.append(props(out.stdout)["id"])
        else:
            time.sleep(0.5)
    assert len(more) == 10
    for vid in ids + more:
        assert wait_status(dep, vid, "available", "error", timeout=90)["status"] == "available"
    cinder(dep, "delete", *(ids + more))


def test_the_database_restarted(dep):
    vid = create(dep, "beforedb")
    wait_status(dep, vid, "available")
    dep.restart_database()
    out = None
    for _ in range(60):
        out = cinder(dep, "create", "--name", "afterdb", "1", ok=False)
        if out.returncode == 0:
            break
        time.sleep(0.5)
    assert out.returncode == 0, out.stderr
    wait_status(dep, props(out.stdout)["id"], "available")
    assert not no_volume_in(dep, "creating", "deleting")


def test_every_service_stops_cleanly_when_signalled(dep):
    for name in reversed(list(dep.processes)):
        assert dep.processes[name].stop() == 0, f"{name}: see {dep.processes[name].log_path}"
