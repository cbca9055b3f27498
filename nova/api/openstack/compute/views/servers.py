"""Server representations, per microversion, built without a query per server.

A ServerViews serves one request: it evaluates the policies once and fetches
what a page of servers shares (faults of ERROR/DELETED servers, the zones of
their hosts, the state of the hosts for host_status) in one call each, so a
page of 1,000 servers costs the same few queries as a page of one.
"""
import json
import time

from nova import policy
from nova.api.openstack import common
from nova.api.openstack.compute.views import server_cache
from nova.compute import hosts as compute_hosts
from nova.compute import server_groups
from nova.conf import CONF
from nova.network import api as network_api
from nova.network import model as network_model

EXTENDED_ATTRIBUTES = 'os_compute_api:os-extended-server-attributes'
HOST_STATUS = 'os_compute_api:servers:show:host_status'
FLAVOR_EXTRA_SPECS = 'os_compute_api:servers:show:flavor-extra-specs'
FAULT_STATUSES = ('ERROR', 'DELETED')
PROGRESS_STATUSES = ('ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING')
IMAGE_PROPERTY_PREFIX = 'image_'  # how compute keeps the image's properties


def keeps_views():
    """Whether GET /servers/detail keeps server views (server_cache): it then reads
    partial records and completes only the stale ones."""
    return CONF.osapi_server_view_cache_size > 0


def _allowed(context, rule):
    return policy.authorize(context, rule, do_raise=False)


_zone_cache = {'at': None, 'zones': {}}
ZONE_CACHE_SECONDS = 5  # like Nova's host zone cache: zones change rarely, pages often


def _host_zones(context):
    """{host: zone}, re-read from the aggregates at most every ZONE_CACHE_SECONDS."""
    now = time.monotonic()
    if _zone_cache['at'] is None or now - _zone_cache['at'] > ZONE_CACHE_SECONDS:
        _zone_cache['zones'] = compute_hosts.host_zones(context.elevated())
        _zone_cache['at'] = now
    return _zone_cache['zones']


