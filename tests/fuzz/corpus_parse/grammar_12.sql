SELECT * FROM users WHERE id = 'u1';
