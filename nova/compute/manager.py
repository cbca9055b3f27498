"""Compute manager: runs instances on this host through the virt driver."""
from nova import manager
from nova.compute import rpcapi


class ComputeManager(manager.Manager):
    RPC_API = rpcapi.ComputeAPI
