"""Nova's RPC: cast, call and fanout_cast between services, over one transport per process.

``init()`` builds the transport named by ``transport_url`` (or by the classic
rabbit_* flags); services serve a topic with ``get_server``; clients use an
``RPCAPI`` subclass. A message is JSON ``{method, args, version, context}``.
"""
import logging
from urllib.parse import quote

from nova import exception
from nova.conf import CONF
from nova.rpc import server as rpc_server
from nova.rpc import transport as rpc_transport

LOG = logging.getLogger(__name__)
_TRANSPORT = None


def transport_url():
    """CONF.transport_url, or rabbit://user:pass@host:port/vhost from the rabbit_* flags."""
    if CONF.transport_url:
        return CONF.transport_url
    vhost = '' if CONF.rabbit_virtual_host == '/' else quote(CONF.rabbit_virtual_host, safe='')
    return 'rabbit://%s:%s@%s:%d/%s' % (
        quote(CONF.rabbit_userid, safe=''), quote(CONF.rabbit_password, safe=''),
        CONF.rabbit_host, CONF.rabbit_port, vhost)


def init():
    """Build this process's transport (a no-op when it exists)."""
    global _TRANSPORT
    if _TRANSPORT is None:
        url = transport_url()
        _TRANSPORT = rpc_transport.get_transport_class(url)(url)
    return _TRANSPORT


def cleanup():
    """Close the transport; init() may build a new one afterwards."""
    global _TRANSPORT
    transport, _TRANSPORT = _TRANSPORT, None
    if transport is not None:
        transport.cleanup()


def get_transport():
    if _TRANSPORT is None:
        raise exception.RPCError(reason='rpc.init() has not been called in this process')
    return _TRANSPORT


def _message(ctx, msg):
    return {'method': msg['method'], 'args': msg.get('args') or {},
            'version': msg.get('version') or '1.0',
            'context': ctx.to_dict() if ctx is not None else {}}


def cast(ctx, topic, msg):
    """Send msg to one consumer of topic ('compute' or 'compute.host1'); do not wait."""
    get_transport().cast(topic, _message(ctx, msg))


def call(ctx, topic, msg, timeout=None):
    """Send msg and return the callee's result; raise its exception or MessagingTimeout."""
    if timeout is None:
        timeout = CONF.rpc_response_timeout
    return get_transport().call(topic, _message(ctx, msg), timeout)


def fanout_cast(ctx, topic, msg):
    """Send msg to every consumer of topic."""
    get_transport().fanout_cast(topic, _message(ctx, msg))


def get_server(topic, host, dispatcher):
    """An RPCServer for topic, topic.host and topic_fanout (call start() on it)."""
    return rpc_server.RPCServer(get_transport(), topic, host, dispatcher)


from nova.rpc.client import RPCAPI  # noqa: E402,F401  (the base every rpcapi.py subclasses)
