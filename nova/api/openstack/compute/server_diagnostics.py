"""/servers/{id}/diagnostics (admin): the driver's counters; standardized from 2.48."""
from nova import policy
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.views import diagnostics as views
from nova.compute import api as compute_api


class ServerDiagnosticsController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def index(self, req, server_id):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'os_compute_api:os-server-diagnostics',
                         servers.target(instance))
        blob = self.compute_api.get_diagnostics(req.context, instance)
        if req.is_version('2.48'):
            return views.standardized(blob, instance)
        return blob
