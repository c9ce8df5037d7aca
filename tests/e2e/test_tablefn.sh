# Table functions (EXPLODE, CUBE_EXPLODE): one input record becomes many
# output records, through `eddy test` and a push query.

# refused DIR QUERY TEXT: QUERY run on DIR fails with TEXT on stderr.
refused() {
    printf '%s\n' "$2" >"$T/q.sql"
    sql "$1" <"$T/q.sql"
    expect_rc 1
    err_has "$3"
}

# EXPLODE: one record per element, with the input's key and timestamp; an
# empty or NULL array gives none; two table functions are zipped, the
# shorter padded with NULL.
t_tablefn_explode_emits_one_record_per_element() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM src (id STRING KEY, a ARRAY<BIGINT>, b ARRAY<STRING>) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE STREAM out AS SELECT id, EXPLODE(a) AS v, EXPLODE(b) AS w FROM src;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "src", "key": "k1", "value": {"A": [1, 2, 3], "B": ["x"]}, "timestamp": 1000},
  {"topic": "src", "key": "k2", "value": {"A": [], "B": []}, "timestamp": 2000},
  {"topic": "src", "key": "k3", "value": {"A": null, "B": null}, "timestamp": 3000},
  {"topic": "src", "key": "k4", "value": {"A": null, "B": ["y", "z"]}, "timestamp": 4000}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "OUT", "key": "k1", "value": {"V": 1, "W": "x"}, "timestamp": 1000},
      {"topic": "OUT", "key": "k1", "value": {"V": 2, "W": null}, "timestamp": 1000},
      {"topic": "OUT", "key": "k1", "value": {"V": 3, "W": null}, "timestamp": 1000},
      {"topic": "OUT", "key": "k4", "value": {"V": null, "W": "y"}, "timestamp": 4000},
      {"topic": "OUT", "key": "k4", "value": {"V": null, "W": "z"}, "timestamp": 4000}]}'
}

# A push query over EXPLODE, with an expression over the element and LIMIT
# counting output rows (not input records).
t_tablefn_explode_in_push_query_with_limit() {
    D=$(new_dir)
    sql "$D" <<'EOF'
SET 'auto.offset.reset'='earliest';
CREATE STREAM s (id INT KEY, arr ARRAY<INT>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, arr) VALUES (1, ARRAY[10, 20, 30]);
INSERT INTO s (id, arr) VALUES (2, NULL);
INSERT INTO s (id, arr) VALUES (3, ARRAY[5, 6]);
SELECT id, EXPLODE(arr) * 2 AS v FROM s WHERE id <> 2 EMIT CHANGES LIMIT 4;
EOF
    expect_ok
    expect_eq "$(headers)" "ID|V" "the push query's columns"
    expect_eq "$(rows)" "$(lines '1|20' '1|40' '1|60' '3|10')" "the push query's rows"
}

# CUBE_EXPLODE: every combination of the elements kept or NULL; a NULL
# element adds no combinations.
t_tablefn_cube_explode_emits_every_combination() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM src (id STRING KEY, c1 INT, c2 INT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE STREAM out AS SELECT id, CUBE_EXPLODE(ARRAY[c1, c2]) AS v FROM src;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "src", "key": "a", "value": {"C1": 1, "C2": 2}, "timestamp": 1},
  {"topic": "src", "key": "b", "value": {"C1": null, "C2": 7}, "timestamp": 2}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "OUT", "key": "a", "value": {"V": [null, null]}, "timestamp": 1},
      {"topic": "OUT", "key": "a", "value": {"V": [null, 2]}, "timestamp": 1},
      {"topic": "OUT", "key": "a", "value": {"V": [1, null]}, "timestamp": 1},
      {"topic": "OUT", "key": "a", "value": {"V": [1, 2]}, "timestamp": 1},
      {"topic": "OUT", "key": "b", "value": {"V": [null, null]}, "timestamp": 2},
      {"topic": "OUT", "key": "b", "value": {"V": [null, 7]}, "timestamp": 2}]}'
}

# Where a table function may not go, the statement is refused.
t_tablefn_refused_with_aggregation_table_where_and_nesting() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM s (id INT KEY, arr ARRAY<INT>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE t (id INT PRIMARY KEY, arr ARRAY<INT>) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF
    expect_ok
    refused "$D" "SELECT id, COUNT(*), EXPLODE(arr) FROM s GROUP BY id EMIT CHANGES;" "Table functions cannot be used with aggregations."
    refused "$D" "SELECT id, EXPLODE(arr) FROM t EMIT CHANGES;" "Table source is not supported with table functions"
    refused "$D" "SELECT id FROM s WHERE EXPLODE(arr) > 1 EMIT CHANGES;" "Table functions can only be used in the SELECT clause"
    refused "$D" "SELECT EXPLODE(EXPLODE(arr)) FROM s EMIT CHANGES;" "Table functions cannot be nested."
    refused "$D" "SELECT EXPLODE(id) FROM s EMIT CHANGES;" "does not accept parameters (INTEGER)"
}
