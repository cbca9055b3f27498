"""nova-compute daemon."""
from nova.cmd import common


def main(argv=None):
    common.init('nova-compute', argv)
    from nova import service
    return common.run([lambda: service.Service.create(binary='nova-compute')])
