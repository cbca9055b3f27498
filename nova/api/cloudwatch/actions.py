"""The CloudWatch actions this cloud serves, for the AWS/EC2 namespace.

ListMetrics, GetMetricStatistics, GetMetricData and GetMetricWidgetImage over
the instance monitor's archives, with the InstanceId dimension (EC2 ids).
Validation follows AWS: a period of 1, 5, 10, 30 or a multiple of 60 seconds,
StartTime before EndTime, at most 1,440 datapoints per GetMetricStatistics,
the five statistics (no percentiles), each with AWS's error code. As on AWS, a
query on a metric, dimension or instance that has no data (another project's
instance included) is not an error: it answers no datapoints.
"""
import datetime
import json
import math
import re

from nova.api.cloudwatch.protocols import (CloudWatchError, invalid_combination,
                                           invalid_value, missing)
from nova.api.ec2 import faults as ec2_faults
from nova.api.ec2 import ids
from nova.i18n import _
from nova.monitor import metrics

ACTIONS = {}
MAX_DATAPOINTS = 1440  # GetMetricStatistics
MAX_DATA_QUERIES = 500
MAX_METRIC_DATA_POINTS = 100800
LIST_PAGE = 500
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 30)
_QUERY_ID = re.compile(r'^[a-z][a-zA-Z0-9_]{0,254}$')
_DURATION = re.compile(r'^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$')


def action(name):
    def register(func):
        ACTIONS[name] = func
        return func
    return register


class Call:
    def __init__(self, context, params, monitor):
        self.context, self.params, self.monitor = context, params, monitor


# -- parameters -------------------------------------------------------------------------

def _string(params, name, required=False, field=None):
    value = params.get(name)
    field = field or name
    if value is None or value == '':
        if required:
            raise missing(field)
        return None
    if not isinstance(value, str) or len(value) > 1024:
        raise invalid_value(_('The parameter %s must be a string of at most 1024 '
                            'characters.') % field)
    return value


def _integer(params, name, required=False, field=None, low=None):
    value = params.get(name)
    field = field or name
    if value is None or value == '':
        if required:
            raise missing(field)
        return None
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or (low is not None and number < low):
        if low is None:
            raise invalid_value(_('The parameter %s must be an integer, not %r.') % (
                field, value))
        raise invalid_value(_('The parameter %s must be an integer of at least %d, not %r.')
                            % (field, low, value))
    return number


def parse_time(value, field):
    """A timestamp as clients send it (datetime, epoch seconds, ISO 8601) -> aware UTC."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.datetime.fromtimestamp(float(text), datetime.timezone.utc)
        except ValueError:
            try:
                moment = datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
            except ValueError:
                raise invalid_value(_('The parameter %s must be a time stamp (ISO 8601 or '
                                    'seconds since the epoch), not %r.') % (field, value)) from None
    else:
        raise invalid_value(_('The parameter %s must be a time stamp.') % field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _time(params, name):
    if params.get(name) in (None, ''):
        raise missing(name)
    return parse_time(params[name], name)


def _list(params, name, field=None):
    value = params.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_value(_('The parameter %s must be a list.') % (field or name))
    return value


def _period(value, field):
    if value not in HIGH_RESOLUTION_PERIODS and value % 60:
        raise invalid_value(_('The parameter %s must be 1, 5, 10, 30 or a multiple of 60, '
                            'not %d.') % (field, value))
    return value


def _range(start, end):
    if start >= end:
        raise invalid_value(_('The parameter StartTime must be less than the parameter '
                            'EndTime.'))


def _aligned_start(start, period):
    """AWS rounds StartTime down to the period's granularity (a minute for 60 s,
    five minutes for 300 s, an hour for an hour or more)."""
    epoch = int(start.timestamp())
    return epoch - epoch % min(period, 3600)


def _epoch_time(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


def _dimensions(value, field):
    """[(name, value)] of a Dimensions list."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 30:
        raise invalid_value(_('The parameter %s must be a list of at most 30 '
                            'dimensions.') % field)
    pairs = []
    for index, item in enumerate(value, 1):
        item_field = '%s.member.%d' % (field, index)
        if not isinstance(item, dict):
            raise invalid_value(_('The parameter %s must be a dimension.') % item_field)
        pairs.append((_string(item, 'Name', True, item_field + '.Name'),
                      _string(item, 'Value', False, item_field + '.Value')))
    return pairs


def _instance_uuid(context, ec2_id):
    """The uuid an EC2 instance id stands for; None when it names nothing (no error:
    a dimension value is free text to CloudWatch)."""
    try:
        return ids.instance_uuid(context, ec2_id)
    except ec2_faults.Ec2Error:
        return None


