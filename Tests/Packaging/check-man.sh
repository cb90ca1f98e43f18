#!/bin/sh
# The man pages lint clean under mandoc, and every option of every command's --help is in
# licmgr(8): a new flag without its documentation fails here. BIN is the licmgr to ask.
set -eu
: "${BIN:?BIN must name the licmgr binary}"
if ! command -v mandoc >/dev/null 2>&1; then
  echo "check-man: mandoc is not installed (make setup installs it)" >&2
  exit 1
fi
# Warnings and errors only: STYLE notes such as "referenced manual not found" depend on the
# pages installed on this machine.
lint=$(mandoc -T lint -W warning man/licmgr.8 man/licmgr.conf.5 2>&1 || true)
if [ -n "$lint" ]; then
  echo "check-man: mandoc -T lint:" >&2
  echo "$lint" >&2
  exit 1
fi
page=$(mandoc -T utf8 man/licmgr.8 | col -b)

# The subcommand names of a --help text: the first word of the lines under SUBCOMMANDS.
subcommands() {
  "$BIN" "$@" --help | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^  [a-z]/ { print $1 } /^$/ { on = 0 }'
}

missing=0
checked=0
check() {
  for flag in $("$BIN" "$@" --help | awk '/^OPTIONS:/ { on = 1; next } on && /^  -/ { print }' |
    grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,'); do
    checked=$((checked + 1))
    if ! printf '%s\n' "$page" | grep -qE -- "(^|[^a-zA-Z-])$flag([^a-zA-Z-]|\$)"; then
      echo "check-man: 'licmgr $* $flag' is not in man/licmgr.8" >&2
      missing=$((missing + 1))
    fi
  done
}

check
for command in $(subcommands); do
  check "$command"
  for sub in $(subcommands "$command"); do check "$command" "$sub"; done
done
if [ "$checked" -lt 50 ]; then
  echo "check-man: only $checked options found in the --help texts: the parsing above is broken" >&2
  exit 1
fi
[ "$missing" -eq 0 ] || exit 1
echo "check-man: man pages lint clean; all $checked options of every --help are in licmgr(8)"
