"""Logging set-up: every line carries the request id of the green thread's context.

``setup(binary)`` configures the root logger from the flags (or from a
``--log_config_append`` fileConfig file, re-read on SIGHUP by ``reload()``).
"""
import logging
import logging.config
import sys

from nova import context as nova_context
from nova import i18n
from nova.conf import CONF

FORMAT = ('%(asctime)s %(process)d %(levelname)s %(name)s '
          '[%(request_id)s %(user_id)s %(project_id)s] %(message)s')


class ContextFilter(logging.Filter):
    """Copy the current request's ids onto each record for the formatter."""

    def filter(self, record):
        ctx = nova_context.get_current()
        record.request_id = getattr(ctx, 'request_id', None) or '-'
        record.user_id = getattr(ctx, 'user_id', None) or '-'
        record.project_id = getattr(ctx, 'project_id', None) or '-'
        return True


def _lazy(value):
    """The lazy message behind a log argument: itself, or a Nova exception's."""
    if isinstance(value, i18n.Message):
        return value
    if isinstance(value, BaseException) and isinstance(getattr(value, 'message', None),
                                                       i18n.Message):
        return value.message
    return None


class TranslationFilter(logging.Filter):
    """Render a record's lazy message (nova.i18n._LW/_LE/_LC) and lazy arguments (a
    lazy message, a Nova exception) in the daemon's language before the formatter
    fills the placeholders in; other arguments are left alone."""

    def __init__(self, language):
        super().__init__()
        self.language = language

    def _render(self, value):
        lazy = _lazy(value)
        return value if lazy is None else i18n.translate(lazy, self.language)

    def filter(self, record):
        if self.language is None:
            return True  # English: str() of a lazy message is already English
        record.msg = self._render(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: self._render(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(self._render(arg) for arg in record.args)
        return True


_binary = None


def setup(binary):
    """Configure logging for one daemon; safe to call again (SIGHUP)."""
    global _binary
    _binary = binary
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    if CONF.log_config_append:
        logging.config.fileConfig(CONF.log_config_append, disable_existing_loggers=False)
    else:
        handler = (logging.FileHandler(CONF.log_file) if CONF.log_file
                   else logging.StreamHandler(sys.stderr))
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.DEBUG if CONF.debug else
                      logging.INFO if CONF.verbose else logging.WARNING)
        # a daemon's own start-up and shutdown lines are always worth seeing
        # and so are the Guru Meditation Reports an operator asked for
        for always_shown in ('nova.service', 'nova.guru'):
            logging.getLogger(always_shown).setLevel(
                logging.DEBUG if CONF.debug else logging.INFO)
    language = i18n.log_language()
    for handler in root.handlers:
        handler.addFilter(ContextFilter())
        handler.addFilter(TranslationFilter(language))
    for noisy in ('amqp', 'kombu', 'sqlalchemy', 'alembic', 'eventlet.wsgi.server'):
        if not CONF.debug:
            logging.getLogger(noisy).setLevel(logging.WARNING)


def reload():
    """SIGHUP: re-read the log configuration."""
    if _binary is not None:
        setup(_binary)
        logging.getLogger(__name__).info('Reloaded logging configuration')
