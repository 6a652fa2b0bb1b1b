# Shared set-up for scripts/site and scripts/test. Sourced, not run.
#
# Everything the project needs on a fresh machine is installed from here, so
# that a clean clone (CI) and a reader's laptop go through the same steps:
#   - Debian packages (the Fashion-MNIST files, and Chromium for the browser tests),
#   - a virtual environment in .venv with torch and cnnguide installed editable,
#   - MathJax from the npm registry, served by the site itself (no CDN).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export NO_MKDOCS_2_WARNING=1
# A MPLBACKEND inherited from the shell reaches the notebook kernels and makes
# inline figures vanish from the pages, so never let one through.
unset MPLBACKEND

TORCH_PINS=("torch==2.14.1" "torchvision==0.29.1")
MATHJAX_VERSION=3.2.2

log() { printf '\033[1m[cnnguide]\033[0m %s\n' "$*" >&2; }

# install_debian PKG... : apt-get install the packages that are missing.
install_debian() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# setup_venv EXTRAS : create .venv if missing and install cnnguide[EXTRAS] into it.
# Re-installs only when pyproject.toml or the requested extras change.
setup_venv() {
    local extras="$1"
    if [ ! -x .venv/bin/python ]; then
        log "creating .venv"
        python3 -m venv .venv
    fi
    local stamp=".venv/.cnnguide-$(cat pyproject.toml | sha1sum | cut -c1-12)-${extras//,/-}"
    if [ ! -f "$stamp" ]; then
        log "installing cnnguide[$extras] into .venv (torch comes from this machine's disk)"
        .venv/bin/python -m pip install -q --upgrade pip
        # Pin torch first: an open range would make pip fetch a multi-GB CUDA build.
        .venv/bin/python -m pip install -q "${TORCH_PINS[@]}"
        .venv/bin/python -m pip install -q -e ".[$extras]" "${TORCH_PINS[@]}"
        .venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null
        rm -f .venv/.cnnguide-*
        touch "$stamp"
    fi
    export PATH="$ROOT/.venv/bin:$PATH"
    export VIRTUAL_ENV="$ROOT/.venv"
}

# setup_mathjax : unpack MathJax 3 from the npm registry into docs/assets/mathjax.
setup_mathjax() {
    local dest="docs/assets/mathjax"
    [ -f "$dest/tex-mml-chtml.js" ] && return 0
    log "fetching mathjax@$MATHJAX_VERSION from the npm registry"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "mathjax@$MATHJAX_VERSION" >/dev/null)
    tar -xzf "$tmp"/mathjax-*.tgz -C "$tmp"
    mkdir -p "$dest/output/chtml/fonts" "$dest/input/tex"
    cp "$tmp/package/es5/tex-mml-chtml.js" "$dest/"
    # The CHTML output loads its fonts, and TeX loads rarely used extensions,
    # relative to the script's own URL: keep that layout.
    cp -r "$tmp/package/es5/output/chtml/fonts/woff-v2" "$dest/output/chtml/fonts/"
    cp -r "$tmp/package/es5/input/tex/extensions" "$dest/input/tex/"
    rm -rf "$tmp"
}
