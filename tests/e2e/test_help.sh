# --help on eddy and each subcommand: exit 0, usage on stdout.

t_help_eddy() {
    eddy_run --help
    expect_ok
    case "$(sed -n 1p "$T/out")" in "usage: eddy "*) ;; *) fail "no usage line" ;; esac
    # it names the subcommands
    out_has "eddy run"
    out_has "eddy test"
}

t_help_short_option() {
    eddy_run -h
    expect_ok
    case "$(sed -n 1p "$T/out")" in "usage: eddy "*) ;; *) fail "no usage line" ;; esac
}

t_help_run() {
    eddy_run run --help
    expect_ok
    case "$(sed -n 1p "$T/out")" in "usage: eddy run "*) ;; *) fail "no usage line" ;; esac
}

t_help_test() {
    eddy_run test --help
    expect_ok
    case "$(sed -n 1p "$T/out")" in "usage: eddy test "*) ;; *) fail "no usage line" ;; esac
    out_has "--write-actual"
}

t_help_unknown_option_fails_and_points_to_help() {
    eddy_run --no-such-option
    [ "$RC" -ne 0 ] || fail "an unknown option was accepted"
    expect_sane_rc "--no-such-option"
    err_has "--no-such-option"
    err_has "--help"
}

t_help_run_without_file_fails() {
    eddy_run run
    [ "$RC" -ne 0 ] || fail "eddy run without a file succeeded"
    expect_sane_rc "eddy run"
}
