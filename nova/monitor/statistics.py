"""CloudWatch statistics over an archive's rows.

A row of the archive is the average (and min and max) rate over its interval;
in CloudWatch terms it stands for ``row seconds / step`` samples. A datapoint
of a period holds the rows that start in it: SampleCount counts their
samples, Sum adds them, Average is Sum / SampleCount, Minimum and Maximum
come from the MIN and MAX archives. Periods start at the query's start time;
a period without a known row has no datapoint (as AWS answers).
"""
from nova.monitor import metrics


def datapoints(store, path, metric, start, end, period, statistics):
    """[{'Timestamp': epoch, <statistic>: value..., 'Unit'}] of [start, end), by period."""
    step = store.step_of(path)
    names, rows = store.rows(path, start, end, period)
    column = names.index(metric.ds)
    scale = metrics.sample_scale(metric, step)
    buckets = {}
    for at, seconds, values in rows:
        avg_row, min_row, max_row = values['AVERAGE'], values['MIN'], values['MAX']
        average = avg_row[column]
        if average is None or at < start or at >= end:
            continue
        samples_per_row = max(seconds // step, 1)
        bucket = buckets.setdefault(start + (at - start) // period * period,
                                    [0, 0.0, None, None])
        bucket[0] += samples_per_row
        bucket[1] += average * scale * samples_per_row
        low = min_row[column] if min_row[column] is not None else average
        high = max_row[column] if max_row[column] is not None else average
        bucket[2] = low * scale if bucket[2] is None else min(bucket[2], low * scale)
        bucket[3] = high * scale if bucket[3] is None else max(bucket[3], high * scale)
    points = []
    for at in sorted(buckets):
        count, total, low, high = buckets[at]
        values = {'SampleCount': float(count), 'Sum': total, 'Average': total / count,
                  'Minimum': low, 'Maximum': high}
        point = {'Timestamp': at, 'Unit': metric.unit}
        point.update((name, values[name]) for name in statistics)
        points.append(point)
    return points


def merge_datapoints(parts, statistics):
    """One answer from the answers of several archives of an instance (the hosts it
    moved between), each asked for every statistic: datapoints of a period both
    have (the period of the move) add their samples up. Keeps ``statistics``."""
    buckets = {}
    for points in parts:
        for point in points:
            bucket = buckets.get(point['Timestamp'])
            if bucket is None:
                buckets[point['Timestamp']] = dict(point)
                continue
            bucket['SampleCount'] += point['SampleCount']
            bucket['Sum'] += point['Sum']
            bucket['Minimum'] = min(bucket['Minimum'], point['Minimum'])
            bucket['Maximum'] = max(bucket['Maximum'], point['Maximum'])
    merged = []
    for at in sorted(buckets):
        bucket = buckets[at]
        bucket['Average'] = bucket['Sum'] / bucket['SampleCount']
        merged.append(dict({'Timestamp': at, 'Unit': bucket['Unit']},
                           **{name: bucket[name] for name in statistics}))
    return merged


def merge_rates(parts):
    """One get_rates answer [first, seconds, [rate or None]] from the answers of several
    archives of an instance (the hosts it moved between; None: no archive there), on
    the grid of the first that has one. A row both have (the move's) is their mean:
    a rate is an average over the row, and each host saw part of it."""
    known = [part for part in parts if part]
    if not known:
        return None
    first, seconds, values = known[0]
    totals = [[value, 1] if value is not None else [0.0, 0] for value in values]
    for other_first, other_seconds, other_values in known[1:]:
        for index, value in enumerate(other_values):
            if value is None:
                continue
            at = other_first + index * other_seconds
            # every row of the grid the other row overlaps
            low = max((at - first) // seconds, 0)
            high = min(-(-(at + other_seconds - first) // seconds), len(totals))
            for slot in range(low, high):
                totals[slot][0] += value
                totals[slot][1] += 1
    return [first, seconds, [total / count if count else None for total, count in totals]]


def rates(store, path, metric, start, end, resolution):
    """(first, seconds, [rate or None]) of [start, end) in what graphs draw."""
    first, seconds, names, series = store.fetch(path, start, end, resolution)
    column = names.index(metric.ds)
    scale = metrics.rate_scale(metric)
    return first, seconds, [None if row[column] is None else row[column] * scale
                            for row in series['AVERAGE']]


def answer_statistics(store, queries):
    """get_statistics of the monitor RPC API over a store: for each query
    {instance_uuid, metric, start, end, period, statistics}, its datapoints ([] when the
    store has no archive of the instance, the metric is unknown or the range is empty:
    the front ends refuse an empty range, and rrdtool would fail on one)."""
    results = []
    for query in queries:
        path = store.find(query['instance_uuid'])
        metric = metrics.METRICS.get(query['metric'])
        if path is None or metric is None or int(query['end']) <= int(query['start']):
            results.append([])
            continue
        results.append(datapoints(store, path, metric, int(query['start']), int(query['end']),
                                  int(query['period']), query['statistics']))
    return results


def answer_rates(store, queries):
    """get_rates of the monitor RPC API over a store: for each query {instance_uuid,
    metric, start, end, resolution}, [first, seconds, [rate or None]], or None (also
    for an empty range)."""
    results = []
    for query in queries:
        path = store.find(query['instance_uuid'])
        metric = metrics.METRICS.get(query['metric'])
        if path is None or metric is None or int(query['end']) <= int(query['start']):
            results.append(None)
            continue
        results.append(list(rates(store, path, metric, int(query['start']), int(query['end']),
                                  int(query['resolution']))))
    return results
