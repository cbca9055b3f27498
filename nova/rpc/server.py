"""RPCServer: consume a topic and dispatch each message on a green thread pool.

The transport's delivery thread hands messages over without ever blocking:
when every pool thread is busy, messages wait in a backlog that the busy
threads work through as they finish. A blocked delivery thread could not
receive replies to the calls those busy threads are themselves waiting on.
"""
import collections
import logging

import eventlet

from nova import context as nova_context
from nova import exception
from nova.conf import CONF
from nova.i18n import _LE, _LW
from nova.rpc import errors

LOG = logging.getLogger(__name__)


class RPCServer:
    """Serves `topic`, `topic.host` and the `topic_fanout` exchange with a dispatcher."""

    def __init__(self, transport, topic, host, dispatcher, pool_size=None):
        self.transport = transport
        self.topic = topic
        self.host = host
        self.dispatcher = dispatcher
        self._pool = eventlet.GreenPool(pool_size or CONF.rpc_thread_pool_size)
        self._backlog = collections.deque()
        self._listener = None

    def start(self):
        if self._listener is None:
            self._listener = self.transport.listen(self.topic, self.host, self._on_message)

    def stop(self):
        """Stop consuming; messages already received are still dispatched."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None

    def wait(self, timeout=None):
        """Wait (at most timeout seconds) for in-flight dispatches; True if all finished."""
        with eventlet.Timeout(timeout, False):
            self._pool.waitall()
        finished = not self._backlog and self._pool.running() == 0
        if not finished:
            LOG.warning(_LW('%s: %d dispatches still running after %ss'), self.topic,
                        self._pool.running() + len(self._backlog), timeout)
        return finished

    def describe(self):
        """Queues and the dispatch pool's load, for Guru Meditation Reports."""
        listener = self._listener
        return '%s; dispatching %d of %d green threads, %d waiting' % (
            listener.describe() if listener is not None else 'stopped',
            self._pool.running(), self._pool.size, len(self._backlog))

    def _on_message(self, message):
        if self._pool.free():
            self._pool.spawn_n(self._process, message)
        else:
            self._backlog.append(message)

    def _process(self, message):
        self._handle(message)
        while self._backlog:
            self._handle(self._backlog.popleft())

    def _handle(self, message):
        reply_q = message.get('_reply_q')
        try:
            result, failure = self.dispatcher.dispatch(message), None
        except Exception as e:
            result, failure = None, errors.serialize_failure(e, self.host)
            self._log_failure(message, e, expected=reply_q is not None)
        finally:
            nova_context.clear_current()
        if reply_q:
            self._reply(reply_q, message.get('_msg_id'), result, failure)

    def _reply(self, reply_q, msg_id, result, failure):
        try:
            try:
                self.transport.send_reply(reply_q, msg_id, result, failure)
            except (TypeError, ValueError) as e:  # a result that JSON cannot carry
                LOG.error(_LE('%s: cannot send the result of message %s: %s'), self.topic,
                          msg_id, e)
                self.transport.send_reply(reply_q, msg_id, failure=errors.serialize_failure(
                    e, self.host))
        except Exception:  # the caller will time out; this thread must go on
            LOG.exception(_LE('%s: the reply to message %s was lost'), self.topic, msg_id)

    def _log_failure(self, message, exc, expected):
        method = message.get('method')
        if expected and isinstance(exc, exception.NovaException):
            LOG.info('%s.%s raised %s: %s (returned to the caller)', self.topic, method,
                     type(exc).__name__, exc)
        else:
            LOG.exception(_LE('%s.%s failed'), self.topic, method)
