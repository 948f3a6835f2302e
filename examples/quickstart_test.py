"""The Python quickstart runs as a newcomer would run it, and does what it says."""
import os
import subprocess
import sys


def test_quickstart_py(tmp_path):
    script = os.path.join(os.path.dirname(__file__), "quickstart.py")
    out = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("volume ") and "available" in lines[0]
    assert lines[1].startswith("snapshot ") and "available" in lines[1]
    assert lines[2].startswith("clone ") and "available" in lines[2]
    assert lines[3] == "filter   AvailabilityZoneFilter: 1 of 1 pools pass"
    assert lines[6].startswith("placed   a 10 GB volume would go to ")
    assert lines[7].startswith("backup ") and "available" in lines[7]
    assert lines[8].startswith("backup ") and "1 object(s), incremental to" in lines[8]
    assert lines[9].startswith("restore ") and lines[9].endswith("starts with 'first words'")
    assert lines[10].startswith("attach ") and "read 'first words' through a local connection" in lines[10]
    files = os.listdir(tmp_path / "volumes")
    assert len([f for f in files if f.startswith("volume-")]) == 3
    assert len([f for f in files if f.startswith("snapshot-")]) == 1
