"""The request id middleware: one id per request, in the header and the logs."""
import logging

import webob
import webob.dec

from nova import context as nova_context
from nova import log as nova_log
from nova.api import middleware


def test_request_id_header_and_log_lines(caplog):
    seen = {}

    @webob.dec.wsgify
    def app(req):
        seen['env'] = req.environ[middleware.ENV_REQUEST_ID]
        record = logging.LogRecord('t', logging.INFO, __file__, 1, 'hi', (), None)
        nova_log.ContextFilter().filter(record)
        seen['log'] = record.request_id
        return webob.Response(body=b'ok')

    wrapped = middleware.RequestId(app)
    first = webob.Request.blank('/').get_response(wrapped)
    rid = first.headers[middleware.REQUEST_ID_HEADER]
    assert rid.startswith('req-') and rid == seen['log'] == seen['env']
    second = webob.Request.blank('/').get_response(wrapped)
    assert second.headers[middleware.REQUEST_ID_HEADER] == seen['log'] != rid
    # still current for the access log line written after the response
    assert nova_context.get_current().request_id == seen['log']
