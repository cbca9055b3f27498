"""/os-floating-ips and /os-floating-ip-pools (the proxies, to 2.35) and the
addFloatingIp/removeFloatingIp server actions (to 2.43), as Nova served them.

nova.network.api owns the rules (ownership, quota, exhausted pools, one
floating IP per fixed IP); this module maps its errors onto Nova's statuses
and messages: an exhausted pool and an unknown one are 404, the quota 403, an
address of another project is not found, and associating an associated
address moves it, as Nova did.
"""
import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import servers
from nova.api.openstack.compute.schemas import networks as schema
from nova.compute import api as compute_api
from nova.i18n import _
from nova.network import api as network_api
from nova.network import model as network_model

MAX_VERSION = '2.35'
MAX_ACTION_VERSION = '2.43'
RULE = 'os_compute_api:os-floating-ips:%s'


def floating_ip_view(floating):
    return {'id': floating['uuid'], 'ip': floating['address'], 'pool': floating['pool'],
            'fixed_ip': floating['fixed_ip'], 'instance_id': floating['instance_uuid']}


def _target(context):
    return {'project_id': context.project_id, 'user_id': context.user_id}


class FloatingIPController(wsgi.Controller):
    def __init__(self, api=None):
        self.network_api = api or network_api.API()

    def _get(self, context, floating_id):
        try:
            return self.network_api.get_floating_ip(context, floating_id)
        except exception.NotFound:
            raise webob.exc.HTTPNotFound(
                explanation=_('Floating IP not found for ID %s') % floating_id) from None

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        context = req.context
        policy.authorize(context, RULE % 'list', _target(context))
        return {'floating_ips': [floating_ip_view(f) for f in
                                 self.network_api.get_floating_ips_by_project(context)]}

    @wsgi.api_version('2.1', MAX_VERSION)
    def show(self, req, id):
        context = req.context
        policy.authorize(context, RULE % 'show', _target(context))
        return {'floating_ip': floating_ip_view(self._get(context, id))}

    @wsgi.api_version('2.1', MAX_VERSION)
    @validation.schema(schema.create_floating_ip)
    def create(self, req, body):
        context = req.context
        policy.authorize(context, RULE % 'create', _target(context))
        pool = (body or {}).get('pool')
        try:
            floating = self.network_api.allocate_floating_ip(context, pool)
        except exception.NoMoreFloatingIps:
            raise webob.exc.HTTPNotFound(explanation=(
                'No more floating IPs in pool %s.' % pool if pool
                else 'No more floating IPs available.')) from None
        except exception.OverQuota:
            raise webob.exc.HTTPForbidden(explanation=(
                'IP allocation over quota in pool %s.' % pool if pool
                else 'IP allocation over quota.')) from None
        return {'floating_ip': floating_ip_view(floating)}

    @wsgi.api_version('2.1', MAX_VERSION)
    @wsgi.response(202)
    def delete(self, req, id):
        """Release the address, disassociating it first if needed (as Nova did)."""
        context = req.context
        policy.authorize(context, RULE % 'delete', _target(context))
        floating = self._get(context, id)
        self.network_api.release_floating_ip(context, floating['address'], disassociate=True)


class FloatingIPPoolsController(wsgi.Controller):
    def __init__(self, api=None):
        self.network_api = api or network_api.API()

    @wsgi.api_version('2.1', MAX_VERSION)
    def index(self, req):
        context = req.context
        policy.authorize(context, 'os_compute_api:os-floating-ip-pools:list', _target(context))
        return {'floating_ip_pools': [{'name': name} for name in
                                      self.network_api.get_floating_ip_pools(context)]}


class FloatingIPActionController(wsgi.Controller):
    """addFloatingIp and removeFloatingIp (POST /servers/{id}/action)."""

    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()
        self.network_api = network_api.API()

    def _instance(self, req, server_id, action):
        instance = self.compute_api.get(req.context, server_id)
        policy.authorize(req.context, RULE % action, servers.target(instance))
        return instance

    @wsgi.api_version('2.1', MAX_ACTION_VERSION)
    @wsgi.action('addFloatingIp')
    @validation.schema(schema.add_floating_ip)
    def add_floating_ip(self, req, id, body):
        context = req.context
        instance = self._instance(req, id, 'add')
        values = body['addFloatingIp']
        address, fixed_address = values['address'], values.get('fixed_address')
        fixed = network_model.fixed_ips(self.network_api.get_instance_nw_info(context, instance))
        if not fixed:
            raise webob.exc.HTTPBadRequest(explanation=_('No fixed IPs associated to instance'))
        if fixed_address is not None and fixed_address not in fixed:
            raise webob.exc.HTTPBadRequest(
                explanation=_('Specified fixed address not assigned to instance'))
        try:
            self.network_api.associate_floating_ip(context, instance, address, fixed_address,
                                                   reassociate=True)
        except exception.FloatingIpNotFoundForAddress:
            raise webob.exc.HTTPNotFound(explanation=_('floating IP not found')) from None
        except exception.InstanceNotOnNetwork as error:
            raise webob.exc.HTTPBadRequest(explanation=(
                _('Unable to associate floating IP %s to any fixed IPs for instance %s. '
                  'Instance has no fixed IPv4 addresses to associate. (%s)')
                % (address, instance.uuid, error.format_message()))) from None
        except (exception.FloatingIpAssociated, exception.FixedIpHasFloatingIp) as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None

    @wsgi.api_version('2.1', MAX_ACTION_VERSION)
    @wsgi.action('removeFloatingIp')
    @validation.schema(schema.remove_floating_ip)
    def remove_floating_ip(self, req, id, body):
        context = req.context
        instance = self._instance(req, id, 'remove')
        address = body['removeFloatingIp']['address']
        try:
            floating = self.network_api.get_floating_ip_by_address(context, address)
        except exception.FloatingIpNotFoundForAddress:
            raise webob.exc.HTTPNotFound(explanation=_('floating IP not found')) from None
        if floating['instance_uuid'] != instance.uuid:
            raise webob.exc.HTTPConflict(
                explanation=_('Floating IP %s is not associated with instance %s.')
                % (address, id))
        try:
            self.network_api.disassociate_floating_ip(context, address, instance)
        except exception.FloatingIpNotAssociated:
            raise webob.exc.HTTPConflict(
                explanation=_('Floating IP %s is not associated with instance %s.')
                % (address, id)) from None
