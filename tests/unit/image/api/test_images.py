"""Image records through the pipeline: create, show, list, delete, actions, tags."""
import uuid

import pytest

from nova import context as nova_context
from nova.conf import CONF
from nova.image import service as image_service
from tests.unit.db.compute_helpers import count_statements, queries


def _ids(response):
    assert response.status_int == 200, response.text
    return [image['id'] for image in response.json['images']]


# ---------------------------------------------------------------- create

def test_create_answers_201_queued_with_location(api):
    response = api('POST', '/v2/images', {
        'name': 'cirros', 'disk_format': 'qcow2', 'container_format': 'bare',
        'min_ram': 64, 'tags': ['b', 'a'], 'os_distro': 'cirros', 'visibility': 'private'})
    assert response.status_int == 201
    image = response.json
    assert response.headers['Location'] == (
        'http://glance.example.org:9292/v2/images/%s' % image['id'])
    assert image['status'] == 'queued' and image['visibility'] == 'private'
    assert image['owner'] == api.project_id('alice')
    assert (image['size'], image['checksum'], image['min_ram'], image['min_disk']) == (
        None, None, 64, 0)
    assert image['os_distro'] == 'cirros' and image['tags'] == ['a', 'b']
    assert image['self'] == '/v2/images/%s' % image['id']
    assert image['file'] == image['self'] + '/file'
    assert image['schema'] == '/v2/schemas/image'
    assert image['created_at'].endswith('Z') and len(image['created_at']) == 20
    assert 'locations' not in image and 'properties' not in image
    assert api('GET', image['self']).json == image


def test_create_defaults_to_shared_and_takes_a_chosen_id(api):
    image_id = str(uuid.uuid4())
    image = api.create(id=image_id)
    assert image['id'] == image_id and image['visibility'] == 'shared'
    assert api('POST', '/v2/images', {'id': image_id}).status_int == 409


@pytest.mark.parametrize('body, status', [
    ({'status': 'active'}, 403),
    ({'size': 5}, 403),
    ({'checksum': 'x'}, 403),
    ({'self': '/x'}, 403),
    ({'locations': []}, 403),
    ({'deleted': True}, 403),
    ({'os_glance_import': 'x'}, 403),
    ({'disk_format': 'exe'}, 400),
    ({'container_format': 'zip'}, 400),
    ({'visibility': 'everyone'}, 400),
    ({'min_ram': '64'}, 400),
    ({'min_disk': -1}, 400),
    ({'name': 'x' * 256}, 400),
    ({'id': 'not-a-uuid'}, 400),
    ({'protected': 'yes'}, 400),
    ({'tags': 'a'}, 400),
    ({'hw_disk_bus': 5}, 400),
    ({'kernel_id': 'aki-00000001'}, 400),
    ({'visibility': 'public'}, 403),  # only an admin publishes
])
def test_create_refuses_as_glance_does(api, body, status):
    response = api('POST', '/v2/images', body)
    assert response.status_int == status, response.text
    assert api('GET', '/v2/images').json['images'] == []


def test_create_refuses_bad_json(api):
    assert api('POST', '/v2/images', b'{not json', content_type='application/json'
               ).status_int == 400
    assert api('POST', '/v2/images', ['a list']).status_int == 400
    response = api('POST', '/v2/images', b'x' * 200000, content_type='application/json')
    assert response.status_int == 413


def test_admin_may_publish(api):
    image = api.create(user='root', visibility='public')
    assert image['visibility'] == 'public'
    assert _ids(api('GET', '/v2/images', user='dave')) == [image['id']]


def test_errors_follow_the_accept_header(api):
    missing = '/v2/images/%s' % uuid.uuid4()
    plain = api('GET', missing)
    assert plain.status_int == 404 and plain.content_type == 'text/plain'
    assert 'could not be found' in plain.text
    html = api('GET', missing, Accept='*/*')
    assert html.content_type == 'text/html' and 'could not be found' in html.text
    as_json = api('GET', missing, Accept='application/json')
    assert as_json.content_type == 'application/json'
    assert 'could not be found' in as_json.json['message']


