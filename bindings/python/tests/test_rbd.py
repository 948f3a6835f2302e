"""The RBD backend through an engine: volumes as images in the suite's Ceph (BS_CEPH_ENV)."""
import json
import os
import signal
import subprocess
import sys

import pytest

import blockstore


def ceph():
    path = os.environ.get("BS_CEPH_ENV")
    if not path or not os.path.exists(path):
        pytest.skip("no Ceph in this run (BS_CEPH_ENV)")
    return dict(line.strip().split("=", 1) for line in open(path) if "=" in line)


def images(env):
    """The pool's images, as the rbd CLI lists them."""
    out = subprocess.run(["rbd", "-c", env["BS_CEPH_CONF"], "-n", "client." + env["BS_CEPH_USER"],
                          "-k", env["BS_CEPH_KEYRING"], "ls", env["BS_CEPH_POOL"]],
                         capture_output=True, text=True, check=True, timeout=60)
    return set(out.stdout.split())


def rbd_config(env):
    return {"host": "pyrbd", "volume_workers": 4,
            "backends": [{"name": "ceph", "driver": "rbd",
                          "options": {"rbd_pool": env["BS_CEPH_POOL"], "rbd_user": env["BS_CEPH_USER"],
                                      "rbd_ceph_conf": env["BS_CEPH_CONF"],
                                      "rbd_keyring_conf": env["BS_CEPH_KEYRING"]}}]}


def test_volumes_snapshots_and_clones_are_rbd_images(tmp_path):
    env = ceph()
    config = rbd_config(env)
    me = blockstore.Context("rbd-project")
    with blockstore.Engine(str(tmp_path / "state"), config) as engine:
        vol = engine.wait_for_volume(me, engine.create_volume(me, 1, name="r").id, ["available", "error"],
                                     timeout=60)
        assert vol.status == "available" and vol.host == "pyrbd@ceph#" + env["BS_CEPH_POOL"]
        assert f"volume-{vol.id}" in images(env)
        snap = engine.create_snapshot(me, vol.id, name="s")
        snap = engine.wait_for_snapshot(me, snap.id, ["available", "error"], timeout=60)
        assert snap.status == "available"
        from_snap = engine.wait_for_volume(me, engine.create_volume(me, 2, snapshot_id=snap.id).id,
                                           ["available", "error"], timeout=60)
        clone = engine.wait_for_volume(me, engine.create_volume(me, None, source_volid=vol.id).id,
                                       ["available", "error"], timeout=60)
        assert (from_snap.status, from_snap.size, clone.status) == ("available", 2, "available")
        assert {f"volume-{v.id}" for v in (vol, from_snap, clone)} <= images(env)
        # Dependents first; then the volume with its snapshot; the images go with them.
        engine.delete_volume(me, clone.id)
        engine.wait_for_volume_deleted(me, clone.id, timeout=60)
        engine.delete_volume(me, from_snap.id)
        engine.wait_for_volume_deleted(me, from_snap.id, timeout=60)
        engine.delete_volume(me, vol.id, cascade=True)
        engine.wait_for_volume_deleted(me, vol.id, timeout=60)
        assert not {f"volume-{v.id}" for v in (vol, from_snap, clone)} & images(env)


def test_a_bad_rbd_option_is_refused_by_name(tmp_path):
    config = {"host": "pyrbd", "backends": [{"name": "ceph", "driver": "rbd", "options": {"rbd_poool": "x"}}]}
    with pytest.raises(blockstore.InvalidArgument, match="rbd_poool"):
        blockstore.Engine(str(tmp_path / "state"), config)


# Creates 40 volumes on the RBD backend, says when the first is available, and is killed.
CREATOR = r"""
import json, sys, time
import blockstore
state, config = sys.argv[1], json.loads(sys.argv[2])
me = blockstore.Context("rbd-crash")
with blockstore.Engine(state, config) as e:
    ids = [e.create_volume(me, 1).id for _ in range(40)]
    e.wait_for_volume(me, ids[0], ["available"], timeout=60)
    print("going", flush=True)
    time.sleep(600)
"""


