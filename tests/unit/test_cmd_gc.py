"""Daemons settle the garbage collector once loaded (nova.cmd.common.settle_gc)."""
import gc

from nova.cmd import common


def _tracked(obj):
    return any(o is obj for o in gc.get_objects())


def test_settle_gc_freezes_what_is_loaded_and_collects_young_objects_less_often():
    threshold = gc.get_threshold()
    loaded = [['held until exit']]
    try:
        common.settle_gc()
        assert gc.get_freeze_count() > 10000  # the imported modules' objects
        assert not _tracked(loaded)  # no collection walks it any more
        later = [['a request\'s']]
        assert _tracked(later)
        assert gc.get_threshold() == (common.GC_YOUNG_THRESHOLD, threshold[1], threshold[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
