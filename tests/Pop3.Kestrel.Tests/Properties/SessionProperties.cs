using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pop3.Kestrel.Tests.Sessions;

namespace Pop3.Kestrel.Tests.Properties;

/// <summary>
/// FsCheck properties through a real session over the in-memory pipes: what LIST and STAT announce is what
/// RETR delivers, and TOP n k is a prefix of RETR n, for any stored message.
/// </summary>
public sealed class SessionProperties
{
    /// <summary>Messages rich in dots, CR and LF, behind one header line (so no message is empty).</summary>
    public static class Messages
    {
        public static Arbitrary<byte[]> Bytes() =>
            Gen.Frequency(
                    (4, Gen.Elements((byte)'.', (byte)'\r', (byte)'\n', (byte)'a', (byte)' ')),
                    (1, ArbMap.Default.GeneratorFor<byte>()))
                .ArrayOf()
                .Select(body => (byte[])[.. "X-Test: p\r\n"u8, .. body])
                .ToArbitrary();
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(Messages)])]
    public bool List_and_stat_sizes_equal_the_octets_retr_delivers(byte[] first, byte[] second)
    {
        return RunAsync().GetAwaiter().GetResult();

        async Task<bool> RunAsync()
        {
            await using var s = new SessionHarness(store =>
            {
                store.Add("alice", first);
                store.Add("alice", second);
            });
            await s.LoginAsync();
            var received = new long[2];
            for (var n = 1; n <= 2; n++)
            {
                var status = await s.CommandAsync($"RETR {n}");
                received[n - 1] = Unstuff(await s.ReadMultiLineAsync()).Length;
                if (status != $"+OK {received[n - 1]} octets" || await s.CommandAsync($"LIST {n}") != $"+OK {n} {received[n - 1]}")
                {
                    return false;
                }
            }

            return await s.CommandAsync("STAT") == $"+OK 2 {received[0] + received[1]}";
        }
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(Messages)])]
    public bool Top_n_k_is_a_prefix_of_retr_n(byte[] message, NonNegativeInt bodyLines)
    {
        return RunAsync().GetAwaiter().GetResult();

        async Task<bool> RunAsync()
        {
            await using var s = new SessionHarness(store => store.Add("alice", message));
            await s.LoginAsync();
            await s.CommandAsync("RETR 1");
            var retr = Unstuff(await s.ReadMultiLineAsync());
            await s.CommandAsync($"TOP 1 {bodyLines.Get}");
            var top = Unstuff(await s.ReadMultiLineAsync());
            return retr.AsSpan().StartsWith(top) && top.Length > 0;
        }
    }

    /// <summary>What a client keeps of a multi-line body: terminator dropped, one leading dot of each line removed.</summary>
    private static byte[] Unstuff(string wire)
    {
        var bytes = Encoding.Latin1.GetBytes(wire);
        var output = new List<byte>(bytes.Length);
        var lineStart = true;
        for (var i = 0; i < bytes.Length - 3; i++)
        {
            if (!(lineStart && bytes[i] == (byte)'.'))
            {
                output.Add(bytes[i]);
            }

            lineStart = bytes[i] == (byte)'\n';
        }

        return [.. output];
    }
}
