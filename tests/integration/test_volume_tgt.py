"""nova-volume on a real tgtd: volumes are files exported as iSCSI targets with CHAP,
read and written through the target from userspace (QEMU's initiator), snapshotted,
cloned, extended, deleted; exports rebuilt after a restart; a create interrupted by
a crash cleaned up. Scheduler and volume service run in this process on the
in-process transport, driven through nova.volume.api."""
import os
import subprocess

import eventlet
import pytest

from nova import context as nova_context
from nova import exception
from nova import rpc
from nova import service
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import session as db_session
from nova.virt import iscsi
from nova.volume import api as volume_api
from nova.volume import quota as volume_quota
from tests.harness import tgt

GiB = 1024 ** 3


class VolumeCloud:
    def __init__(self, tgtd):
        self.tgtd = tgtd
        self.admin = nova_context.get_admin_context()
        self.ctx = nova_context.RequestContext(user_id='alice', project_id='proj-v',
                                               roles=['member'], overwrite=False)
        self.api = volume_api.API()
        self.services = {}

    def start(self, binary, host='vhost'):
        svc = service.Service.create(binary=binary, host=host, periodic_enable=False)
        svc.start()
        self.services[binary] = svc
        return svc

    def stop(self, binary):
        self.services.pop(binary).stop(graceful=False)

    def wait(self, volume_id, status, timeout=60):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while True:
            volume = db.volume_get(self.admin, volume_id)
            if volume.status == status:
                return volume
            if eventlet.hubs.get_hub().clock() > deadline:
                raise AssertionError('volume %s is %s, not %s' % (volume_id, volume.status,
                                                                   status))
            eventlet.sleep(0.02)

    def wait_snapshot(self, snapshot_id, status, timeout=60):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while True:
            snapshot = db.snapshot_get(self.admin, snapshot_id)
            if snapshot.status == status:
                return snapshot
            if eventlet.hubs.get_hub().clock() > deadline:
                raise AssertionError('snapshot %s is %s' % (snapshot_id, snapshot.status))
            eventlet.sleep(0.02)

    def wait_snapshot_deleted(self, snapshot_id, timeout=60):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while True:
            try:
                db.snapshot_get(self.admin, snapshot_id)
            except exception.SnapshotNotFound:
                return
            if eventlet.hubs.get_hub().clock() > deadline:
                raise AssertionError('snapshot %s still there' % snapshot_id)
            eventlet.sleep(0.02)

    def wait_deleted(self, volume_id, timeout=60):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        while True:
            try:
                volume = db.volume_get(self.admin, volume_id)
            except exception.VolumeNotFound:
                return
            if eventlet.hubs.get_hub().clock() > deadline:
                raise AssertionError('volume %s still %s' % (volume_id, volume.status))
            eventlet.sleep(0.02)

    def connection(self, volume_id):
        volume = db.volume_get(self.admin, volume_id)
        return self.api.initialize_connection(self.ctx, volume, {'host': 'computehost'})

    def path(self, volume_id):
        return os.path.join(CONF.volumes_dir, CONF.volume_name_template % volume_id)


@pytest.fixture
def cloud(tmp_path, tgtd, qemu_iscsi):
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('transport_url', 'inproc://')
    CONF.set_override('sql_connection', 'sqlite:///%s' % (tmp_path / 'nova.sqlite'))
    for name, value in tgtd.flags().items():
        CONF.set_override(name, value)
    db_session.dispose()
    migration.db_sync()
    rpc.init()
    c = VolumeCloud(tgtd)
    c.start('nova-scheduler', 'controller')
    c.start('nova-volume')
    yield c
    for svc in c.services.values():
        svc.stop(graceful=False)
    rpc.cleanup()
    tgtd.reset()  # the next test starts from no target and no account
    db_session.dispose()


def test_a_volume_is_a_sparse_file_exported_as_its_own_chap_target(cloud):
    volume = cloud.api.create(cloud.ctx, size=1, name='data')
    volume = cloud.wait(volume.uuid, 'available')
    path = cloud.path(volume.uuid)
    assert os.path.getsize(path) == GiB
    assert os.stat(path).st_blocks == 0  # nothing written: no space taken
    # exported when an initiator first asks for it (as Cinder), not at create
    assert cloud.tgtd.targets() == {} and volume.provider_location is None
    first = cloud.connection(volume.uuid)
    assert cloud.connection(volume.uuid) == first  # the same target and CHAP account
    volume = db.volume_get(cloud.admin, volume.uuid)
    iqn = 'iqn.2010-10.org.openstack:volume-%s' % volume.uuid
    target = cloud.tgtd.targets()[iqn]
    assert target['luns'][1] == path
    method, user, secret = volume.provider_auth.split()
    assert method == 'CHAP' and target['accounts'] == [user]
    assert volume.provider_location == '%s,%d %s 1' % (cloud.tgtd.portal, target['tid'], iqn)


