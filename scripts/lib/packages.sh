# Shared helper for the scripts in scripts/: install Debian packages only when
# a command they provide is missing. Source it; it is not a command itself.
#
#   ensure_packages promtool:prometheus other-cmd:other-package ...
#
# Each argument is "COMMAND:PACKAGE". If every COMMAND is already on PATH,
# nothing is done (no apt-get at all). Otherwise `apt-get update` runs once,
# then `apt-get install -y --no-install-recommends` with the missing packages.

ensure_packages() {
    local pair cmd pkg
    local -a missing=()
    for pair in "$@"; do
        cmd=${pair%%:*}
        pkg=${pair#*:}
        if ! command -v "$cmd" >/dev/null 2>&1; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi

    echo "Installing Debian packages: ${missing[*]}"

    # We are root on CI and on the project's machines; elsewhere use sudo.
    local -a sudo=()
    if ((EUID != 0)); then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: need root (or sudo) to install: ${missing[*]}" >&2
            return 1
        fi
        sudo=(sudo)
    fi

    # Some packages (prometheus, for one) start a system service when they are
    # installed. We only want their tools, so unless the machine already has a
    # policy, add a temporary policy-rc.d that forbids starting services.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# added by the Vitals scripts during apt-get install\nexit 101\n' |
            "${sudo[@]}" tee "$policy" >/dev/null
        "${sudo[@]}" chmod 755 "$policy"
        added_policy=1
    fi

    local rc=0
    {
        "${sudo[@]}" apt-get update -qq &&
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } || rc=$?

    if ((added_policy)); then
        "${sudo[@]}" rm -f "$policy"
    fi
    if ((rc != 0)); then
        echo "error: apt-get failed (exit $rc) installing: ${missing[*]}" >&2
        return "$rc"
    fi

    # Check that the install really provided the commands.
    for pair in "$@"; do
        cmd=${pair%%:*}
        pkg=${pair#*:}
        if ! command -v "$cmd" >/dev/null 2>&1; then
            echo "error: installed package '$pkg' but '$cmd' is still not on PATH" >&2
            return 1
        fi
    done
}
