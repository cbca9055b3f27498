"""One RabbitMQ consumer connection, drained by one green thread, that survives restarts.

py-amqp connections must not be used by several green threads at once, so
everything on a consumer connection (declaring, draining, acking, closing)
happens in its own thread. When the broker goes away the thread reconnects
every rabbit_retry_interval seconds, re-declares its queues and consumes
again, until it is stopped.
"""
import logging
import re
import socket
import time

import amqp.exceptions
import eventlet
import greenlet
import kombu
import kombu.exceptions
from eventlet import event

from nova.conf import CONF
from nova.i18n import _LE, _LW
from nova.rpc import common
from nova.rpc import transport

LOG = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
CLOSE_TIMEOUT = 2
HEARTBEAT = 60  # seconds; finds a broker lost without a TCP reset (network partition)
DRAIN_TIMEOUT = 1.0

# errors after which a new connection may succeed
RETRYABLE = (OSError, amqp.exceptions.ConnectionError,
             amqp.exceptions.RecoverableChannelError, amqp.exceptions.MessageNacked,
             kombu.exceptions.OperationalError)


def kombu_url(url):
    """kombu knows rabbit:// as amqp:// (py-amqp)."""
    scheme, sep, rest = url.partition('://')
    return ('amqp' if scheme == 'rabbit' else scheme) + sep + rest


def log_retry(attempt):
    """The log method for a retry: the first and every 30th are warnings, not each one."""
    return LOG.warning if attempt == 1 or attempt % 30 == 0 else LOG.debug


def connect_once(connection):
    """Connect without kombu's own retries: callers pace retries by rabbit_retry_interval."""
    connection.ensure_connection(max_retries=0, reraise_as_library_errors=False)


def close_quietly(connection):
    """Close a kombu connection, waiting only briefly for a broker that may be gone."""
    try:
        with eventlet.Timeout(CLOSE_TIMEOUT, False):
            connection.release()
    except Exception as e:
        LOG.debug('Error closing a broker connection: %s', e)


class Consumer(transport.Listener):
    """Consumes the queues queues_factory() returns and hands each message to callback."""

    def __init__(self, url, queues_factory, callback, name):
        self._url = kombu_url(url)
        self._queues_factory = queues_factory
        self._callback = callback
        self.name = name
        self._connection = None
        self._thread = None
        self._stopping = False
        self._in_callback = False
        self._last_heartbeat_check = 0.0
        self._consuming = event.Event()  # replaced by a fresh one when the connection is lost
        self._queue_names = []  # as last declared (a fanout queue is new on each connection)

    def start(self):
        """Connect and consume now (retrying rabbit_max_retries times), then drain."""
        self._connect_retrying(CONF.rabbit_max_retries, at_start=True)
        self._thread = eventlet.spawn(self._run)

    def stop(self):
        self._stopping = True
        thread, self._thread = self._thread, None
        if thread is not None:
            if not self._in_callback:  # blocked on the socket: nothing is half handled
                thread.kill()
            try:
                thread.wait()
            except greenlet.GreenletExit:
                pass
        self._close()

    def describe(self):
        return 'queues %s on %s (%s)' % (
            ', '.join(self._queue_names) or '-', re.sub(r'(?<=[/,])[^/,@]*@', '', self._url),
            'consuming' if self._consuming.ready() else 'connecting')

    def wait_consuming(self, timeout):
        """Wait until the queues are consumed (again, after a broker restart)."""
        if self._consuming.ready():
            return True
        with eventlet.Timeout(timeout, False):
            return self._consuming.wait()
        return False

    def _connect(self):
        connection = kombu.Connection(self._url, heartbeat=HEARTBEAT,
                                      connect_timeout=CONNECT_TIMEOUT)
        try:
            connect_once(connection)
            queues = self._queues_factory()
            consumer = kombu.Consumer(connection.channel(), queues,
                                      no_ack=False, on_message=self._on_message,
                                      accept=['application/json'])
            consumer.consume()
            self._queue_names = [queue.name for queue in queues]
        except BaseException:
            close_quietly(connection)
            raise
        self._connection = connection
        self._last_heartbeat_check = time.monotonic()
        if not self._consuming.ready():
            self._consuming.send(True)

    def _connect_retrying(self, max_retries, at_start=False):
        attempt = 0
        while not self._stopping:
            try:
                self._connect()
                if attempt:
                    LOG.info('%s: connected to the broker again', self.name)
                return
            except RETRYABLE as e:
                attempt += 1
                if max_retries and attempt > max_retries:
                    raise transport.Unreachable('%s: broker unreachable after %d attempts: %s'
                                                % (self.name, attempt, e)) from None
                log_retry(attempt)('%s: cannot reach the broker (%s); retrying in %ss',
                                   self.name, e, CONF.rabbit_retry_interval)
            except Exception as e:
                if at_start:  # refused declarations, bad credentials: retrying cannot help
                    raise transport.Unreachable('%s: %s' % (self.name, e)) from None
                LOG.error(_LE('%s: cannot consume (%s: %s); retrying in %ss'), self.name,
                          type(e).__name__, e, CONF.rabbit_retry_interval)
            eventlet.sleep(CONF.rabbit_retry_interval)

    def _run(self):
        try:
            while not self._stopping:
                try:
                    self._drain()
                except Exception as e:  # whatever broke, only a new connection helps
                    if self._stopping:
                        break
                    LOG.warning(_LW('%s: lost the broker connection (%s: %s); reconnecting'),
                                self.name, type(e).__name__, e)
                    self._close()
                    self._connect_retrying(0)
        finally:
            self._close()

    def _drain(self):
        try:
            self._connection.drain_events(timeout=DRAIN_TIMEOUT)
        except socket.timeout:
            pass
        now = time.monotonic()
        if now - self._last_heartbeat_check >= DRAIN_TIMEOUT:
            self._last_heartbeat_check = now
            self._connection.heartbeat_check()

    def _on_message(self, message):
        self._in_callback = True
        try:
            try:
                decoded = common.decode(message.body)
            except ValueError as e:
                LOG.error(_LE('%s: dropped a message that is not JSON: %s'), self.name, e)
            else:
                try:
                    self._callback(decoded)
                except Exception:
                    LOG.exception(_LE('%s: error handing over a message'), self.name)
            message.ack()
        finally:
            self._in_callback = False

    def _close(self):
        if self._consuming.ready():
            self._consuming = event.Event()
        connection, self._connection = self._connection, None
        if connection is not None:
            close_quietly(connection)
