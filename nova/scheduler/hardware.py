"""Canonical names of architectures, hypervisor types and VM modes, and version checks.

Hosts report and images ask for these under several historical spellings
(amd64, xapi, pv ...); both sides are canonicalised the same way so that the
ImagePropertiesFilter compares like with like.
"""
import operator

_ARCH_ALIASES = {'i386': 'i686', 'i486': 'i686', 'i586': 'i686', 'x86_32': 'i686',
                 'x86_32p': 'i686', 'amd64': 'x86_64', 'x64': 'x86_64'}
_HV_ALIASES = {'xapi': 'xen'}
_VM_MODE_ALIASES = {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}
# the VM mode a hypervisor runs guests in when its report does not list any
_DEFAULT_VM_MODES = {'xen': ('xen', 'hvm'), 'lxc': ('exe',), 'uml': ('uml',)}


def _canonical(aliases, name):
    if not name:
        return None
    name = str(name).lower()
    return aliases.get(name, name)


def canonical_arch(name):
    return _canonical(_ARCH_ALIASES, name)


def canonical_hv_type(name):
    return _canonical(_HV_ALIASES, name)


def canonical_vm_mode(name):
    return _canonical(_VM_MODE_ALIASES, name)


def supported_instances(reported, arch, hv_type):
    """(arch, hv_type, vm_mode) triples a host runs: its report's list, else derived."""
    if reported:
        return tuple((canonical_arch(a), canonical_hv_type(h), canonical_vm_mode(m))
                     for a, h, m in reported)
    hv_type = canonical_hv_type(hv_type)
    if not hv_type:
        return ()
    return tuple((canonical_arch(arch), hv_type, mode)
                 for mode in _DEFAULT_VM_MODES.get(hv_type, ('hvm',)))


def version_tuple(version):
    """'6.2.0', 6002000 (libvirt style) or (6, 2) -> (6, 2, 0)."""
    if isinstance(version, int):
        return (version // 1000000, version // 1000 % 1000, version % 1000)
    if isinstance(version, (tuple, list)):
        return tuple(int(part) for part in version)
    return tuple(int(part) for part in str(version).strip().split('.'))


_VERSION_OPS = (('>=', operator.ge), ('<=', operator.le), ('==', operator.eq),
                ('!=', operator.ne), ('>', operator.gt), ('<', operator.lt))


def parse_version_predicate(text):
    """'>=6.0,<6.2' -> [(operator, (6, 0)), ...]; ValueError when malformed."""
    checks = []
    for clause in str(text).split(','):
        clause = clause.strip()
        for symbol, op in _VERSION_OPS:
            if clause.startswith(symbol):
                checks.append((op, _padded(version_tuple(clause[len(symbol):]))))
                break
        else:
            raise ValueError('bad version requirement %r' % clause)
    return checks


def _padded(version):
    return version + (0,) * (3 - len(version))


def version_satisfies(version, checks):
    version = _padded(version_tuple(version))
    return all(op(version, wanted) for op, wanted in checks)
