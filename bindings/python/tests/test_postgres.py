"""Engines in separate processes on one PostgreSQL database (the suite's server, BS_PG_ENV)."""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest

import blockstore

RACER = r"""
import json, sys, time, os
import blockstore
state, url, shared, ids_file, go = sys.argv[1:6]
config = {"host": "h", "database": {"connection": url},
          "backends": [{"name": "file", "driver": "file", "options": {"volumes_dir": shared}}]}
with blockstore.Engine(state, config) as e:
    me = blockstore.Context("racers")
    ids = json.load(open(ids_file))
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    won, lost = [], 0
    for vid in ids:
        try:
            e.delete_volume(me, vid)
            won.append(vid)
        except (blockstore.FailedPrecondition, blockstore.NotFound):
            lost += 1
    for vid in won:
        e.wait_for_volume_deleted(me, vid, timeout=60)
    print(json.dumps({"won": won, "lost": lost}), flush=True)
"""


# One create of `size` GB on the shared backend, started with the other process's.
PLACER = r"""
import json, sys, time, os
import blockstore
state, url, shared, size, go = sys.argv[1:6]
config = {"host": "h", "database": {"connection": url},
          "quota_defaults": {"volumes": -1, "gigabytes": -1},
          "backends": [{"name": "file", "driver": "file",
                        "options": {"volumes_dir": shared, "max_over_subscription_ratio": "1"}}]}
with blockstore.Engine(state, config) as e:
    me = blockstore.Context("placers")
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.002)
    vol = e.wait_for_volume(me, e.create_volume(me, int(size)).id, ["available", "error"], timeout=60)
    print(json.dumps({"id": vol.id, "status": vol.status, "host": vol.host}), flush=True)
"""


def server_url():
    path = os.environ.get("BS_PG_ENV")
    if not path:
        pytest.skip("no PostgreSQL in this run (BS_PG_ENV)")
    for line in open(path):
        if line.startswith("BS_PG_URL="):
            return line.strip().split("=", 1)[1]
    pytest.fail(f"no BS_PG_URL in {path}")


def fresh_database():
    server = server_url()
    name = "py_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    return server.rsplit("/", 1)[0] + "/" + name


def run_together(script, argvs, go):
    """Starts `script` once per argv, lets them all go at once (the file `go`), and returns
    the JSON line each printed; every one must exit 0. Stopped by pid, also on failure."""
    procs = [subprocess.Popen([sys.executable, "-c", script, *map(str, argv), str(go)],
                              stdout=subprocess.PIPE, text=True, env=os.environ)
             for argv in argvs]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready"
        go.write_text("go")
        results = [json.loads(p.stdout.readline()) for p in procs]
        for p in procs:
            assert p.wait(timeout=60) == 0
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


def test_two_processes_race_on_the_same_volumes(tmp_path):
    url = fresh_database()
    shared = tmp_path / "shared-volumes"
    config = {"host": "h", "database": {"connection": url},
              "quota_defaults": {"volumes": -1, "gigabytes": -1},
              "backends": [{"name": "file", "driver": "file",
                            "options": {"volumes_dir": str(shared)}}]}
    me = blockstore.Context("racers")
    with blockstore.Engine(str(tmp_path / "a"), config) as a:
        ids = [a.create_volume(me, 1).id for _ in range(30)]
        for vid in ids:
            assert a.wait_for_volume(me, vid).status == "available"
    (tmp_path / "ids.json").write_text(json.dumps(ids))
    results = run_together(RACER, [(tmp_path / f"r{i}", url, shared, tmp_path / "ids.json") for i in range(2)],
                           tmp_path / "go")
    won = results[0]["won"] + results[1]["won"]
    assert sorted(won) == sorted(ids)            # every delete won exactly once …
    assert results[0]["lost"] + results[1]["lost"] == len(ids)  # … and lost once
    with blockstore.Engine(str(tmp_path / "c"), config) as c:
        assert c.list_volumes(me) == []
        quotas = c.get_quotas(blockstore.Context.admin(), "racers")
        assert quotas["volumes"].in_use == 0 and quotas["volumes"].reserved == 0
    assert list(shared.iterdir()) == []


