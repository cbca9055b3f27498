"""Flavors (+ extra specs, access) and key pairs through the compute API app
in-process, on a real SQLite database: shapes per microversion, admin-only
changes, other users' and projects' resources, and bad input."""
import pytest

from nova import policy
from nova.compute import keypairs as compute_keypairs
from nova.conf import CONF
from nova.db import session as db_session
from tests.harness import osapi_clients
from tests.unit.api.openstack import fakes


@pytest.fixture(scope='module')
def state_path(tmp_path_factory):
    """One database for the module, with two projects."""
    yield osapi_clients.database(str(tmp_path_factory.mktemp('flavors')))
    db_session.dispose()


@pytest.fixture
def app(state_path):
    CONF.set_override('state_path', state_path)  # flags are reset around every test
    policy.reset()
    return fakes.build_app()


# ------------------------------------------------------------------ flavors

def test_flavor_list_detail_and_show(alice):
    listed = alice.get('/flavors').json['flavors']
    tiny = [f for f in listed if f['name'] == 'm1.tiny'][0]
    assert set(tiny) == {'id', 'name', 'links'}
    assert tiny['links'][0]['href'] == 'http://localhost:8774/v2.1/flavors/' + tiny['id']
    assert tiny['links'][1]['href'] == 'http://localhost:8774/flavors/' + tiny['id']

    detail = alice.get('/flavors/detail').json['flavors']
    small = [f for f in detail if f['name'] == 'm1.small'][0]
    assert small['ram'] == 2048 and small['vcpus'] == 1 and small['disk'] == 20
    assert small['swap'] == '' and small['OS-FLV-EXT-DATA:ephemeral'] == 0
    assert small['os-flavor-access:is_public'] is True
    assert small['OS-FLV-DISABLED:disabled'] is False and small['rxtx_factor'] == 1.0
    assert 'description' not in small and 'extra_specs' not in small

    latest = alice.get('/flavors/%s' % small['id'], version='2.75').json['flavor']
    assert latest['swap'] == 0 and latest['description'] is None
    assert latest['extra_specs'] == {}
    assert alice.get('/flavors/nope').status_int == 404


def test_flavor_filters_sort_and_paging(alice):
    big = alice.get('/flavors/detail?minRam=4096').json['flavors']
    assert big and all(f['ram'] >= 4096 for f in big)
    disks = alice.get('/flavors/detail?minDisk=80').json['flavors']
    assert disks and all(f['disk'] >= 80 for f in disks)
    by_ram = alice.get('/flavors/detail?sort_key=memory_mb&sort_dir=desc').json['flavors']
    assert [f['ram'] for f in by_ram] == sorted((f['ram'] for f in by_ram), reverse=True)

    first = alice.get('/flavors?limit=2&sort_key=name').json
    assert len(first['flavors']) == 2 and first['flavors_links'][0]['rel'] == 'next'
    assert 'marker=%s' % first['flavors'][1]['id'] in first['flavors_links'][0]['href']
    rest = alice.get('/flavors?sort_key=name&marker=%s' % first['flavors'][1]['id']).json
    names = [f['name'] for f in first['flavors'] + rest['flavors']]
    assert names == sorted(names) and 'flavors_links' not in rest

    assert alice.get('/flavors?minRam=lots').status_int == 400
    bad = alice.get('/flavors?sort_key=colour')
    assert bad.status_int == 400
    assert bad.json['badRequest']['message'].startswith(
        'Invalid input for query parameters sort_key. Value: colour.')
    assert alice.get('/flavors?marker=nope').status_int == 400
    assert alice.get('/flavors?colour=red').status_int == 200  # ignored before 2.75
    strict = alice.get('/flavors?colour=red', version='2.75')
    assert strict.status_int == 400 and 'colour' in strict.json['badRequest']['message']


