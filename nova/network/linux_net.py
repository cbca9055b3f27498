"""The Linux side of nova-network: bridges, segments (VLAN/VXLAN), dnsmasq.

Every command is an argument list (never a shell string) run in the network
namespace of the calling process, so a daemon started inside a namespace
configures that namespace. Functions are idempotent: nova-network calls them
again on every start to rebuild the host from the database.

dnsmasq runs one per network, as a daemon of its own (it survives a
nova-network crash and keeps serving leases); it is found again by its pid
file and only killed when its command line names this network's files.
Static leases come from a hosts file written from the database (reloaded
with SIGHUP); lease events go to ``nova-dhcpbridge`` (its --dhcp-script),
which records them in the database and, at dnsmasq's start, gives back the
leases the database knows (--leasefile-ro), so a restart loses none.
"""
import ipaddress
import logging
import os
import shutil
import signal
import sys
import time

import nova.conf
from nova import exception
from nova.i18n import _LE
from nova.utils import execute  # noqa: F401 -- linux_net.execute, for the network code

LOG = logging.getLogger(__name__)
CONF = nova.conf.CONF



def _link(name):
    """`ip -o link show` of a device, or None. (Not /sys: it shows the devices of the
    namespace that mounted it, not necessarily ours.)"""
    out, _ = execute('ip', '-o', 'link', 'show', 'dev', name, check=False)
    return out or None


def device_exists(name):
    return _link(name) is not None


def _set_up(device):
    execute('ip', 'link', 'set', device, 'up')


# ---------------------------------------------------------------- bridges, segments

def ensure_bridge(bridge, interface=None, address=None):
    """The bridge exists and is up, with interface enslaved and up and (on the
    network's gateway host) address ('10.0.0.1/24') on it."""
    if not device_exists(bridge):
        execute('ip', 'link', 'add', bridge, 'type', 'bridge')
        # forward at once: the default 15 s of learning would drop a guest's first DHCPs
        execute('ip', 'link', 'set', bridge, 'type', 'bridge', 'forward_delay', '0')
    _set_up(bridge)
    if interface:
        if not device_exists(interface):
            raise exception.NovaException('interface %s for bridge %s does not exist'
                                          % (interface, bridge))
        if ' master %s ' % bridge not in (_link(interface) or ''):
            execute('ip', 'link', 'set', interface, 'master', bridge)
        _set_up(interface)
    if address:
        ensure_address(bridge, address)


def ensure_address(device, address):
    """address ('10.0.0.1/24') is on device (added with its broadcast)."""
    interface = ipaddress.ip_interface(address)
    out, _ = execute('ip', '-o', 'addr', 'show', 'dev', device)
    if ' %s ' % interface.with_prefixlen not in out:
        execute('ip', 'addr', 'add', interface.with_prefixlen, 'brd',
                str(interface.network.broadcast_address), 'dev', device)


def segment_device(segment_type, segment_id, interface):
    """The device a network's bridge enslaves: interface itself (flat), or the VLAN
    or VXLAN device of the segment over it."""
    if segment_type == 'vlan' and interface:
        return ensure_vlan(segment_id, interface)
    if segment_type == 'vxlan' and interface:
        return ensure_vxlan(segment_id, interface, CONF.vxlan_group, CONF.vxlan_port)
    return interface


_SEGMENT_PROBE = {}


def segment_type(wanted):
    """vlan or vxlan for --network_segment_type: 'auto' probes whether this kernel can
    make 802.1Q devices (a VLAN device on lo, removed at once)."""
    if wanted != 'auto':
        return wanted
    if 'auto' not in _SEGMENT_PROBE:
        probe = 'nvprobe%d' % os.getpid()
        _, err = execute('ip', 'link', 'add', 'link', 'lo', 'name', probe, 'type', 'vlan',
                         'id', '4094', check=False)
        supported = device_exists(probe)
        if supported:
            delete_device(probe)
        else:
            LOG.info('No 802.1Q here (%s): VLAN networks are VXLAN segments', err.strip())
        _SEGMENT_PROBE['auto'] = 'vlan' if supported else 'vxlan'
    return _SEGMENT_PROBE['auto']


