"""nova-all: every service of the cloud in one process (in-process RPC by default)."""
import functools

from nova.cmd import common
from nova.conf import CONF

RPC_BINARIES = ('nova-scheduler', 'nova-compute', 'nova-network', 'nova-volume')
HTTP_APPS_OWN_DAEMON = ('objectstore', 'image')


def main(argv=None):
    common.init('nova-all', argv)
    from nova import service
    services = [functools.partial(service.Service.create, binary=binary)
                for binary in RPC_BINARIES]
    services += [functools.partial(service.WSGIService, name)
                 for name in list(CONF.enabled_apis) + list(HTTP_APPS_OWN_DAEMON)]
    return common.run(services)