def test_admin_creates_describes_and_deletes_a_flavor(admin, alice):
    created = admin.post('/flavors', {'flavor': {
        'name': 'f.test', 'ram': 512, 'vcpus': 1, 'disk': 1, 'id': 'ftest', 'swap': 128,
        'OS-FLV-EXT-DATA:ephemeral': 2, 'rxtx_factor': 2.0,
        'description': 'for tests'}}, version='2.55')
    assert created.status_int == 200, created.body
    flavor = created.json['flavor']
    assert flavor['id'] == 'ftest' and flavor['swap'] == 128
    assert flavor['OS-FLV-EXT-DATA:ephemeral'] == 2 and flavor['description'] == 'for tests'
    assert admin.post('/flavors', {'flavor': {
        'name': 'f.test', 'ram': 512, 'vcpus': 1, 'disk': 1}}).status_int == 409
    assert admin.post('/flavors', {'flavor': {
        'name': 'other', 'ram': 512, 'vcpus': 1, 'disk': 1, 'id': 'ftest'}}).status_int == 409

    auto = admin.post('/flavors', {'flavor': {'name': 'f.auto', 'ram': '256', 'vcpus': 1,
                                              'disk': 0}}).json['flavor']
    assert len(auto['id']) == 36 and auto['ram'] == 256

    updated = admin.put('/flavors/ftest', {'flavor': {'description': 'changed'}},
                        version='2.55')
    assert updated.status_int == 200 and updated.json['flavor']['description'] == 'changed'
    assert admin.put('/flavors/ftest', {'flavor': {'description': 'x'}}).status_int == 404
    listed = alice.get('/flavors', version='2.55').json['flavors']
    assert {'id': 'ftest', 'name': 'f.test', 'description': 'changed'}.items() <= [
        f for f in listed if f['id'] == 'ftest'][0].items()

    assert admin.delete('/flavors/ftest').status_int == 202
    assert admin.delete('/flavors/' + auto['id']).status_int == 202
    assert alice.get('/flavors/ftest').status_int == 404
    assert admin.delete('/flavors/ftest').status_int == 404


def test_flavor_ids_may_be_numbers_or_null(admin):
    """The reference takes a string, a number or null: tools send numbers."""
    numeric = admin.post('/flavors', {'flavor': {'name': 'f.num', 'ram': 64, 'vcpus': 1,
                                                 'disk': 0, 'id': 4242}})
    assert numeric.status_int == 200, numeric.body
    assert numeric.json['flavor']['id'] == '4242'
    assert admin.get('/flavors/4242').json['flavor']['name'] == 'f.num'
    null = admin.post('/flavors', {'flavor': {'name': 'f.null', 'ram': 64, 'vcpus': 1,
                                              'disk': 0, 'id': None}})
    assert null.status_int == 200 and len(null.json['flavor']['id']) == 36
    refused = admin.post('/flavors', {'flavor': {'name': 'f.bool', 'ram': 64, 'vcpus': 1,
                                                 'disk': 0, 'id': True}})
    assert refused.status_int == 400 and 'id' in refused.json['badRequest']['message']
    for flavor_id in ('4242', null.json['flavor']['id']):
        assert admin.delete('/flavors/' + flavor_id).status_int == 202


def test_flavor_create_bad_input_and_members(admin, alice):
    response = admin.post('/flavors', {'flavor': {'name': 'x', 'ram': 1, 'vcpus': 1,
                                                  'disk': 1, 'colour': 'red'}})
    assert response.status_int == 400
    assert "'colour' was unexpected" in response.json['badRequest']['message']
    response = admin.post('/flavors', {'flavor': {'name': 'x', 'ram': 0, 'vcpus': 1,
                                                  'disk': 1}})
    assert response.status_int == 400 and 'ram' in response.json['badRequest']['message']
    response = admin.post('/flavors', {'flavor': {'name': 'x', 'vcpus': 1, 'disk': 1}})
    assert response.status_int == 400 and "'ram' is a required property" in response.body.decode()
    assert admin.post('/flavors', {'flavor': {'name': 'x', 'ram': 1, 'vcpus': 1, 'disk': 1,
                                              'description': 'd'}}).status_int == 400  # 2.1

    denied = alice.post('/flavors', {'flavor': {'name': 'mine', 'ram': 1, 'vcpus': 1,
                                                'disk': 1}})
    assert denied.status_int == 403
    assert denied.json['forbidden']['message'] == (
        "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.")
    assert alice.delete('/flavors/1').status_int == 403
    assert alice.put('/flavors/1', {'flavor': {'description': 'x'}},
                     version='2.55').status_int == 403


