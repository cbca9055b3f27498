#!/usr/bin/env bash
# Extract the messages marked with nova.i18n._ into nova/locale/nova.pot and merge
# them into every language's nova.po: new messages arrive untranslated (no fuzzy
# guesses) and are shown in English until translated. doc/i18n.md says the rest.
# Usage: tools/i18n.sh            (extract + update)
#        tools/i18n.sh init LANG  (start a new language from the template)
set -euo pipefail
cd "$(dirname "$0")/.."
BABEL=${BABEL:-.venv/bin/pybabel}
POT=nova/locale/nova.pot
if [ "${1:-}" = init ]; then
    exec "$BABEL" init -D nova -i "$POT" -d nova/locale -l "$2"
fi
"$BABEL" -q extract -F babel.cfg -k _LW -k _LE -k _LC --sort-output --add-location=file \
    --project=nova --version=0.1.0 --msgid-bugs-address=https://github.com/openstack/nova \
    --copyright-holder="Nova contributors" -o "$POT" nova
if ls nova/locale/*/LC_MESSAGES/nova.po >/dev/null 2>&1; then
    "$BABEL" -q update -D nova -i "$POT" -d nova/locale --no-wrap --no-fuzzy-matching --ignore-pot-creation-date
fi