class ServerViews:
    """Builds the server dicts of one request."""

    # the versions that change a server's representation, compared once per request
    VERSIONS = ('2.3', '2.9', '2.16', '2.19', '2.26', '2.47', '2.63', '2.71', '2.73', '2.90',
                '2.96', '2.98', '2.100')

    def __init__(self, req, compute_api, instances=()):
        self.req, self.context = req, req.context
        self.version = req.api_version
        self.at = {v: self.version >= v for v in self.VERSIONS}
        self.bases = common.url_base(req)
        self.compute_api = compute_api
        self.default_zone = CONF.default_availability_zone
        self._extended = None
        self.show_host_status = self.at['2.16'] and _allowed(self.context, HOST_STATUS)
        self.show_extra_specs = self.at['2.47'] and _allowed(self.context, FLAVOR_EXTRA_SPECS)
        self._host_ids = {}
        self._flavors = {}
        self._images = {}  # {image_ref: view}, below 2.98 (no properties)
        self._flavor_views = {}  # {id(flavor): (flavor, view)}
        self._zones = self._statuses = None
        self._faults = {}
        self._address_rows = {}  # {uuid: its interfaces' address rows}
        self._addresses = {}  # {uuid: the 'addresses' of its view, extended}, on first use
        self._instances = list(instances)
        self._volumes = None  # {uuid: [(volume id, delete_on_termination)]}, on first use
        self.load(instances)

    def load(self, instances):
        """Fetch, in one call each, what the views of these instances need."""
        failed = [i for i in instances
                  if common.status_from_state(i.vm_state, i.task_state) in FAULT_STATUSES]
        if failed:
            self._faults.update(self.compute_api.get_instance_faults(self.context, failed))
        if instances:
            self._address_rows.update(network_api.API().get_instances_address_rows(
                self.context, [i.uuid for i in instances]))

    @property
    def show_extended(self):
        if self._extended is None:  # only full views need it: checked on first use
            self._extended = _allowed(self.context, EXTENDED_ATTRIBUTES)
        return self._extended

    # ---------------------------------------------------------------- pieces
    def basic(self, instance):
        """{id, name, links}: GET /servers and the create response."""
        return {'id': instance.uuid, 'name': instance.display_name,
                'links': common.links(self.bases, 'servers', instance.uuid)}

    def _host_id(self, instance):
        key = (instance.project_id, instance.host)
        if key not in self._host_ids:
            self._host_ids[key] = common.host_id(instance.project_id, instance.host)
        return self._host_ids[key]

    def _image(self, instance):
        if not instance.image_ref:
            return ''
        if not self.at['2.98']:  # the servers of a page share a few images: one view each
            image = self._images.get(instance.image_ref)
            if image is None:
                image = self._images[instance.image_ref] = self._image_view(instance)
            return image
        return self._image_view(instance)

    def _image_view(self, instance):
        image = {'id': instance.image_ref, 'links': [{
            'rel': 'bookmark',
            'href': '%s/images/%s' % (self.bases[1], instance.image_ref)}]}
        if self.at['2.98']:
            cut = len(IMAGE_PROPERTY_PREFIX)
            image['properties'] = {k[cut:]: v for k, v in
                                   (instance.system_metadata or {}).items()
                                   if k.startswith(IMAGE_PROPERTY_PREFIX)}
        return image

    def _flavor(self, instance):
        flavor = (instance.flavor or {}).get('cur') or {}
        # the servers of a page share a few flavors (and their decoded JSON): one view each
        shown = self._flavor_views.get(id(flavor))
        if shown is not None and shown[0] is flavor:
            return shown[1]
        view = self._flavor_view(flavor)
        self._flavor_views[id(flavor)] = (flavor, view)
        return view

    def _flavor_view(self, flavor):
        if not self.at['2.47']:
            flavorid = str(flavor.get('flavorid', ''))
            if flavorid not in self._flavors:
                self._flavors[flavorid] = {'id': flavorid, 'links': [{
                    'rel': 'bookmark', 'href': '%s/flavors/%s' % (self.bases[1], flavorid)}]}
            return self._flavors[flavorid]
        embedded = {'vcpus': flavor.get('vcpus'), 'ram': flavor.get('memory_mb'),
                    'disk': flavor.get('root_gb'), 'ephemeral': flavor.get('ephemeral_gb'),
                    'swap': flavor.get('swap') or 0, 'original_name': flavor.get('name')}
        if self.show_extra_specs:
            embedded['extra_specs'] = dict(flavor.get('extra_specs') or {})
        return embedded

    def _fault(self, instance):
        faults = self._faults.get(instance.uuid)
        if not faults:
            return None
        fault = faults[0]
        body = {'code': fault.code, 'created': common.isotime(fault.created_at),
                'message': fault.message}
        if fault.details and (self.context.is_admin or fault.code != 500):
            body['details'] = fault.details
        return body

    def _zone(self, instance):
        """The zone of the instance's host (or the one it asked for, unscheduled)."""
        if not instance.host:
            return instance.availability_zone or ''
        if self._zones is None:
            self._zones = _host_zones(self.context)
        return self._zones.get(instance.host, self.default_zone)

    def _host_status(self, instance):
        if not instance.host:
            return ''
        if self._statuses is None:
            self._statuses = compute_hosts.host_statuses(self.context)
        return self._statuses.get(instance.host, '')

    def _server_groups(self, instance):
        return server_groups.InstanceGroupAPI.uuids_of_instance(self.context, instance.uuid)

    # ---------------------------------------------------------------- views
    def server(self, instance, full=True, groups=False):
        """The server dict of GET /servers/{id} and /servers/detail.

        full=False leaves out what PUT and rebuild omitted before 2.75;
        groups adds server_groups (2.71, not in lists).
        """
        at = self.at
        status = common.status_from_state(instance.vm_state, instance.task_state)
        server = {
            'id': instance.uuid, 'name': instance.display_name, 'status': status,
            'tenant_id': instance.project_id or '', 'user_id': instance.user_id or '',
            'metadata': instance.metadata_dict, 'hostId': self._host_id(instance),
            'image': self._image(instance), 'flavor': self._flavor(instance),
            'created': common.isotime(instance.created_at),
            'updated': common.isotime(instance.updated_at or instance.created_at),
            'addresses': self._addresses_of(instance, full),
            'accessIPv4': instance.access_ip_v4 or '',
            'accessIPv6': instance.access_ip_v6 or '',
            'links': common.links(self.bases, 'servers', instance.uuid),
            'OS-DCF:diskConfig': 'AUTO' if instance.auto_disk_config else 'MANUAL',
        }
        if status in FAULT_STATUSES:
            fault = self._fault(instance)
            if fault:
                server['fault'] = fault
        if status in PROGRESS_STATUSES:
            server['progress'] = instance.progress or 0
        show_extended = full and self.show_extended
        if full:
            self._add_full(server, instance, show_extended)
        if at['2.9']:
            server['locked'] = bool(instance.locked)
        if at['2.73']:
            server['locked_reason'] = (instance.system_metadata or {}).get(
                'locked_reason') or None
        if at['2.19']:
            server['description'] = instance.display_description
        if at['2.26']:
            server['tags'] = instance.tags
        if at['2.63']:
            server['trusted_image_certificates'] = None  # certificate validation is off
        if at['2.90'] and not show_extended:
            server['OS-EXT-SRV-ATTR:hostname'] = instance.hostname
        if groups and at['2.71']:
            server['server_groups'] = self._server_groups(instance)
        if at['2.96']:
            server['pinned_availability_zone'] = instance.availability_zone
        if at['2.100'] and full:
            server['scheduler_hints'] = json.loads(
                (instance.system_metadata or {}).get('scheduler_hints') or '{}')
        return server

    def page(self, instances):
        """The views of a GET /servers/detail page: a server whose view was rendered
        from the same inputs before comes from server_cache as its encoded JSON;
        the others (and those with a fault, read per request) are rendered, their
        partial records completed first in one query."""
        if not keeps_views():
            return [self.server(instance) for instance in self._complete(instances)]
        cache = server_cache.VIEWS
        variant = cache.variant((str(self.version), self.bases, self.show_extended,
                                 self.show_host_status, self.show_extra_specs))
        views, stale = [], []  # stale: (index in views, instance, digest or None)
        try:
            for instance in instances:
                if common.status_from_state(instance.vm_state,
                                            instance.task_state) in FAULT_STATUSES:
                    digest = None
                else:
                    digest = cache.digest(self._inputs(instance))
                    fragment = cache.get(variant, instance.uuid, digest)
                    if fragment is not None:
                        views.append(fragment)
                        continue
                stale.append((len(views), instance, digest))
                views.append(None)
            shown = {id(instance) for instance in self._complete([i for _n, i, _d in stale])}
            for index, instance, digest in stale:
                if id(instance) not in shown:
                    continue  # gone since the page was read
                server = self.server(instance)
                views[index] = server if digest is None else cache.put(
                    variant, instance.uuid, digest, server)
        except server_cache.EncodeError:  # what only the standard encoder takes
            return [self.server(instance) for instance in self._complete(instances)]
        return [view for view in views if view is not None]

    def _inputs(self, instance):
        """What a server's view is rendered from, beyond the request's variant: its
        (partial) record, address rows, volumes, zone and host status."""
        return (instance.__dict__, self._address_rows.get(instance.uuid),
                self._attached(instance), self._zone(instance),
                self._host_status(instance) if self.show_host_status else None)

    def _complete(self, instances):
        """instances with every column read (partial records completed in one query),
        less those gone since the page was read."""
        partial = [i for i in instances if not hasattr(i, 'id')]
        if not partial:
            return instances
        self.compute_api.complete_records(self.context, partial)
        return [i for i in instances if hasattr(i, 'id')]

    def _addresses_of(self, instance, full):
        addresses = self._addresses.get(instance.uuid)
        if addresses is None:
            addresses = self._addresses[instance.uuid] = network_model.addresses_from_rows(
                self._address_rows.get(instance.uuid, ()))
        if full:
            return addresses
        # PUT and rebuild before 2.75 show addresses without OS-EXT-IPS, as in Nova
        return {label: [{'version': entry['version'], 'addr': entry['addr']}
                        for entry in entries] for label, entries in addresses.items()}

    def _attached(self, instance):
        """[(volume id, delete_on_termination)]: one query for the whole page."""
        if self._volumes is None or instance.uuid not in self._volumes:
            loaded = self._instances if any(i.uuid == instance.uuid
                                             for i in self._instances) else [instance]
            self._volumes = dict(self._volumes or {}, **self.compute_api.volumes_attached(
                self.context, loaded))
        return self._volumes.get(instance.uuid, [])

    def _volumes_attached(self, instance):
        """[{'id'} (+ delete_on_termination from 2.3)]."""
        return [dict({'id': volume_id}, **({'delete_on_termination': on_termination}
                                           if self.at['2.3'] else {}))
                for volume_id, on_termination in self._attached(instance)]

    def _add_full(self, server, instance, show_extended):
        server['OS-EXT-AZ:availability_zone'] = self._zone(instance)
        server['config_drive'] = instance.config_drive or ''
        server['key_name'] = instance.key_name
        server['OS-SRV-USG:launched_at'] = common.strtime(instance.launched_at)
        server['OS-SRV-USG:terminated_at'] = common.strtime(instance.terminated_at)
        server['OS-EXT-STS:task_state'] = instance.task_state
        server['OS-EXT-STS:vm_state'] = instance.vm_state
        server['OS-EXT-STS:power_state'] = instance.power_state
        server['os-extended-volumes:volumes_attached'] = self._volumes_attached(instance)
        if instance.security_groups:  # as Nova: no key when the server is in none
            server['security_groups'] = [{'name': name} for name in instance.security_groups]
        if show_extended:
            server.update({
                'OS-EXT-SRV-ATTR:host': instance.host,
                'OS-EXT-SRV-ATTR:instance_name': instance.name,
                'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.node,
            })
            if self.at['2.3']:
                server.update({
                    'OS-EXT-SRV-ATTR:reservation_id': instance.reservation_id,
                    'OS-EXT-SRV-ATTR:launch_index': instance.launch_index,
                    'OS-EXT-SRV-ATTR:hostname': instance.hostname,
                    'OS-EXT-SRV-ATTR:kernel_id': instance.kernel_id or '',
                    'OS-EXT-SRV-ATTR:ramdisk_id': instance.ramdisk_id or '',
                    'OS-EXT-SRV-ATTR:root_device_name': instance.root_device_name,
                    'OS-EXT-SRV-ATTR:user_data': instance.user_data,
                })
        if self.show_host_status:
            server['host_status'] = self._host_status(instance)
