"""A cloud in this process: a scheduler and three fake compute hosts on the
in-process transport, SQLite in a temp dir, driven through nova.compute.api."""
import contextlib

import eventlet
import pytest

from nova import context as nova_context
from nova import rpc
from nova import service
from nova.compute import api as compute_api
from nova.compute import flavors
from nova.conf import CONF
from nova.db import api as db
from nova.db import migration
from nova.db import session as db_session
from nova.image import service as image_service
from nova.virt import fake

HOSTS = ('h1', 'h2', 'h3')


class Cloud:
    def __init__(self):
        self.services = {}
        self.admin = nova_context.get_admin_context()
        self.ctx = nova_context.RequestContext(user_id='alice', project_id='proj-a',
                                               roles=['member'], overwrite=False)
        self.api = compute_api.API()
        image_service.ensure_default_image(self.admin)
        self.image = {'id': image_service.DEFAULT_IMAGE_ID}

    def start(self, binary, host):
        svc = service.Service.create(binary=binary, host=host, periodic_enable=False)
        svc.start()
        self.services[host if binary == 'nova-compute' else binary] = svc
        return svc

    def flavor(self, name='m1.tiny'):
        return flavors.get_by_name_or_id(name)

    def boot(self, count=1, flavor='m1.tiny', ctx=None, **kwargs):
        image = kwargs.pop('image', self.image['id'])  # None: boots from a volume mapping
        instances, _ = self.api.create(ctx or self.ctx, self.flavor(flavor), image,
                                       display_name='vm', min_count=count, max_count=count,
                                       **kwargs)
        return instances

    def wait(self, uuids, vm_state, task_state=None, timeout=30):
        """Poll until every instance rests in vm_state with task_state; return them.

        Fails only after ``timeout`` seconds in which no more instances arrived, so
        a big batch on a loaded machine has the time its work takes (one query a poll).
        """
        clock = eventlet.hubs.get_hub().clock
        deadline, done_before = clock() + timeout, -1
        while True:
            found = {r.uuid: r for r in db.instance_get_all_by_filters(
                self.admin, {'uuid': list(uuids)})}
            rows = [found.get(u) or db.instance_get_by_uuid(self.admin, u) for u in uuids]
            done = sum((r.vm_state, r.task_state) == (vm_state, task_state) for r in rows)
            if done == len(rows):
                return rows
            if done > done_before:  # progress: the wait goes on as long as it lasts
                deadline, done_before = clock() + timeout, done
            if clock() > deadline:
                raise AssertionError('instances not %s/%s after %ss without progress: %s' % (
                    vm_state, task_state, timeout, [
                        (r.uuid, r.vm_state, r.task_state) for r in rows
                        if (r.vm_state, r.task_state) != (vm_state, task_state)]))
            eventlet.sleep(0.02)

    def wait_gone(self, uuids, timeout=30):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        live = set(uuids)
        while live:
            live = {i.uuid for i in db.instance_get_all_by_filters(
                self.admin, {'uuid': list(uuids), 'deleted': False})}
            if eventlet.hubs.get_hub().clock() > deadline:
                raise AssertionError('not deleted: %s' % live)
            eventlet.sleep(0.01)

    def nodes(self):
        """Resource usage per host, as the compute hosts last wrote it."""
        for svc in self.services.values():
            if svc.binary == 'nova-compute':
                svc.manager.tracker.persist(self.admin)
        return {n.host: n for n in db.compute_node_get_all(self.admin)}


@contextlib.contextmanager
def running_cloud(tmp_path, transport_url='inproc://', hosts=HOSTS):
    """A scheduler and compute ``hosts`` in this process on ``transport_url``."""
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('transport_url', transport_url)
    CONF.set_override('fake_memory_mb', 12288)  # 18 GiB usable at ratio 1.5: 36 m1.tiny
    CONF.set_override('compute_report_delay', 0.01)
    CONF.set_override('compute_release_report_delay', 0.01)
    db_session.dispose()
    migration.db_sync()
    rpc.init()
    fake.reset()
    c = Cloud()
    try:
        c.start('nova-scheduler', 'controller')
        for host in hosts:
            c.start('nova-compute', host)
        yield c
    finally:
        for svc in c.services.values():
            svc.stop(graceful=False)
        rpc.cleanup()
        fake.reset()
        db_session.dispose()


@pytest.fixture
def cloud(tmp_path):
    with running_cloud(tmp_path) as c:
        yield c
