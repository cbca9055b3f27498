"""Version list, schemas and authentication of the image pipeline."""
import jsonschema
import pytest

from nova.conf import CONF
from nova.db.image_models import CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES


@pytest.mark.parametrize('path, status', [('/', 300), ('/versions', 200), ('/v2', 300),
                                          ('/v2/', 300), ('/v1/images', 300)])
def test_version_list_needs_no_token(api, path, status):
    response = api('GET', path, user=None)
    assert response.status_int == status
    versions = response.json['versions']
    assert [v['id'] for v in versions] == ['v2.%d' % n for n in range(16, -1, -1)]
    assert versions[0]['status'] == 'CURRENT'
    assert {v['status'] for v in versions[1:]} == {'SUPPORTED'}
    assert versions[0]['links'] == [{'rel': 'self',
                                     'href': 'http://glance.example.org:9292/v2/'}]
    assert response.headers['x-openstack-request-id'].startswith('req-')


@pytest.mark.parametrize('token', [None, 'bogus'])
def test_api_refuses_missing_or_bad_token(api, token):
    req = api.request('GET', '/v2/images', user=None)
    if token:
        req.headers['X-Auth-Token'] = token
    response = req.get_response(api.app)
    assert response.status_int == 401
    assert response.json['error']['code'] == 401
    assert response.headers['WWW-Authenticate'].startswith('Keystone uri=')
    assert response.headers['x-openstack-request-id'].startswith('req-')


def test_unknown_path_is_404_and_wrong_method_405(api):
    assert api('GET', '/v2/nothing').status_int == 404
    response = api('DELETE', '/v2/images')
    assert response.status_int == 405 and response.headers['Allow'] == 'GET, POST'


def test_image_schema_has_glances_shape(api):
    schema = api('GET', '/v2/schemas/image').json
    assert schema['name'] == 'image'
    assert schema['additionalProperties'] == {'type': 'string'}
    assert schema['links'] == [{'rel': 'self', 'href': '{self}'},
                               {'rel': 'enclosure', 'href': '{file}'},
                               {'rel': 'describedby', 'href': '{schema}'}]
    props = schema['properties']
    assert props['disk_format']['enum'] == [None] + list(DISK_FORMATS)
    assert props['container_format']['enum'] == [None] + list(CONTAINER_FORMATS)
    assert set(props['visibility']['enum']) == set(VISIBILITIES)
    assert 'queued' in props['status']['enum'] and props['status']['readOnly']
    assert props['name']['type'] == ['null', 'string']
    assert props['size']['type'] == ['null', 'integer']
    assert props['tags'] == {'type': 'array', 'description': 'List of strings related to '
                             'the image', 'items': {'type': 'string', 'maxLength': 255}}
    assert props['os_distro']['is_base'] is False and 'is_base' not in props['name']
    jsonschema.Draft4Validator.check_schema(schema)


def test_collection_and_member_schemas(api):
    images = api('GET', '/v2/schemas/images').json
    assert images['name'] == 'images'
    assert images['properties']['images']['items']['name'] == 'image'
    assert set(images['properties']) == {'images', 'first', 'next', 'schema'}
    assert [link['rel'] for link in images['links']] == ['first', 'next', 'describedby']
    member = api('GET', '/v2/schemas/member').json
    assert member['properties']['status']['enum'] == ['pending', 'accepted', 'rejected']
    members = api('GET', '/v2/schemas/members').json
    assert members['properties']['members']['items'] == member


def test_image_views_validate_against_the_schema(api):
    """What glanceclient's warlock model does with every image it receives."""
    schema = api('GET', '/v2/schemas/image').json
    api.create(name=None, tags=['a'], os_distro='cirros')
    api.active(kernel_id='0b8c0e0c-6a4c-4b4c-8a1f-6b2a4c8d9e0f')
    for image in api('GET', '/v2/images').json['images']:
        jsonschema.validate(image, schema)
    collection = api('GET', '/v2/schemas/images').json
    jsonschema.validate(api('GET', '/v2/images').json, collection)


def test_noauth2_pipeline_only_by_flag(api):
    from nova import wsgi
    CONF.set_override('auth_strategy', 'noauth2')
    app = wsgi.Loader().load_app('image')
    req = api.request('GET', '/v2/images', user=None)
    req.headers['X-Auth-Token'] = 'alice:A'
    response = req.get_response(app)
    assert response.status_int == 200 and response.json['images'] == []