def test_private_flavor_access(admin, alice, bob):
    admin.post('/flavors', {'flavor': {'name': 'private', 'ram': 64, 'vcpus': 1, 'disk': 0,
                                       'id': 'priv', 'os-flavor-access:is_public': False}})
    assert alice.get('/flavors/priv').status_int == 404
    assert 'priv' not in [f['id'] for f in alice.get('/flavors').json['flavors']]
    assert admin.get('/flavors/priv/os-flavor-access').json == {'flavor_access': []}

    added = admin.post('/flavors/priv/action', {'addTenantAccess': {'tenant': 'proj-a'}})
    assert added.status_int == 200
    assert added.json == {'flavor_access': [{'flavor_id': 'priv', 'tenant_id': 'proj-a'}]}
    assert admin.post('/flavors/priv/action',
                      {'addTenantAccess': {'tenant': 'proj-a'}}).status_int == 409
    unknown = admin.post('/flavors/priv/action', {'addTenantAccess': {'tenant': 'ghost'}})
    assert unknown.status_int == 400 and 'ghost' in unknown.json['badRequest']['message']
    assert alice.get('/flavors/priv').status_int == 200
    assert 'priv' in [f['id'] for f in alice.get('/flavors').json['flavors']]
    assert bob.get('/flavors/priv').status_int == 404
    assert alice.get('/flavors/priv/os-flavor-access').status_int == 403
    assert alice.post('/flavors/priv/action',
                      {'addTenantAccess': {'tenant': 'proj-b'}}).status_int == 403

    public = admin.get('/flavors/1/os-flavor-access')
    assert public.status_int == 404
    assert public.json['itemNotFound']['message'] == (
        'Access list not available for public flavors.')
    assert admin.post('/flavors/1/action',
                      {'addTenantAccess': {'tenant': 'proj-a'}}).status_int == 409
    assert admin.post('/flavors/priv/action',
                      {'addTenantAccess': {'project': 'proj-a'}}).status_int == 400

    removed = admin.post('/flavors/priv/action', {'removeTenantAccess': {'tenant': 'proj-a'}})
    assert removed.status_int == 200 and removed.json == {'flavor_access': []}
    assert admin.post('/flavors/priv/action',
                      {'removeTenantAccess': {'tenant': 'proj-a'}}).status_int == 404
    assert alice.get('/flavors/priv').status_int == 404
    all_flavors = admin.get('/flavors?is_public=none').json['flavors']
    assert 'priv' in [f['id'] for f in all_flavors]
    private_only = admin.get('/flavors?is_public=false').json['flavors']
    assert [f['id'] for f in private_only] == ['priv']
    assert admin.get('/flavors?is_public=maybe').status_int == 400


