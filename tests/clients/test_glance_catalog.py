"""The unmodified `openstack image ...` and `glance` CLIs on the rest of Glance v2:
metadata definitions, tasks, web-download import, stores, list filters, readers.

Image files for web-download are served by a small HTTP server on 127.0.0.1
(the client cloud lets nova-image fetch from loopback; see conftest.py).
"""
import http.server
import json
import os
import shlex
import threading
import time
import uuid

import pytest

QCOW2 = (b'QFI\xfb' + (3).to_bytes(4, 'big') + bytes(16) + (1 << 30).to_bytes(8, 'big')
         + bytes(480))  # a v3 header without backing file or extensions, then the data
QCOW2_DATA = QCOW2 + os.urandom(64 * 1024)
RAW_DATA = os.urandom(3725)


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


class _Files(http.server.BaseHTTPRequestHandler):
    files = {'/disk.qcow2': QCOW2_DATA, '/disk.raw': RAW_DATA}

    def do_GET(self):  # noqa: N802 -- http.server's name
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope='module')
def web():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def _openstack(cloud, *words, **kwargs):
    return cloud.run_json('openstack', *words, '-f', 'json', **kwargs)


def _queued(cloud, disk_format, name, env=None):
    """A queued image, made by glance with stdin closed (the openstack CLI would
    upload whatever stdin holds, and fails on a closed one)."""
    command = 'exec glance image-create --disk-format %s --container-format bare ' \
              '--name %s <&-' % (shlex.quote(disk_format), shlex.quote(name))
    out = cloud.run('sh', '-c', command, env=env).stdout
    rows = dict((cells[1].strip(), cells[2].strip()) for cells in
                (line.split('|') for line in out.splitlines() if line.startswith('| '))
                if len(cells) >= 3)
    return {'id': rows['id'], 'name': rows['name'], 'status': rows['status']}


