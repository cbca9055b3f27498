"""The public network API: what nova-compute and the front ends call.

Every rule about networks and addresses lives here once: who sees which
network, overlapping or invalid ranges, a network still in use, reserving an
address an instance holds, exhausted pools, floating IPs of another project,
associating an associated address, releasing an associated one. Front ends
(os-networks, os-floating-ips, EC2 addresses, nova-manage) only translate.
Reads and the floating IP bookkeeping are done here against the database;
allocation for instances goes to nova-network (rpcapi), which also
configures the hosts.

Floating IP results are dicts: {'id', 'address', 'pool', 'project_id',
'fixed_ip' (address or None), 'instance_uuid' (or None), 'auto_assigned',
'host', 'interface'}. Fixed IP results: {'address', 'network_uuid', 'cidr',
'instance_uuid', 'hostname', 'host', 'reserved', 'allocated', 'leased'}.
"""
import contextlib
import json
import logging

from nova import exception
from nova import quota
from nova import utils
from nova.conf import CONF
from nova.db import api as db
from nova.i18n import _
from nova.network import manager as network_manager
from nova.network import ids, model, ranges, rpcapi
from nova.rpc import errors as rpc_errors

LOG = logging.getLogger(__name__)

AUTO, NONE = network_manager.AUTO, network_manager.NONE
REQUESTED_NETWORKS = 'requested_networks'  # the system_metadata key keeping a request
# columns an admin may change with update_network
MUTABLE = ('label', 'dns1', 'dns2', 'mtu', 'priority', 'project_id', 'host', 'multi_host',
           'enable_dhcp', 'bridge_interface')
_UNSET = object()


def manager_class():
    """The configured --network_manager class (its class methods shape new networks)."""
    return utils.import_class(CONF.network_manager)


def _floating_dict(row, fixed_address=None, instance_uuid=None):
    return {'id': row.id, 'uuid': row.uuid, 'address': row.address, 'pool': row.pool,
            'project_id': row.project_id, 'fixed_ip': fixed_address,
            'instance_uuid': instance_uuid, 'auto_assigned': bool(row.auto_assigned),
            'host': row.host, 'interface': row.interface, 'description': row.description,
            'created_at': row.created_at, 'updated_at': row.updated_at,
            'revision_number': row.revision_number}


