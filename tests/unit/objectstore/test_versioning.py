"""Bucket versioning: Enabled and Suspended, version ids, delete markers,
GET/HEAD/DELETE by versionId, ListObjectVersions, the null version, and a
crash between keeping the old version and committing the new one."""
import os

import pytest

from nova.objectstore import versions
from tests.unit.objectstore.conftest import doc, error_code

ENABLE = (b'<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>')
SUSPEND = (b'<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>')


def listed(s3, path='/ver?versions'):
    """[(tag, key, version id, is latest)] of a ListObjectVersions answer."""
    return [(e.tag, e.findtext('Key'), e.findtext('VersionId'), e.findtext('IsLatest'))
            for e in doc(s3.get(path)) if e.tag in ('Version', 'DeleteMarker')]


@pytest.fixture
def ver(s3):
    s3.put('/ver')
    return s3


def test_versioning_configuration(ver):
    assert doc(ver.get('/ver?versioning')).findtext('Status') is None
    assert ver.put('/ver?versioning', ENABLE).status_int == 200
    assert doc(ver.get('/ver?versioning')).findtext('Status') == 'Enabled'
    bad = ver.put('/ver?versioning', b'<VersioningConfiguration><Status>On</Status>'
                                     b'</VersioningConfiguration>')
    assert (bad.status_int, error_code(bad)) == (400, 'IllegalVersioningConfigurationException')
    assert error_code(ver.put('/ver?versioning', ENABLE, user='dave')) == 'AccessDenied'
    assert error_code(ver.get('/ver?versioning', user='dave')) == 'AccessDenied'


def test_an_unversioned_bucket_lists_null_versions(ver):
    ver.put('/ver/a', b'1')
    assert listed(ver) == [('Version', 'a', 'null', 'true')]
    assert 'x-amz-version-id' not in ver.put('/ver/a', b'2').headers


def test_every_write_keeps_a_version(ver):
    ver.put('/ver/old', b'before')  # the null version, from before versioning
    ver.put('/ver?versioning', ENABLE)
    v1 = ver.put('/ver/k', b'one').headers['x-amz-version-id']
    v2 = ver.put('/ver/k', b'two').headers['x-amz-version-id']
    assert v1 != v2 and versions.is_valid_id(v1)
    assert ver.get('/ver/k').body == b'two'
    assert ver.get('/ver/k').headers['x-amz-version-id'] == v2
    assert ver.get('/ver/k?versionId=' + v1).body == b'one'
    assert ver.head('/ver/k?versionId=' + v1).headers['x-amz-version-id'] == v1
    ver.put('/ver/old', b'after')
    assert ver.get('/ver/old?versionId=null').body == b'before'
    assert listed(ver) == [('Version', 'k', v2, 'true'), ('Version', 'k', v1, 'false'),
                           ('Version', 'old', listed(ver)[2][2], 'true'),
                           ('Version', 'old', 'null', 'false')]
    # ordinary listings show only what is current
    assert [c.findtext('Key') for c in doc(ver.get('/ver')).findall('Contents')] == [
        'k', 'old']


def test_delete_markers(ver):
    ver.put('/ver?versioning', ENABLE)
    v1 = ver.put('/ver/k', b'one').headers['x-amz-version-id']
    deleted = ver.delete('/ver/k')
    assert deleted.status_int == 204 and deleted.headers['x-amz-delete-marker'] == 'true'
    marker = deleted.headers['x-amz-version-id']
    gone = ver.get('/ver/k')
    assert (gone.status_int, error_code(gone)) == (404, 'NoSuchKey')
    assert gone.headers['x-amz-delete-marker'] == 'true'
    assert ver.head('/ver/k').status_int == 404
    by_id = ver.get('/ver/k?versionId=' + marker)
    assert (by_id.status_int, error_code(by_id)) == (405, 'MethodNotAllowed')
    assert by_id.headers['x-amz-delete-marker'] == 'true'
    assert doc(ver.get('/ver')).findall('Contents') == []
    assert listed(ver) == [('DeleteMarker', 'k', marker, 'true'), ('Version', 'k', v1, 'false')]
    # deleting the marker brings the previous version back
    removed = ver.delete('/ver/k?versionId=' + marker)
    assert removed.headers['x-amz-delete-marker'] == 'true'
    assert ver.get('/ver/k').body == b'one'


def test_deleting_versions_for_good(ver):
    ver.put('/ver?versioning', ENABLE)
    v1 = ver.put('/ver/k', b'one').headers['x-amz-version-id']
    v2 = ver.put('/ver/k', b'two').headers['x-amz-version-id']
    assert ver.delete('/ver/k?versionId=' + v2).headers['x-amz-version-id'] == v2
    assert ver.get('/ver/k').body == b'one'
    assert ver.delete('/ver/k?versionId=' + v1).status_int == 204
    assert ver.get('/ver/k').status_int == 404
    assert listed(ver) == []
    assert ver.delete('/ver').status_int == 204  # nothing left: the bucket goes


def test_a_bucket_with_versions_is_not_empty(ver):
    ver.put('/ver?versioning', ENABLE)
    ver.put('/ver/k', b'one')
    ver.delete('/ver/k')
    refused = ver.delete('/ver')
    assert (refused.status_int, error_code(refused)) == (409, 'BucketNotEmpty')


