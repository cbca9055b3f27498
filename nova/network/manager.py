"""Network managers: the host side of nova-network, chosen by --network_manager.

- ``FlatManager``: addresses of flat networks allocated in the database only;
  nothing on the host changes (the guest learns its address from the
  metadata service or config data). The embedded default.
- ``FlatDHCPManager``: the network host of each flat network has its bridge
  (--flat_network_bridge, enslaving --flat_interface) with the gateway
  address, and one dnsmasq serving static leases from the database; lease
  events come back through nova-dhcpbridge.

A manager allocates a batch of instances in one transaction (a few
statements whatever its size) and answers with each instance's
network_info (nova.network.model); deallocation frees the addresses, drops
the interfaces and disassociates floating IPs. The class methods say what a
new network of this kind looks like (``network_values``), so that the
network API creates networks the way the configured manager serves them.
"""
import datetime
import ipaddress
import logging
import os

from nova import context as nova_context
from nova import exception
from nova import manager
from nova import quota
from nova import utils
from nova.conf import CONF, LOADED_FLAGFILES
from nova.db import api as db
from nova.i18n import _LE
from nova.network import iptables, linux_net, model, rpcapi
from nova.rpc import errors as rpc_errors

LOG = logging.getLogger(__name__)

AUTO, NONE = 'auto', 'none'


def requested_key(requested):
    """A hashable form of an instance's requested networks (None: auto)."""
    if requested in (None, AUTO):
        return AUTO
    if requested == NONE:
        return NONE
    return tuple((r.get('uuid'), r.get('fixed_ip'), r.get('port')) for r in requested)


