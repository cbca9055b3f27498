"""nova-objectstore daemon."""
from nova.cmd import common


def main(argv=None):
    common.init('nova-objectstore', argv)
    from nova import service
    return common.run([lambda: service.WSGIService('objectstore')])
