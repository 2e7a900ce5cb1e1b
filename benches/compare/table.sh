#!/bin/sh
# Prints the medians of `cargo bench` runs here as a Markdown table, each crate's time also as a
# multiple of webtoken's in the same run.
#
#   sh table.sh                    the last run (criterion's `new`)
#   sh table.sh ring aws-lc-rs     runs saved with `--save-baseline ring` and `--save-baseline
#                                  aws-lc-rs`, side by side: webtoken is built once per run on
#                                  the backend the baseline names, every other crate runs in both,
#                                  and each ratio is within its own run.
# CRITERION_DIR overrides target/criterion.
dir=${CRITERION_DIR:-target/criterion}
[ $# -eq 0 ] && set -- new

header="| operation | crate |"
rule="|---|---|"
for b in "$@"; do
    label=$b; [ "$b" = new ] && label=""
    header="$header median${label:+ ($label)} | x webtoken${label:+ ($label)} |"
    rule="$rule---|---|"
done
echo "$header"
echo "$rule"

for op in hs256_sign hs256_verify rs256_sign rs256_verify es256_sign es256_verify eddsa_sign eddsa_verify; do
    [ -d "$dir/$op" ] || continue
    for crate_dir in "$dir/$op"/*/; do
        name=$(basename "$crate_dir")
        [ "$name" = report ] && continue
        row="| $op | $name |"
        for b in "$@"; do
            f="$crate_dir$b/estimates.json"
            base="$dir/$op/webtoken/$b/estimates.json"
            if [ -f "$f" ] && [ -f "$base" ]; then
                row="$row $(jq -r --slurpfile base "$base" '
                    def fmt: if . >= 1000000 then "\(. / 10000 | round / 100) ms"
                             else "\(. / 10 | round / 100) µs" end;
                    "\(.median.point_estimate | fmt) | \(.median.point_estimate / $base[0].median.point_estimate * 100 | round / 100)"' "$f") |"
            else
                row="$row - | - |"
            fi
        done
        echo "$row"
    done
done
