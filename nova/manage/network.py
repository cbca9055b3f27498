"""nova-manage network, floating and fixed: networks, floating IP ranges and pools,
reserved fixed IPs, as the classic tool had them (its --option names too).

Every command goes through nova.network.api, so the rules (overlapping or
invalid ranges, a network in use, an address an instance holds) are the
APIs' own; a refusal prints the reason and exits 1.
"""
import ipaddress

from nova import context as nova_context
from nova import exception
from nova import utils
from nova.db import migration
from nova.i18n import _
from nova.manage import Category, UsageError, arg, command, print_table, say
from nova.network import api as network_api


def _admin():
    migration.check_current()
    return nova_context.get_admin_context()


def _bool(name, value):
    return None if value is None else utils.bool_from_string(name, value)


def _find_network(api, ctxt, name):
    """The network a word names: its uuid, its IPv4 CIDR or its label (one only)."""
    networks = api.get_all_networks(ctxt)
    found = [n for n in networks if name in (n.uuid, n.cidr)]
    if not found:
        found = [n for n in networks if n.label == name]
    if len(found) > 1:
        raise UsageError(_('%d networks are labelled %r: name one by uuid or CIDR')
                         % (len(found), name))
    if not found:
        raise exception.NetworkNotFound(network_id=name)
    return found[0]


