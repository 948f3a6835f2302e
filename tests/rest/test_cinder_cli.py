"""The real cinder CLI (Debian's python3-cinderclient) against blockstored, as a user runs it:
OS_AUTH_TYPE=noauth, CINDER_ENDPOINT=http://127.0.0.1:PORT/v3."""
import os
import re
import subprocess
import uuid

import pytest

from conftest import wait_for

VERSION = "3.60"


def cinder(daemon, *args, user="u1", project="p1", version=VERSION, ok=True):
    env = dict(os.environ, OS_AUTH_TYPE="noauth", OS_USER_ID=user, OS_PROJECT_ID=project,
               CINDER_ENDPOINT=daemon.url + "/v3", OS_VOLUME_API_VERSION=version)
    for k in ("OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_CLOUD"):
        env.pop(k, None)
    out = subprocess.run(["/usr/bin/cinder", *args], env=env, capture_output=True, text=True,
                         timeout=60)
    if ok:
        assert out.returncode == 0, f"cinder {' '.join(args)}: {out.stderr}{out.stdout}"
    return out


def props(text):
    """The Property/Value table the CLI prints for one record."""
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


def volume_status(daemon, vid, **kw):
    out = cinder(daemon, "show", vid, ok=False, **kw)
    if out.returncode != 0:
        return None
    return props(out.stdout)


def wait_volume(daemon, vid, status, **kw):
    return wait_for(lambda: (lambda p: p if p and p["status"] == status else None)(
        volume_status(daemon, vid, **kw)))


def wait_gone(daemon, vid, **kw):
    wait_for(lambda: volume_status(daemon, vid, **kw) is None)


def test_volume_lifecycle(daemon):
    v = props(cinder(daemon, "create", "--name", "data", "--metadata", "tier=gold", "1").stdout)
    assert v["name"] == "data" and v["size"] == "1"
    vid = v["id"]
    shown = wait_volume(daemon, vid, "available")
    assert shown["volume_type"] == "__DEFAULT__" and "tier" in shown["metadata"]
    assert vid in cinder(daemon, "list").stdout
    cinder(daemon, "rename", vid, "data2")
    assert props(cinder(daemon, "show", vid).stdout)["name"] == "data2"
    cinder(daemon, "extend", vid, "2")
    wait_for(lambda: props(cinder(daemon, "show", vid).stdout)["size"] == "2")
    cinder(daemon, "metadata", vid, "set", "owner=ops")
    assert "owner" in props(cinder(daemon, "show", vid).stdout)["metadata"]
    cinder(daemon, "metadata", vid, "unset", "owner")
    assert "owner" not in props(cinder(daemon, "show", vid).stdout)["metadata"]
    # Bad input gets Cinder's error and changes nothing.
    bad = cinder(daemon, "extend", vid, "1", ok=False)
    assert bad.returncode != 0 and "HTTP 400" in bad.stderr
    missing = cinder(daemon, "show", str(uuid.uuid4()), ok=False)
    assert missing.returncode != 0
    cinder(daemon, "delete", vid)
    wait_gone(daemon, vid)


def test_snapshots(daemon):
    vid = props(cinder(daemon, "create", "--name", "src", "1").stdout)["id"]
    wait_volume(daemon, vid, "available")
    s = props(cinder(daemon, "snapshot-create", "--name", "snap", vid).stdout)
    sid = s["id"]
    wait_for(lambda: "available" in cinder(daemon, "snapshot-show", sid).stdout)
    rows = table(cinder(daemon, "snapshot-list").stdout)
    assert [r["ID"] for r in rows] == [sid]
    clone = props(cinder(daemon, "create", "--snapshot-id", sid, "--name", "fromsnap", "1").stdout)
    wait_volume(daemon, clone["id"], "available")
    cinder(daemon, "snapshot-delete", sid)
    wait_for(lambda: sid not in cinder(daemon, "snapshot-list").stdout)