def test_an_engine_killed_mid_create_leaves_no_image_without_a_volume(tmp_path):
    env = ceph()
    config = {**rbd_config(env), "quota_defaults": {"volumes": -1, "gigabytes": -1}}
    state = str(tmp_path / "state")
    child = subprocess.Popen([sys.executable, "-c", CREATOR, state, json.dumps(config)], stdout=subprocess.PIPE,
                             text=True, env=os.environ, start_new_session=True)
    try:
        assert child.stdout.readline().strip() == "going"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    me = blockstore.Context("rbd-crash")
    with blockstore.Engine(state, config) as engine:
        vols = engine.list_volumes(me)
        assert len(vols) == 40
        # The kill came while creates were under way: opening again, recovery failed those
        # (as Cinder fails what was left creating), and each image they had begun went with them.
        assert sum(v.status == "error" for v in vols) >= 1, [v.status for v in vols]
        settled = [engine.wait_for_volume(me, v.id, ["available", "error"], timeout=120) for v in vols]
        # Nothing stays creating; an available volume has its image, a failed create none.
        present = images(env)
        for v in settled:
            assert (f"volume-{v.id}" in present) == (v.status == "available"), (v.id, v.status)
        assert sum(v.status == "available" for v in settled) >= 1
        for v in settled:
            engine.delete_volume(me, v.id)
        for v in settled:
            engine.wait_for_volume_deleted(me, v.id, timeout=60)
    assert not {f"volume-{v.id}" for v in settled} & images(env)


@pytest.mark.parametrize("tracking", [True, False])
def test_incrementals_with_and_without_changed_block_tracking(tmp_path, tracking):
    """With tracking an incremental of a snapshot reads what the driver says changed since its
    parent's snapshot; without, it reads everything and compares hashes. Both restore exactly."""
    env = ceph()
    config = {**rbd_config(env), "backup": {"changed_block_tracking": tracking, "chunk_size": 4 << 20}}
    me = blockstore.Context("rbd-cbt")
    connector = blockstore.host_connector(initiator="iqn.2026-12.org.blockstore.py:cbt")

    with blockstore.Engine(str(tmp_path / "state"), config) as engine:
        def write(vid, offset, data):
            a = engine.create_attachment(me, vid, connector=connector)
            with blockstore.connect_volume(a.connection_info) as f:
                f.write_at(offset, data)
            engine.delete_attachment(me, a.id)

        def read(vid, length):
            a = engine.create_attachment(me, vid, connector=connector)
            with blockstore.connect_volume(a.connection_info) as f:
                data = f.read_at(0, length)
            engine.delete_attachment(me, a.id)
            return data

        def snapshot(vid):
            return engine.wait_for_snapshot(me, engine.create_snapshot(me, vid).id, ["available"], timeout=60)

        vol = engine.wait_for_volume(me, engine.create_volume(me, 1).id, ["available"], timeout=60)
        write(vol.id, 0, os.urandom(24 << 20))
        s1 = snapshot(vol.id)
        full = engine.wait_for_backup(me, engine.create_backup(me, vol.id, snapshot_id=s1.id).id, timeout=120)
        write(vol.id, 5 << 20, os.urandom(4096))
        write(vol.id, 40 << 20, os.urandom(1 << 20))  # beyond what the full held
        s2 = snapshot(vol.id)
        inc = engine.wait_for_backup(me, engine.create_backup(me, vol.id, snapshot_id=s2.id, incremental=True).id,
                                     timeout=120)
        assert (full.status, inc.status, inc.parent_id, inc.object_count) == ("available", "available", full.id, 2)
        restored = engine.restore_backup(me, inc.id).volume_id
        assert engine.wait_for_volume(me, restored, ["available", "error_restoring"], timeout=120).status == "available"
        from_snap = engine.wait_for_volume(me, engine.create_volume(me, 1, snapshot_id=s2.id).id, ["available"],
                                           timeout=60)
        assert read(restored, 48 << 20) == read(from_snap.id, 48 << 20)
        for b in (inc, full):
            engine.delete_backup(me, b.id)
            engine.wait_for_backup_deleted(me, b.id, timeout=60)
        for v in (restored, from_snap.id):
            engine.delete_volume(me, v)
            engine.wait_for_volume_deleted(me, v, timeout=60)
        engine.delete_volume(me, vol.id, cascade=True)
        engine.wait_for_volume_deleted(me, vol.id, timeout=60)
