"""Client side of the volume RPC API: every method nova-volume serves is declared here.

History:
    1.0 - ping
"""
from nova.conf import CONF
from nova.rpc.client import RPCAPI


class VolumeAPI(RPCAPI):
    TOPIC = 'volume'
    VERSION = '1.0'
    METHODS = {}

    def __init__(self, topic=None, version_cap=None):
        super().__init__(topic=topic or CONF.volume_topic, version_cap=version_cap)
