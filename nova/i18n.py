"""Translations: ``_`` marks a user-facing message; it is translated when shown.

Messages are lazy (oslo.i18n's Message, a str whose value is the English
text): an exception template is built at import time and a fault before the
request's language is known, so a message keeps its msgid and arguments and
``translate`` renders it in a language at the last moment. The API picks the
language from ``Accept-Language`` (``request_language``), nova-manage from
the user's locale (``user_language``); ``str()`` of a message is English,
which is what RPC carries.

Log messages at warning and above are marked with ``_LW`` (warning), ``_LE``
(error, exception) and ``_LC`` (critical), upstream oslo.i18n's markers: the
same lazy messages of the same catalog, kept apart so that a reader and
tests/unit/test_log_translation.py see which call logs what. The arguments
stay logging's %-style arguments, never formatted into the message first
(``LOG.warning(_LW('Instance %s is gone'), uuid)``), so that the catalog finds
the template; nova.log translates the message into the daemon's locale
(``log_language``) when the line is written.

Catalogs are ``nova/locale/LANG/LC_MESSAGES/nova.mo``, compiled from the
``.po`` files by the build (setup.py); ``doc/i18n.md`` says how to add one.
"""
import functools
import os

import oslo_i18n
from oslo_i18n._message import Message  # noqa: F401 -- what _() returns (nova.log)

DOMAIN = 'nova'
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'locale')
SOURCE_LANGUAGE = 'en_US'  # the language of the msgids: nothing to translate

# oslo.i18n finds a domain's catalogs through $NOVA_LOCALEDIR; an operator's wins
os.environ.setdefault('NOVA_LOCALEDIR', LOCALE_DIR)
oslo_i18n.enable_lazy()
_translators = oslo_i18n.TranslatorFactory(domain=DOMAIN)
_ = _translators.primary
# log messages (see above): translated into the daemon's locale when logged
_LW = _translators.primary
_LE = _translators.primary
_LC = _translators.primary


def _locale_dir():
    return os.environ.get('NOVA_LOCALEDIR') or LOCALE_DIR


@functools.lru_cache(maxsize=1)
def available_languages():
    """{lowercase tag: catalog name} of the languages with a compiled catalog."""
    found = {}
    try:
        names = os.listdir(_locale_dir())
    except OSError:
        return found
    for name in names:
        if os.path.exists(os.path.join(_locale_dir(), name, 'LC_MESSAGES', DOMAIN + '.mo')):
            found[name.lower().replace('-', '_')] = name
    return found


def _match(tag):
    """The catalog for one language tag (de-DE, de_DE.UTF-8, de), or None."""
    tag = tag.split('.')[0].split('@')[0].strip().lower().replace('-', '_')
    languages = available_languages()
    if tag in languages:
        return languages[tag]
    return languages.get(tag.split('_')[0])


def _is_english(tag):
    return tag.strip().lower().replace('-', '_').split('_')[0] in ('en', 'c', 'posix')


def request_language(request):
    """The catalog best matching the request's Accept-Language, or None (English).

    Ranges are taken by quality, then order; ``de-AT`` falls back to ``de``; an
    English range before any translated one keeps English.
    """
    header = request.headers.get('Accept-Language', '')
    ranges = []
    for position, item in enumerate(header.split(',')):
        tag, _sep, params = item.strip().partition(';')
        quality = 1.0
        for param in params.split(';'):
            name, _eq, value = param.strip().partition('=')
            if name == 'q':
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != '*' and quality > 0:
            ranges.append((-quality, position, tag))
    for _quality, _position, tag in sorted(ranges):
        if _is_english(tag):
            return None
        language = _match(tag)
        if language:
            return language
    return None


def user_language(environ=None):
    """The catalog for the user's locale, as gettext reads it (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG), or None (English)."""
    environ = os.environ if environ is None else environ
    for variable in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES', 'LANG'):
        value = environ.get(variable)
        if not value:
            continue
        for tag in value.split(':'):
            if _is_english(tag):
                return None
            language = _match(tag)
            if language:
                return language
        return None  # the first one set decides, as in Python's gettext
    return None


def log_language():
    """The language of this daemon's log lines: its locale, as nova-manage's
    (``LANG=de_DE.UTF-8 nova-compute ...`` logs in German), or None (English)."""
    return user_language()


def translate(message, language):
    """message in language (None: English); anything not lazy is returned as is."""
    return oslo_i18n.translate(message, language or SOURCE_LANGUAGE)
