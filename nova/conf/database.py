"""SQL database options (classic flat names)."""
from oslo_config import cfg

from nova.conf import paths

opts = [
    cfg.StrOpt('sql_connection',
               default='sqlite:///' + paths.state_path_def('nova.sqlite'),
               secret=True,
               help='SQLAlchemy URL: sqlite:///path, '
                    'postgresql+psycopg://user:pass@host/db, '
                    'mysql+pymysql://user:pass@host/db.'),
    cfg.IntOpt('sql_idle_timeout', default=3600, min=1,
               help='Seconds before an idle pooled connection is recycled.'),
    cfg.IntOpt('sql_max_pool_size', default=10, min=1,
               help='Connections kept in the pool (server databases only).'),
    cfg.IntOpt('sql_max_overflow', default=20, min=0,
               help='Connections allowed beyond sql_max_pool_size.'),
    cfg.IntOpt('sql_max_retries', default=10, min=-1,
               help='Attempts to connect at start-up (-1: forever).'),
    cfg.IntOpt('sql_retry_interval', default=1, min=0,
               help='Seconds between connection attempts at start-up.'),
    cfg.IntOpt('sqlite_busy_timeout', default=30000, min=0,
               help='Milliseconds SQLite waits on a locked database.'),
    cfg.BoolOpt('sql_debug', default=False,
                help='Log every SQL statement.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
