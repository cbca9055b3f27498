"""A private libvirtd for tests: its own sockets, state and config, nobody else's guests.

Several worktrees run libvirt tests at the same moment on one machine, and a
system libvirtd may be running too. Each ``PrivateLibvirtd`` runs in its own
mount namespace where /run/libvirt, /var/lib/libvirt, /var/log/libvirt and
/etc/libvirt are bind mounts of directories under ``base_dir`` (so its guests,
saved images, secrets and domain definitions are private), optionally inside
a network namespace (so a guest's tap device lands on that namespace's
bridges). Its socket is ``base_dir/run/libvirt-sock``: clients connect with
``qemu:///system?socket=...`` (``uri``). Only /var/cache/libvirt (QEMU's probed
capabilities, rewritten atomically by libvirt) is shared between instances,
so that only the first start on a machine pays the ~8 s probe.

``restart()`` stops only the daemon and starts it again (the guests run on).
``stop()`` destroys every guest of this daemon (all are ours), then stops it
by its PID. Nothing here touches the system libvirtd or its guests.
"""
import os
import shlex
import shutil
import subprocess
import time
import uuid

from tests.harness import daemons

try:
    import libvirt
except ImportError:  # unavailable_reason() says so
    libvirt = None

SHARED_CACHE = '/var/cache/nova-test-libvirt'
# QEMU as root without a security driver, cgroups or per-guest namespaces,
# which this kernel/container lacks; QEMU's own output to files (no virtlogd)
QEMU_CONF = '''\
user = "root"
group = "root"
security_driver = "none"
cgroup_controllers = [ ]
remember_owner = 0
stdio_handler = "file"
namespaces = [ ]
'''
LIBVIRTD_CONF = '''\
unix_sock_group = "root"
unix_sock_rw_perms = "0700"
unix_sock_ro_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
host_uuid = "%s"
'''
_PRIVATE = {'run': '/run/libvirt', 'lib': '/var/lib/libvirt', 'log': '/var/log/libvirt',
            'etc': '/etc/libvirt', 'cache': '/var/cache/libvirt'}


def unavailable_reason():
    """Why a private libvirtd with QEMU cannot run here, or None."""
    if os.geteuid() != 0:
        return 'libvirt tests need root (a private libvirtd runs QEMU as root)'
    for binary in ('libvirtd', 'qemu-system-x86_64', 'qemu-img', 'unshare'):
        if shutil.which(binary) is None and not os.path.exists('/usr/sbin/' + binary):
            return '%s is not installed (tools/install_deps.sh installs libvirt and QEMU)' \
                % binary
    if libvirt is None:
        return 'libvirt-python is not installed (pip install -e ".[libvirt]")'
    return None


def _libvirtd_binary():
    return shutil.which('libvirtd') or '/usr/sbin/libvirtd'


class PrivateLibvirtd:
    def __init__(self, base_dir, netns=None):
        self.base_dir = os.path.abspath(base_dir)
        self.netns = netns
        self.proc = None
        self.log_path = os.path.join(self.base_dir, 'libvirtd.log')

    @property
    def socket(self):
        return os.path.join(self.base_dir, 'run', 'libvirt-sock')

    @property
    def uri(self):
        return 'qemu:///system?socket=%s' % self.socket

    def _prepare(self):
        for name in _PRIVATE:
            os.makedirs(self._source(name), exist_ok=True)
        with open(os.path.join(self.base_dir, 'etc', 'qemu.conf'), 'w') as f:
            f.write(QEMU_CONF)
        conf = os.path.join(self.base_dir, 'etc', 'libvirtd.conf')
        if not os.path.exists(conf):  # a restarted daemon keeps its host UUID
            with open(conf, 'w') as f:
                f.write(LIBVIRTD_CONF % uuid.uuid4())
        for target in _PRIVATE.values():
            os.makedirs(target, exist_ok=True)  # mount points must exist

    def _source(self, name):
        return SHARED_CACHE if name == 'cache' else os.path.join(self.base_dir, name)

    def _command(self):
        binds = ['mount --bind %s %s' % (shlex.quote(self._source(name)), target)
                 for name, target in _PRIVATE.items()]
        script = ' && '.join(binds) + ' && exec %s --pid-file %s' % (
            _libvirtd_binary(), shlex.quote(os.path.join(self.base_dir, 'libvirtd.pid')))
        argv = ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script]
        if self.netns:
            argv = ['ip', 'netns', 'exec', self.netns] + argv
        return argv

    def start(self, timeout=60):
        """Start the daemon and wait until it answers; raises RuntimeError with its log."""
        self._prepare()
        log = open(self.log_path, 'ab')
        self.proc = subprocess.Popen(self._command(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError('libvirtd exited with %s: %s' % (
                    self.proc.returncode, self.log()[-2000:]))
            if os.path.exists(self.socket):
                try:
                    libvirt.open(self.uri).close()
                    return self
                except libvirt.libvirtError:
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('libvirtd did not answer within %ss: %s' % (
                    timeout, self.log()[-2000:]))
            time.sleep(0.1)

    def log(self):
        try:
            with open(self.log_path, errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def destroy_all_domains(self):
        """Destroy and undefine every guest of this daemon (all of them are ours)."""
        try:
            conn = libvirt.open(self.uri)
        except libvirt.libvirtError:
            return
        try:
            for domain in conn.listAllDomains():
                try:
                    if domain.isActive():
                        domain.destroy()
                    domain.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
                                         | libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
                except libvirt.libvirtError:
                    pass
        finally:
            conn.close()

    def restart(self, timeout=20):
        """Stop the daemon only (SIGTERM: its guests run on, as on a host where
        libvirtd is restarted) and start it again; it finds its guests back."""
        daemons.terminate(self.proc, timeout)
        return self.start()

    def stop(self, timeout=20):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.destroy_all_domains()
        daemons.terminate(self.proc, timeout)
        self.proc = None
