"""Errors carry codes and familiar base classes; policy holds from Python too."""
import pytest

import blockstore


def available(engine, ctx, size=1):
    vol = engine.create_volume(ctx, size)
    return engine.wait_for_volume(ctx, vol.id, ["available"], timeout=10)


@pytest.mark.parametrize("kwargs, exc", [
    ({"size": 0}, blockstore.InvalidArgument),
    ({"size": -3}, blockstore.InvalidArgument),
    ({"size": 1 << 40}, blockstore.InvalidArgument),
    ({"size": 1, "name": "x" * 256}, blockstore.InvalidArgument),
    ({"size": 1, "name": "nul\x00byte"}, blockstore.InvalidArgument),
    ({"size": 1, "volume_type": "nope"}, blockstore.NotFound),
    ({"size": 1, "snapshot_id": "not-a-uuid"}, blockstore.NotFound),
    ({"size": 1, "availability_zone": "mars"}, blockstore.InvalidArgument),
    ({"size": 1, "metadata": {f"k{i}": "v" for i in range(200)}}, blockstore.InvalidArgument),
    ({}, blockstore.InvalidArgument),
])
def test_bad_create_changes_nothing(engine, alice, tmp_path, kwargs, exc):
    before = (engine.list_volumes(alice), sorted((tmp_path / "state" / "volumes").iterdir()))
    size = kwargs.pop("size", None)
    with pytest.raises(exc) as err:
        engine.create_volume(alice, size, **kwargs)
    assert err.value.code == exc.code
    assert err.value.message
    after = (engine.list_volumes(alice), sorted((tmp_path / "state" / "volumes").iterdir()))
    assert len(before[0]) == len(after[0]) and before[1] == after[1]
    assert engine.get_quotas(alice, "alice")["volumes"].reserved == 0


def test_exceptions_are_familiar_builtins(engine, alice):
    with pytest.raises(ValueError):
        engine.create_volume(alice, 0)
    with pytest.raises(LookupError):
        engine.get_volume(alice, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(PermissionError):
        engine.create_volume_type(alice, "t")
    with pytest.raises(blockstore.Error):
        engine.get_volume(alice, "garbage")
    with pytest.raises(TypeError):
        engine.create_volume(alice, 1, colour="blue")


def test_isolation(engine, alice, bob, admin):
    vol = available(engine, alice)
    with pytest.raises(blockstore.NotFound):
        engine.get_volume(bob, vol.id)
    with pytest.raises(blockstore.NotFound):
        engine.delete_volume(bob, vol.id)
    assert engine.list_volumes(bob) == []
    with pytest.raises(blockstore.PermissionDenied):
        engine.list_volumes(bob, all_projects=True)
    assert [v.id for v in engine.list_volumes(admin, all_projects=True)] == [vol.id]


def test_quota(engine, alice, admin):
    defaults = engine.get_default_quotas()
    assert defaults["volumes"].limit == 10 and defaults["gigabytes"].limit == 1000
    engine.update_quotas(admin, "alice", {"volumes": 1})
    available(engine, alice)
    with pytest.raises(blockstore.ResourceExhausted):
        engine.create_volume(alice, 1)
    q = engine.get_quotas(alice, "alice")
    assert (q["volumes"].limit, q["volumes"].in_use, q["volumes"].reserved) == (1, 1, 0)
    with pytest.raises(blockstore.InvalidArgument):
        engine.update_quotas(admin, "alice", {"volumes": -5})
    engine.reset_quotas(admin, "alice")
    assert engine.get_quotas(alice, "alice")["volumes"].limit == 10


def test_types_and_qos(engine, alice, admin):
    t = engine.create_volume_type(admin, "gold", extra_specs={"volume_backend_name": "file"})
    with pytest.raises(blockstore.AlreadyExists):
        engine.create_volume_type(admin, "gold")
    assert engine.get_volume_type(alice, "gold").extra_specs == {}
    engine.set_extra_specs(admin, t.id, {"multiattach": "<is> True"})
    assert engine.get_volume_type(alice, t.id).extra_specs == {"multiattach": "<is> True"}
    engine.unset_extra_spec(admin, t.id, "multiattach")
    q = engine.create_qos_spec(admin, "limits", consumer="front-end", specs={"total_iops_sec": "10"})
    engine.associate_qos_spec(admin, q.id, t.id)
    assert engine.get_volume_type(admin, t.id).qos_specs_id == q.id
    with pytest.raises(blockstore.FailedPrecondition):
        engine.delete_qos_spec(admin, q.id)
    engine.delete_qos_spec(admin, q.id, force=True)
    engine.update_volume_type(admin, t.id, description="shiny")
    assert {x.name for x in engine.list_volume_types(alice)} == {"__DEFAULT__", "gold"}
    engine.delete_volume_type(admin, t.id)
    with pytest.raises(blockstore.NotFound):
        engine.get_volume_type(admin, t.id)


def test_private_type_access(engine, alice, bob, admin):
    t = engine.create_volume_type(admin, "vip", is_public=False)
    with pytest.raises(blockstore.NotFound):
        engine.get_volume_type(alice, "vip")
    with pytest.raises(blockstore.PermissionDenied):
        engine.add_volume_type_access(alice, t.id, "alice")
    engine.add_volume_type_access(admin, t.id, "alice")
    with pytest.raises(blockstore.AlreadyExists):
        engine.add_volume_type_access(admin, t.id, "alice")
    assert engine.list_volume_type_access(admin, t.id) == ["alice"]
    vol = engine.create_volume(alice, 1, volume_type="vip")
    assert vol.volume_type_id == t.id
    with pytest.raises(blockstore.NotFound):
        engine.create_volume(bob, 1, volume_type="vip")
    assert "vip" not in {x.name for x in engine.list_volume_types(bob)}
    engine.remove_volume_type_access(admin, t.id, "alice")
    with pytest.raises(blockstore.NotFound):
        engine.remove_volume_type_access(admin, t.id, "alice")
    assert engine.list_volume_type_access(admin, t.id) == []
    default = engine.get_default_volume_type(admin)
    with pytest.raises(blockstore.InvalidArgument):
        engine.add_volume_type_access(admin, default.id, "bob")


def test_reset_status_and_bad_status_names(engine, alice, admin):
    vol = available(engine, alice)
    with pytest.raises(blockstore.PermissionDenied):
        engine.reset_volume_status(alice, vol.id, "error")
    with pytest.raises(blockstore.InvalidArgument):
        engine.reset_volume_status(admin, vol.id, "sideways")
    assert engine.reset_volume_status(admin, vol.id, "error").status == "error"
    with pytest.raises(blockstore.InvalidArgument):
        engine.wait_for_volume(alice, vol.id, ["nope"])


def test_bad_engine_config(tmp_path):
    with pytest.raises(blockstore.InvalidArgument):
        blockstore.Engine(str(tmp_path), backends=[{"name": "x", "colour": "blue"}])
    with pytest.raises(blockstore.NotFound):
        blockstore.Engine(str(tmp_path), backends=[{"name": "x", "driver": "tape"}])
    with pytest.raises(blockstore.InvalidArgument):
        blockstore.Engine(str(tmp_path), durability="sometimes")
