#!/bin/sh
# Prints criterion's median for every benchmark of the last run and, in groups with a `floor`,
# the ratio webtoken/floor. Usage: benches/medians.sh [target/criterion]
dir=${1:-target/criterion}
find "$dir" -path '*/new/estimates.json' | sort | while read -r f; do
    id=${f#"$dir"/}; id=${id%/new/estimates.json}
    printf '%s %s\n' "$id" "$(jq -r '.median.point_estimate' "$f")"
done | awk '
    { m[$1] = $2; order[n++] = $1 }
    END {
        printf "%-42s %12s %8s\n", "benchmark", "median", "x floor"
        for (i = 0; i < n; i++) {
            id = order[i]; ns = m[id]; ratio = ""
            if (id ~ /\/webtoken/) { f = id; sub(/\/webtoken/, "/floor", f); if (f in m) ratio = sprintf("%.2f", ns / m[f]) }
            unit = ns >= 1000 ? sprintf("%.2f us", ns / 1000) : sprintf("%.0f ns", ns)
            printf "%-42s %12s %8s\n", id, unit, ratio
        }
    }'
