"""Upload and download of image data: streaming, ranges, failures."""
import hashlib
import http.client
import io
import os
import socket
import time

import pytest

from nova import wsgi
from nova.conf import CONF
from nova.image.api import image_data
from tests.unit.image.api.conftest import DATA

OCTETS = 'application/octet-stream'


def _files(tmp_path):
    datadir = tmp_path / 'state' / 'images'
    return sorted(os.listdir(datadir)) if datadir.exists() else []


def _status(api, image_id, user='alice'):
    return api('GET', '/v2/images/%s' % image_id, user=user).json['status']


def _put(api, image_id, body=DATA, **kwargs):
    kwargs.setdefault('content_type', OCTETS)
    return api('PUT', '/v2/images/%s/file' % image_id, body, **kwargs)


# ------------------------------------------------------------------ upload

def test_upload_makes_the_image_active_with_hashes(api, tmp_path):
    image = api.create()
    assert _put(api, image['id']).status_int == 204
    shown = api('GET', '/v2/images/%s' % image['id']).json
    assert shown['status'] == 'active' and shown['size'] == len(DATA)
    assert shown['checksum'] == hashlib.md5(DATA).hexdigest()
    assert shown['os_hash_algo'] == 'sha512'
    assert shown['os_hash_value'] == hashlib.sha512(DATA).hexdigest()
    assert shown['virtual_size'] == len(DATA)  # raw
    assert _files(tmp_path) == [image['id']]