class NetworkManager(manager.Manager):
    """What every manager does; subclasses say how hosts are configured."""

    RPC_API = rpcapi.NetworkAPI
    # a DHCP server hands out the addresses (a released lease frees the address)
    DHCP = False
    SEGMENT = model.SEGMENT_FLAT

    # -- networks of this kind -------------------------------------------------------
    @classmethod
    def network_values(cls, context, values):
        """Fill in what a new network of this manager needs (bridge, interface)."""
        values.setdefault('bridge', CONF.flat_network_bridge)
        values.setdefault('bridge_interface', CONF.flat_interface)
        values['segment_type'] = model.SEGMENT_FLAT
        if values.get('vlan') is not None:
            raise exception.InvalidInput(reason='%s networks have no VLAN/VXLAN segment'
                                         % cls.__name__)
        return values

    @classmethod
    def networks_for_project(cls, context, project_id):
        """The networks an instance of the project joins when it asks for none in
        particular: every network it may use, in priority order."""
        return db.network_get_all(context, project_id=project_id)

    # -- allocation ------------------------------------------------------------------
    def allocate_for_instances(self, context, instances, host):
        """Addresses for instances being built on compute ``host``, all in one
        transaction when they fit; when they do not, instance by instance so that
        those that fit still boot. {'network_info': {uuid: network_info},
        'failures': {uuid: failure dict}}."""
        plans, failures, cache = {}, {}, {}
        for instance in instances:
            key = (instance['project_id'], requested_key(instance.get('requested_networks')))
            try:
                if key not in cache:  # a batch shares its request: one lookup
                    cache[key] = self._plan(context, instance)
                plans[instance['uuid']] = cache[key]
            except exception.NovaException as error:
                failures[instance['uuid']] = rpc_errors.serialize_failure(error, self.host)
        network_info = {}
        projects = {i['uuid']: i['project_id'] for i in instances}
        refused = (exception.NoMoreFixedIps, exception.FixedIpAlreadyInUse,
                   exception.OverQuota)
        try:
            network_info = self._allocate(context, plans, projects, host)
        except refused:
            for uuid, plan in plans.items():  # who fits, one at a time
                try:
                    network_info.update(self._allocate(context, {uuid: plan}, projects, host))
                except refused as error:
                    failures[uuid] = rpc_errors.serialize_failure(error, self.host)
        if CONF.auto_assign_floating_ip and network_info:
            uuids = sorted({n.uuid for plan in plans.values() for n, _address, _port in plan})
            networks = {n.uuid: n for n in db.network_get_all(context, uuids=uuids)}
            self._auto_assign_floating_ips(context, network_info, networks, projects, host,
                                           failures)
        return {'network_info': network_info, 'failures': failures}

    def _auto_assign_floating_ips(self, context, network_info, networks, projects, host,
                                  failures):
        """--auto_assign_floating_ip: each new instance's first fixed IPv4 gets a floating
        IP of --default_floating_pool, allocated and associated at once (released with
        the instance). An instance none is left for gives its addresses back and fails."""
        nat_hosts = set()
        for uuid, info in sorted(network_info.items()):
            fixed = model.fixed_ips(info, version=4)
            if not fixed:
                continue
            vif = next(v for v in info if fixed[0] in model.fixed_ips([v]))
            network = networks[vif['network']['id']]  # as allocation left it (its host)
            nat_host = host if network.multi_host else network.host
            try:
                row = db.floating_ip_allocate(context, projects[uuid], CONF.default_floating_pool,
                                              -1, auto_assigned=True, fixed_address=fixed[0],
                                              host=nat_host)
            except (exception.NoMoreFloatingIps, exception.FloatingIpPoolNotFound) as error:
                self.deallocate_for_instance(context, uuid, host)
                failures[uuid] = rpc_errors.serialize_failure(error, self.host)
                continue
            model.add_floating_ip(info, fixed[0], row.address)
            if nat_host:
                nat_hosts.add(nat_host)
        for uuid in failures:
            network_info.pop(uuid, None)
        for nat_host in sorted(nat_hosts):
            self._nat_changed(context, nat_host)

    def _plan(self, context, instance):
        """[(network row, requested fixed IP or None)] an instance joins."""
        requested = instance.get('requested_networks')
        if requested == NONE:
            return []
        if requested in (None, AUTO):
            return [(n, None, None) for n in self.networks_for_project(
                context, instance['project_id'])]
        rows = {n.uuid: n for n in db.network_get_all(
            context, uuids=[r['uuid'] for r in requested])}
        plan = []
        for request in requested:
            network = rows.get(request['uuid'])
            if network is None:
                raise exception.NetworkNotFound(network_id=request['uuid'])
            plan.append((network, request.get('fixed_ip'), request.get('port')))
        return plan

    def _allocate(self, context, plans, projects, host):
        requests, owners = [], []
        for uuid, plan in plans.items():
            for network, address, port in plan:
                requests.append({'instance_uuid': uuid, 'project_id': projects[uuid],
                                 'network_id': network.id, 'port_id': port,
                                 'label': network.label or network.uuid, 'address': address})
                owners.append((uuid, network))
        limits = {project_id: quota.limits_for(context, project_id)['fixed_ips']
                  for project_id in sorted({projects[uuid] for uuid in plans})}
        allocated = db.fixed_ips_allocate(context, requests, host=host,
                                          mac_prefix=CONF.mac_address_prefix,
                                          limits=limits) if requests else []
        network_info = {uuid: [] for uuid in plans}
        for (uuid, network), (vif_id, mac, address) in zip(owners, allocated):
            network_info[uuid].append(model.vif_dict(
                vif_id, mac, model.network_dict(network, [address])))
        self._networks_changed(context, {network.id: network for _, network in owners})
        return network_info

    def deallocate_for_instance(self, context, instance_uuid, host=None, port_id=None):
        """Free the instance's fixed IPs and interfaces (only port_id's, when given);
        floating IPs are disassociated (auto-assigned ones released); ports users
        made are unbound, keeping their address. What was freed."""
        freed = db.fixed_ips_deallocate_by_instance(context, instance_uuid,
                                                    keep_leased=self.DHCP, port_uuid=port_id)
        network_ids = {network_id for _, network_id in freed['fixed']}
        if network_ids:
            self._networks_changed(context, {i: db.network_get_by_id(context, i)
                                             for i in network_ids})
        for nat_host in sorted({f['host'] for f in freed['floating'] if f['host']}):
            self._nat_changed(context, nat_host)
        return {'fixed': [address for address, _ in freed['fixed']],
                'floating': [f['address'] for f in freed['floating']]}

    def deallocate_port(self, context, instance_uuid, port_id, host=None):
        """One interface of the instance (os-interface detach)."""
        return self.deallocate_for_instance(context, instance_uuid, host=host, port_id=port_id)

    # -- host configuration (FlatManager: none) -----------------------------------------
    def _networks_changed(self, context, networks):
        """Instances joined or left these networks ({id: row}): reconfigure the host."""

    def refresh_network(self, context, network_id):
        """Serve a network anew after another host changed its instances."""

    def refresh_nat(self, context):
        """Rebuild this host's NAT from the database (FlatManager: there is none)."""

    def _nat_changed(self, context, host):
        if host == self.host:
            self.refresh_nat(context)
        else:
            rpcapi.NetworkAPI().refresh_nat(context, server=host)


