"""What every transport provides, and which one a transport_url selects.

A transport moves JSON text to three kinds of destination: a topic queue
('compute' shared round robin, or 'compute.host1'), a fanout exchange (every
consumer of a topic) and a reply queue (one per process). Call correlation
(message id -> waiting green thread) is the same for all transports and lives
here, so each transport only implements sending and consuming.
"""
import abc
import logging
import uuid

import eventlet
from eventlet import event

from nova import exception
from nova.rpc import common
from nova.rpc import errors

LOG = logging.getLogger(__name__)

TOPIC, FANOUT, REPLY = 'topic', 'fanout', 'reply'

_REGISTRY = {
    'inproc': 'nova.rpc.impl_inproc.InprocTransport',
    'fake': 'nova.rpc.impl_inproc.InprocTransport',
    'rabbit': 'nova.rpc.impl_kombu.KombuTransport',
    'amqp': 'nova.rpc.impl_kombu.KombuTransport',
}


def register(scheme, import_path):
    """Make URLs of this scheme build the transport class at import_path."""
    _REGISTRY[scheme] = import_path


def get_transport_class(url):
    from nova import utils
    scheme = url.partition('://')[0]
    if scheme not in _REGISTRY or '://' not in url:
        raise exception.ConfigError(reason='unsupported transport_url scheme %r '
                                    '(known: %s)' % (scheme, ', '.join(sorted(_REGISTRY))))
    return utils.import_class(_REGISTRY[scheme])


class Unreachable(Exception):
    """A transport could not hand a message to its broker (after its retries)."""


class Listener(abc.ABC):
    """The consumers of one server: stop() ends delivery to its callback."""

    @abc.abstractmethod
    def stop(self):
        """Stop consuming; when this returns the callback is never called again."""

    def describe(self):
        """The queues consumed and their state, for Guru Meditation Reports."""
        return ''


class Transport(abc.ABC):
    """Send and consume RPC messages; calls and replies are correlated here."""

    def __init__(self, url):
        self.url = url
        self._waiters = {}  # msg_id -> Event waiting for the reply

    @abc.abstractmethod
    def _send(self, kind, name, body):
        """Deliver body (JSON text) to a TOPIC queue, FANOUT exchange or REPLY queue.

        Raises Unreachable when it cannot be handed to the broker.
        """

    @abc.abstractmethod
    def _reply_queue(self, timeout):
        """This process's reply queue name, consuming it (into _on_reply) if not yet.

        Raises Unreachable when it cannot be consumed within timeout seconds.
        """

    @abc.abstractmethod
    def listen(self, topic, host, callback):
        """Consume `topic`, `topic.host` and a fanout queue; return a Listener.

        callback(message_dict) runs in the transport's delivery green thread and
        must not block.
        """

    @abc.abstractmethod
    def cleanup(self):
        """Close connections and forget consumers; the transport is not used again."""

    def _deliver(self, kind, name, message):
        body = common.encode(message)
        try:
            self._send(kind, name, body)
        except Unreachable as e:
            raise exception.MessageDeliveryFailure(
                method=message.get('method', 'reply'), topic=name, reason=str(e)) from None

    def cast(self, topic, message):
        self._deliver(TOPIC, topic, message)

    def fanout_cast(self, topic, message):
        self._deliver(FANOUT, topic, message)

    def call(self, topic, message, timeout):
        """Send and wait for the reply; return its result or raise the remote failure."""
        msg_id = uuid.uuid4().hex
        try:
            reply_q = self._reply_queue(timeout)
        except Unreachable as e:
            raise exception.MessageDeliveryFailure(method=message['method'], topic=topic,
                                                   reason=str(e)) from None
        message = dict(message, _msg_id=msg_id, _reply_q=reply_q)
        waiter = self._waiters[msg_id] = event.Event()
        try:
            self.cast(topic, message)
            reply = None
            with eventlet.Timeout(timeout, False):
                reply = waiter.wait()
        finally:
            self._waiters.pop(msg_id, None)
        if reply is None:
            raise exception.MessagingTimeout(timeout=timeout, topic=topic,
                                             method=message['method'])
        if 'failure' in reply:
            raise errors.deserialize_failure(reply['failure'])
        return reply.get('result')

    def send_reply(self, reply_q, msg_id, result=None, failure=None):
        reply = {'_msg_id': msg_id}
        if failure is None:
            reply['result'] = result
        else:
            reply['failure'] = failure
        self._deliver(REPLY, reply_q, reply)

    def _on_reply(self, reply):
        """Hand a reply to the green thread waiting for it; late ones are dropped."""
        waiter = self._waiters.pop(reply.get('_msg_id'), None)
        if waiter is None:
            LOG.info('Dropped a reply to message %s: its caller timed out',
                     reply.get('_msg_id'))
            return
        waiter.send(reply)
