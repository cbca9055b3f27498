"""Run Nova's own daemons and nova-manage as real processes for tests."""
import os
import signal
import socket
import subprocess
import sys
import time

from nova import utils

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
BIN = os.path.join(REPO, 'bin')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def write_flagfile(path, **flags):
    """A flagfile from keyword flags: True -> --name, False -> --noname."""
    lines = []
    for name, value in flags.items():
        if value is True:
            lines.append('--%s' % name)
        elif value is False:
            lines.append('--no%s' % name)
        else:
            lines.append('--%s=%s' % (name, value))
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return path


def die_with_the_test_process():
    """In the child before exec: SIGKILL when the pytest process that started it dies.

    A test process killed by a timeout (pytest-timeout ends it with os._exit) or by a
    signal runs no fixture teardown; its daemons must not outlive it and load the
    machine under the other test processes of make test."""
    utils.die_with_parent()


class Daemon:
    """One nova-<name> process; its stderr goes to a log file for post-mortems."""

    def __init__(self, name, flagfile, log_dir, *extra, prefix=()):
        """``prefix``: what runs the daemon's command (e.g. ip netns exec NS ...); it must
        exec it, so that the process is the daemon's."""
        self.name = name
        self.log_path = os.path.join(log_dir, '%s-%d.log' % (name, time.monotonic_ns()))
        self._log = open(self.log_path, 'wb')
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, os.path.join(BIN, name), '--flagfile=%s' % flagfile,
             *extra], stdout=self._log, stderr=subprocess.STDOUT, cwd=REPO,
            preexec_fn=die_with_the_test_process)

    def log(self):
        with open(self.log_path, errors='replace') as f:
            return f.read()

    def signal(self, signum):
        self.proc.send_signal(signum)

    def wait(self, timeout=30):
        return self.proc.wait(timeout)

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL if it does not exit; returns the exit code."""
        terminate(self.proc, timeout)
        self._log.close()
        return self.proc.returncode


def terminate(proc, timeout=30):
    """SIGTERM a process we started, then SIGKILL if it has not exited in ``timeout`` s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def manage(flagfile, *words, check=True):
    """Run nova-manage; returns the CompletedProcess (stdout, stderr as text)."""
    result = subprocess.run(
        [sys.executable, os.path.join(BIN, 'nova-manage'), '--flagfile=%s' % flagfile, *words],
        capture_output=True, text=True, cwd=REPO, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError('nova-manage %s failed (%d): %s%s' % (
            ' '.join(words), result.returncode, result.stdout, result.stderr))
    return result


def service_states(flagfile):
    """{(binary, host): ':-)' or 'XXX'} from `nova-manage service list`."""
    out = manage(flagfile, 'service', 'list').stdout.splitlines()
    states = {}
    for line in out[2:]:
        cols = line.split()
        states[(cols[0], cols[1])] = cols[4]
    return states


def wait_for(predicate, timeout=30, interval=0.2, what='condition'):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s' % (timeout, what))
        time.sleep(interval)
