"""A project reader reads the project's images and changes nothing: 403 for each write.

The rules live in nova.image.service (policy names as Glance's), so the compute
API's image proxy meets them too (tests/functional/test_osapi_quotas_limits_images.py).
"""
import pytest

PATCH = 'application/openstack-images-v2.1-json-patch'


@pytest.fixture
def image(api):
    """An active shared image of project A, shared with B."""
    image = api.active(visibility='shared')
    assert api('POST', '/v2/images/%s/members' % image['id'],
               {'member': api.project_id('dave')}).status_int == 200
    return image


def test_reader_sees_and_downloads_the_projects_images(api, image):
    assert api('GET', '/v2/images/%s' % image['id'], user='rita').status_int == 200
    listed = api('GET', '/v2/images', user='rita').json['images']
    assert image['id'] in [i['id'] for i in listed]
    assert api('GET', '/v2/images/%s/file' % image['id'], user='rita').status_int == 200
    assert api('GET', '/v2/images/%s/members' % image['id'], user='rita').status_int == 200


WRITES = [
    ('create', lambda api, image: api('POST', '/v2/images', {'name': 'x'}, user='rita')),
    ('rename', lambda api, image: api(
        'PATCH', '/v2/images/%s' % image['id'],
        [{'op': 'replace', 'path': '/name', 'value': 'x'}], user='rita', content_type=PATCH)),
    ('share', lambda api, image: api('POST', '/v2/images/%s/members' % image['id'],
                                     {'member': 'someone'}, user='rita')),
    ('unshare', lambda api, image: api(
        'DELETE', '/v2/images/%s/members/%s' % (image['id'], api.project_id('dave')),
        user='rita')),
    ('deactivate', lambda api, image: api(
        'POST', '/v2/images/%s/actions/deactivate' % image['id'], user='rita')),
    ('tag', lambda api, image: api('PUT', '/v2/images/%s/tags/t' % image['id'],
                                   user='rita')),
    ('delete', lambda api, image: api('DELETE', '/v2/images/%s' % image['id'], user='rita')),
    ('upload', lambda api, image: api(
        'PUT', '/v2/images/%s/file' % api.create()['id'], b'data', user='rita',
        content_type='application/octet-stream')),
    ('stage', lambda api, image: api(
        'PUT', '/v2/images/%s/stage' % api.create()['id'], b'data', user='rita',
        content_type='application/octet-stream')),
]


@pytest.mark.parametrize('name, write', WRITES, ids=[name for name, _ in WRITES])
def test_reader_writes_nothing(api, image, name, write):
    response = write(api, image)
    assert response.status_int == 403, response.text
    after = api('GET', '/v2/images/%s' % image['id']).json
    assert (after['name'], after['status'], after['tags']) == (
        image['name'], 'active', image['tags'])
    assert len(api('GET', '/v2/images').json['images']) in (1, 2)  # nothing created


def test_reactivate_by_reader_is_403(api, image):
    api('POST', '/v2/images/%s/actions/deactivate' % image['id'])
    response = api('POST', '/v2/images/%s/actions/reactivate' % image['id'], user='rita')
    assert response.status_int == 403
    assert api('GET', '/v2/images/%s' % image['id']).json['status'] == 'deactivated'

