"""PNG graphs drawn by rrdtool from series of rates.

A graph is drawn from series (label, first row start, row seconds, values)
rather than from an instance's archive directly, so that any process can draw
one: the monitor for the graphs it publishes and for nova-manage, nova-api
for a CloudWatch widget whose metrics live on several monitors. Each series
goes into a small temporary RRD (a GAUGE with the series' own resolution),
which rrdtool then graphs; the image is exactly width x height pixels.
"""
import os
import shutil
import tempfile

import rrdtool

from nova.monitor import archives, metrics

COLORS = ('#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
          '#7f7f7f', '#bcbd22', '#17becf')
MIN_SIZE, MAX_SIZE = 32, 2000  # pixels, either side
WIDTH, HEIGHT = 600, 200  # an instance graph's default size
_PLAIN = str.maketrans({'\\': '/', '\n': ' ', '\r': ' '})
_LEGEND = str.maketrans({':': r'\:', '\\': '/', '\n': ' ', '\r': ' '})


def _text(value):
    """Free text for a title or axis label (an argument of its own: printed as is)."""
    return str(value).translate(_PLAIN)[:200]


def _legend(value):
    """Free text for a LINE's legend, the last ':'-separated field of its argument (a ':'
    in it would start another field: escaped)."""
    return str(value).translate(_LEGEND)[:200]


def _series_rrd(directory, index, first, seconds, values):
    path = os.path.join(directory, 's%d.rrd' % index)
    rrdtool.create(path, '--start', str(int(first) - 1), '--step', str(int(seconds)),
                   'DS:v:GAUGE:%d:U:U' % (2 * seconds),
                   'RRA:AVERAGE:0.5:1:%d' % (len(values) + 2))
    rows = ['%d:%s' % (first + (i + 1) * seconds, 'U' if v is None else repr(float(v)))
            for i, v in enumerate(values)]
    for chunk in range(0, len(rows), 500):
        rrdtool.update(path, *rows[chunk:chunk + 500])
    return path


def render(series, start, end, width, height, title='', vertical_label=''):
    """PNG bytes of the series (each (label, first, seconds, values)) over [start, end)."""
    directory = tempfile.mkdtemp(prefix='nova-graph-')
    try:
        args = ['-', '--start', str(int(start)), '--end', str(int(end)),
                '--width', str(int(width)), '--height', str(int(height)), '--full-size-mode',
                '--imgformat', 'PNG', '--lower-limit', '0', '--slope-mode']
        if title:
            args += ['--title', _text(title)]
        if vertical_label:
            args += ['--vertical-label', _text(vertical_label)]
        for index, (label, first, seconds, values) in enumerate(series):
            if not values:
                continue
            path = _series_rrd(directory, index, first, seconds, values)
            args += ['DEF:s%d=%s:v:AVERAGE' % (index, path),
                     'LINE2:s%d%s:%s' % (index, COLORS[index % len(COLORS)], _legend(label))]
        if not any(values for _label, _first, _seconds, values in series):
            # nothing to draw: an empty frame of the requested size, as CloudWatch shows
            args += ['HRULE:0#00000000:no data']
        return rrdtool.graphv(*args)['image']
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# -- an instance's graphs: cpu, disk or network over the last hour ... year ------------

def resolution(period, step):
    """Seconds between two rows of the archive a period's graph is drawn from."""
    span = metrics.PERIODS[period]
    for row, archive_span in archives.ARCHIVES:
        if span <= archive_span:
            return max(row or step, step)
    return archives.ARCHIVES[-1][0]


def group_queries(instance_uuid, group, period, now, step):
    """The get_rates queries (monitor RPC API) of one instance graph, one per line."""
    end = int(now)
    start = end - metrics.PERIODS[period]
    return [{'instance_uuid': instance_uuid, 'metric': name, 'start': start, 'end': end,
             'resolution': resolution(period, step)} for name in metrics.GRAPHS[group][2]]


def render_group(group, period, queries, answers, width=WIDTH, height=HEIGHT, subject=''):
    """PNG of an instance graph from its group_queries and their get_rates answers
    (None, no data, draws no line); subject (the instance's name) heads the title."""
    title, vertical, names = metrics.GRAPHS[group]
    series = [(metrics.METRICS[name].label, *(answer or (0, 1, [])))
              for name, answer in zip(names, answers)]
    return render(series, queries[0]['start'], queries[0]['end'], width, height,
                  title='%s%s, last %s' % (subject and subject + ': ', title, period),
                  vertical_label=vertical)
