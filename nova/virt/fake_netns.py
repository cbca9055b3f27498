"""Fake guests with real networking (--fake_guest_netns): a namespace per instance.

Each VIF of the network_info becomes a veth pair: the host end (the VIF's
devname) joins the network's bridge, the guest end is eth<N> inside the
instance's namespace with the VIF's MAC, and a real DHCP client (busybox
udhcpc) asks the network's dnsmasq for the address. Tests then see real
leases and real traffic without a hypervisor. Destroy kills the namespace's
processes and deletes it (the veth pairs go with it).
"""
import os
import signal
import stat
import subprocess
import time

from nova.conf import CONF
from nova.network import linux_net


UDHCPC_SCRIPT = """#!/bin/sh
# udhcpc events: configure the interface with what the DHCP server said
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then
      ip route replace default via "${router%% *}" dev "$interface"
    fi
    echo "$ip" > "$LEASE_DIR/$interface"
    ;;
esac
exit 0
"""


def namespace(instance_uuid):
    return CONF.fake_guest_netns_prefix + instance_uuid


def _state_dir(instance_uuid):
    path = os.path.join(CONF.state_path, 'fake_guests', instance_uuid)
    os.makedirs(path, exist_ok=True)
    return path


def _script():
    path = os.path.join(CONF.state_path, 'fake_guests', 'udhcpc.sh')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not os.path.exists(path):
        temp = path + '.%d' % os.getpid()
        with open(temp, 'w') as f:
            f.write(UDHCPC_SCRIPT)
        os.chmod(temp, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP)
        os.replace(temp, path)
    return path


def _in_ns(ns, *cmd, check=True):
    return linux_net.execute('ip', 'netns', 'exec', ns, *cmd, check=check)


def plug(instance, network_info):
    """Make the instance's namespace, plug each VIF and start its DHCP client."""
    ns = namespace(instance.uuid)
    if not os.path.exists('/run/netns/%s' % ns):
        linux_net.execute('ip', 'netns', 'add', ns)
    _in_ns(ns, 'ip', 'link', 'set', 'lo', 'up')
    state = _state_dir(instance.uuid)
    hostname = getattr(instance, 'hostname', None) or instance.name
    for index, vif in enumerate(network_info or []):
        network = vif['network']
        linux_net.plug_bridge(network)
        guest_dev = 'eth%d' % index
        if not linux_net.device_exists(vif['devname']):
            linux_net.execute('ip', 'link', 'add', vif['devname'], 'type', 'veth', 'peer',
                              'name', guest_dev, 'address', vif['address'], 'netns', ns)
        linux_net.execute('ip', 'link', 'set', vif['devname'], 'master', network['bridge'])
        linux_net.execute('ip', 'link', 'set', vif['devname'], 'up')
        _in_ns(ns, 'ip', 'link', 'set', guest_dev, 'up')
        if network.get('dhcp'):
            _dhcp_client(ns, guest_dev, state, hostname)
        else:  # FlatManager: no DHCP server; configure what the database says
            ip = _first_fixed(vif)
            if ip:
                _in_ns(ns, 'ip', 'addr', 'add', '%s/%s' % (ip, _prefix(vif)), 'dev', guest_dev)


def _dhcp_client(ns, device, state, hostname):
    """udhcpc on device in ns, in the foreground of its own session (so it never
    blocks the boot), asking again every second until it has a lease, releasing it
    when terminated (-R). Its events are logged in the instance's state dir."""
    with open(os.path.join(state, 'udhcpc-%s.log' % device), 'ab') as log:
        _CLIENTS.append(subprocess.Popen(
            ['ip', 'netns', 'exec', ns, 'env', 'LEASE_DIR=%s' % state, 'udhcpc', '-f', '-R',
             '-i', device, '-t', '5', '-T', '1', '-A', '1', '-s', _script(),
             '-x', 'hostname:%s' % hostname],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True))
    _CLIENTS[:] = [proc for proc in _CLIENTS if proc.poll() is None]  # reap the ended


_CLIENTS = []  # the DHCP clients started here (kept to reap them)


def _first_fixed(vif):
    for subnet in vif['network']['subnets']:
        for ip in subnet['ips']:
            if ip['version'] == 4:
                return ip['address']
    return None


def _prefix(vif):
    return vif['network']['subnets'][0]['cidr'].split('/')[1]


def leased_address(instance_uuid, index=0):
    """The address the guest's DHCP client got on eth<index>, or None yet."""
    try:
        with open(os.path.join(_state_dir(instance_uuid), 'eth%d' % index)) as f:
            return f.read().strip() or None
    except OSError:
        return None


def unplug(instance_uuid):
    """Kill what runs in the instance's namespace and delete it."""
    ns = namespace(instance_uuid)
    if not os.path.exists('/run/netns/%s' % ns):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):  # udhcpc -R releases its lease on TERM
        out, _ = linux_net.execute('ip', 'netns', 'pids', ns, check=False)
        pids = [int(pid) for pid in out.split() if pid.isdigit()]
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        for _ in range(50):
            if not any(os.path.exists('/proc/%d' % pid) for pid in pids):
                break
            time.sleep(0.02)
    linux_net.execute('ip', 'netns', 'del', ns, check=False)
