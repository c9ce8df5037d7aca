# CREATE TABLE AS SELECT over a table without GROUP BY: each source row maps
# to the result row with the same key; a delete, or a row the filter now
# rejects, becomes a tombstone for that key; a record without a key is no
# row and is dropped.

t_table_query_filter_and_delete_give_tombstones() {
    cat >"$T/statements.sql" <<'EOF'
CREATE TABLE users (id STRING PRIMARY KEY, name STRING, age INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON');
CREATE TABLE adults AS SELECT id, UCASE(name) AS name FROM users WHERE age >= 18;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "users", "key": "u1", "value": {"NAME": "ann", "AGE": 30}, "timestamp": 1000},
  {"topic": "users", "key": "u2", "value": {"NAME": "bob", "AGE": 12}, "timestamp": 2000},
  {"topic": "users", "key": "u1", "value": {"NAME": "ann", "AGE": 17}, "timestamp": 3000},
  {"topic": "users", "key": "u2", "value": {"NAME": "bob", "AGE": 18}, "timestamp": 4000},
  {"topic": "users", "key": "u2", "value": null, "timestamp": 5000},
  {"topic": "users", "key": null, "value": {"NAME": "nobody", "AGE": 40}, "timestamp": 6000}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "ADULTS", "key": "u1", "value": {"NAME": "ANN"}, "timestamp": 1000},
      {"topic": "ADULTS", "key": "u2", "value": null, "timestamp": 2000},
      {"topic": "ADULTS", "key": "u1", "value": null, "timestamp": 3000},
      {"topic": "ADULTS", "key": "u2", "value": {"NAME": "BOB"}, "timestamp": 4000},
      {"topic": "ADULTS", "key": "u2", "value": null, "timestamp": 5000}
    ]}'
}

# The result is a table: its query is a CTAS, SHOW TABLES lists it, DROP
# TABLE drops it.
t_table_query_result_is_a_table() {
    d=$(new_dir)
    sql "$d" <<'EOF'
CREATE TABLE users (id STRING PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE names AS SELECT id, name FROM users;
SHOW TABLES;
EOF
    expect_ok
    out_has "Created query with ID CTAS_NAMES_"
    out_has "| NAMES "
    sql "$d" <<'EOF'
DROP TABLE names;
EOF
    expect_ok
}
