"""Several hosts on one machine: a controller, compute hosts and a client, each in its own
network namespace, sharing only RabbitMQ and PostgreSQL, as separate machines would.

Network: a private /24 whose bridge lives in a namespace of its own ('lan');
each host namespace has one veth into it, and the test process (root
namespace) one more, on .1, where the broker and the database listen. No
iptables rule is added anywhere; everything is named after a random token and
removed by name afterwards.

Disks are still shared (each host has its own state directory): hiding the
others' with a tmpfs in each host's mount namespace waits for images to reach
compute hosts through the image API.
"""
import ipaddress
import os
import secrets
import shutil
import signal
import subprocess
import sys

from tests.harness import daemons

def missing_reason():
    """Why hosts cannot be simulated here (None when they can)."""
    if os.geteuid() != 0:
        return 'network namespaces need root'
    if shutil.which('ip') is None:
        return 'ip (iproute2) is not installed'
    probe = 'nvprobe%s' % secrets.token_hex(3)
    result = subprocess.run(['ip', 'netns', 'add', probe], capture_output=True, text=True)
    if result.returncode:
        return 'cannot create a network namespace: %s' % result.stderr.strip()
    subprocess.run(['ip', 'netns', 'del', probe], capture_output=True)
    return None


def _ip(*argv, ns=None):
    command = (['ip', 'netns', 'exec', ns] if ns else []) + ['ip', *argv]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError('%s: %s' % (' '.join(command), result.stderr.strip()))
    return result.stdout


def _free_subnet():
    """A 10.x.y.0/24 no address of the root namespace is in."""
    used = [ipaddress.ip_interface(word).network
            for line in _ip('-4', '-o', 'addr').splitlines()
            for word in line.split() if '/' in word and word[0].isdigit()]
    for _ in range(200):
        net = ipaddress.ip_network('10.%d.%d.0/24' % (secrets.randbelow(56) + 200,
                                                      secrets.randbelow(256)))
        if not any(net.overlaps(u) for u in used):
            return net
    raise RuntimeError('no free 10.x.y.0/24 subnet')


# sh -c script: mount an empty read-only tmpfs over each of the first $1 directories
# given, then exec the rest of the arguments (the paths are arguments, never code)
HIDE_AND_EXEC = ('n=$1; shift; i=0; while [ "$i" -lt "$n" ]; do '
                 'mount -t tmpfs -o ro,size=4k,mode=0555 none "$1" || exit 1; '
                 'shift; i=$((i+1)); done; exec "$@"')


class Host:
    """One simulated machine: a network namespace, an address, a state directory."""

    def __init__(self, lan, name, address, state_dir):
        self.lan, self.name, self.address = lan, name, address
        self.ns = '%s-%s' % (lan.prefix, name)
        self.state_dir = state_dir
        self.daemons = {}
        os.makedirs(state_dir, exist_ok=True)

    def command(self, *argv):
        """argv run on this host: in its network namespace, and in a mount namespace
        (ip netns exec makes one, private to the command) where the other hosts' state
        directories are empty, read-only tmpfs, as another machine's disks are out of
        reach."""
        others = [h.state_dir for h in self.lan.hosts.values() if h is not self]
        return ['ip', 'netns', 'exec', self.ns, 'sh', '-c', HIDE_AND_EXEC, 'sh',
                str(len(others)), *others, *argv]

    def run(self, *argv, timeout=120, env=None, check=True):
        result = subprocess.run(self.command(*argv), capture_output=True, text=True,
                                timeout=timeout, env=env)
        if check and result.returncode:
            raise AssertionError('%s on %s failed (%d):\n%s\n%s' % (
                ' '.join(argv), self.name, result.returncode, result.stdout, result.stderr))
        return result

    def start(self, binary, flagfile, *extra, key=None):
        """A nova daemon on this host (its log in this host's state directory)."""
        daemon = daemons.Daemon(binary, flagfile, self.state_dir, *extra,
                                prefix=self.command())
        self.daemons[key or binary] = daemon
        return daemon

    def kill9(self, key):
        daemon = self.daemons.pop(key)
        daemon.proc.send_signal(signal.SIGKILL)
        daemon.proc.wait(30)
        return daemon

    def stop_all(self):
        for daemon in self.daemons.values():
            daemon.stop(timeout=15)
        self.daemons = {}


class Lan:
    """The private network, its hosts, and the root namespace's address on it (.1)."""

    def __init__(self, base_dir):
        self.token = secrets.token_hex(3)
        self.prefix = 'nvf%s' % self.token
        self.base_dir = base_dir
        self.subnet = _free_subnet()
        self.gateway = str(self.subnet[1])  # the test process, RabbitMQ, PostgreSQL
        self.lan_ns = '%s-lan' % self.prefix
        self.root_link = '%sr' % self.prefix
        self.hosts = {}
        self._created = []

    def create(self):
        _ip('netns', 'add', self.lan_ns)
        self._created.append(('netns', self.lan_ns))
        _ip('link', 'add', 'br0', 'type', 'bridge', ns=self.lan_ns)
        _ip('link', 'set', 'br0', 'up', ns=self.lan_ns)
        self._plug(self.root_link, None, self.gateway)
        self._created.append(('link', self.root_link))
        return self

    def _plug(self, link, ns, address):
        """A veth from ``ns`` (None: the root namespace) into the bridge."""
        peer = link + 'p'
        _ip('link', 'add', link, 'type', 'veth', 'peer', 'name', peer)
        _ip('link', 'set', peer, 'netns', self.lan_ns)
        _ip('link', 'set', peer, 'master', 'br0', 'up', ns=self.lan_ns)
        if ns is not None:
            _ip('link', 'set', link, 'netns', ns)
        _ip('addr', 'add', '%s/%d' % (address, self.subnet.prefixlen), 'dev', link, ns=ns)
        _ip('link', 'set', link, 'up', ns=ns)

    def add_host(self, name):
        index = len(self.hosts)
        host = Host(self, name, str(self.subnet[10 + index]),
                    os.path.join(self.base_dir, name))
        _ip('netns', 'add', host.ns)
        self._created.append(('netns', host.ns))
        _ip('link', 'set', 'lo', 'up', ns=host.ns)
        self._plug('%s%d' % (self.prefix, index), host.ns, host.address)
        self.hosts[name] = host
        return host

    def destroy(self):
        for host in self.hosts.values():
            host.stop_all()
        for kind, name in reversed(self._created):
            if kind == 'netns':
                subprocess.run(['ip', 'netns', 'del', name], capture_output=True)
            else:
                subprocess.run(['ip', 'link', 'del', name], capture_output=True)
        self._created = []


PYTHON = sys.executable
