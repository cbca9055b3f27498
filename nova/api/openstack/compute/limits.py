"""GET /limits: the project's absolute limits and what it uses of them (where the
caller was given a limit of their own in the project, that limit and the
caller's share of the usage).

``rate`` lists the per-user rate limits when --api_rate_limit turns them on
(nova/api/openstack/ratelimit.py), else it is [] as in today's Nova. Fields leave with
the proxies they described: network ones at 2.36, maxImageMeta at 2.39,
maxPersonality(Size) at 2.57. Admins ask for another project with tenant_id.
"""
import copy

from nova import policy
from nova import quota
from nova.api.openstack import parameter_types as types
from nova.api.openstack import ratelimit
from nova.api.openstack import validation
from nova.api.openstack import wsgi

# quota resource -> the limit fields it feeds, and the first version without each field
LIMIT_NAMES = {
    'ram': ['maxTotalRAMSize'], 'instances': ['maxTotalInstances'],
    'cores': ['maxTotalCores'], 'key_pairs': ['maxTotalKeypairs'],
    'floating_ips': ['maxTotalFloatingIps'], 'metadata_items': ['maxServerMeta', 'maxImageMeta'],
    'injected_files': ['maxPersonality'],
    'injected_file_content_bytes': ['maxPersonalitySize'],
    'security_groups': ['maxSecurityGroups'], 'security_group_rules': ['maxSecurityGroupRules'],
    'server_groups': ['maxServerGroups'], 'server_group_members': ['maxServerGroupMembers'],
}
USED_NAMES = {'ram': 'totalRAMUsed', 'cores': 'totalCoresUsed',
              'instances': 'totalInstancesUsed', 'floating_ips': 'totalFloatingIpsUsed',
              'security_groups': 'totalSecurityGroupsUsed',
              'server_groups': 'totalServerGroupsUsed'}
REMOVED_IN = {
    '2.36': ('maxTotalFloatingIps', 'maxSecurityGroups', 'maxSecurityGroupRules',
             'totalFloatingIpsUsed', 'totalSecurityGroupsUsed'),
    '2.39': ('maxImageMeta',),
    '2.57': ('maxPersonality', 'maxPersonalitySize'),
}

_query = {'type': 'object', 'properties': {'tenant_id': types.multi_params({'type': 'string'})},
          'additionalProperties': True}
_query_v275 = dict(copy.deepcopy(_query), additionalProperties=False)


def absolute(req, quotas):
    """The 'absolute' body for {resource: {'limit', 'in_use'}} at req's version."""
    body = {}
    for resource, names in LIMIT_NAMES.items():
        for name in names:
            body[name] = quotas[resource]['limit']
    for resource, name in USED_NAMES.items():
        body[name] = quotas[resource]['in_use']
    for version, names in REMOVED_IN.items():
        if req.is_version(version):
            for name in names:
                body.pop(name)
    return body


class LimitsController(wsgi.Controller):
    @validation.query_schema(_query, '2.1', '2.74')
    @validation.query_schema(_query_v275, '2.75')
    def index(self, req):
        context = req.context
        policy.authorize(context, 'os_compute_api:limits')
        project_id = context.project_id
        if 'tenant_id' in req.GET:
            project_id = req.GET['tenant_id']
            policy.authorize(context, 'os_compute_api:limits:other_project',
                             {'project_id': project_id})
        quotas = quota.effective_quotas(context, project_id, context.user_id)
        limiter = ratelimit.get_limiter()
        rate = limiter.describe(context.user_id) if limiter else []
        return {'limits': {'rate': rate, 'absolute': absolute(req, quotas)}}
