"""The compute-side image cache: one download per host, verified, and cleaned up."""
import fcntl
import hashlib
import os
import threading
import time
import uuid

import pytest

from nova import exception
from nova.conf import CONF
from nova.image import cache as image_cache

DATA = os.urandom(300 * 1024)


class FakeImageService:
    """Serves DATA slowly (so fetches overlap) and counts downloads."""

    def __init__(self, data=DATA, **overrides):
        self.data = data
        self.overrides = overrides
        self.downloads = 0

    def show(self, context, image_id):
        image = {'id': image_id, 'size': len(self.data),
                 'checksum': hashlib.md5(self.data).hexdigest(), 'os_hash_algo': 'sha512',
                 'os_hash_value': hashlib.sha512(self.data).hexdigest()}
        image.update(self.overrides)
        return image

    def download(self, context, image_id):
        self.downloads += 1
        image = self.show(context, image_id)

        def chunks():
            for i in range(0, len(self.data), 64 * 1024):
                time.sleep(0.01)
                yield self.data[i:i + 64 * 1024]
        return image, chunks()


def _cache(tmp_path, service):
    return image_cache.ImageCache(service, base_dir=str(tmp_path / '_base'))


def _visible_files(cache):
    return sorted(name for name in os.listdir(cache.base_dir) if name != image_cache.LOCK_DIR)


def test_base_dir_defaults_under_instances_path(tmp_path):
    CONF.set_override('instances_path', str(tmp_path / 'instances'))
    assert image_cache.ImageCache(FakeImageService()).base_dir == str(
        tmp_path / 'instances' / '_base')


def test_fetch_downloads_verifies_and_reuses(tmp_path):
    service = FakeImageService()
    cache = _cache(tmp_path, service)
    image_id = str(uuid.uuid4())
    path = cache.fetch(None, image_id)
    assert path == os.path.join(cache.base_dir, image_id + '_' + hashlib.md5(DATA).hexdigest())
    with open(path, 'rb') as f:
        assert f.read() == DATA
    assert cache.fetch(None, image_id) == path
    assert service.downloads == 1
    assert _visible_files(cache) == [os.path.basename(path)]


def test_changed_data_is_fetched_again_never_served_from_the_old_entry(tmp_path):
    """The image's data was replaced (store restored, entry repaired): the file cached
    for the old checksum must not be booted from, whatever its id."""
    service = FakeImageService()
    cache = _cache(tmp_path, service)
    image_id = str(uuid.uuid4())
    old_path = cache.fetch(None, image_id)
    service.data = b'new data' * 1000
    new_path = cache.fetch(None, image_id)
    assert new_path != old_path and service.downloads == 2
    with open(new_path, 'rb') as f:
        assert f.read() == service.data
    with open(old_path, 'rb') as f:  # kept: a running instance's disk may be backed by it
        assert f.read() == DATA
    assert cache.remove_unused([image_id], max_age_seconds=0) == []
    assert cache.remove_unused([], max_age_seconds=0) == [image_id]
    assert _visible_files(cache) == []


def test_an_entry_read_before_the_data_changed_gets_the_new_data(tmp_path):
    """The caller's entry is stale by the time the download starts: the file is named
    for the data actually downloaded and verified, not for the stale checksum."""
    service = FakeImageService()
    cache = _cache(tmp_path, service)
    image_id = str(uuid.uuid4())
    stale = service.show(None, image_id)
    service.data = b'replaced' * 1000
    path = cache.fetch(None, image_id, stale)
    assert path == cache.path(service.show(None, image_id)) != cache.path(stale)
    with open(path, 'rb') as f:
        assert f.read() == service.data


def test_a_cache_file_from_before_checksum_keys_is_never_served(tmp_path):
    service = FakeImageService()
    cache = _cache(tmp_path, service)
    image_id = str(uuid.uuid4())
    os.makedirs(cache.base_dir)
    with open(os.path.join(cache.base_dir, image_id), 'wb') as f:
        f.write(b'whatever an older cache held')
    with open(cache.fetch(None, image_id), 'rb') as f:
        assert f.read() == DATA
    assert service.downloads == 1
    assert cache.remove_unused([], max_age_seconds=0) == [image_id]