def plug_bridge(network):
    """The bridge of a network_info 'network' on a host that plugs VIFs into it,
    with its segment (flat: bridge_interface; vlan/vxlan: the segment device over
    bridge_interface) enslaved. The bridge name."""
    segment = network.get('segment') or {}
    interface = segment_device(segment.get('type'), segment.get('id'),
                               network.get('bridge_interface'))
    ensure_bridge(network['bridge'], interface)
    return network['bridge']


def ensure_vlan(vlan, interface):
    """The 802.1Q device of a VLAN on interface: vlan<id>."""
    device = 'vlan%d' % vlan
    if not device_exists(device):
        execute('ip', 'link', 'add', 'link', interface, 'name', device, 'type', 'vlan',
                'id', str(vlan))
    _set_up(device)
    return device


def ensure_vxlan(vni, interface, group, port):
    """The VXLAN device of a segment over interface (multicast group): vx<vni>."""
    device = 'vx%d' % vni
    if not device_exists(device):
        execute('ip', 'link', 'add', device, 'type', 'vxlan', 'id', str(vni), 'group', group,
                'dev', interface, 'dstport', str(port))
    _set_up(device)
    return device


def delete_device(name):
    if device_exists(name):
        execute('ip', 'link', 'del', name, check=False)


def enable_forwarding():
    """Route between the bridges and the public side (this namespace's sysctl)."""
    with open('/proc/sys/net/ipv4/ip_forward', 'w') as f:
        f.write('1\n')


def bind_floating_ips(interface, wanted, known):
    """The /32 addresses of interface among the known floating IPs are exactly wanted
    (so that this host answers ARP for the floating IPs it NATs)."""
    if not device_exists(interface):
        if wanted:
            LOG.error(_LE('Public interface %s does not exist: floating IPs %s unreachable'),
                      interface, ', '.join(wanted))
        return
    out, _ = execute('ip', '-o', '-4', 'addr', 'show', 'dev', interface)
    current = {word.split('/')[0] for line in out.splitlines() for word in line.split()
               if word.endswith('/32')}
    for address in sorted(set(wanted) - current):
        execute('ip', 'addr', 'add', '%s/32' % address, 'dev', interface)
    for address in sorted((current & set(known)) - set(wanted)):
        execute('ip', 'addr', 'del', '%s/32' % address, 'dev', interface, check=False)


# ---------------------------------------------------------------------- dnsmasq

def _path(network_id, kind):
    directory = CONF.networks_path
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, 'nova-%s.%s' % (network_id, kind))


def hosts_lines(entries):
    """dhcp-hostsfile lines: MAC,hostname,address for [(mac, hostname, address)]."""
    return ''.join('%s,%s.%s,%s\n' % (mac, hostname, CONF.dhcp_domain, address)
                   for mac, hostname, address in entries)


def _write_atomically(path, text):
    temp = path + '.tmp'
    with open(temp, 'w') as f:
        f.write(text)
    os.replace(temp, path)


