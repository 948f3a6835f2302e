"""cinderclient's Python API and openstacksdk's block_storage proxy against blockstored."""
import uuid

import openstack
import pytest
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


def sdk(daemon, token, project):
    conn = openstack.connection.Connection(
        auth_type="admin_token", auth={"token": token, "endpoint": daemon.url + "/v3"},
        block_storage_endpoint_override=f"{daemon.url}/v3/{project}",
        block_storage_api_version="3")
    return conn.block_storage


def test_openstacksdk_type_access_readonly_and_legacy_attach(daemon):
    admin = sdk(daemon, "admin:admin", "admin")
    bs = sdk(daemon, "u1:p1", "p1")
    t = admin.create_type(name="sdkprivate", is_public=False)
    admin.add_type_access(t, "p1")
    assert admin.get_type_access(t) == [{"volume_type_id": t.id, "project_id": "p1"}]
    v = bs.create_volume(size=1, name="sdkro", volume_type="sdkprivate")
    v = bs.wait_for_status(v, "available", wait=20)
    admin.remove_type_access(t, "p1")
    assert admin.get_type_access(t) == []
    with pytest.raises(openstack.exceptions.ResourceNotFound):
        admin.remove_type_access(t, "p1")

    bs.set_volume_readonly(v, True)
    assert bs.get_volume(v.id).metadata["readonly"] == "True"
    # The legacy attach flow, as a hypervisor drives it.
    connector = {"host": "sdk-host", "initiator": "iqn.2026-11.org.blockstore.sdk:host",
                 "ip": "127.0.0.1"}
    bs.reserve_volume(v)
    assert bs.get_volume(v.id).status == "attaching"
    bs.init_volume_attachment(v, connector)
    with pytest.raises(openstack.exceptions.BadRequestException):
        bs.attach_volume(v, "/dev/vdb", host_name="sdk-host")  # read-only: ro only
    bs.unreserve_volume(v)
    bs.terminate_volume_attachment(v, connector)
    assert bs.get_volume(v.id).status == "available"
    bs.set_volume_readonly(v, False)
    bs.reserve_volume(v)
    bs.init_volume_attachment(v, connector)
    bs.attach_volume(v, "/dev/vdb", host_name="sdk-host")
    shown = bs.get_volume(v.id)
    assert shown.status == "in-use" and shown.attachments[0]["device"] == "/dev/vdb"
    assert "host_name" not in shown.attachments[0]  # as in Cinder, for admins only
    assert admin.get_volume(v.id).attachments[0]["host_name"] == "sdk-host"
    bs.begin_volume_detaching(v)
    bs.terminate_volume_attachment(v, connector)
    bs.detach_volume(v, shown.attachments[0]["attachment_id"])
    assert bs.get_volume(v.id).status == "available"
    bs.delete_volume(v)
    bs.wait_for_delete(v, wait=20)


def test_openstacksdk_types_quotas_pools_limits(daemon):
    admin = sdk(daemon, "admin:admin", "admin")
    bs = sdk(daemon, "u1:p1", "p1")
    t = admin.create_type(name="sdkgold", extra_specs={"volume_backend_name": "file-1"})
    admin.update_type_extra_specs(t, tier="gold")
    assert admin.get_type(t.id).extra_specs == {"volume_backend_name": "file-1", "tier": "gold"}
    admin.delete_type_extra_specs(t, ["tier"])
    assert admin.get_type(t.id).extra_specs == {"volume_backend_name": "file-1"}
    v = bs.wait_for_status(bs.create_volume(size=1, name="sdktyped", volume_type="sdkgold"),
                           "available", wait=20)
    assert v.volume_type == "sdkgold"
    bs.set_volume_metadata(v, owner="sdk")
    assert bs.get_volume(v.id).metadata == {"owner": "sdk"}
    bs.set_volume_bootable_status(v, True)
    assert bs.get_volume(v.id).is_bootable is True

    quota = admin.get_quota_set("p1", usage=True)
    assert quota.usage["volumes"] >= 1 and quota.volumes == 10
    admin.update_quota_set(quota, volumes=25)
    assert admin.get_quota_set("p1").volumes == 25
    assert admin.get_quota_set_defaults("p1").volumes == 10
    pools = list(admin.backend_pools())
    assert pools and all("#" in p.name for p in pools)
    limits = bs.get_limits()
    assert limits.absolute.max_total_volumes == 25
    with pytest.raises(openstack.exceptions.HttpException) as denied:
        bs.create_type(name="notmine")
    assert denied.value.status_code == 403
    bs.delete_volume(v)
    bs.wait_for_delete(v, wait=20)
    admin.delete_type(t)