class API:
    """Networks, fixed and floating IPs, and the addresses of instances."""

    def __init__(self):
        self.network_rpcapi = rpcapi.NetworkAPI()

    # -- networks ---------------------------------------------------------------------
    def create_network(self, context, cidr, label=None, cidr_v6=None, gateway=None,
                       gateway_v6=None, dhcp_start=None, dns1=None, dns2=None, bridge=None,
                       bridge_interface=None, vlan=None, project_id=None, multi_host=None,
                       mtu=None, enable_dhcp=True, priority=None, host=None):
        """A new network (admin). CidrConflict when it overlaps a live one."""
        if not cidr:
            raise exception.InvalidInput(reason=_('a network needs a cidr'))
        values, addresses = ranges.network_layout(cidr, gateway, dhcp_start, cidr_v6,
                                                  gateway_v6)
        for field, value in (('dns1', dns1), ('dns2', dns2)):
            if value:
                values[field] = ranges.check_address(value, field)
        values.setdefault('dns1', CONF.flat_network_dns or None)
        if vlan is not None:
            values['vlan'] = _integer('vlan', vlan, 1, 16777215)
        if mtu is not None:
            values['mtu'] = _integer('mtu', mtu, 576, 65535)
        if label is not None and (not isinstance(label, str) or not 0 < len(label) <= 255):
            raise exception.InvalidInput(reason=_('label must be 1 to 255 characters'))
        for field, value in (('bridge', bridge), ('bridge_interface', bridge_interface)):
            if value is not None:
                values[field] = _device_name(field, value)
        values.update(label=label or values['cidr'], project_id=project_id or None,
                      multi_host=CONF.multi_host if multi_host is None else bool(multi_host),
                      enable_dhcp=bool(enable_dhcp), priority=priority, host=host or None)
        values = manager_class().network_values(context, values)
        return db.network_create_safe(context, values, addresses)

    def ensure_default_network(self, context):
        """The --fixed_range network, made when no network exists (bootstrap)."""
        if not CONF.fixed_range or db.network_get_all(context):
            return None
        try:
            return self.create_network(context, CONF.fixed_range,
                                       label=CONF.default_network_label)
        except (exception.CidrConflict, exception.NetworkExists):
            return None  # another bootstrap made it meanwhile

    def create_project_network(self, context, cidr, label=None):
        """A network of the caller's own project, within its networks quota."""
        values, addresses = ranges.network_layout(cidr)
        if label is not None and (not isinstance(label, str) or not 0 < len(label) <= 255):
            raise exception.InvalidInput(reason=_('label must be 1 to 255 characters'))
        values.update(label=label or values['cidr'], project_id=context.project_id,
                      dns1=CONF.flat_network_dns or None, multi_host=CONF.multi_host,
                      enable_dhcp=True)
        values = manager_class().network_values(context, values)
        limit = quota.limits_for(context, context.project_id)['networks']
        return db.network_create_safe(context, values, addresses, project_limit=limit)

    def get_all_networks(self, context, usable_by_project=False):
        """The networks the caller may use (an admin: every network, unless
        usable_by_project: those of the caller's project and the shared ones)."""
        if context.is_admin and not usable_by_project:
            return db.network_get_all(context)
        return db.network_get_all(context, project_id=context.project_id)

    def get_network(self, context, network_uuid):
        """One network the caller may use; another project's is NotFound."""
        network = db.network_get(context, network_uuid)
        if not context.is_admin and network.project_id not in (None, context.project_id):
            raise exception.NetworkNotFound(network_id=network_uuid)
        return network

    def delete_network(self, context, network_uuid):
        """Delete a network no instance holds an address of (NetworkInUse otherwise).
        Others than admins delete only their project's own networks (NotFound else)."""
        if not context.is_admin:
            network = self.get_network(context, network_uuid)
            if network.project_id != context.project_id:
                raise exception.NetworkNotFound(network_id=network_uuid)
        return db.network_delete_safe(context, network_uuid)

    def update_network(self, context, network_uuid, **values):
        """Change a network's label, DNS, MTU, priority, project, host, multi_host."""
        unknown = set(values) - set(MUTABLE)
        if unknown:
            raise exception.InvalidInput(reason=_('cannot change %s of a network')
                                         % ', '.join(sorted(unknown)))
        for field in ('dns1', 'dns2'):
            if values.get(field):
                values[field] = ranges.check_address(values[field], field)
        if values.get('mtu') is not None:
            values['mtu'] = _integer('mtu', values['mtu'], 576, 65535)
        return db.network_update(context, network_uuid, values)

    def add_network_to_project(self, context, project_id, network_uuid):
        """Give the project the named network."""
        if not network_uuid:
            raise exception.InvalidInput(reason=_('name the network to add (its id)'))
        return self.associate_network(context, network_uuid, project_id=project_id)

    def associate_network(self, context, network_uuid, project_id=_UNSET, host=_UNSET):
        """Give a network to a project and/or a network host."""
        values = {}
        if project_id is not _UNSET:
            values['project_id'] = project_id or None
        if host is not _UNSET:
            values['host'] = host or None
        return db.network_update(context, network_uuid, values)

    def disassociate_network(self, context, network_uuid, project=True, host=True):
        """Take a network from its project and/or its host."""
        values = {}
        if project:
            values['project_id'] = None
        if host:
            values['host'] = None
        return db.network_update(context, network_uuid, values)

    # -- fixed IPs ------------------------------------------------------------------------
    def get_fixed_ip_by_address(self, context, address):
        address = ranges.check_address(address)
        row = db.fixed_ip_get_by_address(context, address)
        return self._fixed_dicts(context, [row])[0]

    def get_fixed_ips(self, context, network_uuid=None):
        network_id = None
        if network_uuid is not None:
            network_id = db.network_get(context, network_uuid).id
        return self._fixed_dicts(context, db.fixed_ip_get_all(context, network_id=network_id))

    def _fixed_dicts(self, context, rows):
        networks = {n.id: n for n in db.network_get_all(context)}
        instances = {}
        held = sorted({r.instance_uuid for r in rows if r.instance_uuid})
        if held:
            instances = {i.uuid: i for i in db.instance_records_by_filters(
                context.elevated(read_deleted='yes'), {'uuid': held})}
        result = []
        for row in rows:
            network = networks.get(row.network_id)
            instance = instances.get(row.instance_uuid)
            result.append({'address': row.address,
                           'network_uuid': network.uuid if network else None,
                           'cidr': network.cidr if network else None,
                           'instance_uuid': row.instance_uuid,
                           'hostname': instance.hostname if instance else None,
                           'host': instance.host if instance else row.host,
                           'reserved': bool(row.reserved), 'allocated': bool(row.allocated),
                           'leased': bool(row.leased)})
        return result

    def reserve_fixed_ip(self, context, address):
        """Keep a free address out of allocation; one an instance holds cannot be."""
        address = ranges.check_address(address)
        db.fixed_ip_update(context, address, {'reserved': True},
                           expected={'instance_uuid': None, 'virtual_interface_id': None})

    def unreserve_fixed_ip(self, context, address):
        address = ranges.check_address(address)
        db.fixed_ip_update(context, address, {'reserved': False},
                           expected={'instance_uuid': None})

    # -- floating IPs ---------------------------------------------------------------------
    def get_floating_ip_pools(self, context):
        return db.floating_ip_pools(context)

    def find_pool(self, context, name_or_id):
        """The pool a name or its external network's id (nova.network.ids) names."""
        for pool in self.get_floating_ip_pools(context):
            if name_or_id in (pool, ids.pool_network_id(pool)):
                return pool
        raise exception.FloatingIpPoolNotFound(pool=name_or_id)

    def create_floating_ips(self, context, ip_range, pool=None, interface=None):
        """Add a range (CIDR or one address) to a pool (admin); how many were added."""
        addresses = ranges.floating_range(ip_range)
        pool = pool or CONF.default_floating_pool
        if interface is not None:
            interface = _device_name('interface', interface)
        return db.floating_ip_bulk_create(context, [
            {'address': a, 'pool': pool, 'interface': interface} for a in addresses])

    def delete_floating_ips(self, context, ip_range):
        """Remove a range's addresses (admin); associated ones refuse the delete."""
        return db.floating_ip_bulk_destroy(context, ranges.floating_range(ip_range))

    def get_all_floating_ips(self, context, host=None):
        """Every floating IP (admin), optionally only those NATed by a network host."""
        rows = db.floating_ip_get_all(context)
        return [_floating_dict(*row) for row in rows
                if host is None or row[0].host == host]

    def get_floating_ips_by_project(self, context):
        return [_floating_dict(*row)
                for row in db.floating_ip_get_all(context, project_id=context.project_id)]

    def get_floating_ip(self, context, floating_id):
        """One of the project's allocated floating IPs by its uuid (or integer id);
        NotFound otherwise."""
        for row in db.floating_ip_get_all(context, project_id=None if context.is_admin
                                          else context.project_id):
            if row[0].uuid and str(floating_id) in (row[0].uuid, str(row[0].id)):
                return _floating_dict(*row)
        raise exception.FloatingIpNotFoundForAddress(address='with id %s' % floating_id)

    def get_floating_ip_by_address(self, context, address):
        """One of the project's floating IPs; another project's (or a free one) is
        NotFound for all but admins."""
        address = ranges.check_address(address)
        rows = db.floating_ip_get_all(context, addresses=[address])
        if not rows or (not context.is_admin and rows[0][0].project_id != context.project_id):
            raise exception.FloatingIpNotFoundForAddress(address=address)
        return _floating_dict(*rows[0])

    def allocate_floating_ip(self, context, pool=None, auto_assigned=False, description=''):
        """A free address of the pool (a name, or its external network's id) for the
        caller's project, within its quota."""
        pool = pool or CONF.default_floating_pool
        try:
            pool = self.find_pool(context, pool)
        except exception.FloatingIpPoolNotFound:
            pass  # the allocation names it
        limit = quota.limits_for(context, context.project_id)['floating_ips']
        row = db.floating_ip_allocate(context, context.project_id, pool, limit,
                                      auto_assigned=auto_assigned, description=description)
        return _floating_dict(row)

    def update_floating_ip(self, context, address, description):
        """Change the description of one of the project's floating IPs."""
        self.get_floating_ip_by_address(context, address)
        with self._owned_address(context, address):
            return _floating_dict(db.floating_ip_update(context, address,
                                                        {'description': description}))

    def get_floating_ip_ports(self, context, floating):
        """{floating IP id: the port (VIF uuid) its fixed IP is on} of floating IP dicts."""
        return db.floating_ip_ports(context, [f['id'] for f in floating if f['fixed_ip']])

    def release_floating_ip(self, context, address, disassociate=False):
        """Give an address back to its pool. An associated one is FloatingIpAssociated,
        unless disassociate (the Compute and network APIs' delete): then it is
        disassociated first."""
        address = ranges.check_address(address)
        floating = self.get_floating_ip_by_address(context, address)
        _not_auto_assigned(floating)
        if disassociate:
            self._disassociate_if_associated(context, floating)
        with self._owned_address(context, address):
            db.floating_ip_deallocate(context, address, self._owner(context))

    def associate_floating_ip(self, context, instance, floating_address, fixed_address=None,
                              reassociate=False):
        """NAT a floating IP of the project to one of the instance's fixed IPs (its
        first one when none is named). An associated address is FloatingIpAssociated,
        unless reassociate: then it moves (Nova's and Neutron's behaviour). A fixed IP
        has at most one floating IP (FixedIpHasFloatingIp)."""
        floating_address = ranges.check_address(floating_address)
        fixed = model.fixed_ips(self.get_instance_nw_info(context, instance), version=4)
        if not fixed:
            raise exception.InstanceNotOnNetwork(instance_uuid=instance.uuid,
                                                 reason=_('to associate a floating IP with'))
        if fixed_address is None:
            fixed_address = fixed[0]
        elif ranges.check_address(fixed_address, 'fixed_address') not in fixed:
            raise exception.InstanceNotOnNetwork(instance_uuid=instance.uuid,
                                                 reason='%s' % fixed_address)
        if reassociate:
            current = self.get_floating_ip_by_address(context, floating_address)
            if current['fixed_ip'] == fixed_address:
                return current
            _not_auto_assigned(current)
            self._disassociate_if_associated(context, current)
        nat_host = self._nat_host(context, fixed_address, instance)
        with self._owned_address(context, floating_address):
            row, _fixed = db.floating_ip_associate(context, floating_address, fixed_address,
                                                   nat_host, self._owner(context))
        if nat_host:
            self.network_rpcapi.refresh_nat(context, server=nat_host)
        return _floating_dict(row, fixed_address, instance.uuid)

    @staticmethod
    def _nat_host(context, fixed_address, instance):
        """The network host that NATs for a fixed IP: the instance's own host on a
        multi_host network, else the network's host (None: nothing to configure)."""
        network = db.network_get_by_id(
            context, db.fixed_ip_get_by_address(context, fixed_address).network_id)
        return instance.host if network.multi_host else network.host

    def disassociate_floating_ip(self, context, floating_address, instance=None):
        """Stop NATing an address of the project (of instance, when given)."""
        floating_address = ranges.check_address(floating_address)
        current = self.get_floating_ip_by_address(context, floating_address)
        if instance is not None and current['instance_uuid'] != instance.uuid:
            raise exception.FloatingIpNotAssociated(address=floating_address)
        _not_auto_assigned(current)
        with self._owned_address(context, floating_address):
            before, fixed_address = db.floating_ip_disassociate(context, floating_address,
                                                               self._owner(context))
        if before['host']:
            self.network_rpcapi.refresh_nat(context, server=before['host'])
        return fixed_address

    def _disassociate_if_associated(self, context, floating):
        if floating['fixed_ip']:
            try:
                self.disassociate_floating_ip(context, floating['address'])
            except exception.FloatingIpNotAssociated:
                pass  # a concurrent request did it

    @staticmethod
    @contextlib.contextmanager
    def _owned_address(context, address):
        """Another project's address, or one no project has, is NotFound to all but
        admins (a project never learns what others hold)."""
        try:
            yield
        except (exception.Forbidden, exception.FloatingIpNotAllocated):
            if context.is_admin:
                raise
            raise exception.FloatingIpNotFoundForAddress(address=address) from None

    @staticmethod
    def _owner(context):
        """The project whose addresses the caller may touch (None: an admin, any)."""
        return None if context.is_admin else context.project_id

    # -- instances ----------------------------------------------------------------------
    def validate_networks(self, context, requested_networks, max_count):
        """The stored form of a server create's networks: None (auto), 'none', or
        [{'uuid', 'fixed_ip', 'port'}] of networks the caller may use, each fixed IP in
        its network and free, each port the project's and unbound. A fixed IP or a
        port cannot be asked for with more than one instance."""
        if requested_networks in (None, AUTO):
            return None
        if requested_networks == NONE:
            return NONE
        checked = []
        for request in requested_networks:
            if request.get('port'):
                if max_count > 1:
                    raise exception.InvalidInput(
                        reason=_('a port cannot be requested for more than one instance'))
                checked.append({'uuid': self._bindable_port(context, request['port']),
                                'fixed_ip': None, 'port': request['port']})
                continue
            network = self.get_network(context, request['uuid'])
            fixed_ip = request.get('fixed_ip')
            if fixed_ip:
                if max_count > 1:
                    raise exception.InvalidInput(
                        reason=_('a fixed IP cannot be requested for more than one instance'))
                fixed_ip = ranges.check_address(fixed_ip, 'fixed_ip', version=4)
                try:
                    row = db.fixed_ip_get_by_address(context, fixed_ip)
                except exception.FixedIpNotFoundForAddress:
                    raise exception.FixedIpInvalid(address=fixed_ip, reason=_('not in network %s')
                                                   % network.uuid) from None
                if row.network_id != network.id:
                    raise exception.FixedIpInvalid(address=fixed_ip, reason=_('not in network %s')
                                                   % network.uuid)
                if row.instance_uuid or row.reserved or row.virtual_interface_id:
                    raise exception.FixedIpAlreadyInUse(
                        address=fixed_ip, instance_uuid=row.instance_uuid or '(reserved)')
            checked.append({'uuid': network.uuid, 'fixed_ip': fixed_ip or None, 'port': None})
        return checked

    @staticmethod
    def _bindable_port(context, port_id):
        """The network uuid of a port of the caller's project that no instance has
        (PortNotFound, PortInUse otherwise)."""
        rows = db.port_get_all(context, port_uuids=[port_id],
                               project_id=None if context.is_admin else context.project_id)
        if not rows:
            raise exception.PortNotFound(port_id=port_id)
        vif, network, _addresses = rows[0]
        if vif.instance_uuid:
            raise exception.PortInUse(port_id=port_id, instance_uuid=vif.instance_uuid)
        return network.uuid

    @staticmethod
    def requested_networks(instance):
        """What validate_networks stored in the instance's system_metadata (None: auto)."""
        stored = (instance.system_metadata or {}).get(REQUESTED_NETWORKS)
        return json.loads(stored) if stored else None

    @staticmethod
    def requested_networks_metadata(checked):
        """The system_metadata entry keeping validate_networks' answer."""
        return {} if checked is None else {REQUESTED_NETWORKS: json.dumps(checked)}

    def allocate_for_instances(self, context, instances, host):
        """Addresses for instances being built on compute host: ({uuid: network_info},
        {uuid: exception}) -- one round trip to nova-network for the batch. With no
        network at all, nothing to ask: every instance gets []."""
        if not instances:
            return {}, {}
        multi_host = db.network_multi_host_flags(context)
        if not multi_host:
            return {i.uuid: [] for i in instances}, {}
        args = [{'uuid': i.uuid, 'project_id': i.project_id,
                 'requested_networks': self.requested_networks(i)} for i in instances]
        answer = self.network_rpcapi.allocate_for_instances(
            context, args, host, server=self._network_host(multi_host, host))
        failures = {uuid: rpc_errors.deserialize_failure(f)
                    for uuid, f in answer['failures'].items()}
        return answer['network_info'], failures

    def allocate_port_for_instance(self, context, instance, network_uuid=None, port_id=None,
                                   fixed_ip=None):
        """One more interface for an instance on its host (os-interface attach): a
        port of the project, or a new one on a network (with a chosen fixed IP).
        The new VIF (a network_info entry)."""
        requested = self.validate_networks(
            context, [{'uuid': network_uuid, 'port': port_id, 'fixed_ip': fixed_ip}], 1)
        answer = self.network_rpcapi.allocate_for_instances(
            context, [{'uuid': instance.uuid, 'project_id': instance.project_id,
                       'requested_networks': requested}], instance.host,
            server=self._network_host([n.multi_host for n in db.network_get_all(
                context.elevated(), uuids=[requested[0]['uuid']])],
                                      instance.host))
        failure = answer['failures'].get(instance.uuid)
        if failure:
            raise rpc_errors.deserialize_failure(failure)
        return answer['network_info'][instance.uuid][0]

    def deallocate_port_for_instance(self, context, instance, port_id):
        """Give back one interface of an instance (a port a user made is unbound)."""
        networks = [network for _vif, network, _addresses in db.port_get_all(
            context.elevated(), port_uuids=[port_id])]
        self.network_rpcapi.deallocate_port(
            context, instance.uuid, port_id, instance.host,
            server=self._network_host([n.multi_host for n in networks], instance.host))

    def deallocate_for_instance(self, context, instance):
        """Give the instance's addresses back (nothing to do, no round trip, if it has none)."""
        held = db.fixed_ip_network_ids_by_instance(context, instance.uuid)
        if not held:
            return
        networks = [db.network_get_by_id(context.elevated(read_deleted='yes'), network_id)
                    for network_id in held]
        self.network_rpcapi.deallocate_for_instance(
            context, instance.uuid, instance.host,
            server=self._network_host([n.multi_host for n in networks], instance.host))

    def migrate_instance_finish(self, context, instance, source, dest):
        """The instance now runs on ``dest`` (a live migration). On its multi_host
        networks the compute hosts are the DHCP servers and NAT gateways, each for its
        own instances: both hosts' nova-network serve the network anew (dest gives the
        guest its lease from now on, source forgets it), and the floating IPs source
        NATed to the instance move to dest's NAT. A host's dnsmasq lists the
        addresses marked with that host: the instance's now say dest."""
        held = db.fixed_ip_get_all(context, instance_uuids=[instance.uuid])
        admin = context.elevated(read_deleted='yes')
        local = {row.network_id for row in held
                 if db.network_get_by_id(admin, row.network_id).multi_host}
        for row in held:
            if row.network_id in local:
                db.fixed_ip_update(admin, row.address, {'host': dest},
                                   expected={'instance_uuid': instance.uuid})
        for network_id in sorted(local):
            for host in (dest, source):
                self.network_rpcapi.refresh_network(context, network_id, server=host)
        addresses = {row.address for row in held if row.network_id in local}
        moved = [row.address for row, fixed, _uuid in db.floating_ip_get_all(admin)
                 if fixed in addresses and row.host == source]
        for address in moved:
            db.floating_ip_update(admin, address, {'host': dest})
        if moved:
            for host in (source, dest):
                self.network_rpcapi.refresh_nat(context, server=host)

    @staticmethod
    def _network_host(multi_host, compute_host):
        """Where nova-network runs for instances of compute_host on networks of these
        multi_host flags: the compute host itself when they are multi_host, else any
        network host."""
        if compute_host and any(multi_host):
            return compute_host
        return None

    def get_instance_nw_info(self, context, instance):
        """The instance's network_info, read from the database."""
        return self.get_instances_nw_info(context, [instance.uuid])[instance.uuid]

    def get_instances_nw_info(self, context, instance_uuids):
        """{uuid: network_info} of many instances in one query."""
        rows = db.network_rows_by_instances(context, instance_uuids)
        return {uuid: model.from_rows(entries) for uuid, entries in rows.items()}

    def get_instances_addresses(self, context, instance_uuids, extended=True):
        """{uuid: the server view's 'addresses'} of many instances in one query,
        without their network_info (model.addresses_from_rows)."""
        rows = self.get_instances_address_rows(context, instance_uuids)
        return {uuid: model.addresses_from_rows(entries, extended)
                for uuid, entries in rows.items()}

    def get_instances_address_rows(self, context, instance_uuids):
        """{uuid: [rows]} that model.addresses_from_rows renders, in one query: the
        server views render only those of servers whose cached view is stale."""
        return db.address_rows_by_instances(context, instance_uuids)

    def get_instance_uuid_by_address(self, context, address, floating=True):
        """The live instance holding a fixed IP, or (if floating) NATed from a floating
        IP, at address."""
        address = ranges.check_address(address)
        try:
            row = db.fixed_ip_get_by_address(context, address)
            if row.instance_uuid and row.allocated:
                return row.instance_uuid
        except exception.FixedIpNotFoundForAddress:
            pass
        rows = db.floating_ip_get_all(context, addresses=[address]) if floating else []
        if rows and rows[0][2]:
            return rows[0][2]
        raise exception.InstanceNotFound(instance_id='at %s' % address)


def _not_auto_assigned(floating):
    """An address --auto_assign_floating_ip gave an instance goes with it (classic Nova)."""
    if floating['auto_assigned'] and floating['fixed_ip']:
        raise exception.CannotDisassociateAutoAssignedFloatingIp(address=floating['address'])


def _integer(field, value, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise exception.InvalidInput(reason=_('%s must be an integer, not %r')
                                     % (field, value)) from None
    if not low <= number <= high:
        raise exception.InvalidInput(reason=_('%s must be between %d and %d') % (field, low, high))
    return number


def _device_name(field, value):
    """A Linux interface name: 1-15 characters, no '/', whitespace or ':'."""
    if not isinstance(value, str) or not 0 < len(value) <= 15 or \
            any(c in value for c in '/: \t\n') or not value.isascii() or value in ('.', '..'):
        raise exception.InvalidInput(reason=_('%s %r is not a valid interface name')
                                     % (field, value))
    return value
