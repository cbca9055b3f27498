"""Lifecycle rules: Put/Get/DeleteBucketLifecycleConfiguration and the sweep
nova-objectstore runs every --s3_lifecycle_interval seconds to apply them.

A rule (Enabled or Disabled) selects keys by Filter (Prefix, Tag,
ObjectSizeGreaterThan/LessThan, or And of them; or the older top-level
Prefix) and has actions:

- Expiration Days or Date: a current version that old goes, as DeleteObject
  would remove it (a delete marker in a versioned bucket); S3 counts Days from
  the object's creation to the next midnight UTC. ExpiredObjectDeleteMarker:
  a delete marker with no older versions goes;
- NoncurrentVersionExpiration NoncurrentDays (NewerNoncurrentVersions kept):
  a version that many days after it stopped being current goes for good;
- AbortIncompleteMultipartUpload DaysAfterInitiation.

Transitions to other storage classes are NotImplemented: there is only
STANDARD here.
"""
import datetime
import logging

import eventlet

from nova import exception
from nova.conf import CONF
from nova.i18n import _, _LE
from nova.objectstore import keys
from nova.objectstore import listing
from nova.objectstore import request
from nova.objectstore import uploads
from nova.objectstore import versions
from nova.objectstore import xmlutil
from nova.objectstore.errors import S3Error

LOG = logging.getLogger(__name__)
MAX_RULES = 1000
DAY = 86400


# ------------------------------------------------------------------ parsing

def _positive(element, tag, what):
    text = element.findtext(tag)
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise S3Error('InvalidArgument', _("'%s' for %s action must be a positive integer")
                      % (tag, what), ArgumentName=tag, ArgumentValue=text[:20])
    return value


def _filter(rule):
    """{'prefix', 'tags', 'gt', 'lt'} of a rule's Filter (or legacy Prefix)."""
    found = {'prefix': '', 'tags': {}, 'gt': None, 'lt': None}
    element = rule.find('Filter')
    if element is None:
        found['prefix'] = rule.findtext('Prefix') or ''
        return found
    conjunction = element.find('And')
    source = conjunction if conjunction is not None else element
    found['prefix'] = source.findtext('Prefix') or ''
    for tag in source.findall('Tag'):
        if tag.findtext('Key') is None:
            raise S3Error('MalformedXML')
        found['tags'][tag.findtext('Key')] = tag.findtext('Value') or ''
    for name, tag in (('gt', 'ObjectSizeGreaterThan'), ('lt', 'ObjectSizeLessThan')):
        text = source.findtext(tag)
        if text is not None:
            try:
                found[name] = int(text)
            except ValueError:
                raise S3Error('InvalidArgument', _('%s must be a number') % tag,
                              ArgumentName=tag, ArgumentValue=text[:20])
    return found


def parse(document):
    """The rules of a LifecycleConfiguration document, as stored; S3's 400s."""
    rules, ids = [], set()
    for rule in document.findall('Rule'):
        status = rule.findtext('Status')
        if status not in ('Enabled', 'Disabled'):
            raise S3Error('MalformedXML')
        rule_id = rule.findtext('ID') or ''
        if len(rule_id) > 255:
            raise S3Error('InvalidArgument', _('ID length should not exceed allowed limit '
                          'of 255'), ArgumentName='ID', ArgumentValue=rule_id[:40])
        if rule_id and rule_id in ids:
            raise S3Error('InvalidArgument', _('Rule ID must be unique. Found same ID for '
                          'more than one rule'), ArgumentName='ID', ArgumentValue=rule_id)
        ids.add(rule_id)
        if rule.find('Transition') is not None or \
                rule.find('NoncurrentVersionTransition') is not None:
            raise S3Error('NotImplemented', _('Transitions are not supported: STANDARD is '
                          'the only storage class'))
        parsed = {'id': rule_id, 'enabled': status == 'Enabled', 'filter': _filter(rule)}
        expiration = rule.find('Expiration')
        if expiration is not None:
            days = _positive(expiration, 'Days', 'Expiration')
            date = expiration.findtext('Date')
            marker = expiration.findtext('ExpiredObjectDeleteMarker')
            if sum(x is not None for x in (days, date, marker)) != 1:
                raise S3Error('MalformedXML')
            if date is not None:
                when = request.parse_iso_date(date)
                if when is None or (when.hour, when.minute, when.second) != (0, 0, 0):
                    raise S3Error('InvalidArgument', _("'Date' must be at midnight GMT"),
                                  ArgumentName='Date', ArgumentValue=date[:40])
                date = when.isoformat()
            parsed['expiration'] = {'days': days, 'date': date,
                                    'marker': (marker or '').strip() == 'true'}
        noncurrent = rule.find('NoncurrentVersionExpiration')
        if noncurrent is not None:
            parsed['noncurrent'] = {
                'days': _positive(noncurrent, 'NoncurrentDays', 'NoncurrentVersionExpiration'),
                'keep': _positive(noncurrent, 'NewerNoncurrentVersions',
                                  'NoncurrentVersionExpiration') or 0}
            if parsed['noncurrent']['days'] is None:
                raise S3Error('MalformedXML')
        abort = rule.find('AbortIncompleteMultipartUpload')
        if abort is not None:
            parsed['abort_days'] = _positive(abort, 'DaysAfterInitiation',
                                             'AbortIncompleteMultipartUpload')
            if parsed['abort_days'] is None:
                raise S3Error('MalformedXML')
        if not any(name in parsed for name in ('expiration', 'noncurrent', 'abort_days')):
            raise S3Error('InvalidRequest', _('At least one action needs to be specified in '
                          'a rule'))
        rules.append(parsed)
    if not rules or len(rules) > MAX_RULES:
        raise S3Error('MalformedXML')
    return rules


