"""Guru Meditation Report options: which signal asks a daemon for a report, and where it goes."""
from oslo_config import cfg

# signals a daemon does not already use for something else (TERM/INT stop, HUP reloads logs)
SIGNALS = ('SIGUSR2', 'SIGUSR1', 'SIGPWR', 'SIGWINCH')

opts = [
    cfg.StrOpt('guru_signal', default='SIGUSR2', choices=SIGNALS,
               help='Signal that makes a running daemon write a Guru Meditation Report '
                    '(thread stacks, configuration, versions, RPC, DB pool, process) '
                    'without stopping.'),
    cfg.StrOpt('guru_report_dir', default='',
               help='Directory that Guru Meditation Reports are written to, one file per '
                    'report; empty: into the daemon\'s log.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
