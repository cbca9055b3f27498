"""/servers/{id}/topology (2.78): the server's NUMA topology.

No driver here places guests on NUMA nodes, so every server has the
topology Nova shows for a server without one: no nodes, no page size.
"""
from nova import policy
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.compute import api as compute_api


class ServerTopologyController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    @wsgi.api_version('2.78')
    def index(self, req, server_id):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'compute:server:topology:index',
                         servers.target(instance))
        return {'nodes': [], 'pagesize_kb': None}
