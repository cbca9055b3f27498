"""The filesystem store: atomic writes, metadata beside the data, buckets."""
import errno
import hashlib
import os
import time

import pytest

from nova import exception
from nova.objectstore import keys
from nova.objectstore import storage

ATTRS = {'content_type': 'text/plain', 'headers': {}, 'meta': {'x-amz-meta-a': '1'},
         'acl': 'private'}


@pytest.fixture
def store(tmp_path):
    return storage.Store(str(tmp_path / 'buckets'))


@pytest.fixture
def bucket(store):
    return store.create_bucket('bkt', 'project-a', 'A', 'private')


def listed(store, bucket):
    return [key for key, _ in store.iter_objects(bucket, keys.Bounds())]


def files_under(path):
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)


def test_put_then_open_reads_data_and_metadata(store, bucket):
    info = store.put_object(bucket, 'a/b', iter([b'hel', b'lo']), ATTRS)
    assert info.etag == hashlib.md5(b'hello').hexdigest() and info.size == 5
    opened, f = store.open_object(bucket, 'a/b')
    with f:
        assert f.read() == b'hello'
    assert opened.attrs == dict(ATTRS, etag=info.etag)
    assert listed(store, bucket) == ['a/b']


def test_a_body_that_fails_midway_leaves_nothing(store, bucket):
    def broken():
        yield b'x' * 1000
        raise ConnectionError('client went away')

    with pytest.raises(ConnectionError):
        store.put_object(bucket, 'k', broken(), ATTRS)
    assert listed(store, bucket) == []
    assert os.listdir(bucket.tmp) == []
    with pytest.raises(exception.ObjectNotFound):
        store.head_object(bucket, 'k')


def test_a_failed_replacement_keeps_the_old_object(store, bucket):
    store.put_object(bucket, 'k', iter([b'old']), ATTRS)
    with pytest.raises(exception.ObjectDigestMismatch):
        store.put_object(bucket, 'k', iter([b'new']), ATTRS,
                         content_md5=hashlib.md5(b'other').digest())
    info, f = store.open_object(bucket, 'k')
    with f:
        assert f.read() == b'old'
    assert os.listdir(bucket.tmp) == []


def test_a_reader_keeps_its_version_while_the_object_is_replaced(store, bucket):
    store.put_object(bucket, 'k', iter([b'first version']), ATTRS)
    _, f = store.open_object(bucket, 'k')
    store.put_object(bucket, 'k', iter([b'second']), ATTRS)
    store.delete_object(bucket, 'k')
    with f:
        assert f.read() == b'first version'


def test_too_large_body_is_refused_while_streaming(store, bucket):
    with pytest.raises(exception.ObjectTooLarge):
        store.put_object(bucket, 'k', iter([b'x' * 10, b'x' * 10]), ATTRS, limit=15)
    assert os.listdir(bucket.tmp) == []


def test_delete_prunes_empty_directories_only(store, bucket):
    store.put_object(bucket, 'a/b/c', iter([b'1']), ATTRS)
    store.put_object(bucket, 'a/d', iter([b'2']), ATTRS)
    store.delete_object(bucket, 'a/b/c')
    store.delete_object(bucket, 'a/b/c')  # absent: no error
    assert listed(store, bucket) == ['a/d']
    assert os.listdir(os.path.join(bucket.objects, 'a.d')) == ['d.o']
    store.delete_object(bucket, 'a/d')
    assert os.listdir(bucket.objects) == []


def test_copy_keeps_the_etag_and_takes_new_attributes(store, bucket):
    info = store.put_object(bucket, 'src', iter([b'data' * 1000]), ATTRS)
    other = store.create_bucket('other', 'project-a', 'A', 'private')
    source, f = store.open_object(bucket, 'src')
    copied = store.copy_object(source, f, other, 'dst/x', dict(ATTRS, acl='public-read'))
    assert f.closed
    assert copied.etag == info.etag and copied.size == 4000
    _, f = store.open_object(other, 'dst/x')
    with f:
        assert f.read() == b'data' * 1000
    assert store.head_object(other, 'dst/x').attrs['acl'] == 'public-read'


