"""nova-manage flavor and project quota as real processes against a fresh SQLite DB."""
import pytest

from tests.harness import daemons


@pytest.fixture
def flagfile(tmp_path):
    path = daemons.write_flagfile(str(tmp_path / 'nova.flags'), state_path=str(tmp_path),
                                  sql_connection='sqlite:///$state_path/nova.sqlite')
    daemons.manage(path, 'db', 'sync')
    return path


def _table(output):
    """Rows of a print_table output as lists of cells (header and rule dropped)."""
    return [line.split() for line in output.splitlines()[2:]]


def _fails(flagfile, *words):
    result = daemons.manage(flagfile, *words, check=False)
    return result.returncode, result.stderr


def test_flavor_lifecycle(flagfile):
    rows = _table(daemons.manage(flagfile, 'flavor', 'list').stdout)
    assert [r[1] for r in rows] == ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large', 'm1.xlarge']
    assert rows[0] == ['1', 'm1.tiny', '512', '1', '1', '0', 'True']

    out = daemons.manage(flagfile, 'flavor', 'create', 'm1.gpu', '8192', '4', '40',
                         '--ephemeral', '10', '--swap', '1024', '--flavorid', 'gpu',
                         '--private', '--rxtx-factor', '2.0').stdout
    assert 'm1.gpu' in out and 'gpu' in out
    rows = {r[1]: r for r in _table(daemons.manage(flagfile, 'flavor', 'list').stdout)}
    assert rows['m1.gpu'] == ['gpu', 'm1.gpu', '8192', '4', '40', '10', '1024', 'False']

    daemons.manage(flagfile, 'flavor', 'access-add', 'm1.gpu', 'proj-a')
    daemons.manage(flagfile, 'flavor', 'access-add', 'gpu', 'proj-b')
    access = _table(daemons.manage(flagfile, 'flavor', 'access-list', 'gpu').stdout)
    assert access == [['gpu', 'proj-a'], ['gpu', 'proj-b']]
    daemons.manage(flagfile, 'flavor', 'access-remove', 'gpu', 'proj-a')
    code, err = _fails(flagfile, 'flavor', 'access-remove', 'gpu', 'proj-a')
    assert code == 1 and 'not found' in err
    code, err = _fails(flagfile, 'flavor', 'access-add', 'm1.tiny', 'proj-a')
    assert code == 1 and 'Can not add access to a public flavor' in err

    specs = _table(daemons.manage(flagfile, 'flavor', 'set-key', 'gpu', 'hw:gpu=1',
                                  'aggregate_instance_extra_specs:ssd=true').stdout)
    assert specs == [['aggregate_instance_extra_specs:ssd', 'true'], ['hw:gpu', '1']]
    daemons.manage(flagfile, 'flavor', 'unset-key', 'gpu', 'hw:gpu')

    out = daemons.manage(flagfile, 'flavor', 'delete', 'm1.gpu').stdout
    assert 'deleted' in out
    names = [r[1] for r in _table(daemons.manage(flagfile, 'flavor', 'list').stdout)]
    assert 'm1.gpu' not in names
    code, err = _fails(flagfile, 'flavor', 'delete', 'm1.gpu')
    assert code == 1 and 'could not be found' in err
    # the name and id are free again
    daemons.manage(flagfile, 'flavor', 'create', 'm1.gpu', '1024', '1', '1', '--flavorid', 'gpu')


def test_flavor_errors(flagfile):
    code, err = _fails(flagfile, 'flavor', 'create', 'm1.tiny', '512', '1', '1')
    assert code == 1 and 'm1.tiny already exists' in err
    code, err = _fails(flagfile, 'flavor', 'create', 'x', '0', '1', '1')
    assert code == 1 and 'memory_mb must be an integer between 1 and' in err
    code, err = _fails(flagfile, 'flavor', 'create', 'x', 'lots', '1', '1')
    assert code == 2 and 'invalid int value' in err
    code, err = _fails(flagfile, 'flavor', 'create', 'x', '1', '1', '1', '--flavorid', 'a/b')
    assert code == 1 and 'id may only contain' in err
    code, err = _fails(flagfile, 'flavor', 'set-key', '1', 'novalue')
    assert code == 2 and 'not key=value' in err
    code, err = _fails(flagfile, 'flavor', 'create')
    assert code == 2


