-- An everyday login: the guess is allowed, then ends without failing (its rows are dropped again).
\set a random(1, 250)
\set b random(1, 250)
\set u random(1, 100000)
SELECT pop3_guess_begin(now(), '5 min', false, '10.1.' || :a || '.' || :b, 10, '15 min', 'user' || :u, 20, '15 min', 'user' || :u || E'\n10.1.' || :a || '.' || :b, 5, '15 min');
SELECT pop3_guess_end(now(), '10.1.' || :a || '.' || :b, '15 min', 'user' || :u, '15 min', 'user' || :u || E'\n10.1.' || :a || '.' || :b, '15 min');