def test_types_and_extra_specs(daemon):
    admin = dict(user="admin", project="admin")
    t = table(cinder(daemon, "type-create", "gold", **admin).stdout)[0]
    cinder(daemon, "type-key", "gold", "set", "volume_backend_name=file-1", "tier=gold", **admin)
    specs = cinder(daemon, "extra-specs-list", **admin).stdout
    assert "volume_backend_name" in specs and "tier" in specs
    cinder(daemon, "type-key", "gold", "unset", "tier", **admin)
    assert "tier" not in cinder(daemon, "extra-specs-list", **admin).stdout
    v = props(cinder(daemon, "create", "--volume-type", "gold", "1").stdout)
    assert wait_volume(daemon, v["id"], "available")["volume_type"] == "gold"
    # Only admins manage types.
    denied = cinder(daemon, "type-create", "silver", ok=False)
    assert denied.returncode != 0 and "HTTP 403" in denied.stderr
    assert t["Name"] == "gold"
    qos = props(cinder(daemon, "qos-create", "fast", "consumer=front-end", "total_iops_sec=500",
                       **admin).stdout)
    cinder(daemon, "qos-associate", qos["id"], t["ID"], **admin)
    assert "gold" in cinder(daemon, "qos-get-association", qos["id"], **admin).stdout
    cinder(daemon, "qos-key", qos["id"], "set", "read_iops_sec=100", **admin)
    assert "read_iops_sec" in cinder(daemon, "qos-show", qos["id"], **admin).stdout
    cinder(daemon, "qos-disassociate", qos["id"], t["ID"], **admin)
    cinder(daemon, "qos-delete", qos["id"], **admin)
    assert qos["id"] not in cinder(daemon, "qos-list", **admin).stdout


def test_private_type_access(daemon):
    admin = dict(user="admin", project="admin")
    t = table(cinder(daemon, "type-create", "--is-public", "false", "vip", **admin).stdout)[0]
    assert t["Is_Public"] == "False"
    hidden = cinder(daemon, "create", "--volume-type", "vip", "1", ok=False)
    assert hidden.returncode != 0
    cinder(daemon, "type-access-add", "--volume-type", t["ID"], "--project-id", "p1", **admin)
    rows = table(cinder(daemon, "type-access-list", "--volume-type", t["ID"], **admin).stdout)
    assert rows == [{"Volume_type_ID": t["ID"], "Project_ID": "p1"}]
    again = cinder(daemon, "type-access-add", "--volume-type", t["ID"], "--project-id", "p1",
                   ok=False, **admin)
    assert again.returncode != 0 and "HTTP 409" in again.stderr
    v = props(cinder(daemon, "create", "--volume-type", "vip", "1").stdout)
    assert wait_volume(daemon, v["id"], "available")["volume_type"] == "vip"
    other = cinder(daemon, "create", "--volume-type", "vip", "1", project="p2", ok=False)
    assert other.returncode != 0
    cinder(daemon, "type-access-remove", "--volume-type", t["ID"], "--project-id", "p1", **admin)
    assert table(cinder(daemon, "type-access-list", "--volume-type", t["ID"], **admin).stdout) == []
    # The read-only flag, as `cinder show` reports it.
    cinder(daemon, "readonly-mode-update", v["id"], "True")
    assert "readonly : True" in props(cinder(daemon, "show", v["id"]).stdout)["metadata"]
    cinder(daemon, "readonly-mode-update", v["id"], "False")
    assert "readonly : False" in props(cinder(daemon, "show", v["id"]).stdout)["metadata"]
    cinder(daemon, "delete", v["id"])
    wait_gone(daemon, v["id"])


