#!/bin/sh
# Creates the topics declared in topics/*.properties on a Kafka cluster, with kafka-topics.sh.
#
#   create-topics.sh BOOTSTRAP_SERVERS [TOPICS_DIR]      (TOPICS_DIR defaults to /topics)
#
# The same files the application's TopicDefinitions loader reads (topics/README.md): one topic
# per file, keys `name`, `partitions`, `replication.factor` and any number of `config.<topic
# config>`. Every file is checked before any topic is created, so a mistake in one file creates
# nothing. This parser accepts a strict subset of the .properties syntax (`key=value` lines,
# `#`/`!` comment lines, blank lines) and rejects the rest (line continuations, escapes, `:` or
# blank separators, a key given twice) rather than reading it differently from Java.
#
# Existing topics are left as they are (--if-not-exists): their partitions and configs are not
# changed. kafka-topics.sh is taken from PATH, then from /opt/kafka/bin (the apache/kafka image).
# POSIX sh: runs under dash and BusyBox ash.
set -eu

usage() {
  echo "usage: $0 BOOTSTRAP_SERVERS [TOPICS_DIR]" >&2
  exit 2
}

die() {
  echo "create-topics: $*" >&2
  exit 1
}

if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then usage; fi
bootstrap=$1
dir=${2:-/topics}
[ -n "$bootstrap" ] || usage
[ -d "$dir" ] || die "topic definitions folder $dir does not exist"

PATH="$PATH:/opt/kafka/bin"
command -v kafka-topics.sh >/dev/null 2>&1 \
  || die "kafka-topics.sh is neither on PATH nor in /opt/kafka/bin"

newline='
'
cr=$(printf '\r')

# A positive int32 in plain decimal (no sign, no leading zero): what Integer.parseInt accepts
# and Kafka needs, minus the spellings that mean the same number.
positive_int() { # FILE KEY VALUE MAX
  case $3 in
    '' | *[!0-9]* | 0*) die "$1: $2 must be an integer of at least 1, was '$3'" ;;
  esac
  if [ "${#3}" -gt 10 ] || [ "$3" -gt "$4" ]; then die "$1: $2 $3 is too large (at most $4)"; fi
}

# shellcheck disable=SC2094 # the loop reads FILE; only error messages name it
# Reads one definition file into name, partitions, replication_factor and configs (the topic
# configs as `key=value` lines, in file order).
parse() { # FILE
  name='' partitions='' replication_factor='' configs='' seen="$newline"
  # `|| [ -n "$line" ]` keeps a last line that has no newline.
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%"$cr"}
    # Strip leading white space.
    line=${line#"${line%%[![:space:]]*}"}
    case $line in
      '' | '#'* | '!'*) continue ;;
      *\\*) die "$1: escapes and line continuations are not supported: $line" ;;
      *=*) ;;
      *) die "$1: expected key=value: $line" ;;
    esac
    key=${line%%=*}
    value=${line#*=}
    key=${key%"${key##*[![:space:]]}"}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    case $key in
      '' | *[!A-Za-z0-9._-]*) die "$1: bad key '$key' in: $line" ;;
    esac
    case $seen in
      *"$newline$key$newline"*) die "$1: $key is given twice" ;;
    esac
    seen="$seen$key$newline"
    case $key in
      name) name=$value ;;
      partitions)
        positive_int "$1" "$key" "$value" 2147483647
        partitions=$value
        ;;
      replication.factor)
        positive_int "$1" "$key" "$value" 32767
        replication_factor=$value
        ;;
      config.?*)
        [ -n "$value" ] || die "$1: $key has no value"
        configs="$configs${key#config.}=$value$newline"
        ;;
      *)
        die "$1: unknown key '$key'; allowed are name, partitions, replication.factor" \
          "and config.<topic config>"
        ;;
    esac
  done <"$1"
  [ -n "$name" ] || die "$1: missing 'name'"
  [ -n "$partitions" ] || die "$1: missing 'partitions'"
  [ -n "$replication_factor" ] || die "$1: missing 'replication.factor'"
  case $name in
    . | .. | *[!A-Za-z0-9._-]*)
      die "$1: illegal topic name '$name': use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'"
      ;;
  esac
  [ "${#name}" -le 249 ] || die "$1: topic name '$name' is longer than 249 characters"
}

create() { # FILE
  parse "$1"
  set -- --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$replication_factor"
  while IFS= read -r config; do
    [ -z "$config" ] || set -- "$@" --config "$config"
  done <<EOF
$configs
EOF
  echo "create-topics: $name: partitions=$partitions replication.factor=$replication_factor" \
    "$(printf '%s' "$configs" | tr '\n' ' ')"
  kafka-topics.sh "$@"
}

# First pass: check every file, and that no two name the same topic.
found=false
names="$newline"
for file in "$dir"/*.properties; do
  [ -f "$file" ] || continue
  found=true
  parse "$file"
  case $names in
    *"$newline$name$newline"*) die "$file: topic '$name' is defined in another file too" ;;
  esac
  names="$names$name$newline"
done
[ "$found" = true ] || die "no topic definitions (*.properties) in $dir"

# Second pass: create them.
for file in "$dir"/*.properties; do
  [ -f "$file" ] || continue
  create "$file"
done
echo "create-topics: done"
