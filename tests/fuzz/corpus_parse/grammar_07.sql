INSERT INTO pageviews (viewtime, user_id, page_id) VALUES (1700000000000, 'u1', 'home');