def render(rules):
    children = []
    for rule in rules:
        f = rule['filter']
        conditions = ([('Prefix', f['prefix'])] if f['prefix'] or not (
            f['tags'] or f['gt'] or f['lt']) else [])
        conditions += [('Tag', [('Key', k), ('Value', v)]) for k, v in sorted(f['tags'].items())]
        conditions += [('ObjectSizeGreaterThan', f['gt']), ('ObjectSizeLessThan', f['lt'])]
        shown = [c for c in conditions if c[1] is not None]
        entry = [('ID', rule['id'] or None),
                 ('Filter', [('And', shown)] if len(shown) > 1 else shown),
                 ('Status', 'Enabled' if rule['enabled'] else 'Disabled')]
        if 'expiration' in rule:
            e = rule['expiration']
            entry.append(('Expiration', [('Days', e['days']), ('Date', e['date'] and (
                request.parse_iso_date(e['date']))), ('ExpiredObjectDeleteMarker',
                                                       True if e['marker'] else None)]))
        if 'noncurrent' in rule:
            n = rule['noncurrent']
            entry.append(('NoncurrentVersionExpiration', [
                ('NoncurrentDays', n['days']), ('NewerNoncurrentVersions', n['keep'] or None)]))
        if 'abort_days' in rule:
            entry.append(('AbortIncompleteMultipartUpload',
                          [('DaysAfterInitiation', rule['abort_days'])]))
        children.append(('Rule', entry))
    return xmlutil.response('LifecycleConfiguration', children)


# ------------------------------------------------------------------ handlers

def get_lifecycle(s3req):
    return render(s3req.bucket_config('lifecycle', 'NoSuchLifecycleConfiguration')[1])


def put_lifecycle(s3req):
    return s3req.set_bucket_config('lifecycle', parse(s3req.read_xml('LifecycleConfiguration')))


def delete_lifecycle(s3req):
    return s3req.set_bucket_config('lifecycle', None)


# ------------------------------------------------------------------ the sweep

def _selects(rule_filter, info):
    tags = info.attrs.get('tags') or {}
    if any(tags.get(k) != v for k, v in rule_filter['tags'].items()):
        return False
    if rule_filter['gt'] is not None and not info.size > rule_filter['gt']:
        return False
    return rule_filter['lt'] is None or info.size < rule_filter['lt']


def _expiry(expiration, created):
    """When a version created at `created` (a timestamp) expires, or None."""
    if expiration['date']:
        return request.parse_iso_date(expiration['date']).timestamp()
    if expiration['days']:
        midnight = (int(created) // DAY + 1) * DAY  # S3 rounds up to midnight UTC
        return midnight + expiration['days'] * DAY
    return None


def sweep_bucket(store, bucket, now):
    """Apply the bucket's enabled rules at time now; how many things went."""
    removed = 0
    for rule in bucket.config.get('lifecycle') or ():
        if not rule['enabled']:
            continue
        prefix = rule['filter']['prefix']
        if 'expiration' in rule or 'noncurrent' in rule:
            for key in listing.keys_in_either_tree(store, bucket, keys.Bounds(prefix)):
                removed += _sweep_key(store, bucket, rule, key, now)
        if rule.get('abort_days'):
            for upload in uploads.list_uploads(bucket):
                if upload.key.startswith(prefix) and \
                        upload.initiated.timestamp() + rule['abort_days'] * DAY <= now:
                    try:
                        uploads.abort(bucket, upload)
                        removed += 1
                    except exception.UploadNotFound:
                        pass
    return removed


def _sweep_key(store, bucket, rule, key, now):
    removed = 0
    current = store.current(bucket, key, markers=True)
    older = versions.noncurrent(bucket, key, current)
    expiration = rule.get('expiration')
    if expiration and current is not None:
        if current.attrs.get('delete_marker'):
            if expiration['marker'] and not older:
                versions.remove(store, bucket, key, versions.version_of(current.attrs))
                removed += 1
        elif _selects(rule['filter'], current):
            when = _expiry(expiration, current.mtime)
            if when is not None and when <= now:
                store.delete_object(bucket, key, marker_attrs={'acl': current.attrs.get('acl')})
                removed += 1
    noncurrent = rule.get('noncurrent')
    if noncurrent:
        newer = current
        for index, info in enumerate(older):
            # a version stopped being current when the next newer one was made
            since = newer.mtime if newer is not None else info.mtime
            newer = info
            if index < noncurrent['keep'] or not _selects(rule['filter'], info):
                continue
            if since + noncurrent['days'] * DAY <= now:
                versions.remove(store, bucket, key, versions.version_of(info.attrs))
                removed += 1
    return removed


def sweep(store, now=None):
    """Apply every bucket's lifecycle rules once; a bucket that fails is logged
    and the others still swept."""
    now = datetime.datetime.now(datetime.timezone.utc).timestamp() if now is None else now
    removed = 0
    for bucket in store.list_buckets():
        if bucket.config.get('lifecycle'):
            try:
                removed += sweep_bucket(store, bucket, now)
            except Exception:  # noqa: BLE001 -- one bucket must not stop the sweep
                LOG.exception(_LE('lifecycle sweep of bucket %s failed'), bucket.name)
    return removed


def start(store):
    """Sweep every --s3_lifecycle_interval seconds in a green thread (0: never)."""
    interval = CONF.s3_lifecycle_interval
    if not interval:
        return None

    def loop():
        while True:
            eventlet.sleep(interval)
            try:
                removed = sweep(store)
                if removed:
                    LOG.info('lifecycle rules removed %d versions and uploads', removed)
            except Exception:  # noqa: BLE001 -- keep sweeping
                LOG.exception(_LE('lifecycle sweep failed'))
    return eventlet.spawn(loop)
