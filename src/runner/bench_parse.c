/* bench_parse — parser throughput: `eddy bench parse`.
 *
 * Parses a representative script (every example of grammar/eddy.ebnf, as
 * of this writing, plus a few long statements: a wide CREATE STREAM, a
 * windowed join aggregate, a select with lambdas and constructors, an
 * INSERT ... VALUES) `iterations` times, resetting the arena between
 * passes as the shell does between inputs, and prints statements/s and
 * MB/s of SQL parsed.  Wall-clock time on one thread; figures are
 * printed, never asserted.
 */
#include "bench_parse.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../base/arena.h"
#include "../base/err.h"
#include "../parser/parse.h"

static const char bench_parse_script[] =
    "CREATE STREAM pageviews (viewtime BIGINT, user_id VARCHAR KEY, page_id STRING) WITH (kafka_topic='pageviews', value_format='JSON', partitions=1);\n"
    "CREATE TABLE IF NOT EXISTS users (id STRING PRIMARY KEY, name STRING, address STRUCT<street STRING, zip INT>) WITH (kafka_topic='users', value_format='JSON');\n"
    "CREATE OR REPLACE STREAM raw (k BYTES KEY, v STRING, trace BYTES HEADER('trace-id'), hdrs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS) WITH (kafka_topic='raw', format='KAFKA');\n"
    "CREATE STREAM inferred WITH (kafka_topic='t', value_format='AVRO');\n"
    "CREATE STREAM big_orders WITH (kafka_topic='big') AS SELECT * FROM orders WHERE amount > 100 EMIT CHANGES;\n"
    "CREATE TABLE views_per_page AS SELECT page_id, COUNT(viewtime) AS views FROM pageviews WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY page_id EMIT CHANGES;\n"
    "CREATE TYPE address AS STRUCT<street STRING, city STRING, zip INT>;\n"
    "INSERT INTO pageviews (viewtime, user_id, page_id) VALUES (1700000000000, 'u1', 'home');\n"
    "INSERT INTO orders VALUES ('o1', 12.50, ARRAY['a', 'b'], MAP('k' := 1), STRUCT(x := 1));\n"
    "INSERT INTO all_orders SELECT * FROM eu_orders EMIT CHANGES;\n"
    "INSERT INTO all_orders WITH (query_id='INSERT_EU') SELECT id, amount FROM eu_orders EMIT CHANGES;\n"
    "SELECT * FROM pageviews EMIT CHANGES;\n"
    "SELECT * FROM users WHERE id = 'u1';\n"
    "SELECT user_id, COUNT(page_id) AS n FROM pageviews WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY user_id HAVING COUNT(page_id) > 2 EMIT CHANGES LIMIT 10;\n"
    "SELECT p.*, u.name FROM pageviews p LEFT JOIN users u ON p.user_id = u.id EMIT CHANGES;\n"
    "SELECT o.id, s.tracking FROM orders o INNER JOIN shipments s WITHIN (1 HOUR, 2 DAYS) GRACE PERIOD 15 MINUTES ON o.id = s.order_id EMIT CHANGES;\n"
    "SELECT o.id, o.address->* FROM orders o EMIT CHANGES;\n"
    "SELECT region, SUM(amount) FROM orders WINDOW SESSION (5 MINUTES, RETENTION 7 DAYS, GRACE PERIOD 1 MINUTE) GROUP BY region EMIT FINAL;\n"
    "SELECT id, amount * 1.1 AS gross FROM orders WHERE region IN ('eu', 'us') AND NOT cancelled PARTITION BY id EMIT CHANGES;\n"
    "SHOW STREAMS;\n"
    "LIST TABLES EXTENDED;\n"
    "SHOW QUERIES;\n"
    "DESCRIBE pageviews;\n"
    "DESCRIBE EXTENDED users;\n"
    "DESCRIBE FUNCTION substring;\n"
    "DESCRIBE STREAMS;\n"
    "DROP STREAM IF EXISTS pageviews DELETE TOPIC;\n"
    "DROP TABLE users;\n"
    "DROP TYPE address;\n"
    "TERMINATE CSAS_BIG_ORDERS_1;\n"
    "TERMINATE ALL;\n"
    "PAUSE CTAS_VIEWS_PER_PAGE_3;\n"
    "RESUME ALL;\n"
    "SET 'auto.offset.reset' = 'earliest';\n"
    "SET 'ksql.streams.num.stream.threads' = 4;\n"
    "UNSET 'auto.offset.reset';\n"
    "DEFINE env = 'prod';\n"
    "UNDEFINE env;\n"
    "EXPLAIN CSAS_BIG_ORDERS_1;\n"
    "EXPLAIN SELECT * FROM orders EMIT CHANGES;\n"
    "PRINT 'pageviews' FROM BEGINNING LIMIT 5;\n"
    "PRINT orders INTERVAL 10;\n"
    "RUN SCRIPT 'setup.sql';\n"
    "CREATE STREAM customers (id STRING KEY, home address) WITH (kafka_topic='customers', value_format='JSON');\n"
    "CREATE STREAM orders_enriched (order_id BIGINT KEY, customer_id STRING, item_id STRING, quantity INT, unit_price DECIMAL(10, 2), discount DOUBLE, currency STRING, status STRING, created_at TIMESTAMP, shipped_at TIMESTAMP, address STRUCT<street STRING, city STRING, zip STRING, country STRING>, tags ARRAY<STRING>, attributes MAP<STRING, STRING>, notes VARCHAR, priority BOOLEAN) WITH (kafka_topic='orders_enriched', value_format='JSON', partitions=6, timestamp='created_at');\n"
    "CREATE TABLE revenue_by_region WITH (kafka_topic='revenue_by_region', value_format='JSON') AS SELECT o.address->country AS country, o.address->city AS city, COUNT(*) AS orders, SUM(o.quantity * o.unit_price) AS revenue, AVG(o.discount) AS avg_discount, MAX(o.created_at) AS last_order, COLLECT_LIST(o.item_id) AS items, LATEST_BY_OFFSET(o.status) AS last_status FROM orders_enriched o JOIN customers c ON o.customer_id = c.id WINDOW HOPPING (SIZE 1 HOUR, ADVANCE BY 10 MINUTES, RETENTION 7 DAYS, GRACE PERIOD 5 MINUTES) WHERE o.status IN ('PAID', 'SHIPPED', 'DELIVERED') AND o.quantity BETWEEN 1 AND 1000 AND c.email LIKE '%@example.com' AND o.notes IS NOT NULL GROUP BY o.address->country, o.address->city HAVING COUNT(*) > 10 EMIT CHANGES;\n"
    "SELECT order_id, CASE WHEN quantity > 100 THEN 'bulk' WHEN quantity > 10 THEN 'medium' WHEN quantity > 1 THEN 'small' ELSE 'single' END AS size_class, CAST(unit_price AS DOUBLE) * quantity * (1 - discount) AS net, TRANSFORM(tags, t => UCASE(t)) AS upper_tags, FILTER(tags, t => LEN(t) > 3) AS long_tags, REDUCE(tags, 0, (acc, t) => acc + LEN(t)) AS tag_chars, attributes['gift'] AS gift, tags[1] AS first_tag, ARRAY[1, 2, 3] AS a, MAP('k' := 1, 'v' := 2) AS m, STRUCT(x := 1, y := 'two') AS s, FORMAT_TIMESTAMP(created_at, 'yyyy-MM-dd HH:mm:ss') AS created FROM orders_enriched WHERE status <> 'CANCELLED' AND (priority OR discount > 0.25) EMIT CHANGES LIMIT 1000;\n"
    "INSERT INTO orders_enriched (order_id, customer_id, item_id, quantity, unit_price, discount, currency, status, notes, priority) VALUES (123456789, 'customer-0042', 'item-9000', 3, 19.99, 0.1, 'EUR', 'PAID', 'leave at the door, ring twice', TRUE);\n";

