"""Guru Meditation Report: a running daemon, asked by a signal, says what it is doing.

``install(binary)`` makes ``--guru_signal`` (SIGUSR2) write a report
of every green and native thread's stack, the effective flags (secrets
masked), package versions, the RPC topics and HTTP listeners of the process's
services, the DB pool and the process itself, into the log or a file in
``--guru_report_dir``. The daemon goes on serving. Daemons install it as soon
as logging is set up (nova/cmd/common.py), so one stuck at start-up (waiting for
its database) answers too; the launcher adds its services once it runs them.

The report is written from the signal handler itself, not from a green thread:
a daemon whose green threads are stuck (the case a report is wanted for) still
answers.
"""
import datetime
import gc
import importlib.metadata
import logging
import os
import signal
import sys
import time
import traceback

import greenlet

import nova.conf
from nova.conf import CONF
from nova.db import api as db

LOG = logging.getLogger(__name__)

PACKAGES = ('nova', 'eventlet', 'greenlet', 'SQLAlchemy', 'alembic', 'kombu', 'amqp',
            'oslo.config', 'WebOb', 'Routes', 'PasteDeploy', 'psycopg', 'libvirt-python',
            'cryptography', 'boto3')
SECTIONS = ('Process', 'Package Versions', 'Configuration', 'Services and RPC Consumers',
            'Database Pool', 'Green Threads', 'Native Threads')

_STARTED = time.time()


class Reporter:
    """Builds and writes reports about one process and the services its launcher runs."""

    def __init__(self, binary, launcher=None):
        self.launcher = launcher
        self.binary = binary

    # ------------------------------------------------------------ sections

    def process(self):
        rss = ''
        try:
            with open('/proc/self/status') as status:
                rss = next((line.split(':', 1)[1].strip() for line in status
                            if line.startswith('VmRSS:')), '')
        except OSError:
            pass
        try:
            fds = len(os.listdir('/proc/self/fd'))
        except OSError:
            fds = 'unknown'
        return ['binary: %s' % self.binary, 'pid: %d' % os.getpid(),
                'parent pid: %d' % os.getppid(), 'command: %s' % ' '.join(sys.argv),
                'python: %s' % sys.version.split()[0], 'rss: %s' % (rss or 'unknown'),
                'open fds: %s' % fds, 'uptime: %ds' % (time.time() - _STARTED),
                'flagfiles: %s' % (', '.join(nova.conf.LOADED_FLAGFILES) or '-')]

    @staticmethod
    def versions():
        lines = []
        for package in PACKAGES:
            try:
                lines.append('%s %s' % (package, importlib.metadata.version(package)))
            except importlib.metadata.PackageNotFoundError:
                lines.append('%s (not installed)' % package)
        return lines

    @staticmethod
    def configuration():
        return ['%s%s = %s' % ('' if group == 'DEFAULT' else group + '.', name, value)
                for group, name, value in nova.conf.effective_values()]

    def services(self):
        lines = []
        for service in list(getattr(self.launcher, 'services', ())):
            server = getattr(service, 'rpcserver', None)
            if server is not None:
                lines.append('%s: rpc topic %s on host %s: %s' % (
                    service.binary, server.topic, server.host, server.describe()))
            elif hasattr(service, 'server'):
                lines.append('%s: http %s:%s' % (service.binary, service.server.host,
                                                 service.port))
            else:
                lines.append('%s: not consuming' % getattr(service, 'binary', service))
        return lines or ['no service started yet']

    @staticmethod
    def database():
        status = db.pool_status()
        if not status:
            return ['no connection made yet']
        return ['%s: %s' % item for item in sorted(status.items())]

    @staticmethod
    def green_threads():
        lines = []
        for index, thread in enumerate(
                obj for obj in gc.get_objects()
                if isinstance(obj, greenlet.greenlet) and obj.gr_frame is not None):
            lines.append('-- green thread %d (%s)' % (index, type(thread).__name__))
            lines.extend(_stack(thread.gr_frame))
        return lines or ['none besides the current one']

    @staticmethod
    def native_threads():
        lines = []
        for thread_id, frame in sorted(sys._current_frames().items()):
            lines.append('-- native thread %d' % thread_id)
            lines.extend(_stack(frame))
        return lines

    # ------------------------------------------------------------ output

    def build(self):
        """The whole report as text; a section that fails says why, the rest still come."""
        builders = (self.process, self.versions, self.configuration, self.services,
                    self.database, self.green_threads, self.native_threads)
        out = ['=' * 72, 'Guru Meditation Report: %s (pid %d) at %s' % (
            self.binary, os.getpid(),
            datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')),
            '=' * 72]
        for title, build in zip(SECTIONS, builders):
            out += ['', '==== %s ====' % title]
            try:
                out += build()
            except Exception as e:  # a report must never take the daemon down
                out.append('(section failed: %s: %s)' % (type(e).__name__, e))
        return '\n'.join(out) + '\n'

    def write(self):
        """Write one report to --guru_report_dir (a new file) or the log."""
        text = self.build()
        if CONF.guru_report_dir:
            path = os.path.join(CONF.guru_report_dir, '%s_gurumeditation_%d_%s.txt' % (
                self.binary, os.getpid(),
                datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%S.%f')))
            try:
                os.makedirs(CONF.guru_report_dir, exist_ok=True)
                with open(path, 'x') as f:
                    f.write(text)
                LOG.info('Guru Meditation Report written to %s', path)
                return path
            except OSError as e:
                LOG.error('Cannot write the Guru Meditation Report to %s (%s): '
                          'logging it instead', path, e)
        LOG.info('%s', text)
        return None

    def _on_signal(self, signum, frame):
        try:
            self.write()
        except Exception:
            LOG.exception('Guru Meditation Report failed')


def _stack(frame):
    return [line.rstrip('\n') for line in traceback.format_stack(frame)]


def install(binary, launcher=None):
    """Answer --guru_signal with a report about this process (and the services of
    launcher, when given); returns the Reporter."""
    reporter = Reporter(binary, launcher)
    signal.signal(getattr(signal, CONF.guru_signal), reporter._on_signal)
    return reporter
