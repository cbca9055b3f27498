"""/servers: create, list (+ detail), show, update, delete.

Translation only: the compute API decides (quota, state, lock, ownership);
this module maps the request onto its arguments and its rows onto the
documented bodies (views/servers.py).
"""
import ipaddress

import webob.exc

from nova import exception
from nova import policy
from nova.api.openstack import common
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from nova.api.openstack.compute import server_lists
from nova.api.openstack.compute.schemas import servers as schema
from nova.api.openstack.compute.views import servers as views
from nova.auth import passwords
from nova.compute import api as compute_api
from nova.compute import disk_config
from nova.compute import flavors
from nova.compute import hosts as compute_hosts
from nova.i18n import _

ADMIN_PASSWORD_LENGTH = 12


def target(instance):
    return {'project_id': instance.project_id, 'user_id': instance.user_id}


def get_flavor(context, flavor_ref, message='Invalid flavorRef provided.'):
    """The live flavor a flavorRef (an id or a link ending in one) names, or 400."""
    flavorid = str(flavor_ref).rstrip('/').rsplit('/', 1)[-1]
    try:
        return flavors.get_by_flavor_id(flavorid, context, read_deleted='no')
    except exception.FlavorNotFound:
        raise webob.exc.HTTPBadRequest(explanation=message) from None


def normalized_ipv6(value):
    """accessIPv6 as Nova stores it: the address's canonical (compressed) form."""
    if not value:
        return value
    try:
        return str(ipaddress.IPv6Address(value))
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation=_('accessIPv6 %r is not a valid IPv6 address') % (value,)) from None


def _boot_devices(server):
    """(imageRef, block_device_mapping_v2): the legacy block_device_mapping becomes v2;
    an image -> local root mapping that repeats imageRef is the image (what
    `openstack server create --image` sends beside it)."""
    image_ref = server.get('imageRef') or None
    mappings = [dict(m) for m in server.get('block_device_mapping_v2') or []]
    for legacy in server.get('block_device_mapping') or []:
        if legacy.get('no_device') or legacy.get('virtual_name'):
            continue  # the flavor's disks: nothing to map
        snapshot_id = legacy.get('snapshot_id')
        mappings.append({
            'source_type': 'snapshot' if snapshot_id else 'volume',
            'destination_type': 'volume', 'uuid': snapshot_id or legacy.get('volume_id'),
            'device_name': legacy.get('device_name'),
            'volume_size': legacy.get('volume_size'),
            'delete_on_termination': _bool(legacy.get('delete_on_termination')),
            'boot_index': 0 if not image_ref and legacy.get('device_name', '').endswith(
                'da') else None})
    for mapping in mappings:
        if mapping.get('image_id') and not mapping.get('uuid'):
            mapping['uuid'] = mapping.pop('image_id')
    kept = []
    for mapping in mappings:
        local_image = (mapping.get('source_type') == 'image' and
                       mapping.get('destination_type', 'local') == 'local' and
                       str(mapping.get('boot_index')) == '0')
        if local_image:
            if image_ref and mapping.get('uuid') and mapping['uuid'] != image_ref:
                raise webob.exc.HTTPBadRequest(explanation=(
                    _('The block device mapping image %s is not imageRef %s')
                    % (mapping['uuid'], image_ref)))
            image_ref = image_ref or mapping.get('uuid')
            continue
        kept.append(mapping)
    return image_ref, kept


def _bool(value):
    return common.is_true(value) if value is not None else False


