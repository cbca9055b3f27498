"""Identity administration: projects, users, roles and grants through the v3 API,
administrators only, with Keystone's statuses and bodies; the store is nova-manage's."""
from nova.auth import manager
from tests.unit.api.identity.conftest import password_auth
from tests.unit.api.identity.test_resources import login


def _ids(body, key):
    return [item['name'] for item in body[key]]


def test_admin_creates_a_project_and_user_who_logs_in_with_a_granted_role(api, accounts):
    root = login(api, 'root', 'ops')
    created = api('POST', '/v3/projects', {'project': {
        'name': 'new', 'description': 'made by tests', 'domain_id': 'default',
        'enabled': True}}, token=root)
    assert created.status_int == 201, created.body
    project = created.json['project']
    assert (project['name'], project['domain_id'], project['description']) == (
        'new', 'default', 'made by tests')
    assert manager.get_project(accounts.ctx, project['id']).name == 'new'  # nova-manage's

    user = api('POST', '/v3/users', {'user': {
        'name': 'erin', 'password': 'pw-erin', 'domain_id': 'default',
        'default_project_id': project['id'], 'email': 'erin@example.org'}}, token=root)
    assert user.status_int == 201, user.body
    erin = user.json['user']
    assert erin['default_project_id'] == project['id'] and 'password' not in erin
    member = api('GET', '/v3/roles?name=member', token=root).json['roles'][0]
    # no role yet: the user cannot scope to the project
    scope = {'project': {'id': project['id']}}
    assert api('POST', '/v3/auth/tokens', password_auth('erin', 'pw-erin', scope)
               ).status_int == 401
    grant = '/v3/projects/%s/users/%s/roles/%s' % (project['id'], erin['id'], member['id'])
    assert api('HEAD', grant, token=root).status_int == 404
    assert api('PUT', grant, token=root).status_int == 204
    assert api('PUT', grant, token=root).status_int == 204  # twice changes nothing
    assert api('HEAD', grant, token=root).status_int == 204
    token = api('POST', '/v3/auth/tokens', password_auth('erin', 'pw-erin', scope))
    assert token.status_int == 201
    assert {r['name'] for r in token.json['token']['roles']} == {'member', 'reader'}
    listed = api('GET', '/v3/projects/%s/users/%s/roles' % (project['id'], erin['id']),
                 token=root).json['roles']
    assert [r['name'] for r in listed] == ['member']

    assert api('DELETE', grant, token=root).status_int == 204
    assert api('DELETE', grant, token=root).status_int == 404
    assert api('DELETE', '/v3/users/' + erin['id'], token=root).status_int == 204
    assert api('GET', '/v3/users/' + erin['id'], token=root).status_int == 404
    assert api('DELETE', '/v3/projects/' + project['id'], token=root).status_int == 204
    assert api('DELETE', '/v3/projects/' + project['id'], token=root).status_int == 404


def test_updates_and_the_users_own_password(api, accounts):
    root = login(api, 'root', 'ops')
    a = accounts.projects['A']
    renamed = api('PATCH', '/v3/projects/' + a.id, {'project': {
        'name': 'A2', 'description': ''}}, token=root)
    assert renamed.status_int == 200 and renamed.json['project']['name'] == 'A2'
    assert api('PATCH', '/v3/projects/' + a.id, {'project': {'name': 'B'}},
               token=root).status_int == 409
    alice = accounts.users['alice']
    changed = api('PATCH', '/v3/users/' + alice.id, {'user': {'description': 'ops'}},
                  token=root)
    assert changed.status_int == 200 and changed.json['user']['description'] == 'ops'

    token = login(api, 'alice', 'A2')
    body = {'user': {'original_password': 'wrong', 'password': 'new-secret'}}
    assert api('POST', '/v3/users/%s/password' % alice.id, body, token=token).status_int == 401
    body['user']['original_password'] = 'correct horse'
    assert api('POST', '/v3/users/%s/password' % accounts.users['bob'].id, body,
               token=token).status_int == 403  # not someone else's
    assert api('POST', '/v3/users/%s/password' % alice.id, body, token=token).status_int == 204
    assert api('GET', '/v3/projects', token=token).status_int == 401  # tokens revoked
    assert api('POST', '/v3/auth/tokens', password_auth('alice', 'new-secret')
               ).status_int == 201


