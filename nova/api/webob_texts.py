"""WebOb's default error texts, marked for translation.

An HTTP error raised without a message of its own (``webob.exc.HTTPNotFound()``,
a 405 from a router) carries WebOb's English explanation and title. The front
ends answer with ``marked(text)`` in their place: the same English, as a lazy
message (nova.i18n) that their fault renderers translate for the request.
tests/unit/api/test_webob_texts.py checks that the table still holds every
text of the WebOb in use.
"""
from nova.i18n import _

_MARKED = {str(message): message for message in (
    # explanations
    _('The server could not comply with the request since it is either malformed or '
      'otherwise incorrect.'),
    _('This server could not verify that you are authorized to access the document you '
      'requested. Either you supplied the wrong credentials (e.g., bad password), or your '
      'browser does not understand how to supply the credentials required.'),
    _('Access was denied to this resource.'),
    _('The resource could not be found.'),
    _('There was a conflict when trying to complete your request.'),
    _('This resource is no longer available. No forwarding address is given.'),
    _('Content-Length header required.'),
    _('Request precondition failed.'),
    _('The body of your request was too large for this server.'),
    _('The request URI was too long for this server.'),
    _('The Range requested is not available.'),
    _('Unable to process the contained instructions'),
    _('The client has sent too many requests in a given amount of time'),
    _('The server has either erred or is incapable of performing the requested '
      'operation.'),
    _('Bad gateway.'),
    _('The server is currently unavailable. Please try again at a later time.'),
    _('The gateway has timed out.'),
    # titles (the text of an error whose explanation is empty)
    _('Bad Request'), _('Unauthorized'), _('Forbidden'), _('Not Found'),
    _('Method Not Allowed'), _('Not Acceptable'), _('Conflict'), _('Gone'),
    _('Length Required'), _('Precondition Failed'), _('Request Entity Too Large'),
    _('Request-URI Too Long'), _('Unsupported Media Type'),
    _('Request Range Not Satisfiable'), _('Unprocessable Entity'), _('Too Many Requests'),
    _('Internal Server Error'), _('Not Implemented'), _('Bad Gateway'),
    _('Service Unavailable'), _('Gateway Timeout'),
)}
CODES = (400, 401, 403, 404, 405, 406, 409, 410, 411, 412, 413, 414, 415, 416, 422, 429,
         500, 501, 502, 503, 504)  # the statuses whose texts are marked


def marked(text):
    """text as a translatable message if it is one of WebOb's defaults, else as is."""
    return _MARKED.get(text, text) if isinstance(text, str) else text


def message(error):
    """What a webob HTTP error says (its explanation, else its title), translatable."""
    return marked(error.explanation or error.title)
