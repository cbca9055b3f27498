"""CORS configuration, preflight OPTIONS answers and the Access-Control-*
headers of requests with an Origin."""
import pytest

from tests.unit.objectstore.conftest import doc, error_code

CONFIG = b'''<CORSConfiguration>
  <CORSRule><ID>site</ID><AllowedOrigin>https://*.example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>x-amz-*</AllowedHeader><AllowedHeader>content-type</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule>
  <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
</CORSConfiguration>'''


@pytest.fixture
def site(s3):
    s3.put('/site')
    s3.put('/site/k', b'v')
    return s3


def preflight(s3, origin, method, headers=None, path='/site/k'):
    sent = {'Origin': origin, 'Access-Control-Request-Method': method}
    if headers:
        sent['Access-Control-Request-Headers'] = headers
    return s3.call('OPTIONS', path, headers=sent, user=None)


def test_configuration_round_trip(site):
    missing = site.get('/site?cors')
    assert (missing.status_int, error_code(missing)) == (404, 'NoSuchCORSConfiguration')
    assert site.put('/site?cors', CONFIG).status_int == 200
    rules = doc(site.get('/site?cors')).findall('CORSRule')
    assert [r.findtext('ID') for r in rules] == ['site', None]
    assert [m.text for m in rules[0].findall('AllowedMethod')] == ['GET', 'PUT']
    assert error_code(site.put('/site?cors', CONFIG, user='dave')) == 'AccessDenied'
    assert error_code(site.put('/site?cors', CONFIG, user='rita')) == 'AccessDenied'
    assert site.delete('/site?cors').status_int == 204
    assert site.get('/site?cors').status_int == 404


@pytest.mark.parametrize('body,code', [
    (CONFIG.replace(b'<AllowedMethod>PUT', b'<AllowedMethod>PATCH'), 'InvalidRequest'),
    (CONFIG.replace(b'https://*.example.com', b'https://*.*.example.com'), 'InvalidRequest'),
    (b'<CORSConfiguration/>', 'MalformedXML'),
    (b'<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>'
     b'</CORSConfiguration>', 'MalformedXML'),
])
def test_bad_configurations(site, body, code):
    response = site.put('/site?cors', body)
    assert (response.status_int, error_code(response)) == (400, code)


def test_preflight(site):
    before = preflight(site, 'https://app.example.com', 'GET')
    assert (before.status_int, error_code(before)) == (403, 'AccessForbidden')
    site.put('/site?cors', CONFIG)
    allowed = preflight(site, 'https://app.example.com', 'PUT', 'Content-Type, X-Amz-Date')
    assert allowed.status_int == 200
    assert allowed.headers['Access-Control-Allow-Origin'] == 'https://app.example.com'
    assert allowed.headers['Access-Control-Allow-Methods'] == 'GET, PUT'
    assert allowed.headers['Access-Control-Allow-Headers'] == 'content-type, x-amz-date'
    assert allowed.headers['Access-Control-Max-Age'] == '600'
    assert allowed.headers['Access-Control-Expose-Headers'] == 'ETag'
    anywhere = preflight(site, 'http://elsewhere.test', 'HEAD', path='/site')
    assert anywhere.headers['Access-Control-Allow-Origin'] == '*'
    for origin, method, headers in (('http://evil.test', 'GET', None),
                                    ('https://app.example.com', 'DELETE', None),
                                    ('https://app.example.com', 'GET', 'Authorization')):
        refused = preflight(site, origin, method, headers)
        assert (refused.status_int, error_code(refused)) == (403, 'AccessForbidden')
    incomplete = site.call('OPTIONS', '/site/k', headers={'Origin': 'http://x'}, user=None)
    assert (incomplete.status_int, error_code(incomplete)) == (400, 'BadRequest')


def test_actual_requests_get_the_headers(site):
    site.put('/site?cors', CONFIG)
    got = site.get('/site/k', headers={'Origin': 'https://app.example.com'})
    assert got.headers['Access-Control-Allow-Origin'] == 'https://app.example.com'
    assert got.headers['Access-Control-Expose-Headers'] == 'ETag'
    other = site.get('/site/k', headers={'Origin': 'http://evil.test'})
    assert 'Access-Control-Allow-Origin' not in other.headers
    assert other.body == b'v'  # CORS is for browsers: the request itself is served
