"""Config drives through the compute API app in-process on the fake hosts: a server
that asks for one (or a host that forces them) shows config_drive "True" and its
guest gets the ISO with its own metadata, built by the code the metadata service
uses (nova.metadata)."""
import base64
import json

import pytest

from nova.compute import vm_states
from nova.conf import CONF
from nova.db import api as db
from nova.virt import fake
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.unit.api.openstack import fakes
from tests.unit.virt.test_configdrive import read_iso

USER_DATA = b'#cloud-config\nhostname: from-the-drive\n'


@pytest.fixture
def app(cloud):  # noqa: F811 -- the imported fixture
    return fakes.build_app()


def _boot(client, cloud, **server):  # noqa: F811
    response = client.post('/servers', {'server': dict(
        {'name': 'drive-vm', 'imageRef': cloud.image['id'], 'flavorRef': '1'}, **server)})
    assert response.status_int == 202, response.body
    uuid = response.json['server']['id']
    [row] = cloud.wait([uuid], vm_states.ACTIVE)
    return row, response.json['server']['adminPass']


def _drive(row):
    return fake._host(row.host).guests[row.uuid].config_drive


def test_a_server_that_asks_gets_a_drive_with_its_own_metadata_again_on_rebuild(alice, cloud):  # noqa: F811
    row, password = _boot(alice, cloud, config_drive=True,
                          user_data=base64.b64encode(USER_DATA).decode(),
                          metadata={'role': 'web'})
    assert alice.get('/servers/%s' % row.uuid).json['server']['config_drive'] == 'True'
    label, files = read_iso(_drive(row))
    assert label == 'config-2'
    meta = json.loads(files['openstack/latest/meta_data.json'])
    assert (meta['uuid'], meta['hostname'], meta['meta'], meta['admin_pass']) == (
        row.uuid, row.hostname, {'role': 'web'}, password)
    assert files['openstack/latest/user_data'] == USER_DATA
    assert files['ec2/latest/user-data'] == USER_DATA
    assert json.loads(files['openstack/latest/vendor_data.json']) == {}
    assert 'network_data.json' not in ''.join(p for p in files if '2012-08-10' in p)
    assert 'links' in json.loads(files['openstack/latest/network_data.json'])
    assert json.loads(files['ec2/latest/meta-data.json'])['instance-id'].startswith('i-')

    rebuilt = alice.post('/servers/%s/action' % row.uuid, {'rebuild': {
        'imageRef': cloud.image['id'], 'adminPass': 'rebuilt-Pass-2'}})
    assert rebuilt.status_int == 202, rebuilt.body
    cloud.wait([row.uuid], vm_states.ACTIVE)
    meta = json.loads(read_iso(_drive(row))[1]['openstack/latest/meta_data.json'])
    assert (meta['uuid'], meta['admin_pass']) == (row.uuid, 'rebuilt-Pass-2')

    plain, _ = _boot(alice, cloud)
    assert alice.get('/servers/%s' % plain.uuid).json['server']['config_drive'] == ''
    assert _drive(plain) is None


def test_a_host_that_forces_drives_gives_one_and_says_so(alice, cloud):  # noqa: F811
    CONF.set_override('force_config_drive', True)
    row, _ = _boot(alice, cloud)
    assert db.instance_get_by_uuid(cloud.admin, row.uuid).config_drive == 'True'
    assert alice.get('/servers/%s' % row.uuid).json['server']['config_drive'] == 'True'
    assert 'openstack/latest/meta_data.json' in read_iso(_drive(row))[1]
