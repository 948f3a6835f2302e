"""The configuration schema from Python: the same table of cases as C, C++ and the daemon."""
import sys
from pathlib import Path

import pytest

import blockstore

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "config"))
import config_cases  # noqa: E402


def test_every_case_of_the_table(tmp_path):
    cases = config_cases.load(tmp_path)
    assert len(cases) > 50
    state = str(tmp_path / "state")
    for line, path, value, _, expect in cases:
        config = config_cases.as_dict(path, value)
        if expect == "ok":
            blockstore.validate_config(state, config)
        else:
            with pytest.raises(blockstore.InvalidArgument) as err:
                blockstore.validate_config(state, config)
            assert expect in str(err.value), f"config_cases.tsv:{line}"


def test_keys_as_keywords_or_a_dict_not_both(tmp_path):
    state = str(tmp_path / "s")
    blockstore.validate_config(state, volume_workers=3)
    blockstore.validate_config(state, {"volume_workers": 3}, host="h")
    with pytest.raises(blockstore.InvalidArgument, match="given twice"):
        blockstore.validate_config(state, {"host": "a"}, host="b")
    with pytest.raises(blockstore.InvalidArgument, match="first argument"):
        blockstore.validate_config(state, {"state_path": "/x"})
    with pytest.raises(blockstore.InvalidArgument, match="only str, int"):
        blockstore.validate_config(state, host=object())
    with pytest.raises(blockstore.InvalidArgument, match="only str, int"):
        blockstore.validate_config(state, scheduler={"max_over_subscription_ratio": float("nan")})


def test_the_schema_lists_every_key():
    keys = {k["path"]: k for k in blockstore.config_keys()}
    assert keys["backup.workers"]["range"] == "1..1024"
    assert keys["volume_workers"]["default"] == "2"
    assert "backends[].options.*" in keys
    assert all(k["doc"] for k in keys.values())


def test_an_engine_opens_from_the_schema(tmp_path, alice):
    with blockstore.Engine(str(tmp_path / "s"), {"volume_workers": 1},
                           scheduler={"filters": ["CapacityFilter"]},
                           backup={"workers": 2, "target": {"type": "posix",
                                                            "root": str(tmp_path / "b")}}) as e:
        vol = e.wait_for_volume(alice, e.create_volume(alice, 1).id)
        assert vol.status == "available"


def test_the_documentation_lists_every_key():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "configuration.md").read_text()
    for key in blockstore.config_keys():
        assert f"| `{key['path']}` |" in doc, key["path"]
