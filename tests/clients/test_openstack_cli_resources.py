"""The unmodified `openstack` CLI and `nova` (novaclient) on flavors, key pairs,
quotas, limits, availability zones and images of a running nova-all; a
project member is refused the admin-only changes."""
import uuid

import openstack
import pytest
from cryptography.hazmat.primitives import serialization


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def member_env(cloud):
    """The environment of a member (not admin) of another project."""
    name = _name('res')
    cloud.manage('project', 'create', name)
    cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                 '--project', name)
    return cloud.env(OS_USERNAME=name + '-user', OS_PASSWORD='pw-' + name,
                     OS_PROJECT_NAME=name)


def test_flavor_list_create_show_set_delete(cloud):
    listed = cloud.run_json('openstack', 'flavor', 'list', '-f', 'json')
    assert {'m1.tiny', 'm1.small'} <= {f['Name'] for f in listed}
    tiny = [f for f in listed if f['Name'] == 'm1.tiny'][0]
    assert (tiny['RAM'], tiny['Disk'], tiny['VCPUs'], tiny['Is Public']) == (512, 1, 1, True)

    name = _name('f1')
    created = cloud.run_json('openstack', 'flavor', 'create', '--ram', '512', '--disk', '1',
                             '--vcpus', '1', '--description', 'for the CLI', name,
                             '-f', 'json')
    assert created['name'] == name and created['ram'] == 512 and created['swap'] == 0
    cloud.run('openstack', 'flavor', 'set', '--property', 'hw:cpu_policy=shared', name)
    shown = cloud.run_json('openstack', 'flavor', 'show', name, '-f', 'json')
    assert shown['id'] == created['id'] and shown['description'] == 'for the CLI'
    assert shown['properties'] == {'hw:cpu_policy': 'shared'}
    cloud.run('openstack', 'flavor', 'unset', '--property', 'hw:cpu_policy', name)
    cloud.run('openstack', 'flavor', 'delete', name)
    gone = cloud.run('openstack', 'flavor', 'show', name, check=False)
    assert gone.returncode != 0 and 'No Flavor found' in gone.stderr


def test_private_flavor_shared_with_a_project(cloud, member_env):
    name = _name('private')
    cloud.run('openstack', 'flavor', 'create', '--ram', '64', '--disk', '0', '--vcpus', '1',
              '--private', name)
    member_names = {f['Name'] for f in cloud.run_json(
        'openstack', 'flavor', 'list', '-f', 'json', env=member_env)}
    assert name not in member_names
    cloud.run('openstack', 'flavor', 'set', '--project', member_env['OS_PROJECT_NAME'], name)
    member_names = {f['Name'] for f in cloud.run_json(
        'openstack', 'flavor', 'list', '-f', 'json', env=member_env)}
    assert name in member_names
    cloud.run('openstack', 'flavor', 'delete', name)


def test_member_cannot_manage_flavors_or_quotas(cloud, member_env):
    denied = cloud.run('openstack', 'flavor', 'create', '--ram', '64', '--disk', '0',
                       '--vcpus', '1', _name('nope'), check=False, env=member_env)
    assert denied.returncode != 0
    assert 'os_compute_api:os-flavor-manage:create' in denied.stderr
    assert '403' in denied.stderr
    denied = cloud.run('openstack', 'quota', 'set', '--instances', '100',
                       member_env['OS_PROJECT_NAME'], check=False, env=member_env)
    assert denied.returncode != 0 and '403' in denied.stderr


def test_keypair_create_list_show_delete(cloud, member_env):
    name = _name('k1')
    private_key = cloud.run('openstack', 'keypair', 'create', name).stdout
    assert private_key.startswith('-----BEGIN OPENSSH PRIVATE KEY-----')
    public = serialization.load_ssh_private_key(private_key.encode(), None).public_key()
    public_line = public.public_bytes(serialization.Encoding.OpenSSH,
                                      serialization.PublicFormat.OpenSSH).decode()
    listed = cloud.run_json('openstack', 'keypair', 'list', '-f', 'json')
    [mine] = [k for k in listed if k['Name'] == name]
    assert mine['Type'] == 'ssh' and len(mine['Fingerprint'].split(':')) == 16
    shown = cloud.run_json('openstack', 'keypair', 'show', name, '-f', 'json')
    assert shown['fingerprint'] == mine['Fingerprint']
    stored = cloud.run('openstack', 'keypair', 'show', '--public-key', name).stdout
    assert stored.split()[:2] == public_line.split()[:2]  # the printed key's public half
    other = cloud.run('openstack', 'keypair', 'show', name, check=False, env=member_env)
    assert other.returncode != 0  # another user's key pair is not found
    cloud.run('openstack', 'keypair', 'delete', name)
    gone = cloud.run('openstack', 'keypair', 'show', name, check=False)
    assert gone.returncode != 0 and 'No Keypair found' in gone.stderr


