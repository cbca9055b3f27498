"""Small helpers shared by every layer."""
import datetime
import importlib
import warnings


def monkey_patch():
    """Make the standard library green; first thing every daemon does."""
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    import eventlet
    eventlet.monkey_patch()


def import_class(import_path):
    """'pkg.module.Class' -> the class, with an error that names the path."""
    module_name, _, class_name = import_path.rpartition('.')
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as e:
        raise ImportError('cannot import %s: %s' % (import_path, e)) from e


def import_object(import_path, *args, **kwargs):
    return import_class(import_path)(*args, **kwargs)


def utcnow():
    """Naive UTC now: what the DB columns store."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def isotime(at=None):
    at = at or utcnow()
    return at.strftime('%Y-%m-%dT%H:%M:%SZ')
