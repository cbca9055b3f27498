"""Small helpers shared by every layer."""
import collections
import contextlib
import ctypes
import datetime
import importlib
import logging
import os
import signal
import subprocess
import sys
import threading
import warnings

from nova import exception

LOG = logging.getLogger(__name__)


_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """SIGKILL this process when the thread that forked it exits (Linux prctl): a
    child that must not outlive its parent, even one killed with SIGKILL. OSError or
    AttributeError where prctl is unavailable."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


# glibc's mallopt(3) parameters
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 256 * 1024  # blocks this large are mapped, and unmapped when freed
TRIM_THRESHOLD = 1024 * 1024  # free memory past this at the heap's top goes back


def fix_malloc_thresholds(mmap_threshold=MMAP_THRESHOLD, trim_threshold=TRIM_THRESHOLD):
    """Large blocks go back to the system when freed. glibc's malloc raises its mmap
    threshold (up to 32 MB) each time a mapped block is freed; past that, blocks of
    that size come from the heap, which gives its free top back only beyond twice the
    threshold. So an API process that once derived a password key (scrypt: 16 MiB)
    or sent a page of 1,000 servers (1.4 MB of JSON) kept that memory to its end:
    nova-api's workers grew 15-20 MB. False where malloc is not glibc's."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap_threshold)
                and mallopt(_M_TRIM_THRESHOLD, trim_threshold))


def monkey_patch():
    """Make the standard library green; first thing every daemon does."""
    warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
    # as classic Nova did: no green DNS (dnspython), which mishandles /etc/hosts
    # and costs every daemon ~10 MB of memory; lookups use the C resolver
    os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
    # and without pyOpenSSL: eventlet's greenio imports it, when installed, only to
    # name three exception classes (its own stand-ins serve as well), which cost every
    # daemon ~11 MB and 100 modules that nothing of Nova uses (python-glanceclient
    # installs it); only eventlet's own import is kept from it
    keep_out = 'OpenSSL' not in sys.modules
    if keep_out:
        sys.modules['OpenSSL'] = None  # the documented way to make an import fail
    try:
        import eventlet
        eventlet.monkey_patch()
    finally:
        if keep_out and sys.modules.get('OpenSSL', 0) is None:
            del sys.modules['OpenSSL']


def as_list(value):
    """value as a list: a list, tuple or set's items, anything else on its own (a
    filter or an expected state given as one value or several)."""
    return list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]


def import_class(import_path):
    """'pkg.module.Class' -> the class, with an error that names the path."""
    module_name, _, class_name = import_path.rpartition('.')
    try:
        return getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as e:
        raise ImportError('cannot import %s: %s' % (import_path, e)) from e


def flag_class(flag, name, short_names, base):
    """The class a driver flag names: a short name of short_names or an import path,
    a subclass of base; ConfigError naming the flag otherwise."""
    from nova import exception
    path = short_names.get(name, name)
    try:
        cls = import_class(path)
    except ImportError as e:
        raise exception.ConfigError(reason='%s %s: %s' % (flag, name, e)) from e
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise exception.ConfigError(reason='%s %s is not a %s.%s' % (
            flag, name, base.__module__, base.__name__))
    return cls


def import_object(import_path, *args, **kwargs):
    return import_class(import_path)(*args, **kwargs)


def utcnow():
    """Naive UTC now: what the DB columns store."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def isotime(at=None):
    at = at or utcnow()
    return at.strftime('%Y-%m-%dT%H:%M:%SZ')


class KeyedLocks:
    """One lock per key (an instance uuid), created on use and dropped when idle."""

    def __init__(self):
        self._guard = threading.Lock()
        self._locks = {}
        self._users = collections.Counter()

    @contextlib.contextmanager
    def __call__(self, key):
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
            self._users[key] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                self._users[key] -= 1
                if not self._users[key]:
                    del self._users[key], self._locks[key]


def bool_from_string(name, value):
    """True or False from a boolean or its usual spellings; InvalidInput naming
    ``name`` otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ('true', 't', 'yes', 'y', '1', 'on'):
        return True
    if text in ('false', 'f', 'no', 'n', '0', 'off'):
        return False
    raise exception.InvalidInput(reason='%s must be a boolean, not %r' % (name, value))


def execute(*argv, check=True, input=None, timeout=None, env=None):
    """Run a command given as an argument list (never a shell string): (stdout, stderr).

    A non-zero exit raises ProcessExecutionError naming the command and the end
    of its stderr, unless check is False. Green under eventlet's monkey patching.
    """
    argv = [str(arg) for arg in argv]
    LOG.debug('Running %s', argv)
    try:
        result = subprocess.run(argv, input=input, capture_output=True, text=True,
                                timeout=timeout, env=env)
    except FileNotFoundError as e:
        raise exception.ProcessExecutionError(cmd=argv[0], exit_code='-', stderr=str(e)) from e
    except subprocess.TimeoutExpired as e:
        raise exception.ProcessExecutionError(cmd=' '.join(argv), exit_code='-',
                                              stderr='timed out after %ss' % timeout) from e
    if check and result.returncode != 0:
        raise exception.ProcessExecutionError(cmd=' '.join(argv), exit_code=result.returncode,
                                              stderr=result.stderr.strip()[-500:])
    return result.stdout, result.stderr