def test_quota_show_set_and_limits(cloud, member_env):
    project = member_env['OS_PROJECT_NAME']
    quotas = {row['Resource']: row['Limit'] for row in cloud.run_json(
        'openstack', 'quota', 'show', '-f', 'json')}
    assert quotas['instances'] == 10 and quotas['cores'] == 20 and quotas['ram'] == 51200
    cloud.run('openstack', 'quota', 'set', '--instances', '7', '--cores', '9', project)
    theirs = {row['Resource']: row['Limit'] for row in cloud.run_json(
        'openstack', 'quota', 'show', project, '-f', 'json')}
    assert (theirs['instances'], theirs['cores']) == (7, 9)
    limits = {row['Name']: row['Value'] for row in cloud.run_json(
        'openstack', 'limits', 'show', '--absolute', '-f', 'json', env=member_env)}
    assert limits['max_total_instances'] == 7 and limits['max_total_cores'] == 9
    assert limits['total_instances_used'] == 0
    cloud.run('openstack', 'quota', 'delete', '--compute', project)
    limits = {row['Name']: row['Value'] for row in cloud.run_json(
        'openstack', 'limits', 'show', '--absolute', '-f', 'json', env=member_env)}
    assert limits['max_total_instances'] == 10


def test_availability_zone_list(cloud, member_env):
    zones = cloud.run_json('openstack', 'availability', 'zone', 'list', '-f', 'json')
    assert {'Zone Name': 'nova', 'Zone Status': 'available'} in zones
    member_zones = cloud.run_json('openstack', 'availability', 'zone', 'list', '--compute',
                                  '-f', 'json', env=member_env)
    assert {z['Zone Name'] for z in member_zones} >= {'nova'}
    assert 'internal' not in {z['Zone Name'] for z in member_zones}


def test_image_list(cloud):
    images = cloud.run_json('openstack', 'image', 'list', '-f', 'json')
    assert any(i['Name'] == 'cirros' and i['Status'] == 'active' for i in images)


def test_novaclient_flavors_keypairs_quotas(cloud, tmp_path):
    flavors = cloud.run('nova', 'flavor-list').stdout
    assert 'm1.tiny' in flavors and 'm1.xlarge' in flavors
    name = _name('nk')
    generated = cloud.run('nova', '--os-compute-api-version', '2.91', 'keypair-add',
                          name).stdout
    assert '-----BEGIN RSA PRIVATE KEY-----' in generated
    shown = cloud.run('nova', 'keypair-show', name).stdout
    [public] = [line for line in shown.splitlines() if line.startswith('Public key: ')]
    assert public.split()[2] == 'ssh-rsa'
    pub_file = tmp_path / 'key.pub'
    pub_file.write_text(public[len('Public key: '):])
    imported = _name('imp')
    cloud.run('nova', 'keypair-add', '--pub-key', str(pub_file), imported)
    listing = cloud.run('nova', 'keypair-list').stdout
    assert name in listing and imported in listing
    cloud.run('nova', 'keypair-delete', name)
    cloud.run('nova', 'keypair-delete', imported)
    quotas = cloud.run('nova', 'quota-show').stdout
    assert 'instances' in quotas and 'key_pairs' in quotas


def test_openstacksdk_flavors_keypairs_quotas_limits(cloud):
    rc = cloud.novarc()
    conn = openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'], password=rc['OS_PASSWORD'],
        project_name=rc['OS_PROJECT_NAME'], user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        identity_api_version='3')
    name = _name('sdk')
    flavor = conn.compute.create_flavor(name=name, ram=256, vcpus=2, disk=3,
                                        description='sdk flavor')
    assert conn.compute.find_flavor(name).id == flavor.id
    conn.compute.create_flavor_extra_specs(flavor, {'hw:mem_page_size': 'small'})
    fetched = conn.compute.fetch_flavor_extra_specs(flavor)
    assert fetched.extra_specs == {'hw:mem_page_size': 'small'}
    assert {f.name for f in conn.compute.flavors(min_ram=256)} >= {name, 'm1.small'}
    conn.compute.delete_flavor(flavor)
    assert conn.compute.find_flavor(name) is None

    generated = conn.compute.create_keypair(name=name + '-gen', type='ssh')  # at 2.10
    assert generated.private_key.startswith('-----BEGIN RSA PRIVATE KEY-----')
    keypair = conn.compute.get_keypair(name + '-gen')
    assert keypair.fingerprint and keypair.type == 'ssh'
    conn.compute.delete_keypair(keypair)

    project_id = conn.current_project_id
    quotas = conn.compute.get_quota_set(project_id)
    assert quotas.instances == 10 and quotas.key_pairs == 100
    limits = conn.compute.get_limits()
    assert limits.absolute.instances == 10 and limits.absolute.instances_used >= 0
    zones = [z.name for z in conn.compute.availability_zones()]
    assert 'nova' in zones
