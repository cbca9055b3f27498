"""Per-user rate limits (--api_rate_limit): classic Nova's syntax, buckets that
drain with time, 429 overLimit with Retry-After, and the rate part of /limits."""
import pytest

from nova import exception
from nova.api.openstack import ratelimit
from nova.conf import CONF


def test_parse_reads_the_classic_syntax():
    limits = ratelimit.parse(CONF.api_rate_limits)
    assert [(li.verb, li.uri, li.value, li.unit) for li in limits][:2] == [
        ('POST', '*', 120, 'MINUTE'), ('POST', '*/servers', 120, 'MINUTE')]
    assert limits[1].matches('POST', '/servers') and not limits[1].matches('GET', '/servers')


@pytest.mark.parametrize('text, words', [
    ('(POST, "*", .*, 10)', 'is not (VERB'),
    ('(POST, "*", .*, 10, FORTNIGHT)', 'unit must be'),
    ('(POST, "*", .*, 0, MINUTE)', 'at least 1'),
    ('(POST, "*", (, 10, MINUTE)', 'bad regex'),
])
def test_parse_names_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words.replace('(', r'\(')):
        ratelimit.parse(text)


def test_bucket_drains_with_time_and_users_are_apart():
    limiter = ratelimit.Limiter(ratelimit.parse('(POST, "*", .*, 3, MINUTE)'))
    assert all(limiter.check('alice', 'POST', '/servers', now=100.0) is None for _ in range(3))
    limit, wait = limiter.check('alice', 'POST', '/servers', now=100.0)
    assert limit.value == 3 and wait == pytest.approx(20.0)
    assert limiter.check('bob', 'POST', '/servers', now=100.0) is None
    assert limiter.check('alice', 'GET', '/servers', now=100.0) is None  # another verb
    assert limiter.check('alice', 'POST', '/servers', now=119.0) is not None
    assert limiter.check('alice', 'POST', '/servers', now=120.5) is None
    [group] = limiter.describe('alice', now=120.5)
    assert group['uri'] == '*' and group['limit'][0]['remaining'] == 0


def test_a_refused_request_is_not_counted_by_other_limits():
    limiter = ratelimit.Limiter(ratelimit.parse(
        '(POST, "*", .*, 10, MINUTE);(POST, "*/servers", ^/servers, 1, MINUTE)'))
    assert limiter.check('alice', 'POST', '/servers', now=0.0) is None
    assert limiter.check('alice', 'POST', '/servers', now=0.0) is not None
    [everything, servers] = limiter.describe('alice', now=0.0)
    assert everything['limit'][0]['remaining'] == 9
    assert servers['limit'][0]['remaining'] == 0


@pytest.fixture
def limited():
    CONF.set_override('api_rate_limit', True)
    CONF.set_override('api_rate_limits', '(POST, "*", .*, 2, MINUTE)')
    yield
    CONF.clear_override('api_rate_limit')
    CONF.clear_override('api_rate_limits')


def test_over_the_limit_is_429_with_retry_after(limited, alice, bob):
    for _ in range(2):
        assert alice.post('/servers', {'server': {}}).status_int == 400  # counted anyway
    response = alice.post('/servers', {'server': {}})
    assert response.status_int == 429
    assert int(response.headers['Retry-After']) >= 1
    fault = response.json['overLimit']
    assert fault['code'] == 429 and fault['message'] == 'This request was rate-limited.'
    assert fault['details'] == 'Only 2 POST request(s) can be made to * every minute.'
    assert bob.post('/servers', {'server': {}}).status_int == 400  # bob has his own
    rate = alice.get('/limits').json['limits']['rate']
    assert rate == [{'uri': '*', 'regex': '.*', 'limit': [{
        'verb': 'POST', 'value': 2, 'unit': 'MINUTE', 'remaining': 0,
        'next-available': rate[0]['limit'][0]['next-available']}]}]


def test_off_by_default_and_rate_is_empty(alice):
    assert not CONF.api_rate_limit
    for _ in range(5):
        assert alice.post('/servers', {'server': {}}).status_int == 400
    assert alice.get('/limits').json['limits']['rate'] == []


def test_bad_limits_stop_the_pipeline_at_start():
    CONF.set_override('api_rate_limit', True)
    CONF.set_override('api_rate_limits', '(POST, "*", .*, 2, WEEK)')
    try:
        with pytest.raises(exception.InvalidInput, match='api_rate_limits'):
            ratelimit.RateLimitingMiddleware(None)
    finally:
        CONF.clear_override('api_rate_limit')
        CONF.clear_override('api_rate_limits')
