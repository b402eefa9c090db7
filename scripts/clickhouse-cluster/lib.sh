# Sourced by demo.sh and experiments.sh. Needs DIR (cluster dir of start.sh).
# q NODE SQL [curl args...]      runs SQL on NODE over HTTP, prints the body; returns 1 on HTTP != 200
# qs NODE 'k=v&k=v' SQL          same with URL settings
# post NODE 'k=v&..' SQL FILE    POSTs FILE as the data of an INSERT whose text is SQL (in the URL)
# urlenc STRING
. "$DIR/ports.env"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

port_of() { local v="HTTP_${1^^}"; echo "${!v}"; }
urlenc() {  # pure bash (a python start per INSERT would dominate the timings)
  local LC_ALL=C s=$1 i c out=
  for (( i = 0; i < ${#s}; i++ )); do
    c=${s:i:1}
    case $c in [a-zA-Z0-9.~_-]) out+=$c ;; *) printf -v c '%%%02X' "'$c"; out+=$c ;; esac
  done
  printf '%s' "$out"
}
PY=/usr/bin/python3; [[ -x $PY ]] || PY=python3

_curl() {  # port query-string [curl args]: prints body; returns 1 unless HTTP 200
  local port=$1 qs=$2; shift 2
  local out code
  out=$(curl -sS --max-time "${CURL_MAX_TIME:-60}" -w '\n%{http_code}' "http://127.0.0.1:$port/?$qs" "$@" 2>&1) || true
  code=${out##*$'\n'}; out=${out%$'\n'*}
  printf '%s' "$out"
  [[ $code == 200 ]]
}
q()    { local n=$1 sql=$2; shift 2; _curl "$(port_of "$n")" "" --data-binary "$sql" "$@"; }
qs()   { local n=$1 set=$2 sql=$3; shift 3; _curl "$(port_of "$n")" "$set" --data-binary "$sql" "$@"; }
post() { local n=$1 set=$2 sql=$3 file=$4; _curl "$(port_of "$n")" "${set:+$set&}query=$(urlenc "$sql")" --data-binary @"$file"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.3f", b-a}'; }
