"""nova-compute killed (-9) while real guests boot: after a restart every instance
ends ACTIVE or ERROR, never stuck, and libvirt holds a guest for exactly the
ACTIVE ones: no orphan domain, no leftover disks."""
import os
import signal

import pytest

from tests.harness import daemons
from tests.harness import libvirt_guests as lg

libvirt = pytest.importorskip('libvirt', reason='libvirt-python is not installed')

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope='module')
def cloud(libvirt_nova_all):
    return libvirt_nova_all


def _servers(admin, ids):
    return {s.id: s for s in admin.compute.servers(all_projects=True) if s.id in ids}


def test_kill_9_while_guests_boot_leaves_no_orphan(cloud, libvirtd):
    admin = lg.sdk_connection(cloud, admin=True)
    image = admin.image.find_image('nova-guest', ignore_missing=False)
    flavor = admin.compute.find_flavor('m1.tiny', ignore_missing=False)
    ids = [admin.compute.create_server(name='crash-%d' % n, image_id=image.id,
                                       flavor_id=flavor.id, networks='none').id
           for n in range(2)]
    instances = os.path.join(cloud.state_path, 'instances')
    # kill as soon as the first build has reached the host (its directory exists)
    daemons.wait_for(lambda: any(os.path.exists(os.path.join(instances, i)) for i in ids),
                     timeout=60, interval=0.05, what='a build to start')
    [nova_all] = cloud.processes
    nova_all.signal(signal.SIGKILL)
    nova_all.wait()
    admin.close()
    cloud.processes = []
    cloud._spawn('nova-all')
    cloud.wait_ready()

    admin = lg.sdk_connection(cloud, admin=True)
    servers = daemons.wait_for(
        lambda: (lambda found: found if all(s.status in ('ACTIVE', 'ERROR')
                                            for s in found.values()) else None)(
            _servers(admin, ids)),
        timeout=60, interval=0.5, what='the interrupted builds to settle')
    assert set(servers) == set(ids)
    hypervisor = libvirt.open(libvirtd.uri)
    try:
        guests = {d.UUIDString() for d in hypervisor.listAllDomains()}
    finally:
        hypervisor.close()
    active = {i for i, s in servers.items() if s.status == 'ACTIVE'}
    assert guests == active, {i: s.status for i, s in servers.items()}
    for instance_id, server in servers.items():
        if server.status == 'ERROR':
            assert not os.path.exists(os.path.join(instances, instance_id))
            assert 'interrupted' in (server.fault or {}).get('message', '').lower()
    for instance_id in active:  # the survivors are real, booting guests
        lg.wait_boots(admin, admin.compute.get_server(instance_id), 1)
    for instance_id in ids:
        admin.compute.delete_server(instance_id)
    admin.close()
