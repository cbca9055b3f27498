"""Test endpoints and an RPC API for them, shared by unit and integration RPC tests."""
import eventlet

from nova import exception
from nova import rpc


class LocalError(Exception):
    """Defined outside nova: a caller must get RemoteError for it, never this class."""


class EchoAPI(rpc.RPCAPI):
    TOPIC = 'echo'
    VERSION = '1.2'
    METHODS = {'echo': '1.0', 'fail': '1.0', 'record': '1.0', 'whoami': '1.0',
               'sleep': '1.1', 'relay': '1.2'}

    def echo(self, ctxt, value, server=None):
        return self.call(ctxt, 'echo', server=server, value=value)

    def record(self, ctxt, value, server=None):
        self.cast(ctxt, 'record', server=server, value=value)


class Endpoint:
    """Implements EchoAPI; remembers what casts brought it."""

    def __init__(self, host='host1'):
        self.host = host
        self.received = []
        self.running = 0

    def ping(self, context, arg=None):
        return {'host': self.host, 'arg': arg}

    def echo(self, context, value):
        return value

    def fail(self, context, kind, message='boom'):
        if kind == 'nova':
            raise exception.ServiceNotFound(service_id=message)
        if kind == 'value':
            raise ValueError(message)
        raise LocalError(message)

    def record(self, context, value):
        self.received.append(value)

    def whoami(self, context):
        return {'host': self.host, 'request_id': context.request_id,
                'user_id': context.user_id, 'roles': context.roles}

    def sleep(self, context, seconds):
        self.running += 1
        try:
            eventlet.sleep(seconds)
        finally:
            self.running -= 1
        self.received.append(seconds)
        return seconds

    def relay(self, context, topic, value):
        """A call made from inside a dispatch: its reply must still arrive."""
        return {'via': self.host, 'result': EchoAPI(topic=topic).echo(context, value)}

    def undeclared(self, context):
        """Public, but not in EchoAPI.METHODS: must not be reachable over RPC."""
        return 'leaked'


def wait_for(predicate, timeout=10.0, interval=0.01):
    """Poll (green) until predicate() is true; False on timeout."""
    with eventlet.Timeout(timeout, False):
        while not predicate():
            eventlet.sleep(interval)
        return True
    return False
