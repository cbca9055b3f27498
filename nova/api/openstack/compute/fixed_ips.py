"""/os-fixed-ips/{address} (admin, to 2.35): what holds a fixed IP, and keeping a
free one out of allocation (reserve/unreserve), as Nova served them."""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import networks as schema
from nova.i18n import _
from nova.network import api as network_api

MAX_VERSION = '2.35'
RULE = 'os_compute_api:os-fixed-ips:%s'


class FixedIPController(wsgi.Controller):
    def __init__(self, api=None):
        self.network_api = api or network_api.API()

    def _lookup(self, context, address):
        try:
            return self.network_api.get_fixed_ip_by_address(context, address)
        except exception.Invalid:
            raise webob.exc.HTTPBadRequest(
                explanation=_('Fixed IP %s not valid') % address) from None
        except exception.FixedIpNotFoundForAddress:
            raise webob.exc.HTTPNotFound(
                explanation=_('Fixed IP %s not found') % address) from None

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        context = req.context
        policy.authorize(context, RULE % 'show')
        fixed = self._lookup(context, id)
        view = {'address': fixed['address'], 'cidr': fixed['cidr'],
                'hostname': fixed['hostname'], 'host': fixed['host']}
        if req.is_version('2.4'):
            view['reserved'] = fixed['reserved']
        return {'fixed_ip': view}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    @validation.schema(schema.fixed_ip_action)
    def action(self, req, id, body):
        """reserve / unreserve; an address an instance holds cannot change (409)."""
        context = req.context
        name = next(iter(body))
        policy.authorize(context, RULE % name)
        self._lookup(context, id)
        if name == 'reserve':
            self.network_api.reserve_fixed_ip(context, id)
        else:
            self.network_api.unreserve_fixed_ip(context, id)