def test_the_database_key_from_python(tmp_path, alice):
    url = fresh_database()
    with blockstore.Engine(str(tmp_path / "s"), database={"connection": url}) as e:
        vol = e.wait_for_volume(alice, e.create_volume(alice, 1, name="pg").id)
        assert vol.status == "available"
    # Another engine, elsewhere, on the same database finds it.
    with blockstore.Engine(str(tmp_path / "t"), database={"connection": url}) as e:
        assert [v.name for v in e.list_volumes(alice)] == ["pg"]
    with pytest.raises(blockstore.InvalidArgument, match="unsupported database"):
        blockstore.Engine(str(tmp_path / "u"), database={"connection": "mysql://x@y/z"})


def test_copy_an_embedded_deployment_to_postgresql(tmp_path, alice):
    lite = f"sqlite://{tmp_path}/state.db"
    with blockstore.Engine(str(tmp_path / "s"), database={"connection": lite}) as e:
        vid = e.wait_for_volume(alice, e.create_volume(alice, 1, name="moving").id).id
    pg = fresh_database()
    report = blockstore.copy_database(lite, pg)
    assert report["rows"] > 0
    assert {t["table"] for t in report["tables"]} >= {"volumes", "quota_usages"}
    with blockstore.Engine(str(tmp_path / "t"), database={"connection": pg}) as e:
        assert e.get_volume(alice, vid).name == "moving"
    with pytest.raises(blockstore.FailedPrecondition, match="already holds records"):
        blockstore.copy_database(lite, pg)
    blockstore.migrate_database(pg)  # already current: nothing to do


def test_engines_on_one_database_see_each_others_services(tmp_path, alice):
    url = fresh_database()

    def engine(host):
        return blockstore.Engine(str(tmp_path / host), {
            "host": host, "database": {"connection": url}, "report_interval_ms": 100,
            "service_down_time_ms": 1000,
            "backends": [{"name": "file", "driver": "file",
                          "options": {"volumes_dir": str(tmp_path / host / "volumes")}}]})

    a = engine("a")
    with engine("b") as b:
        for e in (a, b):
            seen = {(s.binary, s.host) for s in e.services() if s.up}
            assert {("cinder-scheduler", "a"), ("cinder-scheduler", "b"),
                    ("cinder-volume", "a@file"), ("cinder-volume", "b@file")} <= seen
        # Disabled from a, honoured by b's scheduler once b reads the table again.
        a.set_service_disabled("b@file", "cinder-volume", True, "drain")
        deadline = time.time() + 5
        while b.explain_placement(blockstore.Context.admin(), 1).out_of_service != 1:
            assert time.time() < deadline, "b never saw the disable"
            time.sleep(0.05)
        assert b.wait_for_volume(alice, b.create_volume(alice, 1).id,
                                 ["available", "error"], timeout=10).status == "error"
        a.set_service_disabled("b@file", "cinder-volume", False)
    # b closed: its services stop beating and go down; a's stay up.
    deadline = time.time() + 5
    while any(s.up for s in a.services() if s.host.startswith("b")):
        assert time.time() < deadline, "b's services never went down"
        time.sleep(0.1)
    assert all(s.up for s in a.services() if s.host.startswith("a"))
    a.close()


def test_two_schedulers_in_two_processes_never_both_take_the_last_free_space(tmp_path):
    url = fresh_database()
    shared = tmp_path / "shared-volumes"
    shared.mkdir()
    # The pool holds one volume of 60 % of its size, never two (thin, over-subscription 1).
    config = {"host": "h", "database": {"connection": url},
              "backends": [{"name": "file", "driver": "file",
                            "options": {"volumes_dir": str(shared), "max_over_subscription_ratio": "1"}}]}
    with blockstore.Engine(str(tmp_path / "probe"), config) as probe:
        [pool] = probe.pools()
        size = int(pool.total_capacity_gb * 0.6)
    assert size >= 1
    for round_ in range(3):
        results = run_together(PLACER, [(tmp_path / f"p{round_}-{i}", url, shared, size) for i in range(2)],
                               tmp_path / f"go{round_}")
        # Exactly one got the space; the other was told there was none.
        assert sorted(r["status"] for r in results) == ["available", "error"], results
        with blockstore.Engine(str(tmp_path / f"check{round_}"), config) as c:
            me = blockstore.Context("placers")
            won = [r["id"] for r in results if r["status"] == "available"]
            fault = c.get_volume(me, next(r["id"] for r in results if r["status"] == "error"))
            assert fault.host == ""  # never placed
            for vid in won + [fault.id]:
                c.delete_volume(me, vid)
                c.wait_for_volume_deleted(me, vid, timeout=60)
        assert list(shared.iterdir()) == []
