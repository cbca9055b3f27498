"""make test's concurrent pytest processes share out test files without losing one."""
from tests.harness.shard_queue import FileQueue


def test_every_file_is_claimed_once_across_processes(tmp_path):
    files = ['tests/a.py', 'tests/b.py', 'tests/c.py']
    first, second = FileQueue(str(tmp_path), files), FileQueue(str(tmp_path), files)
    claims = [first.claim(), second.claim(), second.claim(), first.claim(), second.claim()]
    assert claims == ['tests/a.py', 'tests/b.py', 'tests/c.py', None, None]


def test_a_process_with_other_files_skips_the_claimed_ones(tmp_path):
    FileQueue(str(tmp_path), ['tests/a.py']).claim()
    assert FileQueue(str(tmp_path), ['tests/a.py', 'tests/b.py']).claim() == 'tests/b.py'
