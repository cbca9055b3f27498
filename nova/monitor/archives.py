"""One round-robin archive (an rrdtool RRD file) per instance, on the monitor's host.

Layout: ``<monitor_path>/<host>/<uuid>.rrd`` while the instance lives here,
``<monitor_path>/<host>/deleted/<uuid>.rrd`` after it was deleted or moved
away (its mtime is when: ``purge`` removes it after --monitor_keep_deleted_days),
back in place when the instance returns.

Every data source is a DERIVE of a cumulative counter (a counter that goes
back, as after a guest restarts, gives one unknown interval instead of a
negative rate); the heartbeat is three steps, so a missed sample is
interpolated and a longer silence (the monitor stopped, the host down) is a
gap exactly as long as the silence. Archives keep AVERAGE, MIN and MAX: an
hour at step resolution, a day at 5 minutes, a week at 30 minutes, a month
at 2 hours and a year at a day. A file is created under a temporary name and
linked into place, so a crash never leaves a half-made archive; rrdtool then
updates it in place, one row and its header per sample.

rrdtool is the ``rrdtool`` binding from PyPI (the upstream python-rrdtool,
the same module Debian ships as python3-rrdtool): it installs into the
virtualenv, building against librrd-dev (tools/install_build_deps.sh, which ``make
venv`` runs before pip).
"""
import logging
import math
import os
import tempfile
import time

import rrdtool

from nova.monitor import metrics

LOG = logging.getLogger(__name__)

CONSOLIDATIONS = ('AVERAGE', 'MIN', 'MAX')
# (resolution, span) in seconds of each archive; the first is at the step
ARCHIVES = ((None, 3600), (300, 86400), (1800, 7 * 86400), (7200, 31 * 86400),
            (86400, 366 * 86400))
XFF = 0.5  # a consolidated row is known when at least half of its samples are


def archive_shapes(step):
    """[(row seconds, row count)] of the archives of an RRD with that step."""
    shapes = []
    for resolution, span in ARCHIVES:
        steps = max(1, round((resolution or step) / step))
        shapes.append((steps * step, math.ceil(span / (steps * step))))
    return shapes