def _serves(pid, hosts):
    """Whether process pid is a dnsmasq reading this hosts file."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            argv = f.read().decode(errors='replace').split('\0')
    except OSError:
        return False
    return bool(argv) and os.path.basename(argv[0]) == 'dnsmasq' and \
        '--dhcp-hostsfile=%s' % hosts in argv


def _ready_pid(network_id):
    """The dnsmasq its pid file names: written once it has its leases (from
    nova-dhcpbridge init) and handles signals."""
    try:
        with open(_path(network_id, 'pid')) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return pid if _serves(pid, _path(network_id, 'hosts')) else None


def dnsmasq_pid(network_id):
    """The pid of this network's running dnsmasq, or None: the ready one, or one
    still starting (found by the hosts file its command line names)."""
    pid = _ready_pid(network_id)
    if pid:
        return pid
    hosts = _path(network_id, 'hosts')
    for entry in os.listdir('/proc'):
        if entry.isdigit() and _serves(int(entry), hosts):
            return int(entry)
    return None


def update_dhcp(network, entries, flagfiles=(), server_address=None):
    """Serve the static leases of entries [(mac, hostname, address)] for network (a
    networks row) on its bridge, from server_address (default: its dhcp_server,
    which is also the router it gives): rewrite the hosts file, then SIGHUP the
    running dnsmasq or start one."""
    hosts = _path(network.id, 'hosts')
    _write_atomically(hosts, hosts_lines(entries))
    if dnsmasq_pid(network.id):
        # a starting dnsmasq would die of a SIGHUP: wait until it is ready
        for _ in range(1500):
            pid = _ready_pid(network.id)
            if pid:
                os.kill(pid, signal.SIGHUP)
                return pid
            time.sleep(0.02)
    return start_dnsmasq(network, flagfiles, server_address)


def dnsmasq_command(network, flagfiles=(), server_address=None):
    net = ipaddress.ip_network(network.cidr)
    server = server_address or network.dhcp_server
    router = server_address or network.gateway
    command = [
        'dnsmasq', '--strict-order', '--bind-interfaces', '--conf-file=%s'
        % CONF.dnsmasq_config_file, '--pid-file=%s' % _path(network.id, 'pid'),
        '--listen-address=%s' % server, '--except-interface=lo',
        '--interface=%s' % network.bridge, '--port=0',
        '--dhcp-range=set:net%d,%s,static,%s,%ds' % (network.id, network.dhcp_start,
                                                    net.netmask, CONF.dhcp_lease_time),
        '--dhcp-lease-max=%d' % net.num_addresses,
        '--dhcp-hostsfile=%s' % _path(network.id, 'hosts'),
        '--dhcp-script=%s' % dhcpbridge_path(), '--leasefile-ro',
        '--dhcp-option=option:router,%s' % router,
        '--log-facility=%s' % _path(network.id, 'log'), '--log-dhcp',
    ]
    dns = [d for d in (network.dns1, network.dns2) if d]
    if dns:
        command.append('--dhcp-option=option:dns-server,%s' % ','.join(dns))
    if network.mtu:
        command.append('--dhcp-option=option:mtu,%d' % network.mtu)
    return command


def dhcpbridge_path():
    """--dhcpbridge as the absolute path dnsmasq needs: a bare name is looked for
    beside this Python (a virtualenv's console scripts), then on PATH."""
    name = CONF.dhcpbridge
    if os.path.isabs(name):
        return name
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which(name) or name


def start_dnsmasq(network, flagfiles=(), server_address=None):
    """Start (or restart) the network's dnsmasq; its pid. nova-dhcpbridge learns the
    network and the flagfiles from the environment dnsmasq passes on."""
    stop_dnsmasq(network.id)
    env = dict(os.environ, NETWORK_ID=str(network.id),
               FLAGFILE=CONF.dhcpbridge_flagfile or ','.join(flagfiles))
    if server_address:  # a multi_host network: this host's instances only
        env['NETWORK_HOST'] = CONF.host
    execute(*dnsmasq_command(network, flagfiles, server_address), env=env)
    pid = dnsmasq_pid(network.id)  # daemonized: its child runs (and serves) already
    if pid is None:
        raise exception.ProcessExecutionError(cmd='dnsmasq', exit_code=0,
                                              stderr='no dnsmasq is running')
    return pid


def stop_dnsmasq(network_id):
    """Stop the network's dnsmasq if it runs (only the one its pid file names)."""
    pid = dnsmasq_pid(network_id)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(250):
        if not _serves(pid, _path(network_id, 'hosts')):
            break
        time.sleep(0.02)
    try:
        os.unlink(_path(network_id, 'pid'))
    except OSError:
        pass
