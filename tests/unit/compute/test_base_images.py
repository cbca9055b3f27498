"""A cached base image costs reading its entry and a stat; a vanished one, or one whose
data changed, is fetched again."""
import os
import uuid

from nova.compute.host import base_images
from nova.conf import CONF


class ImageService:
    def __init__(self):
        self.downloads = []
        self.shows = []

        self.data = b'disk'

    def download(self, context, image_id):
        self.downloads.append(image_id)
        return {'id': image_id, 'size': len(self.data)}, iter([self.data])

    def show(self, context, image_id):
        self.shows.append(image_id)
        return {'id': image_id, 'disk_format': 'ami', 'size': len(self.data)}


def cached(tmp_path):
    CONF.set_override('instances_path', str(tmp_path))
    service = ImageService()
    return base_images.BaseImages(service), service


def test_second_fetch_is_a_hit(tmp_path):
    images, service = cached(tmp_path)
    image_id = str(uuid.uuid4())
    meta = images.image_meta(None, {'id': image_id, 'properties': {'os_type': 'linux'}})
    assert meta == {'id': image_id, 'properties': {'os_type': 'linux'},
                    'local_path': str(tmp_path / '_base' / (image_id + '_size4')),
                    'disk_format': 'ami'}
    assert images.fetch(None, image_id) == meta['local_path']
    assert images.image_meta(None, {'id': image_id})['disk_format'] == 'ami'
    assert service.downloads == [image_id]
    assert service.shows == [image_id] * 3  # one read of the entry per use, no more
    assert images.image_meta(None, {}) == {}


def test_an_image_whose_data_changed_is_fetched_again(tmp_path):
    images, service = cached(tmp_path)
    image_id = str(uuid.uuid4())
    old = images.fetch(None, image_id)
    service.data = b'other disk'
    new = images.fetch(None, image_id)
    assert new != old and service.downloads == [image_id, image_id]
    with open(new, 'rb') as f:
        assert f.read() == b'other disk'


def test_an_ami_brings_its_kernel_and_ramdisk(tmp_path):
    images, service = cached(tmp_path)
    ami, aki, ari = (str(uuid.uuid4()) for _ in range(3))
    meta = images.image_meta(None, {'id': ami, 'disk_format': 'ami',
                                    'properties': {'kernel_id': aki, 'ramdisk_id': ari}})
    assert meta['kernel_path'] == str(tmp_path / '_base' / (aki + '_size4'))
    assert meta['ramdisk_path'] == str(tmp_path / '_base' / (ari + '_size4'))
    assert sorted(service.downloads) == sorted([ami, aki, ari])
    assert meta['disk_format'] == 'ami'  # the caller's


def test_removed_or_vanished_files_are_fetched_again(tmp_path):
    CONF.set_override('remove_unused_base_images_age', 0)
    images, service = cached(tmp_path)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    images.fetch(None, a)
    images.fetch(None, b)
    assert images.remove_unused({a}) == [b]
    images.fetch(None, b)
    os.unlink(images.fetch(None, a))
    images.fetch(None, a)
    assert service.downloads == [a, b, b, a]


def test_the_entry_the_request_carries_picks_the_cached_file(tmp_path):
    """A build's spec carries the image entry the API read: a cached checksum costs a
    stat, no read of the entry; one not cached (or not active) is read and fetched."""
    images, service = cached(tmp_path)
    image_id = str(uuid.uuid4())
    path = images.fetch(None, image_id)
    entry = {'id': image_id, 'status': 'active', 'size': 4, 'disk_format': 'raw',
             'properties': {}}
    assert images.image_meta(None, entry)['local_path'] == path
    assert service.shows == [image_id] and service.downloads == [image_id]
    images.image_meta(None, dict(entry, size=5))  # other data: not this file
    images.image_meta(None, dict(entry, status='queued'))
    assert service.shows == [image_id] * 3 and service.downloads == [image_id]
