# EXPLAIN: the operators a query runs, from its sink (or output) down to
# its sources, with the expressions as written; for a statement that is
# not run, and for a running query by its id.  Nothing is created.

t_explain_a_join_shows_each_join_and_its_sources() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, ref INT, y STRING) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE t (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
EXPLAIN CREATE STREAM j AS SELECT a.ref AS ref, x, y, name FROM a JOIN b WITHIN 10 SECONDS ON a.ref = b.ref LEFT JOIN t ON a.ref = t.id WHERE x <> 'z';
SHOW STREAMS;
EOF2
    expect_ok
    out_has "> [ SINK ] STREAM J | REF INTEGER KEY, X STRING, Y STRING, NAME STRING"
    out_has "> [ FILTER ] (X <> 'z')"
    out_has "> [ JOIN ] LEFT stream-table, ON (A.REF = T.ID)"
    out_has "> [ JOIN ] INNER stream-stream WITHIN (10000 ms before, 10000 ms after)"
    out_has "> [ SOURCE ] STREAM A | topic a"
    out_has "> [ SOURCE ] STREAM B | topic b"
    out_has "> [ SOURCE ] TABLE T | topic t"
    out_lacks "| J "
}

t_explain_a_running_query_by_its_id() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE c AS SELECT ref, COUNT(*) AS n FROM a WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY ref;
EOF2
    expect_ok
    id=$(grep -o 'CTAS_C_[0-9]*' "$T/out" | head -n 1)
    [ -n "$id" ] || fail "no query id in: $(cat "$T/out")"
    printf 'EXPLAIN %s;\n' "$id" | eddy_run --data "$D"
    expect_ok
    out_has "ID                   : $id"
    out_has "> [ SINK ] TABLE C | topic C (key KAFKA, value JSON) | REF INTEGER KEY, N BIGINT"
    out_has "> [ AGGREGATE ] GROUP BY REF, WINDOW TUMBLING (size 60000 ms"
}

t_explain_unknown_query_id_says_where() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
EXPLAIN CSAS_NOPE_1;
EOF2
    expect_rc 1
    err_has "line 1:9: Query with id:CSAS_NOPE_1 does not exist"
}
