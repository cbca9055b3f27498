"""/os-floating-ips-bulk (admin, to 2.35): add and remove whole ranges of floating
IPs to pools, list them (all, or those a network host NATs), as Nova did."""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute.schemas import networks as schema
from nova.conf import CONF
from nova.i18n import _
from nova.network import api as network_api

MAX_VERSION = '2.35'
RULE = 'os_compute_api:os-floating-ips-bulk:%s'


def _view(floating):
    return {'address': floating['address'], 'instance_uuid': floating['instance_uuid'],
            'fixed_ip': floating['fixed_ip'], 'interface': floating['interface'],
            'pool': floating['pool'], 'project_id': floating['project_id']}


class FloatingIPBulkController(wsgi.Controller):
    def __init__(self, api=None):
        self.network_api = api or network_api.API()

    def _list(self, req, host=None):
        policy.authorize(req.context, RULE % 'list')
        return {'floating_ip_info': [_view(f) for f in self.network_api.get_all_floating_ips(
            req.context, host=host)]}

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        return self._list(req)

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        """The floating IPs the network host ``id`` NATs."""
        return self._list(req, host=id)

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.floating_ips_bulk_create)
    def create(self, req, body):
        policy.authorize(req.context, RULE % 'create')
        values = body['floating_ips_bulk_create']
        pool = values.get('pool') or CONF.default_floating_pool
        interface = values.get('interface')
        try:
            self.network_api.create_floating_ips(req.context, values['ip_range'], pool=pool,
                                                 interface=interface)
        except exception.Invalid as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
        return {'floating_ips_bulk_create': {'ip_range': values['ip_range'], 'pool': pool,
                                             'interface': interface}}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.floating_ips_bulk_delete)
    def delete(self, req, id, body):
        """PUT /os-floating-ips-bulk/delete {"ip_range": ...}."""
        if id != 'delete':
            raise webob.exc.HTTPNotFound(explanation=_('Unknown action %s') % id)
        policy.authorize(req.context, RULE % 'delete')
        ip_range = body['ip_range']
        try:
            self.network_api.delete_floating_ips(req.context, ip_range)
        except exception.Invalid as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
        return {'floating_ips_bulk_delete': ip_range}
