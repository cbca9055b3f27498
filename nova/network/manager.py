"""Network manager: the host side of nova-network. Its real work arrives with the network issue."""
from nova import manager
from nova.network import rpcapi


class NetworkManager(manager.Manager):
    RPC_API = rpcapi.NetworkAPI
