"""In-process transport (inproc://, alias fake://): nova-all and unit tests.

Queues are plain lists of consumer callbacks in this process, so a message
costs one JSON round trip and, on the server, one green thread for its
dispatch: nothing else is spawned or switched to on the way. Messages are
still JSON-encoded and decoded so that callers and callees never share
objects, exactly as over a broker.
"""
import collections
import logging
import uuid

from nova.rpc import common
from nova.rpc import transport

LOG = logging.getLogger(__name__)


class _Queue:
    """Consumers of one queue, served round robin; messages wait here for the first."""

    __slots__ = ('consumers', 'backlog', 'turn')

    def __init__(self):
        self.consumers = []
        self.backlog = collections.deque()
        self.turn = 0

    def put(self, message):
        if not self.consumers:
            self.backlog.append(message)
            return
        self.turn += 1
        self.consumers[self.turn % len(self.consumers)](message)

    def flush(self):
        while self.backlog and self.consumers:
            self.put(self.backlog.popleft())


class _InprocListener(transport.Listener):
    def __init__(self, owner, queue_names, topic, callback):
        self._owner = owner
        self._queue_names = queue_names
        self._topic = topic
        self._callback = callback

    def stop(self):
        self._owner._remove(self)

    def describe(self):
        return 'in-process queues %s and fanout %s' % (', '.join(self._queue_names),
                                                      self._topic)


class InprocTransport(transport.Transport):
    """All queues of one process, held in memory."""

    def __init__(self, url):
        super().__init__(url)
        self._queues = collections.defaultdict(_Queue)
        self._fanout = collections.defaultdict(list)  # topic -> callbacks
        self._reply_name = 'reply_' + uuid.uuid4().hex

    def _send(self, kind, name, body):
        if kind == transport.TOPIC:
            self._queues[name].put(common.decode(body))
        elif kind == transport.FANOUT:
            for callback in list(self._fanout.get(name, ())):
                callback(common.decode(body))
        elif name == self._reply_name:
            self._on_reply(common.decode(body))
        else:
            LOG.info('Dropped a reply for unknown reply queue %s', name)

    def _reply_queue(self, timeout):
        return self._reply_name

    def listen(self, topic, host, callback):
        names = [topic, '%s.%s' % (topic, host)] if host else [topic]
        listener = _InprocListener(self, names, topic, callback)
        for name in names:
            self._queues[name].consumers.append(callback)
        self._fanout[topic].append(callback)
        for name in names:
            self._queues[name].flush()
        return listener

    def _remove(self, listener):
        for name in listener._queue_names:
            consumers = self._queues[name].consumers
            if listener._callback in consumers:
                consumers.remove(listener._callback)
        fanout = self._fanout.get(listener._topic, [])
        if listener._callback in fanout:
            fanout.remove(listener._callback)

    def cleanup(self):
        self._queues.clear()
        self._fanout.clear()
