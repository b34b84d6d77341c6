namespace Pop3.Kestrel.Maildir;

/// <summary>
/// The order a Maildir is listed in, which is the order Dovecot's POP3 server numbers the same Maildir in, so that a
/// mailbox moved from Dovecot keeps its message numbers: messages listed in <c>dovecot-uidlist</c> first, by their
/// <c>O</c> extension (the POP3 order a migration saved) and then by UID; then every other file in delivery order.
/// </summary>
/// <remarks>
/// <para>
/// Delivery order is the order Dovecot gives UIDs to files it finds (<c>maildir_filename_sort_cmp</c>): the leading
/// number of the name (Unix seconds in names made by the usual Maildir recipe; none counts as 0), then the
/// microseconds of the <c>M</c> field in the unique part (<c>1700000000.M123456P42.host</c>), then the name up to its
/// flags (compared as Dovecot does), then the whole name. Dovecot compares microseconds only when both names have them; here a name without
/// them comes first among the names of its second, so the order stays total (the listing cache merges by it).
/// </para>
/// <para>
/// The rank of a message is its uidlist entry packed into one number: <c>O</c> (or the largest value, as Dovecot
/// sorts a message without one) in the high half, the UID in the low half, and <see cref="ulong.MaxValue"/> for a
/// file the uidlist does not list. Dovecot never gives out UID 2³²−1, so no listed message ranks with the unlisted.
/// </para>
/// </remarks>
internal static class MaildirListingOrder
{
    /// <summary>The rank of a file the uidlist does not list (or of every file when there is no uidlist).</summary>
    public const ulong Unlisted = ulong.MaxValue;

    /// <summary>The rank of a file listed in the uidlist with <paramref name="entry"/>.</summary>
    public static ulong RankOf(in DovecotUidList.Entry entry) => ((ulong)(entry.Pop3Order ?? uint.MaxValue) << 32) | entry.Uid;

    /// <summary>Where <paramref name="fileName"/> goes: its rank, then its delivery time and microseconds.</summary>
    public static Key KeyOf(string fileName, ulong rank) =>
        new(rank, MaildirFileName.DeliveryTime(fileName), Microseconds(fileName), fileName);

    /// <summary>Compares two files by the order above.</summary>
    public static int Compare(in Key a, in Key b)
    {
        var order = a.Rank.CompareTo(b.Rank);
        if (order != 0)
        {
            return order;
        }

        order = a.Time.CompareTo(b.Time);
        if (order != 0)
        {
            return order;
        }

        order = a.Microseconds.CompareTo(b.Microseconds);
        if (order != 0)
        {
            return order;
        }

        order = CompareBases(a.Name, b.Name);
        return order != 0 ? order : string.CompareOrdinal(a.Name, b.Name);
    }

    /// <summary>
    /// The names up to the info separator, compared as Dovecot does: the separator (or the end) takes part as a
    /// character, so <c>x,S=1:2,</c> comes before <c>x:2,</c>.
    /// </summary>
    private static int CompareBases(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i] && a[i] != MaildirFileName.InfoSeparator)
        {
            i++;
        }

        var endA = i == a.Length || a[i] == MaildirFileName.InfoSeparator;
        var endB = i == b.Length || b[i] == MaildirFileName.InfoSeparator;
        if (endA && endB)
        {
            return 0;
        }

        return (i == a.Length ? 0 : a[i]) - (i == b.Length ? 0 : b[i]);
    }

    /// <summary>
    /// The number after the first <c>M</c> in the unique part of <paramref name="fileName"/> (between the dot after the
    /// leading number and the next dot), or -1 if there is none: where Dovecot's and Postfix's names keep the
    /// microseconds of the delivery.
    /// </summary>
    public static int Microseconds(ReadOnlySpan<char> fileName)
    {
        var i = 0;
        while (i < fileName.Length && char.IsAsciiDigit(fileName[i]))
        {
            i++;
        }

        if (i == fileName.Length || fileName[i] != '.')
        {
            return -1;
        }

        for (i++; i < fileName.Length && fileName[i] != '.' && fileName[i] != MaildirFileName.InfoSeparator; i++)
        {
            if (fileName[i] == 'M')
            {
                long value = 0;
                for (i++; i < fileName.Length && char.IsAsciiDigit(fileName[i]); i++)
                {
                    value = Math.Min(value * 10 + (fileName[i] - '0'), int.MaxValue);
                }

                return (int)value;
            }
        }

        return -1;
    }

    /// <summary>What the order of one file is decided by.</summary>
    public readonly record struct Key(ulong Rank, ulong Time, int Microseconds, string Name);
}