def split_range(cidr, count, size):
    """count CIDRs of size addresses each, from the start of cidr (classic
    --num_networks/--network_size)."""
    try:
        whole = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise exception.InvalidInput(reason='%r is not a valid CIDR' % (cidr,)) from None
    if size is None:
        size = 1 << ((whole.num_addresses // count).bit_length() - 1)
    if size < 4 or size & (size - 1):
        raise exception.InvalidInput(reason='--network_size must be a power of two, at '
                                            'least 4, not %d' % size)
    if count * size > whole.num_addresses:
        raise exception.InvalidInput(reason='%d networks of %d addresses do not fit in %s'
                                            % (count, size, whole))
    prefix = whole.max_prefixlen - (size.bit_length() - 1)
    subnets = whole.subnets(new_prefix=prefix)
    return [str(next(subnets)) for _ in range(count)]


class NetworkCommands(Category):
    name = 'network'
    help = 'Networks of nova-network: create, list, modify, delete'

    @command('Create networks (one, or --num_networks of --network_size addresses each '
             'carved from the range)',
             arg('--label', default=None, help='name (with several: LABEL_1, LABEL_2, ...)'),
             arg('--fixed_range_v4', '--cidr', dest='cidr', required=True,
                 help='IPv4 range, e.g. 10.0.0.0/24'),
             arg('--fixed_range_v6', dest='cidr_v6'),
             arg('--num_networks', type=int, default=1),
             arg('--network_size', type=int, default=None,
                 help='addresses per network (default: the range split evenly)'),
             arg('--vlan', '--vlan_start', dest='vlan', type=int,
                 help='segment id (VLAN id or VXLAN VNI) of the first network'),
             arg('--gateway'), arg('--gateway_v6'), arg('--dhcp_start'),
             arg('--bridge'), arg('--bridge_interface'),
             arg('--multi_host', help='T or F (default: --multi_host)'),
             arg('--dns1'), arg('--dns2'), arg('--project_id', '--project', dest='project_id'),
             arg('--priority', type=int), arg('--mtu', type=int),
             arg('--enable_dhcp', default='T', help='T or F'))
    def create(self, cidr, label=None, cidr_v6=None, num_networks=1, network_size=None,
               vlan=None, gateway=None, gateway_v6=None, dhcp_start=None, bridge=None,
               bridge_interface=None, multi_host=None, dns1=None, dns2=None, project_id=None,
               priority=None, mtu=None, enable_dhcp='T'):
        if num_networks < 1:
            raise UsageError(_('--num_networks must be at least 1'))
        if num_networks > 1 and (gateway or dhcp_start or cidr_v6):
            raise UsageError(_('--gateway, --dhcp_start and --fixed_range_v6 name one '
                               'network: use them without --num_networks'))
        api, ctxt = network_api.API(), _admin()
        cidrs = split_range(cidr, num_networks, network_size) if num_networks > 1 else [cidr]
        created = []
        try:
            for index, network_cidr in enumerate(cidrs):
                name = label if num_networks == 1 or not label else '%s_%d' % (label, index + 1)
                created.append(api.create_network(
                    ctxt, network_cidr, label=name, cidr_v6=cidr_v6, gateway=gateway,
                    gateway_v6=gateway_v6, dhcp_start=dhcp_start, dns1=dns1, dns2=dns2,
                    bridge=bridge, bridge_interface=bridge_interface,
                    vlan=None if vlan is None else vlan + index, project_id=project_id,
                    multi_host=_bool('--multi_host', multi_host), mtu=mtu,
                    enable_dhcp=_bool('--enable_dhcp', enable_dhcp),
                    priority=priority))
        except exception.NovaException:
            for network in created:  # all or none
                api.delete_network(ctxt, network.uuid)
            raise
        for network in created:
            say(_('Network %s (%s) created with uuid %s.') % (network.label, network.cidr,
                                                             network.uuid))

    @command('List networks')
    def list(self):
        rows = [[n.uuid, n.label, n.cidr, n.cidr_v6, n.gateway, n.dhcp_start, n.dns1, n.dns2,
                 n.vlan, n.project_id, n.host, n.multi_host]
                for n in network_api.API().get_all_networks(_admin())]
        print_table(['uuid', 'label', 'IPv4', 'IPv6', 'gateway', 'start address', 'DNS1',
                     'DNS2', 'VlanID', 'project', 'host', 'multi_host'], rows)

    @command('Delete a network no instance holds an address of',
             arg('network', nargs='?', help='uuid, IPv4 CIDR or label'),
             arg('--uuid'), arg('--fixed_range', help='the IPv4 CIDR'))
    def delete(self, network=None, uuid=None, fixed_range=None):
        name = network or uuid or fixed_range
        if not name:
            raise UsageError(_('name the network (uuid, CIDR or label)'))
        api, ctxt = network_api.API(), _admin()
        found = _find_network(api, ctxt, name)
        api.delete_network(ctxt, found.uuid)
        say(_('Network %s (%s) deleted.') % (found.label, found.cidr))

    @command("Change a network: its project and host, label, DNS, MTU, priority",
             arg('network', nargs='?', help='uuid, IPv4 CIDR or label'),
             arg('--fixed_range', help='the IPv4 CIDR (instead of NETWORK)'),
             arg('--project', dest='project_id'), arg('--host'),
             arg('--disassociate-project', '--disassociate_project',
                 dest='disassociate_project', action='store_true'),
             arg('--disassociate-host', '--disassociate_host', dest='disassociate_host',
                 action='store_true'),
             arg('--label'), arg('--dns1'), arg('--dns2'), arg('--mtu', type=int),
             arg('--priority', type=int), arg('--multi_host', help='T or F'))
    def modify(self, network=None, fixed_range=None, project_id=None, host=None,
               disassociate_project=False, disassociate_host=False, label=None, dns1=None,
               dns2=None, mtu=None, priority=None, multi_host=None):
        name = network or fixed_range
        if not name:
            raise UsageError(_('name the network (uuid, CIDR or label)'))
        if (project_id and disassociate_project) or (host and disassociate_host):
            raise UsageError(_('give a project/host or disassociate it, not both'))
        values = {key: value for key, value in (
            ('label', label), ('dns1', dns1), ('dns2', dns2), ('mtu', mtu),
            ('priority', priority), ('multi_host', _bool('--multi_host', multi_host)),
            ('project_id', project_id), ('host', host)) if value is not None}
        if disassociate_project:
            values['project_id'] = None
        if disassociate_host:
            values['host'] = None
        if not values:
            raise UsageError(_('nothing to change: give at least one option'))
        api, ctxt = network_api.API(), _admin()
        found = _find_network(api, ctxt, name)
        api.update_network(ctxt, found.uuid, **values)
        say(_('Network %s (%s) changed: %s.') % (found.label, found.cidr, ', '.join(
            '%s=%s' % (k, '' if v is None else v) for k, v in sorted(values.items()))))


class FloatingCommands(Category):
    name = 'floating'
    help = 'Floating IPs: add ranges to pools, list them, remove them'

    @command('Add the addresses of a range (a CIDR or one address) to a pool',
             arg('ip_range', nargs='?', help='e.g. 172.24.4.0/24'),
             arg('--ip_range', dest='ip_range_option'),
             arg('--pool', help='default: --default_floating_pool'),
             arg('--interface', help='public interface the addresses are bound to'))
    def create(self, ip_range=None, ip_range_option=None, pool=None, interface=None):
        ip_range = ip_range or ip_range_option
        if not ip_range:
            raise UsageError(_('give the range (CIDR or address)'))
        count = network_api.API().create_floating_ips(_admin(), ip_range, pool=pool,
                                                      interface=interface)
        say(_('%d floating IP(s) of %s added.') % (count, ip_range))

    @command('Remove the addresses of a range (none may be associated)',
             arg('ip_range', nargs='?'), arg('--ip_range', dest='ip_range_option'))
    def delete(self, ip_range=None, ip_range_option=None):
        ip_range = ip_range or ip_range_option
        if not ip_range:
            raise UsageError(_('give the range (CIDR or address)'))
        count = network_api.API().delete_floating_ips(_admin(), ip_range)
        if not count:
            raise exception.FloatingIpNotFoundForAddress(address='in %s' % ip_range)
        say(_('%d floating IP(s) of %s removed.') % (count, ip_range))

    @command('List floating IPs', arg('host', nargs='?', help='only those this host NATs'),
             arg('--pool'))
    def list(self, host=None, pool=None):
        rows = [[f['project_id'], f['address'], f['instance_uuid'], f['pool'], f['interface'],
                 f['fixed_ip'], f['host']]
                for f in network_api.API().get_all_floating_ips(_admin(), host=host)
                if pool is None or f['pool'] == pool]
        print_table(['project', 'address', 'instance', 'pool', 'interface', 'fixed IP',
                     'host'], rows)


class FixedCommands(Category):
    name = 'fixed'
    help = 'Fixed IPs: list them, keep free ones out of allocation'

    @command('Keep a free address out of allocation',
             arg('address', nargs='?'), arg('--address', dest='address_option'))
    def reserve(self, address=None, address_option=None):
        address = _address(address, address_option)
        network_api.API().reserve_fixed_ip(_admin(), address)
        say(_('Fixed IP %s reserved.') % address)

    @command('Give a reserved address back to allocation',
             arg('address', nargs='?'), arg('--address', dest='address_option'))
    def unreserve(self, address=None, address_option=None):
        address = _address(address, address_option)
        network_api.API().unreserve_fixed_ip(_admin(), address)
        say(_('Fixed IP %s unreserved.') % address)

    @command('List fixed IPs (those instances hold, or all of a network with --all)',
             arg('host', nargs='?', help='only those of instances on this host'),
             arg('--network', help='uuid, IPv4 CIDR or label'),
             arg('--all', action='store_true', help='free and reserved ones too'))
    def list(self, host=None, network=None, all=False):  # noqa: A002 -- the option's name
        api, ctxt = network_api.API(), _admin()
        network_uuid = _find_network(api, ctxt, network).uuid if network else None
        rows = []
        for fixed in api.get_fixed_ips(ctxt, network_uuid):
            if not all and not fixed['instance_uuid']:
                continue
            if host is not None and fixed['host'] != host:
                continue
            state = 'reserved' if fixed['reserved'] else (
                'allocated' if fixed['allocated'] else ('held' if fixed['instance_uuid']
                                                        else 'free'))
            rows.append([fixed['cidr'], fixed['address'], fixed['instance_uuid'],
                         fixed['hostname'], fixed['host'], state])
        print_table(['network', 'IP address', 'instance', 'hostname', 'host', 'state'], rows)


def _address(address, option):
    address = address or option
    if not address:
        raise UsageError(_('give the address'))
    return address
