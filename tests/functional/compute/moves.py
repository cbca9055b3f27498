"""Helpers for the tests of instance moves and images on the 3-host cloud of conftest."""
import eventlet

from nova import context as nova_context
from nova.compute import vm_states
from nova.db import api as db

ADMIN = dict(user_id='root', project_id='proj-a', roles=['admin'], overwrite=False)


def admin():
    """An admin of the test project (the instances stay in proj-a)."""
    return nova_context.RequestContext(**ADMIN)


def boot_on(cloud, host, flavor='m1.tiny'):
    """One ACTIVE instance of ``flavor`` on ``host``; its uuid."""
    [instance] = cloud.boot(1, flavor=flavor, ctx=admin(), availability_zone='nova:' + host)
    [row] = cloud.wait([instance.uuid], vm_states.ACTIVE)
    assert row.host == host
    return instance.uuid


def row(cloud, uuid):
    return cloud.api.get(cloud.ctx, uuid)


def memory_used(cloud):
    """{host: memory_mb claimed}, from the trackers' last word."""
    eventlet.sleep(0.05)  # let coalesced reports land
    return {host: node.memory_mb_used for host, node in cloud.nodes().items()}


def quota_usage(cloud):
    return db.quota_usage_get_all_by_project(cloud.admin, 'proj-a')


def fault(cloud, uuid):
    """The latest fault message of an instance (None if it has none)."""
    faults = db.instance_fault_get_by_instance_uuids(cloud.admin, [uuid])
    return faults[uuid][0].message if faults.get(uuid) else None


def migrations(cloud, uuid):
    return db.migration_get_all_by_filters(cloud.admin, {'instance_uuid': uuid})


def wait_for(predicate, timeout=20, what='condition'):
    deadline = eventlet.hubs.get_hub().clock() + timeout
    while not predicate():
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        eventlet.sleep(0.01)


def actions(cloud, uuid):
    return {a.action for a in db.actions_get(cloud.admin, uuid)}
