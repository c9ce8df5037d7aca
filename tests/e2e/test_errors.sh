# What the user sees when a statement is refused: `stdin: line L:C: message`,
# the source line and a caret line on stderr, exit status 1, nothing after
# the error run -- and no input whatsoever crashes or hangs the process.

ORDERS="CREATE STREAM orders (id INT KEY, amount DOUBLE) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);"

# line N of $T/err
err_line() {
    sed -n "${1}p" "$T/err"
}

# N spaces
spaces() {
    printf "%${1}s" ""
}

t_error_syntax_shows_line_column_source_and_caret() {
    D=$(new_dir)
    sql "$D" <<'EOF'
SHOW STREAMS;
CREATE STREAM t (id INT KEY, name STRING)
  WITH (KAFKA_TOPIC='t' VALUE_FORMAT='JSON');
EOF
    expect_rc 1
    # The missing ',' is noticed at VALUE_FORMAT: line 3, column 25
    # ("  WITH (" is 8 characters, "KAFKA_TOPIC='t'" 15 more, then a blank).
    case "$(err_line 1)" in
    "stdin: line 3:25: "*VALUE_FORMAT*) ;;
    *) fail "first stderr line is not 'stdin: line 3:25: ...VALUE_FORMAT...': $(err_line 1)" ;;
    esac
    # The source line, indented by two, then carets under the 12 characters
    # of VALUE_FORMAT: 2 + 24 blanks before them.
    expect_eq "$(err_line 2)" "    WITH (KAFKA_TOPIC='t' VALUE_FORMAT='JSON');" "the quoted source line"
    expect_eq "$(err_line 3)" "$(spaces 26)^^^^^^^^^^^^" "the caret line"
}

t_error_syntax_says_what_was_expected() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM t (id INT KEY, name STRING)
  WITH (KAFKA_TOPIC='t' VALUE_FORMAT='JSON');
EOF
    expect_rc 1
    err_has "expected"
}

t_error_statements_before_the_error_run_and_after_do_not() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM first (id INT KEY) WITH (KAFKA_TOPIC='first', VALUE_FORMAT='JSON', PARTITIONS=1);
SELEC oops;
CREATE STREAM third (id INT KEY) WITH (KAFKA_TOPIC='third', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF
    expect_rc 1
    out_has "Stream created"
    case "$(err_line 1)" in "stdin: line 2:1: "*) ;; *) fail "error not at 2:1: $(err_line 1)" ;; esac
    sql "$D" <<'EOF'
SHOW STREAMS;
EOF
    expect_ok
    expect_eq "$(rows | cut -d'|' -f1)" "$(lines KSQL_PROCESSING_LOG FIRST)" "streams after the failed batch"
}

t_error_misspelled_keyword_at_line_start() {
    D=$(new_dir)
    sql "$D" <<'EOF'
SELEC * FROM s;
EOF
    expect_rc 1
    case "$(err_line 1)" in "stdin: line 1:1: "*SELEC*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    expect_eq "$(err_line 3)" "  ^^^^^" "the caret line"
}

t_error_unterminated_string_points_at_its_quote() {
    D=$(new_dir)
    sql "$D" <<'EOF'
SELECT 'abc FROM s;
EOF
    expect_rc 1
    # the quote is the 8th character
    case "$(err_line 1)" in "stdin: line 1:8: "*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    expect_eq "$(err_line 3)" "$(spaces 9)^" "the caret line"
}

t_error_unknown_stream_named_with_did_you_mean() {
    D=$(new_dir)
    sql "$D" <<EOF
$ORDERS
SELECT * FROM ordrs EMIT CHANGES;
EOF
    expect_rc 1
    # "SELECT * FROM " is 14 characters: the name starts at column 15
    case "$(err_line 1)" in "stdin: line 2:15: "*ORDRS*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    expect_eq "$(err_line 3)" "$(spaces 16)^^^^^" "the caret line"
    err_has "did you mean ORDERS?"
}

t_error_unknown_stream_far_from_any_name_has_no_did_you_mean() {
    D=$(new_dir)
    sql "$D" <<EOF
$ORDERS
SELECT * FROM xyzzy;
EOF
    expect_rc 1
    case "$(err_line 1)" in "stdin: line 2:15: "*XYZZY*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    err_lacks "did you mean"
}

