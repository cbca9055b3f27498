"""JsonFilter: the query language over host attributes."""
import json

import pytest

from nova import exception
from nova.scheduler.filters import json_filter
from tests.unit.scheduler import fakes
from tests.unit.scheduler.fakes import passes

FILTER = json_filter.JsonFilter()


def query(q):
    return fakes.spec(scheduler_hints={'query': json.dumps(q)})


@pytest.fixture
def host():
    # 8192 MB, 4096 used; 8 vcpus, 2 used; 100 GB
    return fakes.host_state('h1', memory_mb_used=4096, vcpus_used=2)


@pytest.mark.parametrize('q, ok', [
    (['=', '$free_ram_mb', 4096], True),
    (['=', '$free_ram_mb', 4096, 4097], False),
    (['<', '$vcpus_used', 3], True),
    (['>', '$vcpus_used', 3], False),
    (['>=', '$free_disk_mb', 102400], True),
    (['<=', '$free_disk_mb', 1000], False),
    (['in', '$host', 'h0', 'h1'], True),
    (['in', '$host', 'h2'], False),
    (['not', ['=', '$host', 'h1']], False),
    (['not', ['=', '$host', 'h2']], True),
    (['or', ['=', '$host', 'h2'], ['>', '$total_usable_ram_mb', 8000]], True),
    (['and', ['=', '$host', 'h1'], ['<', '$free_ram_mb', 1024]], False),
    (['=', '$capabilities.architecture', 'x86_64'], True),
    (['=', '$capabilities.nothing.deeper', 'x'], False),  # missing: dropped, too few args
    (['<', '$free_ram_mb', 'lots'], False),  # incomparable
    (['<', 1024, '$free_ram_mb'], True),
    (['and', ['=', '$host', 'h1'], ''], True),  # empty strings are dropped
    (['or', ['=', '$host', 'h2'], ['not', ['=', '$host', 'h2']]], True),
    ([], True),
])
def test_queries(host, q, ok):
    assert passes(FILTER, host, query(q)) is ok


def test_no_query_passes_everything(host):
    assert passes(FILTER, host, fakes.spec())


def test_bad_queries_say_what_is_wrong(host):
    with pytest.raises(exception.InvalidInput, match="unknown operator 'xor'"):
        FILTER.filter_all([host], query(['xor', True]))
    with pytest.raises(exception.InvalidInput, match=r'unknown variable \$_claims'):
        FILTER.filter_all([host], query(['=', '$_claims', 1]))
