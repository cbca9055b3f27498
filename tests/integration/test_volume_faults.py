"""kill -9 of nova-volume in the middle of a create and of an attach, with the daemons
as real processes over RabbitMQ and PostgreSQL and a real tgtd: after the restart no
volume is left in an -ing state, no file or target is orphaned, quota equals the
volumes that exist, and the volume can be used again; then tgtd loses its targets
(a reboot) and `nova-manage volume reattach` connects the attached volume again."""
import os
import uuid

import eventlet
import pytest

from nova import context as nova_context
from nova import exception
from nova import rpc
from nova.compute import api as compute_api
from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.db import session as db_session
from nova.image import service as image_service
from nova.volume import api as volume_api
from tests.harness import daemons
from tests.harness import slow_volume


@pytest.fixture
def cloud(rabbitmq, postgres, tgtd, qemu_iscsi, tmp_path):
    url = postgres.create_database('vfault_%s' % uuid.uuid4().hex[:8])
    flags = dict(tgtd.flags(), transport_url=rabbitmq.url, sql_connection=url,
                 state_path=str(tmp_path), report_interval=1, service_down_time=5,
                 periodic_interval=1, rpc_response_timeout=10, fake_volume_check=True,
                 volume_driver='tests.harness.slow_volume.SlowFileDriver')
    flagfile = daemons.write_flagfile(str(tmp_path / 'nova.flags'), **flags)
    daemons.manage(flagfile, 'db', 'sync')
    for name, value in flags.items():
        CONF.set_override(name, value)
    db_session.dispose()
    rpc.init()
    procs = {}

    def start(binary, host):
        procs[binary] = daemons.Daemon(binary, flagfile, str(tmp_path), '--host=%s' % host)
        daemons.wait_for(lambda: daemons.service_states(flagfile).get((binary, host)) == ':-)',
                         timeout=60, what='%s up: %s' % (binary, procs[binary].log()[-2000:]))
        return procs[binary]

    start('nova-scheduler', 'ctl')
    start('nova-volume', 'vol1')
    yield start, procs, str(tmp_path)
    for proc in procs.values():
        proc.stop()
    rpc.cleanup()
    tgtd.reset()
    db_session.dispose()


def wait_volume(volume_id, statuses, timeout=60):
    admin = nova_context.get_admin_context()
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while True:
        volume = db.volume_get(admin, volume_id)
        if volume.status in statuses:
            return volume
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError('volume %s is %s, not %s' % (volume_id, volume.status,
                                                               statuses))
        eventlet.sleep(0.1)


def kill(procs, binary):
    procs[binary].proc.kill()  # SIGKILL: no cleanup of any kind
    procs[binary].proc.wait()


def member():
    return nova_context.RequestContext(user_id='alice', project_id='proj-f',
                                       roles=['member'], overwrite=False)


def test_kill_nova_volume_during_create(cloud, tgtd):
    start, procs, state_path = cloud
    api, ctx = volume_api.API(), member()
    slow_volume.arm(state_path, create_volume=60)
    volume = api.create(ctx, size=1)
    daemons.wait_for(lambda: slow_volume.started(state_path, 'create_volume'), timeout=30,
                     what='the create to start')
    path = os.path.join(state_path, 'volumes', 'volume-%s' % volume.uuid)
    assert os.path.exists(path)  # half made
    kill(procs, 'nova-volume')
    slow_volume.disarm(state_path)
    start('nova-volume', 'vol1')
    volume = wait_volume(volume.uuid, ('error',))
    assert not os.path.exists(path) and tgtd.targets() == {} and tgtd.accounts() == []
    api.delete(ctx, volume)
    daemons.wait_for(lambda: not api.get_all(ctx), timeout=30, what='the volume deleted')
    usage = db.quota_usage_get_all_by_project(nova_context.get_admin_context(), 'proj-f')
    assert (usage['volumes'], usage['gigabytes']) == (0, 0)
    fresh = api.create(ctx, size=1)  # the service works again
    wait_volume(fresh.uuid, ('available',))


def test_kill_nova_volume_during_attach_then_reattach_after_tgtd_lost_it(cloud, tgtd):
    start, procs, state_path = cloud
    start('nova-compute', 'cmp1')
    admin, ctx = nova_context.get_admin_context(), member()
    image_service.ensure_default_image(admin)
    compute = compute_api.API()
    from nova.compute import flavors
    [instance], _ = compute.create(ctx, flavors.get_by_name_or_id('m1.tiny'),
                                   image_service.DEFAULT_IMAGE_ID, requested_networks='none')
    daemons.wait_for(lambda: db.instance_get_by_uuid(admin, instance.uuid).vm_state ==
                     vm_states.ACTIVE, timeout=60, what='the server active')
    volume = compute.volume_api.create(ctx, size=1)
    volume = wait_volume(volume.uuid, ('available',))
    slow_volume.arm(state_path, local_path=60)
    compute.attach_volume(ctx, db.instance_get_by_uuid(admin, instance.uuid), volume.uuid)
    daemons.wait_for(lambda: slow_volume.started(state_path, 'local_path'), timeout=30,
                     what='initialize_connection to start')
    kill(procs, 'nova-volume')
    slow_volume.disarm(state_path)
    start('nova-volume', 'vol1')
    # the compute host either finishes the attach (the call is answered once the
    # restarted service takes it) or gives it up when the call times out
    volume = wait_volume(volume.uuid, ('available', 'in-use'), timeout=60)
    iqn = 'iqn.2010-10.org.openstack:volume-%s' % volume.uuid
    # no export but this volume's (made when the restarted service took the call)
    assert set(tgtd.targets()) <= {iqn}
    if volume.status == 'available':
        assert compute.get_volume_attachments(ctx, instance) == []
        compute.attach_volume(ctx, db.instance_get_by_uuid(admin, instance.uuid), volume.uuid)
    volume = wait_volume(volume.uuid, ('in-use',))
    assert set(tgtd.targets()) == {iqn}
    [bdm] = compute.get_volume_attachments(ctx, instance)
    assert bdm.connection_info['data']['target_iqn'] == iqn
    with pytest.raises(exception.InvalidVolume):
        compute.volume_api.delete(ctx, volume)

    # a reboot of the storage host: tgtd comes back with no target and no account.
    # `nova-manage volume reattach` has nova-volume export the volume again (same
    # CHAP account, from the row) and the compute host plug it in anew: the fake
    # driver (--fake_volume_check) reads the volume through the new target first
    flagfile = os.path.join(state_path, 'nova.flags')
    tgtd.reset()
    done = daemons.manage(flagfile, 'volume', 'reattach', volume.uuid)
    assert 'Volume %s reattached to instance %s on cmp1 as %s (%s)' % (
        volume.uuid, instance.uuid, bdm.device_name, iqn) in done.stdout
    assert set(tgtd.targets()) == {iqn}
    assert tgtd.targets()[iqn]['accounts'] == [bdm.connection_info['data']['auth_username']]
    assert wait_volume(volume.uuid, ('in-use',)).status == 'in-use'
    loose = wait_volume(compute.volume_api.create(ctx, size=1).uuid, ('available',))
    for volume_id, message in ((str(uuid.uuid4()), 'could not be found'),
                               (loose.uuid, 'is available, not attached to an instance')):
        refused = daemons.manage(flagfile, 'volume', 'reattach', volume_id, check=False)
        assert refused.returncode == 1 and message in refused.stderr, refused
        assert 'Traceback' not in refused.stderr
