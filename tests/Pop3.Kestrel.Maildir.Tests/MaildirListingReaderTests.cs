using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>
/// A read that takes from the previous listing must give exactly what a read from scratch gives: the same files in the
/// same order, with the same UIDLs and sizes. Checked on fixed cases and on random histories of deliveries,
/// deletions, flag changes, rewritten files and rewritten (or removed, or corrupt) uidlists and size indexes; the
/// uidlists give UIDs in no particular order and sometimes a POP3 order (<c>O</c>), so they reorder the listing.
/// </summary>
public sealed class MaildirListingReaderTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    private string Root => _maildirs.Root();

    private string Cur => Path.Combine(Root, "cur");

    private string UidListPath => Path.Combine(Root, "dovecot-uidlist");

    /// <summary>A read as a login makes it, at a moment <paramref name="after"/> past the real clock.</summary>
    private Task<MaildirListingRead> ReadAsync(MaildirListingRead? previous, TimeSpan after = default) =>
        MaildirListingReader.ReadAsync(
            Root, MaildirListingStamp.Read(Root), DateTimeOffset.UtcNow + after, previous, NullLogger.Instance, None).AsTask();

    /// <summary>The incremental read, then one from scratch of the same Maildir; asserts they agree and returns the first.</summary>
    private async Task<MaildirListingRead> ReadBothAsync(MaildirListingRead? previous, string because)
    {
        var incremental = await ReadAsync(previous);
        var full = await ReadAsync(null);
        AssertSame(full, incremental, because);
        return incremental;
    }

    private static void AssertSame(MaildirListingRead expected, MaildirListingRead actual, string because)
    {
        var want = Describe(expected.Listing);
        var got = Describe(actual.Listing);
        Assert.True(want.SequenceEqual(got), $"{because}:\nexpected\n  {string.Join("\n  ", want)}\nactual\n  {string.Join("\n  ", got)}");
        Assert.Equal(expected.Positions.Count, actual.Positions.Count);
        foreach (var (name, position) in actual.Positions)
        {
            Assert.Equal(name, Assert.IsType<MaildirMessageKey>(actual.Listing[position].Key).FileName);
        }
    }

    private static string[] Describe(MaildropListing listing) =>
        [.. listing.Select((m, i) => $"{Assert.IsType<MaildirMessageKey>(m.Key).FileName} id={m.Id} uid={listing.UidOf(i)} size={listing.SizeOf(i)}")];

    private void Put(string name, string content) => _maildirs.Put("cur", name, Encoding.ASCII.GetBytes(content));

    [Fact]
    public async Task Unchanged_messages_are_taken_from_the_previous_listing_and_new_ones_merged_in_order()
    {
        Put("1700000010.a,S=3,W=3:2,", "a\r\n");
        Put("1700000020.b:2,", "b\n");
        Put("1700000030.c,S=3,W=3:2,", "c\r\n");
        var first = await ReadAsync(null);

        // One delivered later (the usual case), one carrying an earlier time, one with no time at all.
        Put("1700000040.d,S=3,W=3:2,", "d\r\n");
        Put("1700000015.e:2,", "e\n");
        Put("zzz.f,S=3,W=3:2,", "f\r\n");
        var second = await ReadBothAsync(first, "after three deliveries");

        Assert.Equal(["zzz.f", "1700000010.a", "1700000015.e", "1700000020.b", "1700000030.c", "1700000040.d"], second.Listing.Select(m => m.Id));
        Assert.Same(first.Listing[0], second.Listing[1]);
        Assert.Same(first.Listing[1], second.Listing[3]);
        Assert.Same(first.Listing[2], second.Listing[4]);
    }

    [Fact]
    public async Task Flag_change_deletion_and_rewrite_are_each_seen()
    {
        Put("1700000010.a:2,", "a\n");
        Put("1700000020.b:2,", "b\n");
        Put("1700000030.c:2,", "c\n");
        var first = await ReadAsync(null);

        File.Move(Path.Combine(Cur, "1700000010.a:2,"), Path.Combine(Cur, "1700000010.a:2,S"));
        File.Delete(Path.Combine(Cur, "1700000020.b:2,"));
        File.WriteAllText(Path.Combine(Cur, "1700000030.c:2,"), "c\nc\nc\n");
        var second = await ReadBothAsync(first, "after a flag change, a deletion and a rewrite");

        Assert.Equal(["1700000010.a:2,S", "1700000030.c:2,"], second.Listing.Select(m => ((MaildirMessageKey)m.Key!).FileName));
        Assert.Equal([3L, 9L], second.Listing.Select(m => m.Size!.Value));
    }

    [Fact]
    public async Task An_unchanged_uidlist_is_not_parsed_again()
    {
        Put("1700000010.a,S=3,W=3:2,", "a\r\n");
        File.WriteAllText(UidListPath, "3 V7 N2\n1 :1700000010.a,S=3,W=3\n");
        File.SetLastWriteTimeUtc(UidListPath, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        var first = await ReadAsync(null);
        Put("1700000020.b,S=3,W=3:2,", "b\r\n");

        var second = await ReadBothAsync(first, "after a delivery");

        Assert.NotNull(first.UidList);
        Assert.Same(first.UidList, second.UidList);
        Assert.Equal(["0000000100000007", "1700000020.b"], second.Listing.Select(m => m.Id));
    }

    [Fact]
    public async Task A_uidlist_rewritten_in_the_tick_of_the_read_is_parsed_again_though_mtime_and_length_are_the_same()
    {
        Put("1700000010.a,S=3,W=3:2,", "a\r\n");
        File.WriteAllText(UidListPath, "3 V7 N2\n1 :1700000010.a,S=3,W=3\n");
        var mtime = DateTime.UtcNow;
        File.SetLastWriteTimeUtc(UidListPath, mtime);

        // Read in the same tick as the uidlist's last change: its stamp proves nothing about what comes next.
        var first = await ReadAsync(null, after: TimeSpan.FromMilliseconds(1));
        Assert.False(first.UidListSettled);
        File.WriteAllText(UidListPath, "3 V8 N2\n1 :1700000010.a,S=3,W=3\n");
        File.SetLastWriteTimeUtc(UidListPath, mtime);
        Put("1700000020.b,S=3,W=3:2,", "b\r\n");

        var second = await ReadBothAsync(first, "after the uidlist changed behind its stamp");

        Assert.Equal(["0000000100000008", "1700000020.b"], second.Listing.Select(m => m.Id));
    }

    [Fact]
    public async Task A_size_measured_before_is_not_measured_again()
    {
        Put("1700000010.a:2,", "a\n");
        var first = await ReadAsync(null);
        File.Delete(Path.Combine(Root, "pop3-kestrel.sizes"));
        Put("1700000020.b,S=3,W=3:2,", "b\r\n");

        var second = await ReadAsync(first);

        Assert.Same(first.Listing[0], second.Listing[0]);

        // The index is rewritten from what the listing knows, so a read from scratch finds the size there too.
        Assert.Equal("1700000010.a\t2\t3\n", File.ReadAllText(Path.Combine(Root, "pop3-kestrel.sizes")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task Random_histories_read_incrementally_equal_reads_from_scratch(int seed)
    {
        var random = new Random(seed);
        var serial = 0;
        var uidListAge = DateTime.UtcNow - TimeSpan.FromDays(1);
        string NewName()
        {
            serial++;
            var time = random.Next(10) == 0 ? "untimed" : (1_700_000_000 + random.Next(0, 2_000)).ToString(CultureInfo.InvariantCulture);
            var sizes = random.Next(3) == 0 ? "" : ",S=0,W=" + random.Next(1, 5_000).ToString(CultureInfo.InvariantCulture);
            var flags = random.Next(4) == 0 ? "" : ":2," + "DFRS"[..random.Next(0, 5)];
            return $"{time}.M{serial}P{seed}.host{sizes}{flags}";
        }

        string Body() => string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? "line\n" : "line\r\n", random.Next(1, 6)));

        void RewriteUidList(bool sneaky)
        {
            var names = Directory.GetFiles(Cur).Select(Path.GetFileName).ToArray();
            var text = new StringBuilder($"3 V{random.Next(1, 99)} N{names.Length + 1}\n");
            var uid = 1;
            foreach (var name in names)
            {
                if (random.Next(3) == 0)
                {
                    continue;
                }

                var extensions = random.Next(5) switch
                {
                    0 => $"P{name![..Math.Min(name!.Length, 8)].Replace(':', 'x')} ",
                    1 => $"W{random.Next(1, 9_999)} ",
                    2 => "P  ",
                    3 => $"O{random.Next(1, 6)} ",
                    _ => "",
                };
                text.Append(CultureInfo.InvariantCulture, $"{uid++} {extensions}:{MaildirFileName.Base(name)}\n");
            }

            if (sneaky)
            {
                // Same mtime, same length, another UIDVALIDITY: only the settle rule can tell.
                var old = File.ReadAllText(UidListPath);
                var v = old.IndexOf(" V", StringComparison.Ordinal) + 2;
                if (v >= 2 && v < old.Length && char.IsAsciiDigit(old[v]))
                {
                    var mtime = File.GetLastWriteTimeUtc(UidListPath);
                    File.WriteAllText(UidListPath, old[..v] + (old[v] == '1' ? '2' : '1') + old[(v + 1)..]);
                    File.SetLastWriteTimeUtc(UidListPath, mtime);
                }

                return;
            }

            File.WriteAllText(UidListPath, text.ToString());

            // Usually written long ago by a well-behaved clock; sometimes just now, so the next read cannot trust its stamp.
            uidListAge += TimeSpan.FromSeconds(1);
            File.SetLastWriteTimeUtc(UidListPath, random.Next(4) == 0 ? DateTime.UtcNow : uidListAge);
        }

        for (var i = 0; i < 40; i++)
        {
            Put(NewName(), Body());
        }

        var previous = await ReadBothAsync(null, "the first read");
        for (var step = 0; step < 40; step++)
        {
            var files = Directory.GetFiles(Cur).Select(Path.GetFileName).ToList();
            for (var change = random.Next(1, 6); change > 0; change--)
            {
                switch (random.Next(9))
                {
                    case 0 or 1:
                        Put(NewName(), Body());
                        break;
                    case 2 when files.Count > 0:
                        File.Delete(Path.Combine(Cur, files[random.Next(files.Count)]!));
                        break;
                    case 3 when files.Count > 0:
                        {
                            var name = files[random.Next(files.Count)]!;
                            var renamed = MaildirFileName.Base(name).ToString() + ":2," + "DFRST"[..random.Next(0, 6)];
                            // The name may be gone already: deleted or renamed by an earlier change of this step.
                            if (renamed != name && File.Exists(Path.Combine(Cur, name)) && !File.Exists(Path.Combine(Cur, renamed)))
                            {
                                File.Move(Path.Combine(Cur, name), Path.Combine(Cur, renamed));
                            }

                            break;
                        }

                    case 4 when files.Count > 0:
                        File.WriteAllText(Path.Combine(Cur, files[random.Next(files.Count)]!), Body());
                        break;
                    case 5:
                        RewriteUidList(sneaky: File.Exists(UidListPath) && !previous.UidListSettled && random.Next(2) == 0);
                        break;
                    case 6:
                        if (random.Next(3) == 0)
                        {
                            File.Delete(UidListPath);
                        }
                        else if (random.Next(2) == 0)
                        {
                            File.WriteAllText(UidListPath, "not a uidlist\n");
                        }

                        break;
                    case 7:
                        if (random.Next(2) == 0)
                        {
                            File.Delete(Path.Combine(Root, "pop3-kestrel.sizes"));
                        }
                        else
                        {
                            File.WriteAllText(Path.Combine(Root, "pop3-kestrel.sizes"), "junk\n");
                        }

                        break;
                    default:
                        // A well-known id under a second name: a size field added by some tool.
                        if (files.Count > 0)
                        {
                            var name = files[random.Next(files.Count)]!;
                            var twin = MaildirFileName.Id(name) + ",S=1,W=" + random.Next(1, 99).ToString(CultureInfo.InvariantCulture) + ":2,";
                            if (!File.Exists(Path.Combine(Cur, twin)))
                            {
                                Put(twin, Body());
                            }
                        }

                        break;
                }
            }

            var read = await ReadBothAsync(previous, $"seed {seed}, step {step}");
            var onDisk = Directory.GetFiles(Cur).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(onDisk, read.Listing.Select(m => ((MaildirMessageKey)m.Key!).FileName).Order(StringComparer.Ordinal));

            // Go on from the incremental read most of the time, from scratch sometimes.
            previous = random.Next(5) == 0 ? await ReadAsync(null) : read;
        }
    }
}
