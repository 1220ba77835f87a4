# Sourced by scripts/test, scripts/cluster and scripts/fuzz: installs the Debian packages the
# build needs, only those missing, and only when running as root (others get a clear message
# instead).
bank_packages=(g++ cmake make pkg-config libzmq3-dev cppzmq-dev nlohmann-json3-dev libsodium-dev
  libyaml-cpp-dev doctest-dev libcli11-dev libedit-dev libgoogle-perftools-dev python3 python3-zmq
  libcpp-httplib-dev jq lnav)  # cpp-httplib: bank-web's HTTP server. The last two: reading the logs (README), and the lnav format's test
# What the tests need besides (scripts/test): headless Chromium, which opens bank-trace's
# pictures and bank-web's dashboard (its form driven through the DevTools protocol) in the
# end-to-end tests; faketime, whose library sets a node's wall clock back and
# forward in the end-to-end clock test; iproute2 and nftables, which make the network
# namespaces and drop packets in the netns test.
bank_test_packages=(chromium faketime iproute2 nftables)
# The fuzz build's besides (scripts/fuzz): Clang, libFuzzer, and the sanitizers' runtimes.
bank_fuzz_packages=(clang libfuzzer-14-dev libclang-rt-14-dev)

# bank_missing PACKAGE...: prints those not installed.
bank_missing() {
  for p in "$@"; do
    # A here-string, not a pipe: scripts that source this run with pipefail (see scripts/cluster).
    grep -q "install ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" || echo "$p"
  done
}

# bank_have_packages PACKAGE...: true when all are installed.
bank_have_packages() { [ -z "$(bank_missing "$@")" ]; }

# bank_install_deps [PACKAGE...]: the build's packages, and any named.
bank_install_deps() {
  local missing
  mapfile -t missing < <(bank_missing "${bank_packages[@]}" "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

bank_build() {
  local root=$1
  cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build "$root/build" -j"$(nproc)"
}