static double bench_parse_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses the whole script once; returns the number of statements, or -1
 * (with the error printed) if one does not parse. */
static long bench_parse_once(arena *a)
{
    parser p;
    err e;
    long n = 0;
    arena_reset(a);
    parser_init(&p, a, bench_parse_script, sizeof bench_parse_script - 1);
    while (parse_next(&p, &e))
        n++;
    if (e.code != ERR_OK) {
        fprintf(stderr, "eddy bench parse: the bench script does not parse: %s\n", e.msg);
        return -1;
    }
    return n;
}

int bench_parse(long iterations)
{
    if (iterations <= 0)
        iterations = 20000;
    arena a;
    arena_init(&a, 0);
    long per_pass = bench_parse_once(&a); /* warm up, and check the script */
    if (per_pass < 0) {
        arena_free(&a);
        return 1;
    }
    double t0 = bench_parse_now();
    for (long i = 0; i < iterations; i++)
        bench_parse_once(&a);
    double secs = bench_parse_now() - t0;
    arena_free(&a);
    if (secs <= 0)
        secs = 1e-9;
    double stmts = (double)per_pass * (double)iterations;
    double mb = (double)(sizeof bench_parse_script - 1) * (double)iterations / 1e6;
    printf("parse: %ld passes over %ld statements (%zu bytes of SQL) in %.3f s: %.0f statements/s, "
           "%.1f MB/s, %.2f us/statement\n",
           iterations, per_pass, sizeof bench_parse_script - 1, secs, stmts / secs, mb / secs,
           secs * 1e6 / stmts);
    return 0;
}
