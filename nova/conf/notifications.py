"""Notification options: which driver sends lifecycle and usage notifications, and where."""
from oslo_config import cfg

DRIVERS = ('noop', 'log', 'messaging')

opts = [
    cfg.StrOpt('notification_driver', default='noop', choices=DRIVERS,
               help='Where notifications (instance lifecycle, usage audits, volume and '
                    'image events) go: "messaging" sends them to the message bus '
                    '(topics <notification_topics>.info and .error on the '
                    'control_exchange, oslo.messaging 2.0 envelope), "log" writes them '
                    'to the log, "noop" builds and sends nothing.'),
    cfg.ListOpt('notification_topics', default=['notifications'],
                help='Topics notifications are sent to; each gets the priority as '
                     'suffix (notifications.info, notifications.error).'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
