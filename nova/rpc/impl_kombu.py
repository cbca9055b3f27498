"""RabbitMQ transport (rabbit://) on kombu and py-amqp, under eventlet.

Routing: the topic exchange CONF.control_exchange carries `topic` and
`topic.host` messages to queues of the same names; the fanout exchange
`<topic>_fanout` copies a message to one exclusive queue per consumer; replies
go through the default exchange to one exclusive reply queue per process.

Delivery guarantees: publishers declare the target queue (once per
connection) so that a cast waits in its queue until a consumer starts, and
use publisher confirms so that a publish returns only once the broker holds
the message. While the broker is down a publish retries rabbit_max_retries
times, rabbit_retry_interval apart, then raises MessageDeliveryFailure: a
message is never dropped silently.
"""
import contextlib
import logging
import uuid

import amqp.exceptions
import eventlet
import kombu
from eventlet import semaphore

from nova import exception
from nova.conf import CONF
from nova.rpc import kombu_consumer
from nova.rpc import transport

LOG = logging.getLogger(__name__)

PUBLISHER_POOL_SIZE = 8
CONFIRM_TIMEOUT = 30  # seconds; a broker that never confirms is treated as lost


def _retry_budget():
    """Seconds rabbit_max_retries reconnect attempts take (None: retry forever)."""
    if not CONF.rabbit_max_retries:
        return None
    return CONF.rabbit_max_retries * (CONF.rabbit_retry_interval +
                                      kombu_consumer.CONNECT_TIMEOUT)


def _durable():
    return CONF.rabbit_durable_queues


def topic_queue(name):
    exchange = kombu.Exchange(CONF.control_exchange, 'topic', durable=_durable())
    return kombu.Queue(name, exchange, routing_key=name, durable=_durable(),
                       auto_delete=False)


def fanout_exchange(topic):
    return kombu.Exchange('%s_fanout' % topic, 'fanout', durable=_durable())


def fanout_queue(topic):
    """A fresh exclusive queue: a consumer gets only fanouts sent while it runs."""
    return kombu.Queue('%s_fanout_%s' % (topic, uuid.uuid4().hex), fanout_exchange(topic),
                       durable=False, exclusive=True, auto_delete=True)


def reply_queue(name):
    return kombu.Queue(name, durable=False, exclusive=True, auto_delete=True)


class _Publisher:
    """One publishing connection with confirms, and what it has declared."""

    def __init__(self, url):
        self.connection = kombu.Connection(
            url, connect_timeout=kombu_consumer.CONNECT_TIMEOUT,
            transport_options={'confirm_publish': True})
        self.producer = None
        self.declared = set()
        self.used = False  # a connection that worked once may have gone stale since

    def publish(self, exchange, routing_key, body, declare, persistent):
        if self.producer is None:
            kombu_consumer.connect_once(self.connection)
            self.producer = kombu.Producer(self.connection.channel(), auto_declare=False)
        for entity in declare:
            key = (type(entity).__name__, entity.name)
            if key not in self.declared:
                entity(self.producer.channel).declare()
                self.declared.add(key)
        self.producer.publish(body, exchange=exchange, routing_key=routing_key,
                              content_type='application/json', content_encoding='utf-8',
                              delivery_mode=2 if persistent else 1,
                              confirm_timeout=CONFIRM_TIMEOUT)
        self.used = True


class _PublisherPool:
    """A few publishing connections, each used by one green thread at a time."""

    def __init__(self, url, size):
        self._url = url
        self._idle = []
        self._slots = semaphore.Semaphore(size)

    @contextlib.contextmanager
    def get(self):
        with self._slots:
            publisher = self._idle.pop() if self._idle else _Publisher(self._url)
            try:
                yield publisher
            except BaseException:
                kombu_consumer.close_quietly(publisher.connection)
                raise
            self._idle.append(publisher)

    def discard_idle(self):
        """After a failure the other idle connections are likely dead too."""
        idle, self._idle = self._idle, []
        for publisher in idle:
            kombu_consumer.close_quietly(publisher.connection)


