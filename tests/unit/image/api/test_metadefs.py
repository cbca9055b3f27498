"""Metadata definitions through the Glance API: the shipped catalog, admin writes, reads."""
import pytest

NS = '/v2/metadefs/namespaces'


def _namespace(api, name='Test::NS', **values):
    body = dict({'namespace': name, 'visibility': 'public', 'description': 'for tests'},
                **values)
    response = api('POST', NS, body, user='root')
    assert response.status_int == 201, response.text
    return response.json


def test_the_shipped_definitions_are_loaded_at_first_start(api):
    listed = api('GET', NS).json
    names = [ns['namespace'] for ns in listed['namespaces']]
    assert {'OS::Compute::Hypervisor', 'OS::Compute::Architecture', 'OS::OperatingSystem',
            'OS::Compute::DiskConfig'} <= set(names)
    assert listed['schema'] == '/v2/schemas/metadefs/namespaces'
    shown = api('GET', NS + '/OS::Compute::Hypervisor').json
    assert shown['protected'] is True and shown['visibility'] == 'public'
    assert shown['properties']['hypervisor_type']['enum'][:2] == ['qemu', 'kvm']
    assert shown['resource_type_associations'][0]['name'] == 'OS::Glance::Image'
    types = [rt['name'] for rt in api('GET', '/v2/metadefs/resource_types').json[
        'resource_types']]
    assert types == ['OS::Cinder::Volume', 'OS::Glance::Image']
    filtered = api('GET', NS + '?resource_types=OS::Cinder::Volume').json['namespaces']
    assert [ns['namespace'] for ns in filtered] == ['OS::OperatingSystem']


def test_namespace_lifecycle_with_protection(api):
    created = _namespace(api, protected=True, display_name='Test',
                         resource_type_associations=[{'name': 'OS::Nova::Flavor',
                                                      'prefix': 'hw:'}],
                         properties={'cpu_policy': {'title': 'CPU Policy', 'type': 'string',
                                                    'enum': ['shared', 'dedicated']}},
                         objects=[{'name': 'Pinning', 'properties': {
                             'cpu_thread_policy': {'title': 'T', 'type': 'string'}}}],
                         tags=[{'name': 'one'}])
    assert created['self'] == NS + '/Test::NS' and created['owner']
    shown = api('GET', NS + '/Test::NS?resource_type=OS::Nova::Flavor').json
    assert list(shown['properties']) == ['hw:cpu_policy']  # the prefix of that type
    assert [o['name'] for o in shown['objects']] == ['Pinning']
    assert [t['name'] for t in shown['tags']] == ['one']
    assert api('GET', NS + '/Test::NS/properties/hw:cpu_policy?resource_type='
                           'OS::Nova::Flavor').json['title'] == 'CPU Policy'
    assert api('DELETE', NS + '/Test::NS', user='root').status_int == 403
    assert api('DELETE', NS + '/Test::NS/properties/cpu_policy', user='root').status_int == 403
    response = api('PUT', NS + '/Test::NS', {'namespace': 'Test::NS', 'protected': False,
                                             'visibility': 'private'}, user='root')
    assert response.status_int == 200 and response.json['visibility'] == 'private'
    assert api('GET', NS + '/Test::NS', user='alice').status_int == 404  # private to ops
    assert api('DELETE', NS + '/Test::NS', user='root').status_int == 204
    assert api('GET', NS + '/Test::NS', user='root').status_int == 404


