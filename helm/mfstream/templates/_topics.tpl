{{/*
mfstream.topics: the topic definitions of files/topics/*.properties (copies of the repository's
topics/, made by helm/sync-files.sh), as JSON {"topics": [{name, partitions, replicationFactor,
config: {key: value}}]}, sorted by file name. Use: (include "mfstream.topics" . | fromJson).topics

Parsed as strictly as the application's loader (io.mfstream.stream.topics.TopicDefinitions): lines
`key=value` (or `key: value`), `#` and `!` comment lines, blank lines; keys name, partitions,
replication.factor and config.*; anything else fails the render, naming the file and line.
Continuation lines and backslash escapes are refused rather than half-supported.
topics.replicationFactor, when above 0, replaces every file's replication.factor.
*/}}
{{- define "mfstream.topics" -}}
{{- $topics := list }}
{{- $files := dict }}
{{- $pattern := `^([^=:\s]+)\s*[=:]\s*(.*)$` }}
{{- range $path, $_ := .Files.Glob "files/topics/*.properties" }}
{{- $t := dict "config" dict }}
{{- range $i, $raw := splitList "\n" ($.Files.Get $path) }}
{{- $line := $raw | trimSuffix "\r" | trim }}
{{- $at := printf "%s line %d" $path (add1 $i) }}
{{- if and $line (not (hasPrefix "#" $line)) (not (hasPrefix "!" $line)) }}
{{- if contains "\\" $line }}
{{- fail (printf "%s: backslashes (escapes, continued lines) are not supported: %q" $at $line) }}
{{- end }}
{{- if not (regexMatch $pattern $line) }}
{{- fail (printf "%s: expected key=value, got %q" $at $line) }}
{{- end }}
{{- $key := regexReplaceAll $pattern $line "${1}" }}
{{- $value := regexReplaceAll $pattern $line "${2}" | trim }}
{{- if contains "'" $value }}
{{- fail (printf "%s: quotes are not supported in values: %q" $at $line) }}
{{- end }}
{{- if eq $key "name" "partitions" "replication.factor" }}
{{- if hasKey $t $key }}{{ fail (printf "%s: %s given twice" $at $key) }}{{ end }}
{{- $_ := set $t $key $value }}
{{- else if and (hasPrefix "config." $key) (gt (len $key) 7) }}
{{- $name := trimPrefix "config." $key }}
{{- if hasKey $t.config $name }}{{ fail (printf "%s: %s given twice" $at $key) }}{{ end }}
{{- $_ := set $t.config $name $value }}
{{- else }}
{{- fail (printf "%s: unknown key %q (allowed: name, partitions, replication.factor, config.<topic config>)" $at $key) }}
{{- end }}
{{- end }}
{{- end }}
{{- range $key := list "name" "partitions" "replication.factor" }}
{{- if not (hasKey $t $key) }}{{ fail (printf "%s: %s is missing" $path $key) }}{{ end }}
{{- end }}
{{- if or (not (regexMatch `^[a-zA-Z0-9._-]{1,249}$` $t.name)) (eq $t.name "." "..") }}
{{- fail (printf "%s: illegal topic name %q: use 1 to 249 of [a-zA-Z0-9._-], not . or .." $path $t.name) }}
{{- end }}
{{- range $key := list "partitions" "replication.factor" }}
{{- if not (regexMatch `^[1-9][0-9]{0,8}$` (get $t $key)) }}
{{- fail (printf "%s: %s must be an integer >= 1, got %q" $path $key (get $t $key)) }}
{{- end }}
{{- end }}
{{- if hasKey $files $t.name }}
{{- fail (printf "%s: topic %q is already defined in %s" $path $t.name (get $files $t.name)) }}
{{- end }}
{{- $_ := set $files $t.name $path }}
{{- $rf := get $t "replication.factor" }}
{{- if gt (int $.Values.topics.replicationFactor) 0 }}
{{- $rf = $.Values.topics.replicationFactor | int | toString }}
{{- end }}
{{- $topics = append $topics (dict "name" $t.name "partitions" $t.partitions "replicationFactor" $rf "config" $t.config "file" $path) }}
{{- end }}
{{- if not $topics }}
{{- fail "topics.mode needs the topic definitions in files/topics/*.properties, and there are none: run helm/sync-files.sh" }}
{{- end }}
{{- dict "topics" $topics | toJson }}
{{- end }}
