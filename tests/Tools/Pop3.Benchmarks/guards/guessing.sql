-- A guesser on one address, every client at once: all guesses contend for the same address row.
\set u random(1, 100000)
SELECT pop3_guess_begin(now(), '5 min', false, '192.0.2.66', 2147483647, '15 min', 'user' || :u, 2147483647, '15 min', NULL, 5, '15 min');
SELECT * FROM pop3_guess_fail(now(), true, '192.0.2.66', '15 min', 100, 'user' || :u, '15 min', 100, 0, '15 min', NULL, '15 min', 5);
