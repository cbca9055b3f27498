"""Object and bucket tags: bodies, the x-amz-tagging header, copies, versions,
S3's limits (InvalidTag) and who may change them."""
import urllib.parse

import pytest

from tests.unit.objectstore.conftest import doc, error_code


def tag_set(response):
    return {t.findtext('Key'): t.findtext('Value') for t in doc(response).findall('TagSet/Tag')}


def tagging(*pairs):
    return ('<Tagging><TagSet>%s</TagSet></Tagging>' % ''.join(
        '<Tag><Key>%s</Key><Value>%s</Value></Tag>' % pair for pair in pairs)).encode()


@pytest.fixture
def tagged(s3):
    s3.put('/tags')
    s3.put('/tags/k', b'v', {'x-amz-tagging': urllib.parse.urlencode({'a': '1', 'b c': ''})})
    return s3


def test_tags_from_the_header_body_and_count(tagged):
    assert tag_set(tagged.get('/tags/k?tagging')) == {'a': '1', 'b c': ''}
    assert tagged.head('/tags/k').headers['x-amz-tagging-count'] == '2'
    assert tagged.put('/tags/k?tagging', tagging(('x', 'y'))).status_int == 200
    assert tag_set(tagged.get('/tags/k?tagging')) == {'x': 'y'}
    assert tagged.delete('/tags/k?tagging').status_int == 204
    assert tag_set(tagged.get('/tags/k?tagging')) == {}
    assert 'x-amz-tagging-count' not in tagged.head('/tags/k').headers
    assert tagged.get('/tags/k').body == b'v'


@pytest.mark.parametrize('pairs', [
    [('k%d' % n, 'v') for n in range(11)],
    [('k' * 129, 'v')],
    [('k', 'v' * 257)],
    [('aws:reserved', 'v')],
    [('same', '1'), ('same', '2')],
])
def test_s3_limits_are_invalid_tag(tagged, pairs):
    response = tagged.put('/tags/k?tagging', tagging(*pairs))
    assert (response.status_int, error_code(response)) == (400, 'InvalidTag')
    assert tag_set(tagged.get('/tags/k?tagging')) == {'a': '1', 'b c': ''}


def test_a_bad_header_writes_nothing(tagged):
    response = tagged.put('/tags/new', b'x', {'x-amz-tagging': 'a=1&a=2'})
    assert (response.status_int, error_code(response)) == (400, 'InvalidTag')
    assert tagged.head('/tags/new').status_int == 404


def test_copies_keep_or_replace_tags(tagged):
    tagged.put('/tags/kept', headers={'x-amz-copy-source': '/tags/k'})
    assert tag_set(tagged.get('/tags/kept?tagging')) == {'a': '1', 'b c': ''}
    tagged.put('/tags/replaced', headers={'x-amz-copy-source': '/tags/k',
                                          'x-amz-tagging-directive': 'REPLACE',
                                          'x-amz-tagging': 'new=1'})
    assert tag_set(tagged.get('/tags/replaced?tagging')) == {'new': '1'}


def test_tags_of_a_version(tagged):
    tagged.put('/tags?versioning', b'<VersioningConfiguration><Status>Enabled</Status>'
                                   b'</VersioningConfiguration>')
    first = tagged.put('/tags/v', b'1', {'x-amz-tagging': 'n=1'}).headers['x-amz-version-id']
    tagged.put('/tags/v', b'2', {'x-amz-tagging': 'n=2'})
    assert tag_set(tagged.get('/tags/v?tagging&versionId=' + first)) == {'n': '1'}
    tagged.put('/tags/v?tagging&versionId=' + first, tagging(('n', 'one')))
    assert tag_set(tagged.get('/tags/v?tagging&versionId=' + first)) == {'n': 'one'}
    assert tag_set(tagged.get('/tags/v?tagging')) == {'n': '2'}


def test_who_may_tag(tagged):
    for method, body in (('PUT', tagging(('x', 'y'))), ('DELETE', b''), ('GET', b'')):
        for user in ('dave', None):
            response = tagged.call(method, '/tags/k?tagging', body, user=user)
            assert (response.status_int, error_code(response)) == (403, 'AccessDenied')
    response = tagged.put('/tags/k?tagging', tagging(('x', 'y')), user='rita')
    assert (response.status_int, error_code(response)) == (403, 'AccessDenied')
    missing = tagged.get('/tags/none?tagging')
    assert (missing.status_int, error_code(missing)) == (404, 'NoSuchKey')


def test_bucket_tagging(tagged):
    missing = tagged.get('/tags?tagging')
    assert (missing.status_int, error_code(missing)) == (404, 'NoSuchTagSet')
    assert tagged.put('/tags?tagging', tagging(('team', 'red'))).status_int == 204
    assert tag_set(tagged.get('/tags?tagging')) == {'team': 'red'}
    assert error_code(tagged.get('/tags?tagging', user='dave')) == 'AccessDenied'
    too_many = tagged.put('/tags?tagging', tagging(*[('k%d' % n, '') for n in range(51)]))
    assert (too_many.status_int, error_code(too_many)) == (400, 'InvalidTag')
    assert tagged.delete('/tags?tagging').status_int == 204
    assert tagged.get('/tags?tagging').status_int == 404
