"""A nova-compute of the previous release, as far as RPC is concerned: it serves compute
RPC API 1.1 (no get_host_uptime, no cache_images) and refuses anything newer, as a
host not yet upgraded would. Run with
``--compute_manager=tests.harness.previous_compute.PreviousComputeManager``
(tests/ on PYTHONPATH), beside controllers pinned with --upgrade_levels_compute=1.1.
"""
from nova.compute import rpcapi
from nova.compute.host.manager import ComputeManager
from nova.rpc.client import RPCAPI
from nova.rpc.common import parse_version

PREVIOUS_VERSION = '1.1'


class PreviousComputeAPI(RPCAPI):
    """The compute interface as release 1.1 declared it."""

    TOPIC = 'compute'
    VERSION = PREVIOUS_VERSION
    METHODS = {name: version for name, version in rpcapi.ComputeAPI.METHODS.items()
               if parse_version(version) <= parse_version(PREVIOUS_VERSION)}


class PreviousComputeManager(ComputeManager):
    RPC_API = PreviousComputeAPI
