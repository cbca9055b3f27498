"""nova-manage volume: list, show, delete and reattach volumes as an administrator."""
from nova import context as nova_context
from nova import exception
from nova import rpc
from nova.compute import api as compute_api
from nova.db import api as db
from nova.db import migration
from nova.i18n import _
from nova.manage import Category, arg, command, print_table, say
from nova.volume import api as volume_api


def _admin():
    migration.check_current()
    return nova_context.get_admin_context()


def _attached_to(volume):
    return ', '.join('%s:%s' % (a.instance_uuid, a.mountpoint or '-')
                     for a in volume.attachments) or '-'


class VolumeCommands(Category):
    name = 'volume'
    help = 'Volumes: list, show, delete, reattach'

    @command('List volumes: id, project, host, zone, size, status, attachments',
             arg('--host', help='only the volumes of this nova-volume host'),
             arg('--project', help='only the volumes of this project'),
             arg('--status', help='only volumes in this status (e.g. error)'))
    def list(self, host=None, project=None, status=None):
        filters = {k: v for k, v in (('host', host), ('project_id', project),
                                     ('status', status)) if v}
        rows = [[v.uuid, v.project_id, v.host or '-', v.availability_zone, v.size, v.status,
                 _attached_to(v)] for v in db.volume_get_all(_admin(), filters,
                                                              sort_keys=['created_at'],
                                                              sort_dirs=['asc'])]
        print_table(['ID', 'Project', 'Host', 'Zone', 'Size_GB', 'Status', 'Attached_To'],
                    rows)

    @command('Show one volume, its export and its snapshots', arg('volume_id'))
    def show(self, volume_id):
        ctxt = _admin()
        volume = db.volume_get(ctxt, volume_id)
        snapshots = db.snapshot_get_all(ctxt, {'volume_id': volume_id})
        rows = [['id', volume.uuid], ['name', volume.display_name or ''],
                ['project', volume.project_id], ['host', volume.host or '-'],
                ['zone', volume.availability_zone], ['size_gb', volume.size],
                ['status', volume.status], ['attach_status', volume.attach_status],
                ['attached_to', _attached_to(volume)],
                ['export', volume.provider_location or '-'],
                ['snapshots', ', '.join('%s (%s)' % (s.uuid, s.status)
                                        for s in snapshots) or '-']]
        print_table(['Field', 'Value'], rows)

    @command('Delete a volume whatever its status (not while attached, nor with snapshots): '
             'its host removes the export and the storage',
             arg('volume_id'))
    def delete(self, volume_id):
        ctxt = _admin()
        volume = db.volume_get(ctxt, volume_id)
        rpc.init()
        volume_api.API().delete(ctxt, volume, force=True)
        say(_('Volume %s is being deleted by nova-volume on %s.')
              % (volume_id, volume.host or '(no host: deleted now)'))

    @command('Connect an attached volume to its instances again, after the volume host '
             'or the compute host rebooted: nova-volume makes the iSCSI export again if '
             'tgtd lost it, and each instance\'s compute host plugs the disk in anew',
             arg('volume_id'))
    def reattach(self, volume_id):
        ctxt = _admin()
        volume = db.volume_get(ctxt, volume_id)
        instance_uuids = [a.instance_uuid for a in volume.attachments if a.instance_uuid]
        if not instance_uuids:
            raise exception.InvalidVolume(reason='volume %s is %s, not attached to an '
                                                 'instance: nothing to reattach'
                                          % (volume_id, volume.status))
        rpc.init()
        compute = compute_api.API()
        for instance_uuid in instance_uuids:
            instance = compute.get(ctxt, instance_uuid)
            bdm, info = compute.reattach_volume(ctxt, instance, volume.uuid)
            say(_('Volume %s reattached to instance %s on %s as %s (%s)') % (
                volume_id, instance_uuid, instance.host, bdm.device_name,
                info['data'].get('target_iqn', info['driver_volume_type'])))
