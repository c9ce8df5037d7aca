# SELECT x->*: every field of a struct as its own column.

# Each field becomes a column named as the field (a back-quoted field keeps
# its case), in the struct's order, nested structs included.
t_struct_all_fields_become_columns() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
SET 'auto.offset.reset'='earliest';
CREATE STREAM s (k STRING KEY, v STRUCT<a INT, `b c` STRING, nest STRUCT<x STRING>>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (k, v) VALUES ('k1', STRUCT(a := 1, `b c` := 'q', nest := STRUCT(x := 'deep')));
SELECT k, v->* FROM s EMIT CHANGES LIMIT 1;
SELECT v->nest->* FROM s EMIT CHANGES LIMIT 1;
EOF2
    expect_ok
    expect_eq "$(headers)" "$(lines 'K|A|b c|NEST' 'X')" "the columns"
    expect_eq "$(rows)" "$(lines 'k1|1|q|{X=deep}' 'deep')" "the rows"
}

# A persistent query writes the fields as the sink's value columns.
t_struct_all_in_a_persistent_query() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
SET 'auto.offset.reset'='earliest';
CREATE STREAM s (k STRING KEY, v STRUCT<a INT, b STRING>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM flat AS SELECT k, v->* FROM s;
INSERT INTO s (k, v) VALUES ('k1', STRUCT(a := 7, b := 'z'));
PRINT 'FLAT' FROM BEGINNING LIMIT 1;
EOF2
    expect_ok
    out_has 'key: k1, value: {"A":7,"B":"z"}'
}

t_struct_all_of_a_non_struct_is_refused() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, n INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
SELECT n->* FROM s EMIT CHANGES;
EOF2
    expect_rc 1
    err_has "line 2:8: ->* needs a STRUCT on its left, not INTEGER"
}

# Two struct-alls with a field name in common clash like any two columns.
t_struct_all_clashing_names_are_refused() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, v STRUCT<a INT>, w STRUCT<a INT>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
SELECT v->*, w->* FROM s EMIT CHANGES;
EOF2
    expect_rc 1
    err_has "duplicate column name 'A'"
}
