namespace Pop3.Fuzz;

/// <summary>
/// A seeded random-mutation fuzzer, for where no coverage-guided fuzzer runs (CI): it takes the seed corpus,
/// mutates it the way AFL's havoc stage does (bit flips, byte inserts, deletions, duplications, splices, and
/// POP3's own trouble makers: CR, LF, NUL, long runs, huge numbers) and runs the targets. Deterministic per seed.
/// </summary>
public static class Pop3Mutator
{
    private static readonly byte[][] Tokens =
    [
        "\r\n"u8.ToArray(), "\r"u8.ToArray(), "\n"u8.ToArray(), "\0"u8.ToArray(), " "u8.ToArray(), "."u8.ToArray(),
        "0"u8.ToArray(), "-1"u8.ToArray(), "4294967296"u8.ToArray(), "2147483648"u8.ToArray(), "99999999999999999999"u8.ToArray(),
        "USER alice\r\nPASS secret\r\n"u8.ToArray(), "QUIT\r\n"u8.ToArray(), "RETR 1\r\n"u8.ToArray(), "TOP 1 0\r\n"u8.ToArray(),
        "DELE 1\r\n"u8.ToArray(), "RSET\r\n"u8.ToArray(), "AUTH PLAIN "u8.ToArray(), "STLS\r\n"u8.ToArray(), "UTF8\r\n"u8.ToArray(),
        [0xC3, 0x28], [0xFF, 0xFE], [0xED, 0xA0, 0x80],
    ];

    /// <summary>One mutated input from the seeds.</summary>
    public static byte[] Next(Random random, IReadOnlyList<byte[]> seeds)
    {
        var data = new List<byte>(seeds[random.Next(seeds.Count)]);
        var rounds = 1 + random.Next(8);
        for (var i = 0; i < rounds; i++)
        {
            switch (random.Next(9))
            {
                case 0 when data.Count > 0:
                    var at = random.Next(data.Count);
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data.Insert(random.Next(data.Count + 1), (byte)random.Next(256));
                    break;
                case 2 when data.Count > 0:
                    var start = random.Next(data.Count);
                    data.RemoveRange(start, random.Next(1, Math.Min(32, data.Count - start) + 1));
                    break;
                case 3 when data.Count > 0:
                    var from = random.Next(data.Count);
                    var length = random.Next(1, Math.Min(64, data.Count - from) + 1);
                    data.InsertRange(random.Next(data.Count + 1), data.GetRange(from, length));
                    break;
                case 4:
                    var other = seeds[random.Next(seeds.Count)];
                    var cut = random.Next(other.Length + 1);
                    data.InsertRange(random.Next(data.Count + 1), other[cut..]);
                    break;
                case 5:
                case 6:
                    data.InsertRange(random.Next(data.Count + 1), Tokens[random.Next(Tokens.Length)]);
                    break;
                case 7:
                    // A run long enough to cross the 255-octet and sometimes the 8 KiB limit.
                    data.InsertRange(random.Next(data.Count + 1), Enumerable.Repeat((byte)"A. \r"[random.Next(4)], random.Next(2) == 0 ? random.Next(200, 300) : random.Next(8000, 9000)));
                    break;
                case 8 when data.Count > 0:
                    var keep = random.Next(data.Count);
                    data.RemoveRange(keep, data.Count - keep);
                    break;
            }
        }

        return [.. data];
    }
}
