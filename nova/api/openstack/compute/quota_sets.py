"""/os-quota-sets/{project_id}: a project's limits, their usage, defaults; admins
change or reset them.

Network limits are shown up to 2.35, injected files up to 2.56. A user_id
query addresses that user's limits within the project (show, detail, update,
delete), as Nova's legacy quotas: a user's limit defaults to the project's
and is enforced with it. Unless ``force`` is true, a new limit must cover
what is in use (and, for a project, what its users were given) and a user's
must fit in what the project's limit leaves after its other users'.
"""
import webob.exc

from nova import policy
from nova import quota
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import quota_sets as schema
from nova.i18n import _

RULE = 'os_compute_api:os-quota-sets:%s'


def _shown(req):
    """The resources req's version shows, in Nova's order."""
    if req.is_version('2.57'):
        removed = schema.REMOVED_V257
    elif req.is_version('2.36'):
        removed = schema.REMOVED_V236
    else:
        removed = ()
    return [name for name in sorted(quota.RESOURCES) if name not in removed]


def _authorize(req, action, project_id):
    policy.authorize(req.context, RULE % action, {'project_id': project_id})


def _user_id(req):
    return req.GET.get('user_id') or None


def _quotas(req, project_id):
    """The user's quotas with a user_id query, else the project's (the caller's key pairs)."""
    user_id = _user_id(req)
    if user_id:
        return quota.get_user_quotas(req.context, project_id, user_id)
    return quota.get_project_quotas(req.context, project_id, user_id=req.context.user_id)


def _check_range(resource, limit, minimum, maximum):
    """Nova's bounds check of a new limit (-1: unlimited)."""
    def finite(value):
        return float('inf') if value == -1 else value

    if finite(limit) < finite(minimum):
        raise webob.exc.HTTPBadRequest(explanation=(
            _('Quota limit %s for %s must be greater than or equal to already used and '
              'reserved %s.') % (limit, resource, minimum)))
    if finite(limit) > finite(maximum):
        raise webob.exc.HTTPBadRequest(explanation=(
            _('Quota limit %s for %s must be less than or equal to %s.')
            % (limit, resource, maximum)))


class QuotaSetsController(wsgi.Controller):
    _quotas = staticmethod(_quotas)

    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def show(self, req, id):
        _authorize(req, 'show', id)
        quotas = self._quotas(req, id)
        body = {name: quotas[name]['limit'] for name in _shown(req)}
        return {'quota_set': dict(body, id=id)}

    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def detail(self, req, id):
        _authorize(req, 'detail', id)
        quotas = self._quotas(req, id)
        body = {name: {'limit': quotas[name]['limit'], 'in_use': quotas[name]['in_use'],
                       'reserved': 0} for name in _shown(req)}
        return {'quota_set': dict(body, id=id)}

    def defaults(self, req, id):
        _authorize(req, 'defaults', id)
        limits = quota.class_limits(req.context)
        body = {name: limits[name] for name in _shown(req)}
        return {'quota_set': dict(body, id=id)}

    @validation.schema(schema.update, '2.1', '2.35')
    @validation.schema(schema.update_v236, '2.36', '2.56')
    @validation.schema(schema.update_v257, '2.57')
    @validation.query_schema(schema.query, '2.1', '2.74')
    @validation.query_schema(schema.query_v275, '2.75')
    def update(self, req, id, body):
        context = req.context
        _authorize(req, 'update', id)
        common.check_project(context, id)
        user_id = _user_id(req)
        if user_id:
            common.check_user(context, user_id)
        given = dict(body['quota_set'])
        force = common.is_true(given.pop('force', False))
        limits = {name: int(value) for name, value in given.items()}
        if not force:
            ranges = quota.settable_range(context, id, user_id)
            for name, limit in sorted(limits.items()):
                _check_range(name, limit, *ranges[name])
        if user_id:
            quota.update_user_quotas(context, id, user_id, limits)
        else:
            quota.update_project_quotas(context, id, limits)
        quotas = _quotas(req, id)
        return {'quota_set': {name: quotas[name]['limit'] for name in _shown(req)}}

    @wsgi.response(202)
    def delete(self, req, id):
        _authorize(req, 'delete', id)
        user_id = _user_id(req)
        if user_id:
            quota.revert_user_quotas(req.context, id, user_id)
        else:
            quota.revert_project_quotas(req.context, id)
