"""PATCH /v2/images/{id} in both json-patch dialects."""
import pytest

V21 = 'application/openstack-images-v2.1-json-patch'
V20 = 'application/openstack-images-v2.0-json-patch'


def _patch(api, image, changes, media_type=V21, user='alice'):
    return api('PATCH', '/v2/images/%s' % image['id'], changes, user=user,
               content_type=media_type)


@pytest.fixture
def image(api):
    return api.create(name='old', os_distro='cirros', tags=['a'])


def test_v21_add_replace_remove(api, image):
    response = _patch(api, image, [
        {'op': 'replace', 'path': '/name', 'value': 'new'},
        {'op': 'add', 'path': '/hw_disk_bus', 'value': 'virtio'},
        {'op': 'add', 'path': '/os_distro', 'value': 'ubuntu'},  # RFC 6902: replaces
        {'op': 'replace', 'path': '/tags', 'value': ['z', 'b', 'z']},
        {'op': 'replace', 'path': '/min_ram', 'value': 128},
        {'op': 'add', 'path': '/protected', 'value': True},
    ])
    assert response.status_int == 200, response.text
    body = response.json
    assert (body['name'], body['hw_disk_bus'], body['os_distro']) == ('new', 'virtio',
                                                                        'ubuntu')
    assert (body['tags'], body['min_ram'], body['protected']) == (['b', 'z'], 128, True)
    assert api('GET', body['self']).json == body
    response = _patch(api, image, [{'op': 'remove', 'path': '/hw_disk_bus'},
                                   {'op': 'replace', 'path': '/name', 'value': None}])
    assert response.status_int == 200
    assert 'hw_disk_bus' not in response.json and response.json['name'] is None


def test_v20_dialect(api, image):
    response = _patch(api, image, [{'replace': '/name', 'value': 'new'},
                                   {'add': '/hw_disk_bus', 'value': 'ide'},
                                   {'remove': '/os_distro'}], V20)
    assert response.status_int == 200, response.text
    body = response.json
    assert body['name'] == 'new' and body['hw_disk_bus'] == 'ide'
    assert 'os_distro' not in body
    assert _patch(api, image, [{'add': '/hw_disk_bus', 'value': 'x'}], V20).status_int == 409


def test_operations_apply_in_order(api, image):
    response = _patch(api, image, [{'op': 'add', 'path': '/tmp', 'value': '1'},
                                   {'op': 'remove', 'path': '/tmp'},
                                   {'op': 'remove', 'path': '/os_distro'},
                                   {'op': 'add', 'path': '/os_distro', 'value': 'again'}])
    assert response.status_int == 200
    assert 'tmp' not in response.json and response.json['os_distro'] == 'again'


def test_json_pointer_escapes(api, image):
    response = _patch(api, image, [{'op': 'add', 'path': '/a~1b~0c', 'value': 'v'}])
    assert response.status_int == 200 and response.json['a/b~c'] == 'v'


@pytest.mark.parametrize('media_type', ['application/json', 'application/json-patch+json',
                                        None])
def test_other_media_types_are_415(api, image, media_type):
    response = _patch(api, image, [{'op': 'replace', 'path': '/name', 'value': 'x'}],
                      media_type)
    assert response.status_int == 415
    assert V21 in response.headers['Accept-Patch'] and V20 in response.headers['Accept-Patch']


@pytest.mark.parametrize('attribute', ['status', 'size', 'checksum', 'id', 'created_at',
                                       'os_hash_value', 'self', 'file', 'schema'])
def test_read_only_attributes_are_403(api, image, attribute):
    for op in ('replace', 'add', 'remove'):
        change = {'op': op, 'path': '/' + attribute, 'value': 'x'}
        assert _patch(api, image, [change]).status_int == 403


@pytest.mark.parametrize('change, status', [
    ({'op': 'remove', 'path': '/name'}, 403),  # a base attribute stays
    ({'op': 'remove', 'path': '/nope'}, 409),  # ImagePropertyNotFound
    ({'op': 'replace', 'path': '/nope', 'value': 'x'}, 409),
    ({'op': 'add', 'path': '/deleted', 'value': 'x'}, 403),
    ({'op': 'add', 'path': '/locations/-', 'value': {'url': 'x', 'metadata': {}}}, 403),
    ({'op': 'add', 'path': '/locations', 'value': []}, 403),
    ({'op': 'move', 'path': '/name', 'from': '/x'}, 400),
    ({'op': 'test', 'path': '/name', 'value': 'old'}, 400),
    ({'path': '/name', 'value': 'x'}, 400),
    ({'op': 'replace', 'value': 'x'}, 400),
    ({'op': 'replace', 'path': '/name'}, 400),
    ({'op': 'replace', 'path': 'name', 'value': 'x'}, 400),
    ({'op': 'replace', 'path': '/a/b', 'value': 'x'}, 400),
    ({'op': 'replace', 'path': '/name/', 'value': 'x'}, 400),
    ({'op': 'add', 'path': '/a~2', 'value': 'x'}, 400),
    ({'op': 'replace', 'path': '/disk_format', 'value': 'exe'}, 400),
    ({'op': 'replace', 'path': '/min_ram', 'value': '1'}, 400),
    ({'op': 'replace', 'path': '/visibility', 'value': 'public'}, 403),
    ({'op': 'replace', 'path': '/owner', 'value': 'someone'}, 403),
    ({'op': 'add', 'path': '/prop', 'value': 5}, 400),
    ({'op': 'add', 'path': '/os_glance_x', 'value': 'x'}, 403),
])
def test_bad_changes(api, image, change, status):
    response = _patch(api, image, [change])
    assert response.status_int == status, response.text
    assert api('GET', '/v2/images/%s' % image['id']).json['name'] == 'old'


@pytest.mark.parametrize('body', [b'{"op": "add"}', b'not json', b'["x"]'])
def test_body_must_be_a_list_of_operation_objects(api, image, body):
    assert _patch(api, image, body).status_int == 400


def test_one_bad_operation_changes_nothing(api, image):
    response = _patch(api, image, [{'op': 'replace', 'path': '/name', 'value': 'new'},
                                   {'op': 'remove', 'path': '/nope'}])
    assert response.status_int == 409
    assert api('GET', '/v2/images/%s' % image['id']).json['name'] == 'old'


def test_formats_change_only_while_queued(api):
    image = api.active()
    change = [{'op': 'replace', 'path': '/disk_format', 'value': 'qcow2'}]
    assert _patch(api, image, change).status_int == 403


def test_admin_may_change_owner_and_publish(api, image):
    response = _patch(api, image, [
        {'op': 'replace', 'path': '/owner', 'value': api.project_id('dave')},
        {'op': 'replace', 'path': '/visibility', 'value': 'public'}], user='root')
    assert response.status_int == 200, response.text
    assert response.json['owner'] == api.project_id('dave')
    assert response.json['visibility'] == 'public'


def test_patch_of_unknown_image_is_404(api):
    fake = {'id': '00000000-0000-0000-0000-000000000000'}
    assert _patch(api, fake, [{'op': 'replace', 'path': '/name', 'value': 'x'}]
                  ).status_int == 404
