"""Volume manager: the host side of nova-volume. Its real work arrives with the volume issue."""
from nova import manager
from nova.volume import rpcapi


class VolumeManager(manager.Manager):
    RPC_API = rpcapi.VolumeAPI
