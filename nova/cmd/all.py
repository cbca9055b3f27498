"""nova-all: every service of the cloud in one process (in-process RPC by default)."""
import functools
import importlib.util
import logging

from nova.cmd import common
from nova.conf import CONF
from nova.i18n import _LE

LOG = logging.getLogger(__name__)
RPC_BINARIES = ('nova-scheduler', 'nova-compute', 'nova-network', 'nova-volume',
                'nova-instancemonitor')
HTTP_APPS_OWN_DAEMON = ('objectstore', 'image')


def _first_start():
    """On a new cloud: the admin account with its novarc, one image to boot and the
    --fixed_range network its servers get addresses from."""
    from nova import context as nova_context
    from nova.auth import bootstrap
    from nova.image import service as image_service
    from nova.network import api as network_api
    bootstrap.ensure_admin()
    image_service.ensure_default_image(nova_context.get_admin_context())
    network_api.API().ensure_default_network(nova_context.get_admin_context())


def _print_endpoints():
    """Printed once every listener is up, so a user may use them when they appear."""
    from nova.auth import endpoints
    served = set(CONF.enabled_apis) | set(HTTP_APPS_OWN_DAEMON)
    lines = ['nova-all endpoints:'] + [
        '  %-12s %s' % (kind, endpoints.url(api, endpoints.service_path(path)))
        for kind, _name, api, path in endpoints.SERVICES if api in served]
    lines.append('  %-12s %s (source it)' % ('credentials', CONF.novarc_path))
    print('\n'.join(lines), flush=True)


def main(argv=None):
    common.init('nova-all', argv)
    from nova import service
    _first_start()
    binaries = list(RPC_BINARIES)
    if importlib.util.find_spec('rrdtool') is None:
        # a virtualenv made before the monitor existed: the rest of the cloud still runs
        LOG.error(_LE('nova-instancemonitor not started: the rrdtool Python binding is '
                  'missing (make venv installs it)'))
        binaries.remove('nova-instancemonitor')
    services = [functools.partial(service.Service.create, binary=binary)
                for binary in binaries]
    services += [functools.partial(service.Service.create, binary='nova-compute', host=host)
                 for host in CONF.extra_compute_hosts if host != CONF.host]
    http_apps = list(CONF.enabled_apis) + list(HTTP_APPS_OWN_DAEMON)
    if CONF.serial_console_enabled:
        http_apps.append('serialproxy')
    services += [functools.partial(service.WSGIService, name) for name in http_apps]
    from nova.image import janitor  # uploads a killed process left behind end killed
    services.append(janitor.UploadJanitor)
    return common.run(services, on_started=_print_endpoints)