def test_missing_and_malformed_version_ids(ver):
    ver.put('/ver?versioning', ENABLE)
    ver.put('/ver/k', b'one')
    missing = ver.get('/ver/k?versionId=' + versions.new_id())
    assert (missing.status_int, error_code(missing)) == (404, 'NoSuchVersion')
    bad = ver.get('/ver/k?versionId=../../etc')
    assert (bad.status_int, error_code(bad)) == (400, 'InvalidArgument')
    assert ver.delete('/ver/k?versionId=' + versions.new_id()).status_int == 204


def test_suspended_versioning_keeps_one_null_version(ver):
    ver.put('/ver?versioning', ENABLE)
    kept = ver.put('/ver/k', b'versioned').headers['x-amz-version-id']
    ver.put('/ver?versioning', SUSPEND)
    assert ver.put('/ver/k', b'null 1').headers['x-amz-version-id'] == 'null'
    ver.put('/ver/k', b'null 2')
    assert listed(ver) == [('Version', 'k', 'null', 'true'), ('Version', 'k', kept, 'false')]
    assert ver.get('/ver/k').body == b'null 2'
    marker = ver.delete('/ver/k')
    assert marker.headers['x-amz-version-id'] == 'null'
    assert listed(ver) == [('DeleteMarker', 'k', 'null', 'true'),
                           ('Version', 'k', kept, 'false')]


def test_listing_versions_in_pages(ver):
    ver.put('/ver?versioning', ENABLE)
    made = []
    for key in ('a', 'b'):
        for n in range(3):
            made.append((key, ver.put('/ver/' + key, b'%d' % n).headers['x-amz-version-id']))
    expected = [(key, vid) for key in ('a', 'b')
                for k, vid in reversed(made) if k == key]
    seen, query = [], '/ver?versions&max-keys=2'
    while True:
        page = doc(ver.get(query))
        seen += [(e.findtext('Key'), e.findtext('VersionId')) for e in page.findall('Version')]
        if page.findtext('IsTruncated') != 'true':
            break
        query = '/ver?versions&max-keys=2&key-marker=%s&version-id-marker=%s' % (
            page.findtext('NextKeyMarker'), page.findtext('NextVersionIdMarker'))
    assert seen == expected
    ver.put('/ver/dir/x', b'x')
    rolled = doc(ver.get('/ver?versions&delimiter=/'))
    assert [p.findtext('Prefix') for p in rolled.findall('CommonPrefixes')] == ['dir/']
    assert error_code(ver.get('/ver?versions&version-id-marker=null')) == 'InvalidArgument'


def test_copy_from_a_version_and_version_acls(ver):
    ver.put('/ver?versioning', ENABLE)
    v1 = ver.put('/ver/k', b'one').headers['x-amz-version-id']
    ver.put('/ver/k', b'two')
    copied = ver.put('/ver/c', headers={'x-amz-copy-source': '/ver/k?versionId=' + v1})
    assert copied.headers['x-amz-copy-source-version-id'] == v1
    assert ver.get('/ver/c').body == b'one'
    assert ver.put('/ver/k?acl&versionId=' + v1,
                   headers={'x-amz-acl': 'public-read'}).status_int == 200
    assert ver.get('/ver/k?versionId=' + v1, user=None).body == b'one'
    assert ver.get('/ver/k', user=None).status_int == 403


def test_delete_objects_by_version(ver):
    ver.put('/ver?versioning', ENABLE)
    v1 = ver.put('/ver/k', b'one').headers['x-amz-version-id']
    body = ('<Delete><Object><Key>k</Key><VersionId>%s</VersionId></Object>'
            '<Object><Key>other</Key></Object></Delete>' % v1).encode()
    result = doc(ver.post('/ver?delete', body))
    deleted = {e.findtext('Key'): e for e in result.findall('Deleted')}
    assert deleted['k'].findtext('VersionId') == v1
    assert deleted['other'].findtext('DeleteMarker') == 'true'
    assert deleted['other'].findtext('DeleteMarkerVersionId')
    assert listed(ver) == [('DeleteMarker', 'other',
                            deleted['other'].findtext('DeleteMarkerVersionId'), 'true')]


def test_a_crash_between_keeping_and_committing(ver, monkeypatch):
    """The old version is linked into versions/, then the new file is renamed
    over the current one: a crash in between leaves the old version current and
    listed once, and the next write goes through."""
    ver.put('/ver?versioning', ENABLE)
    v1 = ver.put('/ver/k', b'one').headers['x-amz-version-id']
    store = ver.app_store()
    bucket = store.get_bucket('ver')
    from nova.objectstore import storage

    def crash(self, path, root):
        raise SystemExit('killed')
    monkeypatch.setattr(storage.Staged, 'commit', crash)
    attrs = {'content_type': 'x', 'headers': {}, 'meta': {}, 'acl': 'private'}
    with pytest.raises(SystemExit):
        store.put_object(bucket, 'k', iter([b'torn']), attrs)
    monkeypatch.undo()
    assert ver.get('/ver/k').body == b'one'
    assert listed(ver) == [('Version', 'k', v1, 'true')]
    assert os.listdir(bucket.tmp) == []
    v2 = ver.put('/ver/k', b'two').headers['x-amz-version-id']
    assert listed(ver) == [('Version', 'k', v2, 'true'), ('Version', 'k', v1, 'false')]
