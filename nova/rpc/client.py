"""RPCAPI: base of every nova/<service>/rpcapi.py, the declared client interface.

A subclass names its TOPIC, its interface VERSION and METHODS (method -> the
version that added it). Each message carries the version of its method, not
the latest one, so a newer client talks to an older server as long as it
only uses methods that server knows; a version_cap (by default
``--upgrade_levels_<TOPIC>``) pins the client during a rolling upgrade and
makes newer methods fail locally instead of remotely; ``can_send_version``
lets a method fall back to an older form of its message. A major version
bump re-declares every method (ping too) at the new major.
"""
from nova import exception
from nova import rpc
from nova.conf import CONF
from nova.rpc import common


def configured_cap(topic):
    """``--upgrade_levels_<topic>``, or None when unset (or no such flag)."""
    return getattr(CONF, 'upgrade_levels_%s' % topic, None)


class RPCAPI:
    """Client side of one service's RPC interface."""

    TOPIC = None
    VERSION = '1.0'
    METHODS = {'ping': '1.0'}

    def __init_subclass__(cls, **kwargs):
        """Merge METHODS with the bases' (so every API has ping) and check them."""
        super().__init_subclass__(**kwargs)
        merged = {}
        for klass in reversed(cls.__mro__):
            merged.update(vars(klass).get('METHODS', {}))
        cls.METHODS = merged
        latest = common.parse_version(cls.VERSION)
        for name, version in merged.items():
            parsed = common.parse_version(version)
            if name.startswith('_') or parsed > latest or parsed[0] != latest[0]:
                raise TypeError('%s.METHODS[%r] = %r: a private name, or not in major '
                                'version %d up to VERSION %s (a major bump re-declares '
                                'every method, ping too)' % (cls.__name__, name, version,
                                                             latest[0], cls.VERSION))

    def __init__(self, topic=None, version_cap=None):
        self.topic = topic or self.TOPIC
        if not self.topic:
            raise ValueError('%s needs a topic' % type(self).__name__)
        version_cap = version_cap or configured_cap(self.TOPIC)
        self.version_cap = version_cap
        self._cap = common.parse_version(version_cap) if version_cap else None
        if self._cap is not None and self._cap[0] != common.parse_version(self.VERSION)[0]:
            raise exception.ConfigError(reason='%s cannot be pinned to version %s: it speaks '
                                        '%s' % (type(self).__name__, version_cap,
                                                self.VERSION))

    def can_send_version(self, version):
        """Whether a message of ``version`` is within this client's pin."""
        return self._cap is None or common.parse_version(version) <= self._cap

    def _message(self, method, args):
        version = self.METHODS.get(method)
        if version is None:
            raise exception.UnknownRPCMethod(topic=self.topic, method=method)
        if not self.can_send_version(version):
            raise exception.UnsupportedRPCVersion(topic=self.topic,
                                                  server_version=self.version_cap,
                                                  version=version, method=method)
        return {'method': method, 'args': args, 'version': version}

    def _topic(self, server):
        return '%s.%s' % (self.topic, server) if server else self.topic

    def call(self, ctxt, method, server=None, timeout=None, **kwargs):
        """Call method on one consumer of the topic (or on `server`); return its result."""
        return rpc.call(ctxt, self._topic(server), self._message(method, kwargs),
                        timeout=timeout)

    def cast(self, ctxt, method, server=None, **kwargs):
        """Send method to one consumer of the topic (or to `server`) without waiting."""
        rpc.cast(ctxt, self._topic(server), self._message(method, kwargs))

    def fanout_cast(self, ctxt, method, **kwargs):
        """Send method to every consumer of the topic."""
        rpc.fanout_cast(ctxt, self.topic, self._message(method, kwargs))

    def ping(self, ctxt, server=None, arg=None):
        """Round trip to the service (on `server`); returns what its manager returns."""
        return self.call(ctxt, 'ping', server=server, arg=arg)
