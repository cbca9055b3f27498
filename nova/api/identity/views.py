"""Keystone v3 bodies of tokens, projects, users, domains and roles."""
import collections

from nova.auth import endpoints

DOMAIN_ID = 'default'
DOMAIN_NAME = 'Default'
DOMAIN_REF = {'id': DOMAIN_ID, 'name': DOMAIN_NAME}


def isotime(at):
    """ISO 8601 with microseconds and Z, as Keystone writes token times."""
    return at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def token(info, request_host, catalog=True):
    """{'token': ...} for a TokenInfo; scoped tokens carry project, roles, catalog."""
    body = {
        'methods': list(info.methods),
        'user': {'id': info.user_id, 'name': info.user_name, 'domain': dict(DOMAIN_REF),
                 'password_expires_at': None},
        'audit_ids': [info.audit_id],
        'issued_at': isotime(info.issued_at),
        'expires_at': isotime(info.expires_at),
    }
    if info.scoped:
        body.update({
            'project': {'id': info.project_id, 'name': info.project_name,
                        'domain': dict(DOMAIN_REF)},
            'is_domain': False,
            'roles': [dict(role) for role in info.roles],
        })
        if catalog:
            body['catalog'] = endpoints.catalog(request_host, info.project_id)
    return {'token': body}


def _self(req, path):
    return {'self': req.host_url + path}


def project(req, row):
    return {'id': row.id, 'name': row.name, 'domain_id': row.domain_id,
            'description': row.description or '', 'enabled': row.enabled,
            'is_domain': False, 'parent_id': row.domain_id, 'tags': [], 'options': {},
            'links': _self(req, '/v3/projects/' + row.id)}


def user(req, row):
    body = {'id': row.id, 'name': row.name, 'domain_id': DOMAIN_ID, 'enabled': row.enabled,
            'password_expires_at': None, 'options': {},
            'links': _self(req, '/v3/users/' + row.id)}
    if row.email:
        body['email'] = row.email
    if row.description:
        body['description'] = row.description
    if row.default_project_id:
        body['default_project_id'] = row.default_project_id
    return body


def domain(req):
    return {'id': DOMAIN_ID, 'name': DOMAIN_NAME, 'description': 'The default domain',
            'enabled': True, 'tags': [], 'options': {},
            'links': _self(req, '/v3/domains/' + DOMAIN_ID)}


def role(req, row):
    return {'id': row.id, 'name': row.name, 'domain_id': None, 'description': None,
            'options': {}, 'links': _self(req, '/v3/roles/' + row.id)}


# an implied role's assignment, shaped like a stored one (user_project_roles row)
Grant = collections.namedtuple('Grant', 'user_id project_id role_id')


def role_assignment(req, row, names=False):
    """One entry of GET /v3/role_assignments for (assignment, user, project, role names)."""
    grant, user_name, project_name, role_name = row
    link = '%s/v3/projects/%s/users/%s/roles/%s' % (req.host_url, grant.project_id,
                                                     grant.user_id, grant.role_id)
    body = {'role': {'id': grant.role_id}, 'user': {'id': grant.user_id},
            'scope': {'project': {'id': grant.project_id}}, 'links': {'assignment': link}}
    if names:
        body['role']['name'] = role_name
        body['user'].update(name=user_name, domain=dict(DOMAIN_REF))
        body['scope']['project'].update(name=project_name, domain=dict(DOMAIN_REF))
    return body
