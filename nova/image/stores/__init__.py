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


_instances = {}  # store class -> (its settings, the instance built from them)


def _instance(cls):
    """The class's instance for the current flags; a new one once they change."""
    settings = cls.settings()
    built = _instances.get(cls)
    if built is None or built[0] != settings:
        built = _instances[cls] = (settings, cls())
    return built[1]


def _configured_class():
    name = CONF.image_store
    return _load(image_conf.IMAGE_STORES.get(name, name), 'the image_store %r' % name)


def get_store():
    """The store new image data goes to (--image_store), as the current flags set it up."""
    return _instance(_configured_class())


def store_for_location(location):
    """The store that reads location (its URL scheme picks it)."""
    scheme = parse.urlsplit(location).scheme
    configured = _configured_class()
    if scheme in configured.schemes:
        return _instance(configured)
    if scheme not in _BY_SCHEME:
        raise exception.UnknownImageStore(name='%s:// locations' % scheme)
    return _instance(_load(_BY_SCHEME[scheme], '%s:// locations' % scheme))
