"""gflags-style flags for oslo.config.

A flagfile holds one ``--name=value`` per line, ``--flag``/``--noflag`` for
booleans, ``#`` comments and nested ``--flagfile=PATH``. The same syntax is
accepted on the command line. Flags apply in the order they are read (the last
one wins) on top of any ``--config-file`` INI files. An unknown name or a bad
value is a FlagError that names the file, the line and the flag.
"""
import dataclasses
import os

COMMAND_LINE = '<command line>'
# oslo.config's own options, passed through to it untouched
OSLO_ARGS = ('--config-file', '--config-dir')


class FlagError(Exception):
    """A flag that cannot be applied, with where it was read."""

    def __init__(self, source, lineno, name, reason):
        self.source, self.lineno, self.name, self.reason = source, lineno, name, reason
        where = source if lineno is None else '%s:%d' % (source, lineno)
        flag = ' --%s' % name if name else ''
        super().__init__('%s:%s %s' % (where, flag, reason))


@dataclasses.dataclass
class Flag:
    name: str
    value: object       # str, or True/False for --flag/--noflag
    source: str
    lineno: object      # int in a flagfile, None on the command line


@dataclasses.dataclass
class ParsedArgs:
    flags: list         # [Flag] in the order read
    oslo_args: list     # --config-file/--config-dir for oslo.config
    positional: list    # what is left for the program (nova-manage commands)
    flagfiles: list     # every flagfile read, outermost first


def _split(arg):
    """'--name=value' -> ('name', 'value'); '--name' -> ('name', None)."""
    body = arg[2:] if arg.startswith('--') else arg[1:]
    name, sep, value = body.partition('=')
    return name.replace('-', '_'), (value if sep else None)


def _read_flagfile(path, seen, parsed):
    """Read one flagfile, recursing into nested ones."""
    real = os.path.realpath(path)
    if real in seen:
        raise FlagError(path, None, 'flagfile', 'includes itself (loop: %s)' %
                        ' -> '.join(seen + [real]))
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise FlagError(path, None, 'flagfile', 'cannot be read: %s' % e.strerror)
    parsed.flagfiles.append(path)
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith('#'):
            continue
        if not line.startswith('-'):
            raise FlagError(path, lineno, None, 'expected --name=value, got %r' % line)
        name, value = _split(line)
        if name == 'flagfile':
            if not value:
                raise FlagError(path, lineno, name, 'needs a path')
            nested = value if os.path.isabs(value) else os.path.join(
                os.path.dirname(path), value)
            _read_flagfile(nested, seen + [real], parsed)
        else:
            parsed.flags.append(Flag(name, value, path, lineno))


def parse_argv(argv, default_flagfiles=(), stop_at_positional=False):
    """Split argv into flags (flagfiles expanded), oslo args and positionals."""
    parsed = ParsedArgs([], [], [], [])
    args = list(argv)
    explicit_flagfile = any(a == '--flagfile' or a.startswith('--flagfile=') for a in args)
    if not explicit_flagfile:
        for candidate in default_flagfiles:
            if os.path.exists(candidate):
                _read_flagfile(candidate, [], parsed)
                break
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == '--':
            parsed.positional.extend(args[i:])
            break
        if not arg.startswith('-') or arg == '-':
            parsed.positional.append(arg)
            if stop_at_positional:
                parsed.positional.extend(args[i:])
                break
            continue
        head = arg.split('=', 1)[0]
        if head in OSLO_ARGS:
            parsed.oslo_args.append(arg)
            if '=' not in arg and i < len(args):
                parsed.oslo_args.append(args[i])
                i += 1
            continue
        name, value = _split(arg)
        if name == 'flagfile':
            if value is None:
                if i >= len(args):
                    raise FlagError(COMMAND_LINE, None, name, 'needs a path')
                value, i = args[i], i + 1
            _read_flagfile(value, [], parsed)
            continue
        parsed.flags.append(Flag(name, value, COMMAND_LINE, None))
    return parsed


def resolve(flag, opts_by_name):
    """Turn one Flag into (opt, typed value) or raise FlagError."""
    name, value = flag.name, flag.value
    opt = opts_by_name.get(name)
    if opt is None and name.startswith('no') and value is None:
        negated = opts_by_name.get(name[2:])
        if negated is not None and _is_bool(negated):
            return negated, False
    if opt is None:
        raise FlagError(flag.source, flag.lineno, name, 'unknown flag')
    if value is None:
        if _is_bool(opt):
            return opt, True
        raise FlagError(flag.source, flag.lineno, name, 'needs a value (--%s=...)' % name)
    try:
        return opt, opt.type(value)
    except (ValueError, TypeError) as e:
        raise FlagError(flag.source, flag.lineno, name, 'bad value %r: %s' % (value, e))


def _is_bool(opt):
    return type(opt.type).__name__ == 'Boolean'
