"""Every virt test starts with no fake hosts."""
import pytest

from nova.virt import fake


@pytest.fixture(autouse=True)
def _clean_fake():
    fake.reset()
    yield
    fake.reset()
