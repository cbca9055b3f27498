"""The instance monitor: per-instance CPU, disk and network usage over time.

nova-instancemonitor samples its compute host's instances through the compute
RPC API (one call per step, the virt driver's get_instance_stats), keeps the
samples in round-robin archives (archives.py), answers statistics and series
over RPC (rpcapi.py, manager.py) and publishes graphs (graphs.py,
publisher.py). nova/monitor/api.py is the public API the CloudWatch front end,
EC2 and nova-manage call; it keeps a project to its own instances.
"""
