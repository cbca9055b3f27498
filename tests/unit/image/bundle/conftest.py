"""A cloud CA, a user key pair signed by it and an objectstore under the test's state path.

RSA keys take a while to make, so the CA and the user's keys are made once
per session and the CA files copied into each test's own ca_path.
"""
import shutil

import pytest

from nova import crypto
from nova.conf import CONF
from nova.objectstore import storage


@pytest.fixture(scope='session')
def _session_ca(tmp_path_factory):
    path = tmp_path_factory.mktemp('CA')
    CONF.set_override('ca_path', str(path))
    try:
        crypto.ensure_ca()
        keys = crypto.generate_user_cert('u-p1', 'p1')
        other = crypto.generate_user_cert('other', 'cloud')
    finally:
        CONF.clear_override('ca_path')
    return path, keys, other


@pytest.fixture
def cloud_ca(state, _session_ca):
    """The cloud's certificate (PEM); its CA lives under the test's state path."""
    shutil.copytree(_session_ca[0], state / 'CA')
    CONF.set_override('ca_path', str(state / 'CA'))
    CONF.set_override('image_decryption_dir', str(state / 'decrypt'))
    return crypto.ca_cert_pem()


@pytest.fixture
def user_keys(cloud_ca, _session_ca):
    """(private key PEM, certificate PEM) of user u-p1 in project p1."""
    return _session_ca[1]


@pytest.fixture
def other_cloud_cert(_session_ca):
    """A certificate that is not this cloud's."""
    return _session_ca[2][1]


@pytest.fixture
def store(state):
    CONF.set_override('buckets_path', str(state / 'buckets'))
    return storage.Store(CONF.buckets_path)