def test_quotas_limits_pools_services(daemon):
    admin = dict(user="admin", project="admin")
    q = props(cinder(daemon, "quota-show", "p1").stdout)
    assert q["volumes"] == "10"
    cinder(daemon, "quota-update", "--volumes", "1", "p1", **admin)
    assert props(cinder(daemon, "quota-show", "p1").stdout)["volumes"] == "1"
    vid = props(cinder(daemon, "create", "1").stdout)["id"]
    wait_volume(daemon, vid, "available")
    over = cinder(daemon, "create", "1", ok=False)
    assert over.returncode != 0 and "HTTP 413" in over.stderr
    usage = cinder(daemon, "quota-usage", "p1").stdout
    assert re.search(r"\|\s*volumes\s*\|\s*1\s*\|", usage)
    assert "maxTotalVolumes" in cinder(daemon, "absolute-limits").stdout
    assert "resthost@file-1#file-1" in cinder(daemon, "get-pools", **admin).stdout
    services = table(cinder(daemon, "service-list", **admin).stdout)
    assert {r["Binary"] for r in services} == {"cinder-volume", "cinder-scheduler", "cinder-backup"}
    assert all(r["State"] == "up" for r in services)
    assert cinder(daemon, "get-pools", ok=False).returncode != 0  # admin only


def test_service_disable_and_enable(daemon):
    admin = dict(user="admin", project="admin")
    backend = "resthost@file-1"
    out = cinder(daemon, "service-disable", "--reason", "disk swap", backend, "cinder-volume", **admin)
    row = table(out.stdout)[0]
    assert row["Host"] == backend and row["Status"] == "disabled"
    assert row["Disabled Reason"] == "disk swap"
    services = {(r["Binary"], r["Host"]): r for r in table(cinder(daemon, "service-list", **admin).stdout)}
    assert services[("cinder-volume", backend)]["Status"] == "disabled"
    assert services[("cinder-scheduler", "resthost")]["Status"] == "enabled"
    # Nothing is placed on a disabled volume service.
    vid = props(cinder(daemon, "create", "1", user="u9", project="p9").stdout)["id"]
    wait_volume(daemon, vid, "error", user="u9", project="p9")
    assert table(cinder(daemon, "service-enable", backend, "cinder-volume", **admin).stdout)[0]["Status"] == "enabled"
    vid = props(cinder(daemon, "create", "1", user="u9", project="p9").stdout)["id"]
    wait_volume(daemon, vid, "available", user="u9", project="p9")
    # A service that never reported, a binary that is not one, and a user who is not an admin.
    missing = cinder(daemon, "service-disable", "nohost@x", "cinder-volume", ok=False, **admin)
    assert missing.returncode != 0 and "HTTP 404" in missing.stderr
    bad = cinder(daemon, "service-disable", backend, "cinder-api", ok=False, **admin)
    assert bad.returncode != 0 and "HTTP 400" in bad.stderr
    denied = cinder(daemon, "service-disable", backend, "cinder-volume", ok=False)
    assert denied.returncode != 0 and "HTTP 403" in denied.stderr
    assert all(r["Status"] == "enabled" for r in table(cinder(daemon, "service-list", **admin).stdout))


def test_revert_to_snapshot(daemon):
    vid = props(cinder(daemon, "create", "--name", "rev", "1").stdout)["id"]
    wait_volume(daemon, vid, "available")
    path = os.path.join(daemon.state, "volumes", "volume-" + vid)
    with open(path, "r+b") as f:
        f.write(b"before" * 100)
    sid = props(cinder(daemon, "snapshot-create", vid).stdout)["id"]
    wait_for(lambda: props(cinder(daemon, "snapshot-show", sid).stdout).get("status") == "available")
    with open(path, "r+b") as f:
        f.write(b"after!" * 100)
    # Before 3.40 there is no such action; from 3.40 the CLI reverts the snapshot's volume.
    old = cinder(daemon, "revert-to-snapshot", sid, version="3.39", ok=False)
    assert old.returncode != 0
    cinder(daemon, "revert-to-snapshot", sid, version="3.40")
    wait_volume(daemon, vid, "available")
    with open(path, "rb") as f:
        assert f.read(600) == b"before" * 100
    assert props(cinder(daemon, "snapshot-show", sid).stdout)["status"] == "available"
    # An older snapshot than the latest is refused, and nothing changes.
    later = props(cinder(daemon, "snapshot-create", vid).stdout)["id"]
    wait_for(lambda: props(cinder(daemon, "snapshot-show", later).stdout).get("status") == "available")
    bad = cinder(daemon, "revert-to-snapshot", sid, version="3.40", ok=False)
    assert bad.returncode != 0 and "HTTP 400" in bad.stderr
    assert props(cinder(daemon, "show", vid).stdout)["status"] == "available"


