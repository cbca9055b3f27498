"""Compute options."""
from oslo_config import cfg

opts = []

# the fake virt driver (nova/virt/fake.py): one in-memory hypervisor per host
fake_opts = [
    cfg.IntOpt('fake_vcpus', default=16, min=1,
               help='vCPUs each fake hypervisor host reports.'),
    cfg.IntOpt('fake_memory_mb', default=32768, min=1,
               help='Memory (MB) each fake hypervisor host reports.'),
    cfg.IntOpt('fake_disk_gb', default=1024, min=1,
               help='Local disk (GB) each fake hypervisor host reports.'),
    cfg.FloatOpt('fake_spawn_delay', default=0.0, min=0.0,
                 help='Seconds each fake spawn sleeps, to simulate a slow hypervisor.'),
    cfg.BoolOpt('fake_enforce_capacity', default=False,
                help='Make fake spawns, resizes and live migrations fail when memory or '
                     'disk would exceed the host capacity (vCPUs may be overcommitted). '
                     'Off by default: the scheduler may overcommit by allocation ratio.'),
]
opts += fake_opts


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
