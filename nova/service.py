"""Service: one RPC daemon (topic consumer + manager), and its HTTP sibling.

``Service`` consumes ``topic``, ``topic.<host>`` and the fanout ``topic_fanout``,
dispatches declared methods into its manager, heartbeats into the ``services``
table and runs the manager's periodic tasks. ``WSGIService`` serves one paste
app and heartbeats the same way. ``launch`` runs any number of either in one
process until SIGTERM/SIGINT (graceful stop, exit 0); SIGHUP reloads logging;
--guru_signal (SIGUSR2) writes a Guru Meditation Report (nova/guru.py).
"""
import logging
import signal

import eventlet

from nova import context as nova_context
from nova.db import api as db
from nova import exception
from nova import guru
from nova import log as nova_log
from nova import rpc
from nova import utils
from nova.conf import CONF
from nova.i18n import _LE, _LW
from nova.rpc import dispatcher as rpc_dispatcher

LOG = logging.getLogger(__name__)


class ServiceReporter:
    """Owns a service's row: registration, heartbeats, and the stopped mark."""

    def __init__(self, host, binary, topic, report_interval=None):
        self.host, self.binary, self.topic = host, binary, topic
        self.report_interval = report_interval or CONF.report_interval
        self.service_id = None
        self._thread = None
        self.model_disconnected = False

    def register(self):
        ctxt = nova_context.get_admin_context()
        try:
            row = db.service_get_by_host_and_binary(ctxt, self.host, self.binary)
            db.service_update(ctxt, row.id, {'topic': self.topic, 'stopped_at': None})
        except exception.HostBinaryNotFound:
            row = db.service_create(ctxt, {
                'host': self.host, 'binary': self.binary, 'topic': self.topic,
                'report_count': 0,
                'availability_zone': self._zone()})
        self.service_id = row.id
        self.heartbeat()

    def _zone(self):
        """Compute and volume hosts live in zones; the other services are internal."""
        if self.topic == CONF.compute_topic:
            return CONF.default_availability_zone
        if self.topic == CONF.volume_topic:
            return CONF.storage_availability_zone
        return CONF.internal_service_availability_zone

    def heartbeat(self):
        """Write one heartbeat; a lost DB is logged, never fatal."""
        ctxt = nova_context.get_admin_context()
        try:
            try:
                db.service_heartbeat(ctxt, self.service_id)
            except exception.ServiceNotFound:
                LOG.warning(_LW('Service row of %s on %s vanished; registering again'),
                            self.binary, self.host)
                self.register()
                return
            if self.model_disconnected:
                self.model_disconnected = False
                LOG.info('Recovered connection to the database')
        except Exception:
            if not self.model_disconnected:
                self.model_disconnected = True
                LOG.exception(_LE('Heartbeat of %s failed: lost the database?'), self.binary)

    def _loop(self):
        while True:
            eventlet.sleep(self.report_interval)
            self.heartbeat()

    def start(self):
        self.register()
        self._thread = eventlet.spawn(self._loop)

    def stop(self):
        if self._thread is not None:
            self._thread.kill()
            self._thread = None
        if self.service_id is not None:
            try:
                db.service_update(nova_context.get_admin_context(), self.service_id,
                                  {'stopped_at': utils.utcnow()})
            except Exception:
                LOG.exception(_LE('Could not mark %s stopped'), self.binary)


