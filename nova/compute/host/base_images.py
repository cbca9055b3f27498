"""This compute host's base images, fetched once through nova.image.cache.

Booting from an image this process has already cached costs a dict lookup and
a stat (the stat notices a file another process on the host removed), never a
lock or a download: boots stay as fast as the fake driver allows.
"""
import os

from nova.image import cache as image_cache


class BaseImages:
    def __init__(self, image_service=None):
        self.cache = image_cache.ImageCache(image_service)
        self._known = {}  # image id -> local path, cached by this process

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
        """The image dict a driver spawns from, with 'local_path' of its base file."""
        if not image.get('id'):
            return dict(image)
        return dict(image, local_path=self.fetch(context, image['id']))

    def remove_unused(self, in_use_image_ids):
        """Remove cached images unused for --remove_unused_base_images_age; their ids."""
        removed = self.cache.remove_unused(in_use_image_ids)
        for image_id in removed:
            self._known.pop(image_id, None)
        return removed