def rra_definitions(step):
    return ['RRA:%s:%s:%d:%d' % (cf, XFF, seconds // step, count)
            for seconds, count in archive_shapes(step) for cf in CONSOLIDATIONS]


class ArchiveStore:
    """The archives of one host's instances."""

    def __init__(self, root, host, step):
        self.dir = os.path.join(root, host)
        self.deleted_dir = os.path.join(self.dir, 'deleted')
        self.step = step
        os.makedirs(self.deleted_dir, exist_ok=True)
        self._steps = {}  # path -> the step it was created with

    def path(self, instance_uuid, deleted=False):
        return os.path.join(self.deleted_dir if deleted else self.dir, instance_uuid + '.rrd')

    def find(self, instance_uuid):
        """The archive of an instance, live or kept after deletion; None if neither."""
        for deleted in (False, True):
            path = self.path(instance_uuid, deleted)
            if os.path.exists(path):
                return path
        return None

    def live_uuids(self):
        return {name[:-4] for name in os.listdir(self.dir) if name.endswith('.rrd')}

    def create(self, instance_uuid, start):
        """Make the instance's archive, starting just before ``start``, unless it exists.

        An instance back on a host it left (moved away and back) takes up the archive
        set aside here: one archive per instance and host, so its older series is still
        answered (and never hidden or overwritten by a second one)."""
        path = self.path(instance_uuid)
        if os.path.exists(path):
            return path
        if self._restore(instance_uuid, start):
            return path
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix='.tmp-', suffix='.rrd')
        os.close(fd)
        try:
            rrdtool.create(tmp, '--start', str(int(start) - 1), '--step', str(self.step),
                           *['DS:%s:DERIVE:%d:0:U' % (ds, 3 * self.step)
                             for ds in metrics.DATA_SOURCES],
                           *rra_definitions(self.step))
            try:
                os.link(tmp, path)  # never replaces an archive made meanwhile
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
        return path

    def _restore(self, instance_uuid, start):
        """Put an archive set aside back in place, its counters cut just before
        ``start``: the first sample back is a new base, as in a new archive (a rate
        from the last sample before the instance left would span its time on other
        hosts, whose archives count it)."""
        path = self.path(instance_uuid)
        try:
            os.replace(self.path(instance_uuid, deleted=True), path)
        except FileNotFoundError:
            return False
        cut = '%.3f:%s' % (start - 0.001, ':'.join('U' * len(metrics.DATA_SOURCES)))
        try:
            rrdtool.update(path, cut)
        except rrdtool.OperationalError as e:  # its last sample is not before start
            LOG.debug('Archive of %s taken up without a cut: %s', instance_uuid, e)
        LOG.info('Instance %s is back: its archive set aside is taken up', instance_uuid)
        return True

    def update(self, instance_uuid, timestamp, counters):
        """Record one sample; False (logged) when rrdtool refuses it."""
        path = self.path(instance_uuid)
        if not os.path.exists(path):
            self.create(instance_uuid, timestamp)
        values = ':'.join(str(int(counters[ds])) for ds in metrics.DATA_SOURCES)
        try:
            rrdtool.update(path, '%.3f:%s' % (timestamp, values))
        except rrdtool.OperationalError as e:  # a sample not after the last one
            LOG.debug('Sample of %s not recorded: %s', instance_uuid, e)
            return False
        return True

    def step_of(self, path):
        step = self._steps.get(path)
        if step is None:
            step = self._steps[path] = int(rrdtool.info(path)['step'])
        return step

    def fetch(self, path, start, end, resolution):
        """(first row start, row seconds, {cf: [(ds values tuple)]}) of [start, end).

        rrdtool picks the archive that covers the range at the resolution closest
        to ``resolution``; row i covers [first + i * seconds, first + (i+1) * seconds).
        """
        series = {}
        first = seconds = names = None
        for cf in CONSOLIDATIONS:
            (first, _last, seconds), names, rows = rrdtool.fetch(
                path, cf, '-s', str(int(start)), '-e', str(int(end)), '-r', str(int(resolution)))
            series[cf] = rows
        return first, seconds, names, series

    def rows(self, path, start, end, resolution):
        """[(row start, row seconds, {cf: ds values tuple})] of [start, end): the rows of
        the archive rrdtool picks for the range, and for the recent part that finer
        archives still cover, theirs, finest last. So the last hour stays at step
        resolution whatever range is asked, and the current day (or week...) is counted
        from the 5-minute (or 30-minute...) rows instead of missing until its coarse row
        is complete."""
        step = self.step_of(path)
        last = int(rrdtool.last(path))
        rows, names = [], None
        covered, ask, coarser = start, resolution, None
        for _pass in range(len(ARCHIVES)):
            first, seconds, names, series = self.fetch(path, covered, end, ask)
            finer = [(row, count) for row, count in archive_shapes(step)
                     if row < seconds and (coarser is None or seconds < coarser)]
            if finer:
                # the next finer archive takes over at the first of these rows' boundaries
                # that it covers (its oldest row starts count rows before its newest ends)
                fine_row, count = max(finer)
                oldest = last - last % fine_row - count * fine_row
                fine_start = max(covered, -(-oldest // seconds) * seconds)
            else:
                fine_start = end
            for index in range(len(series['AVERAGE'])):
                at = first + index * seconds
                if at >= covered and (at + seconds <= fine_start or fine_start >= end):
                    rows.append((at, seconds,
                                 {cf: series[cf][index] for cf in CONSOLIDATIONS}))
                    covered = at + seconds
            if fine_start >= end:
                break
            covered, ask, coarser = max(covered, fine_start), fine_row, seconds
        return names, rows

    def archive(self, instance_uuid, now=None):
        """Move a gone instance's archive aside; it is kept for --monitor_keep_deleted_days."""
        path = self.path(instance_uuid)
        target = self.path(instance_uuid, deleted=True)
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return False
        now = now or time.time()
        os.utime(target, (now, now))
        self._steps.pop(path, None)
        return True

    def remove(self, instance_uuid):
        for deleted in (False, True):
            path = self.path(instance_uuid, deleted)
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            self._steps.pop(path, None)

    def purge(self, keep_seconds, now=None):
        """Remove archives of instances deleted more than keep_seconds ago; their uuids."""
        now = now or time.time()
        removed = []
        for name in os.listdir(self.deleted_dir):
            path = os.path.join(self.deleted_dir, name)
            if name.endswith('.rrd') and now - os.path.getmtime(path) >= keep_seconds:
                os.unlink(path)
                self._steps.pop(path, None)
                removed.append(name[:-4])
        return removed
