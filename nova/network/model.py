"""network_info: what an instance's network looks like, for virt drivers and views.

nova-network builds it, nova-compute hands it to the virt driver (spawn,
reboot, destroy, ...) to plug, and the APIs render addresses from it. It is
plain JSON (lists and dicts, no classes) so it crosses RPC as is. One entry
per virtual interface, in the order of the instance's networks::

    [{
      'id': 'VIF uuid',
      'address': 'fa:16:3e:12:34:56',          # the MAC the guest must use
      'type': 'bridge',                          # plug into network['bridge']
      'devname': 'tap<first 11 chars of id>',    # host side device name (tap/veth)
      'network': {
        'id': 'network uuid', 'label': 'private',
        'bridge': 'br100',                       # Linux bridge to attach to
        'bridge_interface': 'eth0' | None,       # NIC/segment enslaved in it
        'segment': {'type': 'flat' | 'vlan' | 'vxlan', 'id': 100 | None},
        'multi_host': False,
        'mtu': 1500 | None,
        'dhcp': True,                            # a DHCP server answers on the bridge
        'subnets': [{
          'cidr': '10.0.0.0/24', 'version': 4,
          'netmask': '255.255.255.0', 'broadcast': '10.0.0.255',
          'gateway': '10.0.0.1' | None,
          'dns': ['8.8.4.4'],
          'dhcp_server': '10.0.0.1' | None,
          'ips': [{'address': '10.0.0.3', 'type': 'fixed', 'version': 4,
                   'floating_ips': [{'address': '172.24.4.3', 'type': 'floating',
                                     'version': 4}]}],
        }],
      },
    }]

The helpers below read it; drivers should use them rather than walk the dicts.
"""
import functools
import ipaddress

SEGMENT_FLAT, SEGMENT_VLAN, SEGMENT_VXLAN = 'flat', 'vlan', 'vxlan'


def devname(vif_id):
    """The host-side device name of a VIF (Linux names are at most 15 bytes)."""
    return ('tap' + vif_id)[:14]


@functools.lru_cache(maxsize=1024)
def _cidr_facts(cidr):
    """(cidr, version, netmask, broadcast) of a network's range: a list of 1,000
    servers on one network parsed it 1,000 times."""
    net = ipaddress.ip_network(cidr)
    return str(net), net.version, str(net.netmask), str(net.broadcast_address)


def _subnet(cidr, gateway, dns, dhcp_server, ips):
    cidr, version, netmask, broadcast = _cidr_facts(cidr)
    return {'cidr': cidr, 'version': version, 'netmask': netmask,
            'broadcast': broadcast, 'gateway': gateway,
            'dns': [d for d in dns if d], 'dhcp_server': dhcp_server, 'ips': ips}


def _version(address):
    """4 or 6, for an address the database holds (valid, as it was checked on entry)."""
    return 6 if ':' in address else 4


def _ip(address, kind, floating=()):
    entry = {'address': address, 'type': kind, 'version': _version(address)}
    if kind == 'fixed':
        entry['floating_ips'] = [_ip(f, 'floating') for f in floating]
    return entry


def network_dict(network_row, fixed=(), floating=None):
    """The 'network' part of a VIF for a networks row and the VIF's fixed addresses
    ({fixed: [floating]} for floating)."""
    floating = floating or {}
    v4 = [a for a in fixed if _version(a) == 4]
    v6 = [a for a in fixed if _version(a) == 6]
    subnets = [_subnet(network_row.cidr, network_row.gateway,
                       [network_row.dns1, network_row.dns2],
                       network_row.dhcp_server if network_row.enable_dhcp else None,
                       [_ip(a, 'fixed', floating.get(a, ())) for a in v4])]
    if network_row.cidr_v6:
        subnets.append(_subnet(network_row.cidr_v6, network_row.gateway_v6, [], None,
                               [_ip(a, 'fixed', floating.get(a, ())) for a in v6]))
    return {'id': network_row.uuid, 'label': network_row.label, 'bridge': network_row.bridge,
            'bridge_interface': network_row.bridge_interface,
            'segment': {'type': network_row.segment_type or SEGMENT_FLAT,
                        'id': network_row.vlan},
            'multi_host': bool(network_row.multi_host), 'mtu': network_row.mtu,
            'dhcp': bool(network_row.enable_dhcp), 'subnets': subnets}


