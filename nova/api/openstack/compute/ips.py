"""/servers/{id}/ips: the server's addresses by network label (version and addr)."""
import webob.exc

from nova import policy
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.compute import api as compute_api
from nova.i18n import _
from nova.network import api as network_api


class IPsController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()
        self.network_api = network_api.API()

    def _addresses(self, req, server_id, action):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'os_compute_api:ips:%s' % action,
                         servers.target(instance))
        return self.network_api.get_instances_addresses(
            req.context, [instance.uuid], extended=False)[instance.uuid]

    def index(self, req, server_id):
        return {'addresses': self._addresses(req, server_id, 'index')}

    def show(self, req, server_id, id):
        addresses = self._addresses(req, server_id, 'show')
        if id not in addresses:
            raise webob.exc.HTTPNotFound(
                explanation=_('Instance is not a member of specified network'))
        return {id: addresses[id]}
