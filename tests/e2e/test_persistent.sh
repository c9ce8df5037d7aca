# Persistent queries (CREATE STREAM ... AS SELECT) and what survives a
# restart: the catalog is rebuilt from the command topic and each query
# resumes from its committed offsets.

# Session 1: a source S, a persistent query BIG keeping amount > 100, and two
# records, one of which passes the filter.
setup_big() {
    sql "$1" <<'EOF'
CREATE STREAM s (id INT KEY, name STRING, amount DOUBLE) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE STREAM big AS SELECT * FROM s WHERE amount > 100;
INSERT INTO s (id, name, amount) VALUES (1, 'a', 150.0);
INSERT INTO s (id, name, amount) VALUES (2, 'b', 50.0);
EOF
    expect_ok
}

t_persistent_query_reports_its_id() {
    D=$(new_dir)
    setup_big "$D"
    out_has "Created query with ID CSAS_BIG_"
}

t_persistent_query_streams_and_query_listed_after_restart() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
SHOW STREAMS;
EOF
    expect_ok
    # Stream Name | Kafka Topic | Key Format | Value Format | Windowed
    expect_eq "$(rows | cut -d'|' -f1,2 | sort)" "$(lines 'BIG|BIG' 'KSQL_PROCESSING_LOG|default_ksql_processing_log' 'S|s')" \
        "SHOW STREAMS after restart"
    sql "$D" <<'EOF'
SHOW QUERIES;
EOF
    expect_ok
    # Query ID | Query Type | Status | Sink Name | Sink Kafka Topic | Query String
    expect_eq "$(rows | wc -l | tr -d ' ')" "1" "number of queries"
    expect_eq "$(rows | cut -d'|' -f2,4,5)" "PERSISTENT|BIG|BIG" "the query's type and sink"
    case "$(rows | cut -d'|' -f1)" in CSAS_BIG_*) ;; *) fail "query id is not CSAS_BIG_<n>: $(rows)" ;; esac
    case "$(rows | cut -d'|' -f3)" in RUNNING*) ;; *) fail "query is not RUNNING: $(rows)" ;; esac
}

# Records inserted before and after a restart reach BIG exactly once each.
t_persistent_query_resumes_after_restart_without_duplicates() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
INSERT INTO s (id, name, amount) VALUES (3, 'c', 300.0);
INSERT INTO s (id, name, amount) VALUES (4, 'd', 20.0);
SET 'auto.offset.reset'='earliest';
SELECT * FROM big EMIT CHANGES LIMIT 2;
EOF
    expect_ok
    expect_eq "$(rows | sort)" "$(lines '1|a|150.0' '3|c|300.0')" "push query on BIG"
    # A third process: BIG holds each passing record once, none of the others.
    sql "$D" <<'EOF'
SELECT * FROM big;
EOF
    expect_ok
    expect_eq "$(rows | sort)" "$(lines '1|a|150.0' '3|c|300.0')" "BIG after two restarts"
}

t_persistent_drop_stream_removes_stream_and_query_for_good() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
DROP STREAM big;
EOF
    expect_ok
    sql "$D" <<'EOF'
SHOW STREAMS;
EOF
    expect_ok
    expect_eq "$(rows | cut -d'|' -f1)" "$(lines KSQL_PROCESSING_LOG S)" "SHOW STREAMS after DROP and restart"
    sql "$D" <<'EOF'
SHOW QUERIES;
EOF
    expect_ok
    expect_eq "$(rows)" "" "SHOW QUERIES after DROP and restart"
}

# After DROP, new source records no longer flow anywhere and S still works.
t_persistent_source_usable_after_sink_dropped() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
DROP STREAM big;
INSERT INTO s (id, name, amount) VALUES (5, 'e', 500.0);
SELECT id FROM s;
EOF
    expect_ok
    expect_eq "$(rows | sort)" "$(lines 1 2 5)" "S after dropping BIG"
}

t_persistent_drop_if_exists_of_missing_stream_succeeds() {
    D=$(new_dir)
    sql "$D" <<'EOF'
DROP STREAM IF EXISTS nothing_here;
EOF
    expect_ok
}

t_persistent_terminated_query_stays_stopped_after_restart() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
SHOW QUERIES;
EOF
    expect_ok
    id=$(rows | cut -d'|' -f1)
    [ -n "$id" ] || fail "SHOW QUERIES lists no query"
    sql "$D" <<EOF
TERMINATE $id;
EOF
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO s (id, name, amount) VALUES (6, 'f', 600.0);
SHOW QUERIES;
EOF
    expect_ok
    expect_eq "$(rows)" "" "SHOW QUERIES after TERMINATE and restart"
    sql "$D" <<'EOF'
SELECT id FROM big;
EOF
    expect_ok
    expect_eq "$(rows)" "1" "BIG keeps only what was written before TERMINATE"
}

t_persistent_terminate_unknown_query_fails_with_its_name() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
TERMINATE CSAS_NOPE_42;
EOF
    expect_rc 1
    err_has "CSAS_NOPE_42"
    # ksqlDB's wording
    err_has "Unknown queryId"
    # and the running query is untouched
    sql "$D" <<'EOF'
SHOW QUERIES;
EOF
    expect_eq "$(rows | wc -l | tr -d ' ')" "1" "number of queries"
}

t_persistent_drop_stream_delete_topic_removes_the_topic() {
    D=$(new_dir)
    setup_big "$D"
    sql "$D" <<'EOF'
DROP STREAM big DELETE TOPIC;
EOF
    expect_ok
    sql "$D" <<'EOF'
SHOW TOPICS;
EOF
    expect_ok
    # Kafka Topic | Partitions | Partition Replicas
    expect_eq "$(rows | cut -d'|' -f1,2)" "$(lines 'default_ksql_processing_log|1' 's|2')" \
        "SHOW TOPICS after DROP ... DELETE TOPIC"
}

# SET 'ksql.output.topic.name.prefix' prefixes the topic a CREATE ... AS
# SELECT makes when the statement names none; a named topic is kept as is.
t_persistent_output_topic_name_prefix() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
SET 'ksql.output.topic.name.prefix'='team-';
CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM copy AS SELECT * FROM s;
CREATE STREAM named WITH (KAFKA_TOPIC='mine') AS SELECT * FROM s;
INSERT INTO s (k, v) VALUES ('a', 1);
PRINT 'team-COPY' FROM BEGINNING LIMIT 1;
SHOW TOPICS;
EOF2
    expect_ok
    out_has 'key: a, value: {"V":1}'
    out_has "team-COPY"
    out_has "mine"
    out_lacks "team-mine"
    out_lacks "team-NAMED"
}