def _wait_status(cloud, image_id, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        image = _openstack(cloud, 'image', 'show', image_id)
        if image['status'] in statuses or time.monotonic() > deadline:
            return image
        time.sleep(0.5)


# ------------------------------------------------------------------ metadefs

def test_openstack_metadef_commands(cloud):
    listed = _openstack(cloud, 'image', 'metadef', 'namespace', 'list')
    names = [row['namespace'] for row in listed]
    assert 'OS::Compute::Hypervisor' in names and 'OS::OperatingSystem' in names
    types = _openstack(cloud, 'image', 'metadef', 'resource', 'type', 'list')
    assert 'OS::Glance::Image' in [row['Name'] for row in types]
    props = _openstack(cloud, 'image', 'metadef', 'property', 'list',
                       'OS::Compute::Architecture')
    assert 'architecture' in [row['name'] for row in props]

    ns = _name('Site::Test')
    created = _openstack(cloud, 'image', 'metadef', 'namespace', 'create', '--public',
                         '--description', 'from the CLI', ns)
    assert created['namespace'] == ns and created['visibility'] == 'public'
    cloud.run('openstack', 'image', 'metadef', 'property', 'create', '--name',
              'backup_policy', '--title', 'Backup', '--type', 'string', '--schema',
              json.dumps({'enum': ['daily', 'weekly']}), ns)
    shown = _openstack(cloud, 'image', 'metadef', 'property', 'show', ns, 'backup_policy')
    assert shown['title'] == 'Backup' and shown['enum'] == ['daily', 'weekly']
    cloud.run('openstack', 'image', 'metadef', 'object', 'create', '--namespace', ns,
              'Schedule')
    assert [row['name'] for row in _openstack(cloud, 'image', 'metadef', 'object', 'list',
                                              ns)] == ['Schedule']
    cloud.run('openstack', 'image', 'metadef', 'resource', 'type', 'association', 'create',
              ns, 'OS::Glance::Image')
    associations = _openstack(cloud, 'image', 'metadef', 'resource', 'type', 'association',
                              'list', ns)
    assert [row['Name'] for row in associations] == ['OS::Glance::Image']
    cloud.run('openstack', 'image', 'metadef', 'namespace', 'set', '--protected', ns)
    refused = cloud.run('openstack', 'image', 'metadef', 'namespace', 'delete', ns,
                        check=False)
    assert refused.returncode != 0
    cloud.run('openstack', 'image', 'metadef', 'namespace', 'set', '--unprotected', ns)
    cloud.run('openstack', 'image', 'metadef', 'namespace', 'delete', ns)
    gone = cloud.run('openstack', 'image', 'metadef', 'namespace', 'show', ns, check=False)
    assert gone.returncode != 0 and ('404' in gone.stderr or 'not found' in gone.stderr.lower())


def test_glance_md_commands(cloud):
    listed = cloud.run('glance', 'md-namespace-list').stdout
    assert 'OS::Compute::Hypervisor' in listed
    ns = _name('Site::Glance')
    cloud.run('glance', 'md-namespace-create', '--visibility', 'public', ns)
    cloud.run('glance', 'md-tag-create-multiple', '--names', 'a,b,c', ns)
    cloud.run('glance', 'md-tag-update', '--name', 'd', ns, 'c')
    tags = cloud.run('glance', 'md-tag-list', ns).stdout
    assert all(tag in tags for tag in ('a', 'b', 'd')) and ' c ' not in tags
    cloud.run('glance', 'md-object-create', '--name', 'Cpu', '--schema',
              json.dumps({'description': 'pinning', 'properties': {
                  'policy': {'title': 'Policy', 'type': 'string'}}}), ns)
    shown = cloud.run('glance', 'md-object-show', ns, 'Cpu').stdout
    assert 'pinning' in shown
    cloud.run('glance', 'md-namespace-objects-delete', ns)
    cloud.run('glance', 'md-namespace-tags-delete', ns)
    cloud.run('glance', 'md-namespace-delete', ns)


# -------------------------------------------------------- import and tasks

def test_openstack_image_import_web_download_and_task_list(cloud, web):
    name = _name('web')
    image = _queued(cloud, 'qcow2', name)
    info = _openstack(cloud, 'image', 'import', 'info')
    assert 'web-download' in json.dumps(info)
    cloud.run('openstack', 'image', 'import', '--method', 'web-download', '--uri',
              web + '/disk.qcow2', image['id'])
    active = _wait_status(cloud, image['id'], ('active',))
    assert (active['status'], active['size'], active['virtual_size']) == (
        'active', len(QCOW2_DATA), 1 << 30)
    tasks_table = cloud.run('glance', 'image-tasks', image['id']).stdout
    assert '| success |' in tasks_table
    listed = _openstack(cloud, 'image', 'task', 'list')
    assert 'api_image_import' in [row['Type'] for row in listed]
    stores = _openstack(cloud, 'image', 'stores', 'list')
    assert [row['ID'] for row in stores] == ['file']
    cloud.run('openstack', 'image', 'delete', image['id'])


def test_web_download_of_a_refused_uri_is_a_clear_error(cloud):
    """glance shows the 400 (`openstack image import` exits 0 whatever the answer)."""
    image = _queued(cloud, 'raw', _name('meta'))
    result = cloud.run('glance', 'image-import', '--import-method', 'web-download', '--uri',
                       'http://169.254.169.254/latest/meta-data', image['id'], check=False)
    assert result.returncode != 0 and 'disallowed network 169.254.0.0/16' in result.stderr
    assert _openstack(cloud, 'image', 'show', image['id'])['status'] == 'queued'
    cloud.run('openstack', 'image', 'delete', image['id'])


def test_glance_task_create_and_show(cloud, web):
    task_input = json.dumps({'import_from': web + '/disk.raw', 'import_from_format': 'raw',
                             'image_properties': {'name': _name('task'),
                                                  'disk_format': 'raw',
                                                  'container_format': 'bare'}})
    created = cloud.run('glance', '--os-image-api-version', '2', 'task-create', '--type',
                        'import', '--input', task_input).stdout
    task_id = next(line.split('|')[2].strip() for line in created.splitlines()
                   if line.startswith('| id '))
    deadline = time.monotonic() + 60
    while True:
        task = _openstack(cloud, 'image', 'task', 'show', task_id)
        if task['status'] in ('success', 'failure') or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert task['status'] == 'success', task
    image_id = task['result']['image_id']
    image = _openstack(cloud, 'image', 'show', image_id)
    assert (image['status'], image['size']) == ('active', len(RAW_DATA))
    cloud.run('openstack', 'image', 'delete', image_id)


# ------------------------------------------------------------------ filters

def test_list_filters_size_dates_and_sorting(cloud, tmp_path):
    path = tmp_path / 'small.raw'
    path.write_bytes(RAW_DATA)
    tag = _name('tag')
    ids = []
    for n in range(3):
        image = _openstack(cloud, 'image', 'create', '--disk-format', 'raw',
                           '--container-format', 'bare', '--file', str(path), '--tag', tag,
                           '--property', 'rank=%d' % n, _name('flt'))
        ids.append(image['id'])
    # glanceclient passes its --property-filter as query parameters, as Glance reads them
    by_size = cloud.run('glance', 'image-list', '--property-filter', 'size_min=3725',
                        '--property-filter', 'size_max=3725', '--tag', tag).stdout
    assert all(image_id in by_size for image_id in ids)
    exact = cloud.run('glance', 'image-list', '--property-filter', 'size=3725', '--tag',
                      tag, '--sort-key', 'size', '--sort-dir', 'asc').stdout
    assert all(image_id in exact for image_id in ids)
    assert ids[0] not in cloud.run('glance', 'image-list', '--property-filter',
                                   'size_min=3726', '--tag', tag).stdout
    created = _openstack(cloud, 'image', 'show', ids[0])['created_at']
    since = cloud.run('glance', 'image-list', '--property-filter',
                      'created_at=gte:' + created, '--tag', tag).stdout
    assert all(image_id in since for image_id in ids)
    before = cloud.run('glance', 'image-list', '--property-filter',
                       'created_at=lt:2000-01-01T00:00:00Z', '--tag', tag).stdout
    assert not any(image_id in before for image_id in ids)
    listed = _openstack(cloud, 'image', 'list', '--tag', tag, '--sort', 'name:asc',
                        '--long')
    assert sorted(row['ID'] for row in listed) == sorted(ids)
    names = [row['Name'] for row in listed]
    assert names == sorted(names)
    ranked = _openstack(cloud, 'image', 'list', '--property', 'rank=1')
    assert [row['ID'] for row in ranked] == [ids[1]]
    first_page = _openstack(cloud, 'image', 'list', '--tag', tag, '--limit', '2')
    assert len(first_page) == 2
    for image_id in ids:
        cloud.run('openstack', 'image', 'delete', image_id)


# ------------------------------------------------------------------ readers

def test_a_reader_reads_images_and_changes_nothing(cloud, tmp_path):
    project, user = _name('rdr'), _name('reader')
    cloud.manage('project', 'create', project)
    cloud.manage('user', 'create', user + '-m', '--password', 'pw', '--project', project,
                 '--role', 'member')
    cloud.manage('user', 'create', user, '--password', 'pw', '--project', project,
                 '--role', 'reader')
    member = cloud.env(OS_USERNAME=user + '-m', OS_PASSWORD='pw', OS_PROJECT_NAME=project)
    reader = cloud.env(OS_USERNAME=user, OS_PASSWORD='pw', OS_PROJECT_NAME=project)
    image = _queued(cloud, 'raw', _name('owned'), env=member)
    assert _openstack(cloud, 'image', 'show', image['id'], env=reader)['id'] == image['id']
    for words in (('image', 'set', '--name', 'renamed', image['id']),
                  ('image', 'delete', image['id']),
                  ('image', 'create', '--disk-format', 'raw', '--container-format', 'bare',
                   _name('x'))):
        result = cloud.run('openstack', *words, env=reader, check=False)
        assert result.returncode != 0 and ('403' in result.stderr
                                           or 'Forbidden' in result.stderr), result.stderr
    assert _openstack(cloud, 'image', 'show', image['id'], env=member)['name'] == image[
        'name']
    cloud.run('openstack', 'image', 'delete', image['id'], env=member)
