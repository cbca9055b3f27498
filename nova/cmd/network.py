"""nova-network daemon."""
from nova.cmd import common


def main(argv=None):
    common.init('nova-network', argv)
    from nova import service
    return common.run([lambda: service.Service.create(binary='nova-network')])
