"""Client side of the network RPC API: every method nova-network serves is declared here.

History:
    1.0 - ping
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class NetworkAPI(RPCAPI):
    TOPIC = 'network'
    VERSION = '1.0'
    METHODS = {}

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.network_topic, version_cap=version_cap)
