"""Placement from Python: explanations, hints, scheduler options and Python plugins."""
import threading

import pytest

import blockstore


def two_backends(tmp_path, **kw):
    backends = [
        {"name": "a", "driver": "file", "options": {"volumes_dir": str(tmp_path / "a")}},
        {"name": "b", "driver": "file", "goodness_function": "volume.size < 5 ? 100 : 0",
         "options": {"volumes_dir": str(tmp_path / "b")}},
    ]
    return blockstore.Engine(str(tmp_path / "s"), host="h", backends=backends, **kw)


def wait(engine, ctx, vol):
    return engine.wait_for_volume(ctx, vol.id, ["available", "error"], timeout=10)


def test_explain_placement_traces_filters_and_ranking(tmp_path, admin, alice):
    with two_backends(tmp_path) as e:
        ex = e.explain_placement(admin, 1)
        assert ex.pools == 2
        assert ex.chosen in ("h@a#a", "h@b#b")
        assert [s.filter for s in ex.filters] == [
            "AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter"]
        assert {p.pool for p in ex.ranking} == {"h@a#a", "h@b#b"}
        assert all("CapacityWeigher" in p.raw for p in ex.ranking)
        huge = e.explain_placement(admin, 1 << 20)
        assert huge.chosen is None
        assert "CapacityFilter removed 2 of 2" in huge.error
        assert huge.filters[1].reasons[0].startswith("pool h@")
        with pytest.raises(blockstore.PermissionDenied):
            e.explain_placement(alice, 1)
        assert e.list_volumes(admin, all_projects=True) == []


def test_goodness_and_scheduler_options(tmp_path, alice):
    with two_backends(tmp_path, scheduler={"weighers": {"GoodnessWeigher": 1.0}}) as e:
        small = wait(e, alice, e.create_volume(alice, 1))
        assert small.host == "h@b#b"
    with pytest.raises(blockstore.InvalidArgument, match="NoSuchFilter"):
        blockstore.Engine(str(tmp_path / "x"), scheduler={"filters": ["NoSuchFilter"]})
    with pytest.raises(blockstore.InvalidArgument, match="colour"):
        blockstore.Engine(str(tmp_path / "y"), scheduler={"colour": 1})


def test_hints_keep_volumes_together_or_apart(tmp_path, alice):
    with two_backends(tmp_path) as e:
        first = wait(e, alice, e.create_volume(alice, 1))
        same = wait(e, alice, e.create_volume(alice, 1, scheduler_hints={"same_host": first.id}))
        apart = wait(e, alice, e.create_volume(alice, 1, scheduler_hints={"different_host": [first.id]}))
        assert same.host == first.host
        assert apart.host != first.host
        with pytest.raises(blockstore.InvalidArgument):
            e.create_volume(alice, 1, scheduler_hints={"same_host": "not-a-volume"})
        with pytest.raises(blockstore.InvalidArgument, match="hint"):
            e.create_volume(alice, 1, scheduler_hints={"nearby": "x"})
        query = '["=", "$pool_name", "a"]'
        pinned = wait(e, alice, e.create_volume(alice, 1, scheduler_hints={"query": query}))
        assert pinned.host == "h@a#a"


def test_python_filters_and_weighers(tmp_path, admin, alice):
    seen = []
    lock = threading.Lock()

    def only_b(pool, request):
        with lock:
            seen.append((pool.name, request.size, request.operation))
        if pool.backend == "h@b":
            return True
        return False, "reserved for tenants of a"

    def prefer_a(pool, request):
        return 10.0 if pool.backend == "h@a" else 0.0

    with two_backends(tmp_path, scheduler={"filters": ["CapacityFilter", "OnlyB"],
                                           "weighers": {"PreferA": 1.0}},
                      filters={"OnlyB": only_b}, weighers={"PreferA": prefer_a}) as e:
        vol = wait(e, alice, e.create_volume(alice, 3))
        assert vol.status == "available"
        assert vol.host == "h@b#b"
        ex = e.explain_placement(admin, 2)
        assert ex.filters[1].filter == "OnlyB"
        assert ex.filters[1].reasons == ["pool h@a#a: reserved for tenants of a"]
    assert ("h@a#a", 3, "create") in seen

    def broken(pool, request):
        raise RuntimeError("boom")

    (tmp_path / "2").mkdir()
    with two_backends(tmp_path / "2", scheduler={"filters": ["Broken"]},
                      filters={"Broken": broken}) as e:
        ex = e.explain_placement(admin, 1)
        assert ex.chosen is None
        assert "boom" in ex.error
    with pytest.raises(blockstore.InvalidArgument, match="not callable"):
        blockstore.Engine(str(tmp_path / "z"), filters={"X": 42})
    with pytest.raises(blockstore.AlreadyExists):
        blockstore.Engine(str(tmp_path / "w"), filters={"CapacityFilter": only_b})


def test_garbage_extra_specs_are_refused(engine, admin):
    with pytest.raises(blockstore.InvalidArgument, match="capabilities:tier"):
        engine.create_volume_type(admin, "bad", extra_specs={"capabilities:tier": "<all-in> gold"})
    with pytest.raises(blockstore.InvalidArgument, match="provisioning:type"):
        engine.create_volume_type(admin, "bad", extra_specs={"provisioning:type": "fluffy"})
    assert [t.name for t in engine.list_volume_types(admin)] == ["__DEFAULT__"]


def test_pools_show_scheduler_state(engine, alice):
    vol = wait(engine, alice, engine.create_volume(alice, 2))
    (pool,) = engine.pools()
    assert pool.name == vol.host
    assert pool.backend == "pytest@file"
    assert pool.volume_count >= 1
    assert pool.allocated_capacity_gb >= 2


def test_services_report_and_a_disabled_backend_is_placed_on_no_more(tmp_path, admin, alice):
    with two_backends(tmp_path) as e:
        services = {(s.binary, s.host): s for s in e.services()}
        assert set(services) == {("cinder-scheduler", "h"), ("cinder-volume", "h@a"),
                                 ("cinder-volume", "h@b"), ("cinder-backup", "h")}
        assert all(s.up and not s.disabled and s.version for s in services.values())
        off = e.set_service_disabled("h@b", "cinder-volume", True, "disk swap")
        assert off.disabled and off.disabled_reason == "disk swap"
        ex = e.explain_placement(admin, 1)
        assert ex.out_of_service == 1
        assert ex.chosen == "h@a#a"
        for _ in range(4):  # b would win these on goodness; it is disabled
            assert wait(e, alice, e.create_volume(alice, 1)).host == "h@a#a"
        e.set_service_disabled("h@a", "cinder-volume", True)
        assert wait(e, alice, e.create_volume(alice, 1)).status == "error"
        e.set_service_disabled("h@b", "cinder-volume", False)
        assert wait(e, alice, e.create_volume(alice, 1)).host == "h@b#b"
        with pytest.raises(blockstore.NotFound):
            e.set_service_disabled("nohost@x", "cinder-volume", True)
        with pytest.raises(blockstore.InvalidArgument):
            e.set_service_disabled("h@a", "cinder-volume", True, "r" * 256)
