"""RPCDispatcher: turn a message into a call of a declared method of an endpoint.

Only the methods an rpcapi class declares in METHODS are reachable (a public
method a manager happens to have is not), and a message whose version the
server does not speak is refused with an error naming both versions.
"""
from nova import context as nova_context
from nova import exception
from nova.i18n import _
from nova.rpc import common


class MissingRPCMethods(exception.ConfigError):
    msg_fmt = _('%(endpoint)s does not implement RPC methods declared by %(api)s: '
                '%(methods)s')


class RPCDispatcher:
    """Dispatches messages for `topic` to `endpoint`, as declared by `rpc_api`."""

    def __init__(self, rpc_api, endpoint, topic):
        self.rpc_api = rpc_api
        self.endpoint = endpoint
        self.topic = topic
        self.methods = dict(rpc_api.METHODS)
        self.version = rpc_api.VERSION
        self._major, self._minor = common.parse_version(rpc_api.VERSION)
        missing = sorted(name for name in self.methods
                         if not callable(getattr(endpoint, name, None)))
        if missing:
            raise MissingRPCMethods(endpoint=type(endpoint).__name__,
                                    api=rpc_api.__name__, methods=', '.join(missing))

    def dispatch(self, message):
        """Check the method and version, then return endpoint.method(context, **args)."""
        method = message.get('method')
        if method not in self.methods:
            raise exception.UnknownRPCMethod(topic=self.topic, method=method)
        version = message.get('version') or '1.0'
        try:
            major, minor = common.parse_version(version)
        except ValueError:
            major, minor = None, None
        if major != self._major or minor > self._minor:
            raise exception.UnsupportedRPCVersion(topic=self.topic,
                                                  server_version=self.version,
                                                  version=version, method=method)
        context = nova_context.RequestContext.from_dict(message.get('context'))
        return getattr(self.endpoint, method)(context, **(message.get('args') or {}))
