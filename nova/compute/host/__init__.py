"""What runs on a compute host, in nova-compute (and nowhere else).

manager.py is the RPC endpoint (every method of nova/compute/rpcapi.py); it
builds its collaborators with their explicit dependencies: records.py (the
instance writes, faults and events of this host), claims.py and
resource_tracker.py (what the node holds), base_images.py (the image cache),
and the flows build.py, resize.py, live_migrate.py, rebuild.py, evacuate.py,
snapshot.py and shelve.py. Nothing here is imported by the API side (nova/compute/*.py).
"""
