"""nova/compute/ shows which code runs where: the API side, the host side (host/), and
the modules both share. Neither side imports the other; they meet through
rpcapi.py and the database."""
import ast
import pathlib

import nova.compute

COMPUTE = pathlib.Path(nova.compute.__file__).parent
SHARED = {'rpcapi', 'states', 'vm_states', 'task_states', 'power_state', 'utils',
          'move_claims', 'move_spec', 'resize_quota', 'usage_audit', 'lifecycle',
          'block_device'}  # block_device: mapping rules and the release of volumes


def _compute_imports(path):
    """The nova.compute modules a file imports, as dotted names below nova.compute."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith('nova.compute'):
            base = node.module[len('nova.compute'):].lstrip('.')
            for alias in node.names:
                name = '%s.%s' % (base, alias.name) if base else alias.name
                found.add(name if (COMPUTE / (name.replace('.', '/') + '.py')).exists()
                          else base)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith('nova.compute.'):
                    found.add(alias.name[len('nova.compute.'):])
    return found


def _host_side(module):
    return module == 'host' or module.startswith('host.')


def test_the_api_side_never_imports_the_host_side():
    for path in COMPUTE.glob('*.py'):
        host = {m for m in _compute_imports(path) if _host_side(m)}
        assert not host, '%s imports %s' % (path.name, host)


def test_the_host_side_imports_only_shared_modules():
    for path in (COMPUTE / 'host').glob('*.py'):
        other = {m for m in _compute_imports(path)
                 if not _host_side(m) and m.split('.')[0] not in SHARED}
        assert not other, 'host/%s imports API-side %s' % (path.name, other)


def test_shared_modules_import_only_shared_modules():
    for name in SHARED:
        other = {m for m in _compute_imports(COMPUTE / ('%s.py' % name))
                 if m.split('.')[0] not in SHARED}
        assert not other, '%s.py imports %s' % (name, other)


def test_nothing_outside_compute_imports_the_host_side():
    """Only the service loader names it (--compute_manager), as a string."""
    for path in COMPUTE.parent.rglob('*.py'):
        if COMPUTE not in path.parents:
            host = {m for m in _compute_imports(path) if _host_side(m)}
            assert not host, '%s imports nova.compute.%s' % (path, host)
