"""Attach from Python: the attachments API, the legacy actions and the host-side file object,
on a file backend that exports locally; and through the real tgtd the suite starts."""
import hashlib
import os
import uuid

import pytest

import blockstore

MIB = 1 << 20
GIB = 1 << 30
HOST_IQN = "iqn.2026-11.org.blockstore.py:host-a"


def make_volume(engine, ctx, size=1, **kw):
    v = engine.create_volume(ctx, size, **kw)
    return engine.wait_for_volume(ctx, v.id, ["available"], timeout=10)


def volume_file(state, volume_id):
    return os.path.join(state, "volumes", "volume-" + volume_id)


def test_attachment_lifecycle_and_file_object(engine, alice, tmp_path):
    v = make_volume(engine, alice)
    connector = blockstore.host_connector(initiator=HOST_IQN)
    assert connector["initiator"] == HOST_IQN and connector["host"]
    a = engine.create_attachment(alice, v.id)
    assert a.status == "reserved" and a.connection_info is None
    assert engine.get_volume(alice, v.id).status == "reserved"
    a = engine.update_attachment(alice, a.id, connector)
    assert a.status == "attaching"
    info = a.connection_info
    assert info["driver_volume_type"] == "local"
    assert info["data"]["access_mode"] == "rw"
    a = engine.complete_attachment(alice, a.id)
    assert a.status == "attached" and a.attached_at
    assert engine.get_volume(alice, v.id).status == "in-use"
    assert [x.id for x in engine.list_attachments(alice, volume_id=v.id)] == [a.id]

    payload = os.urandom(3 * MIB + 17)
    with blockstore.connect_volume(info) as f:
        assert f.size == GIB and f.writable() and f.seekable()
        f.seek(5 * MIB)
        assert f.write(payload) == len(payload)
        f.flush()
        f.seek(5 * MIB)
        assert f.read(len(payload)) == payload
        assert f.read_at(5 * MIB, 4) == payload[:4]
        f.seek(-1, os.SEEK_END)
        assert f.tell() == GIB - 1
    with open(volume_file(str(tmp_path / "state"), v.id), "rb") as raw:
        raw.seek(5 * MIB)
        assert hashlib.sha256(raw.read(len(payload))).digest() == hashlib.sha256(payload).digest()

    with pytest.raises(blockstore.FailedPrecondition):
        engine.delete_volume(alice, v.id)
    assert engine.delete_attachment(alice, a.id) == []
    v = engine.get_volume(alice, v.id)
    assert (v.status, v.attach_status) == ("available", "detached")


def test_multiattach_and_read_only(engine, alice, admin):
    t = engine.create_volume_type(admin, "shared", extra_specs={"multiattach": "<is> True"})
    v = make_volume(engine, alice, volume_type=t.id)
    rw = engine.create_attachment(alice, v.id, connector=blockstore.host_connector(initiator=HOST_IQN))
    ro = engine.create_attachment(alice, v.id, mode="ro",
                                  connector=blockstore.host_connector(initiator=HOST_IQN + "-2"))
    with blockstore.connect_volume(ro.connection_info) as reader:
        assert not reader.writable()
        with pytest.raises(blockstore.PermissionDenied):
            reader.write(b"x")
    single = make_volume(engine, alice)
    engine.create_attachment(alice, single.id)
    with pytest.raises(blockstore.FailedPrecondition):
        engine.create_attachment(alice, single.id)
    engine.delete_attachment(alice, rw.id)
    assert engine.get_volume(alice, v.id).status == "attaching"  # the ro one is not complete
    engine.delete_attachment(alice, ro.id)
    assert engine.get_volume(alice, v.id).status == "available"


def test_read_only_flag(engine, alice, bob):
    v = make_volume(engine, alice)
    assert v.readonly is None
    with pytest.raises(blockstore.NotFound):
        engine.update_volume_readonly(bob, v.id, True)
    assert engine.update_volume_readonly(alice, v.id, True).readonly is True
    a = engine.create_attachment(alice, v.id, mode="rw",
                                 connector=blockstore.host_connector(initiator=HOST_IQN))
    assert a.attach_mode == "ro"
    with blockstore.connect_volume(a.connection_info) as dev:
        assert not dev.writable()
    with pytest.raises(blockstore.FailedPrecondition):  # attaching: the flag stays
        engine.update_volume_readonly(alice, v.id, False)
    engine.delete_attachment(alice, a.id)
    with pytest.raises(blockstore.InvalidArgument):
        engine.attach_volume(alice, v.id, host_name="py-host", mode="rw")
    assert engine.update_volume_readonly(alice, v.id, False).readonly is False
    assert engine.get_volume(alice, v.id).status == "available"


