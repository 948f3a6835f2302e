"""Backups from Python: full and incremental, restore, verify, damage, export/import, progress."""
import hashlib
import os

import pytest

import blockstore

MIB = 1 << 20


def write(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


def digest(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return hashlib.sha256(f.read(length)).hexdigest()


@pytest.fixture
def target(tmp_path):
    return str(tmp_path / "target")


@pytest.fixture
def backups(tmp_path, target):
    seen = []
    engine = blockstore.Engine(
        str(tmp_path / "state"), host="pytest",
        backup={"target": {"type": "posix", "root": target, "sync": False},
                "compression": "zstd", "workers": 2, "read_streams": 1,
                "progress_interval_ms": 0},
        backup_progress=seen.append)
    with engine:
        yield engine, tmp_path / "state" / "volumes", seen


def ready_volume(engine, ctx, size=1):
    v = engine.create_volume(ctx, size)
    return engine.wait_for_volume(ctx, v.id, ["available"])


def test_full_incremental_restore_and_delete(backups, admin, target):
    engine, volumes, seen = backups
    v = ready_volume(engine, admin)
    path = volumes / f"volume-{v.id}"
    write(path, 0, os.urandom(5 * MIB))
    full = engine.create_backup(admin, v.id, name="py-full")
    assert full.status == "creating"
    full = engine.wait_for_backup(admin, full.id)
    assert full.status == "available", full.fail_reason
    assert full.object_count == 2
    assert full.progress_bytes == full.progress_total == 1 << 30
    assert any(p.backup_id == full.id and p.operation == "backup" for p in seen)
    assert seen[-1].bytes_done == 1 << 30

    write(path, 700 * MIB, os.urandom(MIB))
    inc = engine.wait_for_backup(admin, engine.create_backup(admin, v.id, incremental=True).id)
    assert inc.is_incremental and inc.parent_id == full.id
    assert inc.object_count == 1
    engine.verify_backup(admin, inc.id)

    r = engine.restore_backup(admin, inc.id)
    assert r.volume_name == f"restore_backup_{inc.id}"
    engine.wait_for_backup(admin, inc.id, ["available"])
    restored = engine.wait_for_volume(admin, r.volume_id, ["available", "error_restoring"])
    assert restored.status == "available"
    assert restored.metadata["src_backup_id"] == inc.id
    other = volumes / f"volume-{r.volume_id}"
    for off, length in ((0, 5 * MIB), (700 * MIB, MIB), (300 * MIB, MIB)):
        assert digest(path, off, length) == digest(other, off, length)

    with pytest.raises(blockstore.FailedPrecondition):
        engine.delete_backup(admin, full.id)
    engine.delete_backup(admin, inc.id)
    engine.wait_for_backup_deleted(admin, inc.id)
    engine.delete_backup(admin, full.id)
    engine.wait_for_backup_deleted(admin, full.id)
    assert engine.list_backups(admin) == []
    leftovers = [f for _, _, files in os.walk(target) for f in files]
    assert leftovers == []


def test_damage_is_named(backups, admin, target):
    engine, volumes, _ = backups
    v = ready_volume(engine, admin)
    write(volumes / f"volume-{v.id}", 0, os.urandom(9 * MIB))
    b = engine.wait_for_backup(admin, engine.create_backup(admin, v.id).id)
    chunk = os.path.join(target, "backups", b.id, "chunk-00000002")
    with open(chunk, "r+b") as f:
        f.seek(10)
        f.write(b"\xff\x00\xff")
    with pytest.raises(blockstore.DataLoss, match="chunk 2 at offset 8388608"):
        engine.verify_backup(admin, b.id)


def test_export_import_and_bad_input(tmp_path, backups, admin, alice, target):
    engine, volumes, _ = backups
    v = ready_volume(engine, admin)
    write(volumes / f"volume-{v.id}", MIB, os.urandom(MIB))
    b = engine.wait_for_backup(admin, engine.create_backup(admin, v.id, name="moved").id)
    record = engine.export_backup_record(admin, b.id)
    assert record["backup_service"] == "blockstore.backup"
    with pytest.raises(blockstore.PermissionDenied):
        engine.export_backup_record(alice, b.id)
    with pytest.raises(blockstore.NotFound):
        engine.get_backup(alice, b.id)
    with pytest.raises(blockstore.NotFound):
        engine.create_backup(admin, "not-a-uuid")
    with pytest.raises(blockstore.InvalidArgument):
        engine.import_backup_record(admin, {"backup_service": "x", "backup_url": "e30="})
    with pytest.raises(blockstore.InvalidArgument):
        engine.import_backup_record(admin, {"colour": "blue"})
    with pytest.raises(blockstore.InvalidArgument):
        blockstore.Engine(str(tmp_path / "x"), backup={"target": {"type": "tape"}})
    with pytest.raises(blockstore.InvalidArgument):
        blockstore.Engine(str(tmp_path / "y"), backup={"chunk_size": 1000})
    with pytest.raises(blockstore.InvalidArgument, match="read_streams"):
        blockstore.Engine(str(tmp_path / "z"), backup={"read_streams": 0})

    with blockstore.Engine(str(tmp_path / "other"), host="other",
                           backup={"target": {"type": "posix", "root": target}}) as second:
        imported = second.import_backup_record(admin, record)
        assert imported.status == "creating"
        ready = second.wait_for_backup(admin, b.id)
        assert ready.status == "available", ready.fail_reason
        assert ready.name == "moved"
        with pytest.raises(blockstore.FailedPrecondition):
            second.import_backup_record(admin, record)
        r = second.restore_backup(admin, b.id)
        second.wait_for_backup(admin, b.id, ["available"])
        restored = second.wait_for_volume(admin, r.volume_id, ["available", "error_restoring"])
        assert restored.status == "available"
        assert digest(tmp_path / "other" / "volumes" / f"volume-{r.volume_id}", MIB, MIB) == \
            digest(volumes / f"volume-{v.id}", MIB, MIB)


def test_encrypted_backup(tmp_path, admin):
    keys = {"k1": bytes(range(32))}
    target = str(tmp_path / "target")
    with blockstore.Engine(str(tmp_path / "state"),
                           backup={"target": {"type": "posix", "root": target},
                                   "encryption_key_id": "k1"},
                           backup_keys=keys.get) as engine:
        v = ready_volume(engine, admin)
        write(tmp_path / "state" / "volumes" / f"volume-{v.id}", 0, b"TOP-SECRET " * 100000)
        b = engine.wait_for_backup(admin, engine.create_backup(admin, v.id).id)
        assert b.status == "available", b.fail_reason
        assert b.encrypted
        for root, _, files in os.walk(target):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    assert b"TOP-SECRET" not in f.read()
        engine.verify_backup(admin, b.id)
        r = engine.restore_backup(admin, b.id)
        engine.wait_for_backup(admin, b.id, ["available"])
        restored = engine.wait_for_volume(admin, r.volume_id, ["available", "error_restoring"])
        assert restored.status == "available"
    with pytest.raises(blockstore.NotFound):
        blockstore.Engine(str(tmp_path / "other"), backup={"encryption_key_id": "nope"},
                          backup_keys=keys.get)


def test_container_create_from_backup_and_the_source_name(backups, admin, target):
    engine, volumes, _ = backups
    v = engine.create_volume(admin, 1, name="src", metadata={"k": "v"})
    v = engine.wait_for_volume(admin, v.id, ["available"])
    write(volumes / f"volume-{v.id}", 1 << 20, b"container data" * 1000)
    b = engine.wait_for_backup(admin, engine.create_backup(admin, v.id, container="py-weekly").id)
    assert b.status == "available" and b.container == "py-weekly"
    assert os.path.exists(os.path.join(target, "py-weekly", b.id, "manifest.json"))
    with pytest.raises(blockstore.InvalidArgument):
        engine.create_backup(admin, v.id, container="../elsewhere")
    # A restore to a new volume takes the source's name and metadata.
    r = engine.restore_backup(admin, b.id)
    engine.wait_for_backup(admin, b.id, ["available"])
    restored = engine.wait_for_volume(admin, r.volume_id, ["available"])
    assert restored.name == "src" and restored.metadata == {"k": "v", "src_backup_id": b.id}
    # Created from the backup (Cinder's 3.47): its own name stays.
    c = engine.create_volume(admin, name="copy", backup_id=b.id)
    assert c.size == 1
    c = engine.wait_for_volume(admin, c.id, ["available", "error", "error_restoring"])
    assert c.status == "available" and c.name == "copy"
    assert digest(volumes / f"volume-{c.id}", 1 << 20, 14000) == digest(volumes / f"volume-{v.id}", 1 << 20, 14000)
    with pytest.raises(blockstore.InvalidArgument):
        engine.create_volume(admin, backup_id=b.id, source_volid=v.id)
