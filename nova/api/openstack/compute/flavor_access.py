"""Who may use a private flavor: /flavors/{id}/os-flavor-access and the
addTenantAccess / removeTenantAccess actions (admins only)."""
import webob.exc

from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import flavors as flavors_api
from nova.api.openstack.compute.schemas import flavors as schema
from nova.compute import flavors
from nova.i18n import _

RULE = 'os_compute_api:os-flavor-access'


def _access_list(flavor_id, context):
    return {'flavor_access': [{'flavor_id': flavor_id, 'tenant_id': project_id}
                              for project_id in flavors.get_access(flavor_id, context)]}


class FlavorAccessController(wsgi.Controller):
    def index(self, req, flavor_id):
        policy.authorize(req.context, RULE, {})
        flavor = flavors_api.get_flavor(req.context, flavor_id)
        if flavor.is_public:
            raise webob.exc.HTTPNotFound(
                explanation=_('Access list not available for public flavors.'))
        return _access_list(flavor_id, req.context)


class FlavorActionController(wsgi.Controller):
    """POST /flavors/{id}/action."""

    @wsgi.action('addTenantAccess')
    @wsgi.response(200)
    @validation.schema(schema.add_tenant_access)
    def add_tenant_access(self, req, id, body):
        context = req.context
        policy.authorize(context, RULE + ':add_tenant_access', {})
        project_id = body['addTenantAccess']['tenant']
        flavors_api.get_flavor(context, id)
        common.check_project(context, project_id)
        flavors.add_access(id, project_id, ctxt=context)
        return _access_list(id, context)

    @wsgi.action('removeTenantAccess')
    @wsgi.response(200)
    @validation.schema(schema.remove_tenant_access)
    def remove_tenant_access(self, req, id, body):
        context = req.context
        policy.authorize(context, RULE + ':remove_tenant_access', {})
        flavors_api.get_flavor(context, id)
        flavors.remove_access(id, body['removeTenantAccess']['tenant'], ctxt=context)
        return _access_list(id, context)