def vif_dict(vif_id, mac, network):
    return {'id': vif_id, 'address': mac, 'type': 'bridge', 'devname': devname(vif_id),
            'network': network}


def from_rows(rows):
    """network_info from nova.db.api.network_rows_by_instances entries of one instance."""
    return [vif_dict(vif.uuid, vif.address, network_dict(network, fixed, floating))
            for vif, network, fixed, floating in rows]


def add_floating_ip(network_info, fixed_address, floating_address):
    """Show floating_address NATed to fixed_address in network_info (in place)."""
    for vif in network_info:
        for subnet in vif['network']['subnets']:
            for ip in subnet['ips']:
                if ip['address'] == fixed_address:
                    ip['floating_ips'].append(_ip(floating_address, 'floating'))


# --------------------------------------------------------------------- readers

def fixed_ips(network_info, version=None):
    """[address] of every VIF's fixed IPs, in VIF order."""
    return [ip['address'] for vif in network_info or []
            for subnet in vif['network']['subnets'] for ip in subnet['ips']
            if version is None or ip['version'] == version]


def floating_ips(network_info):
    return [f['address'] for vif in network_info or []
            for subnet in vif['network']['subnets'] for ip in subnet['ips']
            for f in ip.get('floating_ips', [])]


def addresses(network_info, extended=True):
    """The OpenStack server view's 'addresses': {label: [{version, addr,
    OS-EXT-IPS:type, OS-EXT-IPS-MAC:mac_addr}]}, each fixed IP followed by its
    floating ones (only version and addr unless extended, as /ips shows them)."""
    return _render_addresses(
        ((vif['network']['label'], vif['address'],
          [(entry['address'], entry['type']) for subnet in vif['network']['subnets']
           for ip in subnet['ips'] for entry in (ip, *ip.get('floating_ips', ()))])
         for vif in network_info or ()), extended)


def addresses_from_rows(rows, extended=True):
    """addresses() of an instance from its nova.db.api.address_rows_by_instances rows,
    without building its network_info: per interface, the IPv4 subnet's fixed
    addresses then (if the network has an IPv6 range) the IPv6 ones, as
    network_dict() orders them, each followed by its floating addresses."""
    interfaces = {}  # interface id -> (label, mac, has IPv6, {fixed: [floating]})
    for vif_id, label, mac, has_v6, fixed, floating in rows:
        interface = interfaces.get(vif_id)
        if interface is None:
            interface = interfaces[vif_id] = (label, mac, has_v6, {})
        if fixed is not None:
            floatings = interface[3].get(fixed)
            if floatings is None:
                floatings = interface[3][fixed] = []
            if floating is not None:
                floatings.append(floating)
    return _render_addresses(
        ((label, mac, [entry for version in ((4, 6) if has_v6 else (4,))
                       for address, floatings in fixed.items()
                       if _version(address) == version
                       for entry in ((address, 'fixed'),
                                     *((f, 'floating') for f in floatings))])
         for label, mac, has_v6, fixed in interfaces.values()), extended)


def _render_addresses(interfaces, extended):
    """{label: [entry]} of (label, mac, [(address, 'fixed' | 'floating')]) in order."""
    result = {}
    for label, mac, addresses_of_vif in interfaces:
        entries = result.get(label)
        if entries is None:
            entries = result[label] = []
        for address, kind in addresses_of_vif:
            # one literal per entry: a page of 1,000 servers renders 1,000 of them
            version = _version(address)
            entries.append({'version': version, 'addr': address,
                            'OS-EXT-IPS:type': kind, 'OS-EXT-IPS-MAC:mac_addr': mac}
                           if extended else {'version': version, 'addr': address})
    return result
