DESCRIBE pageviews;
