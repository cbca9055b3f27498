"""The openstack CLI and openstacksdk, unmodified, against nova-image (Glance v2).

Images go up with `openstack image create --file` and `create_image`, come back
byte for byte with `openstack image save` and `download_image` (which checks
the md5 itself), and stay invisible to another project while private.
"""
import hashlib
import os
import re
import urllib.error
import urllib.request
import uuid

import openstack
import pytest

# a qcow2 v3 header (no backing file, no extensions) padded to a sector; what follows
# the header does not matter to format inspection
QCOW2_HEADER = (b'QFI\xfb\x00\x00\x00\x03' + bytes(16) + (1 << 30).to_bytes(8, 'big')
                + bytes(480))


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def image_file(tmp_path_factory):
    """2 MiB and a bit, with a qcow2 header claiming a 1 GiB disk."""
    data = QCOW2_HEADER + os.urandom(2 * 1024 * 1024 + 123)
    path = tmp_path_factory.mktemp('image') / 'disk.qcow2'
    path.write_bytes(data)
    return path, data


def _connect(cloud, **overrides):
    rc = dict(cloud.novarc(), **overrides)
    return openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'], password=rc['OS_PASSWORD'],
        project_name=rc['OS_PROJECT_NAME'], user_domain_name=rc['OS_USER_DOMAIN_NAME'],
        project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'], region_name=rc['OS_REGION_NAME'],
        interface=rc['OS_INTERFACE'], identity_api_version='3')


@pytest.fixture(scope='module')
def other(cloud):
    """Another project with a member user: (project id, env for its clients)."""
    name = _name('imgother')
    out = cloud.manage('project', 'create', name).stdout
    project_id = re.search(r'with id (\S+)\.', out).group(1)
    cloud.manage('user', 'create', name + '-user', '--password', 'pw-' + name,
                 '--project', name)
    overrides = {'OS_USERNAME': name + '-user', 'OS_PASSWORD': 'pw-' + name,
                 'OS_PROJECT_NAME': name}
    return project_id, overrides


def test_cli_create_set_list_show_save_delete(cloud, image_file, tmp_path):
    path, data = image_file
    name = _name('cli')
    created = cloud.run_json('openstack', 'image', 'create', '--file', str(path),
                             '--disk-format', 'qcow2', '--container-format', 'bare',
                             '--property', 'os_distro=cirros', name, '-f', 'json')
    assert created['status'] == 'active' and created['size'] == len(data)
    assert created['checksum'] == hashlib.md5(data).hexdigest()
    cloud.run('openstack', 'image', 'set', '--tag', 'gold', '--property', 'hw_rng=yes',
              '--min-disk', '2', '--min-ram', '64', name)

    listed = cloud.run_json('openstack', 'image', 'list', '--long', '--tag', 'gold',
                            '-f', 'json')
    [row] = [row for row in listed if row['Name'] == name]
    assert (row['ID'], row['Status'], row['Disk Format']) == (created['id'], 'active',
                                                              'qcow2')

    shown = cloud.run_json('openstack', 'image', 'show', name, '-f', 'json')
    assert shown['properties']['os_hash_algo'] == 'sha512'
    assert shown['properties']['os_hash_value'] == hashlib.sha512(data).hexdigest()
    assert shown['properties']['os_distro'] == 'cirros'
    assert shown['properties']['hw_rng'] == 'yes' and shown['tags'] == ['gold']
    assert (shown['min_disk'], shown['min_ram']) == (2, 64)
    assert shown['virtual_size'] == 1 << 30  # read from the qcow2 header

    saved = tmp_path / 'saved'
    cloud.run('openstack', 'image', 'save', '--file', str(saved), name)
    assert saved.read_bytes() == data

    # the sdk sends 'Accept: ' on PATCH, so Glance's error is text/plain and unquoted
    bad = cloud.run('openstack', 'image', 'set', '--min-disk', '-1', name, check=False)
    assert bad.returncode != 0 and 'BadRequestException: 400' in bad.stderr

    cloud.run('openstack', 'image', 'delete', name)
    gone = cloud.run('openstack', 'image', 'show', created['id'], check=False)
    assert gone.returncode != 0 and 'No Image found' in gone.stderr


def test_sdk_create_and_download_verify_checksum(cloud, image_file, tmp_path):
    path, data = image_file
    conn = _connect(cloud)
    name = _name('sdk')
    image = conn.create_image(name, filename=str(path), disk_format='qcow2',
                              container_format='bare', wait=True)
    assert image.status == 'active' and image.checksum == hashlib.md5(data).hexdigest()
    assert image.hash_algo == 'sha512'
    assert image.hash_value == hashlib.sha512(data).hexdigest()

    out = tmp_path / 'downloaded'
    with open(out, 'wb') as f:
        conn.download_image(name, output_file=f)  # the sdk compares the md5 itself
    assert out.read_bytes() == data
    response = conn.image.download_image(image, stream=True)
    assert response.headers['Content-MD5'] == image.checksum

    conn.image.add_tag(image, 'sdk')
    conn.image.update_image(image.id, min_ram=128, os_distro='cirros')
    shown = conn.image.get_image(image.id)
    assert (shown.tags, shown.min_ram, shown.os_distro) == (['sdk'], 128, 'cirros')
    assert [i.id for i in conn.image.images(tag='sdk')] == [image.id]

    conn.image.deactivate_image(image)
    assert conn.image.get_image(image.id).status == 'deactivated'
    conn.image.reactivate_image(image)
    assert conn.image.get_image(image.id).status == 'active'

    assert conn.delete_image(name, wait=True)
    assert conn.image.find_image(image.id) is None


