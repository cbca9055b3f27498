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
                help='Every new instance gets a floating IP of default_floating_pool, '
                     'associated at boot and released at delete (not counted in the '
                     'floating_ips quota; users cannot disassociate or release it).'),
    cfg.IntOpt('vlan_start', default=100, min=1,
               help='First segment id VlanManager gives new networks.'),
    cfg.StrOpt('vlan_interface', default='eth0',
               help='Interface VlanManager\'s VLAN/VXLAN segments run over.'),
    cfg.StrOpt('network_segment_type', default='auto', choices=['auto', 'vlan', 'vxlan'],
               help='What VlanManager segments are: 802.1Q VLANs, VXLAN (VNI = vlan), '
                    'or auto: VLAN where the kernel has 802.1Q, else VXLAN.'),
    cfg.StrOpt('vxlan_group', default='239.1.1.1',
               help='Multicast group of VXLAN segments (VNI = the network\'s vlan).'),
    cfg.PortOpt('vxlan_port', default=4789, help='UDP port of VXLAN segments.'),
    # security groups on compute hosts
    cfg.StrOpt('firewall_driver', default='nova.network.firewall.NoopFirewallDriver',
               help='How compute hosts enforce security groups: '
                    'nova.network.firewall.IptablesFirewallDriver, or the Noop one '
                    '(nothing changes on the host).'),
    cfg.BoolOpt('allow_same_net_traffic', default=True,
                help='Instances accept anything from their own networks (as classic Nova); '
                     'security group rules apply to the rest.'),
    # NAT on network hosts
    cfg.StrOpt('public_interface', default='eth0',
               help='Interface of network hosts that floating IPs are bound to.'),
    cfg.StrOpt('routing_source_ip', default='$my_ip',
               help='Source address instances\' outbound traffic is SNATed to (without '
                    'a floating IP).'),
    cfg.StrOpt('metadata_host', default='$my_ip',
               help='Where 169.254.169.254:80 is DNATed to: the metadata service.'),
    cfg.PortOpt('metadata_port', default=8775, help='Port of the metadata service.'),
    # dnsmasq and lease events (FlatDHCPManager, VlanManager)
    cfg.StrOpt('networks_path', default='$state_path/networks',
               help='Where dnsmasq pid, hosts and config files of the networks live.'),
    cfg.StrOpt('dhcpbridge', default='nova-dhcpbridge',
               help='The lease event script dnsmasq runs (path or command name).'),
    cfg.StrOpt('dhcpbridge_flagfile', default='',
               help='Flagfile nova-dhcpbridge reads (default: the ones this daemon read).'),
    cfg.IntOpt('dhcp_lease_time', default=120, min=120,
               help='Seconds a DHCP lease lasts.'),
    cfg.IntOpt('fixed_ip_disassociate_timeout', default=600, min=0,
               help='Seconds after which an address its instance gave up is free even '
                    'if its lease was never released (0: never).'),
    cfg.StrOpt('dhcp_domain', default='novalocal', help='Domain of instance host names.'),
    cfg.StrOpt('dnsmasq_config_file', default='',
               help='Extra dnsmasq configuration file for every network.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
