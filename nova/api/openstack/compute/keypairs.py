"""/os-keypairs: a user's SSH keys (or x509 certificates), generated or imported.

A key pair belongs to a user, not a project; from 2.10 an admin names another
user with ``user_id`` (the policy compares it with the caller's). Statuses:
create 200 and delete 202 at 2.1, 201 and 204 from 2.2 (which adds ``type``);
2.35 pages the list; 2.92 stops generating keys (public_key is required).
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import keypairs as schema
from nova.compute import keypairs
from nova.i18n import _

RULE = 'os_compute_api:os-keypairs:%s'
QUOTA_MESSAGE = _('Quota exceeded, too many key pairs.')


def _user_id(req, action, user_id=None):
    """The user whose key pairs the request means, once the policy allows it."""
    user_id = user_id or (req.GET.get('user_id') if req.is_version('2.10') else None)
    user_id = user_id or req.context.user_id
    policy.authorize(req.context, RULE % action, {'user_id': user_id})
    return user_id


def _listed(req, key_pair):
    body = {'name': key_pair.name, 'public_key': key_pair.public_key,
            'fingerprint': key_pair.fingerprint}
    if req.is_version('2.2'):
        body['type'] = key_pair.type
    return body


def _created(req, key_pair, private_key=None):
    body = dict(_listed(req, key_pair), user_id=key_pair.user_id)
    if private_key is not None:
        body['private_key'] = private_key
    return body


def _shown(req, key_pair):
    return dict(_listed(req, key_pair), user_id=key_pair.user_id, id=key_pair.id,
                deleted=bool(key_pair.deleted), created_at=common.strtime(key_pair.created_at),
                updated_at=common.strtime(key_pair.updated_at),
                deleted_at=common.strtime(key_pair.deleted_at))


class KeypairController(wsgi.Controller):
    # ------------------------------------------------------------------ list
    @validation.query_schema(schema.index_query_v210, '2.10', '2.34')
    @validation.query_schema(schema.index_query_v235, '2.35', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def index(self, req):
        user_id = _user_id(req, 'index')
        paged = req.is_version('2.35')
        limit, marker = common.limit_and_marker(req) if paged else (None, None)
        try:
            rows = keypairs.get_key_pairs(req.context, user_id, limit=limit, marker=marker)
        except exception.MarkerNotFound as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
        items = [_listed(req, row) for row in rows]
        body = {'keypairs': [{'keypair': item} for item in items]}
        links = common.next_link(req, items, limit, 'os-keypairs', key='name') if paged else []
        if links:
            body['keypairs_links'] = links
        return body

    @validation.query_schema(schema.show_query_v210, '2.10', '2.74')
    @validation.query_schema(schema.show_query_v275, '2.75')
    def show(self, req, id):
        user_id = _user_id(req, 'show')
        return {'keypair': _shown(req, keypairs.get_key_pair(req.context, user_id, id))}

    # ---------------------------------------------------------------- create
    def _create(self, req, body):
        given = body['keypair']
        user_id = _user_id(req, 'create', given.get('user_id'))
        key_type = given.get('type', 'ssh')
        try:
            if 'public_key' in given:
                row = keypairs.import_key_pair(req.context, user_id, given['name'],
                                               given['public_key'], key_type)
                private_key = None
            else:
                row, private_key = keypairs.create_key_pair(req.context, user_id,
                                                            given['name'], key_type)
        except exception.OverQuota:
            raise webob.exc.HTTPForbidden(explanation=QUOTA_MESSAGE) from None
        return {'keypair': _created(req, row, private_key)}

    @wsgi.api_version('2.1', '2.1')
    @validation.schema(schema.create)
    def create(self, req, body):
        return self._create(req, body)

    @wsgi.api_version('2.2')
    @wsgi.response(201)
    @validation.schema(schema.create_v22, '2.2', '2.9')
    @validation.schema(schema.create_v210, '2.10', '2.91')
    @validation.schema(schema.create_v292, '2.92')
    def create(self, req, body):  # noqa: F811 -- the 2.2+ version
        return self._create(req, body)

    # ---------------------------------------------------------------- delete
    def _delete(self, req, id):
        user_id = _user_id(req, 'delete')
        keypairs.delete_key_pair(req.context, user_id, id)

    @wsgi.api_version('2.1', '2.1')
    @wsgi.response(202)
    def delete(self, req, id):
        self._delete(req, id)

    @wsgi.api_version('2.2')
    @wsgi.response(204)
    @validation.query_schema(schema.show_query_v210, '2.10', '2.74')
    @validation.query_schema(schema.show_query_v275, '2.75')
    def delete(self, req, id):  # noqa: F811 -- the 2.2+ version
        self._delete(req, id)
