"""nova-manage service: what runs where, and whether it is alive."""
from nova import context as nova_context
from nova import servicegroup
from nova.db import api as db
from nova.db import migration
from nova.i18n import _
from nova.manage import Category, arg, command, print_table, say


class ServiceCommands(Category):
    name = 'service'
    help = 'Services: list, enable, disable'

    @command('Show services: host, binary, zone, enabled, state from heartbeats',
             arg('--host', help='only this host'),
             arg('--binary', '--service', dest='binary', help='only this binary'))
    def list(self, host=None, binary=None):
        migration.check_current()
        ctxt = nova_context.get_admin_context()
        rows = []
        for svc in db.service_get_all(ctxt):
            if (host and svc.host != host) or (binary and svc.binary != binary):
                continue
            rows.append([svc.binary, svc.host, svc.availability_zone,
                         'disabled' if svc.disabled else 'enabled',
                         ':-)' if servicegroup.service_is_up(svc) else 'XXX',
                         svc.last_seen_up.strftime('%Y-%m-%d %H:%M:%S')
                         if svc.last_seen_up else '-'])
        rows.sort(key=lambda r: (r[1], r[0]))
        print_table(['Binary', 'Host', 'Zone', 'Status', 'State', 'Updated_At'], rows)

    @command('Enable a service so the scheduler uses it',
             arg('host'), arg('binary', help='e.g. nova-compute'))
    def enable(self, host, binary):
        self._set_disabled(host, binary, False, None)
        say(_('Service %s on host %s enabled.') % (binary, host))

    @command('Disable a service so the scheduler skips it',
             arg('host'), arg('binary', help='e.g. nova-compute'),
             arg('--reason', help='why it is disabled'))
    def disable(self, host, binary, reason=None):
        self._set_disabled(host, binary, True, reason)
        say(_('Service %s on host %s disabled.') % (binary, host))

    @staticmethod
    def _set_disabled(host, binary, disabled, reason):
        migration.check_current()
        ctxt = nova_context.get_admin_context()
        svc = db.service_get_by_host_and_binary(ctxt, host, binary)
        db.service_update(ctxt, svc.id, {'disabled': disabled, 'disabled_reason': reason})