def test_messages_of_failed_operations(tmp_path):
    from conftest import Daemon
    d = Daemon(tmp_path, extra_default="quota_gigabytes = -1")
    try:
        vid = props(cinder(d, "create", "--name", "huge", "1000000").stdout)["id"]
        wait_volume(d, vid, "error")
        listed = wait_for(lambda: table(cinder(d, "message-list", version="3.3").stdout))
        assert [r["Resource UUID"] for r in listed] == [vid]
        shown = props(cinder(d, "message-show", listed[0]["ID"], version="3.3").stdout)
        assert shown["event_id"] == "VOLUME_VOLUME_001_003"
        assert shown["user_message"].startswith("create volume: No valid backend")
        assert "CapacityFilter" in shown["user_message"]
        # Not before 3.3; not another project's.
        assert cinder(d, "message-list", version="3.2", ok=False).returncode != 0
        assert table(cinder(d, "message-list", version="3.3", project="p2").stdout) == []
        cinder(d, "message-delete", listed[0]["ID"], version="3.3")
        assert table(cinder(d, "message-list", version="3.3").stdout) == []
    finally:
        assert d.stop() == 0


def test_volume_transfers(daemon):
    giver, taker = dict(project="xfer-giver"), dict(project="xfer-taker", user="u9")
    vid = props(cinder(daemon, "create", "--name", "gift", "2", **giver).stdout)["id"]
    wait_volume(daemon, vid, "available", **giver)
    made = props(cinder(daemon, "transfer-create", "--name", "to-taker", vid, **giver).stdout)
    assert len(made["auth_key"]) == 16 and made["volume_id"] == vid
    assert volume_status(daemon, vid, **giver)["status"] == "awaiting-transfer"
    listed = table(cinder(daemon, "transfer-list", **giver).stdout)
    assert [(r["ID"], r["Volume ID"], r["Name"]) for r in listed] == [(made["id"], vid, "to-taker")]
    shown = props(cinder(daemon, "transfer-show", made["id"], **giver).stdout)
    assert (shown["source_project_id"], shown["accepted"]) == ("xfer-giver", "False")
    # Others see nothing; a wrong key is refused and changes nothing.
    assert table(cinder(daemon, "transfer-list", **taker).stdout) == []
    wrong = cinder(daemon, "transfer-accept", made["id"], "x" * 16, ok=False, **taker)
    assert wrong.returncode != 0 and "HTTP 400" in wrong.stderr
    assert volume_status(daemon, vid, **giver)["status"] == "awaiting-transfer"
    taken = props(cinder(daemon, "transfer-accept", made["id"], made["auth_key"], **taker).stdout)
    assert taken["volume_id"] == vid
    assert volume_status(daemon, vid, **giver) is None
    now = volume_status(daemon, vid, **taker)
    assert (now["status"], now["os-vol-tenant-attr:tenant_id"]) == ("available", "xfer-taker")
    assert re.search(r"\|\s*gigabytes\s*\|\s*2\s*\|", cinder(daemon, "quota-usage", "xfer-taker", **taker).stdout)
    assert re.search(r"\|\s*gigabytes\s*\|\s*0\s*\|", cinder(daemon, "quota-usage", "xfer-giver", **giver).stdout)
    # Before 3.55 the same calls go to os-volume-transfer: offered, then withdrawn.
    again = props(cinder(daemon, "transfer-create", vid, version="3.0", **taker).stdout)
    assert [r["ID"] for r in table(cinder(daemon, "transfer-list", version="3.0", **taker).stdout)] == [again["id"]]
    cinder(daemon, "transfer-delete", again["id"], version="3.0", **taker)
    assert volume_status(daemon, vid, **taker)["status"] == "available"
    assert cinder(daemon, "transfer-show", again["id"], ok=False, **taker).returncode != 0
    cinder(daemon, "delete", vid, **taker)
    wait_gone(daemon, vid, **taker)


