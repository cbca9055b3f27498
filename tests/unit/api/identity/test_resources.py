"""Version documents and the read calls clients make after login."""
from tests.unit.api.identity.conftest import password_auth


def login(api, user='alice', project='A'):
    scope = {'project': {'name': project, 'domain': {'id': 'default'}}}
    return api('POST', '/v3/auth/tokens',
               password_auth(user, scope=scope)).headers['X-Subject-Token']


def test_version_documents(api):
    root = api('GET', '/')
    assert root.status_int == 300
    [version] = root.json['versions']['values']
    assert version['id'] == 'v3.14' and version['status'] == 'stable'
    assert version['links'] == [{'rel': 'self', 'href': 'http://keystone.example.org:5000/v3/'}]
    assert version['media-types'][0]['type'] == 'application/vnd.openstack.identity-v3+json'
    v3 = api('GET', '/v3')
    assert v3.status_int == 200 and v3.json == {'version': version}
    assert api('GET', '/v3/').json == v3.json
    assert v3.headers['x-openstack-request-id'].startswith('req-')


def test_unknown_path_and_method(api):
    missing = api('GET', '/v2.0/tenants')
    assert missing.status_int == 404 and missing.json['error']['code'] == 404
    wrong = api('PATCH', '/v3/projects')
    assert wrong.status_int == 405 and wrong.headers['Allow'] == 'GET, HEAD, POST'


def test_reads_need_a_token(api):
    for path in ('/v3/projects', '/v3/auth/projects', '/v3/auth/catalog', '/v3/roles',
                 '/v3/domains', '/v3/users'):
        assert api('GET', path).status_int == 401
        assert api('GET', path, token='forged').status_int == 401


def test_auth_projects_lists_own(api):
    body = api('GET', '/v3/auth/projects', token=login(api)).json
    assert [p['name'] for p in body['projects']] == ['A']
    assert body['links']['self'] == 'http://keystone.example.org:5000/v3/auth/projects'


def test_auth_catalog(api):
    body = api('GET', '/v3/auth/catalog', token=login(api)).json
    assert {s['type'] for s in body['catalog']} == {'compute', 'image', 'identity', 'ec2', 's3',
                                                       'monitoring', 'block-storage',
                                                       'volumev3', 'network'}
    unscoped = api('POST', '/v3/auth/tokens', password_auth(scope='unscoped'))
    assert api('GET', '/v3/auth/catalog',
               token=unscoped.headers['X-Subject-Token']).status_int == 403


def test_projects_for_members_and_admins(api, accounts):
    alice = login(api)
    own = api('GET', '/v3/projects', token=alice).json['projects']
    assert [p['name'] for p in own] == ['A']
    project = own[0]
    assert (project['domain_id'], project['enabled'], project['is_domain']) == (
        'default', True, False)
    assert api('GET', '/v3/projects?name=B', token=alice).json['projects'] == []
    root = login(api, 'root', 'ops')
    assert [p['name'] for p in api('GET', '/v3/projects', token=root).json['projects']] == [
        'A', 'B', 'ops']
    assert [p['name'] for p in api('GET', '/v3/projects?name=B',
                                   token=root).json['projects']] == ['B']


def test_show_project(api, accounts):
    alice = login(api)
    a, b = accounts.projects['A'], accounts.projects['B']
    shown = api('GET', '/v3/projects/%s' % a.id, token=alice)
    assert shown.status_int == 200 and shown.json['project']['name'] == 'A'
    assert api('GET', '/v3/projects/%s' % b.id, token=alice).status_int == 403
    assert api('GET', '/v3/projects/nope', token=alice).status_int == 404
    root = login(api, 'root', 'ops')
    assert api('GET', '/v3/projects/%s' % b.id, token=root).status_int == 200


def test_users_self_or_admin(api, accounts):
    alice, dave = accounts.users['alice'], accounts.users['dave']
    token = login(api)
    shown = api('GET', '/v3/users/%s' % alice.id, token=token)
    assert shown.status_int == 200
    assert shown.json['user']['name'] == 'alice'
    assert shown.json['user']['default_project_id'] == accounts.projects['A'].id
    assert 'password_hash' not in shown.json['user']
    refused = api('GET', '/v3/users/%s' % dave.id, token=token)
    assert refused.status_int == 403 and refused.json['error']['title'] == 'Forbidden'
    assert api('GET', '/v3/users', token=token).status_int == 403
    assert api('GET', '/v3/users/%s/projects' % dave.id, token=token).status_int == 403
    own = api('GET', '/v3/users/%s/projects' % alice.id, token=token).json['projects']
    assert [p['name'] for p in own] == ['A']
    root = login(api, 'root', 'ops')
    assert api('GET', '/v3/users/%s' % dave.id, token=root).status_int == 200
    names = [u['name'] for u in api('GET', '/v3/users', token=root).json['users']]
    assert names == ['alice', 'bob', 'dave', 'root']
    assert [u['name'] for u in api('GET', '/v3/users?name=bob', token=root).json['users']] \
        == ['bob']


def test_domains_and_roles(api):
    token = login(api)
    domain = api('GET', '/v3/domains/default', token=token).json['domain']
    assert (domain['id'], domain['name'], domain['enabled']) == ('default', 'Default', True)
    assert api('GET', '/v3/domains', token=token).json['domains'] == [domain]
    assert api('GET', '/v3/domains?name=Other', token=token).json['domains'] == []
    assert api('GET', '/v3/domains/other', token=token).status_int == 404
    roles = api('GET', '/v3/roles', token=token).json['roles']
    assert [r['name'] for r in roles] == ['admin', 'manager', 'member', 'reader', 'service']
    assert [r['name'] for r in api('GET', '/v3/roles?name=reader',
                                   token=token).json['roles']] == ['reader']


def test_unexpected_errors_are_500_without_details(api, monkeypatch):
    token = login(api)

    def broken(context):
        raise RuntimeError('secret internals')
    monkeypatch.setattr('nova.auth.manager.list_roles', broken)
    response = api('GET', '/v3/roles', token=token)
    assert response.status_int == 500
    assert 'secret' not in response.text and response.json['error']['code'] == 500
