"""/v2.0/quotas: the limits of what the network API makes, in Neutron's names, over
the same per-project limits the Compute API shows (floating IPs, security
groups and rules are one limit for both). Members read their project's;
administrators change and reset them and list the projects that have their
own."""
from nova import exception
from nova import quota
from nova.api.openstack.network import base, faults

# Neutron's name -> nova's resource
NAMES = {'network': 'networks', 'subnet': 'subnets', 'port': 'ports',
         'floatingip': 'floating_ips', 'security_group': 'security_groups',
         'security_group_rule': 'security_group_rules'}


def _limits(context, project_id):
    limits = quota.limits_for(context, project_id)
    return {name: limits[resource] for name, resource in NAMES.items()}


class QuotaController:
    def index(self, req):
        """Projects with limits of their own (admins)."""
        context = req.context
        base.authorize(context, 'update_quota')
        projects = quota.projects_with_limits(context, NAMES.values())
        return base.ok({'quotas': [dict(_limits(context, p), project_id=p, tenant_id=p)
                                   for p in projects]})

    def show(self, req, id):
        context = req.context
        base.authorize(context, 'get_quota', id)
        return base.ok({'quota': _limits(context, id)})

    def defaults(self, req, id):
        context = req.context
        base.authorize(context, 'get_quota', id)
        defaults = quota.class_limits(context)
        return base.ok({'quota': {name: defaults[resource]
                                  for name, resource in NAMES.items()}})

    def details(self, req, id):
        context = req.context
        base.authorize(context, 'get_quota', id)
        limits, used = _limits(context, id), quota.network_usage(context, id)
        return base.ok({'quota': {name: {'limit': limits[name], 'used': used[resource],
                                         'reserved': 0}
                                  for name, resource in NAMES.items()}})

    def update(self, req, id):
        context = req.context
        base.authorize(context, 'update_quota', id)
        values = base.only(base.body(req, 'quota'), NAMES, 'quota')
        try:
            quota.update_project_quotas(context, id, {NAMES[name]: value
                                                      for name, value in values.items()})
        except exception.Invalid as error:
            raise faults.bad_request(error.format_message()) from None
        return base.ok({'quota': _limits(context, id)})

    def delete(self, req, id):
        context = req.context
        base.authorize(context, 'delete_quota', id)
        quota.revert_project_quotas(context, id, resources=NAMES.values())
        return base.ok(None, 204)
