# The names ksqlDB gives unaliased select items.

# Expressions get KSQL_COL_<n>, skipping n where a source column already
# has that name.
t_column_names_generated_names_skip_source_columns() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (KSQL_COL_3 INT KEY, KSQL_COL_2 INT, KSQL_COL_4 INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
SELECT KSQL_COL_2, ABS(KSQL_COL_2), ABS(KSQL_COL_2), ABS(KSQL_COL_2) FROM s EMIT CHANGES LIMIT 0;
EOF2
    expect_ok
    expect_eq "$(headers)" "KSQL_COL_2|KSQL_COL_0|KSQL_COL_1|KSQL_COL_5" "the columns"
}

# A struct field is named as the field, with _1, _2, ... when that name is
# a column of the source (selected or not) or of an item before it.
t_column_names_struct_field_clashing_with_source_column_gets_suffix() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, id INT, item STRUCT<id INT, name STRING>, other STRUCT<name STRING>) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
SELECT item->id, item->name, other->name FROM s EMIT CHANGES LIMIT 0;
EOF2
    expect_ok
    expect_eq "$(headers)" "ID_1|NAME|NAME_1" "the columns"
}
