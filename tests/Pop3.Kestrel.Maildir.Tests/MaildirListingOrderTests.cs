using Microsoft.Extensions.Logging.Abstractions;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>
/// The listing order is Dovecot's: what <c>dovecot-uidlist</c> lists by <c>O</c> then UID, then the rest in the order
/// Dovecot would give them UIDs. The expected orders here are what Dovecot 2.3.19's POP3 server listed for the same
/// names and uidlists.
/// </summary>
public sealed class MaildirListingOrderTests
{
    private static string[] Sorted(string uidList, params string[] names)
    {
        var parsed = DovecotUidList.Parse(new StringReader(uidList));
        var keys = names.Select(name =>
        {
            var rank = parsed is not null && parsed.TryGet(MaildirFileName.Id(name), out var entry)
                ? MaildirListingOrder.RankOf(entry)
                : MaildirListingOrder.Unlisted;
            return MaildirListingOrder.KeyOf(name, rank);
        }).ToList();
        keys.Sort((a, b) => MaildirListingOrder.Compare(a, b));
        return [.. keys.Select(k => k.Name)];
    }

    [Fact]
    public void Listed_messages_come_in_UID_order_whatever_their_names()
    {
        var order = Sorted(
            "3 V1234 N20\n3 :1700000030.M1P1.host\n7 :1700000010.M1P1.host\n9 :1700000020.M1P1.host\n",
            "1700000010.M1P1.host:2,", "1700000020.M1P1.host:2,S", "1700000030.M1P1.host,S=9,W=10:2,");

        Assert.Equal(["1700000030.M1P1.host,S=9,W=10:2,", "1700000010.M1P1.host:2,", "1700000020.M1P1.host:2,S"], order);
    }

    [Fact]
    public void Files_the_uidlist_does_not_list_come_after_it_in_delivery_order()
    {
        var order = Sorted(
            "3 V1234 N20\n7 :1700000050.M1P1.host\n",
            "1700000040.M2P1.host:2,", "1700000050.M1P1.host:2,", "1700000001.M1P1.host:2,");

        Assert.Equal(["1700000050.M1P1.host:2,", "1700000001.M1P1.host:2,", "1700000040.M2P1.host:2,"], order);
    }

    [Fact]
    public void Pop3_order_saved_by_a_migration_comes_before_the_UID()
    {
        // Dovecot's own listing of this Maildir: uid 11 (O1), uid 7 (O2), uid 10, then the file it had not seen.
        var order = Sorted(
            "3 V1234 N12\n7 O2 :1700000010.M5P1.host\n10 :1700000005.M9P1.host\n11 O1 :1700000005.M10P1.host\n",
            "1700000001.M1P1.host:2,", "1700000005.M10P1.host:2,", "1700000005.M9P1.host:2,", "1700000010.M5P1.host:2,");

        Assert.Equal(["1700000005.M10P1.host:2,", "1700000010.M5P1.host:2,", "1700000005.M9P1.host:2,", "1700000001.M1P1.host:2,"], order);
    }

    [Fact]
    public void Delivery_order_is_seconds_then_microseconds_not_the_spelling_of_the_name()
    {
        // By name, M10 sorts before M9; Dovecot (and delivery) put the earlier microsecond first.
        var order = Sorted("", "1700000005.M10P1.host:2,", "1700000005.M9P1.host:2,", "999999999.M1P1.host:2,", "untimed.host:2,");

        Assert.Equal(["untimed.host:2,", "999999999.M1P1.host:2,", "1700000005.M9P1.host:2,", "1700000005.M10P1.host:2,"], order);
    }

    [Fact]
    public void Names_that_tie_on_time_fall_back_to_the_name_without_flags()
    {
        var order = Sorted("", "1700000005.b:2,", "1700000005.M3P1.a:2,", "1700000005.a:2,S", "1700000005.M3P1.a,S=1:2,");

        // Dovecot compares up to the flags with the ':' taking part, so a size field sorts before the bare name.
        Assert.Equal(["1700000005.a:2,S", "1700000005.b:2,", "1700000005.M3P1.a,S=1:2,", "1700000005.M3P1.a:2,"], order);
    }

    [Theory]
    [InlineData("1700000005.M932998P27875.vm,S=18,W=21:2,", 932998)]
    [InlineData("1700000005.P27875Q3M12R7.vm:2,", 12)]
    [InlineData("1700000005.P27875.vmM12:2,", -1)]
    [InlineData("1700000005.P27875:2,M12", -1)]
    [InlineData("1700000005M12.host", -1)]
    [InlineData("M12.host", -1)]
    [InlineData("1700000005.M99999999999999P1.host", int.MaxValue)]
    public void Microseconds_are_read_from_the_unique_part_only(string name, int expected) =>
        Assert.Equal(expected, MaildirListingOrder.Microseconds(name));

    [Fact]
    public void The_O_extension_and_the_UID_are_read_from_the_uidlist()
    {
        var uidList = DovecotUidList.Parse(new StringReader("3 V7 N9\n5 O3 W10 :a\n6 Obad :b\n"));

        Assert.NotNull(uidList);
        Assert.True(uidList.TryGet("a", out var a));
        Assert.Equal((5u, (uint?)3u), (a.Uid, a.Pop3Order));
        Assert.True(uidList.TryGet("b", out var b));
        Assert.Equal((6u, (uint?)null), (b.Uid, b.Pop3Order));
    }

    [Fact]
    public async Task A_rewritten_uidlist_that_reorders_known_names_reorders_the_incremental_listing_too()
    {
        using var maildirs = new TempMaildirs();
        var root = maildirs.Root();
        maildirs.Put("cur", "1700000010.a,S=3,W=3:2,", "a\r\n"u8.ToArray());
        maildirs.Put("cur", "1700000020.b,S=3,W=3:2,", "b\r\n"u8.ToArray());
        var uidListPath = Path.Combine(root, "dovecot-uidlist");
        await File.WriteAllTextAsync(uidListPath, "3 V7 N3\n1 :1700000010.a,S=3,W=3\n2 :1700000020.b,S=3,W=3\n");
        File.SetLastWriteTimeUtc(uidListPath, DateTime.UtcNow - TimeSpan.FromMinutes(2));
        var first = await MaildirListingReader.ReadAsync(root, MaildirListingStamp.Read(root), DateTimeOffset.UtcNow, null, NullLogger.Instance, CancellationToken.None);

        // UIDVALIDITY changed and the UIDs given again the other way round.
        await File.WriteAllTextAsync(uidListPath, "3 V8 N3\n1 :1700000020.b,S=3,W=3\n2 :1700000010.a,S=3,W=3\n");
        File.SetLastWriteTimeUtc(uidListPath, DateTime.UtcNow - TimeSpan.FromMinutes(1));
        var second = await MaildirListingReader.ReadAsync(root, MaildirListingStamp.Read(root), DateTimeOffset.UtcNow, first, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(["0000000100000007", "0000000200000007"], first.Listing.Select(m => m.Id));
        Assert.Equal(["0000000100000008", "0000000200000008"], second.Listing.Select(m => m.Id));
        Assert.Equal("1700000020.b,S=3,W=3:2,", ((MaildirMessageKey)second.Listing[0].Key!).FileName);
    }
}
