"""python-glanceclient's `glance` CLI, unmodified, and Glance v2 at the HTTP level.

glanceclient builds its arguments from /v2/schemas/image and validates every
image it receives against it, so these runs also check the schema's shape.
The HTTP checks are what a client cannot show: the version documents, Range
downloads, and an upload the client drops half way.
"""
import hashlib
import json
import os
import socket
import time
import urllib.error
import urllib.request
import uuid

import pytest
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

DATA = os.urandom(1024 * 1024 + 7)


def _name(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


@pytest.fixture(scope='module')
def token(cloud):
    rc = cloud.novarc()
    auth = v3.Password(auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'],
                       password=rc['OS_PASSWORD'], project_name=rc['OS_PROJECT_NAME'],
                       user_domain_name=rc['OS_USER_DOMAIN_NAME'],
                       project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'])
    return ks_session.Session(auth=auth).get_token()


def _call(cloud, token, method, path, body=None, **headers):
    """(status, headers, body bytes) of one request to nova-image."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = dict(headers)
    if token:
        headers['X-Auth-Token'] = token
    if isinstance(body, dict):
        headers['Content-Type'] = 'application/json'
    request = urllib.request.Request(cloud.url('image', path), data=data, method=method,
                                     headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers, e.read()


def _image(cloud, token, image_id):
    status, _headers, body = _call(cloud, token, 'GET', '/v2/images/' + image_id)
    assert status == 200, body
    return json.loads(body)


def _table(output):
    """glance's 'Property | Value' table as a dict."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        if len(cells) == 2 and line.startswith('|'):
            rows[cells[0]] = cells[1]
    return rows


def test_glance_create_upload_download(cloud, token, tmp_path):
    source = tmp_path / 'disk.raw'
    source.write_bytes(DATA)
    name = _name('glance')
    # stdin closed: glanceclient would otherwise upload whatever stdin holds
    created = _table(cloud.run('sh', '-c', 'exec glance image-create --name %s '
                               '--disk-format raw --container-format bare '
                               '--property purpose=test <&-' % name).stdout)
    image_id = created['id']
    assert (created['status'], created['purpose']) == ('queued', 'test')

    cloud.run('glance', 'image-upload', '--file', str(source), image_id)
    image = _image(cloud, token, image_id)
    assert (image['status'], image['size']) == ('active', len(DATA))
    assert image['checksum'] == hashlib.md5(DATA).hexdigest()
    assert (image['os_hash_algo'], image['os_hash_value']) == (
        'sha512', hashlib.sha512(DATA).hexdigest())

    target = tmp_path / 'downloaded'
    cloud.run('glance', 'image-download', '--file', str(target), image_id)
    assert target.read_bytes() == DATA

    listed = cloud.run('glance', 'image-list', '--property-filter', 'purpose=test').stdout
    assert image_id in listed
    status, _headers, _body = _call(cloud, token, 'DELETE', '/v2/images/' + image_id)
    assert status == 204


def test_versions_and_schemas_need_no_token_only_for_versions(cloud, token):
    status, _headers, body = _call(cloud, None, 'GET', '/')
    assert status == 300 and json.loads(body)['versions'][0]['id'] == 'v2.16'
    status, _headers, body = _call(cloud, None, 'GET', '/versions')
    current = [v for v in json.loads(body)['versions'] if v['status'] == 'CURRENT']
    assert status == 200 and current[0]['links'][0]['href'] == cloud.url('image', '/v2/')
    assert _call(cloud, None, 'GET', '/v2/schemas/image')[0] == 401
    status, _headers, body = _call(cloud, token, 'GET', '/v2/schemas/image')
    schema = json.loads(body)
    assert status == 200 and schema['name'] == 'image'
    assert schema['additionalProperties'] == {'type': 'string'}
    assert 'qcow2' in schema['properties']['disk_format']['enum']
    images = json.loads(_call(cloud, token, 'GET', '/v2/schemas/images')[2])
    assert images['properties']['images']['items']['name'] == 'image'


def _active_image(cloud, token, data=DATA):
    status, _headers, body = _call(cloud, token, 'POST', '/v2/images',
                                   {'name': _name('http'), 'disk_format': 'raw',
                                    'container_format': 'bare'})
    assert status == 201, body
    image = json.loads(body)
    assert image['status'] == 'queued'
    status, _headers, body = _call(cloud, token, 'PUT', '/v2/images/%s/file' % image['id'],
                                   data, **{'Content-Type': 'application/octet-stream'})
    assert status == 204, body
    return image['id']


def test_range_downloads(cloud, token):
    image_id = _active_image(cloud, token)
    path = '/v2/images/%s/file' % image_id
    status, headers, body = _call(cloud, token, 'GET', path, Range='bytes=1000-1999')
    assert (status, body) == (206, DATA[1000:2000])
    assert headers['Content-Range'] == 'bytes 1000-1999/%d' % len(DATA)
    status, headers, body = _call(cloud, token, 'GET', path, Range='bytes=-5')
    assert (status, body) == (206, DATA[-5:])
    status, headers, _body = _call(cloud, token, 'GET', path,
                                   Range='bytes=%d-' % (len(DATA) + 10))
    assert status == 416 and headers['Content-Range'] == 'bytes */%d' % len(DATA)
    status, headers, body = _call(cloud, token, 'GET', path)
    assert (status, body) == (200, DATA)
    assert headers['Content-MD5'] == hashlib.md5(DATA).hexdigest()
    _call(cloud, token, 'DELETE', '/v2/images/' + image_id)


def _dropped_upload(cloud, token, image_id, head, body):
    """Send the request head and part of the body, then drop the connection."""
    with socket.create_connection(('127.0.0.1', cloud.ports['image'])) as sock:
        sock.sendall(('PUT /v2/images/%s/file HTTP/1.1\r\nHost: 127.0.0.1\r\n'
                      'X-Auth-Token: %s\r\nContent-Type: application/octet-stream\r\n'
                      '%s\r\n\r\n' % (image_id, token, head)).encode())
        sock.sendall(body)
        time.sleep(0.2)


@pytest.mark.parametrize('head, body', [
    ('Content-Length: %d' % (8 * 1024 * 1024), b'x' * (3 * 1024 * 1024)),
    ('Transfer-Encoding: chunked', b'100000\r\n' + b'x' * 0x100000 + b'\r\n'),
], ids=['content-length', 'chunked'])
def test_dropped_upload_never_makes_an_active_image(cloud, token, head, body):
    status, _headers, created = _call(cloud, token, 'POST', '/v2/images',
                                      {'name': _name('dropped'), 'disk_format': 'raw',
                                       'container_format': 'bare'})
    image_id = json.loads(created)['id']
    _dropped_upload(cloud, token, image_id, head, body)
    deadline = time.time() + 10
    while _image(cloud, token, image_id)['status'] == 'saving':
        assert time.time() < deadline, 'still saving after the client went away'
        time.sleep(0.1)
    image = _image(cloud, token, image_id)
    assert image['status'] in ('killed', 'queued') and image['size'] in (None, 0)
    status, _headers, data = _call(cloud, token, 'GET', '/v2/images/%s/file' % image_id)
    assert (status, data) == (204, b'')  # no data to give
    datadir = os.path.join(cloud.state_path, 'images')
    assert [name for name in os.listdir(datadir) if image_id in name] == []
    _call(cloud, token, 'DELETE', '/v2/images/' + image_id)


def test_bad_input_is_a_clear_4xx(cloud, token):
    for body, word in (({'disk_format': 'floppy'}, 'disk_format'),
                       ({'container_format': 'zip'}, 'container_format'),
                       ({'min_ram': -1}, 'min_ram'), ({'min_disk': 'big'}, 'min_disk'),
                       ({'visibility': 'everyone'}, 'visibility'),
                       ({'status': 'active'}, 'status')):
        status, _headers, text = _call(cloud, token, 'POST', '/v2/images', body,
                                       Accept='application/json')
        assert status in (400, 403), (body, status, text)
        assert word in json.loads(text)['message'], (body, text)
    image_id = _active_image(cloud, token, b'data')
    status, _headers, text = _call(cloud, token, 'PATCH', '/v2/images/' + image_id,
                                   b'[{"op": "replace", "path": "/name", "value": "x"}]',
                                   **{'Content-Type': 'application/json'})
    assert status == 415
    status, _headers, text = _call(cloud, token, 'PUT', '/v2/images/%s/file' % image_id,
                                   b'again', **{'Content-Type': 'application/octet-stream'})
    assert status == 409
    _call(cloud, token, 'DELETE', '/v2/images/' + image_id)


def test_glance_image_create_via_import(cloud, token, tmp_path):
    source = tmp_path / 'disk.raw'
    source.write_bytes(DATA)
    created = _table(cloud.run('sh', '-c', 'exec glance image-create-via-import --name %s '
                               '--disk-format raw --container-format bare --file %s <&-'
                               % (_name('import'), source)).stdout)
    image = _image(cloud, token, created['id'])
    assert (image['status'], image['checksum']) == ('active', hashlib.md5(DATA).hexdigest())
    status, _headers, body = _call(cloud, token, 'GET', '/v2/images/%s/file' % image['id'])
    assert (status, body) == (200, DATA)
    _call(cloud, token, 'DELETE', '/v2/images/' + image['id'])