class FlatManager(NetworkManager):
    """Flat networks, addresses from the database only; the host is left as it is."""


class LinuxNetworkManager(NetworkManager):
    """Managers that configure the network hosts: bridges, dnsmasq, (later) NAT.

    A network host serves the networks whose host it is (and takes those that
    have none); every change of their instances rewrites the DHCP hosts file
    of the network where it is served (here, or by a cast to its host).
    """

    DHCP = True

    def init_host(self):
        """Rebuild this host's networking from the database (after a crash too):
        bridges, dnsmasq, and the whole NAT table."""
        ctxt = nova_context.get_admin_context()
        linux_net.enable_forwarding()
        for network in self._served_networks(ctxt):
            try:
                self._setup_network(ctxt, network, restart=True)
            except Exception:
                LOG.exception(_LE('Could not set up network %s'), network.uuid)
        self.refresh_nat(ctxt)

    # -- NAT: metadata, floating IPs, SNAT (one table, rebuilt whole) -------------------
    def refresh_nat(self, context):
        """Make this host's NAT what the database says: the floating IPs it serves bound
        to --public_interface and DNATed/SNATed, the metadata DNAT, SNAT of the served
        networks to --routing_source_ip; applied in one iptables-restore per table."""
        served = [n for n in db.network_get_all(context, host=self.host)
                  if n.host == self.host or n.multi_host]
        floating = db.floating_ip_get_by_host(context, self.host)
        iptables.apply(*self.nat_tables(served, floating))
        known = [row.address for row, _, _ in db.floating_ip_get_all(context)]
        linux_net.bind_floating_ips(CONF.public_interface, [f for f, _, _ in floating], known)

    @staticmethod
    def nat_tables(networks, floating):
        """(nat, filter) Tables for the served networks and [(floating, fixed, iface)]."""
        nat = iptables.Table('network', 'nat')
        pre = nat.chain('PREROUTING', jump_from='PREROUTING')
        out = nat.chain('OUTPUT', jump_from='OUTPUT')
        post = nat.chain('POSTROUTING', jump_from='POSTROUTING')
        metadata = '%s/32' % CONF.metadata_host
        nat.add(pre, '-d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j DNAT '
                     '--to-destination %s:%d' % (CONF.metadata_host, CONF.metadata_port))
        for network in networks:  # what stays inside keeps its source address
            nat.add(post, '-s %s -d %s -j ACCEPT' % (network.cidr, metadata))
            nat.add(post, '-s %s -d %s -m conntrack ! --ctstate DNAT -j ACCEPT'
                    % (network.cidr, network.cidr))
        for floating_address, fixed_address, _interface in floating:
            nat.add(pre, '-d %s/32 -j DNAT --to-destination %s'
                    % (floating_address, fixed_address))
            nat.add(out, '-d %s/32 -j DNAT --to-destination %s'
                    % (floating_address, fixed_address))
            nat.add(post, '-s %s/32 -j SNAT --to-source %s' % (fixed_address, floating_address))
        for network in networks:
            nat.add(post, '-s %s -j SNAT --to-source %s' % (network.cidr,
                                                           CONF.routing_source_ip))
        filter_table = iptables.Table('network', 'filter')
        forward = filter_table.chain('FORWARD', jump_from='FORWARD')
        bridges = sorted({n.bridge for n in networks if n.bridge})
        isolated = {n.bridge for n in networks if n.segment_type != model.SEGMENT_FLAT}
        for bridge in bridges:  # a project's segment is not routed into another's
            filter_table.add(forward, '-i %s -o %s -j ACCEPT' % (bridge, bridge))
            for other in bridges:
                if other != bridge and (bridge in isolated or other in isolated):
                    filter_table.add(forward, '-i %s -o %s -j DROP' % (bridge, other))
        for bridge in bridges:
            filter_table.add(forward, '-i %s -j ACCEPT' % bridge)
            filter_table.add(forward, '-o %s -j ACCEPT' % bridge)
        return nat, filter_table

    def _served_networks(self, context):
        """The networks this host serves: its own (taking any that has no host yet)
        and every multi_host network (for the instances of this host)."""
        served = []
        for network in db.network_get_all(context):
            host = network.host
            if host is None and not network.multi_host:
                host = db.network_set_host(context, network.id, self.host)
            if host == self.host or network.multi_host:
                served.append(network)
        return served

    def _setup_network(self, context, network, restart=False):
        """Bridge with the gateway address, and dnsmasq with the current leases (a
        new dnsmasq on restart: the bridge it listened on may be new; it learns the
        leases from the database through nova-dhcpbridge). On a multi_host network
        the host has an address of its own in it (its instances' gateway and DHCP
        server) and serves only its own instances."""
        prefix = ipaddress.ip_network(network.cidr).prefixlen
        interface = linux_net.segment_device(network.segment_type, network.vlan,
                                             network.bridge_interface)
        address, only_host = network.dhcp_server or network.gateway, None
        if network.multi_host:
            address = db.fixed_ip_claim_for_host(context, network.id, self.host)
            only_host = self.host
        linux_net.ensure_bridge(network.bridge, interface, '%s/%d' % (address, prefix))
        if network.enable_dhcp:
            flagfiles = [os.path.abspath(f) for f in LOADED_FLAGFILES]
            if restart:
                linux_net.stop_dnsmasq(network.id)
            linux_net.update_dhcp(network, db.network_dhcp_hosts(context, network.id,
                                                                 host=only_host),
                                  flagfiles, server_address=address)

    def _networks_changed(self, context, networks):
        for network in networks.values():
            host = network.host
            if host is None and not network.multi_host:
                host = db.network_set_host(context, network.id, self.host)
            if host == self.host or network.multi_host:
                self._setup_network(context, network)
            elif host:
                self.network_rpcapi.refresh_network(context, network.id, server=host)

    @property
    def network_rpcapi(self):
        return rpcapi.NetworkAPI()

    def refresh_network(self, context, network_id):
        """Another host changed this host's network (or, multi_host, which instances
        this host serves): serve it anew."""
        network = db.network_get_by_id(context, network_id)
        if network.host == self.host or network.multi_host:
            self._setup_network(context, network)

    @manager.periodic_task(spacing='fixed_ip_disassociate_timeout')
    def disassociate_stale_fixed_ips(self, context):
        """Free the addresses instances gave up whose lease never came back released."""
        served = [n.id for n in db.network_get_all(context, host=self.host)]
        if served:
            cutoff = utils.utcnow() - datetime.timedelta(
                seconds=CONF.fixed_ip_disassociate_timeout)
            freed = db.fixed_ip_disassociate_unleased(context, served, cutoff)
            if freed:
                LOG.info('Freed %d fixed IP(s) whose leases expired', freed)


