# SPDX-License-Identifier: MIT
# Bash completion (completion/leefbaar.bash) against the built executable: subcommands, long
# options, value choices, --outputs' comma list, files, verbs; and that the options it offers
# are exactly those of --help (it reads them from there, so a new option completes at once).
# Usage: completion.sh COMPLETION_FILE, with $LEEFBAAR the executable.
source "$(dirname "$0")/../cli/lib.sh"
# shellcheck disable=SC1090
source "$1"
complete -p leefbaar >/dev/null 2>&1 && ok "registers a completion for leefbaar" \
    || bad "no 'complete ... leefbaar'"

# each expectation runs in a subshell: read the help texts once here
for cmd in score change diagnose waterbed model demo; do
    _leefbaar_help "$LEEFBAAR" "$cmd" >/dev/null
done
_leefbaar_help "$LEEFBAAR" >/dev/null

# complete WORDS...: COMPREPLY for the last word, sorted, one line
complete_words() {
    COMP_WORDS=("$LEEFBAAR" "${@:1}")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _leefbaar
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() { # expect "WORDS" "EXPECTED"; words split at '=' as bash does (COMP_WORDBREAKS)
    local got w i words=()
    read -ra split <<<"$1"
    [[ $1 == *' ' ]] && split+=("")
    for i in "${!split[@]}"; do
        w=${split[i]}
        while [[ $w == *=* ]]; do
            [[ -n ${w%%=*} ]] && words+=("${w%%=*}")
            words+=("=")
            w=${w#*=}
        done
        # an empty word only where the cursor is: after a trailing space or '='
        [[ -n $w || $i -eq $((${#split[@]} - 1)) ]] && words+=("$w")
    done
    got=$(complete_words "${words[@]}")
    [[ $got == "$2" ]] && ok "'leefbaar $1' -> $2" || bad "'leefbaar $1' gave '$got', want '$2'"
}

expect "sc" "scan score"
expect "sca" "scan"
expect "d" "demo diagnose"
expect "--v" "--version"
expect "score --mo" "--mode --model"
expect "score --mode " "area grid"
expect "score --mode=" "area grid"
expect "score --outputs g" "geojson gpkg grid"
expect "score --outputs gpkg,g" "gpkg,geojson gpkg,grid"
expect "score -of " "COG GTiff"
expect "score --units " "grid"
expect "score --preview --ov" "--overwrite"
expect "score --geojson-crs " "rd rfc7946"
expect "change --dev-classes " "7 9"
expect "waterbed --placebo-mode " "areas auto units"
expect "waterbed --cluster " "auto focus gemeente unit wijk"
expect "demo --da" "--data"
expect "model " "check list"
expect "diagnose --gemeente-" "--gemeente-naam --gemeente-polygon"

# files: after an option that takes a path, and for a positional argument
mkdir -p "$TMP/models"
touch "$TMP/models/mine.yaml" "$TMP/models/other.yaml"
expect "score --model $TMP/models/mi" "$TMP/models/mine.yaml"
expect "score -i buurten=$TMP/models/o" "$TMP/models/other.yaml"
expect "demo $TMP/mod" "$TMP/models"

# no drift: "leefbaar CMD --" offers exactly the long options of its --help
for cmd in score change diagnose waterbed model demo; do
    want=$("$LEEFBAAR" "$cmd" --help | grep -oE -- '(^|[][ ,(|])--[A-Za-z][A-Za-z0-9-]*' |
        sed 's/^[^-]*//' | sort -u | tr '\n' ' ' | sed 's/ $//')
    got=$(complete_words "$cmd" "--")
    [[ -n $want && $got == "$want" ]] && ok "$cmd: the options of --help ($(wc -w <<<"$got"))" \
        || bad "$cmd --: got '$got', --help has '$want'"
done
finish
