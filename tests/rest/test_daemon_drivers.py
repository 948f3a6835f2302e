"""blockstored with drivers from outside the library — a C driver loaded from its shared object
(volume_driver = /path/to/driver.so) and a Python driver (volume_driver = python:module.Class) —
and with the RBD driver on the suite's Ceph, each through the seed's workflows over Cinder's REST
API: create (cinder CLI), attach (os-initialize_connection, opened by the host connector), snapshot
and volume from it, backup of the snapshot and restore."""
import hashlib
import os
import subprocess
import sys

import pytest

from conftest import Daemon, wait_for
from test_cinder_cli import cinder, props, wait_gone, wait_volume
from test_client_fidelity import http

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY_TESTS = os.path.join(REPO, "bindings", "python", "tests")
BUILD = os.environ.get("BS_BUILD_DIR", "")
sys.path.insert(0, os.path.join(BUILD, "python"))


def ceph_env():
    path = os.environ.get("BS_CEPH_ENV")
    if not path or not os.path.exists(path):
        pytest.skip("no Ceph in this run (BS_CEPH_ENV)")
    return dict(line.strip().split("=", 1) for line in open(path) if "=" in line)


def backend_section(kind, tmp_path):
    if kind == "c":
        return f"[c-1]\nvolume_driver = {os.environ['BS_SPARSE_DIR_DRIVER']}\npath = {tmp_path}/c-volumes\n"
    if kind == "python":
        return f"[py-1]\nvolume_driver = python:sparse_dir_driver.SparseDirDriver\npath = {tmp_path}/py-volumes\n"
    env = ceph_env()
    return (f"[ceph-1]\nvolume_driver = rbd\nrbd_pool = {env['BS_CEPH_POOL']}\nrbd_user = {env['BS_CEPH_USER']}\n"
            f"rbd_ceph_conf = {env['BS_CEPH_CONF']}\nrbd_keyring_conf = {env['BS_CEPH_KEYRING']}\n")


def daemon_env():
    paths = [os.path.join(BUILD, "python"), PY_TESTS, os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=":".join(p for p in paths if p))


def attached(daemon, vid):
    """The volume's connection info for this host, from os-initialize_connection."""
    import blockstore
    connector = blockstore.host_connector(initiator="iqn.2026-12.org.blockstore.rest:drivers")
    status, body = http(daemon, "POST", f"/v3/p1/volumes/{vid}/action",
                        {"os-initialize_connection": {"connector": connector}})
    assert status == 200, body
    return connector, body["connection_info"]


def detach(daemon, vid, connector):
    status, body = http(daemon, "POST", f"/v3/p1/volumes/{vid}/action",
                        {"os-terminate_connection": {"connector": connector}})
    assert status == 202, body


@pytest.mark.parametrize("kind", ["c", "python", "rbd"])
def test_the_seed_workflows_on_a_driver(tmp_path, kind):
    import blockstore
    d = Daemon(tmp_path, backend=backend_section(kind, tmp_path), env=daemon_env())
    try:
        vid = props(cinder(d, "create", "--name", "on-" + kind, "1").stdout)["id"]
        wait_volume(d, vid, "available")
        payload = os.urandom(2 << 20)
        connector, info = attached(d, vid)
        assert info["driver_volume_type"] == ("rbd" if kind == "rbd" else "local")
        with blockstore.connect_volume(info, initiator=connector["initiator"]) as f:
            f.write_at(8 << 20, payload)
            f.flush()
        detach(d, vid, connector)

        sid = props(cinder(d, "snapshot-create", "--name", "s", vid).stdout)["id"]
        wait_for(lambda: props(cinder(d, "snapshot-show", sid).stdout).get("status") == "available", timeout=60)
        from_snap = props(cinder(d, "create", "--snapshot-id", sid, "1").stdout)["id"]
        wait_volume(d, from_snap, "available")

        bid = props(cinder(d, "backup-create", "--snapshot-id", sid, vid).stdout)["id"]
        wait_for(lambda: props(cinder(d, "backup-show", bid).stdout).get("status") in ("available", "error"),
                 timeout=120)
        assert props(cinder(d, "backup-show", bid).stdout)["status"] == "available"
        rid = props(cinder(d, "backup-restore", bid).stdout)["volume_id"]
        wait_volume(d, rid, "available")
        for copy in (from_snap, rid):
            connector, info = attached(d, copy)
            with blockstore.connect_volume(info, initiator=connector["initiator"]) as f:
                got = f.read_at(8 << 20, len(payload))
            detach(d, copy, connector)
            assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest(), copy

        cinder(d, "backup-delete", bid)
        for x in (rid, from_snap):
            cinder(d, "delete", x)
            wait_gone(d, x)
        cinder(d, "snapshot-delete", sid)
        wait_for(lambda: cinder(d, "snapshot-show", sid, ok=False).returncode != 0, timeout=60)
        cinder(d, "delete", vid)
        wait_gone(d, vid)
    finally:
        assert d.stop() == 0, open(d.log_path).read()


@pytest.mark.parametrize("driver, says", [("/nonexistent/libdriver.so", "/nonexistent/libdriver.so"),
                                          ("python:no_such_module.Driver", "no_such_module"),
                                          ("python:NoDot", "module.Class")])
def test_a_driver_that_cannot_be_loaded_is_named(tmp_path, driver, says):
    conf = tmp_path / "blockstored.conf"
    conf.write_text(f"[DEFAULT]\nlisten = 127.0.0.1\nport = 0\nstate_path = {tmp_path}/state\n"
                    f"enabled_backends = x-1\n\n[x-1]\nvolume_driver = {driver}\n")
    out = subprocess.run([os.environ["BS_BLOCKSTORED"], "--config", str(conf)], capture_output=True, text=True,
                         timeout=60, env=daemon_env())
    assert out.returncode == 1
    assert says in out.stderr, out.stderr
