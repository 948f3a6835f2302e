"""Requests the real clients send unchanged — python-cinderclient's CLI at the microversions it
negotiates, openstackclient, and openstacksdk — answered as Cinder answers them."""
import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid

import openstack
import pytest

from conftest import Daemon, wait_for
from test_cinder_cli import cinder, props, table, wait_volume, volume_status

ADMIN = dict(user="admin", project="admin")


def http(daemon, method, path, body=None, token="u1:p1", version="3.60"):
    """One raw request: (status, parsed body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(daemon.url + path, data=data, method=method, headers={
        "X-Auth-Token": token, "OpenStack-API-Version": "volume " + version,
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read()
        return e.code, json.loads(text) if text else None


def openstack_cli(daemon, *args, token="u1:p1", ok=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    out = subprocess.run(
        ["/usr/bin/openstack", "--os-auth-type", "admin_token", "--os-token", token,
         "--os-endpoint", daemon.url + "/v3", "--os-volume-api-version", "3.60", *args],
        env=env, capture_output=True, text=True, timeout=60)
    if ok:
        assert out.returncode == 0, f"openstack {' '.join(args)}: {out.stderr}{out.stdout}"
    return out


def make_volume(daemon, name, size="1", *extra, **who):
    vid = props(cinder(daemon, "create", "--name", name, *extra, size, **who).stdout)["id"]
    wait_volume(daemon, vid, "available", **who)
    return vid


def wait_backup(daemon, bid, status="available", **who):
    return wait_for(lambda: (lambda p: p if p.get("status") == status else None)(
        props(cinder(daemon, "backup-show", bid, **who).stdout)))


def test_detail_pages_stay_detail_and_sorts_use_cinders_names(daemon):
    names = ["delta", "alpha", "echo", "charlie", "bravo"]
    for n in names:
        make_volume(daemon, n)
    # The next link of a detail list is a detail list, with the request's own filters.
    status, page = http(daemon, "GET", "/v3/p1/volumes/detail?limit=2&sort=display_name:asc")
    assert status == 200
    href = page["volumes_links"][0]["href"]
    assert "/volumes/detail?" in href and "sort=display_name:asc" in href and "limit=2" in href
    seen = [v["name"] for v in page["volumes"]]
    while href:
        status, page = http(daemon, "GET", href[len(daemon.url):])
        assert status == 200
        assert all(v["status"] == "available" and v["size"] == 1 for v in page["volumes"])
        seen += [v["name"] for v in page["volumes"]]
        href = page.get("volumes_links", [{}])[0].get("href")
    assert seen == sorted(names)
    # The CLI: sort by name (sent as display_name), several keys, pages by marker.
    rows = table(cinder(daemon, "list", "--sort", "name:asc").stdout)
    assert [r["Name"] for r in rows] == sorted(names)
    rows = table(cinder(daemon, "list", "--sort", "name:desc,size:asc", "--limit", "2").stdout)
    assert [r["Name"] for r in rows] == ["echo", "delta"]
    rows = table(cinder(daemon, "list", "--sort", "name:desc", "--limit", "2",
                        "--marker", rows[-1]["ID"]).stdout)
    assert [r["Name"] for r in rows] == ["charlie", "bravo"]
    # openstacksdk pages through links: every record a detail record.
    conn = openstack.connection.Connection(
        auth_type="admin_token", auth={"token": "u1:p1", "endpoint": daemon.url + "/v3"},
        block_storage_endpoint_override=daemon.url + "/v3/p1", block_storage_api_version="3")
    listed = list(conn.block_storage.volumes(limit=2))
    assert sorted(v.name for v in listed) == sorted(names)
    assert all(v.status == "available" and v.size == 1 for v in listed)
    # An unknown marker and an id that is not one are 404, as in Cinder.
    assert http(daemon, "GET", f"/v3/p1/volumes?marker={uuid.uuid4()}")[0] == 404
    assert http(daemon, "GET", "/v3/p1/volumes/not-a-uuid")[0] == 404
    assert http(daemon, "GET", "/v3/p1/volumes?sort=password:asc")[0] == 400


def test_filters_as_the_cli_sends_them(daemon):
    a = make_volume(daemon, "web-data", "1", "--metadata", "tier=gold")
    b = make_volume(daemon, "db-data", "2", "--metadata", "tier=silver")
    make_volume(daemon, "scratch", "1")
    cinder(daemon, "image-metadata", b, "set", "os_distro=debian")
    ids = lambda out: sorted(r["ID"] for r in table(out.stdout))
    assert ids(cinder(daemon, "list", "--filters", "name~=DATA")) == sorted([a, b])
    assert ids(cinder(daemon, "list", "--metadata", "tier=gold")) == [a]
    assert ids(cinder(daemon, "list", "--image_metadata", "os_distro=debian")) == [b]
    assert ids(cinder(daemon, "list", "--filters", "size=2")) == [b]
    assert "os_distro" in props(cinder(daemon, "show", b).stdout)["volume_image_metadata"]
    # An admin looking at one tenant sees that tenant's volumes, and only them.
    theirs = make_volume(daemon, "elsewhere", "1", user="u2", project="p2")
    assert ids(cinder(daemon, "list", "--all-tenants", "--tenant", "p2", **ADMIN)) == [theirs]
    assert ids(cinder(daemon, "list", "--all-tenants", "--tenant", "p1", **ADMIN)) == sorted(
        [a, b] + [r["ID"] for r in table(cinder(daemon, "list", "--name", "scratch").stdout)])
    filters = cinder(daemon, "list-filters", "--resource", "volume").stdout
    assert "glance_metadata" in filters and "metadata" in filters
    # The summary (3.12, metadata from 3.36).
    summary = props(cinder(daemon, "summary").stdout)
    assert summary["total_count"] == "3" and summary["total_size"] == "4"
    assert "tier" in summary["metadata"]
    # Counts on every list (3.45).
    sid = props(cinder(daemon, "snapshot-create", "--name", "s", a).stdout)["id"]
    wait_for(lambda: "available" in cinder(daemon, "snapshot-show", sid).stdout)
    assert "Snapshot in total: 1" in cinder(daemon, "snapshot-list", "--with-count").stdout
    bid = props(cinder(daemon, "backup-create", a).stdout)["id"]
    wait_backup(daemon, bid)
    assert "Backup in total: 1" in cinder(daemon, "backup-list", "--with-count").stdout
    assert "Volume in total: 3" in cinder(daemon, "list", "--with-count", "--limit", "1").stdout


def test_reset_state_parts_and_empty_connector(daemon):
    vid = make_volume(daemon, "resettable")
    # attachment-create without --connect sends "connector": {}: the volume is reserved.
    server = str(uuid.uuid4())
    a = props(cinder(daemon, "attachment-create", vid, server).stdout)
    assert a["status"] == "reserved"
    assert volume_status(daemon, vid)["status"] == "reserved"
    # Only attach_status, only migration_status: as the CLI sends them (no status).
    cinder(daemon, "reset-state", "--attach-status", "detached", vid, **ADMIN)
    wait_for(lambda: volume_status(daemon, vid)["status"] == "available")
    assert cinder(daemon, "attachment-list").stdout.count(a["id"]) == 0
    cinder(daemon, "reset-state", "--reset-migration-status", vid, **ADMIN)
    cinder(daemon, "reset-state", "--state", "error", vid, **ADMIN)
    shown = props(cinder(daemon, "show", vid, **ADMIN).stdout)
    assert shown["status"] == "error" and shown["migration_status"] == "None"
    bad = cinder(daemon, "reset-state", "--attach-status", "sideways", vid, ok=False, **ADMIN)
    assert bad.returncode != 0 and "HTTP 400" in bad.stdout + bad.stderr
    # An empty update is refused; migrating an errored volume answers a clean error and the CLI
    # says so.
    assert http(daemon, "PUT", f"/v3/p1/volumes/{vid}", {"volume": {}})[0] == 400
    assert http(daemon, "PUT", f"/v3/p1/volumes/{vid}", {})[0] == 400
    # (cinderclient's migrate prints a failure and still exits 0, whatever the server answers.)
    migrate = cinder(daemon, "migrate", vid, "resthost@file-1#file-1", ok=False, **ADMIN)
    assert f"Migration for volume {vid} failed" in migrate.stdout and "HTTP 400" in migrate.stdout
    assert "Request to migrate volume" not in migrate.stdout
    assert volume_status(daemon, vid, **ADMIN)["status"] == "error"
    # An unnamed volume's name is null.
    unnamed = props(cinder(daemon, "create", "1").stdout)["id"]
    assert http(daemon, "GET", f"/v3/p1/volumes/{unnamed}")[1]["volume"]["name"] is None


def test_snapshot_metadata(daemon):
    vid = make_volume(daemon, "withsnap")
    sid = props(cinder(daemon, "snapshot-create", "--metadata", "a=1", "--name", "s", vid).stdout)["id"]
    wait_for(lambda: "available" in cinder(daemon, "snapshot-show", sid).stdout)
    cinder(daemon, "snapshot-metadata", sid, "set", "b=2", "c=3")
    shown = cinder(daemon, "snapshot-metadata-show", sid).stdout
    assert all(k in shown for k in ("a", "b", "c"))
    cinder(daemon, "snapshot-metadata", sid, "unset", "c")
    assert http(daemon, "GET", f"/v3/p1/snapshots/{sid}/metadata")[1]["metadata"] == {"a": "1", "b": "2"}
    cinder(daemon, "snapshot-metadata-update-all", sid, "z=26")  # PUT: replaces every key
    assert http(daemon, "GET", f"/v3/p1/snapshots/{sid}/metadata")[1]["metadata"] == {"z": "26"}
    assert http(daemon, "GET", f"/v3/p1/snapshots/{sid}")[1]["snapshot"]["metadata"] == {"z": "26"}
    assert http(daemon, "GET", f"/v3/p1/snapshots/{sid}/metadata/nope")[0] == 404


def test_backups_update_container_create_from_backup_and_restore_names(daemon, tmp_path):
    vid = make_volume(daemon, "precious", "1", "--metadata", "owner=ops")
    with open(os.path.join(daemon.state, "volumes", "volume-" + vid), "r+b") as f:
        f.write(b"fidelity payload" * 4096)
    bid = props(cinder(daemon, "backup-create", "--container", "weekly", "--name", "b",
                       vid).stdout)["id"]
    shown = wait_backup(daemon, bid)
    assert shown["container"] == "weekly"
    assert os.path.exists(tmp_path / "backups" / "weekly" / bid / "manifest.json")
    bad = cinder(daemon, "backup-create", "--container", "../escape", vid, ok=False)
    assert bad.returncode != 0 and "HTTP 400" in bad.stderr
    cinder(daemon, "backup-update", "--name", "renamed", "--description", "kept", bid)
    cinder(daemon, "backup-update", "--metadata", "k=v", bid)
    shown = props(cinder(daemon, "backup-show", bid).stdout)
    assert shown["name"] == "renamed" and shown["description"] == "kept" and "k" in shown["metadata"]
    # A restore to a new volume: the source's name and metadata, as Cinder's.
    rid = props(cinder(daemon, "backup-restore", bid).stdout)["volume_id"]
    restored = wait_volume(daemon, rid, "available")
    assert restored["name"] == "precious" and "owner" in restored["metadata"]
    # Create from backup (3.47).
    wait_backup(daemon, bid)
    cid = props(cinder(daemon, "create", "--backup-id", bid, "--name", "frombackup").stdout)["id"]
    assert wait_volume(daemon, cid, "available")["name"] == "frombackup"
    with open(os.path.join(daemon.state, "volumes", "volume-" + cid), "rb") as f:
        assert f.read(16) == b"fidelity payload"
def test_delete_while_a_restore_runs_is_refused_as_cinder_refuses_it(tmp_path):
    # Jobs paced at 1 MiB/s, so the restore of 6 MiB is still running when the delete comes.
    d = Daemon(tmp_path, sections="[backup]\nbandwidth_bytes_per_s = 1048576")
    try:
        vid = make_volume(d, "slow")
        with open(os.path.join(d.state, "volumes", "volume-" + vid), "r+b") as f:
            f.write(os.urandom(6 << 20))
        bid = props(cinder(d, "backup-create", vid).stdout)["id"]
        wait_backup(d, bid)
        # (Debian's openstackclient 6.0 sends the restore, then fails to print its answer.)
        restore = openstack_cli(d, "volume", "backup", "restore", bid, "anew", ok=False)
        assert restore.returncode == 0 or "cannot unpack non-iterable" in restore.stderr
        refused = openstack_cli(d, "volume", "backup", "delete", bid, ok=False)
        assert refused.returncode != 0
        assert "Invalid backup: Backup status must be available or error" in refused.stderr
        assert "(HTTP 400)" in refused.stderr
        assert props(cinder(d, "backup-show", bid).stdout)["status"] == "restoring"
        wait_backup(d, bid)
        restored = [r for r in table(cinder(d, "list").stdout) if r["Name"] == "anew"]
        assert len(restored) == 1 and restored[0]["Status"] == "available"  # a name given stays
    finally:
        assert d.stop() == 0


def test_export_import_on_the_same_and_another_engine(daemon, tmp_path):
    vid = make_volume(daemon, "exported")
    with open(os.path.join(daemon.state, "volumes", "volume-" + vid), "r+b") as f:
        f.write(b"export me" * 10000)
    bid = props(cinder(daemon, "backup-create", vid).stdout)["id"]
    wait_backup(daemon, bid)
    record = props(cinder(daemon, "backup-export", bid, **ADMIN).stdout)
    # The same engine, the backup still there: refused, nothing changes.
    again = cinder(daemon, "backup-import", record["backup_service"], record["backup_url"],
                   ok=False, **ADMIN)
    assert again.returncode != 0 and "HTTP 400" in again.stderr
    assert wait_backup(daemon, bid)["status"] == "available"
    # Another engine with the same backup target: available and restorable.
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Daemon(other_dir, sections=f"[backup.target]\ntype = posix\nroot = {tmp_path}/backups",
                   backup=False)
    try:
        cinder(other, "backup-import", record["backup_service"], record["backup_url"], **ADMIN)
        imported = wait_backup(other, bid, **ADMIN)
        assert imported["size"] == "1"
        rid = props(cinder(other, "backup-restore", bid, **ADMIN).stdout)["volume_id"]
        wait_volume(other, rid, "available", **ADMIN)
        with open(os.path.join(other.state, "volumes", "volume-" + rid), "rb") as f:
            assert f.read(9) == b"export me"
    finally:
        assert other.stop() == 0


def test_per_type_quotas(daemon):
    cinder(daemon, "type-create", "gold", **ADMIN)
    cinder(daemon, "quota-update", "--volumes", "1", "--gigabytes", "5", "--volume-type", "gold",
           "p1", **ADMIN)
    shown = props(cinder(daemon, "quota-show", "p1").stdout)
    assert shown["volumes_gold"] == "1" and shown["gigabytes_gold"] == "5"
    assert shown["snapshots_gold"] == "-1"
    make_volume(daemon, "g1", "1", "--volume-type", "gold")
    over = cinder(daemon, "create", "--volume-type", "gold", "1", ok=False)
    assert over.returncode != 0 and "HTTP 413" in over.stderr
    usage = cinder(daemon, "quota-usage", "p1").stdout
    assert any("volumes_gold" in l and "| 1 " in l for l in usage.splitlines())


def test_pools_and_zones(daemon):
    pools = cinder(daemon, "get-pools", "--detail", **ADMIN).stdout
    assert "volumes_dir" not in pools and str(daemon.state) not in pools
    zones = openstack_cli(daemon, "availability", "zone", "list", "--volume").stdout
    assert "nova" in zones and "available" in zones


def test_cinder_compatible_noauth(tmp_path):
    d = Daemon(tmp_path, extra_default="auth_strategy = noauth_cinder")
    try:
        assert "resthost@file-1#file-1" in cinder(d, "get-pools").stdout
        vid = make_volume(d, "mine")
        cinder(d, "reset-state", "--state", "error", vid)
        assert volume_status(d, vid)["status"] == "error"
    finally:
        assert d.stop() == 0
    # The default stays safer: the same calls are refused.
    (tmp_path / "safe").mkdir()
    safe = Daemon(tmp_path / "safe")
    try:
        assert cinder(safe, "get-pools", ok=False).returncode != 0
    finally:
        assert safe.stop() == 0


def test_volume_transfers_through_openstackclient(daemon):
    vid = make_volume(daemon, "osc-gift", "1", project="osc-giver")
    made = json.loads(openstack_cli(daemon, "volume", "transfer", "request", "create", "--no-snapshots",
                                    "--name", "osc", vid, "-f", "json", token="u1:osc-giver").stdout)
    assert made["volume_id"] == vid and len(made["auth_key"]) == 16
    listed = json.loads(openstack_cli(daemon, "volume", "transfer", "request", "list", "-f", "json",
                                      token="u1:osc-giver").stdout)
    assert [t["ID"] for t in listed] == [made["id"]]
    accepted = json.loads(openstack_cli(daemon, "volume", "transfer", "request", "accept", "--auth-key",
                                        made["auth_key"], made["id"], "-f", "json", token="u2:osc-taker").stdout)
    assert accepted["volume_id"] == vid
    status, body = http(daemon, "GET", f"/v3/osc-taker/volumes/{vid}", token="u2:osc-taker")
    assert status == 200 and body["volume"]["status"] == "available"
    assert http(daemon, "GET", f"/v3/osc-giver/volumes/{vid}", token="u1:osc-giver")[0] == 404
    openstack_cli(daemon, "volume", "delete", vid, token="u2:osc-taker")