class ServersController(wsgi.Controller):
    def __init__(self, api=None):
        self.compute_api = api or compute_api.API()

    # ------------------------------------------------------------------ reads
    @server_lists.query_schemas
    def index(self, req):
        policy.authorize(req.context, 'os_compute_api:servers:index')
        with server_lists.building_page(req):
            instances, limit = server_lists.get_servers(req, self.compute_api, detail=False)
            page = views.ServerViews(req, self.compute_api)
            body = {'servers': [page.basic(instance) for instance in instances]}
        return self._with_links(req, body, limit, 'servers', body['servers'])

    @server_lists.query_schemas
    def detail(self, req):
        policy.authorize(req.context, 'os_compute_api:servers:detail')
        with server_lists.building_page(req):
            instances, limit = server_lists.get_servers(req, self.compute_api, detail=True,
                                                        partial=views.keeps_views())
            page = views.ServerViews(req, self.compute_api, instances)
            body = {'servers': page.page(instances)}  # mostly encoded fragments: no 'id' to read
            shown = [{'id': instance.uuid} for instance in instances]
        return self._with_links(req, body, limit, 'servers/detail', shown)

    @staticmethod
    def _with_links(req, body, limit, collection, shown):
        """body with its servers_links when the page is full (shown: [{'id'}] of it)."""
        links = common.next_link(req, shown, limit, collection)
        if links:
            body['servers_links'] = links
        return body

    def show(self, req, id):
        instance = self.compute_api.get(req.context, id)
        policy.authorize(req.context, 'os_compute_api:servers:show', target(instance))
        page = views.ServerViews(req, self.compute_api, [instance])
        return {'server': page.server(instance, groups=True)}

    # ----------------------------------------------------------------- create
    @wsgi.response(202)
    @validation.schema(schema.create, '2.1', '2.18')
    @validation.schema(schema.create_v219, '2.19', '2.31')
    @validation.schema(schema.create_v232, '2.32', '2.36')
    @validation.schema(schema.create_v237, '2.37', '2.41')
    @validation.schema(schema.create_v242, '2.42', '2.51')
    @validation.schema(schema.create_v252, '2.52', '2.56')
    @validation.schema(schema.create_v257, '2.57', '2.62')
    @validation.schema(schema.create_v263, '2.63', '2.73')
    @validation.schema(schema.create_v274, '2.74', '2.89')
    @validation.schema(schema.create_v290, '2.90', '2.93')
    @validation.schema(schema.create_v294, '2.94')
    def create(self, req, body):
        context = req.context
        server = body['server']
        policy.authorize(context, 'os_compute_api:servers:create')
        self._refuse_unsupported(context, server)
        flavor = get_flavor(context, server['flavorRef'])
        image_ref, block_devices = _boot_devices(server)
        if block_devices:
            policy.authorize(context, 'os_compute_api:servers:create:attach_volume')
        min_count = int(server.get('min_count', 1))
        max_count = int(server.get('max_count', min_count))
        if min_count > max_count:
            raise webob.exc.HTTPBadRequest(
                explanation=_('min_count must be <= max_count'))
        # as Nova: the name before 2.19; from 2.19 the description given, or none
        description = server.get('description') if req.is_version('2.19') else server['name']
        hints = body.get('os:scheduler_hints') or body.get('OS-SCH-HNT:scheduler_hints')
        password = server.get('adminPass') or passwords.generate_password(ADMIN_PASSWORD_LENGTH)
        try:
            instances, reservation_id = self.compute_api.create(
                context, flavor, image_ref, display_name=server['name'],
                display_description=description, min_count=min_count, max_count=max_count,
                key_name=server.get('key_name'), user_data=server.get('user_data'),
                metadata=server.get('metadata'),
                availability_zone=self._zone(context, server),
                scheduler_hints=hints,
                security_groups=[g['name'] for g in server.get('security_groups', [])
                                 if g.get('name')] or None,
                tags=server.get('tags'), access_ip_v4=server.get('accessIPv4'),
                access_ip_v6=normalized_ipv6(server.get('accessIPv6')),
                config_drive=_bool(server.get('config_drive')),
                hostname=server.get('hostname'),
                requested_networks=self._requested_networks(context, server),
                auto_disk_config=disk_config.api_value(server.get('OS-DCF:diskConfig')),
                admin_password=password, block_device_mapping=block_devices,
                supports_multiattach=req.is_version('2.60'))
        except exception.ImageNotFound:
            raise webob.exc.HTTPBadRequest(explanation=_('Can not find requested image')) from None
        except exception.KeypairNotFound:
            raise webob.exc.HTTPBadRequest(explanation=_('Invalid key_name provided.')) from None
        except (exception.InstanceGroupNotFound, exception.FlavorNotFound,
                exception.SecurityGroupNotFound, exception.NetworkNotFound,
                exception.VolumeNotFound, exception.SnapshotNotFound,
                exception.FixedIpAlreadyInUse, exception.FixedIpInvalid,
                exception.PortNotFound) as error:
            raise webob.exc.HTTPBadRequest(explanation=error.format_message()) from None
        except exception.PortInUse as error:
            raise webob.exc.HTTPConflict(explanation=error.format_message()) from None
        if _bool(server.get('return_reservation_id')):
            return {'reservation_id': reservation_id}
        page = views.ServerViews(req, self.compute_api)
        created = page.basic(instances[0])
        del created['name']  # Nova's create answer has no name
        created.update({
            'OS-DCF:diskConfig': 'AUTO' if instances[0].auto_disk_config else 'MANUAL',
            'security_groups': [{'name': n} for n in instances[0].security_groups or []],
            'adminPass': password,
        })
        return wsgi.ResponseObject({'server': created},
                                   headers={'Location': created['links'][0]['href']})

    @staticmethod
    def _requested_networks(context, server):
        """'networks' for the compute API: None (auto), 'none', or [{uuid, fixed_ip,
        port}] (a network may be named more than once: one interface each)."""
        networks = server.get('networks')
        if networks in (None, 'auto'):
            return None
        if networks == 'none':
            return 'none'
        if not networks:
            return None  # an empty list, before 2.37: as if none were given
        policy.authorize(context, 'os_compute_api:servers:create:attach_network')
        requested = []
        for network in networks:
            if network.get('port'):
                requested.append({'uuid': None, 'fixed_ip': None, 'port': network['port']})
                continue
            if not network.get('uuid'):
                raise webob.exc.HTTPBadRequest(explanation=(
                    _('A requested network needs a uuid or a port')))
            requested.append({'uuid': network['uuid'], 'fixed_ip': network.get('fixed_ip'),
                              'port': None})
        ports = [r['port'] for r in requested if r['port']]
        if len(set(ports)) != len(ports):
            raise webob.exc.HTTPBadRequest(explanation=_('A port can be requested once'))
        return requested

    @staticmethod
    def _refuse_unsupported(context, server):
        """400 for what this cloud cannot do yet, rather than ignoring it."""
        if server.get('personality'):
            raise webob.exc.HTTPBadRequest(explanation=_('Personality files are not supported'))
        if server.get('trusted_image_certificates'):
            raise webob.exc.HTTPBadRequest(explanation=(
                _('Image signature certificate validation support is not enabled')))

    @staticmethod
    def _zone(context, server):
        """availability_zone for the compute API: 'zone', or 'zone:host' to pin a host."""
        zone = server.get('availability_zone')
        host, node = server.get('host'), server.get('hypervisor_hostname')
        if zone and ':' in zone:
            if host or node:
                raise webob.exc.HTTPBadRequest(explanation=(
                    _('host and hypervisor_hostname cannot be combined with the '
                      'zone:host:node format of availability_zone')))
            policy.authorize(context, 'os_compute_api:servers:create:forced_host')
            zone, _sep, host = zone.partition(':')
            host = host.partition(':')[0]
            return '%s:%s' % (zone, host) if host else zone
        if not (host or node):
            return zone
        policy.authorize(context, 'os_compute_api:servers:create:requested_destination')
        if node:
            hosts = {n.host for n, _svc in compute_hosts.HostAPI().hypervisors(
                context, node) if n.hypervisor_hostname == node}
            if len(hosts) != 1 or (host and host not in hosts):
                raise webob.exc.HTTPBadRequest(
                    explanation=_('Compute host %s could not be found.') % (host or node))
            host = hosts.pop()
        return '%s:%s' % (zone or '', host)

    # ---------------------------------------------------------- update, delete
    @validation.schema(schema.update, '2.1', '2.18')
    @validation.schema(schema.update_v219, '2.19', '2.89')
    @validation.schema(schema.update_v290, '2.90', '2.93')
    @validation.schema(schema.update_v294, '2.94')
    def update(self, req, id, body):
        context = req.context
        instance = self.compute_api.get(context, id)
        policy.authorize(context, 'os_compute_api:servers:update', target(instance))
        fields = {'name': 'display_name', 'description': 'display_description',
                  'accessIPv4': 'access_ip_v4', 'accessIPv6': 'access_ip_v6',
                  'hostname': 'hostname'}
        values = {column: body['server'][key] for key, column in fields.items()
                  if key in body['server']}
        if 'access_ip_v6' in values:
            values['access_ip_v6'] = normalized_ipv6(values['access_ip_v6'])
        if 'OS-DCF:diskConfig' in body['server']:
            values['auto_disk_config'] = disk_config.api_value(
                body['server']['OS-DCF:diskConfig'])
        if values:
            instance = self.compute_api.update(context, instance, **values)
        page = views.ServerViews(req, self.compute_api, [instance])
        return {'server': page.server(instance, full=req.is_version('2.75'), groups=True)}

    @wsgi.response(204)
    def delete(self, req, id):
        instance = self.compute_api.get(req.context, id)
        policy.authorize(req.context, 'os_compute_api:servers:delete', target(instance))
        self.compute_api.delete(req.context, instance)