class Service:
    """An RPC daemon: topic consumers, a manager, heartbeats, periodic tasks."""

    def __init__(self, host, binary, topic, manager, report_interval=None,
                 periodic_interval=None, periodic_enable=None):
        self.host, self.binary, self.topic = host, binary, topic
        self.manager_class_name = manager
        self.manager = utils.import_object(manager, host=host, service_name=binary)
        self.reporter = ServiceReporter(host, binary, topic, report_interval)
        self.periodic_interval = periodic_interval or CONF.periodic_interval
        self.periodic_enable = CONF.periodic_enable if periodic_enable is None else periodic_enable
        self.rpcserver = None
        self._periodic_thread = None

    @classmethod
    def create(cls, binary, host=None, topic=None, manager=None, **kwargs):
        """Build from the flags: nova-compute -> topic compute, --compute_manager."""
        short = binary.rpartition('nova-')[2]
        topic = topic or getattr(CONF, '%s_topic' % short)
        manager = manager or getattr(CONF, '%s_manager' % short)
        return cls(host or CONF.host, binary, topic, manager, **kwargs)

    @property
    def service_id(self):
        return self.reporter.service_id

    def start(self):
        LOG.info('Starting %s on %s (topic %s)', self.binary, self.host, self.topic)
        self.reporter.start()  # the row first: init_host may hang records off it
        self.manager.service_id = self.reporter.service_id
        self.manager.init_host()
        dispatcher = rpc_dispatcher.RPCDispatcher(self.manager.RPC_API, self.manager,
                                                  self.topic)
        self.rpcserver = rpc.get_server(self.topic, self.host, dispatcher)
        self.rpcserver.start()
        if self.periodic_enable:
            self._periodic_thread = eventlet.spawn(self._periodic_loop)

    def _periodic_loop(self):
        ctxt = nova_context.get_admin_context()
        while True:
            idle = self.manager.periodic_tasks(ctxt)
            eventlet.sleep(min(idle or self.periodic_interval, self.periodic_interval))

    def stop(self, graceful=True):
        """Stop consuming, let in-flight messages finish (bounded), mark stopped."""
        LOG.info('Stopping %s on %s', self.binary, self.host)
        if self.rpcserver is not None:
            self.rpcserver.stop()
            if graceful:
                self.rpcserver.wait(CONF.graceful_shutdown_timeout)
        if self._periodic_thread is not None:
            self._periodic_thread.kill()
            self._periodic_thread = None
        self.manager.cleanup_host()
        self.reporter.stop()


# paste apps whose nova-<name> is an RPC service's binary: their own row apart
API_BINARIES = {'network': 'nova-network-api'}


class WSGIService:
    """An HTTP daemon serving one paste app (osapi_compute, ec2, image, ...)."""

    def __init__(self, name, host=None, loader=None, port=None):
        # imported here: an RPC daemon serves no HTTP and need not load webob,
        # paste.deploy and oslo.policy (doc/performance.md: each daemon imports what it serves)
        from nova import policy
        from nova import wsgi
        from nova.api import request_input
        self.name = name
        self.binary = API_BINARIES.get(name, 'nova-%s' % name)
        self.host = host or CONF.host
        # every listener refuses what no front end can decode (nova/api/request_input.py)
        self.app = request_input.guard_listener(name, (loader or wsgi.Loader()).load_app(name))
        listen_port = getattr(CONF, '%s_listen_port' % name) if port is None else port
        self.server = wsgi.Server(name, self.app, getattr(CONF, '%s_listen' % name),
                                  listen_port)
        self.reporter = ServiceReporter(self.host, self.binary, None)
        policy.load_rules()  # a policy file that cannot be parsed stops the start
        self.report = True  # heartbeats; one of several API workers writes them (api_workers)

    @property
    def port(self):
        return self.server.port

    def start(self):
        self.server.start()
        if self.report:
            self.reporter.start()
        LOG.info('%s listening on %s:%s', self.name, self.server.host, self.server.port)

    def stop(self, graceful=True):
        self.server.stop(CONF.graceful_shutdown_timeout if graceful else 0)
        self.reporter.stop()


class StopDuringStart(BaseException):
    """A stop signal came while services were still starting (e.g. waiting for
    the broker): starting is abandoned instead of finishing first."""


class Launcher:
    """Runs services in this process until a stop signal; exit code 0 on SIGTERM."""

    def __init__(self):
        self.services = []
        self._stop_requested = False
        self._starting = False

    def launch_all(self, services):
        """Start each service (a Service or a callable making one), in order.

        A stop signal meanwhile stops those already running and raises
        StopDuringStart.
        """
        self._starting = True
        try:
            for svc in services:
                if self._stop_requested:
                    raise StopDuringStart()
                self.launch(svc() if callable(svc) else svc)
        except StopDuringStart:
            self.stop()
            raise
        finally:
            self._starting = False

    def launch(self, service):
        service.start()
        self.services.append(service)

    def _on_stop_signal(self, signum, frame):
        LOG.info('Caught %s, stopping', signal.Signals(signum).name)
        self._stop_requested = True
        if self._starting:
            raise StopDuringStart()

    @staticmethod
    def _on_hup(signum, frame):
        eventlet.spawn_n(nova_log.reload)

    def install_signal_handlers(self):
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_hup)
        guru.install(CONF.prog, self)

    def wait(self):
        """Block until a stop signal, then stop every service gracefully."""
        while not self._stop_requested:
            eventlet.sleep(0.2)
        self.stop()

    def stop(self):
        # in reverse: APIs stop taking requests before the workers behind them go
        for service in reversed(self.services):
            try:
                service.stop()
            except Exception:
                LOG.exception(_LE('Error stopping %s'), getattr(service, 'binary', service))
        self.services = []
        rpc.cleanup()
