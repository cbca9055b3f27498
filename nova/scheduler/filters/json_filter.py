"""JsonFilter: the scheduler hint 'query' is a small predicate over host attributes.

    ["and", [">=", "$free_ram_mb", 1024], ["not", ["in", "$host", "h1", "h2"]]]

Operators: = < > <= >= in (first argument compared with every other one),
not, or, and. '$name' reads a HostState attribute, '$name.key' an item of a
dict attribute (e.g. $capabilities.architecture); a missing one is dropped
from the argument list, as in classic Nova. The query is compiled into
closures once per request rather than interpreted for every host.
"""
import operator

from nova import exception
from nova.scheduler import filters
from nova.scheduler.host_state import HostState


def _compare(op):
    def check(args):
        if len(args) < 2:
            return False
        first = args[0]
        try:
            return all(op(first, other) for other in args[1:])
        except TypeError:  # e.g. a number against a string
            return False
    return check


_COMMANDS = {
    '=': _compare(operator.eq),
    '<': _compare(operator.lt),
    '>': _compare(operator.gt),
    '<=': _compare(operator.le),
    '>=': _compare(operator.ge),
    'in': lambda args: len(args) >= 2 and args[0] in args[1:],
    'not': lambda args: [not arg for arg in args],
    'or': any,
    'and': all,
}
# two arguments: 'in' is then plain equality
_BINARY = {'=': operator.eq, '<': operator.lt, '>': operator.gt, '<=': operator.le,
           '>=': operator.ge, 'in': operator.eq}
_VARIABLES = frozenset(name for name in HostState.__slots__ if not name.startswith('_'))


def _invalid(reason):
    return exception.InvalidInput(reason='scheduler hint query: %s' % reason)


def _variable(text):
    name, *keys = text[1:].split('.')
    if name not in _VARIABLES:
        raise _invalid('unknown variable $%s' % name)
    if not keys:
        return operator.attrgetter(name)

    def read(host):
        value = getattr(host, name)
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value
    return read


def _is_variable(arg):
    return isinstance(arg, str) and arg.startswith('$')


def _argument(arg):
    if isinstance(arg, list):
        return compile_query(arg)
    if _is_variable(arg):
        return _variable(arg)
    value = arg if arg != '' else None
    return lambda host: value


def _compare_with_constant(op, read, wanted):
    """The common ['<', '$var', 4]: one attribute read and one comparison per host."""
    def run(host):
        value = read(host)
        if value is None:
            return False
        try:
            return op(value, wanted)
        except TypeError:
            return False
    return run


def compile_query(query):
    """A function host_state -> result (a bool, or a list of bools from 'not')."""
    if not query:
        return lambda host: True
    name = query[0] if isinstance(query[0], str) else None
    if name not in _COMMANDS:
        raise _invalid('unknown operator %r' % (query[0],))
    raw = query[1:]
    if name in _BINARY and len(raw) == 2 and not isinstance(raw[1], list) \
            and not _is_variable(raw[1]) and raw[1] not in ('', None):
        return _compare_with_constant(_BINARY[name], _argument(raw[0]), raw[1])
    command, args = _COMMANDS[name], [_argument(arg) for arg in raw]
    if name in ('and', 'or'):  # any/all stop at the first answer
        return lambda host: command(
            value for value in (arg(host) for arg in args) if value is not None)
    return lambda host: command([value for value in (arg(host) for arg in args)
                                 if value is not None])


def _passes(check, host):
    result = check(host)
    return any(result) if isinstance(result, list) else bool(result)


class JsonFilter(filters.BaseHostFilter):
    def host_passes(self, host_state, spec):
        return not spec.query or _passes(compile_query(spec.query), host_state)

    def filter_all(self, host_states, spec):
        if not spec.query:
            return host_states
        check = compile_query(spec.query)
        return [host for host in host_states if _passes(check, host)]
