"""One nova-all cloud per test session, driven by the unmodified clients.

Tests get ``cloud`` (a tests.harness.cloud.Cloud): ``cloud.env()`` is the
environment after sourcing novarc, ``cloud.run('openstack', ...)`` runs a
client with it, ``cloud.url(api)`` is an API's base URL.
"""
import pytest

from tests.harness.cloud import Cloud


@pytest.fixture(scope='session')
def cloud(tmp_path_factory):
    # web-download tests serve their files on 127.0.0.1 at a free port: only the
    # link-local network (the metadata service) stays out of the cloud's reach
    running = Cloud.start_all(tmp_path_factory.mktemp('cloud'),
                              image_import_allowed_ports='',
                              image_import_disallowed_networks='169.254.0.0/16')
    yield running
    running.stop()
