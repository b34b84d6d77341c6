namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// Migration 4: the guess windows and the LOGIN-DELAY history shared by every node. One row per counted key
/// (<c>kind</c> 0 an address, 1 a user, 2 a user and an address) holding the failures still in its window (newest
/// kept, at most the limit), the guesses in flight with the time their places lapse (a node that dies holding places
/// gives them back by then), a lockout end, and <c>expires_at</c>, after which the row says nothing and may be purged.
/// The functions lock a guess's rows in one order (address, user, pair), so guesses running at once never deadlock,
/// and decide in one round trip.
/// </summary>
internal static class PostgreSqlGuardSchema
{
    public const int Version = 4;

    public const string Description = "shared guess windows and login history";

    public const string Sql = """
        CREATE TABLE pop3_guess_windows (
            kind            smallint      NOT NULL CHECK (kind BETWEEN 0 AND 2),
            key             text          NOT NULL,
            failures        timestamptz[] NOT NULL DEFAULT '{}',
            in_flight       integer       NOT NULL DEFAULT 0 CHECK (in_flight >= 0),
            in_flight_until timestamptz   NOT NULL DEFAULT '-infinity',
            blocked_until   timestamptz   NOT NULL DEFAULT '-infinity',
            expires_at      timestamptz   NOT NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE INDEX pop3_guess_windows_expires_at ON pop3_guess_windows (expires_at);

        CREATE TABLE pop3_last_logins (
            mailbox    text        PRIMARY KEY,
            last_login timestamptz NOT NULL
        );

        CREATE FUNCTION pop3_guess_failures(p_failures timestamptz[], p_now timestamptz, p_window interval) RETURNS integer
        LANGUAGE sql IMMUTABLE AS $$
            SELECT count(*)::integer FROM unnest(p_failures) AS f WHERE f > p_now - p_window
        $$;

        CREATE FUNCTION pop3_guess_in_flight(p_in_flight integer, p_until timestamptz, p_now timestamptz) RETURNS integer
        LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN p_until > p_now THEN p_in_flight ELSE 0 END
        $$;

        CREATE FUNCTION pop3_guess_trim(p_failures timestamptz[], p_now timestamptz, p_window interval, p_keep integer) RETURNS timestamptz[]
        LANGUAGE sql IMMUTABLE AS $$
            SELECT coalesce(array_agg(f ORDER BY f), '{}')
            FROM (SELECT f FROM unnest(p_failures) AS f WHERE f > p_now - p_window ORDER BY f DESC LIMIT greatest(p_keep, 0)) AS kept
        $$;

        -- The row of a key, made if missing, locked until the transaction ends.
        CREATE FUNCTION pop3_guess_row(p_kind smallint, p_key text, p_expires timestamptz) RETURNS pop3_guess_windows
        LANGUAGE sql AS $$
            INSERT INTO pop3_guess_windows AS w (kind, key, expires_at) VALUES (p_kind, p_key, p_expires)
            ON CONFLICT (kind, key) DO UPDATE SET expires_at = greatest(w.expires_at, EXCLUDED.expires_at)
            RETURNING *
        $$;

        -- 0: the guess may be checked and holds a place in each window; 1: the address is full; 2: the user is locked
        -- out or full; 3: the user and address pair is full. p_user and p_pair are null when not counted.
        CREATE FUNCTION pop3_guess_begin(
            p_now timestamptz, p_hold interval, p_familiar boolean,
            p_address text, p_address_limit integer, p_address_window interval,
            p_user text, p_user_limit integer, p_user_window interval,
            p_pair text, p_pair_limit integer, p_pair_window interval) RETURNS smallint
        LANGUAGE plpgsql AS $$
        DECLARE
            a pop3_guess_windows;
            u pop3_guess_windows;
            p pop3_guess_windows;
        BEGIN
            a := pop3_guess_row(0::smallint, p_address, p_now + p_hold);
            IF p_user IS NOT NULL THEN
                u := pop3_guess_row(1::smallint, p_user, p_now + p_hold);
            END IF;
            IF p_pair IS NOT NULL THEN
                p := pop3_guess_row(2::smallint, p_pair, p_now + p_hold);
            END IF;

            IF p_user IS NOT NULL AND NOT p_familiar AND u.blocked_until > p_now THEN
                RETURN 2;
            END IF;
            IF p_pair IS NOT NULL
               AND pop3_guess_failures(p.failures, p_now, p_pair_window) + pop3_guess_in_flight(p.in_flight, p.in_flight_until, p_now) >= p_pair_limit THEN
                RETURN 3;
            END IF;
            IF NOT p_familiar
               AND pop3_guess_failures(a.failures, p_now, p_address_window) + pop3_guess_in_flight(a.in_flight, a.in_flight_until, p_now) >= p_address_limit THEN
                RETURN 1;
            END IF;
            IF p_user IS NOT NULL AND NOT p_familiar
               AND pop3_guess_failures(u.failures, p_now, p_user_window) + pop3_guess_in_flight(u.in_flight, u.in_flight_until, p_now) >= p_user_limit THEN
                RETURN 2;
            END IF;

            UPDATE pop3_guess_windows
               SET in_flight = pop3_guess_in_flight(in_flight, in_flight_until, p_now) + 1,
                   in_flight_until = p_now + p_hold,
                   expires_at = greatest(expires_at, p_now + p_hold)
             WHERE (kind = 0 AND key = p_address) OR (kind = 1 AND key = p_user) OR (kind = 2 AND key = p_pair);
            RETURN 0;
        END
        $$;

        -- One failure counted against a key (giving back its place when p_held); a full window stays full.
        CREATE FUNCTION pop3_guess_failed(p_kind smallint, p_key text, p_now timestamptz, p_held boolean, p_window interval, p_keep integer)
            RETURNS pop3_guess_windows
        LANGUAGE sql AS $$
            INSERT INTO pop3_guess_windows AS w (kind, key, failures, expires_at) VALUES (p_kind, p_key, ARRAY[p_now], p_now + p_window)
            ON CONFLICT (kind, key) DO UPDATE SET
                failures = pop3_guess_trim(w.failures, p_now, p_window, p_keep - 1) || p_now,
                in_flight = greatest(pop3_guess_in_flight(w.in_flight, w.in_flight_until, p_now) - CASE WHEN p_held THEN 1 ELSE 0 END, 0),
                expires_at = greatest(w.expires_at, p_now + p_window)
            RETURNING *
        $$;

        CREATE FUNCTION pop3_guess_fail(
            p_now timestamptz, p_held boolean,
            p_address text, p_address_window interval, p_address_keep integer,
            p_user text, p_user_window interval, p_user_keep integer, p_lockout_after integer, p_lockout interval,
            p_pair text, p_pair_window interval, p_pair_keep integer,
            OUT address_failures integer, OUT user_failures integer, OUT locked_out_until timestamptz)
        LANGUAGE plpgsql AS $$
        DECLARE
            w pop3_guess_windows;
        BEGIN
            w := pop3_guess_failed(0::smallint, p_address, p_now, p_held, p_address_window, p_address_keep);
            address_failures := pop3_guess_failures(w.failures, p_now, p_address_window);
            user_failures := 0;
            IF p_user IS NOT NULL THEN
                w := pop3_guess_failed(1::smallint, p_user, p_now, p_held, p_user_window, p_user_keep);
                user_failures := pop3_guess_failures(w.failures, p_now, p_user_window);
                IF p_lockout_after > 0 AND user_failures >= p_lockout_after AND w.blocked_until <= p_now THEN
                    locked_out_until := p_now + p_lockout;
                    UPDATE pop3_guess_windows SET blocked_until = locked_out_until, expires_at = greatest(expires_at, locked_out_until)
                     WHERE kind = 1 AND key = p_user;
                END IF;
            END IF;
            IF p_pair IS NOT NULL THEN
                PERFORM pop3_guess_failed(2::smallint, p_pair, p_now, p_held, p_pair_window, p_pair_keep);
            END IF;
        END
        $$;

        -- A guess ended without failing: its places are given back, and a key left with nothing to remember goes.
        CREATE FUNCTION pop3_guess_ended(p_kind smallint, p_key text, p_now timestamptz, p_window interval) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            w pop3_guess_windows;
        BEGIN
            UPDATE pop3_guess_windows SET in_flight = greatest(pop3_guess_in_flight(in_flight, in_flight_until, p_now) - 1, 0)
             WHERE kind = p_kind AND key = p_key
            RETURNING * INTO w;
            IF w.in_flight = 0 AND w.blocked_until <= p_now AND pop3_guess_failures(w.failures, p_now, p_window) = 0 THEN
                DELETE FROM pop3_guess_windows WHERE kind = p_kind AND key = p_key;
            END IF;
        END
        $$;

        CREATE FUNCTION pop3_guess_end(
            p_now timestamptz, p_address text, p_address_window interval, p_user text, p_user_window interval, p_pair text, p_pair_window interval)
            RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pop3_guess_ended(0::smallint, p_address, p_now, p_address_window);
            IF p_user IS NOT NULL THEN
                PERFORM pop3_guess_ended(1::smallint, p_user, p_now, p_user_window);
            END IF;
            IF p_pair IS NOT NULL THEN
                PERFORM pop3_guess_ended(2::smallint, p_pair, p_now, p_pair_window);
            END IF;
        END
        $$;
        """;
}