def test_flavor_extra_specs(admin, alice):
    created = admin.post('/flavors/1/os-extra_specs',
                         {'extra_specs': {'hw:cpu_policy': 'shared', 'quota:cpu': 10}})
    assert created.status_int == 200
    assert created.json == {'extra_specs': {'hw:cpu_policy': 'shared', 'quota:cpu': '10'}}
    assert alice.get('/flavors/1/os-extra_specs').json == {
        'extra_specs': {'hw:cpu_policy': 'shared', 'quota:cpu': '10'}}
    assert alice.get('/flavors/1/os-extra_specs/quota:cpu').json == {'quota:cpu': '10'}
    assert alice.get('/flavors/1/os-extra_specs/none').status_int == 404
    shown = alice.get('/flavors/1', version='2.61').json['flavor']
    assert shown['extra_specs'] == {'hw:cpu_policy': 'shared', 'quota:cpu': '10'}

    updated = admin.put('/flavors/1/os-extra_specs/quota:cpu', {'quota:cpu': '20'})
    assert updated.status_int == 200 and updated.json == {'quota:cpu': '20'}
    mismatch = admin.put('/flavors/1/os-extra_specs/quota:cpu', {'other': '1'})
    assert mismatch.status_int == 400
    assert mismatch.json['badRequest']['message'] == 'Request body and URI mismatch'
    assert admin.put('/flavors/1/os-extra_specs/a', {'a': '1', 'b': '2'}).status_int == 400
    assert admin.post('/flavors/1/os-extra_specs',
                      {'extra_specs': {'bad/key': 'x'}}).status_int == 400
    assert alice.post('/flavors/1/os-extra_specs',
                      {'extra_specs': {'a': 'b'}}).status_int == 403
    assert alice.delete('/flavors/1/os-extra_specs/quota:cpu').status_int == 403

    assert admin.delete('/flavors/1/os-extra_specs/quota:cpu').status_int == 200
    assert admin.delete('/flavors/1/os-extra_specs/hw:cpu_policy').status_int == 200
    assert admin.delete('/flavors/1/os-extra_specs/quota:cpu').status_int == 404
    assert alice.get('/flavors/1/os-extra_specs').json == {'extra_specs': {}}
    assert admin.get('/flavors/nope/os-extra_specs').status_int == 404


# ---------------------------------------------------------------- key pairs

def test_keypair_generate_list_show_delete(alice, bob):
    created = alice.post('/os-keypairs', {'keypair': {'name': 'k1'}}, version='2.2')
    assert created.status_int == 201, created.body
    key = created.json['keypair']
    assert key['private_key'].startswith('-----BEGIN RSA PRIVATE KEY-----')
    assert key['public_key'].startswith('ssh-rsa ') and key['type'] == 'ssh'
    assert key['user_id'] == 'alice'
    assert key['fingerprint'] == compute_keypairs.fingerprint(key['public_key'])

    listed = alice.get('/os-keypairs').json['keypairs']
    assert [k['keypair']['name'] for k in listed] == ['k1']
    assert set(listed[0]['keypair']) == {'name', 'public_key', 'fingerprint'}
    shown = alice.get('/os-keypairs/k1', version='2.2').json['keypair']
    assert shown['type'] == 'ssh' and shown['user_id'] == 'alice' and shown['deleted'] is False
    assert shown['created_at'] and 'private_key' not in shown

    assert bob.get('/os-keypairs').json == {'keypairs': []}
    assert bob.get('/os-keypairs/k1').status_int == 404
    assert bob.delete('/os-keypairs/k1').status_int == 404
    duplicate = alice.post('/os-keypairs', {'keypair': {'name': 'k1'}})
    assert duplicate.status_int == 409
    assert duplicate.json['conflictingRequest']['message'] == "Key pair 'k1' already exists."

    assert alice.delete('/os-keypairs/k1', version='2.2').status_int == 204
    assert alice.get('/os-keypairs/k1').status_int == 404


