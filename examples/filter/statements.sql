-- Orders over 100 go to BIG_ORDERS, with the amount doubled and the name upper-cased.
CREATE STREAM orders (id INT KEY, name STRING, amount DOUBLE)
  WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON');
CREATE STREAM big_orders AS
  SELECT id, UCASE(name) AS name, amount * 2 AS doubled
  FROM orders
  WHERE amount > 100;
