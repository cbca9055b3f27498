"""Graphs drawn by rrdtool: the size asked, and free text (titles, labels, legends a
CloudWatch widget or an instance name brings) shown as written, never parsed."""
import struct

import pytest

from nova.monitor import graphs, statistics

START = 1_800_000_000


def _drawn(monkeypatch, series, **kwargs):
    """(PNG, rrdtool's graph info, the arguments it was given) of one render."""
    seen = {}
    real = graphs.rrdtool.graphv

    def graphv(*args):
        seen['args'] = args
        seen['info'] = real(*args)
        return seen['info']
    monkeypatch.setattr(graphs.rrdtool, 'graphv', graphv)
    png = graphs.render(series, START, START + 600, 320, 140, **kwargs)
    return png, seen['info'], seen['args']


def test_text_is_shown_as_written(monkeypatch):
    series = [('CPU % busy: web01', START, 60, [10.0, 20.0, None, 40.0]),
              ('net\nin', START, 60, [1.0] * 10)]
    png, info, args = _drawn(monkeypatch, series, title='web01: CPU 50% of 2 vCPUs',
                             vertical_label='bytes/s')
    assert png[:8] == b'\x89PNG\r\n\x1a\n' and struct.unpack('>II', png[16:24]) == (320, 140)
    assert args[args.index('--title') + 1] == 'web01: CPU 50% of 2 vCPUs'
    assert args[args.index('--vertical-label') + 1] == 'bytes/s'
    assert info['legend[0]'].strip() == 'CPU % busy: web01'
    assert info['legend[1]'].strip() == 'net in'


def test_nothing_to_draw_is_an_empty_frame_of_the_size(monkeypatch):
    png, info, _args = _drawn(monkeypatch, [('cpu', START, 60, [])])
    assert struct.unpack('>II', png[16:24]) == (320, 140)
    assert (info['image_width'], info['image_height']) == (320, 140)


def test_rates_of_several_hosts_merge_on_the_first_ones_rows():
    """A moved instance's graph: the current host's rows, the rows other hosts have
    where it has none, the mean where both have one (each saw part of the row)."""
    here = [0, 60, [None, 10.0, None, None]]
    finer = [0, 30, [None, None, 20.0, 40.0, None, None, 30.0, None]]
    coarser = [0, 120, [None, 50.0]]
    assert statistics.merge_rates([here, None, finer, coarser]) == [
        0, 60, [None, pytest.approx(70.0 / 3), 50.0, 40.0]]
    assert statistics.merge_rates([None, None]) is None
