"""Keys to paths: what is refused, that paths stay inside objects/, and that the
walk returns keys in S3's order whatever their shape."""
import os
import random

import pytest

from nova import exception
from nova.objectstore import keys


@pytest.mark.parametrize('key', [
    '..', '../x', 'a/../b', 'a/..', '.', 'a/./b', '/abs', '/', 'a\x00b', 'x' * 1025,
    'é' * 513, ''])
def test_unsafe_keys_are_refused(key):
    with pytest.raises(exception.InvalidObjectKey):
        keys.validate(key)


def test_overlong_key_is_its_own_error():
    assert keys.validate('x' * 1024)
    with pytest.raises(exception.ObjectKeyTooLong):
        keys.validate('x' * 1025)


@pytest.mark.parametrize('key', [
    'a', 'a/b/c', 'a/', 'a//b', '...', '..a', 'a..', '%2e%2e', 'sp ace/tab\t', 'é/日本',
    'x' * 1024, ('y' * 300 + '/') * 3, '%' * 500, '\x01\x7f', 'a.o', 'a.d/b.c'])
def test_object_paths_stay_below_the_root_and_decode_back(tmp_path, key):
    root = str(tmp_path / 'objects')
    path = keys.object_path(root, key)
    assert os.path.commonpath([root, path]) == root
    names = os.path.relpath(path, root).split(os.sep)
    assert all(0 < len(name.encode()) <= 255 for name in names)
    assert all(name not in ('.', '..') for name in names)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, 'w').close()
    assert [k for k, _ in keys.walk(root, keys.Bounds())] == [key]


def _store(root, names):
    for key in names:
        path = keys.object_path(root, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, 'w').close()


TRICKY = ['a', 'a/b', 'a-b', 'a/', 'a//c', 'a0', 'b', 'a/b/c', 'a.b', 'a!', 'é', 'z~',
          'p' * 240 + 'q', 'p' * 240, 'p' * 240 + '/x', 'p' * 240 + '-x', 'p' * 240 + '!',
          'p' * 237 + 'é' + '-', 'p' * 237 + '-', 'p' * 237 + '日本語' * 80,
          'p' * 237 + '日', '%41', 'A', 'a b', 'a\tb']


def test_walk_is_in_code_point_order_with_prefixes_interleaving(tmp_path):
    root = str(tmp_path)
    _store(root, TRICKY)
    assert [k for k, _ in keys.walk(root, keys.Bounds())] == sorted(TRICKY)


def test_walk_order_on_random_keys(tmp_path):
    rng = random.Random(7)
    alphabet = 'ab/-.!é~' + 'p'
    found = set()
    while len(found) < 400:
        key = ''.join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        if rng.random() < 0.1:
            key = 'p' * rng.randint(230, 250) + key
        try:
            found.add(keys.validate(key))
        except exception.InvalidObjectKey:
            continue
    _store(str(tmp_path), found)
    assert [k for k, _ in keys.walk(str(tmp_path), keys.Bounds())] == sorted(found)


@pytest.mark.parametrize('prefix,after', [
    ('a', ''), ('a/', ''), ('a/b', ''), ('p' * 240, ''), ('', 'a/b'), ('a', 'a-b'),
    ('', 'p' * 240), ('zz', ''), ('a/', 'a/'), ('', '日')])
def test_walk_honours_prefix_and_marker(tmp_path, prefix, after):
    _store(str(tmp_path), TRICKY)
    expected = sorted(k for k in TRICKY if k.startswith(prefix) and k > after)
    got = [k for k, _ in keys.walk(str(tmp_path), keys.Bounds(prefix, after))]
    assert got == expected


def test_walk_skips_a_reported_subtree_without_reading_it(tmp_path):
    _store(str(tmp_path), ['a/1', 'a/2', 'b'])
    bounds = keys.Bounds()
    walk = keys.walk(str(tmp_path), bounds)
    assert next(walk)[0] == 'a/1'
    bounds.skip = 'a/'
    assert [k for k, _ in walk] == ['b']


def test_walk_ignores_foreign_files(tmp_path):
    _store(str(tmp_path), ['a'])
    (tmp_path / 'stray').write_text('x')
    assert [k for k, _ in keys.walk(str(tmp_path), keys.Bounds())] == ['a']
