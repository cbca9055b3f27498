"""Identity, tokens, API authentication and policy."""
from oslo_config import cfg

from nova.conf import paths

opts = [
    cfg.StrOpt('auth_strategy', default='keystone', choices=('keystone', 'noauth2'),
               help="How the APIs authenticate: 'keystone' validates X-Auth-Token against "
                    "the identity service; 'noauth2' trusts any 'user:project' token "
                    "(development only)."),
    cfg.IntOpt('token_expiration', default=3600, min=1,
               help='Seconds an identity token stays valid.'),
    cfg.IntOpt('token_cache_ttl', default=5, min=0,
               help='Seconds what a validated token says (user, project, roles) is '
                    'remembered (0: never); a remembered token still has its revoked flag '
                    'read on every request, so revocations count at once everywhere.'),
    cfg.StrOpt('public_endpoint_host',
               help='Host name or address put in the service catalog and novarc '
                    '(default: the host the client asked for, or the listen address).'),
    cfg.StrOpt('region_name', default='RegionOne',
               help='Region of every endpoint in the service catalog.'),
    cfg.StrOpt('novarc_path', default=paths.state_path_def('novarc'),
               help='Where bootstrap writes the admin credentials as a shell file.'),
    cfg.StrOpt('policy_file', default=paths.basedir_def('etc', 'nova', 'policy.yaml'),
               help='YAML file overriding the default policy rules.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
