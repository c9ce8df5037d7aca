# CREATE TYPE, SHOW TYPES, DROP TYPE: names for types, usable in column
# definitions, other types and CAST.

# A custom type (also one used inside another) stands for its type in a
# column definition; SHOW TYPES lists them; they survive a restart.
t_types_custom_type_in_columns_and_show_types() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE TYPE address AS STRUCT<number INT, city STRING>;
CREATE TYPE person AS STRUCT<name STRING, home ADDRESS>;
CREATE STREAM people (k STRING KEY, p PERSON) WITH (KAFKA_TOPIC='people', VALUE_FORMAT='JSON', PARTITIONS=1);
DESCRIBE people;
EOF2
    expect_ok
    out_has "Type ADDRESS created"
    out_has "| P     | STRUCT<NAME STRING, HOME STRUCT<NUMBER INTEGER, CITY STRING>> |"
    sql "$D" <<'EOF2'
SHOW TYPES;
EOF2
    expect_ok
    expect_eq "$(rows)" "$(lines 'ADDRESS|STRUCT<NUMBER INTEGER, CITY STRING>' \
        'PERSON|STRUCT<NAME STRING, HOME STRUCT<NUMBER INTEGER, CITY STRING>>')" "SHOW TYPES after a restart"
}

# Records flow through a column of a custom type like through its type.
t_types_custom_type_column_carries_records() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
SET 'auto.offset.reset'='earliest';
CREATE TYPE address AS STRUCT<number INT, city STRING>;
CREATE STREAM s (k STRING KEY, a ADDRESS) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (k, a) VALUES ('x', STRUCT(number := 7, city := 'Oslo'));
SELECT k, a->city AS city FROM s EMIT CHANGES LIMIT 1;
EOF2
    expect_ok
    expect_eq "$(rows)" "x|Oslo" "the row"
}

# DROP TYPE forgets the name but not what was made with it; IF EXISTS
# makes a missing type no error.
t_types_drop_type_keeps_sources_made_with_it() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE TYPE address AS STRUCT<city STRING>;
CREATE STREAM s (k STRING KEY, a ADDRESS) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
DROP TYPE address;
DROP TYPE IF EXISTS address;
DESCRIBE s;
SHOW TYPES;
EOF2
    expect_ok
    out_has "Type ADDRESS dropped"
    out_has "| A     | STRUCT<CITY STRING> |"
    sql "$D" <<'EOF2'
CREATE STREAM t (k STRING KEY, a ADDRESS) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF2
    expect_rc 1
    err_has "line 1:34: unknown type 'ADDRESS'"
}

t_types_refused_statements_say_why() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE TYPE address AS STRUCT<city STRING>;
CREATE TYPE address AS INT;
EOF2
    expect_rc 1
    err_has "line 2:13: type ADDRESS already exists as STRUCT<CITY STRING>"
    sql "$D" <<'EOF2'
CREATE TYPE int AS STRING;
EOF2
    expect_rc 1
    err_has "INT is a built-in type"
    sql "$D" <<'EOF2'
DROP TYPE nothing;
EOF2
    expect_rc 1
    err_has "line 1:11: Type NOTHING does not exist."
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, a ADDRES) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF2
    expect_rc 1
    err_has "unknown type 'ADDRES'"
    err_has "did you mean ADDRESS?"
}
