"""Bucket policies: the JSON documents of Put/Get/DeleteBucketPolicy, checked
when set and evaluated with the ACLs on every request.

What is understood (anything else is 400 MalformedPolicy, never silently
ignored): Version 2012-10-17 or 2008-10-17; statements with Sid, Effect
(Allow, Deny), Principal ('*', {"AWS": ...}, {"CanonicalUser": ...}: a project
id, or arn:aws:iam::<project id>:root), Action or NotAction ('s3:...', with
'*' and '?'), Resource or NotResource (arn:aws:s3:::<this bucket>[/<key
pattern>]), and Condition with the String*, IpAddress/NotIpAddress and Bool
operators (each also ...IfExists) on aws:SourceIp, aws:SecureTransport,
aws:UserAgent, aws:Referer, aws:PrincipalType, s3:prefix, s3:delimiter,
s3:max-keys, s3:x-amz-acl, s3:VersionId.

An explicit Deny wins over everything but an admin (and the bucket owner's
own policy requests, so that an owner can always repair a policy); an Allow
grants what the ACLs do not.
"""
import dataclasses
import functools
import ipaddress
import re

import webob

from nova.api import request_input
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

VERSIONS = ('2012-10-17', '2008-10-17')
MAX_SIZE = 20 * 1024
ALLOW, DENY = 'Allow', 'Deny'
ARN_PREFIX = 'arn:aws:s3:::'
_IAM_ROOT = re.compile(r'^arn:aws:iam::([^:]+):root$')
CONDITION_KEYS = ('aws:sourceip', 'aws:securetransport', 'aws:useragent', 'aws:referer',
                  'aws:principaltype', 's3:prefix', 's3:delimiter', 's3:max-keys',
                  's3:x-amz-acl', 's3:versionid')
_STRING_OPS = ('StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase',
               'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike')
OPERATORS = _STRING_OPS + ('IpAddress', 'NotIpAddress', 'Bool')


@dataclasses.dataclass(frozen=True)
class Request:
    """What a statement is matched against."""

    project_id: str  # None: anonymous
    action: str  # 's3:GetObject'
    resource: str  # arn:aws:s3:::bucket[/key]
    values: dict  # condition key (lower case) -> value


def _malformed(message):
    return S3Error('MalformedPolicy', message)


def _as_list(value, what):
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise _malformed('%s must be a string or a list of strings' % what)
    return values


def _wildcard(pattern, ignore_case=False):
    regex = ''.join('.*' if c == '*' else '.' if c == '?' else re.escape(c) for c in pattern)
    return re.compile('^%s$' % regex, re.I if ignore_case else 0)


def _principals(value):
    """Frozen set of project ids, '*' for everyone."""
    if value == '*':
        return frozenset(['*'])
    if not isinstance(value, dict) or not value:
        raise _malformed('Invalid principal in policy')
    found = set()
    for kind, names in value.items():
        if kind not in ('AWS', 'CanonicalUser'):
            raise _malformed('Invalid principal in policy: %s' % kind[:40])
        for name in _as_list(names, 'Principal'):
            match = _IAM_ROOT.match(name)
            found.add(match.group(1) if match else name)
    return frozenset(found)


def _check_resource(pattern, bucket_name):
    if not pattern.startswith(ARN_PREFIX):
        raise _malformed('Policy has invalid resource')
    rest = pattern[len(ARN_PREFIX):]
    name = rest.partition('/')[0]
    if not _wildcard(name).match(bucket_name):
        raise _malformed('Action does not apply to any resource(s) in statement')
    return _wildcard(pattern)


def _conditions(value):
    """[(operator, if_exists, key, [values])]."""
    if not isinstance(value, dict):
        raise _malformed('Condition must be an object')
    found = []
    for operator, tests in value.items():
        base = operator[:-len('IfExists')] if operator.endswith('IfExists') else operator
        if base not in OPERATORS:
            raise _malformed('Policy has an invalid condition operator: %s' % operator[:60])
        if not isinstance(tests, dict):
            raise _malformed('Condition %s must be an object' % operator[:60])
        for key, values in tests.items():
            if key.lower() not in CONDITION_KEYS:
                raise _malformed('Policy has an invalid condition key: %s' % key[:60])
            values = [str(v).lower() if isinstance(v, bool) else v for v in
                      (values if isinstance(values, list) else [values])]
            values = _as_list(values, 'Condition value')
            if base in ('IpAddress', 'NotIpAddress'):
                try:
                    values = [ipaddress.ip_network(v, strict=False) for v in values]
                except ValueError:
                    raise _malformed('Invalid IP address or range in condition')
            found.append((base, operator != base, key.lower(), values))
    return found


