"""A blockstored the tests start on a free port (in its own session) and stop by its pid.

With BS_REST_DATABASE=postgresql (and the suite's PostgreSQL in BS_PG_ENV), every daemon keeps
its state in a fresh database of that server instead of its SQLite file."""
import os
import re
import resource
import signal
import subprocess
import time

import pytest


def fresh_pg_database():
    """A new database on the suite's PostgreSQL, as a URL; None when this run has none."""
    env_file = os.environ.get("BS_PG_ENV")
    if not env_file or not os.path.exists(env_file):
        return None
    server = next(line.strip().split("=", 1)[1] for line in open(env_file)
                  if line.startswith("BS_PG_URL="))
    name = "rest_" + os.urandom(6).hex()
    subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    return server.rsplit("/", 1)[0] + "/" + name


class Daemon:
    def __init__(self, tmp_path, extra_default="", backup=True, max_open_files=None, sections="",
                 backend=None, env=None):
        if os.environ.get("BS_REST_DATABASE") == "postgresql" and "[database]" not in sections:
            url = fresh_pg_database()
            assert url, "BS_REST_DATABASE=postgresql needs the suite's PostgreSQL (BS_PG_ENV)"
            sections = f"[database]\nconnection = {url}\n" + sections
        self.state = tmp_path / "state"
        conf = tmp_path / "blockstored.conf"
        lines = [
            "[DEFAULT]",
            "listen = 127.0.0.1",
            "port = 0",
            f"state_path = {self.state}",
            "host = resthost",
            "enabled_backends = " + (",".join(re.findall(r"^\[([^\]]+)\]", backend, re.M)) if backend else "file-1"),
            extra_default,
            "",
        ]
        # `backend`: the backends' sections instead of the file backend (every one enabled).
        lines += backend.splitlines() if backend else [
            "[file-1]",
            "volume_driver = file",
            "volume_backend_name = file-1",
            f"volumes_dir = {self.state}/volumes",
        ]
        if backup:
            lines += ["", "[backup.target]", "type = posix", f"root = {tmp_path}/backups"]
        if sections:
            lines += ["", sections]
        conf.write_text("\n".join(lines) + "\n")
        self.log_path = tmp_path / "blockstored.log"
        self.log = open(self.log_path, "w")

        def limit_files():  # as `ulimit -n N` in the daemon's shell
            if max_open_files:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_open_files, max_open_files))

        self.proc = subprocess.Popen(
            [os.environ["BS_BLOCKSTORED"], "--config", str(conf)],
            stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True,
            preexec_fn=limit_files, env=env)
        line = self.proc.stdout.readline()
        assert "listening" in line, f"blockstored did not start: {line!r}"
        self.port = int(line.rsplit(":", 1)[1])
        scheme = "https" if "(https)" in line else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def daemon(tmp_path):
    d = Daemon(tmp_path)
    yield d
    assert d.stop() == 0


def wait_for(check, timeout=20):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)