def test_upload_reads_the_body_in_1_mib_chunks(api):
    """Never the whole body at once, however large."""
    image = api.create()
    reads = []

    class Input(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    req = api.request('PUT', '/v2/images/%s/file' % image['id'], content_type=OCTETS)
    req.environ['wsgi.input'] = Input(DATA * 3)
    req.content_length = len(DATA) * 3
    assert req.get_response(api.app).status_int == 204
    assert reads and max(reads) == image_data.CHUNK_SIZE and -1 not in reads


def test_chunked_upload_without_content_length(api):
    image = api.create()
    req = api.request('PUT', '/v2/images/%s/file' % image['id'], content_type=OCTETS)
    req.environ['wsgi.input'] = io.BytesIO(DATA)
    req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    req.environ.pop('CONTENT_LENGTH', None)
    assert req.get_response(api.app).status_int == 204
    assert api('GET', '/v2/images/%s' % image['id']).json['size'] == len(DATA)


def test_empty_upload_is_an_active_image_of_size_0(api):
    image = api.create()
    assert _put(api, image['id'], b'').status_int == 204
    shown = api('GET', '/v2/images/%s' % image['id']).json
    assert (shown['status'], shown['size']) == ('active', 0)
    response = api('GET', '/v2/images/%s/file' % image['id'])
    assert response.status_int == 200 and response.body == b''


def test_body_shorter_than_content_length_kills_the_image(api, tmp_path):
    image = api.create()
    req = api.request('PUT', '/v2/images/%s/file' % image['id'], content_type=OCTETS)
    req.environ['wsgi.input'] = io.BytesIO(DATA[:1000])
    req.content_length = len(DATA)
    assert req.get_response(api.app).status_int == 400
    assert _status(api, image['id']) == 'killed'
    assert _files(tmp_path) == []
    assert api('GET', '/v2/images/%s/file' % image['id']).status_int == 204
    assert _put(api, image['id']).status_int == 409


def test_upload_twice_is_409(api):
    image = api.active()
    assert _put(api, image['id']).status_int == 409


@pytest.mark.parametrize('content_type', ['application/json', 'text/plain', None])
def test_upload_needs_octet_stream(api, content_type):
    image = api.create()
    req = api.request('PUT', '/v2/images/%s/file' % image['id'], DATA,
                      content_type=content_type)
    assert req.get_response(api.app).status_int == 415
    assert _status(api, image['id']) == 'queued'


def test_upload_needs_formats_set(api):
    image = api('POST', '/v2/images', {'name': 'x'}).json
    assert _put(api, image['id']).status_int == 400
    assert _status(api, image['id']) == 'queued'


def test_declared_size_over_the_cap_is_413_before_reading(api):
    CONF.set_override('image_size_cap', 1000)
    image = api.create()
    assert _put(api, image['id']).status_int == 413
    assert _status(api, image['id']) == 'queued'


def test_chunked_body_over_the_cap_is_413_and_killed(api, tmp_path):
    CONF.set_override('image_size_cap', 1000)
    image = api.create()
    req = api.request('PUT', '/v2/images/%s/file' % image['id'], content_type=OCTETS)
    req.environ['wsgi.input'] = io.BytesIO(DATA)
    req.environ['HTTP_TRANSFER_ENCODING'] = 'chunked'
    req.environ.pop('CONTENT_LENGTH', None)
    assert req.get_response(api.app).status_int == 413
    assert _status(api, image['id']) == 'killed' and _files(tmp_path) == []


def test_only_the_owner_uploads(api):
    public = api.create(user='root', visibility='public')
    private = api.create(visibility='private')
    assert _put(api, public['id'], user='dave').status_int == 403
    assert _put(api, private['id'], user='dave').status_int == 404


# ---------------------------------------------------------------- download

def test_download_streams_the_data_with_content_md5(api):
    image = api.active()
    response = api('GET', '/v2/images/%s/file' % image['id'])
    assert response.status_int == 200 and response.content_type == OCTETS
    assert response.body == DATA
    assert response.headers['Content-MD5'] == hashlib.md5(DATA).hexdigest()
    assert response.content_length == len(DATA)


def test_download_without_data_is_204(api):
    image = api.create()
    response = api('GET', '/v2/images/%s/file' % image['id'])
    assert response.status_int == 204 and response.body == b''


@pytest.mark.parametrize('header, start, stop', [
    ('bytes=0-4', 0, 5),
    ('bytes=10-', 10, len(DATA)),
    ('bytes=-4', len(DATA) - 4, len(DATA)),
    ('bytes=1048570-99999999', 1048570, len(DATA)),
])
def test_ranges_are_206(api, header, start, stop):
    image = api.active()
    response = api('GET', '/v2/images/%s/file' % image['id'], Range=header)
    assert response.status_int == 206
    assert response.body == DATA[start:stop]
    assert response.headers['Content-Range'] == 'bytes %d-%d/%d' % (start, stop - 1, len(DATA))
    assert response.content_length == stop - start
    assert 'Content-MD5' not in response.headers  # it would describe the whole image


@pytest.mark.parametrize('header', ['bytes=%d-' % len(DATA), 'bytes=x-y', 'items=0-4',
                                    'bytes=5-2'])
def test_unsatisfiable_ranges_are_416(api, header):
    image = api.active()
    response = api('GET', '/v2/images/%s/file' % image['id'], Range=header)
    assert response.status_int == 416
    assert response.headers['Content-Range'] == 'bytes */%d' % len(DATA)


# ----------------------------------------------------- through a real server

@pytest.fixture
def server(api):
    srv = wsgi.Server('image', api.app, '127.0.0.1', 0)
    srv.start()
    yield srv
    srv.stop()


def _connection(server):
    return http.client.HTTPConnection('127.0.0.1', server.port, timeout=30)


def test_chunked_upload_and_ranged_download_over_http(api, server):
    image = api.create()
    conn = _connection(server)
    pieces = (DATA[i:i + 100000] for i in range(0, len(DATA), 100000))
    conn.request('PUT', '/v2/images/%s/file' % image['id'], body=pieces,
                 headers={'X-Auth-Token': api.tokens['alice'], 'Content-Type': OCTETS},
                 encode_chunked=True)
    response = conn.getresponse()
    response.read()
    assert response.status == 204
    assert response.headers['x-openstack-request-id'].startswith('req-')
    conn.request('GET', '/v2/images/%s/file' % image['id'],
                 headers={'X-Auth-Token': api.tokens['alice'], 'Range': 'bytes=100-199'})
    response = conn.getresponse()
    assert response.status == 206 and response.read() == DATA[100:200]
    conn.request('GET', '/v2/images/%s/file' % image['id'],
                 headers={'X-Auth-Token': api.tokens['alice']})
    response = conn.getresponse()
    assert response.status == 200 and response.read() == DATA
    conn.close()


def test_dropped_connection_during_upload_kills_the_image(api, server, tmp_path):
    image = api.create()
    sock = socket.create_connection(('127.0.0.1', server.port))
    sock.sendall(('PUT /v2/images/%s/file HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\n'
                  'Content-Type: %s\r\nContent-Length: %d\r\n\r\n' % (
                      image['id'], api.tokens['alice'], OCTETS, 10 * len(DATA))).encode())
    sock.sendall(DATA)
    deadline = time.monotonic() + 10
    while _status(api, image['id']) == 'queued' and time.monotonic() < deadline:
        time.sleep(0.05)
    sock.close()
    while _status(api, image['id']) == 'saving' and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _status(api, image['id']) == 'killed'
    assert _files(tmp_path) == []


# ------------------------------------------------------------------ import

def test_glance_direct_import(api):
    response = api('POST', '/v2/images', {'name': 'imp', 'disk_format': 'raw',
                                          'container_format': 'bare'})
    assert response.headers['OpenStack-image-import-methods'] == 'glance-direct,web-download'
    image_id = response.json['id']
    info = api('GET', '/v2/info/import').json
    assert info['import-methods']['value'] == ['glance-direct', 'web-download']
    imported = {'method': {'name': 'glance-direct'}}
    assert api('POST', '/v2/images/%s/import' % image_id, imported).status_int == 409
    response = api('PUT', '/v2/images/%s/stage' % image_id, DATA, content_type=OCTETS)
    assert response.status_int == 204 and _status(api, image_id) == 'uploading'
    for body, status in (({'method': {'name': 'web-download', 'uri': 'http://x.invalid/'}},
                          400),
                         ({'method': {'name': 'copy-image'}}, 400),
                         ({'method': 'glance-direct'}, 400),
                         (dict(imported, stores=['ceph']), 400),
                         (dict(imported, stores=['file'], all_stores=True), 400),
                         (dict(imported, all_stores='yes'), 400)):
        assert api('POST', '/v2/images/%s/import' % image_id, body).status_int == status
    assert api('POST', '/v2/images/%s/import' % image_id, imported,
               user='dave').status_int == 404
    response = api('POST', '/v2/images/%s/import' % image_id,
                   dict(imported, all_stores=True, all_stores_must_succeed=True))
    assert response.status_int == 202 and _status(api, image_id) == 'active'
    assert api('GET', '/v2/images/%s' % image_id).json['stores'] == 'file'
    [task] = api('GET', '/v2/images/%s/tasks' % image_id).json['tasks']
    assert (task['type'], task['status'], task['image_id']) == (
        'api_image_import', 'success', image_id)
    assert task['request_id'] == response.headers['x-openstack-request-id']
    assert task['input']['import_req']['method']['name'] == 'glance-direct'
    assert task['expires_at'].endswith('Z')
    response = api('GET', '/v2/images/%s/file' % image_id)
    assert response.body == DATA
    assert response.headers['Content-MD5'] == hashlib.md5(DATA).hexdigest()


@pytest.mark.parametrize('header', ['bytes=-', 'bytes=', 'bytes=a-b', 'bytes=--1',
                                    'items=0-1', 'bytes=99999999999999999999999-'])
def test_malformed_ranges_are_416_never_500(api, header):
    image = api.active()
    response = api('GET', '/v2/images/%s/file' % image['id'], Range=header)
    assert response.status_int == 416, (header, response.status, response.text)
    assert response.headers['Content-Range'] == 'bytes */%d' % image['size']


def _qcow2_header(backing=b''):
    header = bytearray(b'QFI\xfb' + (2).to_bytes(4, 'big') + bytes(4088))
    header[24:32] = (1 << 30).to_bytes(8, 'big')
    if backing:
        header[8:16] = (512).to_bytes(8, 'big')
        header[16:20] = len(backing).to_bytes(4, 'big')
        header[512:512 + len(backing)] = backing
    return bytes(header)


@pytest.mark.parametrize('declared, data, why', [
    ('qcow2', _qcow2_header(b'/etc/shadow'), 'backing file'),
    ('raw', _qcow2_header(b'/etc/shadow'), 'backing file'),
    ('raw', _qcow2_header(), 'the data is a qcow2 image, not raw'),
    ('qcow2', DATA, 'disk_format is qcow2 but the data is not a disk image'),
])
def test_upload_of_data_that_is_not_its_disk_format_is_400_and_kills(api, declared, data,
                                                                     why):
    image = api.create(disk_format=declared)
    response = api('PUT', '/v2/images/%s/file' % image['id'], data,
                   content_type='application/octet-stream')
    assert response.status_int == 400 and why in response.text, response.text
    shown = api('GET', '/v2/images/%s' % image['id']).json
    assert (shown['status'], shown['size']) == ('killed', None)
    assert not [name for name in os.listdir(CONF.filesystem_store_datadir)
                if image['id'] in name]


def test_stage_of_a_dangerous_qcow2_is_400_and_the_image_queued_again(api):
    image = api.create(disk_format='qcow2')
    response = api('PUT', '/v2/images/%s/stage' % image['id'], _qcow2_header(b'/dev/sda'),
                   content_type='application/octet-stream')
    assert response.status_int == 400 and 'backing file' in response.text
    assert api('GET', '/v2/images/%s' % image['id']).json['status'] == 'queued'


def test_a_clean_qcow2_uploads_with_its_virtual_size(api):
    image = api.create(disk_format='qcow2')
    api.upload(image['id'], _qcow2_header() + DATA)
    shown = api('GET', '/v2/images/%s' % image['id']).json
    assert (shown['status'], shown['virtual_size']) == ('active', 1 << 30)