@functools.lru_cache(maxsize=512)
def parse(text, bucket_name):
    """The statements of a policy document: a tuple of dicts; MalformedPolicy."""
    if len(text.encode('utf-8')) > MAX_SIZE:
        raise _malformed('Policies must be no larger than %d bytes' % MAX_SIZE)
    try:
        document = request_input.json_loads(text, 'The policy')
    except request_input.MalformedInput as e:
        raise _malformed('Policies must be valid JSON: %s' % e.format_message()[:100])
    if not isinstance(document, dict):
        raise _malformed('Policies must be valid JSON and the first byte must be {')
    if document.get('Version', VERSIONS[1]) not in VERSIONS:
        raise _malformed('The policy must contain a valid version string')
    statements = document.get('Statement')
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed('Missing required field Statement')
    parsed = []
    for statement in statements:
        if not isinstance(statement, dict):
            raise _malformed('Statement must be an object')
        unknown = set(statement) - {'Sid', 'Effect', 'Principal', 'Action', 'NotAction',
                                    'Resource', 'NotResource', 'Condition'}
        if unknown:
            raise _malformed('Unsupported field in statement: %s' % sorted(unknown)[0][:40])
        if statement.get('Effect') not in (ALLOW, DENY):
            raise _malformed('Invalid effect: %s' % str(statement.get('Effect'))[:20])
        if 'Principal' not in statement:
            raise _malformed('Missing required field Principal')
        if ('Action' in statement) == ('NotAction' in statement):
            raise _malformed('Missing required field Action')
        if ('Resource' in statement) == ('NotResource' in statement):
            raise _malformed('Missing required field Resource')
        action_field = 'Action' if 'Action' in statement else 'NotAction'
        actions = _as_list(statement[action_field], action_field)
        for action in actions:
            if action != '*' and not action.lower().startswith('s3:'):
                raise _malformed('Policy has invalid action')
        resource_field = 'Resource' if 'Resource' in statement else 'NotResource'
        resources = [_check_resource(r, bucket_name)
                     for r in _as_list(statement[resource_field], resource_field)]
        parsed.append({
            'effect': statement['Effect'],
            'principals': _principals(statement['Principal']),
            'actions': tuple(_wildcard(a, ignore_case=True) for a in actions),
            'not_action': action_field == 'NotAction',
            'resources': tuple(resources),
            'not_resource': resource_field == 'NotResource',
            'conditions': tuple(_conditions(statement.get('Condition', {}))),
        })
    return tuple(parsed)


def _condition_holds(operator, if_exists, key, values, request):
    present = request.values.get(key)
    if present is None:
        return if_exists or operator in ('StringNotEquals', 'StringNotEqualsIgnoreCase',
                                         'StringNotLike', 'NotIpAddress')
    if operator in ('IpAddress', 'NotIpAddress'):
        try:
            address = ipaddress.ip_address(present)
        except ValueError:
            return False
        inside = any(address in network for network in values)
        return inside if operator == 'IpAddress' else not inside
    if operator == 'Bool':
        return present.lower() in [v.lower() for v in values]
    if operator in ('StringLike', 'StringNotLike'):
        found = any(_wildcard(v).match(present) for v in values)
    elif operator.endswith('IgnoreCase'):
        found = present.lower() in [v.lower() for v in values]
    else:
        found = present in values
    return found if operator in ('StringEquals', 'StringEqualsIgnoreCase',
                                 'StringLike') else not found


def _applies(statement, request):
    principals = statement['principals']
    if '*' not in principals and request.project_id not in principals:
        return False
    acts = any(p.match(request.action) for p in statement['actions'])
    if acts == statement['not_action']:
        return False
    covers = any(p.match(request.resource) for p in statement['resources'])
    if covers == statement['not_resource']:
        return False
    return all(_condition_holds(*condition, request) for condition in statement['conditions'])


def decide(text, bucket_name, request):
    """DENY, ALLOW or None (the policy says nothing about this request)."""
    if not text:
        return None
    decision = None
    for statement in parse(text, bucket_name):
        if _applies(statement, request):
            if statement['effect'] == DENY:
                return DENY
            decision = ALLOW
    return decision


def is_public(text, bucket_name):
    """PolicyStatus: whether some statement allows everyone, unconditionally."""
    return any(s['effect'] == ALLOW and '*' in s['principals'] and not s['conditions']
               for s in parse(text, bucket_name)) if text else False


# ------------------------------------------------------------------ handlers

def get_policy(s3req):
    _bucket, text = s3req.bucket_config('policy', 'NoSuchBucketPolicy')
    return webob.Response(status=200, content_type='application/json', charset=None,
                          body=text.encode('utf-8'))


def put_policy(s3req):
    bucket = s3req.owned_bucket()
    try:
        text = s3req.read_body(MAX_SIZE + 1).decode('utf-8')
    except UnicodeDecodeError:
        raise _malformed('Policies must be UTF-8 JSON')
    parse(text, bucket.name)
    return s3req.set_bucket_config('policy', text, 204)


def delete_policy(s3req):
    return s3req.set_bucket_config('policy', None)


def get_policy_status(s3req):
    bucket, text = s3req.bucket_config('policy', 'NoSuchBucketPolicy')
    return xmlutil.response('PolicyStatus', [('IsPublic', is_public(text, bucket.name))])
