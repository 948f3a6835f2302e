"""Cinder's REST API from Python: the handler a Python HTTP server would mount."""
import json

import pytest

import blockstore


def test_rest_handler_round_trip(engine):
    rest = blockstore.RestHandler(engine)
    status, headers, body = rest.handle(
        "POST", "/v3/p1/volumes", {"X-Auth-Token": "u1:p1"},
        json.dumps({"volume": {"size": 1, "name": "py-rest"}}).encode())
    assert status == 202
    assert headers["x-openstack-request-id"].startswith("req-")
    vid = json.loads(body)["volume"]["id"]
    me = blockstore.Context("p1", "u1")
    assert engine.wait_for_volume(me, vid, ["available"], timeout=10).name == "py-rest"
    status, _, body = rest.handle("GET", "/v3/p1/volumes/" + vid, {"X-Auth-Token": "u9:p9"})
    assert status == 400 and b"badRequest" in body  # another project's URL
    status, _, body = rest.handle("GET", "/v3/p9/volumes/" + vid, {"X-Auth-Token": "u9:p9"})
    assert status == 404 and b"itemNotFound" in body
    status, _, body = rest.handle("POST", "/v3/p1/volumes", {"X-Auth-Token": "u1:p1"}, b"{oops")
    assert status == 400 and json.loads(body)["badRequest"]["code"] == 400
    # A key named twice is malformed, and creates nothing.
    before = len(engine.list_volumes(me))
    status, _, body = rest.handle("POST", "/v3/p1/volumes", {"X-Auth-Token": "u1:p1"},
                                  b'{"volume": {"size": 1, "size": 2}}')
    assert status == 400 and b"appears twice" in body
    assert len(engine.list_volumes(me)) == before


def test_rest_handler_tokens(engine):
    with pytest.raises(blockstore.InvalidArgument):
        blockstore.RestHandler(engine, auth_strategy="tokens")
    rest = blockstore.RestHandler(engine, auth_strategy="tokens",
                                  tokens={"secret": ("u1", "p1", ["member"])})
    assert rest.handle("GET", "/v3/p1/volumes", {"X-Auth-Token": "nope"})[0] == 401
    assert rest.handle("GET", "/v3/p1/volumes", {"X-Auth-Token": "secret"})[0] == 200