def test_data_goes_through_the_target_and_chap_is_enforced(cloud):
    volume = cloud.wait(cloud.api.create(cloud.ctx, size=1).uuid, 'available')
    info = cloud.connection(volume.uuid)
    assert info['driver_volume_type'] == 'iscsi'
    data = info['data']
    assert (data['target_portal'], data['target_lun'], data['auth_method']) == (
        cloud.tgtd.portal, 1, 'CHAP')
    tgt.qemu_io(info, 'write -P 0xa5 1M 2M')
    tgt.qemu_io(info, 'read -P 0xa5 1M 2M', 'read -P 0 0 1M')
    with open(cloud.path(volume.uuid), 'rb') as f:  # the bytes landed in the file
        f.seek(GiB // 1024)
        assert f.read(4096) == b'\xa5' * 4096
    wrong = {'driver_volume_type': 'iscsi', 'data': dict(data, auth_password='wrong' * 4)}
    refused = tgt.qemu_io(wrong, 'read 0 4k', check=False)
    assert refused.returncode != 0 and 'uthentication' in refused.stderr + refused.stdout
    anonymous = {'driver_volume_type': 'iscsi',
                 'data': {k: v for k, v in data.items() if not k.startswith('auth_')}}
    assert tgt.qemu_io(anonymous, 'read 0 4k', check=False).returncode != 0


def test_snapshot_clone_extend_and_delete(cloud):
    volume = cloud.wait(cloud.api.create(cloud.ctx, size=1).uuid, 'available')
    tgt.qemu_io(cloud.connection(volume.uuid), 'write -P 0x3c 0 4M')
    snapshot = cloud.api.create_snapshot(cloud.ctx, volume, name='snap')
    snapshot = cloud.wait_snapshot(snapshot.uuid, 'available')
    tgt.qemu_io(cloud.connection(volume.uuid), 'write -P 0x11 0 1M')  # after the snapshot

    copy = cloud.api.create(cloud.ctx, snapshot_id=snapshot.uuid, size=2)
    copy = cloud.wait(copy.uuid, 'available')
    assert copy.size == 2 and copy.host == volume.host
    copy_info = cloud.connection(copy.uuid)
    tgt.qemu_io(copy_info, 'read -P 0x3c 0 4M', 'read -P 0 4M 1M')  # the snapshot's data
    assert tgt.virtual_size(copy_info) == 2 * GiB

    clone = cloud.wait(cloud.api.create(cloud.ctx, source_volid=volume.uuid).uuid,
                       'available')
    tgt.qemu_io(cloud.connection(clone.uuid), 'read -P 0x11 0 1M', 'read -P 0x3c 1M 3M')

    cloud.api.extend(cloud.ctx, volume, 3)
    volume = cloud.wait(volume.uuid, 'available')
    assert volume.size == 3 and volume.pending_size is None
    info = cloud.connection(volume.uuid)
    assert tgt.virtual_size(info) == 3 * GiB  # the initiator sees the new size
    tgt.qemu_io(info, 'read -P 0x11 0 1M', 'write -P 0x77 2G 1M', 'read -P 0x77 2G 1M')
    usage = db.quota_usage_get_all_by_project(cloud.admin, 'proj-v')
    assert (usage['volumes'], usage['snapshots'], usage['gigabytes']) == (3, 1, 3 + 1 + 2 + 1)

    with pytest.raises(exception.InvalidVolume, match='snapshot'):
        cloud.api.delete(cloud.ctx, volume)
    cloud.api.delete_snapshot(cloud.ctx, snapshot)
    cloud.wait_snapshot_deleted(snapshot.uuid)
    for one in (volume, copy, clone):
        cloud.api.delete(cloud.ctx, db.volume_get(cloud.admin, one.uuid))
    for one in (volume, copy, clone):
        cloud.wait_deleted(one.uuid)
        assert not os.path.exists(cloud.path(one.uuid))
    assert cloud.tgtd.targets() == {}
    assert cloud.tgtd.accounts() == []
    assert os.listdir(CONF.volumes_dir) == []
    usage = db.quota_usage_get_all_by_project(cloud.admin, 'proj-v')
    assert (usage['volumes'], usage['snapshots'], usage['gigabytes']) == (0, 0, 0)


def _initiators(tgtd):
    """The initiators logged in to any target (tgtadm's I_T nexus lines)."""
    out = tgtd.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'show').stdout
    return [line.split(':', 1)[1].strip() for line in out.splitlines()
            if line.strip().startswith('Initiator:')]


def _wait(what, check, timeout=30):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while not check():
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        eventlet.sleep(0.02)


