"""Where Nova keeps its files: the state directory and the source tree."""
import os

from oslo_config import cfg

_PYBASEDIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))

opts = [
    cfg.StrOpt('pybasedir', default=_PYBASEDIR,
               help='Directory where the nova python package is installed.'),
    cfg.StrOpt('state_path', default=os.path.join(os.path.dirname(_PYBASEDIR), 'var'),
               help='Top-level directory for Nova state (SQLite DB, instances, '
                    'buckets, images). Other paths may use $state_path.'),
]


def state_path_def(*parts):
    """A default that lives under $state_path, substituted when read."""
    return os.path.join('$state_path', *parts)


def basedir_def(*parts):
    """A default relative to the source tree (etc/, tools/)."""
    return os.path.join(os.path.dirname(_PYBASEDIR), *parts)


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
