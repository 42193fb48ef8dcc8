# SPDX-License-Identifier: MIT
# Bash completion for leefbaar. Nothing here lists options by hand: the subcommands come from
# `leefbaar --help`, each subcommand's options, which of them take a value, and the value
# choices written as a|b|c (and --outputs' list) from `leefbaar COMMAND --help` of the very
# executable being completed, read once per shell and cached. So the completion follows the
# tool it completes, installed or from a build tree.

# -g: bash-completion sources this file inside a function
declare -gA _leefbaar_cache

# _leefbaar_help EXE [COMMAND]: the help text, cached in _leefbaar_cache (filled only when called
# in the completing shell itself, not in a $(...) subshell: _leefbaar primes it).
_leefbaar_help()
{
    local key="$1|${2-}"
    if [[ -z ${_leefbaar_cache[$key]+set} ]]; then
        _leefbaar_cache[$key]=$("$1" ${2:+"$2"} --help 2>/dev/null)
    fi
    printf '%s\n' "${_leefbaar_cache[$key]}"
}

# The subcommands: the first word of each line under "Commands:".
_leefbaar_commands()
{
    _leefbaar_help "$1" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p'
}

# The options of a subcommand: every -x / --long-name that starts a word in its help.
_leefbaar_options()
{
    _leefbaar_help "$1" "$2" |
        grep -oE '(^|[][ ,(|])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u
}

# 0 when OPTION takes a value: somewhere in the help it is followed by one space and a word
# ("--model M.yaml", "[--data DIR]"; a short alias by its long name and a word, "-o, --output
# OUTDIR"), not by the column of spaces before its description.
_leefbaar_takes_value()
{
    local opt=$3
    _leefbaar_help "$1" "$2" |
        grep -qE -- "(^|[][ ,(|])${opt}( [^ ]|=|, --[A-Za-z0-9-]+ [^ ])"
}

# The choices of OPTION written as "OPTION a|b|c" in the help, or --outputs' comma list; words
# in capitals (placeholders such as NAME in "NAME|grid") are dropped when a choice in lower
# case stands beside them.
_leefbaar_choices()
{
    local opt=$3 text alt lower=0 out=()
    text=$(_leefbaar_help "$1" "$2" |
        grep -oE -- "(^|[][ ,(|])${opt} [A-Za-z0-9]+(\|[A-Za-z0-9]+)+([] ,]|$)" | head -n 1)
    if [[ -z $text && $opt == --outputs ]]; then
        text=$(_leefbaar_help "$1" "$2" | grep -oE -- '\[--outputs [a-z,]+\]' | head -n 1)
        text=${text#*--outputs }
        text=${text%]}
        printf '%s\n' ${text//,/ }
        return
    fi
    [[ -z $text ]] && return
    text=${text#*${opt} }
    text=${text%%[] ,]*}
    local alts
    IFS='|' read -ra alts <<<"$text"
    for alt in "${alts[@]}"; do
        [[ $alt =~ ^[a-z0-9]+$ ]] && lower=1
    done
    for alt in "${alts[@]}"; do
        [[ $lower -eq 1 && $alt =~ ^[A-Z][A-Z0-9_]*$ ]] && continue
        out+=("$alt")
    done
    printf '%s\n' "${out[@]}"
}

_leefbaar_files()
{
    local IFS=$'\n'
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_leefbaar()
{
    local cur=${COMP_WORDS[COMP_CWORD]} cword=$COMP_CWORD
    local prev=""
    ((cword > 0)) && prev=${COMP_WORDS[cword - 1]}
    # "--opt=value" arrives as "--opt" "=" "value" (= is a word break): the option is before "=".
    if [[ $cur == = ]]; then
        prev=${COMP_WORDS[cword - 1]}
        cur=""
    elif [[ $prev == = ]] && ((cword > 1)); then
        prev=${COMP_WORDS[cword - 2]}
    fi
    local exe=${COMP_WORDS[0]}
    exe=${exe/#\~/$HOME}
    if ! [[ $exe == */* && -x $exe ]]; then
        exe=$(type -P -- "$exe" 2>/dev/null) || exe=$(type -P leefbaar 2>/dev/null) || return
    fi
    COMPREPLY=()

    _leefbaar_help "$exe" >/dev/null
    if ((cword == 1)); then
        local IFS=$'\n'
        mapfile -t COMPREPLY < <(compgen -W "$(_leefbaar_commands "$exe")"$'\n'"--help"$'\n'"--version" \
            -- "$cur")
        return
    fi
    local cmd=${COMP_WORDS[1]}
    [[ $cmd == -* ]] && return
    _leefbaar_help "$exe" "$cmd" >/dev/null

    if [[ $prev == -* ]] && _leefbaar_takes_value "$exe" "$cmd" "$prev"; then
        local choices
        choices=$(_leefbaar_choices "$exe" "$cmd" "$prev")
        if [[ -n $choices ]]; then
            local IFS=$'\n'
            if [[ $prev == --outputs ]]; then
                # a comma-separated list: complete its last item
                local done_items="" last=$cur item left=()
                if [[ $cur == *,* ]]; then
                    done_items=${cur%,*},
                    last=${cur##*,}
                fi
                for item in $choices; do # those not in the list yet
                    [[ ,$done_items == *",$item,"* ]] || left+=("$item")
                done
                mapfile -t COMPREPLY < <(compgen -W "${left[*]}" -P "$done_items" -- "$last")
                compopt -o nospace 2>/dev/null
            else
                mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
            fi
            return
        fi
        _leefbaar_files "$cur"
        return
    fi

    if [[ $cur == -* ]]; then
        local IFS=$'\n'
        mapfile -t COMPREPLY < <(compgen -W "$(_leefbaar_options "$exe" "$cmd")" -- "$cur")
        return
    fi
    if ((cword == 2)); then
        # verbs of the usage lines, e.g. "leefbaar model check M.yaml" and "leefbaar model list"
        local verbs
        verbs=$(_leefbaar_help "$exe" "$cmd" | grep -oE "leefbaar $cmd [a-z][a-z0-9-]*" |
            sed 's/.* //' | sort -u)
        if [[ -n $verbs ]]; then
            local IFS=$'\n'
            mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
            return
        fi
    fi
    _leefbaar_files "$cur"
}

complete -F _leefbaar leefbaar
