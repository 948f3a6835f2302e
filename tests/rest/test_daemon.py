"""The daemon itself: HTTPS, configuration errors, the limits it enforces."""
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import Daemon, fresh_pg_database

AUTH = {"X-Auth-Token": "u1:p1"}


def test_https(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    d = Daemon(tmp_path, extra_default=f"tls_cert_file = {cert}\ntls_key_file = {key}")
    try:
        assert d.url.startswith("https://")
        r = requests.post(d.url + "/v3/p1/volumes", headers=AUTH, verify=str(cert),
                          json={"volume": {"size": 1, "name": "tls"}})
        assert r.status_code == 202 and r.json()["volume"]["name"] == "tls"
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(d.url.replace("https", "http") + "/healthz", timeout=5)
    finally:
        assert d.stop() == 0


@pytest.mark.parametrize("line, message", [
    ("colour = blue", "config: unknown key 'colour'"),
    ("port = 99999", "port must be an integer"),
    ("auth_strategy = kerberos", "auth_strategy must be noauth, noauth_cinder or tokens"),
    ("quota_bananas = 3", "config: quota_defaults.bananas: 'bananas' is not a quota resource"),
    ("volume_workers = many", "config: volume_workers must be an integer from 1 to 256"),
])
def test_config_errors_name_file_and_line(tmp_path, line, message):
    conf = tmp_path / "bad.conf"
    conf.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/s\n{line}\n")
    out = subprocess.run([os.environ["BS_BLOCKSTORED"], "--config", str(conf)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1
    assert f"{conf}:3: " in out.stderr and message in out.stderr


def test_limits_and_bad_http(daemon):
    big = requests.post(daemon.url + "/v3/p1/volumes", headers=AUTH, data=b"x" * (2 << 20))
    assert big.status_code == 413
    bad = requests.post(daemon.url + "/v3/p1/volumes", headers=AUTH, data=b"{nope")
    assert bad.status_code == 400 and bad.json()["badRequest"]["code"] == 400
    assert requests.get(daemon.url + "/v3/p1/volumes").status_code == 401
    ok = requests.get(daemon.url + "/v3/p1/volumes", headers=AUTH)
    assert ok.status_code == 200 and ok.headers["x-openstack-request-id"].startswith("req-")
    assert json.loads(ok.text) == {"volumes": []}


def _flood(port, count, told_at_least=0):
    """Opens `count` connections; returns them with what each was told so far (b"" for
    nothing), waiting up to 10 s for at least `told_at_least` of them to be told something."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]
    told = [b""] * count
    deadline = time.time() + 10
    while True:
        for i, s in enumerate(socks):
            if told[i]:
                continue
            s.setblocking(False)
            try:
                told[i] = s.recv(4096)
            except (BlockingIOError, ConnectionResetError):
                pass
        if sum(1 for t in told if t) >= told_at_least or time.time() > deadline:
            return socks, told
        time.sleep(0.05)


def _serves(daemon):
    r = requests.get(daemon.url + "/healthz", timeout=10)
    assert r.status_code == 200 and r.text == "ok\n"
    r = requests.post(daemon.url + "/v3/me/volumes", json={"volume": {"size": 1}},
                      headers={"X-Auth-Token": "me:me"}, timeout=10)
    assert r.status_code == 202, r.text


def test_more_connections_than_the_limit_are_refused_politely(tmp_path):
    # With 256 open files the daemon takes 128 connections; the rest are told 503 and closed.
    d = Daemon(tmp_path, max_open_files=256)
    try:
        socks, told = _flood(d.port, 300, told_at_least=300 - 128)
        refused = [t for t in told if t.startswith(b"HTTP/1.1 503")]
        assert len(refused) >= 300 - 128 - 8, f"{len(refused)} refused"
        assert len(refused) <= 300 - 100, f"{len(refused)} refused: the limit is 128"
        assert all(b"Retry-After: 1" in t and b"serviceUnavailable" in t for t in refused)
        assert d.proc.poll() is None
        for s in socks:
            s.close()
        _serves(d)
    finally:
        assert d.stop() == 0


def test_running_out_of_file_descriptors_never_stops_the_daemon(tmp_path):
    # A limit above what the process can open: accept itself fails (EMFILE). The daemon must
    # back off and keep accepting, and serve again once the connections close.
    d = Daemon(tmp_path, extra_default="max_connections = 100000", max_open_files=256)
    try:
        socks, _ = _flood(d.port, 400)
        deadline = time.time() + 10
        while "accept failed" not in d.log_path.read_text() and time.time() < deadline:
            time.sleep(0.05)
        assert "accept failed" in d.log_path.read_text()
        assert d.proc.poll() is None
        for s in socks:
            s.close()
        time.sleep(0.5)
        assert d.proc.poll() is None, "the daemon exited once the connections closed"
        _serves(d)
        assert "accepting again" in d.log_path.read_text()
    finally:
        assert d.stop() == 0


def test_every_case_of_the_configuration_table(tmp_path):
    """The table C, C++ and Python run, as blockstored.conf files: same errors, with the line."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "config"))
    import config_cases

    checked = 0
    for line, path, _, text, expect in config_cases.load(tmp_path):
        if text is None:
            continue
        conf = tmp_path / "case.conf"
        conf.write_text(config_cases.as_ini(path, text, tmp_path / "state"))
        out = subprocess.run([os.environ["BS_BLOCKSTORED"], "--check-config", str(conf)],
                             capture_output=True, text=True, timeout=30)
        where = f"config_cases.tsv:{line}: {out.stderr}"
        if expect == "ok":
            assert out.returncode == 0 and out.stdout == f"{conf}: ok\n", where
        else:
            assert out.returncode == 1, where
            assert expect in out.stderr, where
            # The line of the key at fault (or of its section), never just the file.
            assert re.search(re.escape(str(conf)) + r":\d+: ", out.stderr), where
        checked += 1
    assert checked > 40


def test_the_daemon_on_postgresql(tmp_path):
    """[database] connection = postgresql://…: the state is the database's, a second daemon
    on another state directory serves the same volumes."""
    url = fresh_pg_database()
    if not url:
        pytest.skip("no PostgreSQL in this run (BS_PG_ENV)")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = Daemon(tmp_path / "one", sections=f"[database]\nconnection = {url}")
    try:
        r = requests.post(first.url + "/v3/p1/volumes", headers=AUTH,
                          json={"volume": {"size": 1, "name": "on-pg"}})
        assert r.status_code == 202
        vid = r.json()["volume"]["id"]
        for _ in range(200):
            got = requests.get(f"{first.url}/v3/p1/volumes/{vid}", headers=AUTH).json()["volume"]
            if got["status"] != "creating":
                break
            time.sleep(0.05)
        assert got["status"] == "available"
        second = Daemon(tmp_path / "two", sections=f"[database]\nconnection = {url}")
        try:
            seen = requests.get(second.url + "/v3/p1/volumes", headers=AUTH).json()["volumes"]
            assert [v["id"] for v in seen] == [vid]
        finally:
            assert second.stop() == 0
    finally:
        assert first.stop() == 0
