"""The RBD backend through an engine: volumes as images in the suite's Ceph (BS_CEPH_ENV)."""
import os
import subprocess

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


def test_volumes_snapshots_and_clones_are_rbd_images(tmp_path):
    env = ceph()
    config = {"host": "pyrbd",
              "backends": [{"name": "ceph", "driver": "rbd",
                            "options": {"rbd_pool": env["BS_CEPH_POOL"], "rbd_user": env["BS_CEPH_USER"],
                                        "rbd_ceph_conf": env["BS_CEPH_CONF"],
                                        "rbd_keyring_conf": env["BS_CEPH_KEYRING"]}}]}
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
