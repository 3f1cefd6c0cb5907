#!/usr/bin/env bash
# Copies the files the chart serves from elsewhere in the repository into helm/mfstream/files/,
# because Helm can only read files inside the chart:
#   topics/*.properties                  -> helm/mfstream/files/topics/
#   monitoring/grafana/dashboards/*.json -> helm/mfstream/files/dashboards/ (when monitoring/ exists)
# The copies are replaced whole: a file removed or renamed at the source disappears from the chart.
# Run it after changing a topic or a dashboard, and commit the copies; the Helm tests
# (src/test/java/io/mfstream/helm) fail while a copy differs from its source.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
files="$root/helm/mfstream/files"

# sync SOURCE_DIR PATTERN DEST_DIR: make DEST_DIR's PATTERN files exactly SOURCE_DIR's.
sync() {
  local src="$1" pattern="$2" dest="$3"
  mkdir -p "$dest"
  find "$dest" -maxdepth 1 -type f -name "$pattern" -delete
  local n=0 f
  shopt -s nullglob
  for f in "$src"/$pattern; do
    cp -- "$f" "$dest/"
    n=$((n + 1))
  done
  shopt -u nullglob
  echo "$n file(s) from ${src#"$root"/}/ to ${dest#"$root"/}/"
}

if ! compgen -G "$root/topics/*.properties" >/dev/null; then
  echo "no topics/*.properties under $root: nothing to deploy" >&2
  exit 1
fi
sync "$root/topics" '*.properties' "$files/topics"

if [[ -d "$root/monitoring/grafana/dashboards" ]]; then
  sync "$root/monitoring/grafana/dashboards" '*.json' "$files/dashboards"
else
  echo "no monitoring/grafana/dashboards/: chart dashboards left as they are" >&2
fi
touch "$files/dashboards/.gitkeep"