class FlatDHCPManager(LinuxNetworkManager):
    """Flat networks served by dnsmasq from their network host's bridge."""


class VlanManager(LinuxNetworkManager):
    """A network per project, each on its own bridge (br<vlan>) and segment.

    The segment is an 802.1Q VLAN on --vlan_interface where the kernel has
    802.1Q, else a VXLAN segment whose VNI is the network's vlan number
    (--network_segment_type=auto|vlan|vxlan; auto probes this host when the
    network is made). A project's instances join its networks; a project with
    none is given a free one.
    """

    SEGMENT = model.SEGMENT_VLAN

    @classmethod
    def network_values(cls, context, values):
        if values.get('vlan') is None:
            taken = {n.vlan for n in db.network_get_all(context) if n.vlan is not None}
            values['vlan'] = next(v for v in range(CONF.vlan_start, CONF.vlan_start + 4096)
                                  if v not in taken)
        values.setdefault('bridge', 'br%d' % values['vlan'])
        values.setdefault('bridge_interface', CONF.vlan_interface)
        values['segment_type'] = linux_net.segment_type(CONF.network_segment_type)
        if values['segment_type'] == model.SEGMENT_VLAN and not 1 <= values['vlan'] <= 4094:
            raise exception.InvalidInput(reason='802.1Q VLAN ids are 1 to 4094, not %s'
                                         % values['vlan'])
        return values

    @classmethod
    def networks_for_project(cls, context, project_id):
        """The project's own networks; a project without one is given a free one."""
        mine = db.network_get_all(context, project_id=project_id, shared=False)
        if not mine:
            mine = [db.network_associate(context, project_id)]
        return mine

