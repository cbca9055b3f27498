"""AWS signatures: the published vectors, and requests signed by botocore itself."""
import datetime
import re
import urllib.parse

import pytest
from botocore import auth as botocore_auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from nova.auth import signature

ACCESS = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
KEYS = {ACCESS: SECRET, 'OTHERPROJECTKEY': 'another secret'}
UTC = datetime.timezone.utc


def lookup(access_key):
    return KEYS.get(access_key)


def now():
    return datetime.datetime.now(UTC)


def to_request(aws_request):
    """What a server sees of a prepared botocore request."""
    prepared = aws_request.prepare()
    url = urllib.parse.urlsplit(prepared.url)
    headers = {k.lower(): (v.decode() if isinstance(v, bytes) else v)
               for k, v in prepared.headers.items()}
    headers.setdefault('host', url.netloc)
    body = prepared.body or b''
    return signature.HTTPRequest(prepared.method, urllib.parse.unquote(url.path) or '/',
                                 url.query, headers,
                                 body.encode() if isinstance(body, str) else body)


def ec2_post(params, access=ACCESS, secret=SECRET, url='http://cloud.example.org:8773/'):
    request = AWSRequest(method='POST', url=url, data=params,
                         headers={'Content-Type': 'application/x-www-form-urlencoded'})
    botocore_auth.SigV4Auth(Credentials(access, secret), 'ec2', 'nova').add_auth(request)
    return to_request(request)


# ------------------------------------------------------------ published vectors