def test_objects_properties_tags_and_associations(api):
    _namespace(api)
    base = NS + '/Test::NS'
    obj = api('POST', base + '/objects', {'name': 'o1', 'description': 'd'}, user='root')
    assert obj.status_int == 201 and obj.json['required'] == []
    assert obj.json['self'] == base + '/objects/o1'
    assert api('POST', base + '/objects', {'name': 'o1'}, user='root').status_int == 409
    renamed = api('PUT', base + '/objects/o1', {'name': 'o2'}, user='root')
    assert renamed.status_int == 200 and renamed.json['name'] == 'o2'
    assert [o['name'] for o in api('GET', base + '/objects').json['objects']] == ['o2']
    assert api('DELETE', base + '/objects/o2', user='root').status_int == 204
    assert api('GET', base + '/objects/o2').status_int == 404

    prop = {'name': 'p', 'title': 'P', 'type': 'string', 'enum': ['a', 'b']}
    assert api('POST', base + '/properties', prop, user='root').status_int == 201
    assert api('GET', base + '/properties').json['properties']['p']['enum'] == ['a', 'b']
    updated = api('PUT', base + '/properties/p', dict(prop, title='Q'), user='root')
    assert updated.json['title'] == 'Q'
    assert api('DELETE', base + '/properties', user='root').status_int == 204
    assert api('GET', base + '/properties').json == {'properties': {}}

    tags = api('POST', base + '/tags', {'tags': [{'name': 'a'}, {'name': 'b'}]}, user='root')
    assert tags.status_int == 201 and [t['name'] for t in tags.json['tags']] == ['a', 'b']
    assert api('POST', base + '/tags', {'tags': [{'name': 'c'}]}, user='root',
               X_Openstack_Append='True').status_int == 201
    assert api('POST', base + '/tags/d', user='root').status_int == 201
    assert api('PUT', base + '/tags/d', {'name': 'e'}, user='root').json['name'] == 'e'
    names = [t['name'] for t in api('GET', base + '/tags').json['tags']]
    assert names == ['a', 'b', 'c', 'e']
    assert api('POST', base + '/tags', {'tags': [{'name': 'x'}, {'name': 'x'}]},
               user='root').status_int == 409
    assert api('DELETE', base + '/tags', user='root').status_int == 204
    assert api('GET', base + '/tags').json == {'tags': []}

    association = api('POST', base + '/resource_types', {'name': 'OS::Nova::Server',
                                                         'prefix': 'x_'}, user='root')
    assert association.status_int == 201 and association.json['prefix'] == 'x_'
    assert api('POST', base + '/resource_types', {'name': 'OS::Nova::Server'},
               user='root').status_int == 409
    listed = api('GET', base + '/resource_types').json['resource_type_associations']
    assert [a['name'] for a in listed] == ['OS::Nova::Server']
    assert api('DELETE', base + '/resource_types/OS::Nova::Server',
               user='root').status_int == 204
    assert api('DELETE', base + '/resource_types/OS::Nova::Server',
               user='root').status_int == 404


WRITES = [
    ('POST', NS, {'namespace': 'Mine'}),
    ('PUT', NS + '/Test::NS', {'namespace': 'Test::NS'}),
    ('DELETE', NS + '/Test::NS', None),
    ('POST', NS + '/Test::NS/objects', {'name': 'o'}),
    ('POST', NS + '/Test::NS/properties', {'name': 'p', 'title': 'P', 'type': 'string'}),
    ('POST', NS + '/Test::NS/tags/t', None),
    ('DELETE', NS + '/Test::NS/tags', None),
    ('POST', NS + '/Test::NS/resource_types', {'name': 'OS::Glance::Image'}),
]


@pytest.mark.parametrize('user', ['alice', 'rita'])
@pytest.mark.parametrize('method, path, body', WRITES)
def test_only_admins_write(api, user, method, path, body):
    _namespace(api)
    assert api(method, path, body, user=user).status_int == 403


@pytest.mark.parametrize('path, body', [
    (NS, {'namespace': ''}),
    (NS, {'namespace': 'x' * 81}),
    (NS, {'namespace': 'x', 'visibility': 'shared'}),
    (NS, {'namespace': 'x', 'color': 'red'}),
    (NS, {'display_name': 'no namespace'}),
    (NS + '/Test::NS/properties', {'name': 'p', 'type': 'string'}),  # no title
    (NS + '/Test::NS/properties', {'name': 'p', 'title': 'P', 'type': 'colour'}),
    (NS + '/Test::NS/objects', {'description': 'no name'}),
    (NS + '/Test::NS/tags', {'tags': 'a'}),
    (NS + '/Test::NS/resource_types', {'prefix': 'no name'}),
])
def test_bad_bodies_are_400(api, path, body):
    _namespace(api)
    response = api('POST', path, body, user='root')
    assert response.status_int == 400, response.text


def test_unknown_namespaces_and_bad_queries(api):
    assert api('GET', NS + '/Nope').status_int == 404
    assert api('GET', NS + '/Nope/objects').status_int == 404
    assert api('GET', NS + '?limit=-1').status_int == 400
    assert api('GET', NS + '?sort_dir=up').status_int == 400
    assert api('GET', NS + '?sort_key=owner').status_int == 400
    assert api('GET', NS + '?visibility=shared').status_int == 400
    assert api('GET', NS + '?marker=Nope').status_int == 404
    first = api('GET', NS + '?limit=2&sort_key=namespace&sort_dir=asc').json
    assert len(first['namespaces']) == 2 and 'next' in first
    second = api('GET', first['next']).json
    assert second['namespaces'][0]['namespace'] > first['namespaces'][1]['namespace']


@pytest.mark.parametrize('kind, name', [
    ('namespace', 'namespace'), ('namespaces', 'namespaces'),
    ('resource_type', 'resource_type_association'),
    ('resource_types', 'resource_type_associations'), ('object', 'object'),
    ('objects', 'objects'), ('property', 'property'), ('properties', 'properties'),
    ('tag', 'tag'), ('tags', 'tags')])
def test_metadef_schemas(api, kind, name):
    assert api('GET', '/v2/schemas/metadefs/' + kind).json['name'] == name
