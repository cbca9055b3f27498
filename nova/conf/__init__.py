"""Every Nova option, registered on one oslo.config object.

Options are defined by area in the modules of this package; code reads them as
``nova.conf.CONF.<name>``. ``parse_args`` loads flagfiles and INI files.
"""
import os
import re
import sys

from oslo_config import cfg

from nova.conf import (auth, compute, compute_host, crypto, database, ec2, flagfile, guru,
                       image, libvirt, monitor, netconf, network, notifications, objectstore, paths,
                       rpc, scheduler, service, virt, volume, wsgi, xenapi)

CONF = cfg.CONF

_MODULES = [paths, netconf, database, rpc, service, wsgi, virt, compute, compute_host, scheduler,
            image, auth, ec2, objectstore, crypto, network, monitor, libvirt, volume, xenapi,
            guru, notifications]
DEFAULT_FLAGFILES = ('./nova.flags', '/etc/nova/nova.flags')
FlagError = flagfile.FlagError
LOADED_FLAGFILES = []  # the flagfiles the last parse_args read, outermost first


def register_module(module):
    """Add an area's options (a later issue's nova/conf/<area>.py)."""
    if module not in _MODULES:
        _MODULES.append(module)
        module.register_opts(CONF)


def list_opts():
    """[(group, [opt, ...])] for every registered area, for `config list`."""
    groups = {}
    for module in _MODULES:
        for group, opts in module.list_opts().items():
            groups.setdefault(group, []).extend(opts)
    return sorted(groups.items())


# named like a secret: *password*, *secret*, or a *_key (not ca_key_bits, quota_key_pairs)
_SECRET_NAME = re.compile(r'password|passwd|secret|(^|_)key$')
MASK = '****'


def is_secret(opt):
    """Whether an option's value must never be shown: declared secret, or named like one."""
    return opt.secret or bool(_SECRET_NAME.search(opt.dest))


def effective_values():
    """[(group, name, value)] of every registered flag, secrets (if set) masked as ****."""
    values = []
    for group, opts in list_opts():
        for opt in sorted(opts, key=lambda o: o.dest):
            value = CONF[opt.dest] if group == 'DEFAULT' else CONF[group][opt.dest]
            values.append((group, opt.dest, MASK if value and is_secret(opt) else value))
    return values


def _opts_by_name():
    index = {}
    for _group, opts in list_opts():
        for opt in opts:
            index[opt.dest] = opt
            for deprecated in opt.deprecated_opts:
                if deprecated.name:
                    index[deprecated.name.replace('-', '_')] = opt
    return index


def parse_args(argv, default_flagfiles=DEFAULT_FLAGFILES, stop_at_positional=False,
               prog=None):
    """Load flags from argv and flagfiles; return the positional arguments.

    Raises FlagError (file, line, name) for an unknown flag or a bad value.
    """
    parsed = flagfile.parse_argv(argv, default_flagfiles, stop_at_positional)
    CONF(args=parsed.oslo_args, project='nova', prog=prog or os.path.basename(sys.argv[0]),
         default_config_files=[], validate_default_values=True)
    index = _opts_by_name()
    applied = {}
    for flag in parsed.flags:
        opt, value = flagfile.resolve(flag, index)
        if opt.multi:  # a MultiStrOpt collects every occurrence, in order
            value = applied.get(opt.dest, []) + [value]
        CONF.set_override(opt.dest, value)
        applied[opt.dest] = value
    if CONF.connection_type and 'compute_driver' not in applied:
        CONF.set_override('compute_driver', virt.CONNECTION_TYPES[CONF.connection_type])
    LOADED_FLAGFILES[:] = parsed.flagfiles
    return parsed.positional


def reset():
    """Forget every flag applied (tests)."""
    CONF.reset()
    CONF.clear()


for _module in _MODULES:
    _module.register_opts(CONF)
