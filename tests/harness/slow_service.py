"""A manager with a deliberately slow RPC method, to watch SIGTERM drain it.

Run as ``nova-scheduler --scheduler_manager=tests.harness.slow_service.SlowManager``.
"""
import time

from nova import manager
from nova.rpc.client import RPCAPI


class SlowAPI(RPCAPI):
    TOPIC = 'slow'
    VERSION = '1.0'
    METHODS = {'slow': '1.0'}

    def slow(self, ctxt, seconds, server=None, timeout=60):
        return self.call(ctxt, 'slow', server=server, timeout=timeout, seconds=seconds)


class SlowManager(manager.Manager):
    RPC_API = SlowAPI

    def slow(self, context, seconds):
        time.sleep(seconds)  # green after monkey patching: other messages keep flowing
        return {'slept': seconds, 'host': self.host}
