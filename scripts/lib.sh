# Shell helpers of the scripts in this folder (sourced, not run).

# Runs a command with its output kept aside: nothing is printed when it succeeds, everything
# when it fails (then its status is returned).
quietly() {
    local log status=0
    log=$(mktemp)
    "$@" >"$log" 2>&1 || status=$?
    if [ "$status" != 0 ]; then
        echo "failed ($status): $*" >&2
        cat "$log" >&2
    fi
    rm -f "$log"
    return "$status"
}

# Says, before a build that has to compile RocksDB (no release build of it in the target
# folder yet), how long that takes; says nothing once it has been built.
build_notice() {
    local target="${CARGO_TARGET_DIR:-target}"
    if ! ls "$target"/release/deps/liboxrocksdb_sys-*.rlib >/dev/null 2>&1; then
        echo "The first build compiles RocksDB and tantivy and takes 35-55 minutes on 2 cores (later builds take seconds)." >&2
    fi
}
