# Shared by the scripts in test/interop: check() and the summary line that
# scripts/test.sh counts. Source after scripts/lib/common.sh.
passed=0 failed=0
check() {  # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1)); echo "ok   $1"
    else
        failed=$((failed + 1)); echo "FAIL $1: expected [$2], got [$3]"
    fi
}
summary() {  # summary NAME: prints "NAME: N passed, N failed"; fails if any failed
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
