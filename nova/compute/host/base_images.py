"""This compute host's base images, fetched once through nova.image.cache.

Booting from an image this process has already cached costs a dict lookup and
a stat (the stat notices a file another process on the host removed), never a
lock or a download: boots stay as fast as the fake driver allows.
"""
import functools
import os

from nova.image import cache as image_cache


class BaseImages:
    def __init__(self, image_service=None, image_data='file'):
        """``image_data``: what the host's virt driver takes (ComputeDriver.image_data):
        'file' -- this cache's files; 'stream' -- verified streams, cached by the driver."""
        self.cache = image_cache.ImageCache(image_service)
        self.streams = image_data == 'stream'
        self._known = {}  # image id -> local path, cached by this process
        self._formats = {}  # image id -> disk_format (fixed once an image has data)

    def fetch(self, context, image_id):
        """The local path of the image's verified data."""
        path = self._known.get(image_id)
        if path is not None:
            try:
                os.stat(path)
                return path
            except FileNotFoundError:
                self._known.pop(image_id, None)
        path = self.cache.fetch(context, image_id)
        self._known[image_id] = path
        return path

    def image_meta(self, context, image):
        """The image dict a driver spawns from: 'local_path' of its base file, its
        'disk_format', and for an AMI whose kernel_id/ramdisk_id properties name an
        AKI/ARI, 'kernel_path'/'ramdisk_path' of those (cached the same way). A driver
        that caches images itself gets 'open_image' instead: image id -> (image,
        verified chunks) from the image service."""
        if not image.get('id'):
            return dict(image)
        if self.streams:
            return dict(image, open_image=functools.partial(self.cache.open, context))
        meta = dict(image, local_path=self.fetch(context, image['id']))
        if not meta.get('disk_format'):
            meta['disk_format'] = self._disk_format(context, image['id'])
        properties = image.get('properties') or {}
        for key, path_key in (('kernel_id', 'kernel_path'), ('ramdisk_id', 'ramdisk_path')):
            if properties.get(key):
                meta[path_key] = self.fetch(context, properties[key])
        return meta

    def _disk_format(self, context, image_id):
        disk_format = self._formats.get(image_id)
        if disk_format is None:
            disk_format = self.cache.image_service.show(context, image_id)['disk_format']
            self._formats[image_id] = disk_format
        return disk_format

    def remove_unused(self, in_use_image_ids):
        """Remove cached images unused for --remove_unused_base_images_age; their ids."""
        removed = self.cache.remove_unused(in_use_image_ids)
        for image_id in removed:
            self._known.pop(image_id, None)
        return removed
