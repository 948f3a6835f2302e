"""A migration whose engine is killed with SIGKILL midway runs again when the engine opens
again: the volume ends whole on the destination, never half on each backend."""
import hashlib
import json
import os
import signal
import subprocess
import sys

import blockstore

# Writes 1 GiB of data into a volume's file, starts its migration, says when the copy is under
# way, and waits to be killed.
MIGRATOR = r"""
import json, os, sys, time
import blockstore
state, config, root = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
admin = blockstore.Context("admin", "admin", ["admin"])
with blockstore.Engine(state, config) as e:
    v = e.wait_for_volume(admin, e.create_volume(admin, 2).id, ["available"], timeout=30)
    src = v.host.split("@")[1].split("#")[0]
    block = os.urandom(1 << 20)
    with open(os.path.join(root, src, "volume-" + v.id), "r+b") as f:
        for i in range(1024):
            f.write(block[i % 7:] + block[:i % 7])
        os.fsync(f.fileno())
    print(v.id, src, flush=True)
    e.migrate_volume(admin, v.id, "killhost@" + ("b" if src == "a" else "a"), force_host_copy=True)
    while e.get_volume(admin, v.id).migration_status != "migrating":
        time.sleep(0.001)
    print("copying", flush=True)
    time.sleep(600)
"""


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def test_a_migration_killed_midway_runs_again(tmp_path):
    config = {"host": "killhost", "backends": [
        {"name": n, "driver": "file", "options": {"volumes_dir": str(tmp_path / n)}} for n in ("a", "b")]}
    state = str(tmp_path / "state")
    child = subprocess.Popen([sys.executable, "-c", MIGRATOR, state, json.dumps(config), str(tmp_path)],
                             stdout=subprocess.PIPE, text=True, env=os.environ, start_new_session=True)
    try:
        vid, src = child.stdout.readline().split()
        expected = digest(tmp_path / src / f"volume-{vid}")
        assert child.stdout.readline().strip() == "copying"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    dst = "b" if src == "a" else "a"
    admin = blockstore.Context("admin", "admin", ["admin"])
    with blockstore.Engine(state, config) as engine:
        left = engine.get_volume(admin, vid)
        # Killed mid-copy: the record still names the source, in maintenance, migrating.
        assert (left.host, left.migration_host) in ((f"killhost@{src}#{src}", f"killhost@{dst}#{dst}"),
                                                    (f"killhost@{dst}#{dst}", None))
        done = engine.wait_for_volume(admin, vid, ["available", "error"], timeout=120)
        assert (done.status, done.host, done.migration_status) == ("available", f"killhost@{dst}#{dst}", "success")
        assert digest(tmp_path / dst / f"volume-{vid}") == expected
        assert not (tmp_path / src / f"volume-{vid}").exists()
