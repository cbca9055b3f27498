"""/flavors/{flavor_id}/os-extra_specs: a flavor's key/value scheduling hints.

Readers see the specs of flavors they may see; only admins change them.
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import flavors as flavors_api
from nova.api.openstack.compute.schemas import flavors as schema
from nova.compute import flavors
from nova.i18n import _

RULE = 'os_compute_api:os-flavor-extra-specs:%s'


class FlavorExtraSpecsController(wsgi.Controller):
    @staticmethod
    def _flavor(req, flavor_id, action):
        policy.authorize(req.context, RULE % action)
        return flavors_api.get_flavor(req.context, flavor_id)

    def index(self, req, flavor_id):
        flavor = self._flavor(req, flavor_id, 'index')
        return {'extra_specs': dict(flavor.extra_specs)}

    def show(self, req, flavor_id, id):
        flavor = self._flavor(req, flavor_id, 'show')
        specs = flavor.extra_specs
        if id not in specs:
            raise exception.FlavorExtraSpecsNotFound(flavor_id=flavor_id, extra_specs_key=id)
        return {id: specs[id]}

    @validation.schema(schema.extra_specs_create)
    def create(self, req, flavor_id, body):
        self._flavor(req, flavor_id, 'create')
        specs = flavors.validate_extra_specs(body['extra_specs'])
        flavors.set_extra_specs(flavor_id, specs, ctxt=req.context)
        return {'extra_specs': specs}

    @validation.schema(schema.extra_spec_update)
    def update(self, req, flavor_id, id, body):
        self._flavor(req, flavor_id, 'update')
        if id not in body:
            raise webob.exc.HTTPBadRequest(explanation=_('Request body and URI mismatch'))
        specs = flavors.validate_extra_specs(body)
        flavors.set_extra_specs(flavor_id, specs, ctxt=req.context)
        return specs

    def delete(self, req, flavor_id, id):
        """200 with no body, as Nova answers."""
        self._flavor(req, flavor_id, 'delete')
        flavors.unset_extra_spec(flavor_id, id, ctxt=req.context)
        return wsgi.ResponseObject(None, 200)
