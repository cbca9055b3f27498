"""nova-api daemon: one HTTP listener per app in --enabled_apis."""
import functools

from nova.cmd import common
from nova.conf import CONF


def main(argv=None):
    common.init('nova-api', argv)
    from nova import service
    return common.run([functools.partial(service.WSGIService, name)
                       for name in CONF.enabled_apis])
