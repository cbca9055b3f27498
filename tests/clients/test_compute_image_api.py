"""A compute host's view of images: nova.image.glance over the running nova-image's
HTTP API, into nova.image.cache, as --compute_image_api=http runs it on a host
that does not share the image store.

The test process plays the compute host: it reads no store and no database,
only the image API of the session cloud.
"""
import hashlib
import json
import os
import urllib.request
import uuid

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.image import cache as image_cache
from nova.image import glance

DATA = os.urandom(2 * 1024 * 1024 + 11)  # more than one chunk of the client


@pytest.fixture(scope='module')
def rc(cloud):
    return cloud.novarc()


@pytest.fixture(scope='module')
def token(rc):
    auth = v3.Password(auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'],
                       password=rc['OS_PASSWORD'], project_name=rc['OS_PROJECT_NAME'],
                       user_domain_name=rc['OS_USER_DOMAIN_NAME'],
                       project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'])
    return ks_session.Session(auth=auth).get_token()


@pytest.fixture
def client(cloud):
    return glance.GlanceClient(cloud.url('image'))


@pytest.fixture
def ctxt(token):
    return nova_context.RequestContext(user_id='u', project_id='p', auth_token=token,
                                       overwrite=False)


def _active_image(client, ctxt, cloud, data=DATA):
    """An image made as the API makes a snapshot's (queued), then uploaded by the client
    in chunks of unknown total, as a driver's snapshot streams."""
    image = _queued(cloud, ctxt)
    chunks = (data[i:i + 300 * 1024] for i in range(0, len(data), 300 * 1024))
    uploaded = client.upload(ctxt, image['id'], chunks)
    assert uploaded['status'] == 'active'
    return uploaded


def _queued(cloud, ctxt):
    request = urllib.request.Request(
        cloud.url('image', '/v2/images'), method='POST',
        data=json.dumps({'name': 'compute-%s' % uuid.uuid4().hex[:8], 'disk_format': 'raw',
                         'container_format': 'bare', 'purpose': 'compute-api'}).encode(),
        headers={'X-Auth-Token': ctxt.auth_token, 'Content-Type': 'application/json'})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def _leftovers(cache):
    return sorted(name for name in os.listdir(cache.base_dir)
                  if name != image_cache.LOCK_DIR)


def test_upload_then_fetch_into_the_cache_verified(cloud, client, ctxt, tmp_path):
    image = _active_image(client, ctxt, cloud)
    assert image['size'] == len(DATA)
    assert image['checksum'] == hashlib.md5(DATA).hexdigest()
    assert image['os_hash_value'] == hashlib.sha512(DATA).hexdigest()
    assert image['properties']['purpose'] == 'compute-api'
    assert image['locations'] == []  # the API shows no store location to this host

    cache = image_cache.ImageCache(client, base_dir=str(tmp_path / '_base'))
    path = cache.fetch(ctxt, image['id'])
    with open(path, 'rb') as f:
        assert f.read() == DATA
    assert _leftovers(cache) == [os.path.basename(path)] == [
        '%s_%s' % (image['id'], image['checksum'])]

    found = client.detail(ctxt, filters={'properties': {'purpose': 'compute-api'},
                                         'status': ['queued', 'active']},
                          sort_keys='created_at', sort_dirs='desc')  # as backups rotate
    assert image['id'] in [i['id'] for i in found]
    assert image['id'] not in [i['id'] for i in client.detail(
        ctxt, filters={'properties': {'purpose': 'other'}}, sort_keys=['name', 'created_at'],
        sort_dirs=['asc', 'desc'])]
    assert client.update(ctxt, image['id'], {'tier': 'gold'})['properties']['tier'] == 'gold'
    with pytest.raises(exception.Forbidden):  # an active image keeps its format (Glance)
        client.update(ctxt, image['id'], {'disk_format': 'qcow2'})
    client.delete(ctxt, image['id'])
    with pytest.raises(exception.ImageNotFound):
        client.show(ctxt, image['id'])
    assert not [name for name in os.listdir(os.path.join(cloud.state_path, 'images'))
                if image['id'] in name]  # the service removed the data, not this host


def test_data_that_does_not_match_its_checksum_is_never_cached(cloud, client, ctxt, tmp_path):
    image = _active_image(client, ctxt, cloud, data=b'a' * 4096)
    # the store's copy rots (the service must not be trusted blindly either)
    with open(os.path.join(cloud.state_path, 'images', image['id']), 'r+b') as f:
        f.write(b'b')
    cache = image_cache.ImageCache(client, base_dir=str(tmp_path / '_base'))
    with pytest.raises(exception.ImageChecksumMismatch):
        cache.fetch(ctxt, image['id'])
    assert _leftovers(cache) == []  # no partial file, nothing to boot from
    client.delete(ctxt, image['id'])


def test_images_without_data_and_unknown_ones_are_clear_errors(cloud, client, ctxt):
    queued = _queued(cloud, ctxt)
    with pytest.raises(exception.ImageStatusConflict):
        client.download(ctxt, queued['id'])
    client.delete(ctxt, queued['id'])
    with pytest.raises(exception.ImageNotFound):
        client.download(ctxt, str(uuid.uuid4()))
    with pytest.raises(exception.ImageServiceUnavailable):
        glance.GlanceClient('http://127.0.0.1:9').show(ctxt, queued['id'])


def test_a_context_without_a_token_uses_the_service_user(cloud, client, ctxt, rc):
    image = _queued(cloud, ctxt)
    admin = nova_context.get_admin_context()  # a periodic task's: no token
    with pytest.raises(exception.NotAuthorized):
        client.show(admin, image['id'])
    CONF.set_override('image_api_user', rc['OS_USERNAME'])
    CONF.set_override('image_api_password', rc['OS_PASSWORD'])
    CONF.set_override('image_api_project', rc['OS_PROJECT_NAME'])
    CONF.set_override('image_api_auth_url', rc['OS_AUTH_URL'])
    assert client.show(admin, image['id'])['status'] == 'queued'
    expired = nova_context.RequestContext(auth_token='revoked-or-expired', overwrite=False)
    client.delete(expired, image['id'])  # refused once, then done as the service user
    with pytest.raises(exception.ImageNotFound):
        client.show(ctxt, image['id'])


def test_the_service_user_made_by_bootstrap_reads_any_projects_images(cloud, client, ctxt,
                                                                     rc):
    """What a multi-host operator does: `nova-manage bootstrap service-user`, its flags
    into the compute host's flagfile; a periodic task (no token) then reads an image of
    another project (the admin's) through the image API."""
    name = 'svc-%s' % uuid.uuid4().hex[:8]
    out = cloud.manage('bootstrap', 'service-user', '--name', name).stdout
    flags = dict(line[2:].split('=', 1) for line in out.splitlines() if line.startswith('--'))
    assert flags['image_api_user'] == name and flags['image_api_project'] == 'service'
    for flag, value in flags.items():
        CONF.set_override(flag, value)
    CONF.set_override('image_api_auth_url', rc['OS_AUTH_URL'])  # this host's way there
    image = _queued(cloud, ctxt)
    try:
        periodic = nova_context.get_admin_context()  # no token of its own
        assert client.show(periodic, image['id'])['status'] == 'queued'
    finally:
        client.delete(ctxt, image['id'])
