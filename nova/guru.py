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
answers. A handler runs between two bytecodes of whatever it interrupted, which may
hold logging's locks or be inside a buffered file's write; so the handler takes no
lock: it writes with os.write (the report file, and its notice straight onto the
log handlers' file descriptors) and lets no exception escape into the interrupted
code (one that did once killed the HTTP server's accept loop).
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

import eventlet.patcher
import greenlet

import nova.conf
from nova.conf import CONF
from nova.db import api as db

# eventlet's green os.write waits in the hub when a descriptor would block: from a
# signal handler (which may be running in the hub) that is a crash, so the handler
# writes with the real one.
_os = eventlet.patcher.original('os')

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
            elif hasattr(service, 'describe'):  # neither: a periodic task, say
                lines.append('%s: %s' % (service.binary, service.describe()))
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
                obj for obj in _tracked_objects()
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

    def _report_path(self):
        return os.path.join(CONF.guru_report_dir, '%s_gurumeditation_%d_%s.txt' % (
            self.binary, os.getpid(),
            datetime.datetime.now(datetime.timezone.utc).strftime('%Y%m%dT%H%M%S.%f')))

    def _write_file(self, text):
        """Write text to a new file in --guru_report_dir with os calls only (no
        buffered-file lock); returns (path, None) or (path or None, the OSError)."""
        if not CONF.guru_report_dir:
            return None, None
        path = self._report_path()
        try:
            os.makedirs(CONF.guru_report_dir, exist_ok=True)
            fd = _os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                data = text.encode('utf-8', 'replace')
                while data:
                    data = data[_os.write(fd, data):]
            finally:
                _os.close(fd)
            return path, None
        except OSError as e:
            return path, e

    @staticmethod
    def _messages(path, error, text):
        """(level, message) pairs to log for one report written (or not) to path."""
        if path and error is None:
            return [(logging.INFO, 'Guru Meditation Report written to %s' % path)]
        messages = []
        if error is not None:
            messages.append((logging.ERROR, 'Cannot write the Guru Meditation Report to %s '
                             '(%s): logging it instead' % (path, error)))
        return messages + [(logging.INFO, text)]

    def write(self):
        """Write one report to --guru_report_dir (a new file) or the log; returns the
        file's path or None. For callers outside a signal handler."""
        text = self.build()
        path, error = self._write_file(text)
        for level, message in self._messages(path, error, text):
            LOG.log(level, '%s', message)
        return path if error is None else None

    def _on_signal(self, signum, frame):
        try:
            text = self.build()
            path, error = self._write_file(text)
            for level, message in self._messages(path, error, text):
                _log_without_locks(level, message)
        except Exception as e:  # never into the interrupted code
            try:
                _log_without_locks(logging.ERROR, 'Guru Meditation Report failed: %s' % e)
            except Exception:  # nothing left to tell it with
                pass


def _log_without_locks(level, message):
    """Write one record onto the file descriptors of the root logger's handlers,
    formatted as they would, without taking logging's or the stream's locks. A
    handler without a file descriptor (syslog, a test's capture) is skipped."""
    record = logging.LogRecord(LOG.name, level, __file__, 0, message, None, None)
    for handler in list(logging.getLogger().handlers):
        try:
            fd = handler.stream.fileno()
            if not handler.filter(record):  # also adds what the format needs
                continue
            line = handler.format(record) + '\n'
        except Exception:  # no stream, or no descriptor behind it
            continue
        data = line.encode('utf-8', 'replace')
        try:
            while data:
                data = data[_os.write(fd, data):]
        except OSError:
            continue


def _tracked_objects():
    """Every object the collector tracks, the frozen ones too: a daemon freezes
    what it loaded at start (nova.cmd.common.settle_gc), its service loops' green
    threads among them, and gc.get_objects() leaves the frozen out. They are
    frozen again afterwards, with what came since (a report is rare)."""
    frozen = gc.get_freeze_count()
    if frozen:
        gc.unfreeze()
    try:
        return gc.get_objects()
    finally:
        if frozen:
            gc.freeze()


def _stack(frame):
    return [line.rstrip('\n') for line in traceback.format_stack(frame)]


def install(binary, launcher=None):
    """Answer --guru_signal with a report about this process (and the services of
    launcher, when given); returns the Reporter."""
    reporter = Reporter(binary, launcher)
    signal.signal(getattr(signal, CONF.guru_signal), reporter._on_signal)
    return reporter
