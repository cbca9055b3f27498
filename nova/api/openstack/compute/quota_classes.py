"""/os-quota-class-sets/{class}: the quota classes; 'default' holds the limits every
project starts with (what /os-quota-sets/{p}/defaults shows), editable by admins.

Shown per version as Nova does: before 2.50 without the server group limits,
from 2.50 without the network ones, from 2.57 without injected files.
"""
from nova import policy
from nova import quota
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import quota_sets as schema

RULE = 'os_compute_api:os-quota-class-sets:%s'
SERVER_GROUPS = ('server_groups', 'server_group_members')


def _shown(req):
    if req.is_version('2.57'):
        removed = schema.REMOVED_V257
    elif req.is_version('2.50'):
        removed = schema.REMOVED_V236
    else:
        removed = SERVER_GROUPS
    return [name for name in sorted(quota.RESOURCES) if name not in removed]


def _body(req, class_name):
    limits = quota.class_limits(req.context, class_name)
    return {name: limits[name] for name in _shown(req)}


class QuotaClassSetsController(wsgi.Controller):
    def show(self, req, id):
        policy.authorize(req.context, RULE % 'show', {})
        return {'quota_class_set': dict(_body(req, id), id=id)}

    @validation.schema(schema.class_update, '2.1', '2.49')
    @validation.schema(schema.class_update_v250, '2.50', '2.56')
    @validation.schema(schema.class_update_v257, '2.57')
    def update(self, req, id, body):
        policy.authorize(req.context, RULE % 'update', {})
        quota.update_class_limits(req.context, id, body['quota_class_set'])
        return {'quota_class_set': _body(req, id)}