t_error_unknown_column_named_with_did_you_mean() {
    D=$(new_dir)
    sql "$D" <<EOF
$ORDERS
SELECT id,
       amout FROM orders;
EOF
    expect_rc 1
    case "$(err_line 1)" in "stdin: line 3:8: "*AMOUT*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    expect_eq "$(err_line 3)" "$(spaces 9)^^^^^" "the caret line"
    err_has "did you mean AMOUNT?"
}

t_error_unknown_column_in_where_far_from_any_name_has_no_did_you_mean() {
    D=$(new_dir)
    sql "$D" <<EOF
$ORDERS
SELECT id FROM orders WHERE qqqqqq > 1;
EOF
    expect_rc 1
    # "SELECT id FROM orders WHERE " is 28 characters
    case "$(err_line 1)" in "stdin: line 2:29: "*QQQQQQ*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    err_lacks "did you mean"
}

# Columns count characters, so the caret stays under the token after text
# with multi-byte UTF-8 characters.
t_error_caret_aligned_after_non_ascii_text() {
    D=$(new_dir)
    sql "$D" <<EOF
$ORDERS
SELECT 'héllo', nope FROM orders;
EOF
    expect_rc 1
    # S-E-L-E-C-T, blank, 'héllo' (7 characters), comma, blank: nope at 17
    case "$(err_line 1)" in "stdin: line 2:17: "*NOPE*) ;; *) fail "unexpected: $(err_line 1)" ;; esac
    expect_eq "$(err_line 3)" "$(spaces 18)^^^^" "the caret line"
}

t_error_empty_input_does_nothing() {
    D=$(new_dir)
    eddy_run --data "$D" </dev/null
    expect_ok
    expect_eq "$(cat "$T/out" "$T/err")" "" "output"
}

t_error_only_comments_do_nothing() {
    D=$(new_dir)
    sql "$D" <<'EOF'
-- a line comment
/* a block
   comment */
   -- indented; with a semicolon
EOF
    expect_ok
    expect_eq "$(cat "$T/out" "$T/err")" "" "output"
}