def test_aws_sigv4_example_iam_list_users():
    """The canonical example of the AWS SigV4 documentation."""
    headers = {'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
               'host': 'iam.amazonaws.com', 'x-amz-date': '20150830T123600Z'}
    canonical = signature.canonical_request(
        'GET', '/', signature.query_pairs('Action=ListUsers&Version=2010-05-08'), headers,
        ['content-type', 'host', 'x-amz-date'],
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    assert signature.string_to_sign('20150830T123600Z', '20150830/us-east-1/iam/aws4_request',
                                    canonical).splitlines()[-1] == \
        'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59'
    assert signature.signing_key(SECRET, '20150830', 'us-east-1', 'iam').hex() == \
        'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9'
    expected = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7'
    assert signature.sign_v4(SECRET, '20150830T123600Z', 'us-east-1', 'iam',
                             canonical) == expected
    header = ('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, '
              'SignedHeaders=content-type;host;x-amz-date, Signature=' + expected)
    request = signature.HTTPRequest('GET', '/', 'Action=ListUsers&Version=2010-05-08',
                                    dict(headers, authorization=header))
    verified = signature.verify(request, lookup,
                                now=datetime.datetime(2015, 8, 30, 12, 40, tzinfo=UTC))
    assert (verified.access_key, verified.version, verified.service) == (ACCESS, 4, 'iam')


def test_aws_sigv2_example():
    """The SigV2 query example of the AWS documentation (DescribeJobFlows)."""
    params = {'AWSAccessKeyId': 'AKIAIOSFODNN7EXAMPLE', 'Action': 'DescribeJobFlows',
              'SignatureMethod': 'HmacSHA256', 'SignatureVersion': '2',
              'Timestamp': '2011-10-03T15:19:30', 'Version': '2009-03-31'}
    string = signature.string_to_sign_v2('GET', 'elasticmapreduce.amazonaws.com', '/', params)
    assert string.splitlines()[-1] == (
        'AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Action=DescribeJobFlows&SignatureMethod='
        'HmacSHA256&SignatureVersion=2&Timestamp=2011-10-03T15%3A19%3A30&Version=2009-03-31')
    assert signature.sign_v2('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', string) == \
        'i91nKc4PWAt0JJIdXwz9HxZCJDdiy6cf/Mj6vPxyYIs='


@pytest.mark.parametrize('path, s3, expected', [
    ('/', False, '/'),
    ('/a b/./c/../d//', False, '/a%2520b/d/'),
    ('/bucket/a b/./key', True, '/bucket/a%20b/./key'),
    ('/documents and settings/', True, '/documents%20and%20settings/'),
])
def test_canonical_uri_encodes_twice_except_for_s3(path, s3, expected):
    assert signature.canonical_uri(path, s3=s3) == expected


def test_canonical_query_sorts_encoded_pairs():
    pairs = signature.query_pairs('b=2&a=x%20y&a=1&c=&Z=%7E')
    assert signature.canonical_query(pairs) == 'Z=~&a=1&a=x%20y&b=2&c='


def test_parse_authorization_header():
    auth = signature.parse_authorization(
        'AWS4-HMAC-SHA256 Credential=AK/20240101/nova/ec2/aws4_request,'
        'SignedHeaders=Host;X-Amz-Date,Signature=abc')
    assert (auth.access_key, auth.region, auth.service, auth.signed_headers,
            auth.signature, auth.scope) == (
        'AK', 'nova', 'ec2', ['host', 'x-amz-date'], 'abc', '20240101/nova/ec2/aws4_request')


@pytest.mark.parametrize('header', [
    'AWS AK:sig', 'AWS4-HMAC-SHA256 Credential=AK/20240101/nova/ec2/aws4_request',
    'AWS4-HMAC-SHA256 Credential=AK/nova/ec2,SignedHeaders=host,Signature=x'])
def test_malformed_authorization(header):
    with pytest.raises(signature.MalformedAuthorization):
        signature.parse_authorization(header)


# ----------------------------------------------------------- botocore signers

def test_botocore_sigv4_post_verifies():
    verified = signature.verify(ec2_post({'Action': 'DescribeRegions', 'Version': '2016-11-15'}),
                                lookup, service='ec2', max_skew=900)
    assert (verified.access_key, verified.version, verified.region) == (ACCESS, 4, 'nova')
    assert not verified.presigned


def test_botocore_sigv4_at_a_path_with_odd_characters():
    request = ec2_post({'Action': 'DescribeRegions'},
                      url='http://cloud.example.org:8773/services/Cloud/a%20b')
    assert request.path == '/services/Cloud/a b'
    assert signature.verify(request, lookup, max_skew=900).version == 4


def test_botocore_s3_sigv4_and_presigned_urls_verify():
    creds = Credentials(ACCESS, SECRET)
    put = AWSRequest(method='PUT', url='http://s3.example.org:3333/bucket/my%20key.txt',
                     data=b'hello')
    botocore_auth.S3SigV4Auth(creds, 's3', 'us-east-1').add_auth(put)
    assert signature.verify(to_request(put), lookup, s3=True, max_skew=900).service == 's3'
    get = AWSRequest(method='GET', url='http://s3.example.org:3333/bucket/my%20key.txt')
    botocore_auth.S3SigV4QueryAuth(creds, 's3', 'us-east-1', expires=60).add_auth(get)
    verified = signature.verify(to_request(get), lookup, s3=True, max_skew=900)
    assert verified.presigned
    with pytest.raises(signature.RequestExpired):
        signature.verify(to_request(get), lookup, s3=True, max_skew=900,
                         now=now() + datetime.timedelta(seconds=120))


def test_botocore_sigv2_verifies_and_tampering_does_not():
    params = {'Action': 'DescribeInstances', 'Version': '2016-11-15', 'InstanceId.1': 'i-1'}
    request = AWSRequest(method='POST', url='http://cloud.example.org:8773/services/Cloud',
                         data=dict(params))
    botocore_auth.SigV2Auth(Credentials(ACCESS, SECRET)).add_auth(request)
    signed = dict(request.data)
    http = signature.HTTPRequest('POST', '/services/Cloud', '',
                                 {'host': 'cloud.example.org:8773'})
    verified = signature.verify(http, lookup, params=signed, max_skew=900)
    assert (verified.access_key, verified.version) == (ACCESS, 2)
    with pytest.raises(signature.SignatureMismatch):
        signature.verify(http, lookup, params=dict(signed, **{'InstanceId.1': 'i-2'}),
                         max_skew=900)


def test_sigv2_hmac_sha1_with_expires():
    params = {'AWSAccessKeyId': ACCESS, 'Action': 'DescribeRegions', 'SignatureVersion': '2',
              'SignatureMethod': 'HmacSHA1',
              'Expires': (now() + datetime.timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M:%SZ')}
    params['Signature'] = signature.sign_v2(SECRET, signature.string_to_sign_v2(
        'GET', 'cloud:80', '/', params), 'HmacSHA1')
    # the client left the default port out of what it signed
    http = signature.HTTPRequest('GET', '/', '', {'host': 'cloud:80'})
    assert signature.verify_v2(http, params, lookup, max_skew=900).version == 2
    past = dict(params, Expires='2001-01-01T00:00:00Z')
    with pytest.raises(signature.RequestExpired):
        signature.verify_v2(http, past, lookup, max_skew=900)


# ------------------------------------------------------------------ refusals

def test_wrong_secret_is_a_mismatch():
    with pytest.raises(signature.SignatureMismatch):
        signature.verify(ec2_post({'Action': 'DescribeRegions'}, secret='guessed'), lookup,
                         max_skew=900)


def test_unknown_access_key():
    with pytest.raises(signature.InvalidAccessKey):
        signature.verify(ec2_post({'Action': 'DescribeRegions'}, access='NOSUCHKEY'), lookup,
                         max_skew=900)


def test_access_key_of_another_project_with_this_secret_is_a_mismatch():
    with pytest.raises(signature.SignatureMismatch):
        signature.verify(ec2_post({'Action': 'DescribeRegions'}, access='OTHERPROJECTKEY'),
                         lookup, max_skew=900)


def test_tampered_body_is_a_mismatch():
    request = ec2_post({'Action': 'TerminateInstances', 'InstanceId.1': 'i-00000001'})
    request.body = request.body.replace(b'i-00000001', b'i-00000002')
    with pytest.raises(signature.SignatureMismatch):
        signature.verify(request, lookup, max_skew=900)


@pytest.mark.parametrize('minutes', [16, -16, 24 * 60])
def test_replay_outside_the_window_is_expired(minutes):
    request = ec2_post({'Action': 'DescribeRegions'})
    later = now() + datetime.timedelta(minutes=minutes)
    with pytest.raises(signature.RequestExpired):
        signature.verify(request, lookup, now=later, max_skew=900)
    # inside the window the same request still verifies
    signature.verify(request, lookup, now=now() + datetime.timedelta(minutes=14),
                     max_skew=900)


def test_skew_window_defaults_to_the_flag():
    from nova.conf import CONF
    CONF.set_override('aws_signature_skew', 60)
    with pytest.raises(signature.RequestExpired):
        signature.verify(ec2_post({'Action': 'DescribeRegions'}), lookup,
                         now=now() + datetime.timedelta(minutes=2))


def test_expired_sigv2_timestamp():
    params = {'AWSAccessKeyId': ACCESS, 'Action': 'DescribeRegions', 'SignatureVersion': '2',
              'SignatureMethod': 'HmacSHA256', 'Timestamp': '2011-10-03T15:19:30Z'}
    params['Signature'] = signature.sign_v2(SECRET, signature.string_to_sign_v2(
        'GET', 'cloud', '/', params))
    with pytest.raises(signature.RequestExpired):
        signature.verify(signature.HTTPRequest('GET', '/', '', {'host': 'cloud'}), lookup,
                         params=params, max_skew=900)


def test_credential_date_must_match_x_amz_date():
    request = ec2_post({'Action': 'DescribeRegions'})
    request.headers['authorization'] = re.sub(r'/\d{8}/', '/20010101/',
                                              request.headers['authorization'])
    with pytest.raises(signature.MalformedAuthorization):
        signature.verify(request, lookup, max_skew=900)


def test_service_is_checked_when_asked():
    with pytest.raises(signature.MalformedAuthorization):
        signature.verify(ec2_post({'Action': 'DescribeRegions'}), lookup, service='s3',
                         max_skew=900)


@pytest.mark.parametrize('params, headers, error', [
    (None, {}, signature.MissingAuthentication),
    (None, {'authorization': 'Basic Zm9v'}, signature.MalformedAuthorization),
    ({'AWSAccessKeyId': ACCESS, 'Signature': 'x', 'SignatureMethod': 'HmacSHA256',
      'SignatureVersion': '1', 'Timestamp': '2020-01-01T00:00:00Z'}, {},
     signature.MalformedAuthorization),
    ({'AWSAccessKeyId': ACCESS, 'Signature': 'x', 'SignatureMethod': 'HmacMD5',
      'SignatureVersion': '2', 'Timestamp': '2020-01-01T00:00:00Z'}, {},
     signature.MalformedAuthorization),
    ({'AWSAccessKeyId': ACCESS, 'Signature': 'x', 'SignatureMethod': 'HmacSHA256',
      'SignatureVersion': '2'}, {}, signature.MalformedAuthorization),
])
def test_incomplete_requests(params, headers, error):
    with pytest.raises(error):
        signature.verify(signature.HTTPRequest('GET', '/', '', dict(headers, host='h')),
                         lookup, params=params, max_skew=900)


def test_every_error_is_a_signature_error_and_not_authorized():
    from nova import exception
    for cls in (signature.MissingAuthentication, signature.MalformedAuthorization,
                signature.InvalidAccessKey, signature.SignatureMismatch,
                signature.RequestExpired):
        assert issubclass(cls, signature.SignatureError)
        assert issubclass(cls, exception.NotAuthorized)


def test_constant_time_equals():
    assert signature.constant_time_equals('abc', 'abc')
    assert not signature.constant_time_equals('abc', 'abd')
