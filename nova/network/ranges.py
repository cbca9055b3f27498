"""Address arithmetic for new networks and floating IP ranges, with clear errors.

A network's fixed IPs are every address of its IPv4 CIDR; the network
address, the gateway, the broadcast address and those below dhcp_start are
reserved. Sizes are bounded so that a typo (/8) cannot make millions of rows.
"""
import ipaddress

from nova import exception

MAX_ADDRESSES = 65536  # a /16
MAX_FLOATING_RANGE = 65536
MIN_PREFIX_ADDRESSES = 4  # a /30: network, gateway, one host, broadcast


def _invalid(reason):
    return exception.InvalidInput(reason=reason)


def ipv4_network(cidr, field='cidr'):
    try:
        network = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        raise _invalid('%s %r is not a valid CIDR' % (field, cidr)) from None
    if network.version != 4:
        raise _invalid('%s %s must be an IPv4 CIDR' % (field, cidr))
    if network.num_addresses > MAX_ADDRESSES:
        raise _invalid('%s %s has %d addresses; at most %d (a /16)'
                       % (field, network, network.num_addresses, MAX_ADDRESSES))
    if network.num_addresses < MIN_PREFIX_ADDRESSES:
        raise _invalid('%s %s is too small: at least a /30' % (field, network))
    return network


def ipv6_network(cidr):
    try:
        network = ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        raise _invalid('cidr_v6 %r is not a valid CIDR' % (cidr,)) from None
    if network.version != 6:
        raise _invalid('cidr_v6 %s must be an IPv6 CIDR' % cidr)
    return network


def _address_in(network, value, field):
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        raise _invalid('%s %r is not an IP address' % (field, value)) from None
    if address not in network:
        raise _invalid('%s %s is not in %s' % (field, address, network))
    return address


def check_address(value, field='address', version=None):
    """An IP address as a string in canonical form, or InvalidInput naming the field."""
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        raise _invalid('%s %r is not an IP address' % (field, value)) from None
    if version and address.version != version:
        raise _invalid('%s %s is not an IPv%d address' % (field, address, version))
    return str(address)


def network_layout(cidr, gateway=None, dhcp_start=None, cidr_v6=None, gateway_v6=None):
    """(column values, [(address, reserved)]) of a new network."""
    network = ipv4_network(cidr)
    hosts = list(network.hosts()) if network.num_addresses > 2 else list(network)
    gateway = _address_in(network, gateway, 'gateway') if gateway else hosts[0]
    start = _address_in(network, dhcp_start, 'dhcp_start') if dhcp_start else gateway + 1
    if start not in network or start == network.broadcast_address:
        raise _invalid('dhcp_start %s leaves no address for instances in %s' % (start, network))
    values = {'cidr': str(network), 'netmask': str(network.netmask),
              'gateway': str(gateway), 'broadcast': str(network.broadcast_address),
              'dhcp_start': str(start), 'dhcp_server': str(gateway)}
    if cidr_v6:
        network_v6 = ipv6_network(cidr_v6)
        values.update(cidr_v6=str(network_v6), netmask_v6=str(network_v6.prefixlen),
                      gateway_v6=str(_address_in(network_v6, gateway_v6, 'gateway_v6')
                                     if gateway_v6 else network_v6[1]))
    special = {network.network_address, network.broadcast_address, gateway}
    addresses = [(str(a), a in special or a < start) for a in network]
    if all(reserved for _, reserved in addresses):
        raise _invalid('%s leaves no address for instances' % network)
    return values, addresses


def floating_range(ip_range):
    """[address] of a floating range: a CIDR (every host address of it) or one address."""
    try:
        network = ipaddress.ip_network(str(ip_range), strict=False)
    except ValueError:
        raise _invalid('%r is not an IP address or CIDR' % (ip_range,)) from None
    if network.num_addresses > MAX_FLOATING_RANGE:
        raise _invalid('%s has %d addresses; at most %d at once'
                       % (network, network.num_addresses, MAX_FLOATING_RANGE))
    if network.num_addresses <= 2:
        return [str(a) for a in network]
    return [str(a) for a in network.hosts()]
