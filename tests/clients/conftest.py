"""One nova-all cloud per test session, driven by the unmodified clients.

Tests get ``cloud`` (a tests.harness.cloud.Cloud): ``cloud.env()`` is the
environment after sourcing novarc, ``cloud.run('openstack', ...)`` runs a
client with it, ``cloud.url(api)`` is an API's base URL.
"""
import pytest

from tests.harness.cloud import Cloud


@pytest.fixture(scope='session')
def cloud(tmp_path_factory):
    running = Cloud.start_all(tmp_path_factory.mktemp('cloud'))
    yield running
    running.stop()