def _target(call, namespace, metric_name, dimensions, unit):
    """(instance uuid, Metric) that a metric with these dimensions names, or None."""
    metric = metrics.METRICS.get(metric_name)
    if namespace != metrics.NAMESPACE or metric is None or unit not in (None, metric.unit):
        return None
    if len(dimensions) != 1 or dimensions[0][0] != metrics.DIMENSION or not dimensions[0][1]:
        return None
    instance_uuid = _instance_uuid(call.context, dimensions[0][1])
    return (instance_uuid, metric) if instance_uuid else None


def _query(target, start, end, period, statistics):
    return {'instance_uuid': target[0], 'metric': target[1].name, 'start': start,
            'end': int(end.timestamp()), 'period': period, 'statistics': list(statistics)}


# -- actions ------------------------------------------------------------------------------

@action('ListMetrics')
def list_metrics(call):
    params = call.params
    namespace = _string(params, 'Namespace')
    metric_name = _string(params, 'MetricName')
    filters = _dimensions(params.get('Dimensions'), 'Dimensions')
    token = _string(params, 'NextToken')
    offset = 0
    if token is not None:
        if not token.isdigit():
            raise CloudWatchError('InvalidNextToken', _('The NextToken %r is not valid.') % token,
                                  shape='InvalidNextToken')
        offset = int(token)
    found = []
    if namespace in (None, metrics.NAMESPACE):
        listed = call.monitor.list_metrics(call.context)
        ec2_ids = ids.ec2_ids(call.context, 'i', [uuid for uuid, _names in listed])
        for instance_uuid, names in listed:
            ec2_id = ec2_ids[instance_uuid]
            if any(name != metrics.DIMENSION or value not in (None, ec2_id)
                   for name, value in filters):
                continue
            found += [{'Namespace': metrics.NAMESPACE, 'MetricName': name,
                       'Dimensions': [{'Name': metrics.DIMENSION, 'Value': ec2_id}]}
                      for name in names if metric_name in (None, name)]
    page = found[offset:offset + LIST_PAGE]
    result = {'Metrics': page}
    if offset + LIST_PAGE < len(found):
        result['NextToken'] = str(offset + LIST_PAGE)
    return result


def _statistics(params):
    statistics = _list(params, 'Statistics')
    extended = _list(params, 'ExtendedStatistics')
    if statistics and extended:
        raise invalid_combination(_('Must specify either Statistics or ExtendedStatistics, '
                                  'but not both.'))
    if extended:
        raise invalid_value(_('The parameter ExtendedStatistics is not supported: this cloud '
                            'keeps no percentiles; use Statistics.'))
    if not statistics:
        raise CloudWatchError('MissingParameter', _('Must specify either Statistics or '
                              'ExtendedStatistics.'), shape='MissingRequiredParameterException')
    for index, name in enumerate(statistics, 1):
        if name not in metrics.STATISTICS:
            raise invalid_value(_('The parameter Statistics.member.%d must be a value in the '
                                'set [ %s ].') % (index, ', '.join(
                                    ('Minimum', 'Maximum', 'SampleCount', 'Sum', 'Average'))))
    return list(dict.fromkeys(statistics))


def _check_datapoints(start, end, period, limit):
    requested = math.ceil((int(end.timestamp()) - start) / period)
    if requested > limit:
        raise invalid_combination(
            _('You have requested up to %d datapoints, which exceeds the limit of %d. You may '
            'reduce the datapoints requested by increasing Period, or decreasing the time '
            'range.') % (requested, limit))
    return requested


@action('GetMetricStatistics')
def get_metric_statistics(call):
    params = call.params
    namespace = _string(params, 'Namespace', True)
    metric_name = _string(params, 'MetricName', True)
    dimensions = _dimensions(params.get('Dimensions'), 'Dimensions')
    start, end = _time(params, 'StartTime'), _time(params, 'EndTime')
    period = _period(_integer(params, 'Period', True, low=1), 'Period')
    statistics = _statistics(params)
    unit = _string(params, 'Unit')
    _range(start, end)
    aligned = _aligned_start(start, period)
    _check_datapoints(aligned, end, period, MAX_DATAPOINTS)
    target = _target(call, namespace, metric_name, dimensions, unit)
    points = []
    if target:
        points = call.monitor.get_statistics(
            call.context, [_query(target, aligned, end, period, statistics)])[0]
    for point in points:
        point['Timestamp'] = _epoch_time(point['Timestamp'])
    return {'Label': metric_name, 'Datapoints': points}


