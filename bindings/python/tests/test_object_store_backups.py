"""Backups to a real Swift store from Python, over the Swift API and the S3 API.

The suite starts the store (scripts/swift-aio) and names its endpoints in the file
BS_OBJECT_STORE_ENV points to.
"""
import hashlib
import os
import uuid

import pytest

import blockstore

MIB = 1 << 20


def store_env():
    path = os.environ.get("BS_OBJECT_STORE_ENV")
    assert path, "BS_OBJECT_STORE_ENV must name the file scripts/swift-aio wrote"
    with open(path) as f:
        return dict(line.strip().split("=", 1) for line in f if "=" in line)


def targets():
    env = store_env()
    name = "py-" + uuid.uuid4().hex[:12]
    return {
        "swift": {"type": "swift", "auth_url": env["SWIFT_AUTH_URL"], "user": env["SWIFT_USER"],
                  "key": env["SWIFT_KEY"], "container": name},
        "s3": {"type": "s3", "endpoint": env["S3_ENDPOINT"], "access_key": env["S3_ACCESS_KEY"],
               "secret_key": env["S3_SECRET_KEY"], "region": env["S3_REGION"], "bucket": name},
    }


@pytest.mark.parametrize("api", ["swift", "s3"])
def test_backup_restore_verify_delete(tmp_path, admin, api):
    target = targets()[api]
    with blockstore.Engine(str(tmp_path / "state"), host="py",
                           backup={"target": target, "chunk_size": MIB}) as engine:
        v = engine.create_volume(admin, 1)
        v = engine.wait_for_volume(admin, v.id, ["available"])
        data = os.urandom(3 * MIB)
        path = tmp_path / "state" / "volumes" / f"volume-{v.id}"
        with open(path, "r+b") as f:
            f.write(data)
        full = engine.wait_for_backup(admin, engine.create_backup(admin, v.id).id)
        assert full.status == "available", full.fail_reason
        assert full.container == "backups"  # the default container, a prefix of the target
        with open(path, "r+b") as f:
            f.seek(2 * MIB)
            f.write(b"changed")
        inc = engine.wait_for_backup(admin, engine.create_backup(admin, v.id, incremental=True).id)
        assert inc.status == "available", inc.fail_reason
        assert inc.object_count == 1
        engine.verify_backup(admin, inc.id)
        r = engine.restore_backup(admin, inc.id)
        engine.wait_for_backup(admin, inc.id, ["available"])
        restored = engine.wait_for_volume(admin, r.volume_id, ["available", "error_restoring"])
        assert restored.status == "available"
        with open(path, "rb") as a, \
                open(tmp_path / "state" / "volumes" / f"volume-{r.volume_id}", "rb") as b:
            assert hashlib.sha256(a.read(4 * MIB)).digest() == hashlib.sha256(b.read(4 * MIB)).digest()
        for b in (inc, full):
            engine.delete_backup(admin, b.id)
            engine.wait_for_backup_deleted(admin, b.id)


def test_wrong_credentials_are_refused(tmp_path):
    target = targets()["s3"]
    target["secret_key"] = "not-the-secret"
    with pytest.raises(blockstore.PermissionDenied):
        blockstore.Engine(str(tmp_path / "state"), backup={"target": target})
    target = targets()["swift"]
    target["colour"] = "blue"
    with pytest.raises(blockstore.InvalidArgument, match="colour"):
        blockstore.Engine(str(tmp_path / "state2"), backup={"target": target})
