"""nova-api daemon: one HTTP listener per app in --enabled_apis, served by
--<api>_workers processes (nova.api_workers)."""
from nova.cmd import common
from nova.conf import CONF


def _serve(services, report):
    for service in services:
        service.report = report
    return common.run(services)


def main(argv=None):
    common.init('nova-api', argv)
    from nova import api_workers
    from nova import exception
    from nova import service
    try:  # bound (and the apps loaded) before any worker forks: they share the sockets
        services = [service.WSGIService(name) for name in CONF.enabled_apis]
    except exception.NovaException as e:
        common.die('nova-api: %s' % e.format_message())
    common.settle_gc()  # before the fork: the workers share the loaded apps' pages
    return api_workers.run(services, _serve)
