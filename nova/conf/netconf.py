"""This host's identity on the network."""
import socket

from oslo_config import cfg


def _guess_my_ip():
    """The address this host uses to reach the world, without sending anything."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(('192.0.2.1', 9))  # TEST-NET-1: connect() on UDP sends nothing
            return s.getsockname()[0]
    except OSError:
        return '127.0.0.1'


opts = [
    cfg.StrOpt('host', default=socket.gethostname(), sample_default='<hostname>',
               help='Name of this node, used in RPC topics (compute.<host>) and '
                    'in the services table.'),
    cfg.StrOpt('my_ip', default=_guess_my_ip(), sample_default='<host ipv4>',
               help='IP address of this host.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