def test_update_attrs_changes_only_what_it_names(store, bucket):
    store.put_object(bucket, 'k', iter([b'1']), ATTRS)
    store.update_attrs(bucket, 'k', {'acl': 'public-read'})
    assert store.head_object(bucket, 'k').attrs == dict(
        ATTRS, acl='public-read', etag=hashlib.md5(b'1').hexdigest())
    with pytest.raises(exception.ObjectNotFound):
        store.update_attrs(bucket, 'absent', {'acl': 'private'})


def test_buckets_are_created_once_and_listed(store, bucket):
    with pytest.raises(exception.BucketExists) as caught:
        store.create_bucket('bkt', 'project-b', 'B', 'private')
    assert caught.value.kwargs['owner'] == 'project-a'
    store.create_bucket('another', 'project-b', 'B', 'public-read')
    assert [b.name for b in store.list_buckets()] == ['another', 'bkt']
    assert store.get_bucket('another').acl.is_public()
    assert not store.get_bucket('bkt').acl.is_public()
    assert not [n for n in os.listdir(store.root) if n.startswith('.')]


@pytest.mark.parametrize('name', ['ab', 'A' * 5, 'a_b', '-ab', 'ab-', 'a..b', 'a.-b',
                                  '192.168.1.1', 'x' * 64, '.hidden', 'a/b'])
def test_invalid_bucket_names(store, name):
    with pytest.raises(exception.InvalidBucketName):
        store.create_bucket(name, 'p', 'P', 'private')
    with pytest.raises(exception.BucketNotFound):
        store.get_bucket(name)


def test_only_an_empty_bucket_is_deleted(store, bucket):
    store.put_object(bucket, 'a/b', iter([b'1']), ATTRS)
    with pytest.raises(exception.BucketNotEmpty):
        store.delete_bucket(bucket)
    store.delete_object(bucket, 'a/b')
    os.makedirs(os.path.join(bucket.objects, 'left.d', 'over.d'))  # a crash's leftovers
    store.delete_bucket(bucket)
    assert os.listdir(store.root) == []
    with pytest.raises(exception.BucketNotFound):
        store.get_bucket('bkt')


def test_remove_stale_leaves_recent_writes_alone(store, bucket):
    old = os.path.join(bucket.tmp, 'w-old')
    recent = os.path.join(bucket.tmp, 'w-recent')
    os.makedirs(os.path.join(bucket.tmp, 'u-old'))
    for path in (old, recent):
        open(path, 'w').close()
    day_ago = time.time() - 2 * 86400
    os.utime(old, (day_ago, day_ago))
    os.utime(os.path.join(bucket.tmp, 'u-old'), (day_ago, day_ago))
    os.mkdir(os.path.join(store.root, '.new-abc'))
    store.remove_stale(86400)
    assert os.listdir(bucket.tmp) == ['w-recent']
    assert os.listdir(store.root) == ['bkt']


def test_a_filesystem_without_xattrs_is_a_config_error(tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError(errno.ENOTSUP, 'Operation not supported')

    monkeypatch.setattr(os, 'setxattr', refuse)
    with pytest.raises(exception.ConfigError, match='extended attributes'):
        storage.Store(str(tmp_path / 'b'))


def test_nothing_is_written_outside_the_bucket(store, bucket, tmp_path):
    for key in ('x' * 300, 'a/' * 100 + 'b', '%2e%2e/x', 'a/.../b', '\t/\x01'):
        store.put_object(bucket, key, iter([b'1']), ATTRS)
    for key in ('../escape', '/etc/passwd', 'a/../../b', 'nul\x00'):
        with pytest.raises(exception.InvalidObjectKey):
            store.put_object(bucket, key, iter([b'1']), ATTRS)
    assert all(path.startswith(bucket.path + os.sep) for path in files_under(tmp_path))
