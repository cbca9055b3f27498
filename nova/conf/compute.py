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
    cfg.FloatOpt('fake_snapshot_delay', default=0.0, min=0.0,
                 help='Seconds the fake driver takes to snapshot a guest before the '
                      'upload, as a real hypervisor copying a disk would.'),
    cfg.FloatOpt('fake_live_migration_delay', default=0.0, min=0.0,
                 help='Seconds a fake live migration takes to copy the guest, during '
                      'which it can be listed, forced to complete or aborted.'),
    cfg.FloatOpt('fake_spawn_delay', default=0.0, min=0.0,
                 help='Seconds each fake spawn sleeps, to simulate a slow hypervisor.'),
    cfg.BoolOpt('fake_guest_netns', default=False,
                help='Each fake guest is a network namespace plugged into its networks\' '
                     'bridges by veth pairs with its MACs, running a DHCP client (tests).'),
    cfg.StrOpt('fake_guest_netns_prefix', default='nova-guest-',
               help='Name prefix of the fake guests\' namespaces (+ the instance uuid).'),
    cfg.BoolOpt('fake_volume_check', default=False,
                help='Make the fake driver read each volume it attaches (or boots from) '
                     'through its iSCSI connection info with qemu-img, and fail the '
                     'attach when the target is unreachable: proves exports work.'),
    cfg.BoolOpt('fake_enforce_capacity', default=False,
                help='Make fake spawns, resizes and live migrations fail when memory or '
                     'disk would exceed the host capacity (vCPUs may be overcommitted). '
                     'Off by default: the scheduler may overcommit by allocation ratio.'),
]
opts += fake_opts

# quotas (nova/quota.py): defaults per project, overridden by `nova-manage project quota`
QUOTA_HELP = ' Per project unless said otherwise; -1 means unlimited.'
quota_opts = [
    cfg.IntOpt('quota_instances', default=10, min=-1,
               help='Instances a project may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_cores', default=20, min=-1,
               help='vCPUs a project\'s instances may have in total.' + QUOTA_HELP),
    cfg.IntOpt('quota_ram', default=51200, min=-1,
               help='Memory (MB) a project\'s instances may have in total.' + QUOTA_HELP),
    cfg.IntOpt('quota_key_pairs', default=100, min=-1,
               help='Key pairs each user may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_metadata_items', default=128, min=-1,
               help='Metadata items each instance may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_injected_files', default=5, min=-1,
               help='Files injected into each instance.' + QUOTA_HELP),
    cfg.IntOpt('quota_injected_file_content_bytes', default=10240, min=-1,
               help='Bytes of each injected file.' + QUOTA_HELP),
    cfg.IntOpt('quota_injected_file_path_bytes', default=255, min=-1,
               deprecated_name='quota_injected_file_path_length',
               help='Characters in the path of each injected file.' + QUOTA_HELP),
    cfg.IntOpt('quota_server_groups', default=10, min=-1,
               help='Server groups a project may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_server_group_members', default=10, min=-1,
               help='Instances each server group may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_floating_ips', default=10, min=-1,
               help='Floating IPs a project may allocate.' + QUOTA_HELP),
    cfg.IntOpt('quota_fixed_ips', default=-1, min=-1,
               help='Fixed IPs a project may hold.' + QUOTA_HELP),
    cfg.IntOpt('quota_security_groups', default=10, min=-1,
               help='Security groups a project may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_security_group_rules', default=100, min=-1,
               help='Security group rules a project may have.' + QUOTA_HELP),
    cfg.IntOpt('quota_networks', default=10, min=-1,
               help='Networks a project may create for itself (os-tenant-networks, the '
                    'network API).' + QUOTA_HELP),
    cfg.IntOpt('quota_subnets', default=10, min=-1,
               help='Subnets of its own networks a project may make (the network API).'
                    + QUOTA_HELP),
    cfg.IntOpt('quota_ports', default=50, min=-1,
               help='Ports a project may make through the network API and os-interface '
                    '(its servers\' interfaces count too).' + QUOTA_HELP),
]
opts += quota_opts

# serial consoles: where hosts listen, what URL users get, how long a URL works
console_opts = [
    cfg.BoolOpt('serial_console_enabled', default=False,
                help="Serve instances' serial consoles (os-getSerialConsole, remote-consoles "
                     'of type serial) through nova-serialproxy (nova-all then runs it).'),
    cfg.StrOpt('serial_console_base_url', default=None,
               help='The URL users are given for a console, before ?token=... '
                    '(default: ws://HOST:PORT/ of --serialproxy_listen[_port]).'),
    cfg.StrOpt('serial_console_proxyclient_address', default='127.0.0.1',
               help='Address on each compute host where guests\' serial consoles listen '
                    'for nova-serialproxy ($my_ip when the proxy runs on another host).'),
    cfg.IntOpt('console_token_ttl', default=600, min=1,
               help='Seconds a console URL (its token) can be used.'),
]
opts += console_opts


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
