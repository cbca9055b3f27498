"""The network API (port 9696, catalog type ``network``): a Neutron v2.0 subset over
nova-network, so that today's clients (`openstack network ...`, openstacksdk)
manage networks, subnets, ports, floating IPs, security groups and quotas.

``/`` lists the versions and ``/v2.0`` is the version document (no auth;
nova.api.openstack:version_or_api_factory splits them); everything under
``/v2.0/`` goes through the pipeline ``--auth_strategy`` picks and ends in the
router below. The resources translate to
nova.network.api, nova.network.subnets, nova.network.ports and
nova.network.security_groups; doc/network.md says what a Neutron user will
and will not find here.
"""
import json

import webob
import webob.dec

from nova.api.openstack.network import base
from nova.api.openstack.network import floatingips, networks, ports, quotas
from nova.api.openstack.network import security_groups
from nova.auth import endpoints
from nova.i18n import _

VERSION = 'v2.0'
# what is really served: clients read this list to adapt
EXTENSIONS = (
    ('security-group', 'security-group', 'The security groups and ingress rules compute '
     'hosts enforce.'),
    ('external-net', 'External Network', 'Floating IP pools as router:external networks.'),
    ('quotas', 'Quota management support', 'Per-project limits of networks, subnets, '
     'ports, floating IPs, security groups and rules.'),
    ('quota_details', 'Quota details management support', 'Used and reserved quota.'),
    ('project-id', 'project_id field enabled', 'project_id beside tenant_id.'),
    ('binding', 'Port Binding', "A port's host and VIF type (administrators)."),
    ('provider', 'Provider Network', "A network's segment type and id (administrators)."),
    ('net-mtu', 'Network MTU', "A network's MTU."),
    ('standard-attr-revisions', 'Resource revision numbers', 'revision_number.'),
    ('standard-attr-timestamp', 'Resource timestamps', 'created_at and updated_at.'),
    ('pagination', 'Pagination support', 'limit, marker and page_reverse.'),
    ('sorting', 'Sorting support', 'sort_key and sort_dir.'),
    ('filter-validation', 'Filter parameters validation', 'Unknown filters are 400.'),
)
COLLECTIONS = ('networks', 'subnets', 'ports', 'floatingips', 'security-groups',
               'security-group-rules', 'quotas')


def _json(body, status=200):
    return webob.Response(status=status, content_type='application/json', charset='utf-8',
                          body=json.dumps(body).encode('utf-8'))


def _base_url(req):
    return endpoints.url('network', '', endpoints.request_host(req.host))


class Versions:
    """GET / (the version list) and GET /v2.0 (the resources), without auth."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        host = _base_url(req)
        if not req.script_name.rstrip('/').endswith('/' + VERSION):
            return _json({'versions': [{'id': VERSION, 'status': 'CURRENT', 'links': [
                {'rel': 'self', 'href': '%s/%s/' % (host, VERSION)}]}]})
        return _json({'resources': [
            {'name': name.rstrip('s').replace('-', '_'), 'collection': name,
             'links': [{'rel': 'self', 'href': '%s/%s/%s' % (host, VERSION, name)}]}
            for name in COLLECTIONS]})


def extensions(req):
    views = [{'alias': alias, 'name': name, 'description': description, 'links': [],
              'updated': '2013-01-20T00:00:00-00:00'}
             for alias, name, description in EXTENSIONS]
    return base.ok({'extensions': views})


def extension(req, alias):
    for view in extensions(req)[1]['extensions']:
        if view['alias'] == alias:
            return base.ok({'extension': view})
    raise base.faults.NeutronError(404, 'HTTPNotFound', _('Extension with alias %s does not '
                                   'exist') % alias)


def route_table():
    network, subnet = networks.NetworkController(), networks.SubnetController()
    port, floating = ports.PortController(), floatingips.FloatingIPController()
    group = security_groups.SecurityGroupController()
    rule = security_groups.SecurityGroupRuleController()
    quota = quotas.QuotaController()
    crud = []
    for path, controller in (('/networks', network), ('/subnets', subnet), ('/ports', port),
                             ('/floatingips', floating), ('/security-groups', group),
                             ('/security-group-rules', rule)):
        crud.append((path, {'GET': controller.index, 'POST': controller.create}))
        crud.append((path + '/{id}', {'GET': controller.show, 'DELETE': controller.delete,
                                      **({'PUT': controller.update}
                                         if hasattr(controller, 'update') else {})}))
    return [
        ('/extensions', {'GET': extensions}),
        ('/extensions/{alias}', {'GET': extension}),
        *crud,
        ('/quotas', {'GET': quota.index}),
        ('/quotas/{id}', {'GET': quota.show, 'PUT': quota.update, 'DELETE': quota.delete}),
        ('/quotas/{id}/default', {'GET': quota.defaults}),
        ('/quotas/{id}/details', {'GET': quota.details}),
    ]


def app_factory(global_conf, **local_conf):
    return base.Router(route_table())
