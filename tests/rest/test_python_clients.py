"""cinderclient's Python API and openstacksdk's block_storage proxy against blockstored."""
import uuid

import openstack
from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exceptions
from cinderclient.contrib import noauth
from keystoneauth1 import session

from conftest import wait_for


def cinder_api(daemon, user="u1", project="p1", version="3.60"):
    auth = noauth.CinderNoAuthPlugin(user_id=user, project_id=project,
                                     endpoint=daemon.url + "/v3")
    return cinder_client.Client(version, session=session.Session(auth=auth))


def test_cinderclient_python_api(daemon):
    c = cinder_api(daemon)
    v = c.volumes.create(1, name="pyvol", metadata={"a": "b"})
    v = wait_for(lambda: (lambda x: x if x.status == "available" else None)(c.volumes.get(v.id)))
    assert v.metadata == {"a": "b"}
    c.volumes.extend(v, 2)
    wait_for(lambda: c.volumes.get(v.id).size == 2)
    s = c.volume_snapshots.create(v.id, name="pysnap")
    wait_for(lambda: c.volume_snapshots.get(s.id).status == "available")
    assert [x.id for x in c.volume_snapshots.list()] == [s.id]
    c.volume_snapshots.delete(s)
    wait_for(lambda: not c.volume_snapshots.list())
    # Paging: limit and marker walk the list without repeats.
    ids = {v.id}
    for i in range(4):
        ids.add(c.volumes.create(1, name=f"page{i}").id)
    seen, marker = [], None
    while True:
        page = c.volumes.list(limit=2, marker=marker)
        if not page:
            break
        seen += [x.id for x in page]
        marker = page[-1].id
    assert sorted(seen) == sorted(ids)
    other = cinder_api(daemon, user="u2", project="p2")
    try:
        other.volumes.get(v.id)
        raise AssertionError("another project saw the volume")
    except cinder_exceptions.NotFound:
        pass


def test_openstacksdk_block_storage(daemon):
    conn = openstack.connection.Connection(
        auth_type="admin_token", auth={"token": "u1:p1", "endpoint": daemon.url + "/v3"},
        block_storage_endpoint_override=daemon.url + "/v3/p1", block_storage_api_version="3")
    bs = conn.block_storage
    v = bs.create_volume(size=1, name="sdkvol")
    v = bs.wait_for_status(v, "available", wait=20)
    assert "sdkvol" in [x.name for x in bs.volumes()]
    bs.extend_volume(v, 2)
    wait_for(lambda: bs.get_volume(v.id).size == 2)
    s = bs.create_snapshot(volume_id=v.id, name="sdksnap")
    s = bs.wait_for_status(s, "available", wait=20)
    assert [x.id for x in bs.snapshots()] == [s.id]
    bs.delete_snapshot(s)
    bs.wait_for_delete(s, wait=20)
    types = [t.name for t in bs.types()]
    assert "__DEFAULT__" in types
    b = bs.create_backup(volume_id=v.id, name="sdkbackup")
    b = bs.wait_for_status(b, "available", wait=30)
    assert "sdkbackup" in [x.name for x in bs.backups()]
    # The SDK's restore answers with the backup itself (it drops the response body), so the
    # restore is followed through the backup's status, then the new volume is looked up by name.
    bs.restore_backup(b, name="sdkrestored")
    wait_for(lambda: bs.get_backup(b.id).status == "available")
    restored = [x for x in bs.volumes() if x.name == "sdkrestored"]
    assert len(restored) == 1 and restored[0].status == "available"
    assert restored[0].metadata.get("src_backup_id") == b.id
    bs.delete_backup(b)
    bs.wait_for_delete(b, wait=30)
    bs.delete_volume(v)
    bs.wait_for_delete(v, wait=20)
    assert str(uuid.UUID(v.id)) == v.id
