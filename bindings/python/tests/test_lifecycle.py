"""Volumes and snapshots from Python, on real sparse files."""
import os
import threading
import time

import pytest

import blockstore


def make_volume(engine, ctx, size, **kw):
    vol = engine.create_volume(ctx, size, **kw)
    assert vol.status == "creating"
    vol = engine.wait_for_volume(ctx, vol.id, ["available", "error"], timeout=10)
    assert vol.status == "available"
    return vol


def wait_until(lock, check, timeout=10):
    """Until check() holds under lock: events reach subscribers from engine threads."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with lock:
            if check():
                return
        time.sleep(0.01)


def test_create_is_a_sparse_file(engine, alice, tmp_path):
    vol = make_volume(engine, alice, 2, name="data", metadata={"env": "test"})
    path = tmp_path / "state" / "volumes" / f"volume-{vol.id}"
    st = os.stat(path)
    assert st.st_size == 2 << 30
    assert st.st_blocks * 512 < 1 << 20
    assert vol.name == "data"
    assert vol.metadata == {"env": "test"}
    assert vol.host == "pytest@file#file"
    assert repr(vol).startswith("<blockstore.Volume ")


def test_snapshot_clone_and_cascade_delete(engine, alice, tmp_path):
    vol = make_volume(engine, alice, 1)
    snap = engine.create_snapshot(alice, vol.id, name="s")
    assert snap.status == "creating"
    snap = engine.wait_for_snapshot(alice, snap.id, ["available", "error"], timeout=10)
    assert snap.status == "available" and snap.progress == "100%"
    from_snap = make_volume(engine, alice, None, snapshot_id=snap.id)
    assert from_snap.size == 1 and from_snap.snapshot_id == snap.id
    clone = make_volume(engine, alice, 3, source_volid=vol.id)
    assert clone.source_volid == vol.id

    with pytest.raises(blockstore.FailedPrecondition):
        engine.delete_volume(alice, vol.id)
    assert engine.delete_volume(alice, vol.id, cascade=True).status == "deleting"
    engine.wait_for_volume_deleted(alice, vol.id, timeout=10)
    with pytest.raises(blockstore.NotFound):
        engine.get_snapshot(alice, snap.id)
    names = sorted(os.listdir(tmp_path / "state" / "volumes"))
    assert names == sorted(f"volume-{v.id}" for v in (from_snap, clone))


def test_revert_to_the_latest_snapshot(engine, alice, bob, tmp_path):
    vol = make_volume(engine, alice, 1)
    path = tmp_path / "state" / "volumes" / f"volume-{vol.id}"
    with open(path, "r+b") as f:
        f.write(b"first" * 1000)
    older = engine.wait_for_snapshot(alice, engine.create_snapshot(alice, vol.id).id, ["available"], timeout=10)
    with open(path, "r+b") as f:
        f.write(b"second" * 1000)
    latest = engine.wait_for_snapshot(alice, engine.create_snapshot(alice, vol.id).id, ["available"], timeout=10)
    with open(path, "r+b") as f:
        f.write(b"third!" * 1000)
    with pytest.raises(blockstore.FailedPrecondition, match="latest"):
        engine.revert_volume_to_snapshot(alice, vol.id, older.id)
    with pytest.raises(blockstore.NotFound):
        engine.revert_volume_to_snapshot(bob, vol.id, latest.id)
    assert engine.get_volume(alice, vol.id).status == "available"
    assert engine.revert_volume_to_snapshot(alice, vol.id, latest.id).status == "reverting"
    assert engine.wait_for_volume(alice, vol.id, ["available", "error"], timeout=10).status == "available"
    with open(path, "rb") as f:
        assert f.read(6000) == b"second" * 1000
    assert engine.get_snapshot(alice, latest.id).status == "available"


def test_extend_update_list(engine, alice):
    vols = [make_volume(engine, alice, 1 + i % 2, name=f"v{i}") for i in range(4)]
    engine.extend_volume(alice, vols[0].id, 5)
    assert engine.wait_for_volume(alice, vols[0].id, ["available"], timeout=10).size == 5
    engine.update_volume(alice, vols[1].id, name="renamed", metadata={"a": "b"})
    got = engine.get_volume(alice, vols[1].id)
    assert (got.name, got.metadata) == ("renamed", {"a": "b"})
    page = engine.list_volumes(alice, sort=[("size", "asc"), ("name", "asc")], limit=3)
    assert [v.size for v in page] == sorted(v.size for v in page)
    rest = engine.list_volumes(alice, sort=[("size", "asc"), ("name", "asc")], marker=page[-1].id)
    assert {v.id for v in page} | {v.id for v in rest} == {v.id for v in vols}
    assert [v.id for v in engine.list_volumes(alice, name="renamed")] == [vols[1].id]
    assert [v.id for v in engine.list_volumes(alice, metadata={"a": "b"})] == [vols[1].id]


def test_events_arrive_from_engine_threads(engine, alice):
    seen = []
    lock = threading.Lock()

    def on_event(event):
        with lock:
            seen.append((event.type, event.resource_id, event.status))

    token = engine.subscribe(on_event)
    vol = make_volume(engine, alice, 1)
    engine.delete_volume(alice, vol.id)
    engine.wait_for_volume_deleted(alice, vol.id, timeout=10)
    # The row goes a moment before the event announcing it is published: wait for that too.
    wait_until(lock, lambda: ("volume.delete.end", vol.id, "deleted") in seen)
    engine.unsubscribe(token)
    make_volume(engine, alice, 1)
    with lock:
        assert [t for t, rid, _ in seen if rid == vol.id] == [
            "volume.create.start", "volume.create.end", "volume.delete.start", "volume.delete.end"]
        assert len(seen) == 4


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_failing_callback_does_not_break_the_engine(engine, alice):
    calls = []
    good = []
    lock = threading.Lock()

    def bad(event):
        with lock:
            calls.append(event.type)
        raise RuntimeError("subscriber bug")

    def on_event(event):
        with lock:
            good.append((event.type, event.resource_id))

    token = engine.subscribe(bad)
    other = engine.subscribe(on_event)
    first = make_volume(engine, alice, 1)
    # The failing callback really ran (and raised) for the create's events ...
    wait_until(lock, lambda: "volume.create.end" in calls)
    with lock:
        assert calls[:2] == ["volume.create.start", "volume.create.end"]
    engine.unsubscribe(token)
    # ... and the engine still works afterwards: another volume is created and deleted, and
    # the other subscriber heard every event of both.
    second = make_volume(engine, alice, 1)
    engine.delete_volume(alice, second.id)
    engine.wait_for_volume_deleted(alice, second.id, timeout=10)
    wait_until(lock, lambda: ("volume.delete.end", second.id) in good)
    engine.unsubscribe(other)
    with lock:
        assert [t for t, rid in good if rid == first.id] == ["volume.create.start",
                                                             "volume.create.end"]
        assert [t for t, rid in good if rid == second.id] == [
            "volume.create.start", "volume.create.end", "volume.delete.start", "volume.delete.end"]
        assert len(calls) == 2  # nothing after the unsubscribe
    assert engine.get_volume(alice, first.id).status == "available"


def test_waiting_releases_the_gil(engine, alice):
    vol = make_volume(engine, alice, 1)
    ticks = 0
    stop = threading.Event()

    def spin():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        with pytest.raises(blockstore.DeadlineExceeded) as err:
            engine.wait_for_volume(alice, vol.id, ["error"], timeout=0.3)
        assert isinstance(err.value, TimeoutError)
    finally:
        stop.set()
        t.join()
    assert ticks > 1000


def test_state_survives_reopening(tmp_path, alice):
    with blockstore.Engine(str(tmp_path), host="h") as e:
        vol = make_volume(e, alice, 1, name="keep")
    with blockstore.Engine(str(tmp_path), host="h") as e:
        assert e.get_volume(alice, vol.id).name == "keep"


def test_second_engine_on_same_state_is_refused(tmp_path, alice):
    with blockstore.Engine(str(tmp_path), host="h") as e:
        vol = make_volume(e, alice, 1, name="mine")
        with pytest.raises(blockstore.Unavailable, match="in use"):
            blockstore.Engine(str(tmp_path), host="h")
        assert e.get_volume(alice, vol.id).status == "available"
    with blockstore.Engine(str(tmp_path), host="h") as e:
        assert e.get_volume(alice, vol.id).name == "mine"


def test_closed_engine_answers_unavailable(tmp_path, alice):
    e = blockstore.Engine(str(tmp_path))
    e.close()
    with pytest.raises(blockstore.Unavailable):
        e.list_volumes(alice)


def test_two_backends(tmp_path, alice, admin):
    backends = [
        {"name": "a", "driver": "file", "options": {"volumes_dir": str(tmp_path / "a")}},
        {"name": "b", "driver": "file", "options": {"volumes_dir": str(tmp_path / "b")}},
    ]
    with blockstore.Engine(str(tmp_path / "s"), host="h", backends=backends) as e:
        assert sorted(p.name for p in e.pools()) == ["h@a#a", "h@b#b"]
        e.create_volume_type(admin, "on-b", extra_specs={"volume_backend_name": "b"})
        vol = make_volume(e, alice, 1, volume_type="on-b")
        assert vol.host == "h@b#b"
        assert os.listdir(tmp_path / "b") == [f"volume-{vol.id}"]


def test_lists_filter_like_cinder_and_page_in_any_order(engine, alice, bob, admin):
    names = ["web-data", "db-data", "scratch", "Archive"]
    made = {n: make_volume(engine, alice, 1 + i % 2, name=n) for i, n in enumerate(names)}
    theirs = make_volume(engine, bob, 1, name="theirs")
    assert {v.name for v in engine.list_volumes(alice, like={"name": "DATA"})} == {"web-data", "db-data"}
    assert {v.name for v in engine.list_volumes(alice, size=2)} == {"db-data", "Archive"}
    ordered = [v.name for v in engine.list_volumes(alice, sort=[("display_name", "asc")])]
    assert ordered == sorted(names)
    # Pages by marker in that order, without gaps or repeats.
    seen, marker = [], ""
    while True:
        page = engine.list_volumes(alice, sort=[("name", "asc")], limit=3, marker=marker)
        seen += [v.name for v in page]
        if len(page) < 3:
            break
        marker = page[-1].id
    assert seen == ordered
    # An admin's view of one project; a marker that is not there.
    assert [v.id for v in engine.list_volumes(admin, all_projects=True, project_id="bob")] == [theirs.id]
    with pytest.raises(blockstore.NotFound):
        engine.list_volumes(alice, marker=theirs.id)
    with pytest.raises(blockstore.InvalidArgument):
        engine.list_volumes(alice, like={"host": "x"})
    with pytest.raises(blockstore.InvalidArgument):
        engine.list_volumes(alice, sort=[("password", "asc")])
    # Image properties, and the migration status an admin may reset.
    v = engine.update_volume(alice, made["db-data"].id, image_metadata={"os_distro": "debian"})
    assert v.image_metadata == {"os_distro": "debian"}
    assert [x.id for x in engine.list_volumes(alice, image_metadata={"os_distro": "debian"})] == [v.id]
    assert v.migration_status is None
    v = engine.reset_volume_status(admin, v.id, migration_status="error")
    assert v.migration_status == "error" and v.status == "available"
    v = engine.reset_volume_status(admin, v.id, migration_status="none")
    assert v.migration_status is None
    with pytest.raises(blockstore.InvalidArgument):
        engine.reset_volume_status(admin, v.id)
    with pytest.raises(blockstore.InvalidArgument):
        engine.reset_volume_status(admin, v.id, migration_status="sideways")


def test_a_failed_create_leaves_a_message(tmp_path, alice, bob, admin):
    with blockstore.Engine(str(tmp_path / "state"), host="pytest", quota_defaults={"gigabytes": -1}) as engine:
        vol = engine.create_volume(alice, 1000000)
        assert engine.wait_for_volume(alice, vol.id, ["available", "error"], timeout=10).status == "error"
        deadline = time.monotonic() + 10  # the message is written as the failure is reported
        while not engine.list_messages(alice) and time.monotonic() < deadline:
            time.sleep(0.01)
        [m] = engine.list_messages(alice)
        assert isinstance(m, blockstore.Message)
        assert (m.resource_type, m.resource_uuid, m.event_id) == ("VOLUME", vol.id, "VOLUME_VOLUME_001_003")
        assert m.user_message.startswith("create volume: No valid backend") and "CapacityFilter" in m.user_message
        assert engine.list_messages(bob) == []
        assert [x.id for x in engine.list_messages(admin, all_projects=True)] == [m.id]
        with pytest.raises(blockstore.PermissionDenied):
            engine.list_messages(alice, all_projects=True)
        with pytest.raises(blockstore.InvalidArgument):
            engine.list_messages(alice, limit=0)
        with pytest.raises(blockstore.NotFound):
            engine.get_message(bob, m.id)
        assert engine.get_message(alice, m.id).user_message == m.user_message
        engine.delete_message(alice, m.id)
        with pytest.raises(blockstore.NotFound):
            engine.get_message(alice, m.id)


def test_a_transfer_moves_a_volume_and_its_quota_to_the_accepting_project(engine, alice, bob, admin):
    vol = make_volume(engine, alice, 2)
    snap = engine.wait_for_snapshot(alice, engine.create_snapshot(alice, vol.id).id, ["available"], timeout=10)
    transfer, key = engine.create_transfer(alice, vol.id, name="gift")
    assert isinstance(transfer, blockstore.Transfer) and len(key) == 16
    assert (transfer.name, transfer.source_project_id, transfer.accepted) == ("gift", "alice", False)
    assert engine.get_volume(alice, vol.id).status == "awaiting-transfer"
    assert [t.id for t in engine.list_transfers(alice)] == [transfer.id]
    assert engine.list_transfers(bob) == []
    with pytest.raises(blockstore.NotFound):
        engine.get_transfer(bob, transfer.id)
    with pytest.raises(blockstore.InvalidArgument):
        engine.accept_transfer(bob, transfer.id, "x" * 16)
    assert engine.get_volume(alice, vol.id).status == "awaiting-transfer"
    done = engine.accept_transfer(bob, transfer.id, key)
    assert (done.accepted, done.destination_project_id) == (True, "bob")
    moved = engine.get_volume(bob, vol.id)
    assert (moved.status, moved.project_id) == ("available", "bob")
    assert engine.get_snapshot(bob, snap.id).project_id == "bob"
    with pytest.raises(blockstore.NotFound):
        engine.get_volume(alice, vol.id)
    usage = {p: engine.get_quotas(admin, p).resources for p in ("alice", "bob")}
    assert (usage["alice"]["volumes"].in_use, usage["alice"]["gigabytes"].in_use) == (0, 0)
    assert (usage["bob"]["volumes"].in_use, usage["bob"]["snapshots"].in_use, usage["bob"]["gigabytes"].in_use) == (1, 1, 4)
    # Offered again, then withdrawn: the volume stays bob's, available.
    again, _ = engine.create_transfer(bob, vol.id, no_snapshots=True)
    assert again.no_snapshots
    engine.delete_transfer(bob, again.id)
    assert engine.get_volume(bob, vol.id).status == "available"
    with pytest.raises(blockstore.NotFound):
        engine.get_transfer(bob, again.id)


def test_a_create_with_an_idempotency_key_is_made_once(engine, alice):
    keyed = blockstore.Context("alice", "u1", idempotency_key="py-once")
    assert keyed.idempotency_key == "py-once"
    first = engine.create_volume(keyed, 1, name="once")
    again = engine.create_volume(keyed, 1, name="once")
    assert again.id == first.id
    assert [v.id for v in engine.list_volumes(alice)] == [first.id]
    with pytest.raises(blockstore.InvalidArgument, match="another request"):
        engine.create_volume(keyed, 2, name="once")
    keyed.idempotency_key = ""
    assert engine.create_volume(keyed, 1).id != first.id


def test_migrate_moves_a_volume_between_backends(tmp_path, alice, admin):
    config = {"host": "pyhost", "backends": [
        {"name": n, "driver": "file", "options": {"volumes_dir": str(tmp_path / n)}} for n in ("a", "b")]}
    with blockstore.Engine(str(tmp_path / "state"), config) as engine:
        vol = make_volume(engine, alice, 1)
        src = vol.host.split("@")[1].split("#")[0]
        dst = "b" if src == "a" else "a"
        with open(tmp_path / src / f"volume-{vol.id}", "r+b") as f:
            f.seek(5 << 20)
            f.write(b"through the migration")
        with pytest.raises(blockstore.PermissionDenied):
            engine.migrate_volume(alice, vol.id, f"pyhost@{dst}#{dst}")
        with pytest.raises(blockstore.InvalidArgument):
            engine.migrate_volume(admin, vol.id, "pyhost@elsewhere#x")
        started = engine.migrate_volume(admin, vol.id, f"pyhost@{dst}", force_host_copy=True)
        assert (started.status, started.migration_status, started.migration_host) == (
            "maintenance", "starting", f"pyhost@{dst}#{dst}")
        done = engine.wait_for_volume(admin, vol.id, ["available", "error"], timeout=30)
        assert (done.status, done.host, done.migration_status, done.migration_host) == (
            "available", f"pyhost@{dst}#{dst}", "success", None)
        with open(tmp_path / dst / f"volume-{vol.id}", "rb") as f:
            f.seek(5 << 20)
            assert f.read(21) == b"through the migration"
        assert not (tmp_path / src / f"volume-{vol.id}").exists()
        # Retype to a type only the first backend serves: refused in place, migrated on demand.
        engine.create_volume_type(admin, "pinned", extra_specs={"volume_backend_name": src})
        with pytest.raises(blockstore.InvalidArgument, match="CapabilitiesFilter"):
            engine.retype_volume(alice, vol.id, "pinned")
        engine.retype_volume(alice, vol.id, "pinned", migration_policy="on-demand")
        back = engine.wait_for_volume(alice, vol.id, ["available", "error"], timeout=30)
        assert (back.host, back.volume_type_id) == (f"pyhost@{src}#{src}", engine.get_volume_type(admin, "pinned").id)
        with open(tmp_path / src / f"volume-{vol.id}", "rb") as f:
            f.seek(5 << 20)
            assert f.read(21) == b"through the migration"