def test_sdk_pages_with_next_links(cloud):
    conn = _connect(cloud)
    prefix = _name('page')
    ids = [conn.image.create_image(name='%s-%d' % (prefix, i), disk_format='raw',
                                   container_format='bare').id for i in range(5)]
    seen = [image.id for image in conn.image.images(limit=2, sort='name:asc')
            if image.name.startswith(prefix)]
    assert seen == ids  # walked over three pages, through the 'next' links
    for image_id in ids:
        conn.image.delete_image(image_id)


def test_private_image_is_invisible_to_another_project(cloud, other, image_file, tmp_path):
    path, _data = image_file
    owner = _connect(cloud)
    image = owner.create_image(_name('private'), filename=str(path), disk_format='qcow2',
                               container_format='bare', visibility='private', wait=True)
    other_project, overrides = other
    env = cloud.env(**overrides)
    listed = cloud.run_json('openstack', 'image', 'list', '-f', 'json', env=env)
    assert image.id not in [row['ID'] for row in listed]
    for argv in (('image', 'show', image.id), ('image', 'delete', image.id)):
        result = cloud.run('openstack', *argv, env=env, check=False)
        assert result.returncode != 0, argv
    # the API itself answers 404 (never 403), so the id does not leak
    token = _connect(cloud, **overrides).session.get_token()
    for method, suffix in (('GET', ''), ('GET', '/file'), ('DELETE', ''),
                           ('POST', '/actions/deactivate')):
        request = urllib.request.Request(cloud.url('image', '/v2/images/%s%s' % (
            image.id, suffix)), method=method, headers={'X-Auth-Token': token})
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request)
        assert raised.value.code == 404, (method, suffix)
    assert owner.image.get_image(image.id).status == 'active'  # untouched
    owner.image.delete_image(image.id)


def test_sharing_with_another_project(cloud, other, image_file, tmp_path):
    path, data = image_file
    owner = _connect(cloud)
    image = owner.create_image(_name('shared'), filename=str(path), disk_format='qcow2',
                               container_format='bare', visibility='shared', wait=True)
    other_project, overrides = other
    env = cloud.env(**overrides)
    member = _connect(cloud, **overrides)
    cloud.run('openstack', 'image', 'add', 'project', image.id, other_project)

    def listed():
        return image.id in [i.id for i in member.image.images()]

    assert not listed()  # pending: not in the member's list yet
    cloud.run('openstack', 'image', 'set', '--accept', image.id, env=env)
    assert listed()
    saved = tmp_path / 'shared'
    cloud.run('openstack', 'image', 'save', '--file', str(saved), image.id, env=env)
    assert saved.read_bytes() == data
    with pytest.raises(openstack.exceptions.ForbiddenException):
        member.image.delete_image(image.id)  # a member may read, not delete
    cloud.run('openstack', 'image', 'set', '--reject', image.id, env=env)
    assert not listed()
    assert [(m.member_id, m.status) for m in owner.image.members(image.id)] == [
        (other_project, 'rejected')]
    owner.image.delete_image(image.id)


def test_new_user_boots_an_uploaded_image_and_snapshots_it(cloud, other, tmp_path):
    """The issue's 'done when': upload with the CLI, boot it, the host caches its bytes."""
    data = os.urandom(512 * 1024)
    path = tmp_path / 'boot.raw'
    path.write_bytes(data)
    _project, overrides = other
    env = cloud.env(**overrides)
    image = cloud.run_json('openstack', 'image', 'create', '--file', str(path),
                           '--disk-format', 'raw', '--container-format', 'bare',
                           '--private', _name('boot'), '-f', 'json', env=env)
    server = cloud.run_json('openstack', 'server', 'create', '--image', image['id'],
                            '--flavor', 'm1.tiny', '--wait', _name('vm'), '-f', 'json',
                            env=env)
    assert server['status'] == 'ACTIVE'
    base = os.path.join(cloud.state_path, 'instances', '_base',
                        '%s_%s' % (image['id'], image['checksum']))
    with open(base, 'rb') as f:
        assert f.read() == data  # fetched once into the host's cache, checksum verified

    conn = _connect(cloud, **overrides)
    snapshot_id = conn.compute.create_server_image(server['id'], _name('snap'), wait=True)
    snapshot = conn.image.wait_for_status(conn.image.get_image(snapshot_id), 'active',
                                          wait=60)
    assert snapshot.owner == image['owner'] and snapshot.properties['image_type'] == \
        'snapshot'
    downloaded = conn.image.download_image(snapshot).content
    assert hashlib.md5(downloaded).hexdigest() == snapshot.checksum and downloaded
    vm = conn.compute.get_server(server['id'])
    conn.compute.delete_server(vm)
    conn.compute.wait_for_delete(vm, wait=60)
    for image_id in (snapshot.id, image['id']):
        conn.image.delete_image(image_id)


def test_cli_create_with_import_stages_then_imports(cloud, image_file):
    path, data = image_file
    created = cloud.run_json('openstack', 'image', 'create', '--import', '--file', str(path),
                             '--disk-format', 'qcow2', '--container-format', 'bare',
                             _name('import'), '-f', 'json')
    conn = _connect(cloud)
    image = conn.image.wait_for_status(conn.image.get_image(created['id']), 'active',
                                       wait=30)
    assert image.checksum == hashlib.md5(data).hexdigest()
    assert conn.image.download_image(image).content == data
    conn.image.delete_image(image.id)
