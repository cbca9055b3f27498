"""Real components for integration tests, each started once per session by the harness."""
import pytest

from tests.harness.rabbitmq import RabbitMQServer


@pytest.fixture(scope='session')
def rabbitmq(tmp_path_factory):
    """A private RabbitMQ broker (skipped, with the reason, where it is not installed)."""
    reason = RabbitMQServer.missing_reason()
    if reason:
        pytest.skip('RabbitMQ integration tests skipped: %s' % reason)
    server = RabbitMQServer(tmp_path_factory.mktemp('rabbitmq'))
    server.start()
    yield server
    server.stop()

from tests.integration.conftest_postgres import pg_db, pg_url, postgres  # noqa: F401,E402
from tests.harness.libvirt_guests import guest_image, libvirtd  # noqa: F401,E402
