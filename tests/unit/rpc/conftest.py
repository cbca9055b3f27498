"""An in-process transport per test, and servers that are stopped afterwards."""
import pytest

from nova import rpc
from nova.conf import CONF
from nova.rpc import dispatcher
from tests.unit.rpc import fakes


@pytest.fixture
def transport():
    CONF.set_override('transport_url', 'inproc://')
    yield rpc.init()
    rpc.cleanup()


@pytest.fixture
def start_server(transport):
    """start_server(topic, host, endpoint=None, api=EchoAPI) -> (server, endpoint)."""
    servers = []

    def start(topic, host, endpoint=None, api=fakes.EchoAPI):
        endpoint = endpoint or fakes.Endpoint(host)
        server = rpc.get_server(topic, host, dispatcher.RPCDispatcher(api, endpoint, topic))
        server.start()
        servers.append(server)
        return server, endpoint

    yield start
    for server in servers:
        server.stop()
        server.wait(5)
