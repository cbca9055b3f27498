"""Hooks: operator code run before and after named operations, without editing Nova.

An operator's package declares entry points in the ``nova.hooks`` group; the
entry point's name is the hook point and its object a class (or instance)
with either or both of::

    pre(*args, **kwargs)        # before the operation, with its arguments
    post(rv, *args, **kwargs)   # after it succeeded, with its return value

Hook points (``HOOK_POINTS``), ``args`` being (context, ...) as the wrapped
method takes them:

- in the API layer, around the compute API methods (nova.compute.api) that every
  front end calls: ``create_instance``, ``delete_instance``, ``resize_instance``;
- on the compute host (nova-compute), around the work on the hypervisor:
  ``build_instance`` (context, instance, image_meta, request_spec, vifs) around
  one guest's spawn, ``terminate_instance`` (context, instance) around the
  guest's destruction and the release of what it held, ``finish_resize``
  (context, instance, migration, disk_info, resize_instance=) on the
  destination host around building the resized guest. A fatal ``pre`` there
  fails that step as any error would (a build is rescheduled, then the
  instance is ERROR with the hook's reason as its fault; a resize is sent
  back to its source).

A hook must never break the cloud by accident: an exception from ``pre`` or
``post`` is logged and the operation goes on, unless ``pre`` raises
FatalHookException, which stops the operation before it starts (the API
answers 400 with the hook's reason). After the operation a fatal exception
from ``post`` is logged as an error: what is done is not undone by a hook.

Hooks are looked up once per process (``reset()`` forgets them, for tests).
"""
import functools
import importlib.metadata
import logging

from nova import exception
from nova.i18n import _, _LE, _LW

LOG = logging.getLogger(__name__)

GROUP = 'nova.hooks'
HOOK_POINTS = ('create_instance', 'delete_instance', 'resize_instance',  # API layer
               'build_instance', 'terminate_instance', 'finish_resize')  # compute host
_LOADED = {}  # hook point -> [(entry point value, hook object)], once loaded


class FatalHookException(exception.Invalid):
    """Raised by a hook's pre() to refuse the operation (HTTP 400 with the reason)."""

    msg_fmt = _('Refused by a hook: %(reason)s')


def reset():
    _LOADED.clear()


def _instantiate(entry_point):
    obj = entry_point.load()
    return obj() if isinstance(obj, type) else obj


def hooks_for(name):
    """The hook objects registered for ``name``. Every hook point is loaded on the
    first call (one scan of the installed packages per process); a hook that cannot
    be loaded is logged and left out (a broken hook package must not stop the API)."""
    if not _LOADED:
        found = {point: [] for point in HOOK_POINTS}
        for entry_point in importlib.metadata.entry_points(group=GROUP):
            if entry_point.name not in found:
                LOG.warning(_LW('Hook %s = %s names no hook point (%s): ignored'),
                            entry_point.name, entry_point.value, ', '.join(HOOK_POINTS))
                continue
            try:
                found[entry_point.name].append((entry_point.value,
                                                _instantiate(entry_point)))
            except Exception:  # noqa: BLE001 -- see the docstring
                LOG.exception(_LE('Could not load hook %s = %s'), entry_point.name,
                              entry_point.value)
        for point, hooks in found.items():
            if hooks:
                LOG.info('Hooks for %s: %s', point, ', '.join(value for value, _ in hooks))
        _LOADED.update(found)
    return _LOADED[name]


def _run(name, phase, value, method, args, kwargs):
    func = getattr(method, phase, None)
    if func is None:
        return
    try:
        func(*args, **kwargs)
    except FatalHookException:
        if phase == 'pre':
            LOG.warning(_LW('Hook %s (%s) refused %s'), value, phase, name)
            raise
        LOG.error(_LE('Hook %s (post) raised a fatal exception after %s was done; it stays '
                  'done'), value, name, exc_info=True)
    except Exception:  # noqa: BLE001 -- a hook's bug is logged, never the user's failure
        LOG.exception(_LE('Hook %s (%s of %s) failed; carrying on'), value, phase, name)


def add_hook(name):
    """Run the ``name`` hooks' pre() before and post(rv, ...) after the method."""
    if name not in HOOK_POINTS:
        raise ValueError('%s is not a declared hook point (%s)' % (name,
                                                                  ', '.join(HOOK_POINTS)))

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            hooks = hooks_for(name)
            if not hooks:
                return func(*args, **kwargs)
            call_args = args[1:]  # the bound API object is not the hook's business
            for value, hook in hooks:
                _run(name, 'pre', value, hook, call_args, kwargs)
            rv = func(*args, **kwargs)
            for value, hook in hooks:
                _run(name, 'post', value, hook, (rv, *call_args), kwargs)
            return rv
        return wrapper
    return decorator
