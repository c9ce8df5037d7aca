/* nexmark_queries.c — see nexmark_queries.h. */
#include "nexmark_queries.h"

#include <strings.h>

#define P (1u << NEXMARK_PERSON)
#define A (1u << NEXMARK_AUCTION)
#define B (1u << NEXMARK_BID)

const nexmark_query nexmark_queries[] = {
    {"q0", "pass-through", B, "CREATE STREAM q0 AS SELECT auction, bidder, price, date_time, extra FROM bid;", NULL, 0},
    {"q1", "currency conversion: price * 0.908", B,
     "CREATE STREAM q1 AS SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid;", NULL, 0},
    {"q2", "selection: auction % 123 = 0", B,
     "CREATE STREAM q2 AS SELECT auction, price FROM bid WHERE auction % 123 = 0;", NULL, 0},
    {"q3", "local item suggestion: auctions of category 10 by sellers in OR, ID or CA", P | A,
     "CREATE TABLE person_t AS SELECT id, LATEST_BY_OFFSET(name) AS name, LATEST_BY_OFFSET(city) AS city, "
     "LATEST_BY_OFFSET(state) AS state FROM person GROUP BY id;"
     "CREATE STREAM q3 AS SELECT a.seller AS seller, p.name, p.city, p.state, a.id "
     "FROM auction a JOIN person_t p ON a.seller = p.id "
     "WHERE a.category = 10 AND (p.state = 'OR' OR p.state = 'ID' OR p.state = 'CA');",
     "a stream of auctions joined with a table of persons (latest value per id), not a join of two "
     "unbounded streams: an auction meets the persons that arrived before it", 0},
    {"q4", "average winning price per category", A | B,
     "CREATE STREAM q4_bids AS SELECT a.id AS id, a.category AS category, b.price AS price "
     "FROM auction a JOIN bid b WITHIN (0 SECONDS, 60 SECONDS) ON a.id = b.auction "
     "WHERE b.date_time <= a.expires;"
     "CREATE TABLE q4_max AS SELECT id, LATEST_BY_OFFSET(category) AS category, MAX(price) AS final "
     "FROM q4_bids GROUP BY id;"
     "CREATE TABLE q4 AS SELECT category, AVG(final) AS avg_price FROM q4_max GROUP BY category;",
     "the winning price is the running MAX of an auction's bids, updated as bids arrive, not the "
     "final one once the auction has expired (nothing waits for the expiry)", 0},
    {"q5", "hot items: bids per auction, hopping 10 s windows advancing 2 s", B,
     "CREATE TABLE q5 AS SELECT auction, COUNT(*) AS num FROM bid "
     "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY auction;",
     "only the counting half: Nexmark then keeps the auction(s) with the window's highest count, "
     "an aggregation over a windowed table, which ksqlDB (and Eddy) refuse", 0},
    {"q7", "highest bid: MAX(price) per auction, tumbling 10 s, EMIT FINAL", B,
     "CREATE TABLE q7 AS SELECT auction, MAX(price) AS max_price FROM bid "
     "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY auction EMIT FINAL;",
     "the MAX per auction and window; Nexmark keeps the bid(s) with the highest price over all "
     "auctions of the window (a global MAX joined back to the bids)",
     10000},
    {"q8", "new users: persons who opened an auction within 10 s of registering", P | A,
     "CREATE STREAM q8 AS SELECT p.id AS id, p.name, a.reserve "
     "FROM person p JOIN auction a WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON p.id = a.seller;",
     "a join WITHIN 10 s of each other, not within the same 10 s tumbling window", 0},
    {"q11", "user sessions: bids per bidder per session (10 s gap)", B,
     "CREATE TABLE q11 AS SELECT bidder, COUNT(*) AS bid_count FROM bid "
     "WINDOW SESSION (10 SECONDS) GROUP BY bidder;",
     NULL, 0},
    {"q14", "calculation: conversion, time-of-day bucket, string length", B,
     "CREATE STREAM q14 AS SELECT auction, bidder, 0.908 * price AS price, "
     "CASE WHEN TIMESTAMPTOSTRING(date_time, 'HH', 'UTC') >= '08' AND "
     "TIMESTAMPTOSTRING(date_time, 'HH', 'UTC') <= '18' THEN 'dayTime' "
     "WHEN TIMESTAMPTOSTRING(date_time, 'HH', 'UTC') <= '06' OR "
     "TIMESTAMPTOSTRING(date_time, 'HH', 'UTC') >= '20' THEN 'nightTime' ELSE 'otherTime' END "
     "AS bid_time_type, date_time, LEN(extra) AS extra_len FROM bid "
     "WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;",
     "Nexmark's user-defined count_char(extra, 'c') is LEN(extra); under this generator's prices "
     "(1 to 99999) the filter passes no bid, so this measures decoding and the filter", 0},
    {"q18", "latest bid of each bidder on each auction", B,
     "CREATE TABLE q18 WITH (KEY_FORMAT='JSON') AS SELECT auction, bidder, LATEST_BY_OFFSET(price) AS price FROM bid "
     "GROUP BY auction, bidder;",
     "keeps the latest price, not the whole latest bid row (ROW_NUMBER)", 0},
    {"q19", "top 10 prices per auction", B,
     "CREATE TABLE q19 AS SELECT auction, TOPK(price, 10) AS top_prices FROM bid GROUP BY auction;",
     "an array of the 10 highest prices, not the 10 bid rows (ROW_NUMBER)", 0},
    {"q20", "bids of category-10 auctions, expanded with their auction", A | B,
     "CREATE TABLE auction_t AS SELECT id, LATEST_BY_OFFSET(item_name) AS item_name, "
     "LATEST_BY_OFFSET(category) AS category FROM auction GROUP BY id;"
     "CREATE STREAM q20 AS SELECT b.auction AS auction, b.bidder, b.price, b.channel, a.item_name, a.category "
     "FROM bid b JOIN auction_t a ON b.auction = a.id WHERE a.category = 10;",
     "bids joined with a table of auctions (latest per id), not two unbounded streams", 0},
    {"q21", "channel id from a CASE or the url", B,
     "CREATE STREAM q21 AS SELECT auction, bidder, price, channel, "
     "CASE WHEN LCASE(channel) = 'apple' THEN '0' WHEN LCASE(channel) = 'google' THEN '1' "
     "WHEN LCASE(channel) = 'facebook' THEN '2' WHEN LCASE(channel) = 'baidu' THEN '3' "
     "ELSE REGEXP_EXTRACT('(&|^)channel_id=([^&]*)', url, 2) END AS channel_id FROM bid "
     "WHERE REGEXP_EXTRACT('(&|^)channel_id=([^&]*)', url, 2) IS NOT NULL OR "
     "LCASE(channel) IN ('apple', 'google', 'facebook', 'baidu');",
     NULL, 0},
    {"q22", "url split into directories", B,
     "CREATE STREAM q22 AS SELECT auction, bidder, price, channel, SPLIT(url, '/')[4] AS dir1, "
     "SPLIT(url, '/')[5] AS dir2, SPLIT(url, '/')[6] AS dir3 FROM bid;",
     NULL, 0},
};
const int nexmark_queries_n = (int)(sizeof nexmark_queries / sizeof nexmark_queries[0]);

