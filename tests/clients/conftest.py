"""One nova-all cloud per test session, driven by the unmodified clients.

Tests get ``cloud`` (a tests.harness.cloud.Cloud): ``cloud.env()`` is the
environment after sourcing novarc, ``cloud.run('openstack', ...)`` runs a
client with it, ``cloud.url(api)`` is an API's base URL. Its nova-volume
exports through a private tgtd where one can run (``cloud.tgtd``, else None:
the volume tests skip with the reason).
"""
import pytest

from tests.harness import tgt
from tests.harness.cloud import Cloud


@pytest.fixture(scope='session')
def cloud(tmp_path_factory):
    tgtd = None if tgt.unavailable_reason() else tgt.Tgtd(tmp_path_factory.mktemp('tgtd'))
    try:
        # web-download tests serve their files on 127.0.0.1 at a free port: only the
        # link-local network (the metadata service) stays out of the cloud's reach
        running = Cloud.start_all(tmp_path_factory.mktemp('cloud'),
                                  image_import_allowed_ports='',
                                  image_import_disallowed_networks='169.254.0.0/16',
                                  **(dict(tgtd.flags(), fake_volume_check=True) if tgtd
                                     else {'tgtd_start': False}))
        running.tgtd = tgtd
        yield running
        running.stop()
    finally:
        if tgtd is not None:
            tgtd.stop()


@pytest.fixture(scope='session')
def volume_cloud(cloud):
    """The cloud, for tests that need volumes exported (skipped without tgtd)."""
    reason = tgt.unavailable_reason()
    if reason:
        pytest.skip(reason)
    return cloud
