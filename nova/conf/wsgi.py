"""HTTP listeners of the API daemons and the paste-deploy config."""
from oslo_config import cfg

from nova.conf import paths

# name of the paste app -> (default port, daemon that serves it)
APIS = {
    'osapi_compute': 8774,
    'ec2': 8773,
    'metadata': 8775,
    'identity': 5000,
    'objectstore': 3333,
    'image': 9292,
    'serialproxy': 6083,
    'cloudwatch': 8777,  # the CloudWatch-compatible query API (the port of OpenStack's metering)
    'osapi_volume': 8776,
    'network': 9696,
}
# the APIs of nova-api that may run in several processes (nova.api_workers), as in Nova
WORKER_APIS = ('osapi_compute', 'ec2', 'metadata')

opts = [
    cfg.StrOpt('api_paste_config', default=paths.basedir_def('etc', 'nova', 'api-paste.ini'),
               help='paste-deploy file that defines the HTTP pipelines.'),
    cfg.StrOpt('wsgi_log_format',
               default='%(client_ip)s "%(request_line)s" status: %(status_code)s '
                       'len: %(body_length)s time: %(wall_seconds).7f',
               help='Access log line format of the eventlet wsgi server.'),
    cfg.IntOpt('wsgi_pool_size', default=1000, min=1,
               help='Green threads serving HTTP requests in one listener.'),
    cfg.IntOpt('client_socket_timeout', default=900, min=0,
               help='Seconds an idle client connection is kept (0: forever).'),
    cfg.IntOpt('osapi_server_view_cache_size', default=1000, min=0,
               help='Rendered server views GET /servers/detail keeps per API process '
                    '(about 2 KB each; a view is reused only while everything it shows '
                    'is unchanged); 0 renders every server on every request.'),
    cfg.BoolOpt('api_rate_limit', default=False,
                help='Limit the rate of each user\'s compute API requests (--api_rate_limits).'),
    cfg.StrOpt('api_rate_limits',
               default='(POST, "*", .*, 120, MINUTE);'
                       '(POST, "*/servers", ^/servers, 120, MINUTE);'
                       '(PUT, "*", .*, 120, MINUTE);'
                       '(GET, "*changes-since*", .*changes-since.*, 120, MINUTE);'
                       '(DELETE, "*", .*, 120, MINUTE)',
               help='Rate limits, classic Nova syntax: (VERB, "URI", REGEX, VALUE, UNIT) '
                    'separated by ";"; UNIT is SECOND, MINUTE, HOUR or DAY.'),
] + [
    cfg.IntOpt('%s_workers' % name, min=1,
               help='Processes of nova-api serving the %s API, all accepting on its one '
                    'listen socket (default: the number of CPU cores; nova-all serves every '
                    'API in its one process).' % name)
    for name in WORKER_APIS
] + [
    opt for name, port in APIS.items() for opt in (
        cfg.HostAddressOpt('%s_listen' % name, default='0.0.0.0',
                           help='Address the %s API listens on.' % name),
        cfg.PortOpt('%s_listen_port' % name, default=port,
                    help='Port the %s API listens on (0: any free port).' % name),
    )
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
