"""nova-manage image metadefs load|unload|export as real processes against a fresh SQLite DB."""
import json

import pytest

from tests.harness import daemons

SHIPPED = ('OS::Compute::Architecture', 'OS::Compute::DiskConfig', 'OS::Compute::Hypervisor',
           'OS::OperatingSystem')


@pytest.fixture
def flagfile(tmp_path):
    path = daemons.write_flagfile(str(tmp_path / 'nova.flags'), state_path=str(tmp_path),
                                  sql_connection='sqlite:///$state_path/nova.sqlite')
    daemons.manage(path, 'db', 'sync')
    return path


def _exported(flagfile, directory):
    out = daemons.manage(flagfile, 'image', 'metadefs', 'export', '--path',
                         str(directory)).stdout
    files = sorted(directory.iterdir())
    assert 'Exported %d namespace(s)' % len(files) in out
    return {json.loads(f.read_text())['namespace']: json.loads(f.read_text()) for f in files}


def test_load_export_unload_and_merge(flagfile, tmp_path):
    out = daemons.manage(flagfile, 'image', 'metadefs', 'load').stdout
    assert 'Loaded 4 namespace(s)' in out and 'OS::Compute::Hypervisor' in out
    again = daemons.manage(flagfile, 'image', 'metadefs', 'load').stdout
    assert 'Loaded 0' in again and 'Skipped 4' in again

    exported = _exported(flagfile, tmp_path / 'out')
    assert sorted(exported) == list(SHIPPED)
    hypervisor = exported['OS::Compute::Hypervisor']
    assert hypervisor['protected'] is True and 'created_at' not in hypervisor
    assert hypervisor['properties']['vm_mode']['enum'] == ['hvm', 'xen', 'exe', 'uml']
    assert hypervisor['resource_type_associations'] == [{'name': 'OS::Glance::Image'}]

    # an operator's own file, and a merge adding a property to a shipped namespace
    mine = tmp_path / 'mine'
    mine.mkdir()
    hypervisor['properties']['img_hv_requested_version'] = {'title': 'Version',
                                                            'type': 'string'}
    (mine / 'hv.json').write_text(json.dumps(hypervisor))
    (mine / 'site.json').write_text(json.dumps({'namespace': 'Site::Backup',
                                                'visibility': 'public',
                                                'tags': [{'name': 'nightly'}]}))
    out = daemons.manage(flagfile, 'image', 'metadefs', 'load', '--path', str(mine),
                         '--merge').stdout
    assert 'Loaded 2 namespace(s)' in out
    exported = _exported(flagfile, tmp_path / 'out2')
    assert 'img_hv_requested_version' in exported['OS::Compute::Hypervisor']['properties']
    assert exported['Site::Backup']['tags'] == [{'name': 'nightly'}]

    assert 'Unloaded 5 namespace(s)' in daemons.manage(flagfile, 'image', 'metadefs',
                                                       'unload').stdout
    assert _exported(flagfile, tmp_path / 'out3') == {}


def test_bad_files_and_paths_fail_with_a_message(flagfile, tmp_path):
    bad = tmp_path / 'bad'
    bad.mkdir()
    (bad / 'broken.json').write_text('{"namespace": ')
    result = daemons.manage(flagfile, 'image', 'metadefs', 'load', '--path', str(bad),
                            check=False)
    assert result.returncode == 1 and 'is not a metadata definition file' in result.stderr
    (bad / 'broken.json').write_text('{"display_name": "x"}')
    result = daemons.manage(flagfile, 'image', 'metadefs', 'load', '--path', str(bad),
                            check=False)
    assert result.returncode == 1 and 'names no namespace' in result.stderr
    result = daemons.manage(flagfile, 'image', 'metadefs', 'load', '--path',
                            str(tmp_path / 'missing'), check=False)
    assert result.returncode == 1 and 'cannot read metadefs directory' in result.stderr
    result = daemons.manage(flagfile, 'image', 'metadefs', 'reload', check=False)
    assert result.returncode == 2 and 'invalid choice' in result.stderr
