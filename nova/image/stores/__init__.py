"""Image stores by name (--image_store) and by location URL scheme."""
from urllib import parse

from nova import exception
from nova import utils
from nova.conf import CONF
from nova.conf import image as image_conf

# every built-in store, by the scheme of the locations it reads
_BY_SCHEME = {
    'file': 'nova.image.stores.filesystem.FilesystemStore',
    'http': 'nova.image.stores.http.HttpStore',
    'https': 'nova.image.stores.http.HttpStore',
    's3': 'nova.image.stores.s3.S3Store',
}


def _load(path, name):
    try:
        return utils.import_class(path)
    except ImportError as e:
        raise exception.UnknownImageStore(name=name) from e


def _configured_class():
    name = CONF.image_store
    return _load(image_conf.IMAGE_STORES.get(name, name), 'the image_store %r' % name)


def get_store():
    """The store new image data goes to (--image_store), built from the current flags."""
    return _configured_class()()


def store_for_location(location):
    """The store that reads location (its URL scheme picks it)."""
    scheme = parse.urlsplit(location).scheme
    configured = _configured_class()
    if scheme in configured.schemes:
        return configured()
    if scheme not in _BY_SCHEME:
        raise exception.UnknownImageStore(name='%s:// locations' % scheme)
    return _load(_BY_SCHEME[scheme], '%s:// locations' % scheme)()
