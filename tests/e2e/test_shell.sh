# The interactive shell (stdin a terminal), driven through a detached tmux:
# prompts, multi-line statements, Ctrl-C, TAB completion, history, exit.
# Every wait polls the pane (0.1 s steps, 5 s at most).

CREATE_S="CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);"

# start_shell: a shell on a fresh data directory, HOME=$T/home (empty).
start_shell() {
    D=$(new_dir)
    H="$T/home"
    mkdir -p "$H"
    tmux_start "$D" "$H"
}

t_shell_multi_line_statement_uses_continuation_prompt() {
    start_shell
    tmux_line "CREATE STREAM s (id INT KEY, name STRING)"
    tmux_wait_last_line "    >"
    tmux_line "  WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);"
    tmux_wait_for "Stream created"
    tmux_wait_last_line "eddy>"
}

t_shell_ctrl_c_stops_push_query_and_prompt_returns() {
    start_shell
    tmux_line "$CREATE_S"
    tmux_wait_for "Stream created"
    tmux_line "SET 'auto.offset.reset'='earliest';"
    tmux_wait_for "Successfully changed"
    tmux_line "INSERT INTO s (id, name) VALUES (1, 'first');"
    tmux_line "SELECT * FROM s EMIT CHANGES;"
    # the row already in S arrives, and the query keeps running
    tmux_wait_for "| first"
    tmux_keys C-c
    tmux_wait_for "Query terminated"
    tmux_wait_last_line "eddy>"
    # and the shell still takes statements
    tmux_line "SHOW STREAMS;"
    tmux_wait_for "| S "
}

t_shell_ctrl_c_clears_the_line_being_typed() {
    start_shell
    tmux_type "SELECT garbage that is never run"
    tmux_keys C-c
    tmux_wait_last_line "eddy>"
    tmux_line "SHOW TOPICS;"
    tmux_wait_for "Kafka Topic"
    if tmux_pane | grep -q "error"; then
        tmux_pane
        fail "the cleared line was run"
    fi
}

t_shell_ctrl_c_drops_an_unfinished_multi_line_statement() {
    start_shell
    tmux_line "CREATE STREAM half ("
    tmux_wait_last_line "    >"
    tmux_keys C-c
    tmux_line "SHOW TOPICS;"
    tmux_wait_for "Kafka Topic"
    if tmux_pane | grep -q "error"; then
        tmux_pane
        fail "the dropped statement was run"
    fi
}

# Once Ctrl-C dropped the unfinished statement, the prompt says so.
t_shell_ctrl_c_in_continuation_line_shows_main_prompt() {
    start_shell
    tmux_line "CREATE STREAM half ("
    tmux_wait_last_line "    >"
    tmux_keys C-c
    tmux_wait_last_line "eddy>"
}

t_shell_error_is_shown_and_the_shell_goes_on() {
    start_shell
    tmux_line "SELEC 1;"
    tmux_wait_for "line 1:1:"
    tmux_wait_for "^^^^^"
    tmux_wait_last_line "eddy>"
    tmux_line "$CREATE_S"
    tmux_wait_for "Stream created"
}

t_shell_tab_completes_a_keyword() {
    start_shell
    tmux_type "DESCR"
    tmux_keys Tab
    tmux_wait_last_line "eddy> DESCRIBE"
}

t_shell_tab_completes_show_streams() {
    start_shell
    tmux_type "SHOW STR"
    tmux_keys Tab
    tmux_wait_last_line "eddy> SHOW STREAMS"
}

t_shell_tab_completes_a_stream_name() {
    start_shell
    tmux_line "CREATE STREAM pageviews_by_region (region STRING KEY, n INT) WITH (KAFKA_TOPIC='pv', VALUE_FORMAT='JSON', PARTITIONS=1);"
    tmux_wait_for "Stream created"
    tmux_type "DESCRIBE pagev"
    tmux_keys Tab
    tmux_wait_last_line "eddy> DESCRIBE pageviews_by_region"
}

t_shell_tab_completes_a_column_name() {
    start_shell
    tmux_line "CREATE STREAM pv (region STRING KEY, n INT) WITH (KAFKA_TOPIC='pv', VALUE_FORMAT='JSON', PARTITIONS=1);"
    tmux_wait_for "Stream created"
    tmux_type "SELECT regi"
    tmux_keys Tab
    tmux_wait_last_line "eddy> SELECT region"
}

t_shell_exit_leaves() {
    start_shell
    tmux_line "exit"
    tmux_wait_exit
}

t_shell_quit_leaves() {
    start_shell
    tmux_line "quit"
    tmux_wait_exit
}

t_shell_ctrl_d_leaves() {
    start_shell
    tmux_keys C-d
    tmux_wait_exit
}

# A first session on a new HOME: the history file is created and holds each
# statement, a multi-line one on one line.
t_shell_history_file_created_in_new_home() {
    start_shell
    tmux_line "SHOW TOPICS;"
    tmux_wait_for "Kafka Topic"
    tmux_line "SHOW"
    tmux_line "  STREAMS;"
    tmux_wait_for "Stream Name"
    tmux_line "exit"
    tmux_wait_exit
    [ -f "$H/.eddy_history" ] || fail "$H/.eddy_history was not created"
    grep -qx "SHOW TOPICS;" "$H/.eddy_history" || fail "history lacks 'SHOW TOPICS;': $(cat "$H/.eddy_history")"
    grep -q "^SHOW  *STREAMS;$" "$H/.eddy_history" || fail "history lacks 'SHOW STREAMS;' on one line: $(cat "$H/.eddy_history")"
}

t_shell_history_appended_to_existing_file() {
    H="$T/home"
    mkdir -p "$H"
    echo "SHOW QUERIES;" >"$H/.eddy_history"
    D=$(new_dir)
    tmux_start "$D" "$H"
    tmux_line "SHOW TOPICS;"
    tmux_wait_for "Kafka Topic"
    tmux_line "SHOW"
    tmux_line "  STREAMS;"
    tmux_wait_for "Stream Name"
    tmux_line "exit"
    tmux_wait_exit
    expect_eq "$(sed 's/  */ /g' "$H/.eddy_history")" "$(lines 'SHOW QUERIES;' 'SHOW TOPICS;' 'SHOW STREAMS;')" "the history file"
}

t_shell_history_recalled_with_up_arrow() {
    H="$T/home"
    mkdir -p "$H"
    printf '%s\n' "SHOW QUERIES;" "SHOW TOPICS;" >"$H/.eddy_history"
    D=$(new_dir)
    tmux_start "$D" "$H"
    tmux_keys Up
    tmux_wait_last_line "eddy> SHOW TOPICS;"
    tmux_keys Up
    tmux_wait_last_line "eddy> SHOW QUERIES;"
    tmux_keys Enter
    tmux_wait_for "Query ID"
}
