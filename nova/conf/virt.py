"""Which hypervisor driver nova-compute loads."""
from oslo_config import cfg

# classic --connection_type values and the driver each one names
CONNECTION_TYPES = {
    'fake': 'fake.FakeDriver',
    'libvirt': 'libvirt.LibvirtDriver',
    'xenapi': 'xenapi.XenAPIDriver',
}

opts = [
    cfg.StrOpt('compute_driver', default='fake.FakeDriver',
               help='Virt driver, relative to nova.virt (fake.FakeDriver, '
                    'libvirt.LibvirtDriver) or a full import path.'),
    cfg.StrOpt('connection_type', choices=sorted(CONNECTION_TYPES),
               help='Classic alias: sets compute_driver to the named driver.'),
    # read by nova.virt.configdrive.required
    cfg.BoolOpt('force_config_drive', default=False,
                help='Give every instance a config drive (iso9660, label config-2) '
                     'holding its metadata, whether or not it asked for one.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