const nexmark_missing nexmark_queries_missing[] = {
    {"q6", "average selling price of each seller's last 10 closed auctions: needs an aggregate over "
           "the last N rows per key (OVER ... ROWS), which ksqlDB has no window for"},
    {"q9", "the winning bid of each auction as a whole row: needs ROW_NUMBER or an argmax "
           "aggregate; MAX gives the price only (q4's first two steps compute it)"},
    {"q10", "writes bids to partitioned files on a file system: a sink connector, not a query"},
    {"q12", "bids per bidder in processing-time windows: ksqlDB windows are on event time only"},
    {"q13", "a join with a bounded side input read from a file: Eddy has no file source (a table "
            "loaded into a topic first would do; this benchmark does not load one)"},
    {"q15", "per-day statistics with COUNT(DISTINCT ...) FILTER (WHERE ...): no FILTER clause "
            "(not written with CASE here yet)"},
    {"q16", "per-channel statistics with COUNT(DISTINCT ...) FILTER: as q15"},
    {"q17", "per-auction statistics with FILTER: as q15"},
};
const int nexmark_queries_nmissing = (int)(sizeof nexmark_queries_missing / sizeof nexmark_queries_missing[0]);

const nexmark_query *nexmark_queries_find(const char *name)
{
    for (int i = 0; i < nexmark_queries_n; i++)
        if (!strcasecmp(nexmark_queries[i].name, name))
            return &nexmark_queries[i];
    return NULL;
}

const char *nexmark_queries_why_missing(const char *name)
{
    for (int i = 0; i < nexmark_queries_nmissing; i++)
        if (!strcasecmp(nexmark_queries_missing[i].name, name))
            return nexmark_queries_missing[i].why;
    return NULL;
}

const char *nexmark_queries_ddl(nexmark_kind k)
{
    switch (k) {
    case NEXMARK_PERSON:
        return "CREATE STREAM person (id BIGINT, name STRING, email_address STRING, credit_card STRING, "
               "city STRING, state STRING, date_time BIGINT, extra STRING) "
               "WITH (KAFKA_TOPIC='person', VALUE_FORMAT='JSON', TIMESTAMP='date_time');";
    case NEXMARK_AUCTION:
        return "CREATE STREAM auction (id BIGINT, item_name STRING, description STRING, initial_bid BIGINT, "
               "reserve BIGINT, date_time BIGINT, expires BIGINT, seller BIGINT, category BIGINT, extra STRING) "
               "WITH (KAFKA_TOPIC='auction', VALUE_FORMAT='JSON', TIMESTAMP='date_time');";
    default:
        return "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, "
               "date_time BIGINT, extra STRING) "
               "WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON', TIMESTAMP='date_time');";
    }
}
