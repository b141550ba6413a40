#!/usr/bin/env bash
# Prints the folder of the real inputs (editais, questions, reviews) that the tests read.
# COACH_SHARED_DATA wins; otherwise ../shared/data beside this checkout or, for a
# throwaway clone, beside the checkout it was cloned from. Exits 1 when none holds them.
set -euo pipefail

cd "$(dirname "$0")/.."
candidates=()
[ -n "${COACH_SHARED_DATA:-}" ] && candidates+=("$COACH_SHARED_DATA")
candidates+=("$(pwd)/../shared/data")
origin=$(git config --get remote.origin.url 2>/dev/null || true)
origin=${origin#file://}
case "$origin" in /*) candidates+=("$origin/../shared/data") ;; esac

for folder in "${candidates[@]}"; do
  if [ -f "$folder/editais/policia-rodoviaria-federal-2019.txt" ] \
    && [ -f "$folder/questions/oab-exams-2010-2018.json" ] \
    && [ -f "$folder/questions/enem-2024.jsonl" ] \
    && [ -f "$folder/reviews/fsrs-review-log.csv" ]; then
    (cd "$folder" && pwd)
    exit 0
  fi
done
echo "FAIL: the real inputs are in none of: ${candidates[*]} (set COACH_SHARED_DATA)" >&2
exit 1
