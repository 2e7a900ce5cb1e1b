#!/bin/sh
# Prints the medians of the last `cargo bench` run here as a Markdown table, with each crate's
# time as a multiple of webtoken's (same run).
dir=${1:-target/criterion}
echo "| operation | crate | median | x webtoken |"
echo "|---|---|---|---|"
for op in hs256_sign hs256_verify; do
    base=$(jq -r '.median.point_estimate' "$dir/$op/webtoken/new/estimates.json")
    for f in "$dir/$op"/*/new/estimates.json; do
        name=${f#"$dir/$op/"}; name=${name%/new/estimates.json}
        [ "$name" = report ] && continue
        jq -r --arg op "$op" --arg name "$name" --argjson base "$base" \
            '"| \($op) | \($name) | \(.median.point_estimate / 1000 * 100 | round / 100) µs | \(.median.point_estimate / $base * 100 | round / 100) |"' "$f"
    done
done
