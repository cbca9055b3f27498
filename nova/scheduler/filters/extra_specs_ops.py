"""The flavor extra_specs match language: '<in> ssd', '>= 4', 's== fast', '<or> a <or> b'.

A requirement without a known operator must equal the value exactly.
Numeric operators ('=' means at least) fail to match non-numbers.
"""
import operator


def _numeric(op):
    def compare(value, wanted):
        try:
            return op(float(value), float(wanted))
        except ValueError:
            return False
    return compare


_OPS = {
    '=': _numeric(operator.ge),
    '==': _numeric(operator.eq),
    '!=': _numeric(operator.ne),
    '>=': _numeric(operator.ge),
    '<=': _numeric(operator.le),
    '<in>': lambda value, wanted: wanted in value,
    's==': operator.eq,
    's!=': operator.ne,
    's<': operator.lt,
    's<=': operator.le,
    's>': operator.gt,
    's>=': operator.ge,
}


def match(value, requirement):
    """Whether ``value`` (a string, or None when absent) meets ``requirement``."""
    words = requirement.split()
    op = words[0] if words else None
    if op == '<all-in>':
        return value is not None and len(words) > 1 and all(w in value for w in words[1:])
    if op == '<or>':
        # '<or> v1 <or> v2 ...': the choices are every other word
        return value is not None and value in words[1::2]
    method = _OPS.get(op)
    if method is None:
        return value == requirement
    return value is not None and len(words) > 1 and method(value, words[1])