# Every malformed input gets a clean error (never a crash or a hang), and
# the records already stored stay readable.
t_error_malformed_inputs_never_crash_and_keep_data() {
    D=$(new_dir)
    sql "$D" <<EOF
$ORDERS
INSERT INTO orders (id, amount) VALUES (1, 2.5);
EOF
    expect_ok
    mkdir "$T/in"
    python3 - "$T/in" <<'EOF' || fail "python3 could not write the inputs"
import os, random, sys
d = sys.argv[1]
def put(name, text):
    with open(os.path.join(d, name), "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
r = random.Random(20240501)
put("garbage_bytes", bytes(r.randrange(256) for _ in range(4000)))
put("garbage_lines", "\n".join("".join(chr(r.randrange(32, 127)) for _ in range(r.randrange(1, 80)))
                               for _ in range(50)) + "\n")
put("unterminated_string", "SELECT 'abc FROM orders;\n")
put("unterminated_quoted_name", 'SELECT "abc FROM orders;\n')
put("unterminated_backquote", "SELECT `abc FROM orders;\n")
put("unterminated_comment", "SHOW STREAMS; /* never closed\n")
put("no_final_semicolon", "SELECT * FROM orders")
put("only_semicolons", ";;;\n;\n")
put("nul_bytes", b"SELECT \0 FROM orders;\n")
put("open_parens_10000", "(" * 10000 + "\n")
put("nested_parens_10000", "SELECT " + "(" * 10000 + "1" + ")" * 10000 + " FROM orders;\n")
put("close_parens_10000", "SELECT " + ")" * 10000 + ";\n")
put("nested_not_100000", "SELECT " + "NOT " * 100000 + "TRUE FROM orders;\n")
put("nested_minus_100000", "SELECT " + "- " * 100000 + "1 FROM orders;\n")
put("nested_cast_50000", "SELECT " + "CAST(" * 50000 + "1" + " AS INT)" * 50000 + " FROM orders;\n")
put("nested_case_50000", "SELECT " + "CASE WHEN " * 50000 + " FROM orders;\n")
put("nested_calls_50000", "SELECT " + "ABS(" * 50000 + "1" + ")" * 50000 + " FROM orders;\n")
put("nested_array_type_50000", "CREATE STREAM x (a " + "ARRAY<" * 50000 + "INT" + ">" * 50000
    + ") WITH (KAFKA_TOPIC='x', VALUE_FORMAT='JSON');\n")
put("long_sum_100000", "SELECT " + "1+" * 100000 + "1 FROM orders;\n")
put("long_identifier", "SELECT " + "x" * 1000000 + " FROM orders;\n")
put("long_string", "SELECT '" + "x" * 1000000 + "' FROM orders;\n")
put("huge_numbers", "SELECT 99999999999999999999999999999, 1e999999, -9223372036854775809 FROM orders;\n")
put("huge_limit", "SELECT * FROM orders EMIT CHANGES LIMIT 99999999999999999999999;\n")
put("bad_with_values", "CREATE STREAM y (a INT) WITH (KAFKA_TOPIC='y', VALUE_FORMAT='NOPE', PARTITIONS=-5);\n")
put("zero_partitions", "CREATE STREAM z (a INT) WITH (KAFKA_TOPIC='z', VALUE_FORMAT='JSON', PARTITIONS=0);\n")
put("insert_wrong_types", "INSERT INTO orders (id, amount) VALUES ('x', 'y');\n")
put("insert_wrong_arity", "INSERT INTO orders (id, amount) VALUES (1);\n")
put("insert_unknown_column", "INSERT INTO orders (id, nope) VALUES (1, 2);\n")
put("run_script_missing", "RUN SCRIPT '/nonexistent/eddy/script.sql';\n")
put("print_missing_topic", "PRINT 'no_such_topic' FROM BEGINNING LIMIT 1;\n")
put("describe_function_missing", "DESCRIBE FUNCTION no_such_function;\n")
put("terminate_garbage", "TERMINATE ';\n")
# no EMIT: a well-formed push query would rightly wait for records forever
toks = ("SELECT * FROM orders WHERE LIMIT 1 CREATE STREAM TABLE AS ( ) , ; 'x' ' "
        "id amount INT STRING DOUBLE KEY PRIMARY WITH KAFKA_TOPIC = VALUE_FORMAT 'JSON' INSERT "
        "INTO VALUES SHOW STREAMS QUERIES DESCRIBE FUNCTION IF EXISTS SET UNSET PRINT "
        "BEGINNING RUN SCRIPT + - / % < > <> AND OR NOT NULL TRUE 1.5e308 -2147483648 CAST "
        "ARRAY [ ] MAP STRUCT \"q\" `b` /* */ . :: ? \\ é CASE WHEN THEN ELSE END BETWEEN LIKE "
        "IN IS PARTITIONS 2 0 -1 GROUP BY WINDOW TUMBLING SIZE SECONDS").split()
for i in range(300):
    stmt = " ".join(r.choice(toks) for _ in range(r.randint(1, 25)))
    put("soup_%03d" % i, stmt + (";\n" if r.random() < 0.8 else "\n"))
EOF
    # random token soup may form valid statements: give it its own directory
    D2=$(new_dir)
    sql "$D2" <<EOF
$ORDERS
EOF
    n=0
    for f in "$T"/in/*; do
        case "$f" in */soup_*) dir=$D2 ;; *) dir=$D ;; esac
        eddy_run --data "$dir" <"$f"
        expect_sane_rc "$(basename "$f")"
        # a refused statement says why
        if [ "$RC" -ne 0 ] && ! [ -s "$T/err" ]; then
            fail "exit status $RC without a message on $(basename "$f")"
        fi
        n=$((n + 1))
    done
    [ "$n" -ge 330 ] || fail "only $n inputs were tried"
    sql "$D" <<'EOF'
SELECT * FROM orders;
EOF
    expect_ok
    expect_eq "$(rows)" "1|2.5" "ORDERS after the malformed inputs"
}

# The first statement is complete and valid; the error comes after it, so
# the first still runs -- as it does when a syntax error follows it.
t_error_statement_before_unterminated_comment_on_same_line_runs() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM first (id INT KEY) WITH (KAFKA_TOPIC='first', VALUE_FORMAT='JSON', PARTITIONS=1); /* never closed
EOF2
    expect_rc 1
    err_has "unterminated comment"
    out_has "Stream created"
}
