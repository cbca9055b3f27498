"""nova-network: the default network, flat and VLAN/VXLAN networking, DHCP, NAT."""
from oslo_config import cfg

opts = [
    cfg.StrOpt('fixed_range', default='10.0.0.0/22',
               help='CIDR of the network bootstrap creates when there is none (nova-all\'s '
                    'first start, nova-manage bootstrap); empty: create none.'),
    cfg.StrOpt('default_network_label', default='private',
               help='Label of the network bootstrap creates.'),
    cfg.StrOpt('flat_network_bridge', default='br100',
               help='Bridge of flat networks (FlatManager, FlatDHCPManager).'),
    cfg.StrOpt('flat_interface',
               help='Interface FlatDHCPManager enslaves in the flat bridge.'),
    cfg.StrOpt('flat_network_dns', default='8.8.4.4',
               help='DNS server of new networks unless one is given.'),
    cfg.BoolOpt('multi_host', default=False,
                help='New networks are multi_host: each compute host runs nova-network for '
                     'its own instances (gateway, DHCP and NAT local to it).'),
    cfg.StrOpt('mac_address_prefix', default='fa:16:3e',
               help='First three octets of the MACs given to virtual interfaces.'),
    cfg.StrOpt('default_floating_pool', default='nova',
               help='Pool that floating IPs come from when none is named.'),
    cfg.BoolOpt('auto_assign_floating_ip', default=False,
                help='Give every new instance a floating IP of the default pool.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