def test_concurrent_fetches_download_once(tmp_path):
    service = FakeImageService()
    image_id = str(uuid.uuid4())
    paths, errors = [], []

    def fetch():
        try:  # a cache per caller: the lock is per image, not per cache object
            paths.append(_cache(tmp_path, service).fetch(None, image_id))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(paths)) == 1 and len(paths) == 8
    assert service.downloads == 1


def test_fetch_waits_for_another_process_holding_the_lock(tmp_path):
    service = FakeImageService()
    cache = _cache(tmp_path, service)
    image_id = str(uuid.uuid4())
    os.makedirs(os.path.join(cache.base_dir, image_cache.LOCK_DIR))
    lock_path = os.path.join(cache.base_dir, image_cache.LOCK_DIR, image_id + '.lock')
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)  # its own open file: as another process
    fcntl.flock(fd, fcntl.LOCK_EX)
    fetcher = threading.Thread(target=cache.fetch, args=(None, image_id))
    fetcher.start()
    time.sleep(0.3)
    assert service.downloads == 0
    os.close(fd)
    fetcher.join()
    assert service.downloads == 1


@pytest.mark.parametrize('overrides, algorithm', [
    ({'checksum': '0' * 32}, 'md5'),
    ({'os_hash_value': '0' * 128}, 'sha512'),
    ({'size': len(DATA) + 1}, 'size'),
])
def test_checksum_mismatch_refuses_the_image(tmp_path, overrides, algorithm):
    cache = _cache(tmp_path, FakeImageService(**overrides))
    image_id = str(uuid.uuid4())
    with pytest.raises(exception.ImageChecksumMismatch, match=algorithm):
        cache.fetch(None, image_id)
    assert _visible_files(cache) == []


def test_image_without_checksums_is_cached_by_size(tmp_path):
    service = FakeImageService(checksum=None, os_hash_algo=None, os_hash_value=None)
    path = _cache(tmp_path, service).fetch(None, str(uuid.uuid4()))
    assert os.path.getsize(path) == len(DATA)


def test_fetch_refuses_ids_that_are_not_uuids(tmp_path):
    with pytest.raises(exception.InvalidInput):
        _cache(tmp_path, FakeImageService()).fetch(None, '../../etc/passwd')


def test_remove_unused(tmp_path):
    cache = _cache(tmp_path, FakeImageService(data=b'tiny'))
    old_unused, old_used, recent = (str(uuid.uuid4()) for _ in range(3))
    paths = {image_id: cache.fetch(None, image_id) for image_id in (old_used, recent)}
    stale_temp = os.path.join(cache.base_dir, '.%s.abc.part' % uuid.uuid4())
    open(stale_temp, 'wb').close()
    day_ago = time.time() - 86400 - 60
    for path in (cache.fetch(None, old_unused), paths[old_used], stale_temp):
        os.utime(path, (day_ago, day_ago))
    assert cache.remove_unused([old_used]) == [old_unused]
    assert _visible_files(cache) == sorted(os.path.basename(p) for p in paths.values())
    assert time.time() - os.stat(paths[old_used]).st_mtime < 60  # seen in use: touched
    assert cache.remove_unused([], max_age_seconds=3600) == []
    assert sorted(cache.remove_unused([], max_age_seconds=0)) == sorted([old_used, recent])
    assert _visible_files(cache) == []


def test_remove_unused_without_a_cache_dir(tmp_path):
    assert _cache(tmp_path, FakeImageService()).remove_unused([]) == []


def test_fetch_through_the_image_service(tmp_path, svc, p1):
    image = svc.create(p1, {'disk_format': 'raw', 'container_format': 'bare'})
    svc.upload(p1, image['id'], [DATA])
    cache = image_cache.ImageCache(svc, base_dir=str(tmp_path / '_base'))
    with open(cache.fetch(p1, image['id']), 'rb') as f:
        assert f.read() == DATA
