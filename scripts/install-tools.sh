#!/usr/bin/env bash
# Installs the pinned local services used by tests and the demo:
#   FerretDB (MongoDB wire protocol, SQLite backend), Prometheus Pushgateway, helm, and a
#   Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager)
# into ${MONGO2PG_TOOLS_DIR:-$HOME/.cache/mongo2pg/bin}, built from source through the
# Go module proxy, and from Debian if missing: the PostgreSQL server binaries, Prometheus and
# the openssl CLI.
#
# Idempotent: a tool is rebuilt only when its stamp or its own version report does not
# match the pin. Usage: scripts/install-tools.sh
#   [ferretdb|pushgateway|helm|postgres|etcd|kube|prometheus|openssl]... (no arguments = everything;
# `kube` is kube-apiserver and kube-controller-manager, built together).
set -euo pipefail

TOOLS_DIR="${MONGO2PG_TOOLS_DIR:-$HOME/.cache/mongo2pg/bin}"

# Bump when the build recipe below changes, so existing binaries are rebuilt.
RECIPE=2

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.0
PUSHGATEWAY_MODULE=github.com/prometheus/pushgateway
PUSHGATEWAY_VERSION=v1.11.1
HELM_MODULE=helm.sh/helm/v3
HELM_VERSION=v3.19.5
ETCD_MODULE=go.etcd.io/etcd/server/v3
ETCD_VERSION=v3.6.16
KUBE_MODULE=k8s.io/kubernetes
KUBE_VERSION=v1.34.4

log() { printf 'install-tools: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_go() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  else return 1
  fi
}

# The stamp records module, version and recipe; the binary must also report the pin
# itself (a binary from another recipe may carry the right module but not start).
is_current() { # name stamp-line expected-version-output version-args...
  local name=$1 stamp=$2 expect=$3; shift 3
  local bin="$TOOLS_DIR/$name"
  [ -x "$bin" ] || return 1
  [ "$(cat "$TOOLS_DIR/$name.stamp" 2>/dev/null)" = "$stamp" ] || return 1
  # Captured, not piped into `grep -q`: grep's early exit would SIGPIPE the tool and,
  # under pipefail, fail the check at random.
  local out
  out=$("$bin" "$@" 2>&1) || return 1
  [[ $out == *"$expect"* ]]
}

# Fetches MODULE@VERSION into the module cache and copies its source to a writable dir.
# `go install module@version` cannot be used: the proxy answers 403 for the module's
# version list, which `go install m@v` requests for its deprecation check. `go get m@v`
# inside a throwaway module does not need the list.
fetch_source() { # module version dest
  local module=$1 version=$2 dest=$3 work
  work=$(dirname "$dest")
  if ! (cd "$work" && "$GO" mod init mongo2pg-tools && "$GO" get "$module@$version") >"$work/get.log" 2>&1; then
    cat "$work/get.log" >&2
    die "could not fetch $module@$version through the Go module proxy"
  fi
  local dir
  dir=$(cd "$work" && "$GO" list -m -f '{{.Dir}}' "$module")
  [ -n "$dir" ] && [ -d "$dir" ] || die "module $module@$version not found in the module cache"
  cp -R "$dir" "$dest"
  chmod -R u+w "$dest"
}

# Builds the tool as the *main* module (like its own release build), so the tool's own
# go.mod (including any replace directives) decides the dependency versions.
build_tool() { # name module version package ldflags [prepare-fn]
  local name=$1 module=$2 version=$3 package=$4 ldflags=$5 prepare=${6:-}
  local work
  work=$(mktemp -d)
  WORK_DIRS+=("$work")
  fetch_source "$module" "$version" "$work/src"
  if [ -n "$prepare" ]; then "$prepare" "$work/src"; fi
  # Build beside the target and rename: a running service keeps its old inode.
  (cd "$work/src" && "$GO" build -trimpath -ldflags "$ldflags" -o "$TOOLS_DIR/.$name.$$" "$package")
  mv -f "$TOOLS_DIR/.$name.$$" "$TOOLS_DIR/$name"
  rm -rf "$work"
}

# FerretDB v1 panics at start-up unless build/version/version.txt exists (its release
# build generates it; the module zip does not carry it).
prepare_ferretdb() { # src
  printf '%s\n' "$FERRETDB_VERSION" >"$1/build/version/version.txt"
  printf 'source\n' >"$1/build/version/package.txt"
}

install_go_tool() { # name module version package ldflags prepare expect version-args...
  local name=$1 module=$2 version=$3 package=$4 ldflags=$5 prepare=$6 expect=$7; shift 7
  local stamp="$module $version recipe=$RECIPE"
  local start=$SECONDS
  if is_current "$name" "$stamp" "$expect" "$@"; then
    log "$name $version: cached ($TOOLS_DIR/$name)"
    return
  fi
  GO=$(find_go) || die "Go is required to build $name (expected /usr/local/go/bin/go)"
  log "$name $version: building from $module (this can take minutes on a cold Go cache)"
  build_tool "$name" "$module" "$version" "$package" "$ldflags" "$prepare"
  printf '%s\n' "$stamp" >"$TOOLS_DIR/$name.stamp"
  is_current "$name" "$stamp" "$expect" "$@" ||
    die "$name was built but does not report $expect: $("$TOOLS_DIR/$name" "$@" 2>&1 | head -5)"
  log "$name $version: built in $((SECONDS - start))s"
}

