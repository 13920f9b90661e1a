# Sourced by the session scripts under results/h200-ab-*/ (bash): alternating A/B runs of prefill, one results file per run,
# named TAG-VARIANT-REP.json so that scripts/gpu/ab-table.py DIR b summarizes them (s35 call 4 first; before, each script
# carried its own copy).
#
#   source scripts/gpu/ab-pairs.sh
#   AB_JAR=jar AB_OUT=dir AB_START=$(date +%s) [AB_BUDGET=585]      # the call's start and seconds (call-setup.sh sets both)
#   CH=choices-x.json ab_pairs TAG REPS [prefill options ...]   # REPS pairs, b then a on odd reps, a then b on even ones
#   python3 scripts/gpu/ab-table.py "$AB_OUT" b
#
# b runs the jar's bundled rows, a adds --impl-choices $AB_CHOICES_DIR/$CH (AB_CHOICES_DIR defaults to the jar's folder);
# with AB_JAR_A set, a runs that jar instead, with no choices file (a kernel or rule change against its parent); with AB_OPTS_A
# set (e.g. "--l2-persist max"), a runs the same jar with those prefill options instead of a choices file (an engine option).
# With AB_PIN_LAYOUT=1 (choices pairs only) both sides lay their buffers out over both sides' plans (prefill --layout-with:
# b with the candidate file, a with the jar's bundled rows), so a row that changes the layout moves no buffer between them (v82).
# Each run gets at most 60 s and never past AB_START + AB_BUDGET; a failed run prints its name and the loop goes on.
ab_left() {  # the seconds a step may take: at most $1, and no later than the call's budget
  local l=$(( ${AB_BUDGET:-585} - ($(date +%s) - ${AB_START:?set AB_START to the call start, date +%s}) ))
  [ "$l" -lt "$1" ] && echo "$l" || echo "$1"
}
ab_one() {  # VARIANT NAME [prefill options ...]
  local v=$1 out=$AB_OUT/$2.json; shift 2
  local extra=() jar=$AB_JAR
  if [ "$v" = a ] && [ -n "${AB_OPTS_A:-}" ]; then
    read -r -a extra <<< "$AB_OPTS_A"
  elif [ "$v" = a ] && [ -n "${AB_JAR_A:-}" ]; then
    jar=$AB_JAR_A
  elif [ "$v" = a ] || [ "${AB_PIN_LAYOUT:-0}" = 1 ]; then
    local ch="${AB_CHOICES_DIR:-$(dirname "$AB_JAR")}/${CH:?set CH to the candidate choices file}"
    if [ "$v" = a ]; then
      extra=(--impl-choices "$ch")
      [ "${AB_PIN_LAYOUT:-0}" = 1 ] && extra+=(--layout-with bundled)
    else
      extra=(--layout-with "$ch")
    fi
  fi
  timeout "$(ab_left 60)" java --enable-native-access=ALL-UNNAMED -jar "$jar" prefill --no-progress "${extra[@]}" "$@" \
    --json "$out" > "${out%.json}.txt" 2>&1 || echo "$out failed"
}
ab_pairs() {  # TAG REPS [prefill options ...]
  local tag=$1 n=$2 rep v vs; shift 2
  mkdir -p "$AB_OUT"
  for rep in $(seq 1 "$n"); do
    vs="b a"; [ $((rep % 2)) = 0 ] && vs="a b"
    for v in $vs; do ab_one "$v" "$tag-$v-$rep" "$@"; done
    echo "$tag pair $rep $(( $(date +%s) - AB_START )) s"
  done
}