def test_a_detach_drops_the_export_no_attachment_needs(cloud):
    volume = cloud.wait(cloud.api.create(cloud.ctx, size=1).uuid, 'available')
    iqn = 'iqn.2010-10.org.openstack:volume-%s' % volume.uuid
    attachment = cloud.api.reserve(cloud.ctx, volume, 'server-1')
    info = cloud.connection(volume.uuid)
    cloud.api.attach(cloud.ctx, attachment.uuid, '/dev/vdb', 'computehost')
    tgt.qemu_io(info, 'write -P 0x42 0 1M')
    # an initiator still logged in (a guest whose host never disconnected it)
    session = subprocess.Popen(['qemu-io', '--image-opts', iscsi.qemu_image_opts(info)],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        _wait('a session', lambda: _initiators(cloud.tgtd))
        auth = db.volume_get(cloud.admin, volume.uuid).provider_auth
        cloud.api.detach(cloud.ctx, attachment.uuid)
        _wait('the export removed', lambda: iqn not in cloud.tgtd.targets())
        assert _initiators(cloud.tgtd) == [] and cloud.tgtd.accounts() == []
    finally:
        session.kill()
        session.wait()
    volume = db.volume_get(cloud.admin, volume.uuid)
    assert (volume.status, volume.provider_location) == ('available', None)
    assert volume.provider_auth == auth  # the account is made again at the next attach
    # attached again: the same target and account, the data where it was
    again = cloud.connection(volume.uuid)
    assert cloud.tgtd.targets()[iqn]['accounts'] == [auth.split()[1]]
    tgt.qemu_io(again, 'read -P 0x42 0 1M')
    cloud.api.delete(cloud.ctx, volume)
    cloud.wait_deleted(volume.uuid)
    assert cloud.tgtd.targets() == {}


def test_exports_are_rebuilt_from_the_database_after_a_restart(cloud):
    volume = cloud.wait(cloud.api.create(cloud.ctx, size=1).uuid, 'available')
    tgt.qemu_io(cloud.connection(volume.uuid), 'write -P 0x5a 0 1M')
    cloud.stop('nova-volume')
    for target in cloud.tgtd.targets().values():  # as if tgtd had restarted
        cloud.tgtd.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'delete', '--force',
                          '--tid', str(target['tid']))
    # and a target no volume has any more, left by a crash
    orphan_iqn = 'iqn.2010-10.org.openstack:volume-00000000-0000-0000-0000-000000000000'
    cloud.tgtd.tgtadm('--lld', 'iscsi', '--mode', 'target', '--op', 'new', '--tid', '7',
                      '--targetname', orphan_iqn)
    cloud.start('nova-volume')
    assert set(cloud.tgtd.targets()) == {'iqn.2010-10.org.openstack:volume-%s' % volume.uuid}
    tgt.qemu_io(cloud.connection(volume.uuid), 'read -P 0x5a 0 1M')


def test_a_create_interrupted_by_a_crash_is_cleaned_up_on_restart(cloud):
    volume = cloud.wait(cloud.api.create(cloud.ctx, size=1).uuid, 'available')
    cloud.stop('nova-volume')
    # what a crash between "file made, exported" and "available" leaves behind
    db.volume_update(cloud.admin, volume.uuid, {'status': 'creating'})
    cloud.start('nova-volume')
    volume = db.volume_get(cloud.admin, volume.uuid)
    assert volume.status == 'error'
    assert not os.path.exists(cloud.path(volume.uuid))
    assert cloud.tgtd.targets() == {} and cloud.tgtd.accounts() == []
    cloud.api.delete(cloud.ctx, volume)
    cloud.wait_deleted(volume.uuid)
    assert db.quota_usage_get_all_by_project(cloud.admin, 'proj-v')['volumes'] == 0


def test_bad_requests_are_refused_and_leave_nothing(cloud):
    for size in (0, -1, 'abc', 1.5, None):
        with pytest.raises(exception.InvalidInput, match='must be an integer'):
            cloud.api.create(cloud.ctx, size=size)
    volume_quota.check_volume_size(cloud.ctx, 'proj-v', 1000)
    db.quota_create_or_update(cloud.admin, 'proj-v', 'gigabytes', 3)
    with pytest.raises(exception.VolumeQuotaExceeded, match='gigabytes quota') as raised:
        cloud.api.create(cloud.ctx, size=4)
    assert raised.value.code == 413
    db.quota_create_or_update(cloud.admin, 'proj-v', 'volumes', 1)
    first = cloud.api.create(cloud.ctx, size=1)
    with pytest.raises(exception.VolumeQuotaExceeded, match="'volumes'"):
        cloud.api.create(cloud.ctx, size=1)
    other = nova_context.RequestContext(user_id='bob', project_id='proj-other',
                                        roles=['member'], overwrite=False)
    with pytest.raises(exception.VolumeNotFound):
        cloud.api.get(other, first.uuid)
    with pytest.raises(exception.InvalidInput, match='zone'):
        cloud.api.create(other, size=1, availability_zone='nowhere')
    first = cloud.wait(first.uuid, 'available')
    with pytest.raises(exception.InvalidInput, match='greater than current size'):
        cloud.api.extend(cloud.ctx, first, 1)
    assert [v.uuid for v in cloud.api.get_all(cloud.ctx)] == [first.uuid]
    usage = db.quota_usage_get_all_by_project(cloud.admin, 'proj-v')
    assert (usage['volumes'], usage['gigabytes']) == (1, 1)