def test_only_administrators_change_identity(api, accounts):
    alice = login(api)
    a, alice_id = accounts.projects['A'], accounts.users['alice'].id
    member_role = manager.get_role_by_name(accounts.ctx, 'member')
    for method, path, body in (
            ('POST', '/v3/projects', {'project': {'name': 'x'}}),
            ('PATCH', '/v3/projects/' + a.id, {'project': {'name': 'x'}}),
            ('DELETE', '/v3/projects/' + a.id, None),
            ('POST', '/v3/users', {'user': {'name': 'x'}}),
            ('PATCH', '/v3/users/' + alice_id, {'user': {'enabled': False}}),
            ('DELETE', '/v3/users/' + alice_id, None),
            ('POST', '/v3/roles', {'role': {'name': 'x'}}),
            ('PUT', '/v3/projects/%s/users/%s/roles/%s' % (a.id, alice_id, member_role.id),
             None),
            ('GET', '/v3/role_assignments', None)):
        refused = api(method, path, body, token=alice)
        assert refused.status_int == 403, (method, path)
        assert refused.json['error']['message'].startswith(
            'You are not authorized to perform the requested action: identity:')
    own = api('GET', '/v3/role_assignments?user.id=' + alice_id, token=alice)
    assert own.status_int == 200 and len(own.json['role_assignments']) == 1


def test_bad_input_is_400_naming_the_field(api):
    root = login(api, 'root', 'ops')
    for path, body, words in (
            ('/v3/projects', {'project': {}}, "'name' is a required property"),
            ('/v3/projects', {'project': {'name': 'x', 'domain_id': 'other'}}, 'domain other'),
            ('/v3/projects', {'project': {'name': 'x', 'enabled': 'yes'}}, 'enabled'),
            ('/v3/projects', {'name': 'x'}, "'project' is a required property"),
            ('/v3/users', {'user': {'name': 'x', 'password': 7}}, 'password'),
            ('/v3/users', {'user': {'name': ' '}}, 'name must be a non-blank string'),
            ('/v3/users', {'user': {'name': 'x', 'default_project_id': 'nope'}},
             'default_project_id: Could not find project: nope.')):
        refused = api('POST', path, body, token=root)
        assert refused.status_int == 400, (path, body, refused.body)
        assert words in refused.json['error']['message']
    assert api('POST', '/v3/projects', {'project': {'name': 'A'}}, token=root).status_int == 409
    assert api('POST', '/v3/users', {'user': {'name': 'alice'}}, token=root).status_int == 409


def test_roles_and_role_assignments_with_names(api, accounts):
    root = login(api, 'root', 'ops')
    roles = api('GET', '/v3/roles', token=root).json['roles']
    assert [r['name'] for r in roles] == ['admin', 'manager', 'member', 'reader', 'service']
    made = api('POST', '/v3/roles', {'role': {'name': 'auditor'}}, token=root)
    assert made.status_int == 201
    auditor = made.json['role']
    assert api('GET', '/v3/roles/' + auditor['id'], token=root).json['role']['name'] == 'auditor'
    assert api('POST', '/v3/roles', {'role': {'name': 'auditor'}}, token=root).status_int == 409
    assert api('DELETE', '/v3/roles/' + auditor['id'], token=root).status_int == 204
    admin_role = [r for r in roles if r['name'] == 'admin'][0]
    assert api('DELETE', '/v3/roles/' + admin_role['id'], token=root).status_int == 403

    listed = api('GET', '/v3/role_assignments?include_names=True', token=root).json
    entries = {(e['user']['name'], e['scope']['project']['name'], e['role']['name'])
               for e in listed['role_assignments']}
    assert entries == {('alice', 'A', 'member'), ('bob', 'A', 'reader'),
                       ('dave', 'B', 'member'), ('root', 'ops', 'admin')}
    first = listed['role_assignments'][0]
    assert first['user']['domain'] == {'id': 'default', 'name': 'Default'}
    assert first['links']['assignment'].startswith('http://keystone.example.org:5000/v3/')
    a = accounts.projects['A'].id
    in_a = api('GET', '/v3/role_assignments?scope.project.id=' + a, token=root).json
    assert {e['user']['id'] for e in in_a['role_assignments']} == {
        accounts.users['alice'].id, accounts.users['bob'].id}
    assert 'name' not in in_a['role_assignments'][0]['user']
    effective = api('GET', '/v3/role_assignments?effective&include_names=1&user.id='
                    + accounts.users['root'].id, token=root).json['role_assignments']
    assert sorted(e['role']['name'] for e in effective) == [
        'admin', 'manager', 'member', 'reader']
    assert api('GET', '/v3/role_assignments?scope.domain.id=default',
               token=root).json['role_assignments'] == []
