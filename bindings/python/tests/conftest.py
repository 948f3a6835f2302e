import pytest

import blockstore


@pytest.fixture
def engine(tmp_path):
    with blockstore.Engine(str(tmp_path / "state"), host="pytest") as e:
        yield e


@pytest.fixture
def alice():
    return blockstore.Context("alice", "alice-user")


@pytest.fixture
def bob():
    return blockstore.Context("bob")


@pytest.fixture
def admin():
    return blockstore.Context.admin()
