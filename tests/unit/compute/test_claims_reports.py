"""When a compute host reports its usage: a claim soon, resources given back later."""
import time

import eventlet
import pytest

from nova.compute.host.claims import HostClaims
from nova.conf import CONF


class _Tracker:
    totals = None  # no schedulers to tell: only the DB write is counted

    def __init__(self):
        self.persisted = 0

    def persist(self, ctxt):
        self.persisted += 1


@pytest.fixture
def claims():
    CONF.set_override('compute_report_delay', 0.01)
    CONF.set_override('compute_release_report_delay', 0.3)
    yield HostClaims('h1', _Tracker(), None, None)
    CONF.clear_override('compute_report_delay')
    CONF.clear_override('compute_release_report_delay')


def _wait_persisted(claims, count):
    deadline = time.monotonic() + 10
    while claims.tracker.persisted < count and time.monotonic() < deadline:
        eventlet.sleep(0.01)


def test_releases_share_one_report_after_the_longer_delay(claims):
    for _ in range(3):
        claims.report_soon(None, released=True)
    assert claims.tracker.persisted == 0
    _wait_persisted(claims, 1)
    eventlet.sleep(0.05)
    assert claims.tracker.persisted == 1


def test_a_claim_brings_a_pending_release_report_forward(claims):
    CONF.set_override('compute_release_report_delay', 60)
    claims.report_soon(None, released=True)
    claims.report_soon(None)
    _wait_persisted(claims, 1)
    assert claims.tracker.persisted == 1
    claims.report_soon(None, released=True)  # a new burst waits again
    eventlet.sleep(0.05)
    assert claims.tracker.persisted == 1
