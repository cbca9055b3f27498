"""Test-wide setup: green standard library, and a clean config per test."""
from nova import utils

utils.monkey_patch()

import pytest  # noqa: E402

import nova.conf  # noqa: E402

# alice, bob and admin for the modules that build an in-process compute API app;
# boto3 S3 clients of the running cloud for the S3 client tests; a private tgtd;
# test files handed out to make test's concurrent pytest processes
pytest_plugins = ['tests.harness.osapi_clients', 'tests.harness.s3_clients',
                  'tests.harness.tgt', 'tests.harness.shard_queue']


@pytest.fixture(autouse=True)
def _clean_conf():
    """Every test starts from the defaults and leaves no flag behind."""
    nova.conf.reset()
    yield
    nova.conf.reset()
