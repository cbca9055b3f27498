"""Every virt test starts with no fake hosts."""
import pytest

from nova.virt import fake


@pytest.fixture(autouse=True)
def _clean_fake():
    fake.reset()
    yield
    fake.reset()


@pytest.fixture(autouse=True, scope='module')
def _stop_xapi_servers():
    """The XAPI test server the last XenAPI conformance test started stops with its module."""
    yield
    from tests.unit.virt import xenapi_backend
    xenapi_backend.stop()