def _data_query(call, item, index):
    field = 'MetricDataQueries.member.%d' % index
    if not isinstance(item, dict):
        raise invalid_value(_('The parameter %s must be a query.') % field)
    query_id = _string(item, 'Id', True, field + '.Id')
    if not _QUERY_ID.match(query_id):
        raise invalid_value(_('The value %s for parameter %s.Id is invalid: it must start '
                            'with a lowercase letter and hold only letters, digits and '
                            'underscores.') % (query_id, field))
    if item.get('Expression'):
        raise invalid_value(_('The parameter %s.Expression is not supported: this cloud '
                            'evaluates no metric math; use MetricStat.') % field)
    stat = item.get('MetricStat')
    if not isinstance(stat, dict):
        raise missing(field + '.MetricStat')
    metric = stat.get('Metric')
    if not isinstance(metric, dict):
        raise missing(field + '.MetricStat.Metric')
    period = _period(_integer(stat, 'Period', True, field + '.MetricStat.Period', low=1),
                     field + '.MetricStat.Period')
    statistic = _string(stat, 'Stat', True, field + '.MetricStat.Stat')
    if statistic not in metrics.STATISTICS:
        raise invalid_value(_('The parameter %s.MetricStat.Stat must be one of %s, not %s '
                            '(no percentiles are kept).') % (
                                field, ', '.join(metrics.STATISTICS), statistic))
    return_data = item.get('ReturnData', True)
    return {
        'id': query_id,
        'label': _string(item, 'Label', False, field + '.Label'),
        'namespace': _string(metric, 'Namespace', True, field + '.MetricStat.Metric.Namespace'),
        'metric_name': _string(metric, 'MetricName', True,
                               field + '.MetricStat.Metric.MetricName'),
        'dimensions': _dimensions(metric.get('Dimensions'),
                                  field + '.MetricStat.Metric.Dimensions'),
        'period': period, 'stat': statistic,
        'unit': _string(stat, 'Unit', False, field + '.MetricStat.Unit'),
        'return': return_data not in (False, 'false'),
    }


@action('GetMetricData')
def get_metric_data(call):
    params = call.params
    items = _list(params, 'MetricDataQueries')
    if not items:
        raise missing('MetricDataQueries')
    if len(items) > MAX_DATA_QUERIES:
        raise invalid_value(_('The parameter MetricDataQueries holds %d queries; at most %d '
                            'are allowed.') % (len(items), MAX_DATA_QUERIES))
    start, end = _time(params, 'StartTime'), _time(params, 'EndTime')
    _range(start, end)
    scan_by = _string(params, 'ScanBy') or 'TimestampDescending'
    if scan_by not in ('TimestampDescending', 'TimestampAscending'):
        raise invalid_value(_('The parameter ScanBy must be TimestampDescending or '
                            'TimestampAscending.'))
    limit = _integer(params, 'MaxDatapoints', low=1) or MAX_METRIC_DATA_POINTS
    if _string(params, 'NextToken') is not None:
        raise CloudWatchError('InvalidNextToken', _('The NextToken is not valid: this cloud '
                              'answers every datapoint at once.'), shape='InvalidNextToken')
    queries = [_data_query(call, item, index) for index, item in enumerate(items, 1)]
    if len({q['id'] for q in queries}) != len(queries):
        raise invalid_value(_('The Id of each of MetricDataQueries must be unique.'))
    total = 0
    for query in queries:
        query['start'] = _aligned_start(start, query['period'])
        total += _check_datapoints(query['start'], end, query['period'],
                                   MAX_METRIC_DATA_POINTS)
    if total > limit:
        raise invalid_combination(_('The queries ask for up to %d datapoints, more than '
                                  'MaxDatapoints %d.') % (total, limit))
    targets = [_target(call, q['namespace'], q['metric_name'], q['dimensions'], q['unit'])
               for q in queries]
    wanted = [(q, t) for q, t in zip(queries, targets) if t and q['return']]
    answers = call.monitor.get_statistics(call.context, [
        _query(t, q['start'], end, q['period'], [q['stat']]) for q, t in wanted])
    points = {q['id']: answer for (q, _t), answer in zip(wanted, answers)}
    results = []
    for query in queries:
        if not query['return']:
            continue
        series = sorted(points.get(query['id'], []), key=lambda p: p['Timestamp'],
                        reverse=scan_by == 'TimestampDescending')
        results.append({'Id': query['id'], 'Label': query['label'] or query['metric_name'],
                        'Timestamps': [_epoch_time(p['Timestamp']) for p in series],
                        'Values': [p[query['stat']] for p in series],
                        'StatusCode': 'Complete'})
    return {'MetricDataResults': results, 'Messages': []}


