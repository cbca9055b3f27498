"""Options of the XenAPI virt driver (nova/virt/xenapi/): the pool to drive and how."""
from oslo_config import cfg

opts = [
    cfg.StrOpt('xenapi_connection_url',
               help='URL of the XenAPI endpoint of the pool (https://HOST or http://HOST:PORT); '
                    'a pool slave\'s address works too: the driver follows HOST_IS_SLAVE to '
                    'the master. Required with --compute_driver=xenapi.XenAPIDriver.'),
    cfg.StrOpt('xenapi_connection_username', default='root',
               help='User the driver logs into XenAPI as.'),
    cfg.StrOpt('xenapi_connection_password', secret=True,
               help='Password of --xenapi_connection_username.'),
    cfg.IntOpt('xenapi_connection_concurrent', default=5, min=1,
               help='XenAPI sessions the driver keeps open (calls in flight at once).'),
    cfg.IntOpt('xenapi_login_timeout', default=10, min=1,
               help='Seconds a connection attempt or login may take.'),
    cfg.IntOpt('xenapi_num_retries', default=3, min=0,
               help='Retries of a call that failed for a transient reason (the master '
                    'moved, xapi restarting, another operation in progress), with '
                    'exponential back-off from --xenapi_retry_interval.'),
    cfg.FloatOpt('xenapi_retry_interval', default=0.5, min=0.0,
                 help='Seconds before the first retry of a transient failure.'),
    cfg.FloatOpt('xenapi_task_poll_interval', default=1.0, min=0.01,
                 help='Longest wait, in seconds, of one event.from call while an async '
                      'task runs (the driver is woken as soon as the task changes).'),
    cfg.IntOpt('xenapi_task_timeout', default=600, min=1,
               help='Seconds an async XenAPI task may run before the driver cancels it '
                    'and fails the operation.'),
    cfg.StrOpt('xenapi_sr_matching_filter', default='default-sr:true',
               help='The SR that holds instance disks and cached images: '
                    '"default-sr:true" (the pool\'s default SR) or '
                    '"other-config:KEY=VALUE" (e.g. other-config:i18n-key=local-storage).'),
    cfg.IntOpt('xenapi_running_timeout', default=60, min=1,
               help='Seconds a clean shutdown may take before the VM is shut down hard.'),
    cfg.StrOpt('xenapi_image_upload_format', default='vhd', choices=['vhd', 'raw'],
               help='Disk format of snapshots uploaded to the image service: vhd (only '
                    'the blocks the disk holds) or raw (every byte).'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
