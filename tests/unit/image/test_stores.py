"""Store adapters: the filesystem store's safety and atomicity, the read-only http store."""
import hashlib
import http.server
import os
import re
import threading
import time
import uuid

import pytest

from nova import exception
from nova.conf import CONF
from nova.image import stores
from nova.image.stores import base
from nova.image.stores import filesystem
from nova.image.stores import http as http_store

DATA = os.urandom(200 * 1024 + 7)


def _chunks(data=DATA, size=10000):
    return (data[i:i + size] for i in range(0, len(data), size))


@pytest.fixture
def store(tmp_path):
    return filesystem.FilesystemStore(str(tmp_path / 'images'))


# ------------------------------------------------------------- registry

def test_store_by_flag_and_by_location(tmp_path):
    CONF.set_override('filesystem_store_datadir', str(tmp_path))
    assert isinstance(stores.get_store(), filesystem.FilesystemStore)
    assert stores.get_store().datadir == os.path.realpath(tmp_path)
    CONF.set_override('image_store', 'nova.image.stores.filesystem.FilesystemStore')
    assert isinstance(stores.get_store(), filesystem.FilesystemStore)
    assert isinstance(stores.store_for_location('https://example.com/x'),
                      http_store.HttpStore)
    assert isinstance(stores.store_for_location('file:///x'), filesystem.FilesystemStore)
    with pytest.raises(exception.UnknownImageStore, match='gopher'):
        stores.store_for_location('gopher://x/y')
    CONF.set_override('image_store', 'nova.no.such.Store')
    with pytest.raises(exception.UnknownImageStore, match='nova.no.such.Store'):
        stores.get_store()


def test_iter_chunks_reads_files_and_drops_empty_chunks(tmp_path):
    path = tmp_path / 'f'
    path.write_bytes(DATA)
    with open(path, 'rb') as f:
        assert b''.join(base.iter_chunks(f)) == DATA
    assert list(base.iter_chunks([b'a', b'', bytearray(b'b')])) == [b'a', b'b']


# ------------------------------------------------------------ filesystem

def test_add_get_size_delete(store):
    image_id = str(uuid.uuid4())
    location, written, md5, sha512 = store.add(image_id, _chunks())
    assert location == 'file://%s/%s' % (store.datadir, image_id)
    assert written == len(DATA)
    assert md5 == hashlib.md5(DATA).hexdigest()
    assert sha512 == hashlib.sha512(DATA).hexdigest()
    assert os.listdir(store.datadir) == [image_id]  # no temporary file left
    assert store.get_size(location) == len(DATA)
    assert b''.join(store.get(location)) == DATA
    assert b''.join(store.get(location, 5, 70000)) == DATA[5:70005]
    assert b''.join(store.get(location, len(DATA) - 3)) == DATA[-3:]
    assert b''.join(store.get(location, len(DATA) + 10)) == b''
    assert all(len(c) <= base.CHUNK_SIZE for c in store.get(location))
    store.delete(location)
    assert os.listdir(store.datadir) == []
    for call in (store.get, store.get_size, store.delete):
        with pytest.raises(exception.ImageDataNotFound):
            call(location)


def test_failed_add_leaves_no_file(store):
    def broken():
        yield DATA[:1000]
        raise IOError('stream broke')

    with pytest.raises(IOError, match='stream broke'):
        store.add(str(uuid.uuid4()), broken())
    assert os.listdir(store.datadir) == []


def test_add_never_replaces_stored_data(store):
    image_id = str(uuid.uuid4())
    location = store.add(image_id, [b'first'])[0]
    with pytest.raises(exception.Conflict):
        store.add(image_id, [b'second'])
    assert b''.join(store.get(location)) == b'first'
    assert os.listdir(store.datadir) == [image_id]


@pytest.mark.parametrize('image_id', ['../../etc/passwd', '/etc/passwd', 'x', '',
                                      str(uuid.uuid4()).upper(), 'a\0b', None])
def test_add_refuses_ids_that_are_not_uuids(store, image_id):
    with pytest.raises(exception.InvalidInput):
        store.add(image_id, [b'data'])


