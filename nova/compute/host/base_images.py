"""This compute host's base images, fetched once through nova.image.cache.

Booting from an image already cached costs a stat: the entry the compute API
read for the request (carried in the request spec with its checksum, which
names the cached file) picks the file, as upstream Nova boots from its cache
without asking Glance; a spec without a checksum costs reading the entry from
the image service. Data that changed is fetched again, never served stale.
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

    def fetch(self, context, image_id):
        """The local path of the image's verified data."""
        return self._fetch(context, image_id)[0]

    def _fetch(self, context, image_id):
        """(local path, the image's entry as the image service has it now)."""
        image = self.cache.image_service.show(context, image_id)
        path = self.cache.path(image)
        if not os.path.exists(path):
            path = self.cache.fetch(context, image_id, image)
        return path, image

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
        local_path = self.cache.cached(image) if image.get('status') == 'active' else None
        if local_path is not None:
            current = image
        else:
            local_path, current = self._fetch(context, image['id'])
        meta = dict(image, local_path=local_path)
        if not meta.get('disk_format'):
            meta['disk_format'] = current['disk_format']
        properties = image.get('properties') or {}
        for key, path_key in (('kernel_id', 'kernel_path'), ('ramdisk_id', 'ramdisk_path')):
            if properties.get(key):
                meta[path_key] = self.fetch(context, properties[key])
        return meta

    def remove_unused(self, in_use_image_ids):
        """Remove cached images unused for --remove_unused_base_images_age; their ids."""
        return self.cache.remove_unused(in_use_image_ids)
