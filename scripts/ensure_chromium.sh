#!/usr/bin/env bash
# Ensure what the browser/PDF tests need is installed (Debian packages):
#   /usr/bin/chromium             -> chromium (+ fonts-noto-cjk)
#   a CJK font (fc-list :lang=zh) -> fonts-noto-cjk, so Chinese renders in screenshots
#   pdftotext                     -> poppler-utils
#   CMaps for Chinese PDF fonts   -> poppler-data (pdftotext reads STSong-Light text through them)
# Idempotent; prints one line per action and always one final line with the
# Chromium version. On failure: one-line reason on stderr, exit 1.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
ME="ensure_chromium"
LOG="$(mktemp -t ensure_chromium.XXXXXX.log)"
trap 'rm -f "$LOG"' EXIT

say() { echo "$ME: $*"; }
die() {
    echo "$ME: ERROR: $*" >&2
    exit 1
}
trap 'die "unexpected failure (line $LINENO, exit $?)"' ERR

SUDO=()
if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo not available"
    SUDO=(sudo -n)
fi

has_cjk_font() {
    command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list :lang=zh family 2>/dev/null)" ]]
}

pkgs=()
# --no-install-recommends below skips upower/udev/printing GUI etc.; keep the
# one useful recommend, fonts-liberation (metric-compatible Arial/Times/Courier).
[[ -x "$CHROMIUM" ]] || pkgs+=(chromium fonts-noto-cjk fonts-liberation)
if ! has_cjk_font && [[ " ${pkgs[*]-} " != *" fonts-noto-cjk "* ]]; then
    pkgs+=(fonts-noto-cjk)
fi
command -v pdftotext >/dev/null 2>&1 || pkgs+=(poppler-utils)
[[ -d /usr/share/poppler/cMap/Adobe-GB1 ]] || pkgs+=(poppler-data)

if ((${#pkgs[@]})); then
    say "installing Debian package(s): ${pkgs[*]} (apt-get)"
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$LOG" 2>&1 ||
        ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "${pkgs[@]}" >>"$LOG" 2>&1; then
        tail -n 20 "$LOG" >&2 || true
        die "apt-get install ${pkgs[*]} failed"
    fi
    # Make freshly installed fonts visible to fontconfig right away.
    if command -v fc-cache >/dev/null 2>&1; then "${SUDO[@]}" fc-cache -s >/dev/null 2>&1 || true; fi
fi

[[ -x "$CHROMIUM" ]] || die "$CHROMIUM still missing after install"
has_cjk_font || die "no CJK font found by 'fc-list :lang=zh' after installing fonts-noto-cjk"
command -v pdftotext >/dev/null 2>&1 || die "pdftotext still missing after installing poppler-utils"
[[ -d /usr/share/poppler/cMap/Adobe-GB1 ]] || die "poppler-data CMaps missing after install"

version="$("$CHROMIUM" --version 2>/dev/null | head -n 1)" || die "'$CHROMIUM --version' failed"
[[ -n "$version" ]] || die "'$CHROMIUM --version' printed nothing"
say "OK: $version at $CHROMIUM (CJK font and pdftotext present)"
