-- E-commerce: page views and order totals per customer in 10-minute
-- windows that advance every 5 minutes (so each event counts in two
-- windows), and each customer's last order as a table that services read
-- with a pull query: SELECT * FROM last_order WHERE customer = 'ann';
-- (tests/e2e/test_examples.sh runs that pull query).
CREATE STREAM pageviews (customer STRING KEY, page STRING)
  WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM orders (customer STRING KEY, order_id INT, total DOUBLE)
  WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);

CREATE TABLE views_per_customer AS
  SELECT customer, COUNT(*) AS views
  FROM pageviews
  WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES)
  GROUP BY customer;

CREATE TABLE spend_per_customer AS
  SELECT customer, SUM(total) AS spent, COUNT(*) AS orders
  FROM orders
  WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES)
  GROUP BY customer;

CREATE TABLE last_order AS
  SELECT customer, LATEST_BY_OFFSET(order_id) AS order_id, LATEST_BY_OFFSET(total) AS total,
         COUNT(*) AS orders
  FROM orders
  GROUP BY customer;
