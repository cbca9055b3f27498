"""Worker processes for nova-api: several processes accept on the same listen sockets.

One Python process computes on one core at a time, so one nova-api serves at most a
core's worth of requests however many green threads it runs. As classic Nova does
with --osapi_compute_workers, the parent binds every listen socket and loads the
paste apps, then forks: worker 0 serves every enabled API, worker i > 0 the APIs
whose --<api>_workers is more than i, and the kernel gives each new connection to
one of the processes accepting on its socket. The parent only supervises: a worker
that dies is forked again, and SIGTERM/SIGINT stop every worker (each finishes the
requests in flight) before the parent exits 0.

A child starts clean: its own eventlet hub (never the parent's epoll), its own
database connections (nova.db.session rebuilds its engine in a new pid) and its
own RPC transport (its own reply queue). Only worker 0 writes the services'
heartbeats: one row per API, however many processes serve it.
"""
import logging
import os
import signal
import sys

import eventlet.hubs
import eventlet.patcher

from nova import rpc
from nova import utils
from nova.conf import CONF
from nova.db import session as db_session
from nova.i18n import _LE, _LW

LOG = logging.getLogger(__name__)
_os = eventlet.patcher.original('os')  # a blocking waitpid: the parent runs nothing else
_time = eventlet.patcher.original('time')
RESTART_PAUSE = 1.0  # seconds between forks of a worker that keeps dying at once


def _die_with_parent(parent):
    """A worker dies with its parent, as one process would: a nova-api killed with
    SIGKILL leaves no worker holding its ports."""
    try:
        utils.die_with_parent()
    except (OSError, AttributeError):
        LOG.warning(_LW('prctl(PR_SET_PDEATHSIG) unavailable: workers outlive a killed parent'))
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def worker_count(name):
    """How many processes serve API ``name`` (--<name>_workers; its default: the cores)."""
    option = '%s_workers' % name
    if option not in CONF:
        return 1
    value = getattr(CONF, option)
    return value if value is not None else (os.cpu_count() or 1)


def slots(services):
    """[[services worker i serves] for each worker]: every service in worker 0."""
    count = max([worker_count(s.name) for s in services] or [1])
    return [[s for s in services if i == 0 or worker_count(s.name) > i] for i in range(count)]


class WorkerLauncher:
    """Forks and supervises the workers serving already-built WSGIServices."""

    def __init__(self, services, run_worker):
        """run_worker(services, report): serve them in this (child) process until
        stopped, writing heartbeats if report; returns an exit code."""
        self.slots = slots(services)
        self.all_services = services
        self.run_worker = run_worker
        self.children = {}  # pid -> slot
        self.stopping = False

    def run(self):
        """Fork every worker, supervise them; the exit code of the daemon."""
        # nothing of the parent's connections may be shared: children open their own
        db_session.dispose()
        rpc.cleanup()
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)
        signal.signal(signal.SIGHUP, self._forward)
        for slot in range(len(self.slots)):
            self._fork(slot)
        LOG.info('%d API worker processes started: %s', len(self.slots), ', '.join(
            '%d (%s)' % (pid, ' '.join(s.name for s in self.slots[slot]))
            for pid, slot in sorted(self.children.items(), key=lambda item: item[1])))
        while self.children:
            pid, status = _os.waitpid(-1, 0)
            slot = self.children.pop(pid, None)
            if slot is None or self.stopping:
                continue
            LOG.error(_LE('API worker %d (%s) exited with status %d; starting another'), pid,
                      ' '.join(s.name for s in self.slots[slot]), status)
            _time.sleep(RESTART_PAUSE)
            if not self.stopping:
                self._fork(slot)
        return 0

    def _fork(self, slot):
        parent = os.getpid()
        pid = os.fork()
        if pid:
            self.children[pid] = slot
            return
        code = 1
        try:
            code = self._child(slot, parent)
        except BaseException:  # noqa: BLE001 -- logged, and the parent forks another
            LOG.exception(_LE('API worker %d failed'), os.getpid())
        finally:
            logging.shutdown()
            os._exit(code)

    def _child(self, slot, parent):
        _die_with_parent(parent)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)  # the worker's launcher installs its own
        eventlet.hubs.use_hub()  # a hub of its own: never the parent's epoll
        rpc.init()
        mine = self.slots[slot]
        for service in self.all_services:
            if service not in mine:
                service.server.socket.close()  # served by other workers only
        return self.run_worker(mine, report=slot == 0)

    def _on_stop(self, signum, frame):
        self.stopping = True
        self._forward(signal.SIGTERM, frame)

    def _forward(self, signum, frame):
        for pid in list(self.children):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass


def run(services, run_worker):
    """Serve services in worker processes when any API wants more than one, else in
    this process; returns the exit code."""
    if len(slots(services)) == 1:
        return run_worker(services, report=True)
    sys.stdout.flush()
    return WorkerLauncher(services, run_worker).run()
