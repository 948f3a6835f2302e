"""The daemon itself: HTTPS, configuration errors, the limits it enforces."""
import json
import os
import subprocess

import pytest
import requests

from conftest import Daemon

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
    ("colour = blue", "unknown option 'colour' in [DEFAULT]"),
    ("port = 99999", "port must be an integer"),
    ("auth_strategy = kerberos", "auth_strategy must be noauth or tokens"),
    ("quota_bananas = 3", "unknown quota option"),
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
