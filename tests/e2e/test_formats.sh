# Serialization formats as a user sees them in the topics (PRINT).

# SET 'ksql.persistence.wrap.single.values'='false' makes JSON values of one
# column bare unless a statement says WRAP_SINGLE_VALUE; UNSET restores
# wrapping; a restart (replaying the command topic) keeps what each
# statement was created with.
t_formats_wrap_single_values_session_default() {
    d=$(new_dir)
    sql "$d" <<'EOF2'
SET 'ksql.persistence.wrap.single.values'='false';
CREATE STREAM two (k STRING KEY, v STRING, w INT) WITH (KAFKA_TOPIC='two', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM bare AS SELECT k, v FROM two;
CREATE STREAM asked WITH (WRAP_SINGLE_VALUE=true) AS SELECT k, v FROM two;
UNSET 'ksql.persistence.wrap.single.values';
CREATE STREAM wrapped AS SELECT k, v FROM two;
INSERT INTO two (k, v, w) VALUES ('a', 'x', 1);
PRINT 'BARE' FROM BEGINNING LIMIT 1;
PRINT 'ASKED' FROM BEGINNING LIMIT 1;
PRINT 'WRAPPED' FROM BEGINNING LIMIT 1;
EOF2
    expect_ok
    out_has 'key: a, value: "x"'
    out_has 'key: a, value: {"V":"x"}'
    [ "$(grep -c 'value: {"V":"x"}' "$T/out")" = 2 ] || fail "ASKED and WRAPPED should both be wrapped"
    sql "$d" <<'EOF2'
INSERT INTO two (k, v, w) VALUES ('b', 'y', 2);
PRINT 'BARE' FROM BEGINNING LIMIT 2;
PRINT 'WRAPPED' FROM BEGINNING LIMIT 2;
EOF2
    expect_ok
    out_has 'key: b, value: "y"'
    out_has 'key: b, value: {"V":"y"}'
}

# A source read with the session default expects bare values.
t_formats_wrap_single_values_applies_to_sources() {
    d=$(new_dir)
    sql "$d" <<'EOF2'
SET 'ksql.persistence.wrap.single.values'='false';
SET 'auto.offset.reset'='earliest';
CREATE STREAM s (k STRING KEY, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (k, v) VALUES ('a', 'bar');
PRINT 's' FROM BEGINNING LIMIT 1;
SELECT k, v FROM s EMIT CHANGES LIMIT 1;
EOF2
    expect_ok
    out_has 'key: a, value: "bar"'
    [ "$(rows)" = "a|bar" ] || fail "the bare value should read back as V"
}
