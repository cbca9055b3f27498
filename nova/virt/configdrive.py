"""Config drives: the instance's metadata tree on an ISO9660 image labelled
``config-2`` (Joliet and Rock Ridge, so names keep their case and length), which
cloud-init and similar agents find by label and read without any network.

Written with pycdlib (pure Python), so a compute host needs no genisoimage.
Whether an instance gets one is decided here once: it asked (``config_drive``)
or the host gives every instance one (``--force_config_drive``).
"""
import io
import posixpath

import nova.conf

CONF = nova.conf.CONF
LABEL = 'config-2'


def required(instance):
    """Whether the instance gets a config drive."""
    return bool(instance.config_drive) or CONF.force_config_drive


def make_iso(files):
    """The ISO image (bytes) holding files, {'openstack/latest/meta_data.json': bytes}."""
    import pycdlib  # here: a compute host whose servers take no config drive never loads it
    iso = pycdlib.PyCdlib()
    # level 4 (ISO9660:1999) takes names such as '2012-08-10' and 'meta_data.json'
    iso.new(interchange_level=4, joliet=3, rock_ridge='1.09', vol_ident=LABEL,
            sys_ident='LINUX')
    made = set()
    for path in sorted(files):
        _check_path(path)
        parts = path.split('/')
        for depth in range(1, len(parts)):
            directory = '/' + '/'.join(parts[:depth])
            if directory not in made:
                iso.add_directory(directory, rr_name=parts[depth - 1], joliet_path=directory)
                made.add(directory)
        data = files[path]
        iso.add_fp(io.BytesIO(data), len(data), '/' + path, rr_name=parts[-1],
                   joliet_path='/' + path)
    out = io.BytesIO()
    iso.write_fp(out)
    iso.close()
    return out.getvalue()


def write_iso(files, path):
    """make_iso written to path (the file the hypervisor attaches)."""
    with open(path, 'wb') as f:
        f.write(make_iso(files))


def _check_path(path):
    """Paths are relative, normalised and name no parent: what is written stays on the
    drive's own tree (they come from nova.metadata.drive, never from users)."""
    if (not path or path.startswith('/') or posixpath.normpath(path) != path
            or path.split('/')[0] == '..'):
        raise ValueError('bad config drive path %r' % path)
