"""Separate daemon processes over real RabbitMQ and a shared PostgreSQL:
heartbeats in `nova-manage service list`, RPC between processes, a killed
daemon shown down after service_down_time, and SIGTERM draining a call."""
import signal
import uuid

import eventlet
import pytest

from nova import context as nova_context
from nova import rpc
from nova.compute import rpcapi as compute_rpcapi
from nova.conf import CONF
from nova.db import session as db_session
from nova.scheduler import rpcapi as scheduler_rpcapi
from tests.harness import daemons
from tests.harness.slow_service import SlowAPI


@pytest.fixture
def multinode(rabbitmq, postgres, tmp_path):
    url = postgres.create_database('multi_%s' % uuid.uuid4().hex[:8])
    flags = {'transport_url': rabbitmq.url, 'sql_connection': url,
             'state_path': str(tmp_path), 'report_interval': 1, 'service_down_time': 3,
             'periodic_interval': 1}
    flagfile = daemons.write_flagfile(str(tmp_path / 'nova.flags'), **flags)
    daemons.manage(flagfile, 'db', 'sync')
    for name, value in flags.items():
        CONF.set_override(name, value)
    db_session.dispose()
    rpc.init()
    procs = []

    def start(binary, host, *extra):
        proc = daemons.Daemon(binary, flagfile, str(tmp_path), '--host=%s' % host, *extra)
        procs.append(proc)
        return proc

    yield flagfile, start
    for proc in procs:
        proc.stop()
    rpc.cleanup()
    db_session.dispose()


def wait_state(flagfile, key, state, timeout=30):
    return daemons.wait_for(lambda: daemons.service_states(flagfile).get(key) == state,
                            timeout=timeout, what='%s %s' % (key, state))


def test_scheduler_and_compute_talk_over_rabbitmq(multinode):
    flagfile, start = multinode
    scheduler = start('nova-scheduler', 'ctl')
    compute = start('nova-compute', 'cmp1')
    wait_state(flagfile, ('nova-scheduler', 'ctl'), ':-)')
    wait_state(flagfile, ('nova-compute', 'cmp1'), ':-)')
    ctx = nova_context.get_admin_context()
    assert scheduler_rpcapi.SchedulerAPI().ping(ctx, arg='x')['host'] == 'ctl'
    assert compute_rpcapi.ComputeAPI().ping(ctx, server='cmp1', arg=1) == {
        'host': 'cmp1', 'service': 'nova-compute', 'arg': 1}

    compute.proc.kill()  # no goodbye: only the missing heartbeats tell
    compute.proc.wait()
    wait_state(flagfile, ('nova-compute', 'cmp1'), 'XXX', timeout=15)
    assert daemons.service_states(flagfile)[('nova-scheduler', 'ctl')] == ':-)'
    assert scheduler.proc.poll() is None


def test_sigterm_drains_in_flight_call_and_marks_stopped(multinode):
    flagfile, start = multinode
    slow = start('nova-scheduler', 'slowhost', '--scheduler_topic=slow',
                 '--scheduler_manager=tests.harness.slow_service.SlowManager')
    wait_state(flagfile, ('nova-scheduler', 'slowhost'), ':-)')
    ctx = nova_context.get_admin_context()
    api = SlowAPI(topic='slow')
    assert api.ping(ctx)['host'] == 'slowhost'
    call = eventlet.spawn(api.slow, ctx, 2)
    eventlet.sleep(0.5)
    slow.signal(signal.SIGTERM)
    assert call.wait() == {'slept': 2, 'host': 'slowhost'}
    assert slow.wait(30) == 0, slow.log()[-2000:]
    assert daemons.service_states(flagfile)[('nova-scheduler', 'slowhost')] == 'XXX'


def test_scheduler_and_two_computes_boot_and_delete(multinode):
    """The compute lifecycle across processes: this process plays nova-api."""
    from nova.compute import api as compute_api
    from nova.compute import flavors, vm_states
    from nova.db import api as db
    from nova.image import service as image_service

    flagfile, start = multinode
    start('nova-scheduler', 'ctl')
    start('nova-compute', 'cmp1')
    start('nova-compute', 'cmp2')
    admin = nova_context.get_admin_context()
    daemons.wait_for(lambda: len(db.compute_node_get_all(admin)) == 2, timeout=60,
                     what='two compute nodes reporting')
    image_service.ensure_default_image(admin)
    ctx = nova_context.RequestContext(user_id='u1', project_id='p1', roles=['member'],
                                      overwrite=False)
    api = compute_api.API()
    instances, _ = api.create(ctx, flavors.get_by_name_or_id('m1.tiny'),
                              image_service.DEFAULT_IMAGE_ID, display_name='multi',
                              min_count=6, max_count=6)
    uuids = [i.uuid for i in instances]

    def states():
        rows = db.instance_get_all_by_filters(admin, {'uuid': uuids})
        return {r.uuid: (r.vm_state, r.host) for r in rows}

    daemons.wait_for(lambda: all(s == vm_states.ACTIVE for s, _ in states().values()),
                     timeout=60, what='6 instances active')
    assert {host for _, host in states().values()} == {'cmp1', 'cmp2'}

    api.stop(ctx, api.get(ctx, uuids[0]))
    daemons.wait_for(lambda: states()[uuids[0]][0] == vm_states.STOPPED, timeout=30,
                     what='instance stopped')
    for instance_uuid in uuids:
        api.delete(ctx, api.get(ctx, instance_uuid))
    daemons.wait_for(lambda: not db.instance_get_all_by_filters(
        admin, {'uuid': uuids, 'deleted': False}), timeout=60, what='instances deleted')
    daemons.wait_for(lambda: all(n.memory_mb_used == 0 and n.running_vms == 0
                                 for n in db.compute_node_get_all(admin)),
                     timeout=30, what='compute nodes report no usage')
