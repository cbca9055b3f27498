"""Host weighers: rank the hosts that passed the filters; the highest weight wins.

Each weigher gives a raw value per host (``weigh_all``); the values are
normalised to 0..1 over the candidate hosts (between ``minval`` and ``maxval``
when a weigher fixes them, else the observed min and max; all 0 when every
host is equal) and added up, each times its multiplier. A positive multiplier
favours hosts with more of the weighed quantity (spreading), a negative one
hosts with less (stacking).
"""
import abc
import importlib

from nova import exception
from nova import utils
from nova.conf import CONF

_WEIGHER_MODULES = ('affinity', 'resources')


class BaseHostWeigher(abc.ABC):
    minval = None
    maxval = None

    @property
    def name(self):
        return type(self).__name__

    def weight_multiplier(self):
        return 1.0

    @abc.abstractmethod
    def weigh_all(self, host_states, spec):
        """One raw weight per host, in order; None when the request weighs all hosts alike."""


def all_weighers():
    """Every weigher class Nova ships (the default scheduler_weight_classes)."""
    classes = []
    for module_name in _WEIGHER_MODULES:
        module = importlib.import_module('%s.%s' % (__name__, module_name))
        classes.extend(obj for name, obj in vars(module).items()
                       if isinstance(obj, type) and issubclass(obj, BaseHostWeigher)
                       and obj.__module__ == module.__name__ and not name.startswith('_'))
    return classes


def load_weighers(paths=None):
    """Instances of the weigher classes that the paths (default: the flag) name."""
    weighers = []
    for path in CONF.scheduler_weight_classes if paths is None else paths:
        try:
            obj = utils.import_class(path)
        except ImportError as e:
            raise exception.ConfigError(reason='scheduler_weight_classes: %s' % e) from e
        weighers.extend(cls() for cls in (obj() if not isinstance(obj, type) else [obj]))
    return weighers


def weigh(weighers, host_states, spec):
    """The total normalised weight of each host, in the order of ``host_states``."""
    totals = None
    for weigher in weighers:
        multiplier = weigher.weight_multiplier()
        if not multiplier:
            continue
        raw = weigher.weigh_all(host_states, spec)
        if raw is None:
            continue
        low = min(raw) if weigher.minval is None else weigher.minval
        high = max(raw) if weigher.maxval is None else weigher.maxval
        if high == low:
            continue  # no host is better than another: every weight normalises to 0
        scale = multiplier / (high - low)
        if totals is None:
            totals = [(value - low) * scale for value in raw]
        else:
            totals = [total + (value - low) * scale for total, value in zip(totals, raw)]
    return totals if totals is not None else [0.0] * len(host_states)