def test_legacy_actions(engine, alice, admin):
    v = make_volume(engine, alice)
    connector = blockstore.host_connector(initiator=HOST_IQN)
    assert engine.reserve_volume(alice, v.id).status == "attaching"
    assert engine.unreserve_volume(alice, v.id).status == "available"
    engine.reserve_volume(alice, v.id)
    info = engine.initialize_connection(alice, v.id, connector)
    assert info["driver_volume_type"] == "local"
    a = engine.attach_volume(alice, v.id, host_name="py-host", mountpoint="/dev/vdb")
    assert a.status == "attached"
    assert engine.begin_detaching(alice, v.id).status == "detaching"
    assert engine.roll_detaching(alice, v.id).status == "in-use"
    engine.terminate_connection(alice, v.id, connector)
    assert engine.detach_volume(alice, v.id).status == "available"
    engine.attach_volume(alice, v.id, instance_uuid=str(uuid.uuid4()))
    with pytest.raises(blockstore.PermissionDenied):
        engine.force_detach(alice, v.id)
    assert engine.force_detach(admin, v.id).status == "available"


def test_bad_attach_input_changes_nothing(engine, alice, bob):
    v = make_volume(engine, alice)
    for bad in ({"host": "h", "initiator": "nope"}, {"host": ""}, {"host": "h", "ip": "1.2.3"},
                {"host": "h", "mode": "rwx"}, {"host": "h", "unknown_key": 1},
                {"host": "h", "multipath": "yes"}):
        with pytest.raises(blockstore.InvalidArgument):
            engine.create_attachment(alice, v.id, connector=bad)
    with pytest.raises(blockstore.InvalidArgument):
        engine.create_attachment(alice, v.id, mode="write")
    with pytest.raises(blockstore.NotFound):
        engine.create_attachment(bob, v.id)
    with pytest.raises(blockstore.InvalidArgument):
        engine.list_attachments(alice, status="glued")
    with pytest.raises(blockstore.InvalidArgument):
        blockstore.connect_volume({"driver_volume_type": "local", "data": {}})
    with pytest.raises(blockstore.Unimplemented):
        blockstore.connect_volume({"driver_volume_type": "nvmeof", "data": {}})
    with pytest.raises(blockstore.InvalidArgument, match="'name'"):
        blockstore.connect_volume({"driver_volume_type": "rbd", "data": {"hosts": ["127.0.0.1"]}})
    assert engine.list_attachments(alice) == []
    assert engine.get_volume(alice, v.id).status == "available"


def tgt_env():
    path = os.environ.get("BS_TGT_ENV")
    if not path:
        return None
    with open(path) as f:
        return dict(line.strip().split("=", 1) for line in f if "=" in line)


@pytest.mark.skipif(tgt_env() is None, reason="needs the suite's tgtd (BS_TGT_ENV)")
def test_iscsi_attach_through_tgt(tmp_path, alice):
    env = tgt_env()
    state = str(tmp_path / "state")
    backend = {"name": "file", "driver": "file", "options": {
        "volumes_dir": state + "/volumes", "target_protocol": "iscsi",
        "tgt_control_port": env["TGT_CONTROL_PORT"], "target_port": env["TGT_PORTAL_PORT"],
        "target_prefix": "iqn.2026-11.org.blockstore.py." + uuid.uuid4().hex[:8]}}
    with blockstore.Engine(state, host="py", backends=[backend]) as engine:
        v = make_volume(engine, alice)
        connector = blockstore.host_connector(initiator=HOST_IQN)
        a = engine.create_attachment(alice, v.id, connector=connector)
        engine.complete_attachment(alice, a.id)
        info = a.connection_info
        assert info["driver_volume_type"] == "iscsi"
        assert info["data"]["auth_method"] == "CHAP"
        payload = os.urandom(4 * MIB)
        with blockstore.connect_volume(info, initiator=HOST_IQN) as f:
            f.seek(MIB)
            f.write(payload)
            f.flush()
        with open(volume_file(state, v.id), "rb") as raw:
            raw.seek(MIB)
            assert raw.read(len(payload)) == payload
        with pytest.raises(blockstore.PermissionDenied):
            blockstore.connect_volume(info, initiator="iqn.2026-11.org.blockstore.py:intruder")
        engine.delete_attachment(alice, a.id)
        # The target is gone: tgt refuses the login or drops the connection.
        with pytest.raises((blockstore.PermissionDenied, blockstore.Unavailable)):
            blockstore.connect_volume(info, initiator=HOST_IQN)
