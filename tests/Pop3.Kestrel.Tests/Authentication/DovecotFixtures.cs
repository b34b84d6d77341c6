namespace Pop3.Kestrel.Tests.Authentication;

/// <summary>
/// Stored passwords made by Dovecot 2.3.19.1 (Debian 12's dovecot-core) with
/// <c>doveadm pw -s SCHEME [-r ROUNDS] -p PASSWORD</c>, pasted as they came out, and a few crypt(3)
/// strings made by libxcrypt (Python's <c>crypt.crypt</c>) for the bcrypt revisions doveadm does not write.
/// </summary>
internal static class DovecotFixtures
{
    public const string Password = "Pop3-secret!";

    public const string Utf8Password = "pässwörd";

    /// <summary>76 bytes: longer than HMAC's 64-byte block.</summary>
    public const string LongPassword = "This password is longer than sixty-four bytes, so HMAC hashes the key first!";

    /// <summary>(password, what doveadm printed).</summary>
    public static TheoryData<string, string> All => new()
    {
        { Password, "{PLAIN}Pop3-secret!" },
        { Password, "{CLEAR}Pop3-secret!" },
        { Password, "{CLEARTEXT}Pop3-secret!" },
        { Password, "{SHA512-CRYPT}$6$c03i3mUiwIRNrdx5$RVXR.5rv46CrqndY2SxZFMbG1/FbTakavO9GJTkdiZ30U71GnNbHS0f9xwKhMmN5VO77n4P7MTXpAphmZKGhr/" },
        { Password, "{SHA512-CRYPT}$6$rounds=10000$oBLMkwFXgywFPSXn$iUl9Dgnj57duNxd35Otd0oOJYTEXAcsoWfGRtojNO8Ifb0K0FBRjHUH7X.53pyPiYTTcA5ycv2yxhSAAyNSRy1" },
        { Utf8Password, "{SHA512-CRYPT}$6$Wc9zZUj3wj4XVl6I$.dlwm3.0hnNKSJm0661oCYPpPGS6AQwzzv70b4vZtHjo2/hAnZZz5z2SSiiSeQX5/I18qD/gXTTIcrMg/LEdn1" },
        { Password, "{SHA256-CRYPT}$5$VKkEcApSq7iAFrmE$KzZMXEV7oj4n7h3Y2nehu/6ijGq7T.9Cx5Dq9fvs7fA" },
        { Password, "{SHA256-CRYPT}$5$rounds=12345$MM0FgqFkT5sgz1sX$w0A7C7BYaYTrAO0KX.FlD3N3ba560Om8MUoMpdUjB32" },
        { LongPassword, "{SHA256-CRYPT}$5$H5FRGWaIcZtBriX5$OHu57aTlfnP7WEglBfbJ7K80YhsrIHXiYsAZLc4xS9D" },
        { Password, "{BLF-CRYPT}$2y$05$Q6.F2Ew.AqGCoKQhRvkpvuQ18WOxDtbZ/wSARbkc7.d6iC6qhndKi" },
        { Password, "{BLF-CRYPT}$2y$04$ruEyBOqMWx7XpXqnjuWVVO6weFlobNFXA0hRU6iQUoA3iEG0GEiB6" },
        { Utf8Password, "{BLF-CRYPT}$2y$05$J76AXaSpLWraU7gs64IOfu9CL322iRbYO5r6kwNUhGwOuYJD/Co.." },
        { Password, "{BLF-CRYPT}$2a$05$abcdefghijklmnopqrstuuEdu.cZLa97LCZ.aTQGt7wUuJa29ox5e" },
        { Password, "{BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuuEdu.cZLa97LCZ.aTQGt7wUuJa29ox5e" },
        { Password, "{CRYPT}$2y$05$pw0gTStdjtATzme0lknsxuLPZ3HBFQMBsv4rtDukZlv7A1SVqJJoK" },
        { Password, "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$5ExVd6C2pIsCAlErmapKHg$j918EZBa9mXLJjC+GAdKXNAFIttX3rfMfUHntE6NdYY" },
        { Password, "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$AhJIL/tVCkuyhWhYMha+HA$4MOcvY1qs/PSlbpXlRZZf8otkNldqFVDeH+gmFq6StM" },
        { Password, "{PBKDF2}$1$7mnhyLY2mA4iQVVV$5000$855b15405465b0aba0e14ef06daa70bc2ccfc427" },
        { Password, "{PBKDF2}$1$1EB1QEwyziJck9pL$1000$768dd9803ff724b0a2fb6e8cfef344f4da1820c1" },
        { Utf8Password, "{PBKDF2}$1$WB1.uHkWsXoN2SJY$5000$d86af8669bf17abb7ea6899ac6889801ef96dd8a" },
        { LongPassword, "{PBKDF2}$1$FdqLlup7nqm2lwgx$5000$6c01c554a302f1319711599c27201082589e5e32" },
        { Password, "{SCRAM-SHA-256}4096,AZFguVH3pAhg0nAdjR8dCQ==,jb05VobxP5PdV/JwQbVInioXtN5oDc94qcJIwRwADHM=,3H0OXgpusdFAXoVHnyFTI97dJ+GYV98oVkdsnx7jYqw=" },
        { Utf8Password, "{SCRAM-SHA-256}4096,GC4fQzNx03rFa4AUtHKUHQ==,vdYhPpsbLZ7b96D1oYdmnvqDFBZwhGHp5gf7foh8S/w=,oRc/U6Zmn5H3twViDypylRvWlALjq6ONYg94YFesgmQ=" },
        { LongPassword, "{SCRAM-SHA-256}4096,0EgAIFeThgRnhw99xvIc5w==,FXUcG7X6Q1CCKnh67gh+RJtClDEO/unUPtvVzgNhGvo=,illKEgN7ExucbD0sJ4kmW4fn1GtRMmjvlDi+6LcDInc=" },
        { Password, "{CRAM-MD5}bac317689aa949d7a10c6f20c10c7e7ca3b1f813c7d26a272cd792c7cc684961" },
        { Utf8Password, "{CRAM-MD5}4a60bd37924fc5d45b4c92ce695bac86cb234bc3028aab2a71a225cb0dedfbb9" },
        { LongPassword, "{CRAM-MD5}23ab5039c8fdaeca53d61db69d1417f2f4ba1437e23496b9b0a1b32e3335dc7e" },
    };

