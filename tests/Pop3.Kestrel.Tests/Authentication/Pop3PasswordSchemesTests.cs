using System.Security.Cryptography;
using System.Text;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.UsersFile;
using Pop3.Kestrel.UsersFile.PasswordSchemes;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class Pop3PasswordSchemesTests
{
    [Theory]
    [MemberData(nameof(DovecotFixtures.All), MemberType = typeof(DovecotFixtures))]
    public void Password_matches_the_hash_doveadm_made_from_it(string password, string stored)
    {
        Assert.True(Pop3PasswordSchemes.Verify(stored, password));
    }

    [Theory]
    [MemberData(nameof(DovecotFixtures.All), MemberType = typeof(DovecotFixtures))]
    [Trait("Category", "Slow")]
    public void Wrong_password_does_not_match_any_scheme(string password, string stored)
    {
        var parsed = Pop3StoredPassword.Parse(stored);
        Assert.False(parsed.Verify(password + "x"));
        Assert.False(parsed.Verify(password[..^1]));
        Assert.False(parsed.Verify(string.Empty));
        Assert.False(parsed.Verify(password.ToUpperInvariant() == password ? password.ToLowerInvariant() : password.ToUpperInvariant()));
    }

    [Theory]
    [MemberData(nameof(DovecotFixtures.Unprefixed), MemberType = typeof(DovecotFixtures))]
    public void Hash_without_scheme_prefix_is_read_as_crypt(string password, string stored)
    {
        var parsed = Pop3StoredPassword.Parse(stored);
        Assert.Equal("CRYPT", parsed.Scheme);
        Assert.True(parsed.Verify(password));
        Assert.False(parsed.Verify(password + "x"));
    }

    [Theory]
    [MemberData(nameof(DovecotFixtures.DrepperVectors), MemberType = typeof(DovecotFixtures))]
    public void Sha_crypt_gives_the_published_results_of_Drepper_spec(string setting, string key, string expected)
    {
        Assert.True(ShaCrypt.TryParseSetting(setting, out var parsed, out _, out _));
        Assert.Equal(expected, ShaCrypt.Compute(Encoding.UTF8.GetBytes(key), parsed));
        Assert.True(Pop3PasswordSchemes.Verify(expected, key));
        Assert.False(Pop3PasswordSchemes.Verify(expected, key + "!"));
    }

    [Theory]
    [InlineData("{SHA1}W6ph5Mm5Pz8GgiULbPgzG37mj9g=", "unknown password scheme 'SHA1'")]
    [InlineData("{NOPE}x", "unknown password scheme 'NOPE'")]
    [InlineData("{PLAIN", "not closed")]
    [InlineData("{SHA512-CRYPT}$5$abc$SRkf26.O7jUhE8p5CL/tHJvRQfI.xmS2KJWpjPiBvCA", "starts with $6$")]
    [InlineData("{SHA512-CRYPT}$6$salt$tooshort", "digest")]
    [InlineData("{SHA256-CRYPT}$5$rounds=abc$salt$KzZMXEV7oj4n7h3Y2nehu/6ijGq7T.9Cx5Dq9fvs7fA", "rounds")]
    [InlineData("{BLF-CRYPT}$2y$05$short", "BLF-CRYPT")]
    [InlineData("{BLF-CRYPT}$2y$99$Q6.F2Ew.AqGCoKQhRvkpvuQ18WOxDtbZ/wSARbkc7.d6iC6qhndKi", "cost")]
    [InlineData("{ARGON2ID}$argon2id$v=16$m=65536,t=3,p=1$AhJIL/tVCkuyhWhYMha+HA$4MOcvY1qs/PSlbpXlRZZf8otkNldqFVDeH+gmFq6StM", "version")]
    [InlineData("{ARGON2ID}$argon2id$v=19$m=65536,t=0,p=1$AhJIL/tVCkuyhWhYMha+HA$4MOcvY1qs/PSlbpXlRZZf8otkNldqFVDeH+gmFq6StM", "parameters")]
    [InlineData("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$!!!$4MOcvY1qs/PSlbpXlRZZf8otkNldqFVDeH+gmFq6StM", "base64")]
    [InlineData("{PBKDF2}$1$salt$5000$nothex", "hex")]
    [InlineData("{PBKDF2}$2$salt$5000$855b15405465b0aba0e14ef06daa70bc2ccfc427", "$1$salt$rounds$hex")]
    [InlineData("{SCRAM-SHA-256}4096,AZFguVH3pAhg0nAdjR8dCQ==,jb05", "iterations,salt")]
    [InlineData("{SCRAM-SHA-256}4096,AZFguVH3pAhg0nAdjR8dCQ==,AAAA,3H0OXgpusdFAXoVHnyFTI97dJ+GYV98oVkdsnx7jYqw=", "right length")]
    [InlineData("{CRAM-MD5}bac317", "64 hex")]
    [InlineData("$1$abcdefgh$Vd9dGnNHY9ux53S4LuUcs.", "crypt(3)")]
    [InlineData("secret", "crypt(3)")]
    public void Unknown_scheme_or_malformed_hash_is_refused_with_a_reason_and_never_matches(string stored, string reason)
    {
        Assert.False(Pop3StoredPassword.TryParse(stored, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.False(Pop3PasswordSchemes.Verify(stored, "secret"));
        Assert.Throws<FormatException>(() => Pop3StoredPassword.Parse(stored));
    }

    [Fact]
    public void Scheme_names_are_case_insensitive_as_in_Dovecot()
    {
        Assert.True(Pop3PasswordSchemes.Verify("{plain}abc", "abc"));
        Assert.Equal("SHA512-CRYPT", Pop3StoredPassword.Parse("{sha512-crypt}$6$c03i3mUiwIRNrdx5$RVXR.5rv46CrqndY2SxZFMbG1/FbTakavO9GJTkdiZ30U71GnNbHS0f9xwKhMmN5VO77n4P7MTXpAphmZKGhr/").Scheme);
    }

    [Fact]
    public void Names_lists_every_scheme_and_alias()
    {
        Assert.Equal(
            ["PLAIN", "CLEAR", "CLEARTEXT", "CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "BLF-CRYPT", "ARGON2I", "ARGON2ID", "PBKDF2", "SCRAM-SHA-256", "CRAM-MD5"],
            Pop3PasswordSchemes.Names);
    }

    public static TheoryData<string, int?> HashableSchemes => new()
    {
        { "PLAIN", null },
        { "CLEAR", null },
        { "CRYPT", null },
        { "SHA512-CRYPT", null },
        { "SHA512-CRYPT", 10000 },
        { "SHA256-CRYPT", null },
        { "SHA256-CRYPT", 6000 },
        { "BLF-CRYPT", 5 },
        { "ARGON2I", null },
        { "ARGON2ID", null },
        { "PBKDF2", null },
        { "PBKDF2", 1200 },
        { "SCRAM-SHA-256", null },
        { "CRAM-MD5", null },
    };

    [Theory]
    [MemberData(nameof(HashableSchemes))]
    public void Hash_round_trips_through_Verify(string scheme, int? rounds)
    {
        var stored = Pop3PasswordSchemes.Hash(scheme, DovecotFixtures.Utf8Password, rounds);

        var parsed = Pop3StoredPassword.Parse(stored);
        Assert.True(parsed.Verify(DovecotFixtures.Utf8Password));
        Assert.False(parsed.Verify(DovecotFixtures.Password));
    }

    [Theory]
    [MemberData(nameof(HashableSchemes))]
    [Trait("Category", "Interop")]
    public async Task Hash_is_accepted_by_doveadm(string scheme, int? rounds)
    {
        var stored = Pop3PasswordSchemes.Hash(scheme, DovecotFixtures.Password, rounds);

        Assert.True(await Doveadm.VerifiesAsync(stored, DovecotFixtures.Password), $"doveadm pw -t refused the {scheme} hash.");
        Assert.False(await Doveadm.VerifiesAsync(stored, DovecotFixtures.Utf8Password), $"doveadm pw -t accepted a wrong password for the {scheme} hash.");
    }

    [Fact]
    public void Hash_uses_a_fresh_salt_each_time()
    {
        Assert.NotEqual(Pop3PasswordSchemes.Hash("SHA512-CRYPT", "x"), Pop3PasswordSchemes.Hash("SHA512-CRYPT", "x"));
        Assert.NotEqual(Pop3PasswordSchemes.Hash("SCRAM-SHA-256", "x"), Pop3PasswordSchemes.Hash("SCRAM-SHA-256", "x"));
    }

    [Fact]
    public void Sha512_crypt_hash_has_Dovecot_shape_and_writes_rounds_only_when_not_default()
    {
        Assert.Matches(@"^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$", Pop3PasswordSchemes.Hash("SHA512-CRYPT", "x"));
        Assert.StartsWith("{SHA512-CRYPT}$6$rounds=20000$", Pop3PasswordSchemes.Hash("SHA512-CRYPT", "x", 20000), StringComparison.Ordinal);
    }

    [Fact]
    public void Hash_of_unknown_scheme_is_an_argument_error()
    {
        var error = Assert.Throws<ArgumentException>(() => Pop3PasswordSchemes.Hash("MD5-CRYPT", "x"));
        Assert.Contains("SHA512-CRYPT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scram_credentials_are_exposed_for_a_scram_mechanism()
    {
        var parsed = Pop3StoredPassword.Parse("{SCRAM-SHA-256}4096,AZFguVH3pAhg0nAdjR8dCQ==,jb05VobxP5PdV/JwQbVInioXtN5oDc94qcJIwRwADHM=,3H0OXgpusdFAXoVHnyFTI97dJ+GYV98oVkdsnx7jYqw=");

        Assert.True(parsed.TryGetScramSha256Credentials(out var credentials));
        Assert.Equal(4096, credentials.Iterations);
        Assert.Equal(Convert.FromBase64String("AZFguVH3pAhg0nAdjR8dCQ=="), credentials.Salt.ToArray());

        // RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key")).
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(DovecotFixtures.Password), credentials.Salt.ToArray(), 4096, HashAlgorithmName.SHA256, 32);
        Assert.Equal(SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8)), credentials.StoredKey.ToArray());
        Assert.Equal(HMACSHA256.HashData(salted, "Server Key"u8), credentials.ServerKey.ToArray());
        Assert.False(parsed.TryGetPlaintext(out _));
    }

    [Fact]
    public void Cram_md5_context_is_exposed_and_equals_the_one_computed_from_a_plain_password()
    {
        Assert.True(Pop3StoredPassword.Parse("{CRAM-MD5}bac317689aa949d7a10c6f20c10c7e7ca3b1f813c7d26a272cd792c7cc684961").TryGetCramMd5Context(out var stored));
        Assert.True(Pop3StoredPassword.Parse("{PLAIN}" + DovecotFixtures.Password).TryGetCramMd5Context(out var computed));
        Assert.Equal(Convert.FromHexString("bac317689aa949d7a10c6f20c10c7e7ca3b1f813c7d26a272cd792c7cc684961"), stored.ToArray());
        Assert.Equal(stored.ToArray(), computed.ToArray());
        Assert.False(Pop3StoredPassword.Parse("{PBKDF2}$1$7mnhyLY2mA4iQVVV$5000$855b15405465b0aba0e14ef06daa70bc2ccfc427").TryGetCramMd5Context(out _));
    }

    [Fact]
    public void Plaintext_is_exposed_only_for_plain_entries()
    {
        Assert.True(Pop3StoredPassword.Parse("{CLEAR}open sesame").TryGetPlaintext(out var plaintext));
        Assert.Equal("open sesame", plaintext);
        Assert.False(Pop3StoredPassword.Parse("{CRAM-MD5}bac317689aa949d7a10c6f20c10c7e7ca3b1f813c7d26a272cd792c7cc684961").TryGetPlaintext(out _));
    }

    [Fact]
    public void Md5_compression_of_one_padded_block_is_md5()
    {
        // A 55-byte message plus its padding fills exactly one block, so MD5 is one compression.
        var message = Encoding.ASCII.GetBytes(new string('a', 55));
        var block = new byte[64];
        message.CopyTo(block, 0);
        block[55] = 0x80;
        BitConverter.TryWriteBytes(block.AsSpan(56), (ulong)message.Length * 8);

        var state = new byte[16];
        Md5Block.Compress(block, state);

        Assert.Equal(MD5.HashData(message), state);
    }

    [Fact]
    public void Stored_password_shows_its_scheme_but_never_its_secret()
    {
        Assert.Equal("{PLAIN}", Pop3StoredPassword.Parse("{PLAIN}hunter2").ToString());
    }
}