install_ferretdb() {
  install_go_tool ferretdb "$FERRETDB_MODULE" "$FERRETDB_VERSION" ./cmd/ferretdb "" \
    prepare_ferretdb "version: $FERRETDB_VERSION" --version
}

install_pushgateway() {
  # Same -X flags as the project's .promu.yml, so --version reports the pin.
  local v=${PUSHGATEWAY_VERSION#v} p=github.com/prometheus/common/version
  install_go_tool pushgateway "$PUSHGATEWAY_MODULE" "$PUSHGATEWAY_VERSION" . \
    "-X $p.Version=$v -X $p.Revision=$PUSHGATEWAY_VERSION -X $p.Branch=release -X $p.BuildUser=mongo2pg" \
    "" "version $v" --version
}

install_helm() {
  # As helm's Makefile: the version string, and the default Kubernetes version for
  # `helm template` derived from the client-go it is built with (v0.34 -> 1.34).
  # Without these helm reports "v3.19" and renders with .Capabilities.KubeVersion 1.20.
  # helm v3.19.5 requires k8s.io/client-go v0.34.2.
  local minor=34
  local ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
  install_go_tool helm "$HELM_MODULE" "$HELM_VERSION" ./cmd/helm "$ldflags" "" \
    "$HELM_VERSION" version --template '{{.Version}}'
}

install_etcd() {
  # etcd's main package is the server module's root; built inside a throwaway module
  # (not as the main module): etcd's go.mod only replaces its own sibling modules,
  # which resolve to the same tagged versions through the proxy.
  local name=etcd stamp="$ETCD_MODULE $ETCD_VERSION recipe=$RECIPE" start=$SECONDS
  if is_current "$name" "$stamp" "etcd Version: ${ETCD_VERSION#v}" --version; then
    log "$name $ETCD_VERSION: cached ($TOOLS_DIR/$name)"
    return
  fi
  GO=$(find_go) || die "Go is required to build $name (expected /usr/local/go/bin/go)"
  log "$name $ETCD_VERSION: building from $ETCD_MODULE (about 3 minutes on a cold Go cache)"
  local work
  work=$(mktemp -d)
  WORK_DIRS+=("$work")
  if ! (cd "$work" && "$GO" mod init mongo2pg-etcd && "$GO" get "$ETCD_MODULE@$ETCD_VERSION") >"$work/get.log" 2>&1; then
    cat "$work/get.log" >&2
    die "could not fetch $ETCD_MODULE@$ETCD_VERSION through the Go module proxy"
  fi
  (cd "$work" && "$GO" build -trimpath -ldflags "-s -w" -o "$TOOLS_DIR/.$name.$$" "$ETCD_MODULE")
  mv -f "$TOOLS_DIR/.$name.$$" "$TOOLS_DIR/$name"
  rm -rf "$work"
  printf '%s\n' "$stamp" >"$TOOLS_DIR/$name.stamp"
  is_current "$name" "$stamp" "etcd Version: ${ETCD_VERSION#v}" --version ||
    die "$name was built but does not report ${ETCD_VERSION#v}"
  log "$name $ETCD_VERSION: built in $((SECONDS - start))s"
}

install_kube() {
  # kube-apiserver and kube-controller-manager from one build (they share most
  # packages). k8s.io/kubernetes cannot be a plain dependency: its go.mod points the
  # k8s.io/* staging modules at ./staging/..., so a throwaway module repeats each of
  # those replaces with the published v0.X.Y of the same release, and keeps the
  # language defaults the release was built with (godebug). The -X flags are those of
  # Kubernetes' own build (hack/lib/version.sh); without them the server reports
  # v0.0.0-master, which a chart's kubeVersion constraint refuses.
  local names=(kube-apiserver kube-controller-manager) stamp="$KUBE_MODULE $KUBE_VERSION recipe=$RECIPE"
  local start=$SECONDS stale=() n
  for n in "${names[@]}"; do
    is_current "$n" "$stamp" "Kubernetes $KUBE_VERSION" --version || stale+=("$n")
  done
  if [ ${#stale[@]} -eq 0 ]; then
    log "kube-apiserver, kube-controller-manager $KUBE_VERSION: cached ($TOOLS_DIR)"
    return
  fi
  GO=$(find_go) || die "Go is required to build ${stale[*]} (expected /usr/local/go/bin/go)"
  log "${stale[*]} $KUBE_VERSION: building from $KUBE_MODULE (10-20 minutes and ~2 GB on a cold Go cache)"
  local work staging minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  staging="v0.${KUBE_VERSION#v1.}"
  work=$(mktemp -d)
  WORK_DIRS+=("$work")
  local gomod
  if ! gomod=$(cd "$work" && "$GO" mod init mongo2pg-kube 2>"$work/get.log" &&
    "$GO" mod download -json "$KUBE_MODULE@$KUBE_VERSION" 2>>"$work/get.log" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p'); then
    cat "$work/get.log" >&2
    die "could not fetch $KUBE_MODULE@$KUBE_VERSION through the Go module proxy"
  fi
  [ -f "$gomod" ] || die "go.mod of $KUBE_MODULE@$KUBE_VERSION not found in the module cache"
  local edits=(-require="$KUBE_MODULE@$KUBE_VERSION" -godebug=default=go1.24) m count=0
  for m in $(sed -n 's/^[[:space:]]*\(k8s\.io\/[^[:space:]]*\) => \.\/staging\/.*/\1/p' "$gomod"); do
    edits+=(-replace="$m=$m@$staging")
    count=$((count + 1))
  done
  [ "$count" -gt 0 ] || die "no staging replaces found in $gomod"
  (cd "$work" && "$GO" mod edit "${edits[@]}")
  local v=k8s.io/component-base/version ldflags="-s -w"
  ldflags+=" -X $v.gitVersion=$KUBE_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor"
  ldflags+=" -X $v.gitTreeState=clean -X $v.buildDate=1970-01-01T00:00:00Z"
  mkdir "$work/out"
  (cd "$work" && "$GO" build -trimpath -ldflags "$ldflags" -o "$work/out/" \
    "$KUBE_MODULE/cmd/kube-apiserver" "$KUBE_MODULE/cmd/kube-controller-manager")
  for n in "${names[@]}"; do
    mv -f "$work/out/$n" "$TOOLS_DIR/.$n.$$"
    mv -f "$TOOLS_DIR/.$n.$$" "$TOOLS_DIR/$n"
    printf '%s\n' "$stamp" >"$TOOLS_DIR/$n.stamp"
    is_current "$n" "$stamp" "Kubernetes $KUBE_VERSION" --version ||
      die "$n was built but does not report $KUBE_VERSION: $("$TOOLS_DIR/$n" --version 2>&1 | head -5)"
  done
  rm -rf "$work"
  log "kube-apiserver, kube-controller-manager $KUBE_VERSION: built in $((SECONDS - start))s"
}

apt_install() { # packages...
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing Debian packages $*; install them (needs root)"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

install_prometheus() {
  # Debian's build (2.42 on bookworm); only the binary is used, run by the test harness
  # with its own config and data dir (the package's service is not needed).
  local start=$SECONDS
  if command -v prometheus >/dev/null 2>&1; then
    log "prometheus: present ($(command -v prometheus))"
    return
  fi
  log "prometheus: installing the Debian package prometheus"
  apt_install prometheus
  log "prometheus: installed in $((SECONDS - start))s"
}

install_openssl() {
  # The test control plane issues its CA and certificates with the openssl CLI.
  if command -v openssl >/dev/null 2>&1; then
    log "openssl: present ($(command -v openssl))"
    return
  fi
  log "openssl: installing the Debian package openssl"
  apt_install openssl
}

install_postgres() {
  local start=$SECONDS
  if command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    log "postgresql: present ($(command -v initdb || compgen -G '/usr/lib/postgresql/*/bin/initdb' | head -1))"
    return
  fi
  log "postgresql: installing the Debian packages postgresql and postgresql-client"
  apt_install postgresql postgresql-client
  log "postgresql: installed in $((SECONDS - start))s"
}

WORK_DIRS=()
cleanup() { if [ ${#WORK_DIRS[@]} -gt 0 ]; then rm -rf "${WORK_DIRS[@]}"; fi; }
trap cleanup EXIT

export GOTOOLCHAIN=local # never download another Go toolchain
export GOFLAGS="-mod=mod -buildvcs=false"

# Several checkouts or test runs may share the tools dir: one installer at a time.
mkdir -p "$TOOLS_DIR"
# The holder writes who it is to .install.owner, so a waiter can say what it is waiting for.
if command -v flock >/dev/null 2>&1; then
  exec 9>>"$TOOLS_DIR/.install.lock"
  if ! flock -n 9; then
    waited_from=$SECONDS
    log "waiting for another install to finish (lock held by $(cat "$TOOLS_DIR/.install.owner" 2>/dev/null || echo 'an unknown process'); lock file $TOOLS_DIR/.install.lock)"
    until flock -w 30 9; do log "still waiting for the tool lock ($((SECONDS - waited_from))s so far)"; done
    log "got the tool lock after $((SECONDS - waited_from))s"
  fi
  printf 'pid %s (%s), since %s\n' "$$" "install-tools.sh ${*:-everything}" "$(date -u +%H:%M:%SZ)" >"$TOOLS_DIR/.install.owner"
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(postgres prometheus openssl ferretdb pushgateway helm etcd kube)
for t in "${targets[@]}"; do
  case "$t" in
    postgres | prometheus | openssl | ferretdb | pushgateway | helm | etcd | kube) "install_$t" ;;
    *) die "unknown tool '$t' (known: postgres prometheus openssl ferretdb pushgateway helm etcd kube)" ;;
  esac
done