# ---------------------------------------------------------------- visibility

@pytest.mark.parametrize('visibility', ['private', 'shared'])
def test_other_projects_images_are_404(api, visibility):
    image = api.create(visibility=visibility)
    path = '/v2/images/%s' % image['id']
    assert api('GET', path, user='dave').status_int == 404
    assert api('GET', path + '/file', user='dave').status_int == 404
    assert api('DELETE', path, user='dave').status_int == 404
    assert _ids(api('GET', '/v2/images', user='dave')) == []
    assert api('GET', path, user='root').status_int == 200


def test_other_project_may_not_change_a_public_image(api):
    image = api.create(user='root', visibility='public')
    path = '/v2/images/%s' % image['id']
    assert api('DELETE', path, user='dave').status_int == 403
    response = api('PATCH', path, [{'op': 'replace', 'path': '/name', 'value': 'x'}],
                   user='dave', content_type='application/openstack-images-v2.1-json-patch')
    assert response.status_int == 403


def test_community_images_are_listed_when_asked_for(api):
    image = api.create(visibility='community')
    assert api('GET', '/v2/images/%s' % image['id'], user='dave').status_int == 200
    assert _ids(api('GET', '/v2/images', user='dave')) == []
    assert _ids(api('GET', '/v2/images?visibility=community', user='dave')) == [image['id']]


# ---------------------------------------------------------------- list

@pytest.fixture
def catalog(api):
    """Four images of alice's, created in this order."""
    return {
        'a': api.create(name='a', disk_format='qcow2', tags=['x', 'y'], os_distro='ubuntu'),
        'b': api.active(name='b', data=b'1' * 10, tags=['x'], visibility='private'),
        'c': api.active(name='c', data=b'2' * 100, container_format='ovf',
                        os_distro='cirros'),
        'd': api.create(name='d', os_hidden=True),
    }


@pytest.mark.parametrize('query, expected', [
    ('', 'cba'),
    ('name=b', 'b'),
    ('name=in:a,c', 'ca'),
    ('name=in:"a",c', 'ca'),
    ('status=active', 'cb'),
    ('status=in:queued,active', 'cba'),
    ('visibility=private', 'b'),
    ('visibility=shared', 'ca'),
    ('tag=x', 'ba'),
    ('tag=x&tag=y', 'a'),
    ('tag=z', ''),
    ('os_hidden=true', 'd'),
    ('size_min=50', 'c'),
    ('size_max=50', 'b'),
    ('size_min=10&size_max=100', 'cb'),
    ('disk_format=qcow2', 'a'),
    ('container_format=ovf', 'c'),
    ('os_distro=cirros', 'c'),
    ('os_distro=ubuntu&tag=y', 'a'),
    ('unknown_property=x', ''),
])
def test_list_filters(api, catalog, query, expected):
    assert _ids(api('GET', '/v2/images?' + query)) == [catalog[k]['id'] for k in expected]


def test_list_filters_by_id_and_owner(api, catalog):
    ids = '%s,%s' % (catalog['a']['id'], catalog['c']['id'])
    assert _ids(api('GET', '/v2/images?id=in:' + ids)) == [catalog['c']['id'],
                                                           catalog['a']['id']]
    assert _ids(api('GET', '/v2/images?owner=%s' % api.project_id('alice'))) == [
        catalog[k]['id'] for k in 'cba']
    assert _ids(api('GET', '/v2/images?owner=%s' % api.project_id('dave'))) == []


@pytest.mark.parametrize('query, expected', [
    ('sort_key=name&sort_dir=asc', 'abc'),
    ('sort_key=name', 'cba'),
    ('sort=name:asc', 'abc'),
    ('sort=name', 'cba'),
    ('sort=status:asc,name:desc', 'cba'),
    ('sort=status:desc,name:asc', 'abc'),
    ('sort_key=size&sort_key=name&sort_dir=asc', 'abc'),
])
def test_list_sorts(api, catalog, query, expected):
    assert _ids(api('GET', '/v2/images?' + query)) == [catalog[k]['id'] for k in expected]