def test_keypair_import_versions_and_bad_input(alice):
    private = alice.post('/os-keypairs', {'keypair': {'name': 'gen'}}).json['keypair']
    public_key = private['public_key']
    assert alice.delete('/os-keypairs/gen').status_int == 202  # 2.1 answers 202

    imported = alice.post('/os-keypairs', {'keypair': {'name': 'mine@host.x',
                                                       'public_key': public_key}},
                          version='2.92')
    assert imported.status_int == 201, imported.body
    assert 'private_key' not in imported.json['keypair']
    needs_key = alice.post('/os-keypairs', {'keypair': {'name': 'gen2'}}, version='2.92')
    assert needs_key.status_int == 400
    assert "'public_key' is a required property" in needs_key.json['badRequest']['message']
    old_name = alice.post('/os-keypairs', {'keypair': {'name': 'a@b', 'public_key': public_key}},
                          version='2.91')
    assert old_name.status_int == 400 and 'name' in old_name.json['badRequest']['message']

    unknown = alice.post('/os-keypairs', {'keypair': {'name': 'x', 'colour': 'red'}})
    assert unknown.status_int == 400
    assert "'colour' was unexpected" in unknown.json['badRequest']['message']
    typed = alice.post('/os-keypairs', {'keypair': {'name': 'x', 'type': 'ssh'}})
    assert typed.status_int == 400  # type arrives with 2.2
    bad_key = alice.post('/os-keypairs', {'keypair': {'name': 'x', 'public_key': 'ssh-rsa AAAA'}})
    assert bad_key.status_int == 400
    assert bad_key.json['badRequest']['message'].startswith('Keypair data is invalid')
    assert alice.delete('/os-keypairs/mine@host.x').status_int == 202

    x509 = alice.post('/os-keypairs', {'keypair': {'name': 'cert', 'type': 'x509'}},
                      version='2.2').json['keypair']
    assert x509['type'] == 'x509' and x509['private_key'].startswith('-----BEGIN')
    assert x509['public_key'].startswith('-----BEGIN CERTIFICATE-----')
    assert x509['fingerprint'] == compute_keypairs.x509_fingerprint(x509['public_key'])
    assert alice.post('/os-keypairs', {'keypair': {'name': 'y', 'type': 'pgp'}},
                      version='2.2').status_int == 400
    assert alice.delete('/os-keypairs/cert').status_int == 202


def test_keypair_pagination(alice):
    for index in range(5):
        assert alice.post('/os-keypairs', {'keypair': {'name': 'page%d' % index}},
                          version='2.1').status_int == 200
    first = alice.get('/os-keypairs?limit=2', version='2.35').json
    assert [k['keypair']['name'] for k in first['keypairs']] == ['page0', 'page1']
    assert 'marker=page1' in first['keypairs_links'][0]['href']
    rest = alice.get('/os-keypairs?limit=10&marker=page1', version='2.35').json
    assert [k['keypair']['name'] for k in rest['keypairs']] == ['page2', 'page3', 'page4']
    assert 'keypairs_links' not in rest
    assert alice.get('/os-keypairs?marker=nope', version='2.35').status_int == 400
    # before 2.35 the paging parameters are not looked at
    assert len(alice.get('/os-keypairs?limit=2').json['keypairs']) == 5
    for index in range(5):
        alice.delete('/os-keypairs/page%d' % index)


def test_keypairs_of_other_users(admin, alice, bob):
    assert admin.post('/os-keypairs', {'keypair': {'name': 'for-bob', 'user_id': 'bob'}},
                      version='2.10').status_int == 201
    assert [k['keypair']['name'] for k in bob.get('/os-keypairs').json['keypairs']] == [
        'for-bob']
    as_admin = admin.get('/os-keypairs?user_id=bob', version='2.10').json['keypairs']
    assert [k['keypair']['name'] for k in as_admin] == ['for-bob']
    assert admin.get('/os-keypairs/for-bob?user_id=bob',
                     version='2.10').json['keypair']['user_id'] == 'bob'
    assert admin.get('/os-keypairs').json == {'keypairs': []}  # the admin's own

    assert alice.get('/os-keypairs?user_id=bob', version='2.10').status_int == 403
    assert alice.get('/os-keypairs/for-bob?user_id=bob', version='2.10').status_int == 403
    assert alice.post('/os-keypairs', {'keypair': {'name': 'x', 'user_id': 'bob'}},
                      version='2.10').status_int == 403
    assert alice.delete('/os-keypairs/for-bob?user_id=bob', version='2.10').status_int == 403
    assert admin.delete('/os-keypairs/for-bob?user_id=bob', version='2.10').status_int == 204
    assert bob.get('/os-keypairs').json == {'keypairs': []}


def test_keypair_quota(alice):
    CONF.set_override('quota_key_pairs', 1)
    try:
        assert alice.post('/os-keypairs', {'keypair': {'name': 'one'}}).status_int == 200
        over = alice.post('/os-keypairs', {'keypair': {'name': 'two'}})
        assert over.status_int == 403
        assert over.json['forbidden']['message'] == 'Quota exceeded, too many key pairs.'
    finally:
        CONF.clear_override('quota_key_pairs')
        alice.delete('/os-keypairs/one')