def _widget_time(value, now, field):
    if value in (None, ''):
        return None
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match and any(match.groups()[1:]) or value.strip() in ('P0D', 'PT0S', '-P0D'):
            sign, weeks, days, hours, minutes, seconds = match.groups()
            delta = datetime.timedelta(weeks=int(weeks or 0), days=int(days or 0),
                                       hours=int(hours or 0), minutes=int(minutes or 0),
                                       seconds=int(seconds or 0))
            return now - delta if sign == '-' else now + delta
    return parse_time(value, 'MetricWidget.' + field)


def _widget_metrics(entries):
    """[(namespace, name, [(dimension, value)], options)] with '.' repeating the entry
    before's field at that position, as CloudWatch widgets write them."""
    if not isinstance(entries, list) or not entries:
        raise invalid_value(_('The MetricWidget must hold a non-empty "metrics" list.'))
    parsed, previous = [], []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, list):
            raise invalid_value(_('Entry %d of the MetricWidget\'s metrics must be a list.')
                                % index)
        options = entry[-1] if entry and isinstance(entry[-1], dict) else {}
        fields = entry[:-1] if options or (entry and isinstance(entry[-1], dict)) else entry
        fields = [previous[i] if f == '.' and i < len(previous) else f
                  for i, f in enumerate(fields)]
        if len(fields) < 2 or len(fields) % 2 or not all(isinstance(f, str) for f in fields):
            raise invalid_value(_('Entry %d of the MetricWidget\'s metrics must be [namespace, '
                                'metric name, dimension name, dimension value, ...].') % index)
        previous = fields
        parsed.append((fields[0], fields[1], list(zip(fields[2::2], fields[3::2])), options))
    return parsed


@action('GetMetricWidgetImage')
def get_metric_widget_image(call):
    # imported here: rrdtool (~5 MB per process) draws this action's images only
    from nova.monitor import graphs
    text = _string(call.params, 'MetricWidget', True)
    output = (_string(call.params, 'OutputFormat') or 'png').lower()
    if output not in ('png', 'image/png'):
        raise invalid_value(_('The parameter OutputFormat must be png, not %s.') % output)
    try:
        widget = json.loads(text)
    except ValueError as e:
        raise invalid_value(_('The parameter MetricWidget is not valid JSON: %s') % e) from None
    if not isinstance(widget, dict):
        raise invalid_value(_('The parameter MetricWidget must be a JSON object.'))
    if widget.get('view', 'timeSeries') != 'timeSeries':
        raise invalid_value(_('Only the timeSeries view is supported, not %r.') % widget['view'])
    width = _integer(widget, 'width', field='MetricWidget.width', low=graphs.MIN_SIZE) or 600
    height = _integer(widget, 'height', field='MetricWidget.height', low=graphs.MIN_SIZE) or 400
    if width > graphs.MAX_SIZE or height > graphs.MAX_SIZE:
        raise invalid_value(_('The MetricWidget\'s width and height must be at most %d pixels.')
                            % graphs.MAX_SIZE)
    now = datetime.datetime.now(datetime.timezone.utc)
    start = _widget_time(widget.get('start'), now, 'start') or now - datetime.timedelta(hours=3)
    end = _widget_time(widget.get('end'), now, 'end') or now
    _range(start, end)
    period = _period(_integer(widget, 'period', field='MetricWidget.period', low=1) or 300,
                     'MetricWidget.period')
    stat = widget.get('stat', 'Average')
    if stat not in metrics.STATISTICS:
        raise invalid_value(_('The MetricWidget\'s stat must be one of %s, not %r.') % (
            ', '.join(metrics.STATISTICS), stat))
    aligned = _aligned_start(start, period)
    buckets = _check_datapoints(aligned, end, period, MAX_METRIC_DATA_POINTS)
    lines = []
    for namespace, name, dimensions, options in _widget_metrics(widget.get('metrics')):
        line_stat = options.get('stat', stat)
        if line_stat not in metrics.STATISTICS:
            raise invalid_value(_('A metric\'s stat must be one of %s, not %r.') % (
                ', '.join(metrics.STATISTICS), line_stat))
        label = options.get('label') or ' '.join([name] + [v for _d, v in dimensions])
        lines.append((label, line_stat, _target(call, namespace, name, dimensions, None)))
    wanted = [(label, line_stat, target) for label, line_stat, target in lines if target]
    answers = call.monitor.get_statistics(call.context, [
        _query(target, aligned, end, period, [line_stat]) for _l, line_stat, target in wanted])
    series = []
    for (label, line_stat, _target_), points in zip(wanted, answers):
        values = [None] * buckets
        for point in points:
            slot = (point['Timestamp'] - aligned) // period
            if 0 <= slot < buckets:
                values[slot] = point[line_stat]
        series.append((label, aligned, period, values))
    image = graphs.render(series, aligned, int(end.timestamp()), width, height,
                          title=widget.get('title') or '', vertical_label='')
    return {'MetricWidgetImage': image}
