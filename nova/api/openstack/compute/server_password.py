"""/servers/{id}/os-server-password: the password the server posted through the
metadata service (encrypted with its key pair's public key, base64), and clear it."""
from nova import policy
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.compute import api as compute_api


class ServerPasswordController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    def index(self, req, server_id):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'os_compute_api:os-server-password:show',
                         servers.target(instance))
        return {'password': self.compute_api.get_password(instance)}

    @wsgi.response(204)
    def clear(self, req, server_id):
        """Forget the posted password (the guest's own password is unchanged)."""
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, 'os_compute_api:os-server-password:clear',
                         servers.target(instance))
        self.compute_api.set_password(req.context, instance, '')
