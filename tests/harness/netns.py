"""Simulated hosts as network namespaces, made and removed by the tests themselves.

``Lab`` names everything it makes with a random token (namespaces
``nv<token>-<role>``, VXLAN VNIs from the token) so that the same tests in
another worktree never meet these; ``cleanup`` kills what runs in its
namespaces and deletes them (the veths and bridges inside go with them).

Hosts are joined by an underlay: a bridge in a ``lan`` namespace with a
veth to each host (``eth0``, 192.0.2.<n>/24 of TEST-NET-1, which no real
host uses), so hosts reach each other by address and VXLAN runs over it.
Daemons run inside their host with ``ip netns exec``; they reach the test's
RabbitMQ (and the test reaches their APIs) through ``tests/harness/nsproxy.py``
forwarders, since a namespace has its own loopback.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

TOOLS = ('ip', 'nsenter', 'dnsmasq', 'udhcpc', 'iptables', 'iptables-restore', 'curl')
UNDERLAY = '192.0.2.%d'


def unavailable_reason():
    """Why namespace tests cannot run here, or None."""
    if os.geteuid() != 0:
        return 'network namespace tests need root'
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return 'missing %s (tools/install_deps.sh installs them)' % ', '.join(missing)
    probe = 'nvprobe%d' % os.getpid()
    result = subprocess.run(['ip', 'netns', 'add', probe], capture_output=True, text=True)
    if result.returncode != 0:
        return 'cannot create network namespaces: %s' % result.stderr.strip()
    subprocess.run(['ip', 'netns', 'del', probe], capture_output=True)
    return None


def vlan_unavailable_reason():
    """Why 802.1Q VLAN devices cannot be made here (probed in a namespace of its own),
    or None."""
    probe = 'nvvlan%d' % os.getpid()
    subprocess.run(['ip', 'netns', 'add', probe], capture_output=True, check=True)
    try:
        result = subprocess.run(['ip', 'netns', 'exec', probe, 'ip', 'link', 'add', 'link',
                                 'lo', 'name', 'vprobe', 'type', 'vlan', 'id', '100'],
                                capture_output=True, text=True)
    finally:
        subprocess.run(['ip', 'netns', 'del', probe], capture_output=True)
    if result.returncode == 0:
        return None
    return ('this kernel has no 802.1Q VLAN devices (ip link add ... type vlan: %s): '
            'VlanManager\'s 802.1Q segments are tested where it has them; its VXLAN '
            'segments are tested here' % (result.stderr.strip() or result.returncode))


def run(*cmd, check=True, ns=None, **kwargs):
    if ns:
        cmd = ('ip', 'netns', 'exec', ns) + cmd
    result = subprocess.run(list(cmd), capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError('%s failed (%d): %s' % (' '.join(cmd), result.returncode,
                                                     result.stderr.strip()))
    return result.stdout


class Lab:
    """Namespaces of one test module: hosts on an underlay, and their processes."""

    def __init__(self):
        self.token = '%06x' % random.randrange(16 ** 6)
        self.vni_base = 100000 + random.randrange(1000) * 1000  # VNIs nobody else uses
        self.namespaces = []
        self.addresses = {}
        self.processes = []
        self.lan = self.namespace('lan')
        run('ip', 'link', 'add', 'lan', 'type', 'bridge', ns=self.lan)
        run('ip', 'link', 'set', 'lan', 'up', ns=self.lan)

    def name(self, role):
        return 'nv%s-%s' % (self.token, role)

    def namespace(self, role):
        name = self.name(role)
        run('ip', 'netns', 'add', name)
        self.namespaces.append(name)
        run('ip', 'link', 'set', 'lo', 'up', ns=name)
        return name

    def host(self, role):
        """A namespace joined to the underlay as eth0; (name, underlay address)."""
        name = self.namespace(role)
        address = UNDERLAY % (len(self.addresses) + 10)
        peer = 'p%d' % len(self.addresses)
        run('ip', 'link', 'add', 'eth0', 'netns', name, 'type', 'veth', 'peer', 'name', peer,
            'netns', self.lan)
        run('ip', 'link', 'set', peer, 'master', 'lan', ns=self.lan)
        run('ip', 'link', 'set', peer, 'up', ns=self.lan)
        run('ip', 'addr', 'add', address + '/24', 'dev', 'eth0', ns=name)
        run('ip', 'link', 'set', 'eth0', 'up', ns=name)
        self.addresses[name] = address
        return name, address

    def vxlan(self, ns, device, vni):
        """A VXLAN device over eth0 (multicast on the underlay) in ns."""
        run('ip', 'link', 'add', device, 'type', 'vxlan', 'id', str(vni), 'group', '239.1.1.1',
            'dev', 'eth0', 'dstport', '4789', ns=ns)
        run('ip', 'link', 'set', device, 'up', ns=ns)

    def spawn(self, ns, *cmd, log=None, env=None):
        """A process inside ns (its output to log); stopped by cleanup. Only its network
        namespace changes (nsenter, not ip netns exec, which would also give it a mount
        namespace of its own, hiding the namespaces it makes from everyone else)."""
        out = open(log, 'ab') if log else subprocess.DEVNULL
        proc = subprocess.Popen(['nsenter', '--net=/run/netns/%s' % ns] + list(cmd), stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.processes.append(proc)
        return proc

    def proxy(self, rules, log=None):
        """nsproxy.py forwarding rules ('LNS,LHOST,LPORT,CNS,CHOST,CPORT', '-' = here)."""
        script = os.path.join(os.path.dirname(__file__), 'nsproxy.py')
        proc = subprocess.Popen([sys.executable, script] + list(rules),
                                stdout=subprocess.PIPE, stderr=open(log, 'ab') if log
                                else subprocess.DEVNULL, text=True, start_new_session=True)
        if proc.stdout.readline().strip() != 'ready':
            raise AssertionError('nsproxy did not start: %s' % proc.poll())
        self.processes.append(proc)
        return proc

    def cleanup(self):
        for proc in reversed(self.processes):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.monotonic() + 10
        for proc in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # and those the tested code made under the lab's prefix (fake guests)
        made = [line.split(' ')[0] for line in run('ip', 'netns', 'list').splitlines()]
        extra = [ns for ns in made if ns.startswith(self.name('')) and
                 ns not in self.namespaces]
        for ns in extra + list(reversed(self.namespaces)):
            for pid in run('ip', 'netns', 'pids', ns, check=False).split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
            run('ip', 'netns', 'del', ns, check=False)