@pytest.mark.parametrize('query', [
    'limit=x', 'limit=-1', 'sort_key=nope', 'sort_dir=up', 'sort=name:up',
    'sort=name&sort_key=name', 'sort_key=name&sort_key=id&sort_dir=asc&sort_dir=desc'
    '&sort_dir=asc', 'visibility=everyone', 'member_status=maybe', 'os_hidden=perhaps',
    'size_min=big', 'marker=%s' % uuid.UUID(int=1), 'marker=x%00', 'name=a%00b',
    'id=in:a,b%00', 'os_distro=%00', 'tag=%00',
])
def test_list_refuses_bad_queries_with_400(api, catalog, query):
    assert api('GET', '/v2/images?' + query).status_int == 400


def test_list_pages_with_next_and_first(api, catalog):
    first = api('GET', '/v2/images?limit=2&sort_key=name&sort_dir=asc')
    body = first.json
    assert _ids(first) == [catalog['a']['id'], catalog['b']['id']]
    assert body['schema'] == '/v2/schemas/images'
    assert body['first'] == '/v2/images?limit=2&sort_key=name&sort_dir=asc'
    assert body['next'] == body['first'] + '&marker=' + catalog['b']['id']
    second = api('GET', body['next'])
    assert _ids(second) == [catalog['c']['id']]
    assert 'next' not in second.json and second.json['first'] == body['first']
    assert api('GET', '/v2/images').json['first'] == '/v2/images'
    assert _ids(api('GET', '/v2/images?limit=0')) == []


def test_list_default_limit_is_25(api):
    admin = nova_context.get_admin_context()
    svc = image_service.get_default_image_service()
    for i in range(30):
        svc.create(admin, {'name': 'img%d' % i})
    body = api('GET', '/v2/images', user='root').json
    assert len(body['images']) == 25 and 'next' in body
    assert len(api('GET', body['next'], user='root').json['images']) == 5


def test_list_of_100_images_runs_a_fixed_number_of_queries(api):
    admin = nova_context.get_admin_context()
    svc = image_service.get_default_image_service()
    for i in range(100):
        svc.create(admin, {'name': 'img%d' % i, 'tags': ['t1', 't2'],
                           'properties': {'os_distro': 'cirros', 'n': str(i)}})
    api('GET', '/v2/images?limit=1', user='root')  # the token is validated and cached
    with count_statements() as statements:
        response = api('GET', '/v2/images?limit=100', user='root')
    assert len(response.json['images']) == 100
    assert response.json['images'][0]['os_distro'] == 'cirros'
    assert len(queries(statements)) <= 5, queries(statements)


# ---------------------------------------------------------------- delete

def test_delete_removes_image_and_data(api, tmp_path):
    image = api.active()
    datadir = tmp_path / 'state' / 'images'
    assert image['id'] in {p.name for p in datadir.iterdir()}
    path = '/v2/images/%s' % image['id']
    assert api('DELETE', path).status_int == 204
    assert api('GET', path).status_int == 404
    assert api('DELETE', path).status_int == 404
    assert image['id'] not in {p.name for p in datadir.iterdir()}


def test_protected_image_cannot_be_deleted(api):
    image = api.create(protected=True)
    path = '/v2/images/%s' % image['id']
    assert api('DELETE', path).status_int == 403
    api('PATCH', path, [{'op': 'replace', 'path': '/protected', 'value': False}],
        content_type='application/openstack-images-v2.1-json-patch')
    assert api('DELETE', path).status_int == 204


# ---------------------------------------------------------------- actions

def test_deactivate_and_reactivate(api):
    image = api.active()
    path = '/v2/images/%s' % image['id']
    assert api('POST', path + '/actions/deactivate').status_int == 204
    assert api('GET', path).json['status'] == 'deactivated'
    assert api('GET', path + '/file').status_int == 403
    assert api('GET', path + '/file', user='root').status_int == 200
    assert api('POST', path + '/actions/deactivate').status_int == 204  # idempotent
    assert api('POST', path + '/actions/reactivate').status_int == 204
    assert api('GET', path).json['status'] == 'active'
    assert api('GET', path + '/file').status_int == 200


