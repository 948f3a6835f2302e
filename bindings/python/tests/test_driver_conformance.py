"""The driver conformance suite: what every volume driver must do, run through an engine against
each of them — the built-in file and rbd drivers, a driver written in C (a shared object) and one
written in Python. A vendor runs it against theirs by adding it to DRIVERS.

Each test drives the public API only: lifecycle and extend, data written through the host's
connector, snapshots, volumes from snapshots, clones, allocation maps (a backup of a sparse volume
stores only what was written), full and incremental backups restored byte for byte, and an engine
killed with SIGKILL mid-create that, reopened, settles every volume."""
import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

import blockstore

MIB = 1 << 20
GIB = 1 << 30
HERE = os.path.dirname(os.path.abspath(__file__))
HOST_IQN = "iqn.2026-12.org.blockstore.conformance:host"
DRIVERS = ["file", "rbd", "c", "python"]


def backend_for(kind, tmp_path):
    """(engine config, Engine's drivers=…, a description for the child process) for `kind`."""
    if kind == "file":
        return {"backends": [{"name": "conf", "driver": "file",
                              "options": {"volumes_dir": str(tmp_path / "file-volumes")}}]}, {}
    if kind == "rbd":
        from test_rbd import ceph, rbd_config
        config = rbd_config(ceph())
        config["backends"][0]["name"] = "conf"
        del config["host"]
        return config, {}
    if kind == "c":
        path = os.environ.get("BS_SPARSE_DIR_DRIVER")
        if not path:
            pytest.skip("no C driver built in this run (BS_SPARSE_DIR_DRIVER)")
        return ({"backends": [{"name": "conf", "driver": "sparse_dir_c",
                               "options": {"path": str(tmp_path / "c-volumes")}}]},
                {"sparse_dir_c": path})
    sys.path.insert(0, HERE)
    from sparse_dir_driver import SparseDirDriver
    return ({"backends": [{"name": "conf", "driver": "sparse_dir_py",
                           "options": {"path": str(tmp_path / "py-volumes")}}]},
            {"sparse_dir_py": SparseDirDriver})


@pytest.fixture(params=DRIVERS)
def kind(request):
    return request.param


@pytest.fixture
def setup(kind, tmp_path):
    config, drivers = backend_for(kind, tmp_path)
    config = {**config, "host": "conformance", "quota_defaults": {"volumes": -1, "gigabytes": -1}}
    return config, drivers


@pytest.fixture
def engine(setup, tmp_path):
    config, drivers = setup
    with blockstore.Engine(str(tmp_path / "state"), config, drivers=drivers) as e:
        yield e


ME = blockstore.Context("conformance")


def made(engine, size=1, **kw):
    v = engine.create_volume(ME, size, **kw)
    v = engine.wait_for_volume(ME, v.id, ["available", "error"], timeout=60)
    assert v.status == "available", v
    return v


def snapped(engine, volume_id):
    s = engine.create_snapshot(ME, volume_id)
    s = engine.wait_for_snapshot(ME, s.id, ["available", "error"], timeout=60)
    assert s.status == "available", s
    return s


class Attached:
    """A volume attached to this host and opened through its connector."""

    def __init__(self, engine, volume_id):
        self.engine = engine
        self.a = engine.create_attachment(ME, volume_id, connector=blockstore.host_connector(initiator=HOST_IQN))
        self.engine.complete_attachment(ME, self.a.id)
        self.f = blockstore.connect_volume(self.a.connection_info, initiator=HOST_IQN)

    def __enter__(self):
        return self.f

    def __exit__(self, *exc):
        self.f.close()
        self.engine.delete_attachment(ME, self.a.id)


def write(engine, volume_id, offset, data):
    with Attached(engine, volume_id) as f:
        f.seek(offset)
        f.write(data)
        f.flush()


def digest(engine, volume_id, length):
    with Attached(engine, volume_id) as f:
        return hashlib.sha256(f.read_at(0, length)).hexdigest()


def gone(engine, *volume_ids):
    for v in volume_ids:
        engine.delete_volume(ME, v, cascade=True)
    for v in volume_ids:
        engine.wait_for_volume_deleted(ME, v, timeout=60)


def test_lifecycle_and_extend(engine):
    v = made(engine)
    assert v.host.startswith("conformance@conf#")
    engine.extend_volume(ME, v.id, 3)
    v = engine.wait_for_volume(ME, v.id, ["available", "error_extending"], timeout=60)
    assert (v.status, v.size) == ("available", 3)
    with Attached(engine, v.id) as f:
        assert f.size == 3 * GIB
        with pytest.raises(blockstore.InvalidArgument):
            f.write_at(3 * GIB - 10, b"x" * 20)  # past the end
    gone(engine, v.id)
    with pytest.raises(blockstore.NotFound):
        engine.get_volume(ME, v.id)