def test_migrate_between_backends(tmp_path):
    from conftest import Daemon
    sections = "\n".join(f"[{n}]\nvolume_driver = file\nvolume_backend_name = {n}\nvolumes_dir = {tmp_path}/{n}\n"
                         for n in ("file-1", "file-2"))
    d = Daemon(tmp_path, backend=sections)
    admin = dict(user="admin", project="admin")
    try:
        vid = props(cinder(d, "create", "--name", "mover", "1").stdout)["id"]
        src = props(cinder(d, "show", vid, **admin).stdout)["os-vol-host-attr:host"]
        backend = src.split("@")[1].split("#")[0]
        other = "file-2" if backend == "file-1" else "file-1"
        with open(tmp_path / backend / f"volume-{vid}", "r+b") as f:
            f.seek(7 << 20)
            f.write(b"moved by cinder migrate")
        # Not for a member; not to where it is; not to a pool nobody reports (the CLI prints the
        # refusal and exits 0).
        def refused(*args, **who):
            out = cinder(d, "migrate", *args, ok=False, **who)
            return out.stdout + out.stderr
        assert "HTTP 403" in refused(vid, f"resthost@{other}#{other}")
        assert "HTTP 400" in refused(vid, src, **admin)
        assert "HTTP 400" in refused(vid, "resthost@nowhere#x", **admin)
        assert props(cinder(d, "show", vid, **admin).stdout)["os-vol-mig-status-attr:migstat"] == "None"
        cinder(d, "migrate", "--force-host-copy", "True", vid, f"resthost@{other}#{other}", **admin)
        done = wait_for(lambda: (lambda p: p if p and p.get("os-vol-mig-status-attr:migstat") == "success" else None)(
            volume_status(d, vid, **admin)))
        assert (done["status"], done["os-vol-host-attr:host"]) == ("available", f"resthost@{other}#{other}")
        with open(tmp_path / other / f"volume-{vid}", "rb") as f:
            f.seek(7 << 20)
            assert f.read(23) == b"moved by cinder migrate"
        assert not (tmp_path / backend / f"volume-{vid}").exists()
        # Retype to a type only the first backend serves: never → refused; on-demand → it moves.
        cinder(d, "type-create", "pinned", **admin)
        cinder(d, "type-key", "pinned", "set", f"volume_backend_name={backend}", **admin)
        never = cinder(d, "retype", vid, "pinned", ok=False)
        assert never.returncode != 0 and "HTTP 400" in never.stderr + never.stdout
        cinder(d, "retype", "--migration-policy", "on-demand", vid, "pinned")
        back = wait_for(lambda: (lambda p: p if p and p["status"] == "available" and p["volume_type"] == "pinned"
                                 else None)(volume_status(d, vid, **admin)))
        assert back["os-vol-host-attr:host"] == src
        with open(tmp_path / backend / f"volume-{vid}", "rb") as f:
            f.seek(7 << 20)
            assert f.read(23) == b"moved by cinder migrate"
        cinder(d, "delete", vid)
        wait_gone(d, vid)
    finally:
        assert d.stop() == 0


def test_extensions_name_what_is_served(daemon):
    rows = table(cinder(daemon, "list-extensions").stdout)
    aliases = {r["Alias"] for r in rows}
    assert {"os-availability-zone", "os-quota-sets", "os-services", "os-volume-actions", "backups",
            "qos-specs", "capabilities", "scheduler-stats", "os-volume-transfer"} <= aliases
    assert "os-volume-manage" not in aliases  # not served yet, so not claimed


def test_backend_capabilities(daemon):
    admin = dict(user="admin", project="admin")
    out = cinder(daemon, "get-capabilities", "resthost@file-1", **admin).stdout
    stats = props(out.split("Backend properties")[0])
    assert stats["namespace"] == "OS::Storage::Capabilities::resthost@file-1"
    assert (stats["volume_backend_name"], stats["pool_name"], stats["vendor_name"]) == ("file-1", "file-1", "blockstore")
    assert "thin_provisioning" in out.split("Backend properties")[1]
    missing = cinder(daemon, "get-capabilities", "resthost@nope", ok=False, **admin)
    assert missing.returncode != 0 and "HTTP 404" in missing.stderr
    denied = cinder(daemon, "get-capabilities", "resthost@file-1", ok=False)
    assert denied.returncode != 0 and "HTTP 403" in denied.stderr


