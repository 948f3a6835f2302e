"""Idempotency-Key over REST: a client that gives up waiting and sends its create again gets the
first answer — one volume, charged once — and a key reused for another request is refused."""
import http.client
import json
import socket
import time
import urllib.parse

from conftest import wait_for


def send(daemon, method, path, body, key, timeout=30.0, token="u1:idem"):
    """(status, headers, parsed body); raises socket.timeout when the answer is not in time."""
    url = urllib.parse.urlparse(daemon.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers={
            "X-Auth-Token": token, "OpenStack-API-Version": "volume 3.60", "Content-Type": "application/json",
            "Idempotency-Key": key})
        r = conn.getresponse()
        text = r.read()
        return r.status, dict(r.getheaders()), json.loads(text) if text else None
    finally:
        conn.close()


def volumes(daemon, token="u1:idem"):
    return send(daemon, "GET", "/v3/idem/volumes/detail", None, "unused-for-reads", token=token)[2]["volumes"]


def test_a_client_that_times_out_and_retries_gets_one_volume(daemon):
    body = {"volume": {"size": 1, "name": "once"}}
    # The first attempt gives up before the answer comes (a timeout shorter than any answer).
    try:
        send(daemon, "POST", "/v3/idem/volumes", body, "create-once", timeout=0.0005)
    except (socket.timeout, TimeoutError, ConnectionError):
        pass
    # The retries: while the first still runs they are told so (409); then each gets its answer.
    def answered():
        status, headers, data = send(daemon, "POST", "/v3/idem/volumes", body, "create-once")
        return None if status == 409 else (status, headers, data)
    status, headers, first = wait_for(answered)
    assert status == 202
    status2, headers2, second = send(daemon, "POST", "/v3/idem/volumes", body, "create-once")
    assert (status2, second) == (202, first)
    assert headers2.get("Idempotent-Replayed") == "true"
    listed = volumes(daemon)
    assert [v["id"] for v in listed] == [first["volume"]["id"]]
    wait_for(lambda: volumes(daemon)[0]["status"] == "available")
    quota = send(daemon, "GET", "/v3/idem/os-quota-sets/idem?usage=true", None, "r")[2]["quota_set"]
    assert (quota["volumes"]["in_use"], quota["gigabytes"]["in_use"]) == (1, 1)

    # The same key with another body: 422, nothing made.
    status, _, err = send(daemon, "POST", "/v3/idem/volumes", {"volume": {"size": 2}}, "create-once")
    assert status == 422 and "another request" in json.dumps(err)
    # A refused request keeps its answer too (a retry is refused the same way, nothing made).
    bad = {"volume": {"size": -1}}
    assert send(daemon, "POST", "/v3/idem/volumes", bad, "bad-size")[0] == 400
    status, headers, _ = send(daemon, "POST", "/v3/idem/volumes", bad, "bad-size")
    assert status == 400 and headers.get("Idempotent-Replayed") == "true"
    # Keys are per project: another project's same key makes its own volume.
    status, _, theirs = send(daemon, "POST", "/v3/idem2/volumes", body, "create-once", token="u2:idem2")
    assert status == 202 and theirs["volume"]["id"] != first["volume"]["id"]
    assert len(volumes(daemon)) == 1

    # A delete with a key, sent twice: the second gets the first's 202, not a 400 for a volume
    # already deleting.
    vid = first["volume"]["id"]
    assert send(daemon, "DELETE", f"/v3/idem/volumes/{vid}", None, "delete-once")[0] == 202
    status, headers, _ = send(daemon, "DELETE", f"/v3/idem/volumes/{vid}", None, "delete-once")
    assert status == 202 and headers.get("Idempotent-Replayed") == "true"
    wait_for(lambda: volumes(daemon) == [])