def test_project_quota_show_set_and_refresh(flagfile):
    for name in ('proj-a', 'proj-b'):
        daemons.manage(flagfile, 'project', 'create', name)
    rows = {r[0]: r[1:] for r in _table(daemons.manage(flagfile, 'project', 'quota',
                                                       'proj-a').stdout)}
    assert rows['instances'] == ['10', '0'] and rows['cores'] == ['20', '0']
    assert rows['ram'] == ['51200', '0'] and rows['key_pairs'] == ['100', '-']
    assert rows['metadata_items'] == ['128', '-']
    assert rows['volumes'] == ['10', '0'] and rows['gigabytes'] == ['1000', '0']
    assert rows['snapshots'] == ['10', '0'] and rows['per_volume_gigabytes'] == ['unlimited', '-']

    rows = {r[0]: r[1:] for r in _table(daemons.manage(flagfile, 'project', 'quota', 'proj-a',
                                                       'cores', '64').stdout)}
    assert rows['cores'] == ['64', '0']
    daemons.manage(flagfile, 'project', 'quota', 'proj-a', 'ram', '-1')
    daemons.manage(flagfile, 'project', 'quota', 'proj-a', 'gigabytes', '50')
    rows = {r[0]: r[1:] for r in _table(daemons.manage(flagfile, 'project', 'quota',
                                                       'proj-a').stdout)}
    assert rows['ram'] == ['unlimited', '0'] and rows['cores'] == ['64', '0']
    assert rows['gigabytes'] == ['50', '0']
    other = {r[0]: r[1:] for r in _table(daemons.manage(flagfile, 'project', 'quota',
                                                        'proj-b').stdout)}
    assert other['cores'] == ['20', '0']

    code, err = _fails(flagfile, 'project', 'quota', 'proj-a', 'gpus', '4')
    assert code == 1 and 'Unknown quota resource gpus' in err
    code, err = _fails(flagfile, 'project', 'quota', 'proj-a', 'cores', '-7')
    assert code == 1 and '-1 (unlimited) or more' in err
    code, err = _fails(flagfile, 'project', 'quota', 'proj-a', 'cores')
    assert code == 2 and 'VALUE' in err
    # a name or an id; an unknown project is an error, and nothing is written for it
    project_id = [r[0] for r in _table(daemons.manage(flagfile, 'project', 'list').stdout)
                  if 'proj-a' in r][0]
    by_id = {r[0]: r[1:] for r in _table(daemons.manage(flagfile, 'project', 'quota',
                                                        project_id).stdout)}
    assert by_id['cores'] == ['64', '0']
    for words in (('nope',), ('nope', 'cores', '5')):
        code, err = _fails(flagfile, 'project', 'quota', *words)
        assert code == 1 and 'Could not find project: nope' in err

    refreshed = _table(daemons.manage(flagfile, 'project', 'quota-refresh', 'proj-a').stdout)
    assert refreshed == [['cores', '0'], ['gigabytes', '0'], ['instances', '0'], ['ram', '0'],
                         ['snapshots', '0'], ['volumes', '0']]


def test_commands_refuse_a_database_that_is_behind(tmp_path):
    path = daemons.write_flagfile(str(tmp_path / 'nova.flags'), state_path=str(tmp_path),
                                  sql_connection='sqlite:///$state_path/nova.sqlite')
    code, err = _fails(path, 'flavor', 'list')
    assert code == 1 and 'nova-manage db sync' in err
