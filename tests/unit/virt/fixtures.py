"""Instances and flavors shaped like the rows the compute manager passes to a driver."""
import itertools
import types
import uuid

_ids = itertools.count(1)


def make_instance(host='host1', **overrides):
    """What the compute manager passes: a DB row; here a namespace with its attributes."""
    number = next(_ids)
    fields = dict(uuid=str(uuid.uuid4()), name='instance-%08x' % number, host=host, node=host,
                  vcpus=1, memory_mb=512, root_gb=1, ephemeral_gb=0, image_ref='cirros-0.6',
                  hostname='vm-%d' % number, display_name='vm %d' % number)
    fields.update(overrides)
    return types.SimpleNamespace(**fields)


def make_flavor(vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=0):
    return types.SimpleNamespace(vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
                                 ephemeral_gb=ephemeral_gb)


def apply_flavor(instance, flavor):
    """What the manager does to the row before finish_migration / after a revert."""
    for field in ('vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb'):
        setattr(instance, field, getattr(flavor, field))
