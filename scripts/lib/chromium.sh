# Debian's Chromium and ChromeDriver for the console's browser tests
# (/usr/bin/chromium, /usr/bin/chromedriver), installed with apt when missing.
chromium_install_if_missing() {
  if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    return
  fi
  echo "== installing chromium and chromium-driver (apt)"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
}