    /// <summary>crypt(3) strings without a <c>{SCHEME}</c> prefix, as in an old passwd-file.</summary>
    public static TheoryData<string, string> Unprefixed => new()
    {
        { Password, "$6$c03i3mUiwIRNrdx5$RVXR.5rv46CrqndY2SxZFMbG1/FbTakavO9GJTkdiZ30U71GnNbHS0f9xwKhMmN5VO77n4P7MTXpAphmZKGhr/" },
        { Password, "$5$rounds=12345$MM0FgqFkT5sgz1sX$w0A7C7BYaYTrAO0KX.FlD3N3ba560Om8MUoMpdUjB32" },
        { Password, "$2y$05$pw0gTStdjtATzme0lknsxuLPZ3HBFQMBsv4rtDukZlv7A1SVqJJoK" },
    };

    /// <summary>
    /// The test vectors of Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" (setting, key, result);
    /// also checked against libxcrypt, except <c>rounds=10</c> which libxcrypt refuses instead of clamping.
    /// </summary>
    public static TheoryData<string, string, string> DrepperVectors => new()
    {
        { "$5$saltstring", "Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5" },
        { "$5$rounds=10000$saltstringsaltstring", "Hello world!", "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA" },
        { "$5$rounds=5000$toolongsaltstring", "This is just a test", "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5" },
        { "$5$rounds=1400$anotherlongsaltstring", "a very much longer text to encrypt.  This one even stretches over morethan one line.", "$5$rounds=1400$anotherlongsalts$Rx.j8H.h8HjEDGomFU8bDkXm3XIUnzyxf12oP84Bnq1" },
        { "$5$rounds=77777$short", "we have a short salt string but not a short password", "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/" },
        { "$5$rounds=123456$asaltof16chars..", "a short string", "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD" },
        { "$5$rounds=10$roundstoolow", "the minimum number is still observed", "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC" },
        { "$6$saltstring", "Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1" },
        { "$6$rounds=10000$saltstringsaltstring", "Hello world!", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v." },
        { "$6$rounds=5000$toolongsaltstring", "This is just a test", "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0" },
        { "$6$rounds=1400$anotherlongsaltstring", "a very much longer text to encrypt.  This one even stretches over morethan one line.", "$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1" },
        { "$6$rounds=77777$short", "we have a short salt string but not a short password", "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0" },
        { "$6$rounds=123456$asaltof16chars..", "a short string", "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1" },
        { "$6$rounds=10$roundstoolow", "the minimum number is still observed", "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX." },
    };
}