def test_data_snapshots_and_clones(engine):
    v = made(engine)
    first, second = os.urandom(3 * MIB), os.urandom(MIB)
    write(engine, v.id, 5 * MIB, first)
    s = snapped(engine, v.id)
    write(engine, v.id, 5 * MIB, second)  # after the snapshot
    from_snap = made(engine, 2, snapshot_id=s.id)
    clone = made(engine, None, source_volid=v.id)
    with Attached(engine, from_snap.id) as f:
        assert f.size == 2 * GIB
        assert f.read_at(5 * MIB, len(first)) == first
    with Attached(engine, clone.id) as f:
        assert f.read_at(5 * MIB, len(second)) == second
        assert f.read_at(5 * MIB + len(second), MIB) == first[len(second):len(second) + MIB]
    # The clone is a volume of its own: writing it leaves its source alone.
    write(engine, clone.id, 0, b"c" * 4096)
    with Attached(engine, v.id) as f:
        assert f.read_at(0, 4096) == bytes(4096)
    gone(engine, clone.id, from_snap.id)
    gone(engine, v.id)


def test_backups_read_what_is_allocated_and_restore_exactly(engine):
    v = made(engine)
    write(engine, v.id, 0, os.urandom(MIB))
    write(engine, v.id, 600 * MIB, os.urandom(MIB))
    s1 = snapped(engine, v.id)
    full = engine.wait_for_backup(ME, engine.create_backup(ME, v.id, snapshot_id=s1.id).id, timeout=120)
    assert full.status == "available", full.fail_reason
    assert full.object_count == 2  # the two written chunks; the rest of the GiB was never read
    write(engine, v.id, 600 * MIB + 4096, os.urandom(8192))
    s2 = snapped(engine, v.id)
    inc = engine.wait_for_backup(ME, engine.create_backup(ME, v.id, snapshot_id=s2.id, incremental=True).id,
                                 timeout=120)
    assert inc.status == "available", inc.fail_reason
    assert inc.parent_id == full.id and inc.object_count == 1
    r = engine.restore_backup(ME, inc.id)
    restored = engine.wait_for_volume(ME, r.volume_id, ["available", "error_restoring"], timeout=120)
    assert restored.status == "available"
    # The restore reads as the snapshot the incremental was taken from.
    snap_copy = made(engine, snapshot_id=s2.id)
    assert digest(engine, restored.id, 700 * MIB) == digest(engine, snap_copy.id, 700 * MIB)
    for b in (inc, full):
        engine.delete_backup(ME, b.id)
        engine.wait_for_backup_deleted(ME, b.id, timeout=60)
    gone(engine, restored.id, snap_copy.id)
    gone(engine, v.id)


# Opens an engine on the driver the parent names, creates volumes, says when the first is
# available, and waits to be killed.
CREATOR = r"""
import json, sys, time
sys.path.insert(0, sys.argv[4])
import blockstore
state, config, drivers = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
if "sparse_dir_py" in drivers:
    from sparse_dir_driver import SparseDirDriver
    drivers["sparse_dir_py"] = SparseDirDriver
me = blockstore.Context("conformance")
with blockstore.Engine(state, config, drivers=drivers) as e:
    ids = [e.create_volume(me, 1).id for _ in range(20)]
    e.wait_for_volume(me, ids[0], ["available"], timeout=60)
    print("going", flush=True)
    time.sleep(600)
"""


def test_an_engine_killed_mid_create_settles_every_volume(setup, tmp_path):
    config, drivers = setup
    state = str(tmp_path / "state")
    wire = {k: (v if isinstance(v, str) else "python") for k, v in drivers.items()}
    child = subprocess.Popen([sys.executable, "-c", CREATOR, state, json.dumps(config), json.dumps(wire), HERE],
                             stdout=subprocess.PIPE, text=True, env=os.environ, start_new_session=True)
    try:
        assert child.stdout.readline().strip() == "going"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    with blockstore.Engine(state, config, drivers=drivers) as engine:
        vols = engine.list_volumes(ME)
        assert len(vols) == 20
        settled = [engine.wait_for_volume(ME, v.id, ["available", "error"], timeout=120) for v in vols]
        assert {v.status for v in settled} <= {"available", "error"}
        assert any(v.status == "available" for v in settled)
        for v in settled:  # every one that says available holds its data
            if v.status == "available":
                write(engine, v.id, 0, b"k" * 4096)
        gone(engine, *[v.id for v in settled])
