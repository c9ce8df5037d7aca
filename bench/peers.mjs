// peers.mjs — the DuckDB half of `make bench-peers` (bench/peers.sh).
//
//   node bench/peers.mjs PEERS_DIR EVENTS_DIR EDDY_JSON OUT_DIR
//
// Runs the stateless, join and window workloads of `eddy bench nexmark` as
// batch SQL in DuckDB (the @duckdb/node-api package installed in PEERS_DIR)
// over the same events (EVENTS_DIR/{person,auction,bid}.ndjson, written by
// `eddy bench nexmark --ndjson`), each reading JSON and writing its result as
// JSON to OUT_DIR, and prints events per CPU second beside Eddy's (from the
// --json lines in EDDY_JSON) and their ratio.  CPU seconds are the whole
// process's (user + system, process.cpuUsage()), across DuckDB's threads.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [peersDir, eventsDir, eddyJson, outDir] = process.argv.slice(2);
const require = createRequire(path.resolve(peersDir) + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const cols = {
  bid: "{auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR', url: 'VARCHAR', date_time: 'BIGINT', extra: 'VARCHAR'}",
  auction: "{id: 'BIGINT', item_name: 'VARCHAR', description: 'VARCHAR', initial_bid: 'BIGINT', reserve: 'BIGINT', date_time: 'BIGINT', expires: 'BIGINT', seller: 'BIGINT', category: 'BIGINT', extra: 'VARCHAR'}",
  person: "{id: 'BIGINT', name: 'VARCHAR', email_address: 'VARCHAR', credit_card: 'VARCHAR', city: 'VARCHAR', state: 'VARCHAR', date_time: 'BIGINT', extra: 'VARCHAR'}",
};
const src = (k) => `read_json('${eventsDir}/${k}.ndjson', format='newline_delimited', columns=${cols[k]})`;

// The same computations as Eddy's queries, as one batch over all events:
// a window query gives each window's final result, where Eddy's EMIT CHANGES
// table emits every change (so the output row counts differ).
const workloads = {
  q0: `SELECT auction, bidder, price, date_time, extra FROM ${src('bid')}`,
  q1: `SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM ${src('bid')}`,
  q2: `SELECT auction, price FROM ${src('bid')} WHERE auction % 123 = 0`,
  q3: `SELECT a.seller, p.name, p.city, p.state, a.id FROM ${src('auction')} a JOIN ${src('person')} p
       ON a.seller = p.id WHERE a.category = 10 AND p.state IN ('OR', 'ID', 'CA')`,
  q5: `SELECT auction, ws AS window_start, count(*) AS num FROM
       (SELECT auction, unnest(generate_series(date_time // 2000 * 2000 - 8000, date_time // 2000 * 2000, 2000)) AS ws
        FROM ${src('bid')}) GROUP BY auction, ws`,
  q7: `SELECT auction, date_time // 10000 * 10000 AS window_start, max(price) AS max_price
       FROM ${src('bid')} GROUP BY ALL`,
  q8: `SELECT p.id, p.name, a.reserve FROM ${src('person')} p JOIN ${src('auction')} a
       ON p.id = a.seller AND a.date_time BETWEEN p.date_time - 10000 AND p.date_time + 10000`,
};

const eddy = {};
for (const line of fs.readFileSync(eddyJson, 'utf8').split('\n'))
  if (line.trim()) { const r = JSON.parse(line); eddy[r.query] = r; }

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const threads = (await con.runAndReadAll("SELECT current_setting('threads')")).getRows()[0][0];
fs.mkdirSync(outDir, { recursive: true });
console.log(`DuckDB (@duckdb/node-api), ${threads} threads, batch over the same events; ` +
            'events per CPU second (user + system of the whole process)');
console.log('query   events      Eddy ev/s/core  DuckDB ev/s/core  DuckDB/Eddy  DuckDB rows');
for (const [q, sql] of Object.entries(workloads)) {
  const e = eddy[q];
  if (!e) continue;
  const out = path.join(outDir, `${q}.ndjson`);
  const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
  await con.run(`COPY (${sql}) TO '${out}' (FORMAT JSON)`);
  const cpu = process.cpuUsage(c0), secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const rows = (await con.runAndReadAll(`SELECT count(*) FROM read_json('${out}', format='newline_delimited')`)).getRows()[0][0];
  const duck = e.events / cpuS;
  console.log(`${q.padEnd(7)} ${String(e.events).padEnd(11)} ${e.events_per_s_per_core.toFixed(0).padStart(14)}  ` +
              `${duck.toFixed(0).padStart(16)}  ${(duck / e.events_per_s_per_core).toFixed(2).padStart(11)}  ` +
              `${String(rows).padStart(11)}   (${secs.toFixed(2)} s wall, ${cpuS.toFixed(2)} CPU s)`);
}
