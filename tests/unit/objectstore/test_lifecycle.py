"""Lifecycle configuration (S3's 400s for bad rules) and the sweep applying it:
expiration by days, date, tag and size, delete markers, noncurrent versions
and abandoned multipart uploads."""
import time

import pytest

from nova.objectstore import lifecycle
from tests.unit.objectstore.conftest import doc, error_code

DAY = 86400
ENABLE = b'<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>'


def config(*rules):
    return ('<LifecycleConfiguration>%s</LifecycleConfiguration>' % ''.join(rules)).encode()


def rule(actions, filter_xml='<Filter><Prefix></Prefix></Filter>', rule_id='r',
         status='Enabled'):
    return '<Rule><ID>%s</ID>%s<Status>%s</Status>%s</Rule>' % (rule_id, filter_xml, status,
                                                                actions)


@pytest.fixture
def life(s3):
    s3.put('/life')
    return s3


def keys_of(s3, path='/life'):
    return [c.findtext('Key') for c in doc(s3.get(path)).findall('Contents')]


def sweep(s3, days_later):
    return lifecycle.sweep(s3.app_store(), now=time.time() + days_later * DAY)


def test_configuration_round_trip(life):
    missing = life.get('/life?lifecycle')
    assert (missing.status_int, error_code(missing)) == (404, 'NoSuchLifecycleConfiguration')
    body = config(rule('<Expiration><Days>3</Days></Expiration>',
                       '<Filter><And><Prefix>logs/</Prefix><Tag><Key>t</Key><Value>v</Value>'
                       '</Tag></And></Filter>'),
                  rule('<AbortIncompleteMultipartUpload><DaysAfterInitiation>1'
                       '</DaysAfterInitiation></AbortIncompleteMultipartUpload>', rule_id='a'))
    assert life.put('/life?lifecycle', body).status_int == 200
    rules = doc(life.get('/life?lifecycle')).findall('Rule')
    assert [r.findtext('ID') for r in rules] == ['r', 'a']
    assert rules[0].findtext('Filter/And/Prefix') == 'logs/'
    assert rules[0].findtext('Expiration/Days') == '3'
    assert error_code(life.get('/life?lifecycle', user='dave')) == 'AccessDenied'
    assert life.delete('/life?lifecycle').status_int == 204
    assert life.get('/life?lifecycle').status_int == 404


@pytest.mark.parametrize('body,expected', [
    (config(rule('<Expiration><Days>0</Days></Expiration>')), (400, 'InvalidArgument')),
    (config(rule('<Expiration><Days>1</Days></Expiration>', status='On')),
     (400, 'MalformedXML')),
    (config(rule('<Expiration><Days>1</Days></Expiration>'),
            rule('<Expiration><Days>2</Days></Expiration>')), (400, 'InvalidArgument')),
    (config(rule('')), (400, 'InvalidRequest')),
    (config(rule('<Expiration><Date>2020-01-01T10:00:00Z</Date></Expiration>')),
     (400, 'InvalidArgument')),
    (config(rule('<Transition><Days>1</Days><StorageClass>GLACIER</StorageClass>'
                 '</Transition>')), (501, 'NotImplemented')),
    (config(), (400, 'MalformedXML')),
])
def test_bad_rules(life, body, expected):
    response = life.put('/life?lifecycle', body)
    assert (response.status_int, error_code(response)) == expected


def test_expiration_by_days_prefix_tag_and_size(life):
    life.put('/life/logs/a', b'x' * 10, {'x-amz-tagging': 'keep=no'})
    life.put('/life/logs/b', b'x' * 10)
    life.put('/life/logs/big', b'x' * 1000, {'x-amz-tagging': 'keep=no'})
    life.put('/life/data/c', b'x')
    life.put('/life?lifecycle', config(rule(
        '<Expiration><Days>2</Days></Expiration>',
        '<Filter><And><Prefix>logs/</Prefix><Tag><Key>keep</Key><Value>no</Value></Tag>'
        '<ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>')))
    assert sweep(life, 1) == 0
    assert sweep(life, 3) == 1
    assert keys_of(life) == ['data/c', 'logs/b', 'logs/big']


def test_disabled_rules_do_nothing(life):
    life.put('/life/k', b'x')
    life.put('/life?lifecycle', config(rule('<Expiration><Days>1</Days></Expiration>',
                                            status='Disabled')))
    assert sweep(life, 30) == 0 and keys_of(life) == ['k']


def test_expiration_by_date(life):
    life.put('/life/k', b'x')
    life.put('/life?lifecycle', config(rule(
        '<Expiration><Date>2001-01-01T00:00:00Z</Date></Expiration>')))
    assert sweep(life, 0) == 1 and keys_of(life) == []


def test_versioned_expiration_and_noncurrent_versions(life):
    life.put('/life?versioning', ENABLE)
    life.put('/life/k', b'1')
    life.put('/life/k', b'2')
    life.put('/life?lifecycle', config(rule(
        '<Expiration><Days>5</Days></Expiration>'
        '<NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays>'
        '<NewerNoncurrentVersions>1</NewerNoncurrentVersions>'
        '</NoncurrentVersionExpiration>')))
    assert sweep(life, 7) == 1  # the current version expires: a delete marker
    versions = doc(life.get('/life?versions'))
    assert len(versions.findall('DeleteMarker')) == 1 and len(versions.findall('Version')) == 2
    assert sweep(life, 9) == 0  # noncurrent for less than 10 days
    assert sweep(life, 12) == 1  # '1' goes; '2', the newest noncurrent one, is kept
    left = doc(life.get('/life?versions')).findall('Version')
    assert len(left) == 1
    assert life.get('/life/k?versionId=' + left[0].findtext('VersionId')).body == b'2'


def test_expired_delete_markers_go(life):
    life.put('/life?versioning', ENABLE)
    life.put('/life/k', b'1')
    version = doc(life.get('/life?versions')).findtext('Version/VersionId')
    life.delete('/life/k')
    life.delete('/life/k?versionId=' + version)
    life.put('/life?lifecycle', config(rule(
        '<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>')))
    assert sweep(life, 0) == 1
    assert doc(life.get('/life?versions')).findall('DeleteMarker') == []
    assert life.delete('/life').status_int == 204


def test_abandoned_uploads_are_aborted(life):
    upload = doc(life.post('/life/big?uploads')).findtext('UploadId')
    life.put('/life?lifecycle', config(rule(
        '<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation>'
        '</AbortIncompleteMultipartUpload>')))
    assert sweep(life, 1) == 0
    assert sweep(life, 3) == 1
    assert life.get('/life/big?uploadId=' + upload).status_int == 404
