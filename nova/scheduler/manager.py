"""Scheduler manager: picks hosts for instances (filled in by the compute work)."""
from nova import manager
from nova.scheduler import rpcapi


class SchedulerManager(manager.Manager):
    RPC_API = rpcapi.SchedulerAPI
