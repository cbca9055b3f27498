"""A tgtd of the test's own, and reading volumes through iSCSI from userspace.

Each ``Tgtd`` listens on its own management channel (``tgtd -C``, a free
number) and its own portal (a free TCP port on 127.0.0.1), so tests in other
worktrees running at the same moment never see its targets. It is stopped by
PID and its socket files removed. ``flags()`` are the nova-volume flags that
make the exporter use it.

``qemu_io(connection_info, *commands)`` reads or writes a volume through its
connection info with QEMU's userspace initiator (libiscsi, with CHAP), as a
compute host would reach it: the kernel initiator does not work on these
machines. Use as a pytest plugin (``pytest_plugins``) for the ``tgtd`` fixture.
"""
import os
import random
import shutil
import signal
import subprocess

import pytest

from nova.virt import iscsi
from tests.harness import daemons

SOCKET_DIR = '/var/run/tgtd'


def unavailable_reason():
    """Why no tgtd can run here, or None."""
    for tool in ('tgtd', 'tgtadm'):
        if shutil.which(tool) is None:
            return '%s is not installed (apt-get install tgt)' % tool
    if os.geteuid() != 0:
        return 'tgtd needs root'
    return None


def qemu_unavailable_reason():
    if shutil.which('qemu-io') is None:
        return 'qemu-io is not installed (apt-get install qemu-utils)'
    probe = subprocess.run(['qemu-io', '--image-opts', 'driver=iscsi', '-c', 'quit'],
                           capture_output=True, text=True)
    if 'Unknown driver' in probe.stderr or 'not found' in probe.stderr:
        return "QEMU's iSCSI initiator is missing (apt-get install qemu-block-extra)"
    return None


def free_control_port():
    """A tgtd management channel number no tgtd of this machine uses."""
    for _attempt in range(100):
        port = random.randint(10000, 32767)  # tgtd -C takes at most 32767
        if not os.path.exists(os.path.join(SOCKET_DIR, 'socket.%d' % port)):
            return port
    raise RuntimeError('no free tgtd control port')


class Tgtd:
    """A tgtd process on a free control port and portal; stop() cleans up after it."""

    def __init__(self, log_dir, ip_address='127.0.0.1'):
        self.ip_address = ip_address
        self.control_port = free_control_port()
        self.port = daemons.free_port()
        self.log_path = os.path.join(str(log_dir), 'tgtd-%d.log' % self.control_port)
        self._log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(
            ['tgtd', '-f', '-C', str(self.control_port), '--iscsi',
             'portal=%s:%d' % (ip_address, self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=daemons.die_with_the_test_process)
        try:
            daemons.wait_for(self._ready, timeout=15, interval=0.05,
                             what='tgtd on control port %d' % self.control_port)
        except BaseException:
            self.stop()
            raise

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError('tgtd exited %s: %s' % (self.proc.returncode, self.log()))
        return self.tgtadm('--mode', 'sys', '--op', 'show', check=False).returncode == 0

    def log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    @property
    def portal(self):
        return '%s:%d' % (self.ip_address, self.port)

    def flags(self):
        """nova-volume flags for an exporter that uses this tgtd (and never starts one)."""
        return {'iscsi_helper': 'tgtadm', 'iscsi_ip_address': self.ip_address,
                'iscsi_port': self.port, 'iscsi_control_port': self.control_port,
                'tgtd_start': False}

    def tgtadm(self, *args, check=True):
        result = subprocess.run(['tgtadm', '-C', str(self.control_port), *args],
                                capture_output=True, text=True, timeout=30)
        if check and result.returncode != 0:
            raise AssertionError('tgtadm %s: %s' % (' '.join(args), result.stderr))
        return result

    def targets(self):
        """{iqn: {'tid', 'luns': {lun: path}, 'accounts': [user]}} as tgtd has them."""
        from nova.volume.targets import tgt
        return tgt.parse_show(self.tgtadm('--lld', 'iscsi', '--mode', 'target',
                                          '--op', 'show').stdout)

    def accounts(self):
        """The CHAP accounts tgtd has, bound or not."""
        out = self.tgtadm('--lld', 'iscsi', '--mode', 'account', '--op', 'show').stdout
        return [line.strip() for line in out.splitlines()[1:] if line.strip()]

    def reset(self):
        """Drop every target and account (between tests sharing this tgtd)."""
        for target in self.targets().values():
            self.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force',
                        '--tid', str(target['tid']), check=False)
        for user in self.accounts():
            self.tgtadm('--lld', 'iscsi', '--mode', 'account', '--op', 'delete',
                        '--user', user, check=False)

    def stop(self):
        """Drop every target, stop the daemon (SIGKILL if it lingers), remove its sockets."""
        if self.proc.poll() is None:
            for target in self.targets().values() if self._ready_quietly() else ():
                self.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force',
                            '--tid', str(target['tid']), check=False)
            self.tgtadm('--mode', 'sys', '--op', 'delete', check=False)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()
        remove_sockets(self.control_port)

    def _ready_quietly(self):
        try:
            return self._ready()
        except AssertionError:
            return False


def remove_sockets(control_port):
    """The socket files a tgtd on that management channel leaves behind."""
    for suffix in ('', '.lock'):
        try:
            os.unlink(os.path.join(SOCKET_DIR, 'socket.%d%s' % (control_port, suffix)))
        except FileNotFoundError:
            pass


@pytest.fixture(scope='module')
def tgt_daemon(tmp_path_factory):
    """A private tgtd for a module's cloud (nova-volume's exports), or None where none
    can run: the module's volume tests then skip with unavailable_reason()."""
    if unavailable_reason():
        yield None
        return
    daemon = Tgtd(tmp_path_factory.mktemp('tgtd'))
    yield daemon
    daemon.stop()


@pytest.fixture(scope='module')
def tgtd(tmp_path_factory):
    """A Tgtd for the module's tests (skipped, with the reason, where tgtd cannot run)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    daemon = Tgtd(tmp_path_factory.mktemp('tgtd'))
    yield daemon
    daemon.stop()


@pytest.fixture(scope='module')
def qemu_iscsi():
    """Skip (with the reason) where QEMU cannot reach iSCSI targets from userspace."""
    reason = qemu_unavailable_reason()
    if reason:
        pytest.skip(reason)


def qemu_io(connection_info, *commands, check=True):
    """Run qemu-io commands ('write -P 0xab 0 1M', 'read -P 0xab 0 1M') on the volume."""
    argv = ['qemu-io', '--image-opts', iscsi.qemu_image_opts(connection_info)]
    for command in commands:
        argv += ['-c', command]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError('qemu-io %s failed (%d): %s%s' % (
            commands, result.returncode, result.stdout, result.stderr))
    return result


def virtual_size(connection_info):
    """The size of the volume as the initiator sees it (bytes)."""
    return iscsi.virtual_size(connection_info)
