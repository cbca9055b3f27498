"""``--help``/``-h`` and ``--version`` of every daemon and of nova-manage.

The help names what the program does, how flags are given, and every flag it
reads (grouped by the nova/conf area that defines them) with its default.
An area registered later (nova.conf.register_module) that no program below
names is shown to all of them, so that no flag goes unlisted.
"""
import importlib.metadata
import textwrap

import nova.conf

HELP_WORDS = ('-h', '--help')
VERSION_WORDS = ('--version',)
# the areas every program reads: where state lives, this host, the database, RPC, services
COMMON = ('paths', 'netconf', 'database', 'rpc', 'service')
PROGRAMS = {
    'nova-api': ('The API daemon: one HTTP listener per app in --enabled_apis (EC2, '
                 'OpenStack Compute, identity, metadata, CloudWatch).',
                 ('wsgi', 'auth', 'ec2', 'compute', 'image', 'crypto', 'monitor')),
    'nova-compute': ('One per hypervisor host: runs instances through the --compute_driver.',
                     ('virt', 'compute', 'compute_host', 'image', 'xenapi')),
    'nova-scheduler': ('Picks a host for each instance (filter scheduler).',
                       ('scheduler', 'compute')),
    'nova-network': ('Fixed and floating addresses, bridges, DHCP and NAT.', ()),
    'nova-volume': ('Block storage volumes exported over iSCSI.', ()),
    'nova-instancemonitor': ("One per compute host (--host): samples its instances' CPU, "
                             'disk and network usage into round-robin archives.',
                             ('monitor', 'compute')),
    'nova-objectstore': ('The S3-compatible object store.', ('wsgi', 'auth', 'objectstore')),
    'nova-image': ('The Glance v2 image API and its stores.', ('wsgi', 'auth', 'image')),
    'nova-serialproxy': ("The websocket proxy to instances' serial consoles.",
                         ('wsgi', 'auth', 'compute')),
    'nova-all': ('Every service of the cloud in one process (in-process RPC by default).',
                 None),
    'nova-manage': ('The admin command line: CATEGORY COMMAND [args].', None),
}


def version():
    try:
        return importlib.metadata.version('nova')
    except importlib.metadata.PackageNotFoundError:
        return 'unknown'


def wants(words, options, stop_at_positional=True):
    """Whether one of the options is among the flags (those before the first
    positional argument, when stop_at_positional: nova-manage's command follows)."""
    words = iter(words)
    for word in words:
        if word == '--':
            return False
        if word in options:
            return True
        if word in ('--flagfile', '--config-file', '--config-dir'):
            next(words, None)  # its value
        elif not word.startswith('-') and stop_at_positional:
            return False
    return False


def _areas(binary):
    """[(area name, module)] of the flags binary reads; None in PROGRAMS means all."""
    by_name = {module.__name__.rsplit('.', 1)[-1]: module for module in nova.conf._MODULES}
    own = PROGRAMS.get(binary, ('', None))[1]
    if own is None:
        return sorted(by_name.items())
    named = {area for _, areas in PROGRAMS.values() if areas for area in areas}
    named.update(COMMON)
    wanted = set(COMMON) | set(own) | (set(by_name) - named)
    return [(name, by_name[name]) for name in sorted(wanted) if name in by_name]


def _flag_line(opt):
    kind = type(opt.type).__name__
    if kind == 'Boolean':
        spelled = '--%s, --no%s' % (opt.dest, opt.dest)
    else:
        spelled = '--%s=%s' % (opt.dest, opt.metavar or kind.upper().replace('STRING', 'VALUE'))
    default = '****' if opt.secret and opt.default else opt.default
    help_text = (opt.help or '').strip()
    text = '%s (default: %s)' % (help_text, default) if help_text else 'default: %s' % default
    return '  %s\n%s' % (spelled, textwrap.fill(text, 79, initial_indent=' ' * 6,
                                                subsequent_indent=' ' * 6))


def flags_help(binary):
    """The flag section of binary's help."""
    lines = ['Flags are --name=value (booleans --name / --noname), on the command line or',
             'one a line in a flagfile (--flagfile=PATH; default %s);' % ' or '.join(
                 nova.conf.DEFAULT_FLAGFILES),
             '--config-file=PATH reads an oslo.config INI file.']
    for name, module in _areas(binary):
        opts = [opt for group in module.list_opts().values() for opt in group]
        if not opts:
            continue
        summary = (module.__doc__ or '').strip().splitlines()[0] if module.__doc__ else ''
        lines += ['', '%s: %s' % (name, summary)]
        lines += [_flag_line(opt) for opt in sorted(opts, key=lambda o: o.dest)]
    return '\n'.join(lines) + '\n'


def daemon_help(binary):
    description = PROGRAMS.get(binary, ('',))[0]
    return ('usage: %s [--flagfile=PATH] [--name=value ...] [-h | --help] [--version]\n\n'
            '%s\n\n%s' % (binary, description, flags_help(binary)))
