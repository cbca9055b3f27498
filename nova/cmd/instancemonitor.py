"""nova-instancemonitor daemon: samples its compute host's instances (--host) into
round-robin archives and answers statistics over them."""
from nova.cmd import common


def main(argv=None):
    common.init('nova-instancemonitor', argv)
    from nova import service
    return common.run([lambda: service.Service.create(binary='nova-instancemonitor')])