def test_locations_outside_the_datadir_are_refused(store, tmp_path):
    secret = tmp_path / 'secret'
    secret.write_bytes(b'secret')
    os.makedirs(store.datadir)
    image_id = str(uuid.uuid4())
    link = os.path.join(store.datadir, str(uuid.uuid4()))
    os.symlink(secret, link)
    for location in ('file://%s' % secret,
                     'file://%s/../secret' % store.datadir,
                     'file://%s/%%2e%%2e/secret' % store.datadir,
                     'file://%s' % link,
                     'file://otherhost%s/%s' % (store.datadir, image_id),
                     'http://%s/%s' % (store.datadir, image_id),
                     'file:///etc/passwd'):
        for call in (store.get, store.get_size, store.delete):
            with pytest.raises(exception.InvalidInput, match='not a location'):
                call(location)
    assert secret.read_bytes() == b'secret'


def test_disk_errors_are_store_errors(store, monkeypatch):
    def full(fd):
        raise OSError(28, 'No space left on device')

    monkeypatch.setattr(filesystem.os, 'fsync', full)
    with pytest.raises(exception.ImageStoreError, match='No space left'):
        store.add(str(uuid.uuid4()), [b'data'])
    assert os.listdir(store.datadir) == []


# ------------------------------------------------------------------ http

class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves DATA at /image (with Range), /whole (ignoring Range); 404 elsewhere."""

    def _send(self, with_body):
        if self.path not in ('/image', '/whole'):
            self.send_error(404)
            return
        body, status = DATA, 200
        match = re.match(r'bytes=(\d+)-(\d*)$', self.headers.get('Range', ''))
        if match and self.path == '/image':
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(DATA) - 1
            body, status = DATA[start:end + 1], 206
        self.send_response(status)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self):
        self._send(True)

    def do_HEAD(self):
        self._send(False)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_url():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_http_store_reads_streams_and_ranges(http_url):
    store = http_store.HttpStore()
    for path in ('/image', '/whole'):
        url = http_url + path
        assert store.get_size(url) == len(DATA)
        assert b''.join(store.get(url)) == DATA
        assert b''.join(store.get(url, 1000)) == DATA[1000:]
        assert b''.join(store.get(url, 70000, 5)) == DATA[70000:70005]
        assert b''.join(store.get(url, 0, 0)) == b''
        assert all(len(c) <= base.CHUNK_SIZE for c in store.get(url))


def test_http_store_errors(http_url):
    store = http_store.HttpStore()
    with pytest.raises(exception.ImageDataNotFound):
        store.get(http_url + '/missing')
    with pytest.raises(exception.ImageDataNotFound):
        store.get_size(http_url + '/missing')
    with pytest.raises(exception.ImageStoreReadOnly):
        store.add(str(uuid.uuid4()), [b'x'])
    with pytest.raises(exception.ImageStoreReadOnly):
        store.delete(http_url + '/image')
    with pytest.raises(exception.ImageStoreError, match='127.0.0.1:1'):
        store.get('http://127.0.0.1:1/image')


def test_service_serves_an_image_located_on_http(http_url, svc, admin, p2):
    image = svc.create(admin, {'disk_format': 'raw', 'container_format': 'bare',
                               'visibility': 'public'})
    svc.add_location(admin, image['id'], http_url + '/image')
    shown, chunks = svc.download(p2, image['id'], offset=10, length=10)
    assert shown['size'] == len(DATA) and b''.join(chunks) == DATA[10:20]
    svc.delete(admin, image['id'])  # the data stays where it is
    assert http_store.HttpStore().get_size(http_url + '/image') == len(DATA)


def test_one_store_instance_serves_until_its_flags_change(tmp_path):
    CONF.set_override('filesystem_store_datadir', str(tmp_path / 'a'))
    first = stores.get_store()
    assert stores.get_store() is first
    assert stores.store_for_location('file://%s/x' % (tmp_path / 'a')) is first
    CONF.set_override('filesystem_store_datadir', str(tmp_path / 'b'))
    second = stores.get_store()
    assert second is not first and second.datadir == os.path.realpath(tmp_path / 'b')


def test_first_add_removes_partial_files_a_dead_process_left(store):
    os.makedirs(store.datadir)
    old = os.path.join(store.datadir, '.%s.abc.part' % uuid.uuid4())
    fresh = os.path.join(store.datadir, '.%s.def.part' % uuid.uuid4())
    for path in (old, fresh):
        with open(path, 'wb') as f:
            f.write(b'partial')
    hour_ago = time.time() - filesystem.ABANDONED_AGE - 10
    os.utime(old, (hour_ago, hour_ago))
    image_id = str(uuid.uuid4())
    store.add(image_id, [b'data'])
    assert sorted(os.listdir(store.datadir)) == sorted([image_id, os.path.basename(fresh)])