def test_deactivating_a_queued_image_is_400(api):
    image = api.create()
    assert api('POST', '/v2/images/%s/actions/deactivate' % image['id']).status_int == 400
    assert api('GET', '/v2/images/%s/actions/deactivate' % image['id']).status_int == 405


# ---------------------------------------------------------------- tags

def test_tags_are_added_and_deleted(api):
    image = api.create(tags=['a'])
    path = '/v2/images/%s' % image['id']
    assert api('PUT', path + '/tags/b%20c').status_int == 204
    assert api('PUT', path + '/tags/b%20c').status_int == 204
    assert api('GET', path).json['tags'] == ['a', 'b c']
    assert api('DELETE', path + '/tags/a').status_int == 204
    assert api('GET', path).json['tags'] == ['b c']
    assert api('DELETE', path + '/tags/a').status_int == 404
    assert api('PUT', path + '/tags/x', user='dave').status_int == 404
    assert api('PUT', path + '/tags/' + 'x' * 256).status_int == 400


def test_too_many_properties_or_tags_is_413(api):
    CONF.set_override('image_property_quota', 1)
    CONF.set_override('image_tag_quota', 1)
    response = api('POST', '/v2/images', {'name': 'x', 'a': '1', 'b': '2'},
                   Accept='application/json')
    assert response.status_int == 413
    assert 'image properties. Attempted: 2, Maximum: 1' in response.json['message']
    image = api.create(a='1', tags=['t'])
    response = api('PUT', '/v2/images/%s/tags/u' % image['id'])
    assert response.status_int == 413
    response = api('PATCH', '/v2/images/' + image['id'],
                   [{'op': 'add', 'path': '/b', 'value': '2'}],
                   content_type='application/openstack-images-v2.1-json-patch')
    assert response.status_int == 413


@pytest.mark.parametrize('body', [
    b'{"name": "\\ud800"}',                      # a lone surrogate: PostgreSQL refuses it
    b'{"name": "x", "\\udfff": "y"}',
    b'[' * 1000 + b']' * 1000,                   # deeper than the parser's recursion
    b'{"a": ' * 40 + b'1' + b'}' * 40,            # deeper than the API's limit
    b'{"name": "\xff\xfe"}',                      # not UTF-8
])
def test_bodies_beyond_the_json_limits_are_400(api, body):
    response = api('POST', '/v2/images', body, content_type='application/json')
    assert response.status_int == 400, response.text
    assert 'Malformed JSON in request body' in response.text
    patch = api('PATCH', '/v2/images/%s' % api.create()['id'], body,
                content_type='application/openstack-images-v2.1-json-patch')
    assert patch.status_int == 400, patch.text


def test_size_and_time_filters(api):
    small = api.active(data=b'x' * 3725, name='small')
    big = api.active(name='big')

    def names(query):
        response = api('GET', '/v2/images?' + query)
        assert response.status_int == 200, response.text
        return sorted(image['name'] for image in response.json['images'])

    assert names('size=3725') == ['small']
    assert names('size_min=3726') == ['big']
    assert names('size_max=3725&size_min=3725') == ['small']
    assert names('virtual_size=3725') == ['small']
    assert names('min_ram=0&size=%d' % big['size']) == ['big']
    created = small['created_at']
    assert 'small' in names('created_at=lte:' + created)
    assert names('created_at=gt:' + created) in ([], ['big'])
    assert names('created_at=gte:2000-01-01T00:00:00Z&name=in:small,big') == ['big', 'small']
    assert names('updated_at=lt:2000-01-01T00:00:00Z') == []
    assert names('created_at=neq:2000-01-01T00:00:00%2B02:00&name=small') == ['small']
    for bad in ('size=-1', 'size=x', 'created_at=gte:yesterday', 'created_at=after:2020-01-01',
                'min_disk=1.5'):
        response = api('GET', '/v2/images?' + bad)
        assert response.status_int == 400, (bad, response.text)


@pytest.mark.parametrize('method', ['GET', 'DELETE', 'PATCH', 'POST'])
def test_trailing_slash_is_no_image(api, method):
    api.create()
    assert api(method, '/v2/images/').status_int == 404
