"""Message transport options: transport_url or the classic rabbit_* flags; upgrade pins."""
from oslo_config import cfg

from nova.conf.service import TOPICS

opts = [
    cfg.StrOpt('transport_url', secret=True,
               help='Message transport: rabbit://user:pass@host:port/vhost or '
                    'inproc:// (in one process: nova-all, tests). When unset, '
                    'built from the rabbit_* flags.'),
    cfg.StrOpt('rabbit_host', default='localhost', help='RabbitMQ host.'),
    cfg.PortOpt('rabbit_port', default=5672, help='RabbitMQ port.'),
    cfg.StrOpt('rabbit_userid', default='guest', help='RabbitMQ user.'),
    cfg.StrOpt('rabbit_password', default='guest', secret=True,
               help='RabbitMQ password.'),
    cfg.StrOpt('rabbit_virtual_host', default='/', help='RabbitMQ virtual host.'),
    cfg.BoolOpt('rabbit_durable_queues', default=False,
                help='Declare durable queues and persistent messages, so that '
                     'queued casts survive a broker restart.'),
    cfg.FloatOpt('rabbit_retry_interval', default=1.0, min=0.0,
                 help='Seconds between reconnect attempts to the broker.'),
    cfg.IntOpt('rabbit_max_retries', default=30, min=0,
               help='Reconnect attempts before a cast or call fails '
                    '(0: retry forever).'),
    cfg.StrOpt('control_exchange', default='nova',
               help='AMQP topic exchange that carries topic and topic.host messages.'),
    cfg.IntOpt('rpc_response_timeout', default=60, min=1,
               help='Seconds to wait for the reply to an RPC call.'),
    cfg.IntOpt('rpc_thread_pool_size', default=64, min=1,
               help='Green threads that dispatch RPC messages in one service.'),
]

# --upgrade_levels_<topic>=X.Y: during a rolling upgrade, clients of that service
# send nothing newer than X.Y (read by nova.rpc.client.RPCAPI)
upgrade_opts = [
    cfg.StrOpt('upgrade_levels_%s' % topic, regex=r'^\d+\.\d+$',
               help='Highest %s RPC API version this process sends (X.Y), so that '
                    '%s services of the previous release keep serving during a rolling '
                    'upgrade. Unset: the latest.' % (topic, topic))
    for topic in TOPICS]
opts.extend(upgrade_opts)


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