def test_backups_restore_export_import(daemon):
    vid = props(cinder(daemon, "create", "--name", "tobackup", "1").stdout)["id"]
    wait_volume(daemon, vid, "available")
    with open(os.path.join(daemon.state, "volumes", "volume-" + vid), "r+b") as f:
        f.write(b"rest backup payload" * 1000)
    bid = props(cinder(daemon, "backup-create", "--name", "b1", vid).stdout)["id"]
    wait_for(lambda: props(cinder(daemon, "backup-show", bid).stdout).get("status") == "available")
    assert bid in cinder(daemon, "backup-list").stdout
    restored = props(cinder(daemon, "backup-restore", bid).stdout)
    rid = restored["volume_id"]
    wait_volume(daemon, rid, "available")
    with open(os.path.join(daemon.state, "volumes", "volume-" + rid), "rb") as f:
        assert f.read(19) == b"rest backup payload"
    admin = dict(user="admin", project="admin")
    record = props(cinder(daemon, "backup-export", bid, **admin).stdout)
    assert record["backup_service"] and record["backup_url"]
    wait_for(lambda: props(cinder(daemon, "backup-show", bid).stdout).get("status") == "available")
    import urllib.request
    metrics = urllib.request.urlopen(daemon.url + "/metrics").read().decode()
    assert 'blockstore_operations_total{operation="backup.create",outcome="end"} 1' in metrics
    assert "blockstore_backup_bytes_total 0" not in metrics
    assert urllib.request.urlopen(daemon.url + "/healthz").read() == b"ok\n"
    cinder(daemon, "backup-delete", bid)
    wait_for(lambda: bid not in cinder(daemon, "backup-list").stdout)


def test_attachments(daemon):
    vid = props(cinder(daemon, "create", "--name", "attachme", "1").stdout)["id"]
    wait_volume(daemon, vid, "available")
    server = str(uuid.uuid4())
    a = props(cinder(daemon, "attachment-create", vid, server, "--connect", "True",
                     "--initiator", "iqn.2026-11.org.blockstore.cli:host", "--ip", "127.0.0.1",
                     "--host", "clihost", "--platform", "x86_64", "--ostype", "linux").stdout)
    aid = a["id"]
    assert a["status"] == "attaching"
    cinder(daemon, "attachment-complete", aid)
    assert props(cinder(daemon, "attachment-show", aid).stdout)["status"] == "attached"
    assert wait_volume(daemon, vid, "in-use")
    assert aid in cinder(daemon, "attachment-list").stdout
    refused = cinder(daemon, "delete", vid, ok=False)
    assert refused.returncode != 0 or "Delete for volume" in refused.stdout + refused.stderr
    assert volume_status(daemon, vid)["status"] == "in-use"  # the attached volume stays
    cinder(daemon, "attachment-delete", aid)
    wait_volume(daemon, vid, "available")
    old = cinder(daemon, "attachment-list", version="3.26", ok=False)
    assert old.returncode != 0  # the attachments API starts at 3.27


def test_projects_are_isolated(daemon):
    vid = props(cinder(daemon, "create", "--name", "mine", "1").stdout)["id"]
    wait_volume(daemon, vid, "available")
    theirs = cinder(daemon, "list", user="u2", project="p2").stdout
    assert vid not in theirs
    peek = cinder(daemon, "show", vid, user="u2", project="p2", ok=False)
    # The API answers 404; the CLI reports it as an unknown volume.
    assert peek.returncode != 0 and "No volume with a name or ID" in peek.stderr
    gone = cinder(daemon, "delete", vid, user="u2", project="p2", ok=False)
    assert volume_status(daemon, vid)["status"] == "available"
    assert gone.returncode != 0 or "Delete for volume" in gone.stdout + gone.stderr