class KombuTransport(transport.Transport):
    """RabbitMQ through kombu: pooled confirming publishers, one thread per consumer."""

    def __init__(self, url):
        super().__init__(url)
        self._kombu_url = kombu_consumer.kombu_url(url)
        self._publishers = _PublisherPool(self._kombu_url, PUBLISHER_POOL_SIZE)
        self._reply_name = 'reply_%s' % uuid.uuid4().hex
        self._reply_consumer = None
        self._reply_lock = semaphore.Semaphore()
        self._consumers = set()
        self._targets = {}  # see _target

    def _target(self, kind, name):
        """(exchange, routing key, what to declare, persistent) of a destination. A topic's
        or fanout's is built once: kombu's Exchange and Queue objects cost more to build
        (about 0.4 ms) than the publish's own framing, and every cast built them. Replies
        go to a queue per calling process: nothing to build, nothing kept."""
        if kind == transport.REPLY:
            return '', name, (), False
        key = (kind, name, CONF.control_exchange, _durable())
        target = self._targets.get(key)
        if target is None:
            if kind == transport.TOPIC:
                target = (CONF.control_exchange, name, (topic_queue(name),), _durable())
            else:
                target = ('%s_fanout' % name, '', (fanout_exchange(name),), False)
            self._targets[key] = target
        return target

    def _send(self, kind, name, body):
        exchange, routing_key, declare, persistent = self._target(kind, name)
        attempt = 0
        while True:
            publisher = None
            try:
                with self._publishers.get() as publisher:
                    publisher.publish(exchange, routing_key, body, declare, persistent)
                return
            except kombu_consumer.RETRYABLE as e:
                self._publishers.discard_idle()
                if publisher is not None and publisher.used:
                    continue  # a stale pooled connection: retry at once on a new one
                attempt += 1
                if CONF.rabbit_max_retries and attempt > CONF.rabbit_max_retries:
                    raise transport.Unreachable('broker unreachable after %d attempts: %s'
                                                % (attempt, e)) from None
                kombu_consumer.log_retry(attempt)(
                    'Cannot publish to %s %s (%s); retrying in %ss', kind, name, e,
                    CONF.rabbit_retry_interval)
                eventlet.sleep(CONF.rabbit_retry_interval)
            except amqp.exceptions.ChannelError as e:
                raise transport.Unreachable('the broker refused it: %s' % e) from None

    def _reply_queue(self, timeout):
        """The reply queue, consumed before any request is sent that could be answered."""
        if self._reply_consumer is None:
            with self._reply_lock:
                if self._reply_consumer is None:
                    consumer = kombu_consumer.Consumer(
                        self.url, lambda: [reply_queue(self._reply_name)], self._on_reply,
                        'replies')
                    consumer.start()
                    self._reply_consumer = consumer
        budget = _retry_budget()
        if timeout is not None and (budget is None or timeout < budget):
            budget = timeout
        if not self._reply_consumer.wait_consuming(budget):
            raise transport.Unreachable('the reply queue is not consumed: broker unreachable')
        return self._reply_name

    def listen(self, topic, host, callback):
        def queues():
            names = [topic, '%s.%s' % (topic, host)] if host else [topic]
            return [topic_queue(name) for name in names] + [fanout_queue(topic)]

        consumer = _ServerConsumer(self, self.url, queues, callback, 'topic %s' % topic)
        try:
            consumer.start()
        except transport.Unreachable as e:
            raise exception.RPCError(reason=str(e)) from None
        self._consumers.add(consumer)
        return consumer

    def cleanup(self):
        for consumer in list(self._consumers):
            consumer.stop()
        if self._reply_consumer is not None:
            self._reply_consumer.stop()
            self._reply_consumer = None
        self._publishers.discard_idle()


class _ServerConsumer(kombu_consumer.Consumer):
    """A server's consumer, forgotten by its transport once stopped."""

    def __init__(self, owner, *args):
        super().__init__(*args)
        self._owner = owner

    def stop(self):
        super().stop()
        self._owner._consumers.discard(self)
