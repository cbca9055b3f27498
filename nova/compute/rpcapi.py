"""Client side of the compute RPC API: every method nova-compute serves is declared here.

History:
    1.0 - ping
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class ComputeAPI(RPCAPI):
    TOPIC = 'compute'
    VERSION = '1.0'
    METHODS = {}

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.compute_topic, version_cap=version_cap)
