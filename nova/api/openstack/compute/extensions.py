"""/extensions: the v2 extension names clients still look for, as v2.1 lists them.

v2.1 has no extensions (microversions replaced them); Nova answers a frozen
list of the v2 names its API includes, so that old clients finding 'Hosts' or
'os-consoles' know those calls exist. This is that list for what this cloud
serves (os-consoles stays listed as in Nova's frozen list), and the API
plugins installed here (nova/api/openstack/compute/plugins.py) add theirs.
"""
import webob.exc

from nova import policy
from nova.api.openstack import wsgi
from nova.i18n import _

UPDATED = '2014-12-03T00:00:00Z'
# (name, alias, what it adds)
EXTENSIONS = (
    ('AdminActions', 'os-admin-actions', 'Reset state, inject and reset network of servers.'),
    ('AdminPassword', 'os-admin-password', "Change a server's administrator password."),
    ('Aggregates', 'os-aggregates', 'Host aggregates and their metadata.'),
    ('AvailabilityZone', 'os-availability-zone', 'Availability zones of the compute hosts.'),
    ('ConsoleAuthTokens', 'os-console-auth-tokens', 'Console connection details of a token.'),
    ('ConsoleOutput', 'os-console-output', "A server's console log."),
    ('Consoles', 'os-consoles', 'Interactive consoles of servers.'),
    ('CreateBackup', 'os-create-backup', 'Rotating backup images of a server.'),
    ('DeferredDelete', 'os-deferred-delete', 'Restore or force the delete of a server.'),
    ('DiskConfig', 'OS-DCF', 'Automatic or manual disk partitioning of servers.'),
    ('ExtendedAvailabilityZone', 'OS-EXT-AZ', "A server's availability zone."),
    ('ExtendedServerAttributes', 'OS-EXT-SRV-ATTR', "A server's host and instance name."),
    ('ExtendedStatus', 'OS-EXT-STS', "A server's vm, task and power states."),
    ('ExtendedVolumes', 'os-extended-volumes', 'The volumes attached to a server.'),
    ('FlavorAccess', 'os-flavor-access', 'Private flavors and the projects using them.'),
    ('FlavorDisabled', 'OS-FLV-DISABLED', 'Whether a flavor is disabled.'),
    ('FlavorExtraData', 'OS-FLV-EXT-DATA', "A flavor's ephemeral disk."),
    ('FlavorExtraSpecs', 'os-flavor-extra-specs', 'Extra specs of flavors.'),
    ('FlavorManage', 'os-flavor-manage', 'Create and delete flavors.'),
    ('FlavorRxtx', 'os-flavor-rxtx', "A flavor's rxtx factor."),
    ('FlavorSwap', 'os-flavor-swap', "A flavor's swap disk."),
    ('Hosts', 'os-hosts', 'The hosts of the cloud, their resources and switches.'),
    ('Hypervisors', 'os-hypervisors', 'The hypervisors and their resources.'),
    ('InstanceActions', 'os-instance-actions', 'The actions taken on a server.'),
    ('InstanceUsageAuditLog', 'os-instance_usage_audit_log',
     'The hosts that audited instance usage for a period.'),
    ('Keypairs', 'os-keypairs', 'Key pairs for servers.'),
    ('Lock', 'os-lock-server', 'Lock and unlock servers.'),
    ('MigrateServer', 'os-migrate-server', 'Cold and live migration of servers.'),
    ('Migrations', 'os-migrations', 'Migrations in progress and done.'),
    ('PauseServer', 'os-pause-server', 'Pause and unpause servers.'),
    ('QuotaClasses', 'os-quota-class-sets', 'The default quotas, editable.'),
    ('Quotas', 'os-quota-sets', 'Quotas of projects.'),
    ('Rescue', 'os-rescue', 'Rescue and unrescue servers.'),
    ('SchedulerHints', 'OS-SCH-HNT', 'Hints to the scheduler when creating servers.'),
    ('SecurityGroups', 'os-security-groups', 'Security groups of servers.'),
    ('ServerDiagnostics', 'os-server-diagnostics', 'Diagnostics of servers.'),
    ('ServerExternalEvents', 'os-server-external-events',
     'Events other services send about servers.'),
    ('ServerGroups', 'os-server-groups', 'Server groups and their policies.'),
    ('ServerPassword', 'os-server-password', 'The password a server posted.'),
    ('ServerUsage', 'OS-SRV-USG', 'When a server was launched and terminated.'),
    ('Services', 'os-services', 'The services of the cloud and their switches.'),
    ('Shelve', 'os-shelve', 'Shelve, offload and unshelve servers.'),
    ('SimpleTenantUsage', 'os-simple-tenant-usage', 'Usage of projects over a period.'),
    ('SuspendServer', 'os-suspend-server', 'Suspend and resume servers.'),
    ('UsedLimits', 'os-used-limits', 'What a project uses of its limits.'),
    ('UserData', 'os-user-data', 'User data passed to servers.'),
)


def _view(name, alias, description, updated=UPDATED):
    return {'name': name, 'alias': alias, 'description': description, 'links': [],
            'namespace': 'http://docs.openstack.org/compute/ext/fake_xml', 'updated': updated}


class ExtensionsController(wsgi.Controller):
    """The frozen v2 list, and the API plugins this process loaded (plugins.py)."""

    def __init__(self):
        self._by_alias = {alias: _view(name, alias, description)
                          for name, alias, description in EXTENSIONS}

    def aliases(self):
        return set(self._by_alias)

    def add(self, name, alias, description, updated):
        self._by_alias[alias] = _view(name, alias, description, updated)

    def index(self, req):
        policy.authorize(req.context, 'os_compute_api:extensions', {})
        return {'extensions': sorted(self._by_alias.values(), key=lambda e: e['alias'])}

    def show(self, req, id):
        policy.authorize(req.context, 'os_compute_api:extensions', {})
        if id not in self._by_alias:
            raise webob.exc.HTTPNotFound(explanation=_('The resource could not be found.'))
        return {'extension': self._by_alias[id]}
