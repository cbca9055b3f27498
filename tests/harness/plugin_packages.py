"""Tiny installed packages made in a temp dir: a module and its dist-info with entry
points, put on sys.path, as an operator's pip-installed hook or API plugin would be."""
import os
import secrets
import textwrap


def install(monkeypatch, base_dir, source, entry_points):
    """Make package ``<random name>`` with ``source`` as its __init__.py and
    ``entry_points`` ({group: {name: 'module:attr' with {module} for its name}});
    put it on sys.path for this test. Returns the module name."""
    module = 'nova_test_plugin_%s' % secrets.token_hex(4)
    root = os.path.join(str(base_dir), module + '_site')
    os.makedirs(os.path.join(root, module))
    with open(os.path.join(root, module, '__init__.py'), 'w') as f:
        f.write(textwrap.dedent(source))
    dist_info = os.path.join(root, '%s-1.0.dist-info' % module)
    os.makedirs(dist_info)
    with open(os.path.join(dist_info, 'METADATA'), 'w') as f:
        f.write('Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n' % module)
    with open(os.path.join(dist_info, 'entry_points.txt'), 'w') as f:
        for group, points in entry_points.items():
            f.write('[%s]\n' % group)
            for name, target in points.items():
                f.write('%s = %s\n' % (name, target.format(module=module)))
    monkeypatch.syspath_prepend(root)
    return module
