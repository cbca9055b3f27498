"""The EC2 query protocol's dotted parameters as a tree, and typed access to it.

``InstanceId.1=i-1&InstanceId.2=i-2`` is a list; ``Filter.1.Name`` and
``Filter.1.Value.1`` a list of dicts; ``Placement.AvailabilityZone`` a dict.
Numbered members are ordered by number, whatever order they came in.
"""
from nova.api.ec2 import faults
from nova.i18n import _

# parameters of the protocol and its signatures, not of any action
PROTOCOL = frozenset(('Action', 'Version', 'AWSAccessKeyId', 'Signature', 'SignatureMethod',
                      'SignatureVersion', 'Timestamp', 'Expires', 'SecurityToken'))
_TRUE, _FALSE = ('true', '1', 'yes'), ('false', '0', 'no')


def _listify(node):
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_listify(node[key]) for key in sorted(node, key=int)]
        return {key: _listify(value) for key, value in node.items()}
    return node


def parse(flat):
    """A tree from {'A.1.B': v}; a name both a value and a parent is invalid."""
    tree = {}
    for key, value in flat.items():
        if key in PROTOCOL or key.startswith('X-Amz-'):
            continue
        parts = key.split('.')
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise faults.invalid_value(key, value, _('It conflicts with another parameter.'))
        if isinstance(node.get(parts[-1]), dict) or not all(parts):
            raise faults.invalid_value(key, value)
        node[parts[-1]] = value
    return _listify(tree)


class Params:
    """Typed reads of a parsed tree; errors name the parameter as the client sent it."""

    def __init__(self, tree):
        self.tree = tree

    def _lookup(self, name):
        node = self.tree
        for part in name.split('.'):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def get(self, name, default=None):
        value = self._lookup(name)
        if value is not None and not isinstance(value, str):
            raise faults.invalid_value(name, '...', _('A single value is expected.'))
        return default if value is None else value

    def required(self, name):
        value = self.get(name)
        if value is None or value == '':
            raise faults.missing(name)
        return value

    def int(self, name, default=None, low=None, high=None):
        value = self.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise faults.invalid_value(name, value, _('An integer is expected.')) from None
        if (low is not None and number < low) or (high is not None and number > high):
            raise faults.invalid_value(name, value, _('It must be between %s and %s.') % (
                low, high))
        return number

    def bool(self, name, default=False):
        value = self.get(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise faults.invalid_value(name, value, _('true or false is expected.'))

    def list(self, name):
        """The members of a numbered list ([] when absent); a lone value is a list of one."""
        value = self._lookup(name)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        return [value]

    def strings(self, name):
        values = self.list(name)
        if not all(isinstance(v, str) for v in values):
            raise faults.invalid_value(name, '...', _('A list of values is expected.'))
        return values

    def dicts(self, name):
        values = self.list(name)
        if not all(isinstance(v, dict) for v in values):
            raise faults.invalid_value(name, '...', _('A list of structures is expected.'))
        return [Params(v) for v in values]

    def filters(self):
        """[(name, [values])] from Filter.N.Name / Filter.N.Value.M."""
        result = []
        for number, item in enumerate(self.dicts('Filter'), 1):
            name = item.get('Name')
            if not name:
                raise faults.missing('Filter.%d.Name' % number)
            result.append((name, item.strings('Value')))
        return result
